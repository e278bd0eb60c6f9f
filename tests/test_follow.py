"""Live follow: what another connection appends shows in the open console after its next tick.

The other writer is a second Store on the same file, or `warroom log` / `warroom act` run through
click's CliRunner on the same database, as a monitoring script would. Time never passes by sleeping:
the FakeClock is advanced and `tick()` called by hand (the screen's own half-second timer also runs,
which is harmless: it does the same thing).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import declaration_payload
from warroom import events as kinds
from warroom.cli import Context, cli
from warroom.clock import FakeClock
from warroom.store import Store
from warroom.tui.app import make_app
from warroom.tui.screens.console import ConsoleScreen
from warroom.tui.widgets.ladder import EscalationLadder
from warroom.tui.widgets.templates import TemplateEditor
from warroom.tui.widgets.timeline import Timeline

SIZE = (160, 50)


pytestmark = pytest.mark.usefixtures("utc_local_time")


@pytest.fixture
def other(db_path: Path, clock: FakeClock, store: Store):
    """A second connection on the same file: another process, as far as SQLite can tell."""
    with Store(db_path, clock=clock) as second:
        yield second


def run_cli(db_path: Path, clock: FakeClock, *args: str):
    result = CliRunner().invoke(cli, ["--db", str(db_path), *args], obj=Context(None, None, clock))
    assert result.exit_code == 0, result.output
    return result


def timeline_text(screen) -> str:
    """What the timeline pane shows, as plain text."""
    timeline = screen.query_one(Timeline)
    return "\n".join(strip.text for strip in timeline.lines)


def ladder_rows(screen) -> list[str]:
    ladder = screen.query_one(EscalationLadder)
    return [str(ladder.get_option_at_index(i).prompt) for i in range(ladder.option_count)]


async def test_a_note_from_another_connection_appears_after_tick(store, other, clock, playbook):
    incident = store.declare(declaration_payload(playbook, clock.now(), "P1", "Checkout is down")).incident
    app = make_app(store, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConsoleScreen)
        screen._ticker.pause()  # only the test's ticks from here on, so the "before" below is real
        clock.advance(minutes=2)
        other.append(incident, kinds.NOTE, {"text": "db failover started by the DBA"})
        assert "db failover started by the DBA" not in timeline_text(screen)
        assert screen.state.notes == 0

        screen.tick()
        await pilot.pause()
        assert screen.state.notes == 1
        assert screen.incident_log.events[-1].payload == {"text": "db failover started by the DBA"}
        assert "db failover started by the DBA" in timeline_text(screen)
        assert "T+0:02:00" in timeline_text(screen)


async def test_an_alert_from_warroom_log_appears_and_other_incidents_do_not(store, other, clock, playbook, db_path):
    incident = store.declare(declaration_payload(playbook, clock.now(), "P1", "Checkout is down")).incident
    elsewhere = other.declare(declaration_payload(playbook, clock.now(), "P2", "Search is slow")).incident
    app = make_app(store, clock=clock, incident_id=incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        screen._ticker.pause()
        clock.advance(minutes=1)
        run_cli(db_path, clock, "log", incident, "5xx rate above 20% on checkout-api", "--kind", "alert")
        run_cli(db_path, clock, "log", elsewhere, "search p99 above 2s", "--kind", "alert")

        screen.tick()
        await pilot.pause()
        assert screen.state.alerts == 1
        shown = timeline_text(screen)
        assert "5xx rate above 20% on checkout-api" in shown
        assert "search p99 above 2s" not in shown
        assert all(e.incident == incident for e in screen.incident_log.events)

        # The console's own writes and the script's interleave in one log, seen in order.
        await pilot.press("colon")
        screen.query_one("#command").value = "note rolling back the deploy"
        await pilot.press("enter")
        await pilot.pause()
        run_cli(db_path, clock, "log", incident, "5xx rate back under 1%", "--kind", "alert")
        screen.tick()
        await pilot.pause()
        texts = [e.payload.get("text") for e in screen.incident_log.events if e.kind in (kinds.NOTE, kinds.ALERT)]
        assert texts == ["5xx rate above 20% on checkout-api", "rolling back the deploy", "5xx rate back under 1%"]
        assert [e.seq for e in screen.incident_log.events] == list(range(1, len(screen.incident_log.events) + 1))


async def test_panes_re_derive_from_a_change_made_elsewhere(store, clock, playbook, db_path):
    incident = store.declare(declaration_payload(playbook, clock.now(), "P2", "Search is slow")).incident
    app = make_app(store, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        screen._ticker.pause()
        screen.query_one("#tabs").active = "tab-internal"  # its editor is made when the tab is first shown
        await pilot.pause()
        screen.query_one("#tabs").active = "timeline-tab"  # and follows the incident from a hidden tab
        await pilot.pause()
        internal = screen.query_one("#editor-internal", TemplateEditor)
        ceo = ladder_rows(screen)[3]
        assert "CEO" in ceo and "not at this severity" in ceo  # the CEO rung is for P0/P1 only
        assert internal.text.startswith("INCIDENT: P2 - Search is slow")
        assert "P2 " in str(screen.query_one("#header").render())

        clock.advance(minutes=5)
        result = run_cli(db_path, clock, "act", incident, "sev", "P1")
        assert "P1" in result.output
        run_cli(db_path, clock, "act", incident, "status", "mitigating")
        screen.tick()
        await pilot.pause()

        assert screen.state.severity == "P1"
        ceo = ladder_rows(screen)[3]
        assert "not at this severity" not in ceo and "due in 55m" in ceo
        assert internal.text.startswith("INCIDENT: P1 - Search is slow\n")
        assert "STATUS: Mitigating" in internal.text
        header = str(screen.query_one("#header").render())
        assert "P1 High" in header and "MITIGATING" in header


async def test_tick_reads_no_events_when_nothing_changed(store, other, clock, playbook, monkeypatch):
    incident = store.declare(declaration_payload(playbook, clock.now(), "P1", "Checkout is down")).incident
    app = make_app(store, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        calls: list[tuple] = []
        real_events_after = store.events_after

        def counting(*args, **kwargs):
            calls.append(args)
            return real_events_after(*args, **kwargs)

        monkeypatch.setattr(store, "events_after", counting)
        statements: list[str] = []
        store.conn.set_trace_callback(statements.append)
        try:
            for _ in range(5):
                screen.tick()
            clock.advance(seconds=30)  # the clock moving is not news from the log either
            screen.tick()
            await pilot.pause()
            assert calls == []
            assert statements and all(s.strip().upper() == "PRAGMA DATA_VERSION" for s in statements), statements

            # The console's own write does not count as news from elsewhere, and is not read back.
            screen.run_command("note from the console itself")
            calls.clear()
            statements.clear()
            screen.tick()
            assert calls == []

            other.append(incident, kinds.ALERT, {"text": "disk 95% on db-2"})
            screen.tick()
            assert len(calls) == 1
            assert screen.state.alerts == 1
            screen.tick()
            screen.tick()
            assert len(calls) == 1  # seen once; nothing new since
        finally:
            store.conn.set_trace_callback(None)


async def test_the_console_keeps_every_event_another_writer_committed_before_its_own(store, clock, playbook, db_path):
    """A script's notes committed just before the console's own event are shown, not skipped (7 of 8 were)."""
    from warroom import events as kinds
    from warroom.incident import state_of
    from warroom.tui.screens.console import ConsoleScreen
    from warroom.tui.widgets.header import IncidentHeader

    incident = store.declare(declaration_payload(playbook, clock.now())).incident
    app = make_app(store, clock=clock, incident_id=incident)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConsoleScreen)
        with Store(db_path, clock=clock) as script:
            for number in range(1, 9):
                script.append(incident, kinds.NOTE, {"text": f"from the script {number}"}, actor="script")
                screen.run_command(f"note from the console {number}")  # before the console's next poll
            script.append(incident, kinds.STATUS, {"status": "mitigating"}, actor="scribe")
            screen.run_command("note after the scribe")
        await pilot.pause()
        assert screen.state == state_of(store.events(incident))
        shown = " ".join(strip.text for strip in screen.query_one("#timeline").lines)
        for number in range(1, 9):
            assert f"from the script {number}" in shown
        assert "MITIGATING" in screen.query_one(IncidentHeader).render().plain


@pytest.mark.parametrize("how", ["removed", "replaced"])
async def test_a_database_removed_or_replaced_under_the_console_stops_recording_and_says_so(
    store, clock, playbook, db_path, tmp_path, how
):
    import os
    import sqlite3

    from textual.widgets import Static

    from warroom import events as kinds

    incident = store.declare(declaration_payload(playbook, clock.now())).incident
    other = tmp_path / "other.db"
    with Store(other, clock=clock) as elsewhere:
        elsewhere.declare(declaration_payload(playbook, clock.now(), title="Another team's incident"))
    app = make_app(store, clock=clock, incident_id=incident)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        banner = screen.query_one("#not-recording", Static)
        assert not banner.display
        if how == "removed":
            os.unlink(db_path)
        else:
            os.replace(other, db_path)
        screen.tick()
        await pilot.pause()
        assert banner.display and str(banner.content).startswith("NOT RECORDING: ")
        assert screen.run_command("note typed after the swap") is False
        assert "Not recorded" in str(screen.query_one("#command-error", Static).content)
    if how == "replaced":  # the other team's file is as it was: one incident, one event, their title
        conn = sqlite3.connect(db_path)
        assert conn.execute("SELECT title FROM incidents").fetchall() == [("Another team's incident",)]
        assert conn.execute("SELECT COUNT(*) FROM events").fetchone() == (1,)
        conn.close()
    else:
        assert not db_path.exists()
