"""Backfilled alerts (received ones carry their own start time) followed live: the state kept as they arrive is the
fold of the log, without refolding the whole log for each (a storm of them refolded once per alert)."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import START, declaration_payload
from warroom import events as kinds
from warroom.clock import FakeClock
from warroom.incident import IncidentLog, state_of
from warroom.playbook import load_playbook
from warroom.store import Store

PLAYBOOK = load_playbook()
STEP = st.tuples(
    st.integers(min_value=0, max_value=120_000),  # ms until it is recorded
    st.sampled_from(["alert", "note", "status mitigating", "check", "alert same time"]),
    st.integers(min_value=0, max_value=600_000),  # ms it is backfilled by
)


@settings(max_examples=60, deadline=None)
@given(steps=st.lists(STEP, min_size=1, max_size=40))
def test_the_state_kept_as_backfilled_alerts_arrive_is_the_fold(steps) -> None:
    with tempfile.TemporaryDirectory() as folder:
        clock = FakeClock(START)
        with Store(Path(folder) / "warroom.db", clock=clock) as store:
            incident = store.declare(declaration_payload(PLAYBOOK, clock.now() - timedelta(minutes=30))).incident
            log = IncidentLog(store.events(incident))
            last_at = clock.now()
            for number, (wait, what, back) in enumerate(steps):
                clock.advance(wait / 1000)
                at = clock.now() - timedelta(milliseconds=back)
                if what == "alert same time":
                    what, at = "alert", last_at  # a tie: the later one is the latest alert
                if what == "alert":
                    event = store.append(incident, kinds.ALERT, {"text": f"alert {number}", "status": "firing"}, at=at)
                elif what == "note":
                    event = store.append(incident, kinds.NOTE, {"text": f"note {number}"}, at=at)
                elif what == "check":
                    event = store.append(incident, kinds.CHECK, {"list": PLAYBOOK.phases[0].id, "step": 1, "text": "x"}, at=at)
                else:
                    event = store.append(incident, kinds.STATUS, {"status": "mitigating"}, at=at)
                last_at = event.at
                log.add(event)
                assert log.state == state_of(store.events(incident))


def test_a_backfilled_alert_is_applied_not_refolded(monkeypatch, tmp_path: Path) -> None:
    clock = FakeClock(START)
    with Store(tmp_path / "warroom.db", clock=clock) as store:
        incident = store.declare(declaration_payload(PLAYBOOK, clock.now())).incident
        log = IncidentLog(store.events(incident))
        clock.advance(minutes=5)
        store_latest = store.append(incident, kinds.NOTE, {"text": "the room is on it"})
        log.add(store_latest)
        backfilled = [store.append(incident, kinds.ALERT, {"text": f"alert {n}"}, at=clock.now() - timedelta(minutes=4))
                      for n in range(3)]

        def refold(events):
            raise AssertionError("refolded the whole log for a backfilled alert")

        import warroom.incident

        monkeypatch.setattr(warroom.incident, "state_of", refold)
        log.extend(backfilled)
        monkeypatch.undo()
        assert log.state == state_of(store.events(incident))
        assert log.state.alerts == 3 and log.state.last_alert == (backfilled[-1].at, "alert 2")
        # A backfilled fact that is no count still refolds: it may change what came after it.
        status = store.append(incident, kinds.STATUS, {"status": "mitigating"}, at=clock.now() - timedelta(minutes=3))
        monkeypatch.setattr(warroom.incident, "state_of", refold)
        with pytest.raises(AssertionError, match="refolded"):
            log.add(status)
