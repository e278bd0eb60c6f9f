"""A scribe declaring with --started-at in the past and backfilling with --at: `show --at` and the listing agree with the fold."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import START, declaration_payload
from warroom import events as kinds
from warroom.cli import Context, cli
from warroom.clock import FakeClock, iso
from warroom.incident import index_disagreement, state_as_of, state_of
from warroom.playbook import load_playbook
from warroom.replay import Replay
from warroom.store import Store

MIN = timedelta(minutes=1)
DECLARED = START + 120 * MIN  # the scribe declares at 20:00 an incident that started at 18:00
PLAYBOOK = load_playbook()


def run(db: Path, clock: FakeClock, *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), obj=Context(str(db), None, clock=clock))


def ok(db: Path, clock: FakeClock, *args: str) -> str:
    result = run(db, clock, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def late(db_path: Path) -> FakeClock:
    """Declared two hours late with --started-at, then backfilled: mitigating at 18:30, resolved at 19:00."""
    clock = FakeClock(DECLARED)
    ok(db_path, clock, "declare", "-s", "P1", "-t", "Checkout is down", "--started-at", iso(START))
    for backfill in (
        ("act", "INC-1", "status", "mitigating", "--at", iso(START + 30 * MIN)),
        ("log", "INC-1", "rolled back the deploy", "--at", iso(START + 25 * MIN)),
        ("act", "INC-1", "resolve", "--at", iso(START + 60 * MIN)),
    ):
        clock.advance(minutes=1)
        ok(db_path, clock, *backfill)
    clock.advance(minutes=5)
    return clock


# --- show --at counts the declaration from the incident's start -------------------------------------------


def test_show_at_a_time_before_the_declaration_shows_what_had_happened(db_path: Path, late: FakeClock) -> None:
    shown = json.loads(ok(db_path, late, "show", "INC-1", "--at", iso(START + 40 * MIN), "--json"))
    assert (shown["status"], shown["as_of"], shown["started_at"]) == ("mitigating", iso(START + 40 * MIN), iso(START))
    assert (shown["events"], shown["notes"], shown["elapsed_seconds"]) == (3, 1, 40 * 60)
    assert json.loads(ok(db_path, late, "show", "INC-1", "--at", iso(START + 10 * MIN), "--json"))["status"] == "investigating"
    assert json.loads(ok(db_path, late, "show", "INC-1", "--at", iso(START + 70 * MIN), "--json"))["status"] == "resolved"
    assert ok(db_path, late, "show", "INC-1", "--at", iso(START)).startswith("INC-1  P1  INVESTIGATING  Checkout is down")


def test_show_at_a_time_before_the_start_still_says_nothing_had_happened(
    db_path: Path, late: FakeClock, utc_local_time
) -> None:
    result = run(db_path, late, "show", "INC-1", "--at", iso(START - MIN))
    assert result.exit_code == 2 and result.stderr == "INC-1: nothing had happened yet at 17:59\n"


def test_state_as_of_counts_the_declaration_from_started_at(db_path: Path, late: FakeClock) -> None:
    with Store(db_path, readonly=True) as store:
        events = store.events("INC-1")
    assert state_as_of(events, START - MIN).declared is False
    assert state_as_of(events, START).declared is True
    assert state_as_of(events, START + 59 * MIN).status == "mitigating"
    assert state_as_of(events, DECLARED) == state_of(events)


def test_replay_still_follows_what_the_room_saw(db_path: Path, late: FakeClock) -> None:
    """Replay goes by recorded_at: before the declaration was written, the room saw nothing."""
    with Store(db_path, readonly=True) as store:
        replay = Replay(store.events("INC-1"))
    assert replay.state_at(START + 40 * MIN).declared is False
    assert replay.state_at(DECLARED).status == "investigating"  # the backfills were written after it
    assert replay.state_at(late.now()) == state_of(replay.events)


# --- a backfilled status reaches the listing -------------------------------------------------------------


def test_a_resolution_backfilled_to_before_the_declaration_is_listed_as_resolved(db_path: Path, late: FakeClock) -> None:
    listed = json.loads(ok(db_path, late, "list", "--json"))
    assert [(row["status"], row["resolved_at"]) for row in listed] == [("resolved", iso(START + 60 * MIN))]
    assert json.loads(ok(db_path, late, "list", "--status", "open", "--json")) == []
    conn = sqlite3.connect(db_path)  # an SQL reader of the index
    assert conn.execute("SELECT status, resolved_at FROM incidents").fetchall() == [("resolved", iso(START + 60 * MIN))]
    conn.close()


def test_a_severity_backfilled_to_before_the_declaration_is_listed(db_path: Path, late: FakeClock) -> None:
    ok(db_path, late, "act", "INC-1", "sev", "P0", "--at", iso(START + 5 * MIN))
    assert [row["severity"] for row in json.loads(ok(db_path, late, "list", "--json"))] == ["P0"]


def test_verify_says_when_the_index_disagrees_with_the_log_and_fix_index_rebuilds_it(db_path: Path, late: FakeClock) -> None:
    conn = sqlite3.connect(db_path, isolation_level=None)  # what the warroom before this fix left behind
    conn.execute("UPDATE incidents SET status = 'investigating', resolved_at = NULL, status_at = declared_at")
    conn.close()
    refused = run(db_path, late, "verify")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "warroom: verify failed: INC-1: the index says status 'investigating', the log says 'resolved'; "
        "`warroom verify --fix-index` rebuilds the index from the log\n"
    )
    assert ok(db_path, late, "verify", "--fix-index") == (
        "rebuilt the index of INC-1 from the log: it said status 'investigating', the log says 'resolved'\n"
        "ok: 1 incident, 4 events, every chain verifies\n"
    )
    assert ok(db_path, late, "verify") == "ok: 1 incident, 4 events, every chain verifies\n"
    assert json.loads(ok(db_path, late, "list", "--json"))[0]["status"] == "resolved"


# --- whatever the order, the incidents row is what the fold says ------------------------------------------

LISTED_FACTS = st.one_of(
    st.sampled_from(["investigating", "mitigating", "resolved"]).map(lambda s: (kinds.STATUS, {"status": s})),
    st.just((kinds.RESOLVED, {})),
    st.just((kinds.REOPENED, {})),
    st.sampled_from(["P0", "P1", "P2"]).map(lambda s: (kinds.SEVERITY, {"severity": s})),
    st.sampled_from(["Checkout slow", "Payments down", "Checkout slow"]).map(lambda t: (kinds.TITLE, {"title": t})),
    st.just((kinds.NOTE, {"text": "a note"})),
)
# When each fact happened, in minutes from the start: before it (a scribe's stray --at), between the start and
# the declaration (60), at the very moment of another fact, or live (None: now).
WHEN = st.one_of(st.none(), st.integers(min_value=-10, max_value=90), st.sampled_from([0, 30, 60]))
BATCHES = st.lists(
    st.tuples(st.integers(min_value=0, max_value=10 * 60), st.lists(st.tuples(LISTED_FACTS, WHEN), min_size=1, max_size=3)),
    min_size=1,
    max_size=25,
)


def listed(row) -> tuple:
    return (row.status, row.severity, row.title, row.started_at, row.declared_at, row.resolved_at)


def folded(state) -> tuple:
    return (state.status, state.severity, state.title, state.started_at, state.declared_at, state.resolved_at)


@settings(max_examples=80, deadline=None)
@given(batches=BATCHES)
def test_the_incidents_row_is_always_what_the_fold_says(batches) -> None:
    with tempfile.TemporaryDirectory() as folder:
        clock = FakeClock(START + 60 * MIN)
        with Store(Path(folder) / "warroom.db", clock=clock) as store:
            incident = store.declare(declaration_payload(PLAYBOOK, START)).incident
            for wait, facts in batches:
                clock.advance(wait)
                items = [
                    (kind, payload, None if when is None else min(START + when * MIN, clock.now()))
                    for (kind, payload), when in facts
                ]
                store.append_many(incident, items)
                events = store.events(incident)
                assert listed(store.incident(incident)) == folded(state_of(events))
                assert index_disagreement(store.incident(incident), state_of(events)) is None
            assert store.rebuild_index(incident) is False  # derived again from the log: the same row
            exported = [event.to_record() for event in events]
        with Store(Path(folder) / "imported.db", clock=clock) as other:
            other.import_records(exported, "export.jsonl")
            assert listed(other.incident(incident)) == folded(state_of(events))


def test_ties_in_time_go_by_sequence_as_in_the_fold(store: Store, clock: FakeClock, playbook) -> None:
    clock.set(START + 60 * MIN)
    incident = store.declare(declaration_payload(playbook, START)).incident
    at = START + 20 * MIN
    store.append(incident, kinds.RESOLVED, {}, at=at)
    store.append(incident, kinds.STATUS, {"status": "mitigating"}, at=at)  # the same moment, written after
    store.append(incident, kinds.RESOLVED, {}, at=START + 10 * MIN)  # earlier still: resolved, then mitigating
    state = state_of(store.events(incident))
    assert state.status == "mitigating" and state.resolved_at is None
    assert listed(store.incident(incident)) == folded(state)


def test_a_resolution_backfilled_before_a_live_one_moves_resolved_at_back(store: Store, clock: FakeClock, playbook) -> None:
    clock.set(START + 60 * MIN)
    incident = store.declare(declaration_payload(playbook, START)).incident
    store.append(incident, kinds.RESOLVED, {})
    store.append(incident, kinds.RESOLVED, {}, at=START + 45 * MIN)  # it was in fact resolved at 18:45
    assert state_of(store.events(incident)).resolved_at == START + 45 * MIN
    assert store.incident(incident).resolved_at == START + 45 * MIN


def test_the_declared_status_holds_from_the_start_for_sql_readers(store: Store, clock: FakeClock, playbook) -> None:
    clock.set(START + 60 * MIN)
    incident = store.declare(declaration_payload(playbook, START)).incident
    row = sqlite3.connect(store.path).execute("SELECT status_at, severity_at FROM incidents WHERE id = ?", (incident,))
    assert row.fetchone() == (iso(START), iso(START))
