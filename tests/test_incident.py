"""The incident state is a pure fold over its events, and every view is a pure function of (state, now)."""

from __future__ import annotations

import json
import tempfile
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import START, current_state, declaration_payload
from warroom import comms, views
from warroom import events as kinds
from warroom.cli import Context, cli, state_summary
from warroom.clock import FakeClock, iso
from warroom.commands import CommandError, parse
from warroom.events import Event
from warroom.incident import IncidentLog, IncidentState, apply, fold, happened_order, held, state_as_of, state_of
from warroom.playbook import load_playbook
from warroom.store import Store

PLAYBOOK = load_playbook()
MIN = timedelta(minutes=1)


# --- the fold, property-tested ----------------------------------------------------------------------

# Lines a room types, some of which will not fit the state they meet (those are refused, as in the console).
LINES = [
    "we see 502s on checkout", "note the CDN looks fine", "status mitigating", "status investigating", "status resolved",
    "sev P0", "sev P1", "sev P2", "impact EU customers cannot pay", "eta 30m", "eta 2h", "eta none", "check 1", "check 2",
    "check 5", "check 13", "check 1.3", "check pool", "uncheck 1", "uncheck 2", "uncheck 5", "uncheck pool",
    "phase next", "phase containment", "phase recovery", "phase 1", "notify", "notify cto", "notify 4", "ack", "ack oncall",
    "ack manager", "role scribe Sam", "role commander Kim", "runbook api", "runbook database", "title Checkout down",
    "resolve", "reopen",
]
STEPS = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=20 * 60 * 1000),  # milliseconds until the next thing happens
        st.one_of(st.sampled_from(LINES), st.just("alert")),
    ),
    min_size=1,
    max_size=30,
)


def record(steps: list[tuple[int, str]], store: Store, clock: FakeClock, severity: str) -> tuple[str, list[Event]]:
    """Run a session through the command parser into the store; returns the incident and its log."""
    incident = store.declare(declaration_payload(PLAYBOOK, clock.now(), severity, runbooks=["database"])).incident
    log = IncidentLog(store.events(incident))
    for wait, line in steps:
        clock.advance(wait / 1000)
        if line == "alert":
            log.add(store.append(incident, kinds.ALERT, {"text": "p99 latency above 2s"}, actor="monitor"))
            continue
        try:
            action = parse(line, log.state, clock.now())
        except CommandError:
            continue
        log.add(store.append(incident, action.kind, action.payload, actor="ic"))
    events = store.events(incident)
    assert log.events == [held(e) for e in events]  # each as a follower keeps it
    return incident, events


@settings(max_examples=60, deadline=None)
@given(steps=STEPS, severity=st.sampled_from(["P0", "P1", "P2"]), data=st.data())
def test_state_after_k_events_is_the_state_as_of_event_k(steps, severity, data) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "warroom.db"
        clock = FakeClock(START)
        with Store(db, clock=clock) as store:
            incident, events = record(steps, store, clock, severity)
        assert [e.seq for e in events] == list(range(1, len(events) + 1))

        prefix_state = IncidentState()
        for k, event in enumerate(events, start=1):
            prefix_state = apply(prefix_state, event)
            assert prefix_state == state_as_of(events, event.at)
            assert prefix_state == state_of(events[:k])
        assert IncidentLog(events).state == prefix_state

        # `warroom show INCIDENT --at TIME --json` says the same, for a few k.
        for k in sorted(data.draw(st.sets(st.integers(1, len(events)), max_size=3), label="k")):
            at = events[k - 1].at
            result = CliRunner().invoke(
                cli, ["show", incident, "--at", iso(at), "--json"], obj=Context(str(db), None, clock=FakeClock(clock.now()))
            )
            assert result.exit_code == 0, result.output
            shown = json.loads(result.stdout)
            assert shown == json.loads(json.dumps(state_summary(state_of(events[:k]), at)))
            assert shown["events"] == k and shown["as_of"] == iso(at)


