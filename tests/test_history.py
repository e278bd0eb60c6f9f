"""Readers of a log edited behind warroom's back say so in one line; the caches that keep a year of history fast
(verified heads, cached folds) give the same answers as reading every event, and are extended, not redone."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import START, declaration_payload
from warroom import events as kinds
from warroom import report
from warroom.cli import Context, cli
from warroom.clock import FakeClock
from warroom.history import History, bring_up_to_date
from warroom.incident import state_of
from warroom.store import Store

SIZE = (120, 40)


def run(db: Path, clock: FakeClock, *args: str):
    return CliRunner().invoke(cli, list(args), obj=Context(str(db), None, clock=clock))


def tamper(db: Path, *statements: tuple[str, tuple], keep_schema_cookie: bool = False) -> None:
    """Raw SQL with the append-only triggers dropped for it and put back after, as a careful forger would; with
    `keep_schema_cookie`, the file's schema cookie set back to what it was (a forger who knows what warroom reads)."""
    conn = sqlite3.connect(db, isolation_level=None)
    cookie = conn.execute("PRAGMA schema_version").fetchone()[0]
    triggers = [sql for (sql,) in conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'")]
    for name in ("events_no_update", "events_no_delete"):
        conn.execute(f"DROP TRIGGER {name}")
    for sql, parameters in statements:
        conn.execute(sql, parameters)
    for sql in triggers:
        conn.execute(sql)
    if keep_schema_cookie:
        conn.execute(f"PRAGMA schema_version = {cookie}")
    conn.close()


def edit_index(db: Path, *statements: tuple[str, tuple]) -> None:
    """The incidents table is not guarded by triggers: any sqlite3 shell can change it."""
    conn = sqlite3.connect(db, isolation_level=None)
    for sql, parameters in statements:
        conn.execute(sql, parameters)
    conn.close()


def line(problem: str, incident: str = "INC-1") -> str:
    return f"LOG DOES NOT VERIFY: {problem}; shown as it reads: `warroom verify {incident}` checks it"


PAYLOAD = line("INC-1 event 3 (note): its contents do not match its hash (edited after it was written)")
REMOVED = line("INC-1 event 3: missing (the next one stored is 4)")
INDEX = line("INC-1: the index says title 'Checkout is fine', the log says 'Checkout is down'")
TAMPERING = {  # how the log is changed behind warroom's back, and the line every reader then says
    "payload": (lambda db: tamper(db, ("UPDATE events SET payload = ? WHERE seq = 3", ('{"text":"all good"}',))), PAYLOAD),
    "removed": (lambda db: tamper(db, ("DELETE FROM events WHERE seq = 3", ())), REMOVED),
    "index": (lambda db: edit_index(db, ("UPDATE incidents SET title = 'Checkout is fine' WHERE id = 'INC-1'", ())), INDEX),
}


@pytest.fixture
def logged(db_path: Path, clock: FakeClock, playbook) -> str:
    """INC-1: declared, two notes, a follow-up, a note; every event written by warroom, so its head is verified."""
    with Store(db_path, clock=clock) as store:
        incident = store.declare(declaration_payload(playbook, clock.now())).incident
        for text in ("paged the on-call", "rolled back the deploy"):
            clock.advance(60)
            store.append(incident, kinds.NOTE, {"text": text})
        clock.advance(60)
        store.append(incident, kinds.FOLLOWUP, {"number": 1, "text": "add a canary", "owner": "sam", "due": "2026-12-31"})
        clock.advance(60)
        store.append(incident, kinds.NOTE, {"text": "error rate back to normal"})
        bring_up_to_date(store)
    return incident


# --- every reader says it, in one line -------------------------------------------------------------------


READERS = {
    "show": ["show", "INC-1"],
    "show --json": ["show", "INC-1", "--json"],
    "export md": ["export", "INC-1", "--format", "md"],
    "export csv": ["export", "INC-1", "--format", "csv"],
    "export jsonl": ["export", "INC-1"],
    "list": ["list"],
    "list --json": ["list", "--json"],
    "stats": ["stats"],
    "followups": ["followups"],
}


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("how", TAMPERING)
def test_every_reader_of_the_command_line_says_so_in_one_line(db_path, clock, logged, reader, how) -> None:
    change, expected = TAMPERING[how]
    assert run(db_path, clock, *READERS[reader]).stderr == ""  # a sound log: nothing said
    change(db_path)
    result = run(db_path, clock, *READERS[reader])
    assert result.exit_code == 0, result.output  # a broken log is evidence: still shown
    assert result.stderr == f"warroom: {expected}\n"
    assert result.stdout  # what it can show, it shows
    if reader == "export md":
        assert result.stdout.splitlines()[2].startswith("> **LOG DOES NOT VERIFY: INC-1")  # at the top, under the title
    if reader == "list --json":
        assert json.loads(result.stdout)[0]["verified"] is False


def test_the_report_says_it_under_its_title(db_path, clock, logged) -> None:
    TAMPERING["payload"][0](db_path)
    lines = run(db_path, clock, "export", "INC-1", "--format", "md").stdout.splitlines()
    assert lines[:4] == [
        "# INC-1: Checkout is down",
        "",
        "> **LOG DOES NOT VERIFY: INC-1 event 3 \\(note\\): its contents do not match its hash \\(edited after it was "
        "written\\); shown as it reads: \\`warroom verify INC-1\\` checks it**",
        "",
    ]


def test_readers_of_many_logs_name_only_the_ones_that_do_not_verify(db_path, clock, logged, playbook) -> None:
    with Store(db_path, clock=clock) as store:
        second = store.declare(declaration_payload(playbook, clock.now(), title="Search is slow")).incident
        store.append(second, kinds.FOLLOWUP, {"number": 1, "text": "index the catalogue", "owner": "kim", "due": ""})
        bring_up_to_date(store)
    TAMPERING["index"][0](db_path)  # INC-1's row only
    for args in (["stats"], ["followups"], ["list"]):
        result = run(db_path, clock, *args)
        assert result.stderr == f"warroom: {INDEX}\n", args
    assert "index the catalogue" in run(db_path, clock, "followups").stdout


@pytest.mark.parametrize("how", TAMPERING)
@pytest.mark.parametrize("screen", ["console", "replay", "watch"])
async def test_every_screen_shows_the_line_as_a_banner(db_path, clock, logged, how, screen) -> None:
    from textual.widgets import Static

    from warroom.tui.app import make_app

    change, expected = TAMPERING[how]
    change(db_path)
    store = Store(db_path, clock=clock, readonly=screen != "console")
    app = make_app(store, clock=clock, incident_id="INC-1", replay=screen == "replay", watch=screen == "watch")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        banner = app.screen.query_one("#log-unverified", Static)
        assert banner.display and str(banner.content) == expected
    store.close()


async def test_a_sound_log_shows_no_banner(db_path, clock, logged) -> None:
    from textual.widgets import Static

    from warroom.tui.app import make_app

    with Store(db_path, clock=clock) as store:
        app = make_app(store, clock=clock, incident_id="INC-1")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert not app.screen.query_one("#log-unverified", Static).display


async def test_the_console_writes_what_it_checked_anew_without_waiting_for_its_close(db_path, clock, logged, tmp_path) -> None:
    """A log restored with SQLite's backup (`.backup`, sqlite3.Connection.backup) has a new schema cookie, so its
    caches no longer fit and the console checks the whole chain. What it found is in the file once the console is
    up, before any close: a console whose terminal goes (SSH dropped, tmux pane killed) never closes its store."""
    from warroom.tui.app import make_app

    restored = tmp_path / "restored.db"
    with sqlite3.connect(db_path) as source, sqlite3.connect(restored) as copy:
        source.backup(copy)

    def stamps() -> tuple[int, list]:
        conn = sqlite3.connect(restored)
        try:
            return (conn.execute("PRAGMA schema_version").fetchone()[0],
                    conn.execute("SELECT schema FROM verified_heads WHERE incident = 'INC-1'").fetchall())
        finally:
            conn.close()

    cookie, heads = stamps()
    assert heads and heads != [(cookie,)]  # the restored file's caches do not fit it
    store = Store(restored, clock=clock)
    app = make_app(store, clock=clock, incident_id="INC-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert stamps() == (cookie, [(cookie,)])  # written while the console runs, the store still open
    store.close()


async def test_the_browser_lists_an_edited_index_row_as_broken(db_path, clock, logged) -> None:
    from warroom.tui.app import make_app
    from warroom.tui.screens.browser import BrowserScreen

    TAMPERING["index"][0](db_path)  # not a chain problem: only the index against the fold finds it
    with Store(db_path, clock=clock) as store:
        app = make_app(store, clock=clock, browse="")
        async with app.run_test(size=(160, 40)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, BrowserScreen)
            assert app.screen.verified == {"INC-1": False}


# --- the verified head: extended, not redone -------------------------------------------------------------


def test_the_verified_head_is_extended_not_redone(db_path, clock, logged, monkeypatch) -> None:
    import warroom.store as store_module

    checked: list[int] = []
    real = store_module.chain_hash

    def counting(incident, seq, *rest):
        checked.append(seq)
        return real(incident, seq, *rest)

    monkeypatch.setattr(store_module, "chain_hash", counting)
    with Store(db_path, clock=clock) as store:
        assert store.check("INC-1") == (None, None)  # written by warroom: verified as written, nothing re-checked
        assert checked == []
    # Another writer (an older warroom: no caches) appends three events; the head it left is not verified.
    with Store(db_path, clock=clock) as store:
        store.caches = False
        for text in ("a", "b", "c"):
            store.append("INC-1", kinds.NOTE, {"text": text})
    checked.clear()  # (writing hashed them too)
    with Store(db_path, clock=clock, readonly=True) as reader:
        problem, head = reader.check("INC-1")
        assert problem is None and head is not None and head[0] == 8
        assert checked == [6, 7, 8]  # only what came after the verified head at event 5
        reader.remember_verified("INC-1", head)
        checked.clear()
        assert reader.check("INC-1") == (None, None) and checked == []  # remembered for the store's life
    with Store(db_path, clock=clock, readonly=True) as reader:  # read-only: nothing was written to the file
        reader.check("INC-1")
        assert checked == [6, 7, 8]
    checked.clear()
    assert run(db_path, clock, "list").stderr == ""  # a reader of the command line: read-only, extends in memory
    with Store(db_path, clock=clock) as writer:
        History(writer).problem(writer.incident("INC-1"))  # a writable reader (the browser) saves it as it closes
    checked.clear()
    with Store(db_path, clock=clock, readonly=True) as reader:
        assert reader.check("INC-1") == (None, None) and checked == []


def test_an_edit_below_the_verified_head_is_caught_by_a_full_verify(db_path, clock, logged) -> None:
    with Store(db_path, clock=clock, readonly=True) as store:
        assert store.check("INC-1") == (None, None)  # the head (event 5) is cached: readers check nothing below it
    # A forger who also sets the schema cookie back: the readers' cache cannot tell (the README says so) ...
    tamper(db_path, ("UPDATE events SET payload = ? WHERE seq = 3", ('{"text":"all good"}',)), keep_schema_cookie=True)
    assert run(db_path, clock, "list").stderr == ""
    # ... a full verify does, and so does every reader once the cookie moves (any schema change: the triggers dropped).
    result = run(db_path, clock, "verify")
    assert result.exit_code == 1
    assert result.stderr == "warroom: verify failed: INC-1 event 3 (note): its contents do not match its hash (edited after it was written)\n"
    result = run(db_path, clock, "verify", "INC-1")
    assert result.exit_code == 1 and "event 3 (note): its contents do not match its hash" in result.stderr


def test_a_cached_head_whose_event_changed_is_not_used(db_path, clock, logged) -> None:
    # The head's own event edited, the cookie kept: its hash column still matches, so the head is re-derived
    # only if the hash differs; a re-chained head (hash rewritten) is checked from the start.
    conn = sqlite3.connect(db_path)
    digest = conn.execute("SELECT hash FROM events WHERE seq = 5").fetchone()[0]
    conn.close()
    forged = "0" * 64
    tamper(db_path, ("UPDATE events SET hash = ? WHERE seq = 5", (forged,)),
           ("UPDATE incidents SET head_hash = ?", (forged,)), keep_schema_cookie=True)
    assert digest != forged
    result = run(db_path, clock, "list")
    assert result.stderr == f"warroom: {line('INC-1 event 5 (note): its contents do not match its hash (edited after it was written)')}\n"


# --- the caches give the same answers as reading every event ---------------------------------------------


def _stats_and_list(db: Path, clock: FakeClock) -> tuple[dict, list]:
    stats = run(db, clock, "stats", "--json")
    listed = run(db, clock, "list", "--json")
    assert stats.exit_code == 0 and listed.exit_code == 0, stats.output + listed.output
    return json.loads(stats.stdout), json.loads(listed.stdout)


def _forget_caches(db: Path) -> None:
    edit_index(db, ("DELETE FROM summaries", ()), ("DELETE FROM verified_heads", ()))


def _busy_year(store: Store, clock: FakeClock, playbook) -> None:
    """Incidents unlike each other: backfilled facts, a reopen, a severity change, a drill, one still open."""
    for number in range(6):
        clock.advance(hours=5)
        severity = ("P0", "P1", "P2")[number % 3]
        payload = declaration_payload(playbook, clock.now() - timedelta(minutes=10), severity, f"Incident {number}",
                                      drill=number == 4)
        incident = store.declare(payload).incident
        clock.advance(minutes=3)
        store.append(incident, kinds.NOTIFY, {"rung": playbook.ladder[0].id})
        clock.advance(minutes=2)
        store.append(incident, kinds.ACK, {"rung": playbook.ladder[0].id})
        store.append(incident, kinds.NOTE, {"text": "backfilled"}, at=clock.now() - timedelta(minutes=4))
        if number % 2:
            store.append(incident, kinds.SEVERITY, {"severity": "P0"})
        clock.advance(minutes=20)
        store.append(incident, kinds.STATUS, {"status": "mitigating"})
        if number != 5:
            clock.advance(minutes=30)
            store.append(incident, kinds.RESOLVED, {})
        if number == 2:
            clock.advance(minutes=5)
            store.append(incident, kinds.REOPENED, {})
            store.append(incident, kinds.RESOLVED, {})


def test_stats_and_list_are_the_same_with_and_without_the_caches(db_path, clock, playbook) -> None:
    with Store(db_path, clock=clock) as store:
        _busy_year(store, clock, playbook)
        states = [state_of(store.events(row.id)) for row in store.incidents()]
        bring_up_to_date(store)
    expected_stats = report.stats(states, clock.now()).to_json()
    cached = _stats_and_list(db_path, clock)
    assert cached[0] == expected_stats
    # Stale caches: more appended by a writer that keeps none (each cached fold is extended or refolded) ...
    with Store(db_path, clock=clock) as store:
        store.caches = False
        clock.advance(minutes=1)
        store.append("INC-6", kinds.NOTE, {"text": "after the cache"})  # on top of the cached fold
        store.append("INC-3", kinds.NOTE, {"text": "long ago"}, at=clock.now() - timedelta(days=1))  # backfilled: refold
        states = [state_of(store.events(row.id)) for row in store.incidents()]
    stale = _stats_and_list(db_path, clock)
    assert stale[0] == report.stats(states, clock.now()).to_json()
    _forget_caches(db_path)
    assert _stats_and_list(db_path, clock) == stale  # ... and none at all
    assert all(row["verified"] for row in stale[1])


events_strategy = st.lists(
    st.tuples(
        st.sampled_from([kinds.NOTE, kinds.ALERT, "status mitigating", "status investigating", kinds.RESOLVED,
                         kinds.REOPENED, "severity P0", "severity P2"]),
        st.integers(min_value=0, max_value=600),  # seconds on
        st.integers(min_value=-1, max_value=900),  # backfilled this many seconds (-1: happened now)
    ),
    min_size=1, max_size=25,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=events_strategy, second=events_strategy)
def test_a_cached_fold_extended_is_the_fold_of_the_whole_log(tmp_path_factory, playbook, first, second) -> None:
    db = tmp_path_factory.mktemp("fold") / "warroom.db"
    clock = FakeClock(START)

    def write(store: Store, incident: str, items) -> None:
        for what, step, back in items:
            clock.advance(step)
            kind, _, value = what.partition(" ")
            payload = {"status": value} if kind == kinds.STATUS else {"severity": value} if kind == kinds.SEVERITY else {}
            if kind in (kinds.NOTE, kinds.ALERT):
                payload = {"text": "x"}
            at = clock.now() - timedelta(seconds=back) if back >= 0 else None
            store.append(incident, kind, payload, at=max(at, START) if at else None)

    with Store(db, clock=clock) as store:
        incident = store.declare(declaration_payload(playbook, START)).incident
        write(store, incident, first)
        bring_up_to_date(store)
        write(store, incident, second)
        whole = state_of(store.events(incident))
    with Store(db, clock=clock, readonly=True) as reader:
        known = History(reader)
        assert known.problem(reader.incident(incident)) is None
        assert known.state(incident) == whole


# --- the schema: an older file, the index on kind --------------------------------------------------------


def _like_an_older_warroom(db: Path) -> None:
    edit_index(db, ("DROP TABLE verified_heads", ()), ("DROP TABLE summaries", ()), ("DROP INDEX events_kind", ()))


def test_an_older_file_is_read_without_writing_and_gets_the_caches_on_its_first_write(db_path, clock, logged) -> None:
    _like_an_older_warroom(db_path)
    before = db_path.read_bytes()
    for args in (["list"], ["stats"], ["followups"], ["show", "INC-1"], ["verify"]):
        result = run(db_path, clock, *args)
        assert result.exit_code == 0 and result.stderr == "", (args, result.output)
    assert db_path.read_bytes() == before  # read-only opens: no migration, nothing written
    assert run(db_path, clock, "log", "INC-1", "a note from a newer warroom").exit_code == 0
    conn = sqlite3.connect(db_path)
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    assert {"verified_heads", "summaries", "events_kind"} <= tables
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1  # an older warroom still opens it
    conn.close()
    assert run(db_path, clock, "verify").stdout.startswith("ok: 1 incident, 6 events")
    assert run(db_path, clock, "list").stderr == ""


def test_followups_read_their_events_by_the_kind_index(db_path, clock, logged) -> None:
    with Store(db_path, clock=clock, readonly=True) as store:
        plan = " ".join(
            str(row[-1]) for row in store.conn.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM events WHERE kind IN (?, ?) ORDER BY incident, seq",
                (kinds.FOLLOWUP, kinds.FOLLOWUP_DONE),
            )
        )
    assert "events_kind" in plan


def test_drills_are_marked_from_the_cached_folds_and_from_the_log_when_a_fold_does_not_say(
    db_path, clock, playbook, monkeypatch
) -> None:
    with Store(db_path, clock=clock) as store:
        _busy_year(store, clock, playbook)  # INC-5 is the drill
        bring_up_to_date(store)
    listings = dict(sqlite3.connect(db_path).execute("SELECT incident, listing FROM summaries"))
    assert {ident: json.loads(text)["drill"] for ident, text in listings.items()} == {
        f"INC-{n}": n == 5 for n in range(1, 7)
    }

    def no_query(self):
        raise AssertionError("the drills were read from the log although every cached fold says")

    monkeypatch.setattr(Store, "drills", no_query)
    listed = _stats_and_list(db_path, clock)[1]
    assert {row["id"] for row in listed if row["drill"]} == {"INC-5"}
    monkeypatch.undo()
    # A fold cached before listings said it (no "drill"): every incident's first event is read instead.
    edit_index(db_path, *[
        ("UPDATE summaries SET listing = ? WHERE incident = ?",
         (json.dumps({k: v for k, v in json.loads(text).items() if k != "drill"}), ident))
        for ident, text in listings.items()
    ])
    listed = _stats_and_list(db_path, clock)[1]
    assert {row["id"] for row in listed if row["drill"]} == {"INC-5"}


def test_a_reader_of_many_folds_reads_each_distinct_playbook_once_and_checks_the_digest(
    db_path, clock, playbook, five_level_path
) -> None:
    from warroom.playbook import load_playbook

    other = load_playbook(five_level_path)
    with Store(db_path, clock=clock) as store:
        for number in range(8):
            book = other if number % 4 == 3 else playbook
            clock.advance(hours=1)
            incident = store.declare(declaration_payload(book, clock.now(), book.severities[0].id, f"Incident {number}")).incident
            clock.advance(minutes=5)
            store.append(incident, kinds.RESOLVED, {})
        bring_up_to_date(store)
        expected = report.stats([state_of(store.events(row.id)) for row in store.incidents()], clock.now()).to_json()

    def reads_of_playbooks(db: Path) -> tuple[dict, list[str]]:
        statements: list[str] = []
        with Store(db, clock=clock, readonly=True) as store:
            store.conn.set_trace_callback(statements.append)
            known = History(store, many=True)
            rows = store.incidents()
            assert not known.problems(rows)
            result = report.stats([known.state(row.id) for row in rows], clock.now()).to_json()
        return result, [s for s in statements if "$.playbook" in s]

    result, reads = reads_of_playbooks(db_path)
    assert result == expected
    assert len(reads) == 2 and all("incident = " in s for s in reads)  # one incident's own, per distinct playbook
    # A fold whose digest is not its playbook's (another warroom's, or edited): its own playbook is read and used.
    conn = sqlite3.connect(db_path, isolation_level=None)
    listings = {ident: json.loads(text) for ident, text in conn.execute("SELECT incident, listing FROM summaries")}
    assert listings["INC-4"]["playbook"] != listings["INC-1"]["playbook"] == listings["INC-2"]["playbook"]
    listings["INC-4"]["playbook"] = "0" * 64
    conn.execute("UPDATE summaries SET listing = ? WHERE incident = 'INC-4'", (json.dumps(listings["INC-4"]),))
    conn.close()
    result, reads = reads_of_playbooks(db_path)
    assert result == expected
    assert any("kind = 'declared'" in s and "incident = " not in s for s in reads)  # every playbook read: not trusted


def test_a_cached_state_holds_the_fields_alone_so_an_older_warroom_still_reads_it(db_path, clock, playbook) -> None:
    # An older warroom refuses a cached state whose keys are not the state's fields and refolds the whole log (every
    # read, since a reader writes no cache): what is new (the drill, the playbook's digest) goes in the listing.
    with Store(db_path, clock=clock) as store:
        _busy_year(store, clock, playbook)
        bring_up_to_date(store)
    conn = sqlite3.connect(db_path)
    for state, listing in conn.execute("SELECT state, listing FROM summaries"):
        assert set(json.loads(state)) == set(history_fields())
        assert {"stamp", "status", "severity", "title", "started_at", "declared_at", "resolved_at"} <= set(json.loads(listing))
    conn.close()


def history_fields() -> tuple[str, ...]:
    from dataclasses import fields

    from warroom.incident import IncidentState

    return tuple(f.name for f in fields(IncidentState) if f.name != "playbook")


# --- a writer's own fold: `warroom log -` caches what it appended without reading it back ------------------------


def _read_back(monkeypatch) -> list[int]:
    """Counts the events every Store.events call returns while a command runs."""
    counted: list[int] = []
    real = Store.events

    def counting(self, *args, **kwargs):
        found = real(self, *args, **kwargs)
        counted.append(len(found))
        return found

    monkeypatch.setattr(Store, "events", counting)
    return counted


def test_log_piped_caches_its_fold_without_reading_back_the_lines(db_path, clock, logged, monkeypatch) -> None:
    lines = "".join(f"alert {n:05d} disk latency over 200 ms on db-{n % 7}\n" for n in range(5_000))  # several reads
    counted = _read_back(monkeypatch)
    result = CliRunner().invoke(cli, ["log", logged, "-", "--kind", "alert"], input=lines,
                                obj=Context(str(db_path), None, clock=clock))
    assert result.exit_code == 0, result.output
    assert sum(counted) < 100, f"read back {sum(counted)} events to cache the fold"
    monkeypatch.undo()
    with Store(db_path, clock=clock, readonly=True) as reader:
        whole = state_of(reader.events(logged))
        assert whole.alerts == 5_000
        cached = reader.summary(logged)
        assert cached is not None and cached[0] == whole.last_seq  # the fold cached is as of the head
        known = History(reader)
        assert known.problem(reader.incident(logged)) is None
        assert known.state(logged) == whole


@pytest.mark.parametrize("between", ["another writer", "a backfilled batch"])
def test_a_writers_fold_gives_up_when_it_cannot_fold_on_top(db_path, clock, logged, between) -> None:
    from warroom.history import WrittenFold

    with Store(db_path, clock=clock) as store:
        written = WrittenFold(store, logged)
        clock.advance(60)
        written.take(store.append_many(logged, [(kinds.ALERT, {"text": f"first {n}"}, None) for n in range(3)]))
        if between == "another writer":
            with Store(db_path, clock=clock) as scribe:
                scribe.append(logged, kinds.NOTE, {"text": "the scribe's note, between the batches"})
            at = None
        else:
            at = clock.now() - timedelta(minutes=3)
        clock.advance(60)
        written.take(store.append_many(logged, [(kinds.ALERT, {"text": f"second {n}"}, at) for n in range(3)]))
        assert written.state is None  # it cannot know the whole log's fold now
        bring_up_to_date(store, [written])
    with Store(db_path, clock=clock, readonly=True) as reader:
        whole = state_of(reader.events(logged))
        assert History(reader).state(logged) == whole
        assert reader.summary(logged)[0] == whole.last_seq
