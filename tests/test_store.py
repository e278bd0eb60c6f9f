"""The event store: append-only inside SQLite, tamper-evident, safe to share between processes."""

from __future__ import annotations

import json
import sqlite3
import stat
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import START, count_events, current_state
from warroom import events as kinds
from warroom.cli import Context, cli
from warroom.clock import FakeClock, iso
from warroom.errors import WarroomError
from warroom.events import GENESIS, chain_hash
from warroom.store import SCHEMA_VERSION, Store, default_db_path


def raw(path: Path) -> sqlite3.Connection:
    """A plain connection to the file, as anyone with a sqlite3 shell has."""
    return sqlite3.connect(path, isolation_level=None)


def run_verify(db_path: Path, *args: str):
    return CliRunner().invoke(cli, ["verify", *args], obj=Context(str(db_path), None, clock=FakeClock(START)))


def drop_triggers(conn: sqlite3.Connection) -> None:
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        conn.execute(f"DROP TRIGGER {name}")


@pytest.fixture
def five_events(store: Store, declare, clock: FakeClock) -> str:
    incident = declare()
    for text in ("one", "two", "three", "four"):
        clock.advance(30)
        store.append(incident, kinds.NOTE, {"text": text})
    return incident


# --- creation ----------------------------------------------------------------------------------------