BACKFILLED_STEPS = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=5 * 60 * 1000),
        st.one_of(
            st.sampled_from(LINES),
            # Half the time, a line whose order matters: the last word on impact, title, status, severity, phase wins.
            st.sampled_from(["impact only EU", "impact everyone", "title Checkout slow", "title Payments down", "sev P0",
                             "sev P2", "phase next", "phase detection", "status mitigating", "resolve", "reopen"]),
        ),
        st.one_of(st.just(0), st.integers(min_value=0, max_value=60 * 60 * 1000)),  # how long ago it happened
    ),
    min_size=4,
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(steps=BACKFILLED_STEPS)
def test_backfilled_events_fold_in_happened_order(steps) -> None:
    """Whatever order facts are recorded in, the state is the fold by `at`, and a live log keeps up exactly."""
    with tempfile.TemporaryDirectory() as folder:
        clock = FakeClock(START)
        with Store(Path(folder) / "warroom.db", clock=clock) as store:
            incident = store.declare(declaration_payload(PLAYBOOK, clock.now())).incident
            log = IncidentLog(store.events(incident))
            for wait, line, back in steps:
                clock.advance(wait / 1000)
                at = max(START, clock.now() - timedelta(milliseconds=back))
                try:
                    action = parse("alert text" if line == "alert" else line, log.state, clock.now())
                except CommandError:
                    continue
                log.add(store.append(incident, action.kind, action.payload, at=at))
            events = store.events(incident)
            row = store.incident(incident)
        assert log.state == state_of(events) == fold(sorted(events, key=lambda e: (e.at, e.seq)))
        assert log.state == state_of(list(reversed(events)))  # recorded order does not matter
        assert log.state.events == len(events)
        # The listing (`warroom list`) agrees with the fold.
        assert (row.status, row.severity, row.title, row.resolved_at) == (
            log.state.status, log.state.severity, log.state.title, log.state.resolved_at
        )


# --- a backfilled fact does not undo a later one ------------------------------------------------------


def test_backfilled_mitigation_after_resolution_leaves_it_resolved(store: Store, declare, clock: FakeClock) -> None:
    incident = declare()
    clock.set(START + 30 * MIN)
    store.append(incident, kinds.RESOLVED, {})
    clock.set(START + 35 * MIN)
    log = IncidentLog(store.events(incident))
    backfilled = store.append(incident, kinds.STATUS, {"status": "mitigating"}, at=START + 14 * MIN)
    state = log.add(backfilled)
    assert state == current_state(store, incident)
    assert state.status == "resolved"
    assert state.mitigated_at == START + 14 * MIN
    assert state.resolved_at == START + 30 * MIN
    assert views.elapsed(state, clock.now()) == 30 * MIN
    assert store.incident(incident).status == "resolved"
    # As of 18:20 the room had mitigated; as of 18:10 it was still investigating.
    events = store.events(incident)
    assert state_as_of(events, START + 20 * MIN).status == "mitigating"
    assert state_as_of(events, START + 10 * MIN).status == "investigating"


def test_ties_fold_in_sequence_order(store: Store, declare, clock: FakeClock) -> None:
    incident = declare()
    clock.advance(minutes=10)
    store.append(incident, kinds.STATUS, {"status": "mitigating"})
    store.append(incident, kinds.RESOLVED, {})  # same millisecond
    events = store.events(incident)
    assert events[1].at == events[2].at
    assert [e.seq for e in happened_order(reversed(events))] == [1, 2, 3]
    assert state_of(events).status == "resolved"


def test_events_before_the_declaration_and_unknown_kinds_change_nothing(store: Store, declare, clock: FakeClock) -> None:
    incident = declare()
    clock.advance(60)
    store.append(incident, "future-kind", {"whatever": 1})
    events = store.events(incident)
    state = state_of(events)
    assert state.events == 2 and state.last_seq == 2
    assert replace(state, events=1, last_seq=1, last_at=events[0].at) == state_of(events[:1])
    early = events[1]._replace(kind=kinds.STATUS, payload={"status": "resolved"})
    assert apply(IncidentState(), early).status == "investigating"  # not declared yet: only counted


