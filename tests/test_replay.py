"""Replay: the view at cursor k is the live view of the first k events, every control works, nothing is written."""

from __future__ import annotations

import hashlib
import os
import time
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warroom import views
from warroom.clock import FakeClock
from warroom.commands import CommandError, parse
from warroom.incident import state_of
from warroom.replay import CHECKPOINT_EVERY, Replay
from warroom.store import Store
from warroom.tui.app import make_app
from warroom.tui.screens.replay import ReplayScreen

from conftest import START, declaration_payload

LINES = [
    "a note", "status mitigating", "status investigating", "sev P0", "sev P2", "sev P1", "check 1", "check 6",
    "uncheck 1", "phase next", "notify", "ack", "eta 30m", "impact EU", "role scribe Sam", "resolve", "reopen",
]


@pytest.fixture(autouse=True)
def _utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


def scripted(store: Store, clock: FakeClock, playbook, steps: list[tuple[int, str, int]]) -> str:
    incident = store.declare(declaration_payload(playbook, clock.now())).incident
    for seconds, line, backfill in steps:
        clock.advance(seconds)
        state = state_of(store.events(incident))
        try:
            action = parse(line, state, clock.now())
        except CommandError:
            continue
        at = clock.now() - timedelta(seconds=backfill) if backfill else None
        store.append(incident, action.kind, action.payload, at=at)
    return incident


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(st.integers(0, 900), st.sampled_from(LINES), st.sampled_from([0, 0, 0, 120])), min_size=1, max_size=25
    )
)
def test_replay_at_cursor_k_is_the_live_view_of_the_first_k_events(tmp_path_factory, playbook, steps) -> None:
    clock = FakeClock(START)
    with Store(tmp_path_factory.mktemp("r") / "w.db", clock=clock) as store:
        incident = scripted(store, clock, playbook, steps)
        events = store.events(incident)
    replay = Replay(events)
    for k in range(1, len(events) + 1):
        live = state_of(events[:k])
        now = events[k - 1].recorded_at
        assert replay.state_after(k) == live
        assert views.ladder(replay.state_after(k), now) == views.ladder(live, now)
        assert views.response(replay.state_after(k), now) == views.response(live, now)
    # jumping backwards and forwards lands on the same states
    for k in reversed(range(1, len(events) + 1)):
        assert replay.state_after(k) == state_of(events[:k])


def test_checkpoints_make_far_jumps_exact(store: Store, clock: FakeClock, playbook) -> None:
    incident = store.declare(declaration_payload(playbook, clock.now())).incident
    for n in range(CHECKPOINT_EVERY * 2 + 7):
        clock.advance(1)
        store.append(incident, "alert", {"text": f"alert {n}"})
    events = store.events(incident)
    replay = Replay(events)
    for k in (len(events), 3, CHECKPOINT_EVERY + 1, CHECKPOINT_EVERY * 2, 1):
        assert replay.state_after(k) == state_of(events[:k])
    assert replay.state_after(len(events)).alerts == CHECKPOINT_EVERY * 2 + 7


@pytest.fixture
def recorded(tmp_path, playbook):
    """A resolved incident of nine events, its database closed (so its bytes can be compared)."""
    clock = FakeClock(START)
    path = tmp_path / "replay.db"
    with Store(path, clock=clock) as store:
        incident = scripted(
            store, clock, playbook,
            [(60, "note first look", 0), (300, "notify", 0), (120, "ack", 0), (600, "status mitigating", 0),
             (30, "check 1", 0), (900, "phase next", 0), (1200, "resolve", 0)],
        )
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path, incident, clock


async def test_replay_controls_and_the_database_is_untouched(recorded) -> None:
    path, incident, clock = recorded
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    store = Store(path, clock=clock, readonly=True)
    app = make_app(store, clock=clock, incident_id=incident, replay=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        events = screen.replay.events
        assert screen.count == 1 and screen.state.notes == 0
        assert "REPLAY" in str(screen.query_one("#scrubber").render())
        await pilot.press("right", "right")
        assert screen.count == 3 and screen.now == events[2].recorded_at
        assert screen.state.notified and not screen.state.acknowledged
        await pilot.press("left")
        assert screen.count == 2 and screen.state.notes == 1 and not screen.state.notified
        await pilot.press("end")
        assert screen.count == len(events) and screen.state.resolved
        await pilot.press("home")
        assert screen.count == 1
        await pilot.press("plus", "plus")
        assert screen.speed_index == 2
        await pilot.press("minus")
        assert screen.speed_index == 1
        screen.go_to_time(events[4].recorded_at + timedelta(seconds=5))
        assert screen.count == 5 and screen.state.status == "mitigating"
        assert screen.now == events[4].recorded_at + timedelta(seconds=5)
        await pilot.press("g")
        await pilot.pause()
        await pilot.press(*"+10m", "enter")
        await pilot.pause()
        assert screen.now == events[0].recorded_at + timedelta(minutes=10)
        assert screen.state.notified  # the page went out 6 minutes in
        await pilot.press("space")
        assert screen.playing
        await pilot.press("space")
        assert not screen.playing
    store.close()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert not os.path.exists(str(path) + "-journal")
