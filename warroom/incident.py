"""The incident's state: a pure fold over its events, in the order things happened (`at`, then seq)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Callable, Iterable, Mapping

from warroom import events as kinds
from warroom.clock import parse_iso
from warroom.events import Event
from warroom.playbook import Playbook, playbook_from_data

StepRef = tuple[str, int]  # (phase or runbook id, 1-based step number within it)


@dataclass(frozen=True)
class IncidentState:
    """Everything the log says about one incident as of its last folded event.

    Mappings are never changed in place: each event that touches one makes a new one, so a state
    that a view or a replay snapshot holds stays as it was.
    """

    id: str = ""
    playbook: Playbook | None = None
    title: str = ""
    severity: str = ""
    impact: str = ""
    status: str = "investigating"
    eta: datetime | None = None
    phase: str = ""
    runbooks: tuple[str, ...] = ()
    roles: Mapping[str, str] = field(default_factory=dict)
    checked: Mapping[StepRef, datetime] = field(default_factory=dict)
    notified: Mapping[str, datetime] = field(default_factory=dict)
    acknowledged: Mapping[str, datetime] = field(default_factory=dict)
    phase_history: tuple[tuple[str, datetime], ...] = ()
    severity_history: tuple[tuple[str, datetime], ...] = ()
    copies: Mapping[str, tuple[str, datetime]] = field(default_factory=dict)
    started_at: datetime | None = None
    detected_at: datetime | None = None
    declared_at: datetime | None = None
    acknowledged_at: datetime | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    last_update_at: datetime | None = None
    notes: int = 0
    alerts: int = 0
    events: int = 0
    last_seq: int = 0
    last_at: datetime | None = None

    @property
    def declared(self) -> bool:
        return self.playbook is not None

    @property
    def resolved(self) -> bool:
        return self.status == "resolved"

    @property
    def commander(self) -> str:
        return self.roles.get("commander", "")


def _with(mapping: Mapping, key: Any, value: Any) -> dict:
    updated = dict(mapping)
    updated[key] = value
    return updated


def _without(mapping: Mapping, key: Any) -> dict:
    return {k: v for k, v in mapping.items() if k != key}


def _declared(state: IncidentState, event: Event) -> IncidentState:
    payload = event.payload
    playbook = playbook_from_data(payload["playbook"], f"the playbook in {event.incident}'s log")
    started = parse_iso(payload["started_at"]) if payload.get("started_at") else event.at
    detected = parse_iso(payload["detected_at"]) if payload.get("detected_at") else started
    return replace(
        state,
        id=event.incident,
        playbook=playbook,
        title=payload.get("title", ""),
        severity=payload["severity"],
        impact=payload.get("impact", ""),
        phase=playbook.phases[0].id,
        runbooks=tuple(payload.get("runbooks", ())),
        roles={"commander": payload.get("commander") or event.actor},
        phase_history=((playbook.phases[0].id, started),),
        severity_history=((payload["severity"], event.at),),
        started_at=started,
        detected_at=detected,
        declared_at=event.at,
        last_update_at=event.at,
    )


def _status(state: IncidentState, status: str, at: datetime) -> IncidentState:
    if status == "resolved":
        return replace(state, status=status, resolved_at=state.resolved_at or at, mitigated_at=state.mitigated_at or at)
    mitigated = state.mitigated_at or (at if status == "mitigating" else None)
    return replace(state, status=status, resolved_at=None, mitigated_at=mitigated)


def _acknowledge(state: IncidentState, event: Event) -> IncidentState:
    rung = event.payload["rung"]
    notified = state.notified if rung in state.notified else _with(state.notified, rung, event.at)
    acknowledged = state.acknowledged if rung in state.acknowledged else _with(state.acknowledged, rung, event.at)
    first = state.acknowledged_at if state.acknowledged_at and state.acknowledged_at <= event.at else event.at
    return replace(state, notified=notified, acknowledged=acknowledged, acknowledged_at=first)


def _copied(state: IncidentState, event: Event) -> IncidentState:
    what = event.payload.get("what", "")
    if what == "contact":
        return state
    return replace(state, copies=_with(state.copies, what, (event.payload.get("text", ""), event.at)), last_update_at=event.at)


_APPLY: dict[str, Callable[[IncidentState, Event], IncidentState]] = {
    kinds.DECLARED: _declared,
    kinds.NOTE: lambda s, e: replace(s, notes=s.notes + 1),
    kinds.ALERT: lambda s, e: replace(s, alerts=s.alerts + 1),
    kinds.STATUS: lambda s, e: _status(s, e.payload["status"], e.at),
    kinds.RESOLVED: lambda s, e: _status(s, "resolved", e.at),
    kinds.REOPENED: lambda s, e: _status(s, "investigating", e.at),
    kinds.SEVERITY: lambda s, e: replace(
        s, severity=e.payload["severity"], severity_history=s.severity_history + ((e.payload["severity"], e.at),)
    ),
    kinds.IMPACT: lambda s, e: replace(s, impact=e.payload.get("impact", "")),
    kinds.TITLE: lambda s, e: replace(s, title=e.payload.get("title", "")),
    kinds.ETA: lambda s, e: replace(s, eta=parse_iso(e.payload["eta"]) if e.payload.get("eta") else None),
    kinds.CHECK: lambda s, e: replace(s, checked=_with(s.checked, (e.payload["list"], e.payload["step"]), e.at)),
    kinds.UNCHECK: lambda s, e: replace(s, checked=_without(s.checked, (e.payload["list"], e.payload["step"]))),
    kinds.PHASE: lambda s, e: replace(
        s, phase=e.payload["phase"], phase_history=s.phase_history + ((e.payload["phase"], e.at),)
    ),
    kinds.RUNBOOK: lambda s, e: s
    if e.payload["runbook"] in s.runbooks
    else replace(s, runbooks=s.runbooks + (e.payload["runbook"],)),
    kinds.NOTIFY: lambda s, e: s
    if e.payload["rung"] in s.notified
    else replace(s, notified=_with(s.notified, e.payload["rung"], e.at)),
    kinds.ACK: _acknowledge,
    kinds.ROLE: lambda s, e: replace(s, roles=_with(s.roles, e.payload["role"], e.payload["name"])),
    kinds.COPIED: _copied,
}


def apply(state: IncidentState, event: Event) -> IncidentState:
    """The state after one more event. Kinds this version does not know are counted and skipped."""
    step = _APPLY.get(event.kind)
    if step is not None and (state.declared or event.kind == kinds.DECLARED):
        state = step(state, event)
    return replace(state, events=state.events + 1, last_seq=max(state.last_seq, event.seq), last_at=_latest(state.last_at, event.at))


def _latest(a: datetime | None, b: datetime) -> datetime:
    return b if a is None or b > a else a


def happened_order(events: Iterable[Event]) -> list[Event]:
    """Events in the order things happened: by `at`, ties in sequence order."""
    return sorted(events, key=lambda e: (e.at, e.seq))


def fold(events: Iterable[Event], state: IncidentState | None = None) -> IncidentState:
    """Fold events, already in happened order, onto a state."""
    state = state or IncidentState()
    for event in events:
        state = apply(state, event)
    return state


def fold_order(events: Iterable[Event]) -> list[Event]:
    """Happened order, except that the declaration comes first: a fact backfilled to before the
    incident was declared (paged at 14:03, declared at 14:10 with --started-at 14:00) still counts."""
    return sorted(events, key=lambda e: (e.kind != kinds.DECLARED, e.at, e.seq))


def state_of(events: Iterable[Event]) -> IncidentState:
    """The state given by a set of events, whatever order they were recorded in."""
    return fold(fold_order(events))


def state_as_of(events: Iterable[Event], when: datetime) -> IncidentState:
    """The state as of a moment: the fold of the events that had happened by then (`at` <= when)."""
    return fold(fold_order(e for e in events if e.at <= when))


class IncidentLog:
    """An incident's events as recorded, and its state, kept current as events arrive.

    An event that happened after everything folded so far is applied on top; a backfilled one
    (an earlier `at`) refolds, so the state is always the fold of the log in happened order.
    """

    def __init__(self, events: Iterable[Event] = ()) -> None:
        self.events: list[Event] = list(events)
        self.state = state_of(self.events)

    def add(self, event: Event) -> IncidentState:
        self.events.append(event)
        if self.state.last_at is None or event.at >= self.state.last_at:
            self.state = apply(self.state, event)
        else:
            self.state = state_of(self.events)
        return self.state

    def extend(self, events: Iterable[Event]) -> IncidentState:
        for event in events:
            self.add(event)
        return self.state