def test_a_state_once_given_out_never_changes(store: Store, declare, clock: FakeClock) -> None:
    incident = declare()
    before = current_state(store, incident)
    snapshot = (dict(before.checked), dict(before.roles), dict(before.notified))
    clock.advance(60)
    for kind, payload in [(kinds.CHECK, {"list": "detection", "step": 1, "text": "x"}), (kinds.ROLE, {"role": "scribe", "name": "Sam"}),
                          (kinds.NOTIFY, {"rung": "oncall"})]:
        apply(before, store.append(incident, kind, payload))
    assert (dict(before.checked), dict(before.roles), dict(before.notified)) == snapshot


def test_a_fold_is_apply_event_by_event_and_leaves_the_state_it_starts_from(store: Store, declare, clock: FakeClock) -> None:
    incident = declare()
    for kind, payload in [(kinds.NOTE, {"text": "a"}), (kinds.CHECK, {"list": "detection", "step": 1, "text": "x"}),
                          (kinds.SEVERITY, {"severity": "P0"}), (kinds.NOTIFY, {"rung": "oncall"}),
                          (kinds.ACK, {"rung": "oncall"}), (kinds.ALERT, {"text": "b"}), (kinds.STATUS, {"status": "mitigating"}),
                          (kinds.UNCHECK, {"list": "detection", "step": 1}), (kinds.PHASE, {"phase": "containment"}),
                          (kinds.ROLE, {"role": "scribe", "name": "Sam"}), (kinds.RESOLVED, {})]:
        clock.advance(60)
        store.append(incident, kind, payload)
    events = store.events(incident)
    one_by_one = [IncidentState()]
    for event in events:
        one_by_one.append(apply(one_by_one[-1], event))
    assert fold(events) == one_by_one[-1]
    # Folding the rest onto a state part way through: the same end, and the state it started from unchanged.
    middle = one_by_one[5]
    kept = dict(middle.__dict__)
    assert fold(events[5:], middle) == one_by_one[-1]
    assert middle.__dict__ == kept and middle == one_by_one[5]


# --- severity changes re-derive every deadline ----------------------------------------------------------


def test_severity_change_rederives_deadlines(store: Store, declare, clock: FakeClock) -> None:
    incident = declare("P2", "Search is slow")
    now = START + 20 * MIN
    state = current_state(store, incident)
    assert views.response(state, now).due_at == START + timedelta(hours=4)
    assert views.next_update(state, now).due_at == START + timedelta(hours=1)
    rungs = {r.rung.id: r.state for r in views.ladder(state, now).rungs}
    assert rungs == {"oncall": "due", "manager": "due", "cto": "waiting", "ceo": "unreached"}

    clock.set(now)
    store.append(incident, kinds.SEVERITY, {"severity": "P1"})
    state = current_state(store, incident)
    assert views.response(state, now).due_at == START + timedelta(hours=1)
    assert views.response(state, now).remaining == 40 * MIN
    assert views.next_update(state, now).due_at == START + 30 * MIN
    assert views.ladder(state, now).rungs[3].state == "waiting"

    store.append(incident, kinds.SEVERITY, {"severity": "P0"})
    state = current_state(store, incident)
    response = views.response(state, now)
    assert (response.due_at, response.state, response.late_by) == (START, "overdue", 20 * MIN)
    assert views.next_update(state, now).due_at == START + 15 * MIN and views.next_update(state, now).overdue
    assert [s for s, _ in state.severity_history] == ["P2", "P1", "P0"]

    store.append(incident, kinds.SEVERITY, {"severity": "P2"})
    state = current_state(store, incident)
    assert views.ladder(state, START + 2 * 60 * MIN).rungs[3].state == "unreached"
    assert views.ladder(state, START + 2 * 60 * MIN).next is None


