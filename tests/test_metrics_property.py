"""The review's metrics against a reference computation: random incidents, the figures worked out again
the plain way from the list of events (no fold), and the two must agree."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from warroom import events as kinds
from warroom.events import Event
from warroom.incident import state_of
from warroom.playbook import load_playbook
from warroom.report import metrics

from conftest import START, declaration_payload

PLAYBOOK = load_playbook()
SEVERITIES = [s.id for s in PLAYBOOK.severities]

# One step of a room's work: (minutes after the start, kind, payload).
STEPS = st.one_of(
    st.tuples(st.just(kinds.ACK), st.sampled_from([r.id for r in PLAYBOOK.ladder])).map(lambda t: (t[0], {"rung": t[1]})),
    st.sampled_from(["investigating", "mitigating", "resolved"]).map(lambda s: (kinds.STATUS, {"status": s})),
    st.sampled_from(SEVERITIES).map(lambda s: (kinds.SEVERITY, {"severity": s})),
    st.sampled_from(["impact_started", "impact_ended"]).map(lambda m: (kinds.MILESTONE, {"milestone": m})),
    st.just((kinds.COPIED, {"what": "customer", "name": "Customer", "text": "x", "via": "clipboard"})),
    st.just((kinds.COPIED, {"what": "internal", "name": "Internal", "text": "x", "via": "clipboard"})),
    st.just((kinds.RESOLVED, {})),
    st.just((kinds.REOPENED, {})),
)
STORY = st.lists(st.tuples(st.integers(min_value=0, max_value=600), STEPS), max_size=25)


def incident(severity: str, story: list) -> list[Event]:
    declared = declaration_payload(PLAYBOOK, START, severity)
    log = [Event("INC-1", 1, kinds.DECLARED, "ic", declared, START, START, "", "")]
    for seq, (minutes, (kind, payload)) in enumerate(sorted(story, key=lambda s: s[0]), start=2):
        at = START + timedelta(minutes=minutes)
        log.append(Event("INC-1", seq, kind, "ic", payload, at, at, "", ""))
    return log


def reference(log: list[Event], now: datetime) -> dict:
    """The figures the plain way: walk the events in time order and note the moments."""
    status = "investigating"
    first_ack = first_mitigated = resolved_at = impact_from = impact_to = first_external = None
    for event in log[1:]:
        if event.kind == kinds.ACK and first_ack is None:
            first_ack = event.at
        became = {kinds.STATUS: event.payload.get("status"), kinds.RESOLVED: "resolved", kinds.REOPENED: "investigating"}.get(event.kind)
        if became is not None:
            if became in ("mitigating", "resolved") and first_mitigated is None:
                first_mitigated = event.at
            if became == "resolved" and status != "resolved":
                resolved_at = event.at
            elif became != "resolved":
                resolved_at = None
            status = became
        if event.kind == kinds.MILESTONE:
            if event.payload["milestone"] == "impact_started":
                impact_from = event.at
            else:
                impact_to = event.at
        if event.kind == kinds.COPIED and event.payload["what"] == "customer" and first_external is None:
            first_external = event.at
    return {
        "to_acknowledge": None if first_ack is None else first_ack - START,
        "to_mitigate": None if first_mitigated is None else first_mitigated - START,
        "to_resolve": None if resolved_at is None else resolved_at - START,
        "impact": impact_to - impact_from if impact_from and impact_to and impact_to >= impact_from else None,
        "to_first_update": None if first_external is None else first_external - START,
    }


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SEVERITIES), STORY)
def test_the_metrics_agree_with_a_plain_reckoning(severity: str, story: list) -> None:
    log = incident(severity, story)
    now = START + timedelta(hours=12)
    result = metrics(state_of(log), now)
    expected = reference(log, now)
    got = {name: getattr(result, name) for name in expected}
    assert got == expected


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(SEVERITIES), STORY)
def test_the_time_at_each_severity_adds_up_to_the_incidents_length(severity: str, story: list) -> None:
    log = incident(severity, story)
    now = START + timedelta(hours=12)
    state = state_of(log)
    result = metrics(state, now)
    end = state.resolved_at if state.resolved and state.resolved_at else now
    assert sum((spent for _, spent in result.at_severity), timedelta(0)) == end - START
    assert [severity for severity, _ in result.at_severity][0] == log[0].payload["severity"]
