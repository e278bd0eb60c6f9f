"""`warroom watch`: the read-only wall screen.

It shows the big clock, the response target and the rung due; follows what other connections write
after its tick; follows a newly declared incident unless pinned to one; and never writes to the log.
Time passes by advancing a FakeClock and calling `tick()`.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import count_events, declaration_payload
from warroom import events as kinds
from warroom.cli import Context, cli
from warroom.clock import FakeClock
from warroom.errors import WarroomError
from warroom.store import Store
from warroom.tui import app as app_module
from warroom.tui.app import make_app
from warroom.tui.screens.watch import WatchScreen
from warroom.tui.widgets.big_clock import BigClock
from warroom.tui.widgets.timeline import Timeline

SIZE = (120, 40)


pytestmark = pytest.mark.usefixtures("utc_local_time")


@pytest.fixture
def reader(db_path: Path, clock: FakeClock, store: Store):
    """The watcher's own connection, read-only as `warroom watch` opens it (the store fixture writes)."""
    with Store(db_path, clock=clock, readonly=True) as opened:
        yield opened


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector).content)


def timeline_text(screen) -> str:
    return "\n".join(strip.text for strip in screen.query_one(Timeline).lines)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def wal_frames(db_path: Path) -> int:
    """Bytes waiting in the write-ahead log: 0 (or no file) when nobody has written since the last close."""
    wal = db_path.with_name(db_path.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


async def test_watch_shows_clock_response_and_rung(store, reader, clock, playbook):
    store.declare(declaration_payload(playbook, clock.now(), "P1", "Checkout is down"))
    app = make_app(reader, clock=clock, watch=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, WatchScreen)
        assert screen.incident_id == "INC-1" and not screen.pinned
        assert app.theme == "warroom-high-contrast"

        clock.advance(minutes=5)
        screen.tick()
        await pilot.pause()
        big = screen.query_one(BigClock)
        assert big.value == "0:05:00"
        assert "█" in str(big.render())  # block digits, not plain text
        assert text_of(screen, "#watch-response") == "Response target (1h): due 19:00, 55m left"
        # Nobody has been paged: the first rung is due, with its number, for the room to read.
        assert text_of(screen, "#watch-ladder").strip() == "ESCALATE: page On-call Engineer   +1-555-0101"
        header = str(screen.query_one("#header").render())
        assert "read-only" in header and "INC-1" in header and "P1 High" in header and "Checkout is down" in header
        assert not screen.query_one("#watch-waiting").display

        # The wall screen follows time by itself: 47 minutes later the response target is nearly gone.
        clock.advance(minutes=47, seconds=30)
        screen.tick()
        await pilot.pause()
        assert big.value == "0:52:30"
        assert text_of(screen, "#watch-response") == "Response target (1h): due 19:00, 7m left"


async def test_watch_follows_events_from_another_connection(store, reader, clock, playbook):
    incident = store.declare(declaration_payload(playbook, clock.now(), "P1", "Checkout is down")).incident
    app = make_app(reader, clock=clock, watch=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        clock.advance(minutes=3)
        store.append(incident, kinds.ALERT, {"text": "5xx above 20% on checkout-api"})
        assert "5xx above 20% on checkout-api" not in timeline_text(screen)
        assert screen.state.alerts == 0

        screen.tick()
        await pilot.pause()
        assert screen.state.alerts == 1
        assert "5xx above 20% on checkout-api" in timeline_text(screen)

        # What the commander does elsewhere re-derives the wall: the rung paged and answering, mitigating.
        clock.advance(minutes=1)
        store.append(incident, kinds.NOTIFY, {"rung": "oncall"})
        store.append(incident, kinds.ACK, {"rung": "oncall"})
        store.append(incident, kinds.STATUS, {"status": "mitigating"})
        screen.tick()
        await pilot.pause()
        assert "ESCALATE" not in text_of(screen, "#watch-ladder")
        assert text_of(screen, "#watch-ladder") == "On-call Engineer acknowledged  ·  next: Engineering Manager in 11m 00s"
        assert text_of(screen, "#watch-response").startswith("Response target (1h): met at 18:04")
        assert "MITIGATING" in str(screen.query_one("#header").render())
        assert screen.query_one(BigClock).value == "0:04:00"


async def test_watch_switches_to_a_new_incident_unless_pinned(store, reader, clock, playbook):
    first = store.declare(declaration_payload(playbook, clock.now(), "P2", "Search is slow")).incident
    unpinned = make_app(reader, clock=clock, watch=True)
    async with unpinned.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = unpinned.screen
        assert screen.incident_id == first
        clock.advance(minutes=10)
        second = store.declare(declaration_payload(playbook, clock.now(), "P0", "Payments are down")).incident
        screen.tick()
        await pilot.pause()
        assert screen.incident_id == second
        assert screen.state.title == "Payments are down" and screen.state.severity == "P0"
        header = str(screen.query_one("#header").render())
        assert second in header and "Payments are down" in header
        assert screen.query_one(BigClock).value == "0:00:00"  # the new incident's own clock
        assert "Search is slow" not in timeline_text(screen)
        assert any(f"New incident {second}" in n.message for n in unpinned._notifications)


async def test_watch_with_no_incident_waits_for_the_first(store, reader, clock, playbook):
    app = make_app(reader, clock=clock, watch=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.incident_id is None
        waiting = screen.query_one("#watch-waiting")
        assert waiting.display and "No incident yet" in str(waiting.content)
        store.declare(declaration_payload(playbook, clock.now(), "P1", "Checkout is down"))
        screen.tick()
        await pilot.pause()
        assert screen.incident_id == "INC-1"
        assert not waiting.display
        assert "Checkout is down" in str(screen.query_one("#header").render())


def run_watch_via_cli(monkeypatch, db_path: Path, clock: FakeClock, args: list[str], session) -> object:
    """`warroom --db DB watch ARGS` through click, with the screen run headless by `session(app)`."""
    seen: dict = {}

    def headless(store, playbook_path=None, incident_id=None, watch=False):
        seen.update(store=store, incident_id=incident_id, watch=watch)
        app = make_app(store, playbook_path=playbook_path, clock=clock, incident_id=incident_id, watch=watch)
        asyncio.run(session(app))

    monkeypatch.setattr(app_module, "run_console", headless)
    monkeypatch.setattr(app_module, "require_terminal", lambda: None)  # CliRunner's streams are not a terminal
    result = CliRunner().invoke(cli, ["--db", str(db_path), "watch", *args], obj=Context(None, None, clock))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    assert seen["watch"] is True
    assert seen["store"].readonly
    return seen


def test_pinned_watch_stays_on_its_incident(monkeypatch, db_path, clock, playbook):
    with Store(db_path, clock=clock) as writer:
        first = writer.declare(declaration_payload(playbook, clock.now(), "P1", "Checkout is down")).incident

        async def session(app):
            async with app.run_test(size=SIZE) as pilot:
                await pilot.pause()
                screen = app.screen
                assert screen.pinned and screen.incident_id == first
                clock.advance(minutes=4)
                writer.declare(declaration_payload(playbook, clock.now(), "P0", "Payments are down"))
                writer.append(first, kinds.ALERT, {"text": "checkout error rate falling"})
                screen.tick()
                await pilot.pause()
                assert screen.incident_id == first
                assert screen.state.title == "Checkout is down"
                assert "checkout error rate falling" in timeline_text(screen)  # still following its own
                assert screen.query_one(BigClock).value == "0:04:00"
                assert not any("New incident" in n.message for n in app._notifications)

        seen = run_watch_via_cli(monkeypatch, db_path, clock, ["INC-1"], session)
    assert seen["incident_id"] == first


def test_a_watch_session_leaves_the_database_file_unchanged(monkeypatch, db_path, clock, playbook):
    with Store(db_path, clock=clock) as writer:
        incident = writer.declare(declaration_payload(playbook, clock.now(), "P1", "Checkout is down")).incident
        writer.append(incident, kinds.ALERT, {"text": "5xx above 20%"})
    assert wal_frames(db_path) == 0  # the writer closed: everything is in the main file
    before, events_before = digest(db_path), count_events(db_path)

    async def session(app):
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, WatchScreen)
            for _ in range(3):
                clock.advance(minutes=20)
                screen.tick()
                await pilot.pause()
            # The console's keys do nothing here: there is nothing to write with.
            await pilot.press("n", "a", "y", "p", "colon", "R", "enter")
            await pilot.pause()
            assert isinstance(app.screen, WatchScreen)
            with pytest.raises(WarroomError):
                app.store.append(incident, kinds.NOTE, {"text": "sneaky"})

    files_before = sorted(db_path.parent.iterdir())
    seen = run_watch_via_cli(monkeypatch, db_path, clock, [], session)
    assert seen["incident_id"] is None  # unpinned: the screen picks the latest itself
    assert digest(db_path) == before
    assert count_events(db_path) == events_before
    assert wal_frames(db_path) == 0
    # No empty -wal and -shm left beside the log: the watch's connection removes what it made.
    assert sorted(db_path.parent.iterdir()) == files_before


def test_a_reader_sees_commits_from_another_process_and_leaves_no_files(db_path, clock, playbook):
    """The read-only store follows a writer in another process, and leaves the folder as it found it."""
    import subprocess
    import sys

    with Store(db_path, clock=clock) as writer:
        incident = writer.declare(declaration_payload(playbook, clock.now(), "P1", "Checkout is down")).incident
    files_before = sorted(db_path.parent.iterdir())
    with Store(db_path, clock=clock, readonly=True) as reader:
        version = reader.data_version()
        script = (
            "import sys; from warroom.store import Store; "
            f"s = Store({str(db_path)!r}); s.append({incident!r}, 'note', {{'text': 'from elsewhere'}}); s.close()"
        )
        subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
        assert reader.data_version() != version  # the cheap "anything new?" a follower asks twice a second
        assert [e.payload for e in reader.events_after(0, incident)][-1] == {"text": "from elsewhere"}
        with pytest.raises(WarroomError):
            reader.append(incident, kinds.NOTE, {"text": "sneaky"})
    assert sorted(db_path.parent.iterdir()) == files_before


async def test_the_wall_shows_no_console_key_hints(store, reader, clock, playbook):
    incident = store.declare(declaration_payload(playbook, clock.now(), "P0", "Payments are down")).incident
    clock.advance(minutes=1)
    store.append(incident, kinds.NOTIFY, {"rung": "oncall"})
    clock.advance(minutes=4)
    app = make_app(reader, clock=clock, watch=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        response = text_of(screen, "#watch-response")
        assert response == " RESPONSE OVERDUE by 5m 00s   was due 18:00; nobody has acknowledged yet"
        shown = " ".join(
            [response, text_of(screen, "#watch-ladder"), str(screen.query_one("#header").render()),
             str(screen.query_one(Timeline).border_subtitle), timeline_text(screen)]
        )
        for hint in ("(a)", "(n)", "(o)", "(e)", "press ", "acknowledge ("):
            assert hint not in shown, f"{hint!r} on the wall: {shown}"


@pytest.mark.parametrize("with_db_option", [True, False])
def test_watch_on_a_missing_database_is_one_line_and_exit_2(tmp_path, monkeypatch, with_db_option):
    missing = tmp_path / "nowhere" / "warroom.db"
    args = ["--db", str(missing), "watch"] if with_db_option else ["watch"]
    if not with_db_option:
        data_home = tmp_path / "data-home"
        monkeypatch.setenv("XDG_DATA_HOME", str(data_home))
    opened: list = []
    # Were the database ever opened (and so made), no screen may start inside the test runner.
    monkeypatch.setattr(app_module, "run_console", lambda *args, **kwargs: opened.append(kwargs))
    monkeypatch.setattr(app_module, "require_terminal", lambda: None)  # as at a terminal: the database is the problem
    before = sorted(p for p in tmp_path.rglob("*"))
    result = CliRunner().invoke(cli, args, obj=Context(None, None))
    assert opened == []
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    expected = missing if with_db_option else tmp_path / "data-home" / "warroom" / "warroom.db"
    assert lines[0] == f"{expected}: no such database"  # the path first, as every file error says it
    assert "Traceback" not in result.output
    assert sorted(p for p in tmp_path.rglob("*")) == before  # no file, no folder made