# --- the views ---------------------------------------------------------------------------------------


def test_elapsed_runs_then_stops_at_resolution(store: Store, declare, clock: FakeClock) -> None:
    incident = declare()
    state = current_state(store, incident)
    assert views.elapsed(state, START + 7 * MIN) == 7 * MIN
    assert views.elapsed(state, START - MIN) == timedelta(0)  # never negative
    clock.set(START + 42 * MIN)
    store.append(incident, kinds.RESOLVED, {})
    state = current_state(store, incident)
    assert views.elapsed(state, START + 3 * 60 * MIN) == 42 * MIN
    clock.set(START + 50 * MIN)
    store.append(incident, kinds.REOPENED, {})
    state = current_state(store, incident)
    assert state.resolved_at is None and views.elapsed(state, START + 60 * MIN) == 60 * MIN


def test_elapsed_counts_from_when_it_started_not_when_it_was_declared(store: Store, declare, clock: FakeClock) -> None:
    incident = declare(started_at=iso(START - 20 * MIN), detected_at=iso(START - 10 * MIN))
    state = current_state(store, incident)
    assert views.elapsed(state, START) == 20 * MIN
    said = dict(views.milestones(state))
    assert (said["started"], said["detected"], said["declared"]) == (START - 20 * MIN, START - 10 * MIN, START)


@pytest.mark.parametrize(
    "severity, ack_after, now_after, expected",
    [
        ("P1", None, 30 * MIN, ("pending", 30 * MIN)),
        ("P1", None, 75 * MIN, ("overdue", -15 * MIN)),
        ("P1", 20 * MIN, 90 * MIN, ("met", 40 * MIN)),
        ("P1", 65 * MIN, 90 * MIN, ("missed", -5 * MIN)),
        ("P0", None, timedelta(0), ("overdue", timedelta(0))),  # immediate: due the moment it starts
        ("P0", timedelta(0), MIN, ("met", timedelta(0))),
    ],
)
def test_response_target(store: Store, declare, clock: FakeClock, severity, ack_after, now_after, expected) -> None:
    incident = declare(severity)
    if ack_after is not None:
        clock.set(START + ack_after)
        store.append(incident, kinds.ACK, {"rung": "oncall"})
    state = current_state(store, incident)
    response = views.response(state, START + now_after)
    assert (response.state, response.remaining) == expected
    assert response.met_at == (None if ack_after is None else START + ack_after)
    if ack_after is not None:
        assert state.acknowledged_at == START + ack_after and dict(views.milestones(state))["acknowledged"] == START + ack_after


def test_response_judged_at_resolution_when_nobody_acknowledged(store: Store, declare, clock: FakeClock) -> None:
    incident = declare("P1")
    clock.set(START + 20 * MIN)
    store.append(incident, kinds.RESOLVED, {})
    response = views.response(current_state(store, incident), START + 5 * 60 * MIN)
    assert (response.state, response.remaining) == ("met", 40 * MIN)


def test_phase_budget_remaining_then_overdue(store: Store, declare, clock: FakeClock) -> None:
    incident = declare()
    state = current_state(store, incident)
    phase = views.current_phase(state, START + 5 * MIN)
    assert (phase.phase.id, phase.number, phase.remaining, phase.overdue) == ("detection", 1, 10 * MIN, False)
    phase = views.current_phase(state, START + 18 * MIN)
    assert (phase.remaining, phase.overdue) == (-3 * MIN, True)
    clock.set(START + 18 * MIN)
    store.append(incident, kinds.PHASE, {"phase": "recovery"})
    state = current_state(store, incident)
    phase = views.current_phase(state, START + 90 * MIN)
    assert (phase.phase.id, phase.number, phase.remaining) == ("recovery", 3, 150 * MIN)
    assert state.phase_history == (("detection", START), ("recovery", START + 18 * MIN))


