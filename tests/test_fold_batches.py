"""A follower takes what each poll read in one batch (a storm's poll: ~500 alerts): folded in one pass, to the very
state the whole log folds to, whatever backfilled facts are in the batch."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import START, declaration_payload
from warroom import events as kinds
from warroom.clock import FakeClock
from warroom.incident import IncidentLog, held, state_of
from warroom.playbook import load_playbook
from warroom.store import Store

PLAYBOOK = load_playbook()
STEP = st.tuples(
    st.integers(min_value=0, max_value=120_000),  # ms until it is recorded
    st.sampled_from(["alert", "note", "status mitigating", "check", "resolve", "ack"]),
    st.integers(min_value=0, max_value=600_000),  # ms it is backfilled by (0 for about half)
    st.booleans(),  # the poll ends after this one
)


def append(store: Store, incident: str, what: str, number: int, at) -> None:
    if what == "alert":
        store.append(incident, kinds.ALERT, {"text": f"alert {number}", "status": "firing", "labels": {"n": str(number)}},
                     at=at)
    elif what == "note":
        store.append(incident, kinds.NOTE, {"text": f"note {number}"}, at=at)
    elif what == "check":
        store.append(incident, kinds.CHECK, {"list": PLAYBOOK.phases[0].id, "step": 1 + number % 4}, at=at)
    elif what == "resolve":
        store.append(incident, kinds.RESOLVED, {}, at=at)
    elif what == "ack":
        store.append(incident, kinds.ACK, {"rung": PLAYBOOK.ladder[number % len(PLAYBOOK.ladder)].id}, at=at)
    else:
        store.append(incident, kinds.STATUS, {"status": "mitigating"}, at=at)


@settings(max_examples=80, deadline=None)
@given(steps=st.lists(STEP, min_size=1, max_size=40), declared_in_a_batch=st.booleans())
def test_each_poll_taken_at_once_leaves_the_fold_of_the_log(steps, declared_in_a_batch) -> None:
    with tempfile.TemporaryDirectory() as folder:
        clock = FakeClock(START)
        with Store(Path(folder) / "warroom.db", clock=clock) as store:
            incident = store.declare(declaration_payload(PLAYBOOK, clock.now() - timedelta(minutes=30))).incident
            log = IncidentLog(() if declared_in_a_batch else store.events(incident))
            seen = 0 if declared_in_a_batch else 1
            for number, (wait, what, back, poll) in enumerate(steps):
                clock.advance(wait / 1000)
                append(store, incident, what, number, clock.now() - timedelta(milliseconds=back if back % 2 else 0))
                if poll or number == len(steps) - 1:
                    everything = store.events(incident)
                    taken = log.take(everything[seen:])
                    seen = len(everything)
                    assert taken == [held(e) for e in everything[len(everything) - len(taken):]]
                    assert log.state == state_of(everything)
                    assert log.events == [held(e) for e in everything]


def test_a_poll_of_alerts_is_folded_in_one_pass(monkeypatch, tmp_path: Path) -> None:
    clock = FakeClock(START)
    with Store(tmp_path / "warroom.db", clock=clock) as store:
        incident = store.declare(declaration_payload(PLAYBOOK, clock.now())).incident
        log = IncidentLog(store.events(incident))
        clock.advance(minutes=5)
        alerts = store.append_many(incident, [(kinds.ALERT, {"text": f"alert {n}"}, clock.now() - timedelta(seconds=n % 7))
                                              for n in range(50)])
        import warroom.incident

        def one_by_one(state, event):
            raise AssertionError("a state made per alert")

        monkeypatch.setattr(warroom.incident, "apply", one_by_one)
        log.take(alerts)
        monkeypatch.undo()
        assert log.state == state_of(store.events(incident)) and log.state.alerts == 50