def test_new_database_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "warroom.db"
    Store(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_schema_version_and_tables(store: Store, db_path: Path) -> None:
    conn = raw(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"incidents", "events"} <= tables
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_default_location_follows_warroom_db_and_the_data_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_db_path() == tmp_path / "xdg" / "warroom" / "warroom.db"
    monkeypatch.setenv("WARROOM_DB", str(tmp_path / "elsewhere.db"))
    assert default_db_path() == tmp_path / "elsewhere.db"


def test_newer_schema_is_a_clear_error(db_path: Path) -> None:
    Store(db_path).close()
    conn = raw(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(WarroomError, match=rf"schema version {SCHEMA_VERSION + 1}, newer than this warroom knows"):
        Store(db_path)


def test_a_file_that_is_not_sqlite_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 200)
    before = path.read_bytes()
    with pytest.raises(WarroomError, match="not a warroom database"):
        Store(path)
    assert path.read_bytes() == before


def test_someone_elses_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = raw(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.execute("INSERT INTO recipes VALUES ('bread')")
    conn.close()
    with pytest.raises(WarroomError, match=r"not a warroom database \(it holds other tables: recipes\)"):
        Store(path)
    conn = raw(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # not switched to WAL behind its back
    assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("recipes",)]


def test_a_folder_as_the_database_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WarroomError, match="is a folder"):
        Store(tmp_path)


def test_read_only_store_refuses_to_write(store: Store, declare, db_path: Path) -> None:
    incident = declare()
    with Store(db_path, readonly=True) as reader:
        assert reader.events(incident)[0].kind == kinds.DECLARED
        with pytest.raises(WarroomError, match="read-only"):
            reader.append(incident, kinds.NOTE, {"text": "x"})


# --- append-only, inside SQLite itself -------------------------------------------------------------


def test_update_is_refused_by_sqlite(five_events: str, db_path: Path) -> None:
    conn = raw(db_path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE events SET payload = '{\"text\":\"nothing happened\"}' WHERE seq = 3")
    assert json.loads(conn.execute("SELECT payload FROM events WHERE seq = 3").fetchone()[0]) == {"text": "two"}


def test_delete_is_refused_by_sqlite(five_events: str, db_path: Path) -> None:
    conn = raw(db_path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM events WHERE seq = 3")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("DELETE FROM events")
    assert count_events(db_path) == 5


def test_an_edited_row_is_caught(five_events: str, db_path: Path, store: Store) -> None:
    assert store.verify(five_events) is None
    conn = raw(db_path)
    drop_triggers(conn)  # as an attacker would
    conn.execute("UPDATE events SET payload = '{\"text\":\"all fine\"}' WHERE incident = ? AND seq = 3", (five_events,))
    conn.close()
    assert store.verify(five_events) == f"{five_events} event 3 (note): its contents do not match its hash (edited after it was written)"
    result = run_verify(db_path)
    assert result.exit_code == 1
    assert result.stderr == f"warroom: verify failed: {five_events} event 3 (note): its contents do not match its hash (edited after it was written)\n"


def test_an_edited_time_is_caught(five_events: str, db_path: Path, store: Store) -> None:
    conn = raw(db_path)
    drop_triggers(conn)
    conn.execute("UPDATE events SET at = ? WHERE incident = ? AND seq = 2", (iso(START - timedelta(hours=1)), five_events))
    conn.close()
    assert store.verify(five_events).startswith(f"{five_events} event 2 (note): its contents do not match")


def test_a_rehashed_edit_still_breaks_the_chain(five_events: str, db_path: Path, store: Store) -> None:
    conn = raw(db_path)
    drop_triggers(conn)
    row = conn.execute("SELECT kind, actor, at, recorded_at, prev_hash FROM events WHERE seq = 3").fetchone()
    forged_payload = '{"text":"all fine"}'
    forged = chain_hash(five_events, 3, row[0], row[1], forged_payload, row[2], row[3], row[4])
    conn.execute("UPDATE events SET payload = ?, hash = ? WHERE seq = 3", (forged_payload, forged))
    conn.close()
    assert store.verify(five_events) == f"{five_events} event 4 (note): does not chain to event 3 (its previous hash differs)"


def test_a_removed_row_is_caught(five_events: str, db_path: Path, store: Store) -> None:
    conn = raw(db_path)
    drop_triggers(conn)
    conn.execute("DELETE FROM events WHERE incident = ? AND seq = 3", (five_events,))
    conn.close()
    assert store.verify(five_events) == f"{five_events} event 3: missing (the next one stored is 4)"
    result = run_verify(db_path, five_events)
    assert result.exit_code == 1
    assert f"{five_events} event 3: missing" in result.stderr and len(result.stderr.splitlines()) == 1


def test_a_removed_last_row_is_caught(five_events: str, db_path: Path, store: Store) -> None:
    conn = raw(db_path)
    drop_triggers(conn)
    conn.execute("DELETE FROM events WHERE incident = ? AND seq = 5", (five_events,))
    conn.close()
    assert store.verify(five_events) == f"{five_events} event 5: the log ends at event 4; later events were removed"
    result = run_verify(db_path)
    assert result.exit_code == 1 and f"{five_events} event 5" in result.stderr


def test_verify_passes_a_sound_log(five_events: str, db_path: Path) -> None:
    result = run_verify(db_path)
    assert result.exit_code == 0
    assert result.stdout == "ok: 1 incident, 5 events, every chain verifies\n"


# --- appending ---------------------------------------------------------------------------------------


def test_events_chain_and_number(five_events: str, store: Store) -> None:
    events = store.events(five_events)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == GENESIS
    for before, after in zip(events, events[1:]):
        assert after.prev_hash == before.hash
    for event in events:
        assert event.hash == chain_hash(
            event.incident, event.seq, event.kind, event.actor, json.dumps(event.payload, sort_keys=True, separators=(",", ":")),
            iso(event.at), iso(event.recorded_at), event.prev_hash,
        )


def test_incident_ids_count_up(store: Store, declare) -> None:
    assert [declare(), declare(), declare()] == ["INC-1", "INC-2", "INC-3"]
    assert store.find_incident("2") == "INC-2"
    assert store.find_incident("inc-3") == "INC-3"
    assert store.find_incident("latest") == "INC-3"
    with pytest.raises(WarroomError, match="no incident 'INC-9'"):
        store.find_incident("INC-9")


def test_actor_defaults_to_the_login_name(store: Store, declare) -> None:
    incident = declare()
    event = store.append(incident, kinds.NOTE, {"text": "x"})
    assert event.actor and event.actor == store.events(incident)[-1].actor
    assert store.append(incident, kinds.NOTE, {"text": "y"}, actor="pager-bot").actor == "pager-bot"


def test_times_are_stored_with_milliseconds_and_z(store: Store, declare, clock: FakeClock, db_path: Path) -> None:
    incident = declare()
    clock.advance(0.1234567)
    store.append(incident, kinds.NOTE, {"text": "x"})
    at, recorded = raw(db_path).execute("SELECT at, recorded_at FROM events WHERE seq = 2").fetchone()
    assert at == recorded == "2026-11-26T18:00:00.123Z"


def test_recorded_at_never_goes_backwards(store: Store, declare, clock: FakeClock) -> None:
    incident = declare()
    clock.advance(minutes=10)
    first = store.append(incident, kinds.NOTE, {"text": "at 18:10"})
    clock.set(START + timedelta(minutes=5))  # the wall clock steps back (NTP, a laptop waking)
    second = store.append(incident, kinds.NOTE, {"text": "at 18:05"})
    assert second.recorded_at == first.recorded_at
    assert second.at == START + timedelta(minutes=5)
    assert store.verify(incident) is None


def test_backfilled_event_keeps_when_it_happened(store: Store, declare, clock: FakeClock) -> None:
    incident = declare()
    clock.advance(minutes=30)
    event = store.append(incident, kinds.STATUS, {"status": "mitigating"}, at=START + timedelta(minutes=14))
    assert event.at == START + timedelta(minutes=14)
    assert event.recorded_at == START + timedelta(minutes=30)
    assert event.backfilled


def test_a_time_in_the_future_is_refused(store: Store, declare, clock: FakeClock, db_path: Path) -> None:
    incident = declare()
    with pytest.raises(WarroomError, match="is in the future"):
        store.append(incident, kinds.NOTE, {"text": "from tomorrow"}, at=clock.now() + timedelta(minutes=5))
    assert count_events(db_path) == 1
    # Within a second is the same moment (two machines' clocks): kept, at now.
    event = store.append(incident, kinds.NOTE, {"text": "just now"}, at=clock.now() + timedelta(milliseconds=500))
    assert event.at == clock.now()


def test_append_many_is_all_or_nothing(store: Store, declare, clock: FakeClock, db_path: Path) -> None:
    incident = declare()
    items = [(kinds.ALERT, {"text": "a"}, None), (kinds.ALERT, {"text": "b"}, clock.now() + timedelta(hours=1))]
    with pytest.raises(WarroomError):
        store.append_many(incident, items)
    assert count_events(db_path) == 1
    assert store.incident(incident).events == 1
    assert store.verify(incident) is None


def test_append_to_an_unknown_incident(store: Store, db_path: Path) -> None:
    with pytest.raises(WarroomError, match="no incident 'INC-7'"):
        store.append("INC-7", kinds.NOTE, {"text": "x"})


def test_followers_read_only_what_is_new(store: Store, declare, db_path: Path, clock: FakeClock) -> None:
    incident = declare()
    with Store(db_path, clock=clock) as follower:
        seen = follower.last_event_id()
        version = follower.data_version()
        store.append(incident, kinds.ALERT, {"text": "disk full"})
        assert follower.data_version() != version
        new = follower.events_after(seen)
        assert [(e.kind, e.payload) for e in new] == [(kinds.ALERT, {"text": "disk full"})]
        assert follower.events_after(new[-1].id) == []
        other = declare()
        assert [e.incident for e in follower.events_after(new[-1].id, incident)] == []
        assert [e.incident for e in follower.events_after(new[-1].id)] == [other]


def test_the_index_follows_the_fold(store: Store, declare, clock: FakeClock) -> None:
    incident = declare("P2", "Slow search")
    clock.advance(minutes=30)
    store.append(incident, kinds.RESOLVED, {})
    clock.advance(minutes=5)
    store.append(incident, kinds.STATUS, {"status": "mitigating"}, at=START + timedelta(minutes=14))
    store.append(incident, kinds.SEVERITY, {"severity": "P1"})
    store.append(incident, kinds.TITLE, {"title": "Search is down"})
    row = store.incident(incident)
    state = current_state(store, incident)
    assert (row.status, row.severity, row.title) == (state.status, state.severity, state.title) == (
        "resolved", "P1", "Search is down"
    )
    assert row.resolved_at == START + timedelta(minutes=30)
    assert store.open_incidents() == []



def test_the_index_keeps_the_latest_rename_and_the_first_resolution(store: Store, declare, clock: FakeClock) -> None:
    incident = declare("P2", "Slow search")
    clock.advance(minutes=30)
    store.append(incident, kinds.TITLE, {"title": "Search is down"})
    store.append(incident, kinds.TITLE, {"title": "Search is slow"}, at=START + timedelta(minutes=10))  # backfilled
    store.append(incident, kinds.RESOLVED, {})
    clock.advance(minutes=5)
    store.append(incident, kinds.RESOLVED, {})  # resolved again: the first time stands
    row = store.incident(incident)
    state = current_state(store, incident)
    assert (row.title, row.resolved_at) == (state.title, state.resolved_at) == ("Search is down", START + timedelta(minutes=30))

# --- import ------------------------------------------------------------------------------------------


def test_import_refuses_a_broken_chain_and_writes_nothing(five_events: str, store: Store, tmp_path: Path) -> None:
    records = [e.to_record() for e in store.events(five_events)]
    records[2]["payload"]["text"] = "edited"
    with Store(tmp_path / "other.db") as other:
        with pytest.raises(WarroomError, match=f"refused, the chain does not verify: {five_events} event 3"):
            other.import_records(records, "export.jsonl")
        assert other.incidents() == []
    assert count_events(tmp_path / "other.db") == 0


def test_import_refuses_a_gap(five_events: str, store: Store, tmp_path: Path) -> None:
    records = [e.to_record() for e in store.events(five_events)]
    del records[1]
    with Store(tmp_path / "other.db") as other, pytest.raises(WarroomError, match="event 2: missing or out of order"):
        other.import_records(records, "export.jsonl")


def test_import_refuses_an_incident_already_there(five_events: str, store: Store) -> None:
    records = [e.to_record() for e in store.events(five_events)]
    with pytest.raises(WarroomError, match=f"incident {five_events} is already in"):
        store.import_records(records, "export.jsonl")
    assert len(store.events(five_events)) == 5


def test_import_round_trips(five_events: str, store: Store, tmp_path: Path) -> None:
    records = [e.to_record() for e in store.events(five_events)]
    with Store(tmp_path / "other.db") as other:
        assert other.import_records(records, "export.jsonl") == [five_events]
        assert [e.to_jsonl() for e in other.events(five_events)] == [e.to_jsonl() for e in store.events(five_events)]
        assert other.verify(five_events) is None
        assert other.incident(five_events).events == 5


# --- two real processes at once --------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys
    from warroom.store import Store
    path, incident, name, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    store = Store(path)
    print("ready", flush=True)
    sys.stdin.readline()  # the starting gun: both writers go at once
    for number in range(count):
        store.append(incident, "alert", {"text": f"{name} {number}"}, actor=name)
    store.close()
    print("done", flush=True)
    """
)


def test_two_processes_appending_at_once(store: Store, declare, db_path: Path) -> None:
    incident = declare()
    store.close()
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db_path), incident, name, "500"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for name in ("monitor-a", "monitor-b")
    ]
    for writer in writers:
        assert writer.stdout.readline() == "ready\n"
    for writer in writers:
        writer.stdin.write("go\n")
        writer.stdin.flush()
    outcomes = [writer.communicate(timeout=120) for writer in writers]
    for writer, (out, err) in zip(writers, outcomes):
        assert "database is locked" not in err
        assert writer.returncode == 0, err
        assert out == "done\n"

    with Store(db_path) as reader:
        events = reader.events(incident)
        assert len(events) == 1001  # the declaration and 1,000 alerts
        assert [e.seq for e in events] == list(range(1, 1002))
        assert reader.verify(incident) is None
        for name in ("monitor-a", "monitor-b"):
            mine = [e.payload["text"] for e in events if e.actor == name]
            assert mine == [f"{name} {number}" for number in range(500)]  # each writer's own order kept
        assert all(b.recorded_at >= a.recorded_at for a, b in zip(events, events[1:]))
        assert reader.incident(incident).events == 1001


OPENER = textwrap.dedent(
    """
    import sys
    from warroom.store import Store
    print("ready", flush=True)
    sys.stdin.readline()
    Store(sys.argv[1]).close()
    print("ok", flush=True)
    """
)


def test_processes_creating_the_same_new_database_at_once(tmp_path: Path) -> None:
    # The race is narrow: a few rounds of five openers each, all released at the same moment.
    for attempt in range(8):
        path = tmp_path / f"new-{attempt}.db"
        openers = [
            subprocess.Popen([sys.executable, "-c", OPENER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
            for _ in range(5)
        ]
        for opener in openers:
            assert opener.stdout.readline() == "ready\n"
        for opener in openers:
            opener.stdin.write("go\n")
            opener.stdin.flush()
        for opener in openers:
            out, err = opener.communicate(timeout=60)
            assert (opener.returncode, out) == (0, "ok\n"), err
        with Store(path) as opened:
            assert opened.incidents() == []