def test_checklists_number_steps_across_phases_and_runbooks(store: Store, declare, clock: FakeClock) -> None:
    incident = declare(runbooks=["security"])
    clock.set(START + 2 * MIN)
    store.append(incident, kinds.CHECK, {"list": "detection", "step": 2, "text": "Manual incident reporting"})
    store.append(incident, kinds.CHECK, {"list": "security", "step": 1, "text": "Isolate affected systems immediately"})
    store.append(incident, kinds.RUNBOOK, {"runbook": "database"})
    state = current_state(store, incident)
    lists = views.checklists(state, START + 20 * MIN)
    assert [(c.id, c.kind, c.done, c.total) for c in lists] == [
        ("detection", "phase", 1, 4), ("containment", "phase", 0, 4), ("recovery", "phase", 0, 4),
        ("security", "runbook", 1, 4), ("database", "runbook", 0, 4),
    ]
    assert [s.number for c in lists for s in c.steps] == list(range(1, 21))
    assert lists[0].steps[1].done_at == START + 2 * MIN and lists[3].steps[0].number == 13
    assert lists[0].current and lists[0].past_window  # 20 minutes in, detection (0-15m) is still open
    assert not lists[1].past_window and not lists[2].past_window
    store.append(incident, kinds.UNCHECK, {"list": "detection", "step": 2, "text": "Manual incident reporting"})
    assert views.checklists(current_state(store, incident), START + 20 * MIN)[0].done == 0


def test_ladder_due_next_and_countdown(store: Store, declare, clock: FakeClock) -> None:
    incident = declare("P1")
    now = START + 20 * MIN
    view = views.ladder(current_state(store, incident), now)
    assert [r.state for r in view.rungs] == ["due", "due", "waiting", "waiting"]
    assert [r.rung.id for r in view.due] == ["oncall", "manager"]
    assert [r.current for r in view.rungs] == [False, True, False, False]
    assert view.next.rung.id == "cto" and view.next_in == 10 * MIN
    assert [r.due_at for r in view.rungs] == [START, START + 15 * MIN, START + 30 * MIN, START + 60 * MIN]

    clock.set(now)
    store.append(incident, kinds.NOTIFY, {"rung": "oncall"})
    store.append(incident, kinds.NOTIFY, {"rung": "manager"})
    store.append(incident, kinds.ACK, {"rung": "manager"})
    view = views.ladder(current_state(store, incident), START + 45 * MIN)
    assert [r.state for r in view.rungs] == ["notified", "acknowledged", "due", "waiting"]
    assert view.rungs[1].notified_at == view.rungs[1].acknowledged_at == now
    assert view.next.rung.id == "ceo" and view.next_in == 15 * MIN

    clock.set(START + 50 * MIN)
    store.append(incident, kinds.RESOLVED, {})
    view = views.ladder(current_state(store, incident), START + 3 * 60 * MIN)
    assert view.due == () and view.next is None and view.next_in is None  # no alarms once resolved


def test_next_update_follows_the_cadence_and_the_last_message(store: Store, declare, clock: FakeClock) -> None:
    incident = declare("P1")
    update = views.next_update(current_state(store, incident), START + 10 * MIN)
    assert (update.due_at, update.remaining, update.overdue) == (START + 30 * MIN, 20 * MIN, False)
    assert views.next_update(current_state(store, incident), START + 31 * MIN).overdue
    clock.set(START + 25 * MIN)
    store.append(incident, kinds.COPIED, {"what": "customer", "name": "Customer Communication", "text": "...", "via": "osc52"})
    assert views.next_update(current_state(store, incident), clock.now()).due_at == START + 55 * MIN
    store.append(incident, kinds.COPIED, {"what": "contact", "name": "Primary", "text": "+1-555-0101", "via": "osc52"})
    assert views.next_update(current_state(store, incident), clock.now()).due_at == START + 55 * MIN  # a number is no update
    store.append(incident, kinds.RESOLVED, {})
    assert views.next_update(current_state(store, incident), clock.now()) is None


def test_milestones(store: Store, declare, clock: FakeClock) -> None:
    incident = declare()
    for minutes, kind, payload in [(4, kinds.ACK, {"rung": "oncall"}), (9, kinds.ACK, {"rung": "manager"}),
                                   (22, kinds.STATUS, {"status": "mitigating"}), (40, kinds.STATUS, {"status": "investigating"}),
                                   (51, kinds.RESOLVED, {})]:
        clock.set(START + minutes * MIN)
        store.append(incident, kind, payload)
    assert views.milestones(current_state(store, incident)) == [
        ("started", START), ("impact_started", None), ("detected", START), ("declared", START),
        ("acknowledged", START + 4 * MIN), ("first_external", None), ("mitigated", START + 22 * MIN),
        ("impact_ended", None), ("resolved", START + 51 * MIN),
    ]


def test_resolving_without_mitigating_marks_both(store: Store, declare, clock: FakeClock) -> None:
    incident = declare()
    clock.set(START + 12 * MIN)
    store.append(incident, kinds.STATUS, {"status": "resolved"})
    state = current_state(store, incident)
    assert state.resolved and state.mitigated_at == state.resolved_at == START + 12 * MIN


def test_roles_eta_impact_title_counts(store: Store, declare, clock: FakeClock) -> None:
    incident = declare(commander="Kim")
    clock.set(START + 5 * MIN)
    store.append(incident, kinds.ROLE, {"role": "scribe", "name": "Sam"})
    store.append(incident, kinds.ETA, {"eta": iso(START + 45 * MIN)})
    store.append(incident, kinds.IMPACT, {"impact": "EU checkout"})
    store.append(incident, kinds.TITLE, {"title": "Payments failing"})
    store.append(incident, kinds.ALERT, {"text": "5xx > 5%"})
    store.append(incident, kinds.NOTE, {"text": "rolled back"})
    state = current_state(store, incident)
    assert dict(state.roles) == {"commander": "Kim", "scribe": "Sam"} and state.commander == "Kim"
    assert state.eta == START + 45 * MIN and views.eta_remaining(state, START + 15 * MIN) == 30 * MIN
    assert (state.impact, state.title, state.alerts, state.notes, state.events) == ("EU checkout", "Payments failing", 1, 1, 7)
    store.append(incident, kinds.ETA, {"eta": None})
    assert current_state(store, incident).eta is None


def test_an_incident_keeps_the_playbook_it_was_declared_with(store: Store, declare, five_level_path: Path) -> None:
    other = load_playbook(five_level_path)
    incident = declare("SEV-3", using=other)
    state = current_state(store, incident)
    assert state.playbook == other and state.phase == "triage"
    assert views.response(state, START).due_at == START + timedelta(hours=1)


# --- templates filled from the live state --------------------------------------------------------------


def test_templates_fill_from_the_state(store: Store, declare, clock: FakeClock) -> None:
    incident = declare("P1", "Checkout is down", impact="EU customers cannot pay")
    state = current_state(store, incident)
    internal = comms.fill(state.playbook.template("internal"), state, START + 5 * MIN)
    assert internal.text.splitlines()[:3] == ["INCIDENT: P1 - Checkout is down", "IMPACT: EU customers cannot pay", "STATUS: Investigating"]
    assert internal.text.splitlines()[3] == "ETA: [eta]"
    start, end, name = internal.unfilled[0]
    assert (internal.text[start:end], name) == ("[eta]", "eta")
    customer = comms.fill(state.playbook.template("customer"), state, START + 5 * MIN)
    assert "https://status.example.com, next update by 18:30 UTC" in customer.text
    assert "We are investigating the cause" in customer.text and customer.unfilled == ()
