"""The incident's state: a pure fold over its events, in the order things happened (`at`, then seq)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from sys import intern
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from warroom import events as kinds
from warroom.clock import iso, parse_iso
from warroom.errors import quoted
from warroom.events import Event
from warroom.playbook import Playbook, playbook_from_data

if TYPE_CHECKING:
    from warroom.store import IncidentRow

StepRef = tuple[str, int]  # (phase or runbook id, 1-based step number within it)


@dataclass(frozen=True)
class FollowUp:
    """An action item: what, who owns it, when it is due; done when someone said so."""

    number: int  # 1, 2, ... within the incident
    text: str
    owner: str  # "" when nobody was named
    due: str  # YYYY-MM-DD, or ""
    at: datetime  # when it was recorded
    done_at: datetime | None = None


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
    last_alert: tuple[datetime, str] | None = None  # the latest alert by when it happened, and its text
    drill: bool = False  # an exercise: DRILL everywhere, left out of stats
    impact_started_at: datetime | None = None  # customers affected from (a milestone; not the incident's start)
    impact_ended_at: datetime | None = None  # customers no longer affected (not the same as mitigated)
    first_external_at: datetime | None = None  # the first message copied for customers (a template's audience)
    starred: Mapping[int, str] = field(default_factory=dict)  # seq of each event marked for the review: why
    star_events: tuple[int, ...] = ()  # the seqs of the star events themselves (a star marks a fact, not a star)
    followups: tuple[FollowUp, ...] = ()
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


# Each kind's step reads the state and the event and writes the fields it changes into `changes`;
# `apply` then makes the one new state. (dataclasses.replace per event cost ~20 us; a 100,000-event
# replay folds every event.)
Changes = dict[str, Any]


def _declared(state: IncidentState, event: Event, changes: Changes) -> None:
    payload = event.payload
    playbook = playbook_from_data(payload["playbook"], f"the playbook in {event.incident}'s log")
    started = parse_iso(payload["started_at"]) if payload.get("started_at") else event.at
    detected = parse_iso(payload["detected_at"]) if payload.get("detected_at") else started
    changes.update(
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
        drill=bool(payload.get("drill")),
    )


def _status_to(state: IncidentState, status: str, at: datetime, changes: Changes) -> None:
    changes["status"] = status
    if status == "resolved":
        changes["resolved_at"] = state.resolved_at or at
        changes["mitigated_at"] = state.mitigated_at or at
    else:
        changes["resolved_at"] = None
        changes["mitigated_at"] = state.mitigated_at or (at if status == "mitigating" else None)


def _note(state: IncidentState, event: Event, changes: Changes) -> None:
    changes["notes"] = state.notes + 1


def _alert(state: IncidentState, event: Event, changes: Changes) -> None:
    changes["alerts"] = state.alerts + 1
    if state.last_alert is None or event.at >= state.last_alert[0]:
        changes["last_alert"] = (event.at, str(event.payload.get("text", "")))


def _status(state: IncidentState, event: Event, changes: Changes) -> None:
    _status_to(state, event.payload["status"], event.at, changes)


def _resolved(state: IncidentState, event: Event, changes: Changes) -> None:
    _status_to(state, "resolved", event.at, changes)


def _reopened(state: IncidentState, event: Event, changes: Changes) -> None:
    _status_to(state, "investigating", event.at, changes)


def _severity(state: IncidentState, event: Event, changes: Changes) -> None:
    severity = event.payload["severity"]
    changes["severity"] = severity
    changes["severity_history"] = state.severity_history + ((severity, event.at),)


def _impact(state: IncidentState, event: Event, changes: Changes) -> None:
    changes["impact"] = event.payload.get("impact", "")


def _title(state: IncidentState, event: Event, changes: Changes) -> None:
    changes["title"] = event.payload.get("title", "")


def _eta(state: IncidentState, event: Event, changes: Changes) -> None:
    changes["eta"] = parse_iso(event.payload["eta"]) if event.payload.get("eta") else None


def _check(state: IncidentState, event: Event, changes: Changes) -> None:
    changes["checked"] = _with(state.checked, (event.payload["list"], event.payload["step"]), event.at)


def _uncheck(state: IncidentState, event: Event, changes: Changes) -> None:
    changes["checked"] = _without(state.checked, (event.payload["list"], event.payload["step"]))


def _phase(state: IncidentState, event: Event, changes: Changes) -> None:
    phase = event.payload["phase"]
    changes["phase"] = phase
    changes["phase_history"] = state.phase_history + ((phase, event.at),)


def _runbook(state: IncidentState, event: Event, changes: Changes) -> None:
    runbook = event.payload["runbook"]
    if runbook not in state.runbooks:
        changes["runbooks"] = state.runbooks + (runbook,)


def _notify(state: IncidentState, event: Event, changes: Changes) -> None:
    rung = event.payload["rung"]
    if rung not in state.notified:
        changes["notified"] = _with(state.notified, rung, event.at)


def _acknowledge(state: IncidentState, event: Event, changes: Changes) -> None:
    rung = event.payload["rung"]
    if rung not in state.notified:
        changes["notified"] = _with(state.notified, rung, event.at)
    if rung not in state.acknowledged:
        changes["acknowledged"] = _with(state.acknowledged, rung, event.at)
    if not (state.acknowledged_at and state.acknowledged_at <= event.at):
        changes["acknowledged_at"] = event.at


def _role(state: IncidentState, event: Event, changes: Changes) -> None:
    changes["roles"] = _with(state.roles, event.payload["role"], event.payload["name"])


def _copied(state: IncidentState, event: Event, changes: Changes) -> None:
    what = event.payload.get("what", "")
    if what != "contact":
        changes["copies"] = _with(state.copies, what, (event.payload.get("text", ""), event.at))
        changes["last_update_at"] = event.at
        template = next((t for t in state.playbook.templates if t.id == what), None) if state.playbook else None
        if template is not None and template.audience == "customers":
            if state.first_external_at is None or event.at < state.first_external_at:
                changes["first_external_at"] = event.at


def _milestone(state: IncidentState, event: Event, changes: Changes) -> None:
    changes[f"{event.payload['milestone']}_at"] = event.at  # the latest word on it: a correction replaces it


def _star(state: IncidentState, event: Event, changes: Changes) -> None:
    changes["starred"] = _with(state.starred, event.payload["seq"], event.payload.get("text", ""))
    changes["star_events"] = state.star_events + (event.seq,)


def _followup(state: IncidentState, event: Event, changes: Changes) -> None:
    p = event.payload
    item = FollowUp(p["number"], p["text"], p.get("owner", ""), p.get("due", ""), event.at)
    changes["followups"] = tuple(f for f in state.followups if f.number != item.number) + (item,)


def _followup_done(state: IncidentState, event: Event, changes: Changes) -> None:
    changes["followups"] = tuple(
        FollowUp(f.number, f.text, f.owner, f.due, f.at, f.done_at or event.at) if f.number == event.payload["number"] else f
        for f in state.followups
    )


_APPLY: dict[str, Callable[[IncidentState, Event, Changes], None]] = {
    kinds.DECLARED: _declared,
    kinds.NOTE: _note,
    kinds.ALERT: _alert,
    kinds.STATUS: _status,
    kinds.RESOLVED: _resolved,
    kinds.REOPENED: _reopened,
    kinds.SEVERITY: _severity,
    kinds.IMPACT: _impact,
    kinds.TITLE: _title,
    kinds.ETA: _eta,
    kinds.CHECK: _check,
    kinds.UNCHECK: _uncheck,
    kinds.PHASE: _phase,
    kinds.RUNBOOK: _runbook,
    kinds.NOTIFY: _notify,
    kinds.ACK: _acknowledge,
    kinds.ROLE: _role,
    kinds.COPIED: _copied,
    kinds.MILESTONE: _milestone,
    kinds.STAR: _star,
    kinds.FOLLOWUP: _followup,
    kinds.FOLLOWUP_DONE: _followup_done,
}


def apply(state: IncidentState, event: Event) -> IncidentState:
    """The state after one more event. Kinds this version does not know are counted and skipped."""
    return _evolve(state, _changes(state, event))


def _changes(state: IncidentState, event: Event) -> Changes:
    """What one more event changes in a state."""
    changes: Changes = {
        "events": state.events + 1,
        "last_seq": event.seq if event.seq > state.last_seq else state.last_seq,
        "last_at": _latest(state.last_at, event.at),
    }
    step = _APPLY.get(event.kind)
    if step is not None and (state.playbook is not None or event.kind == kinds.DECLARED):
        step(state, event, changes)
    return changes


def _evolve(state: IncidentState, changes: Changes) -> IncidentState:
    """`dataclasses.replace` without re-running `__init__`: the fields are copied, then changed."""
    fields = dict(state.__dict__)
    fields.update(changes)
    evolved = object.__new__(IncidentState)
    object.__setattr__(evolved, "__dict__", fields)
    return evolved


def _latest(a: datetime | None, b: datetime) -> datetime:
    return b if a is None or b > a else a


FOLLOW_UP_KINDS = (kinds.FOLLOWUP, kinds.FOLLOWUP_DONE)


def followups_of(events: Iterable[Event]) -> tuple[FollowUp, ...]:
    """An incident's follow-ups from its follow-up events alone, folded as the whole log folds them (so that
    `warroom followups` reads those events, not every incident's whole log)."""
    state = IncidentState()
    for event in happened_order(e for e in events if e.kind in FOLLOW_UP_KINDS):
        changes: Changes = {}
        _APPLY[event.kind](state, event, changes)
        state = _evolve(state, changes)
    return state.followups


def happened_order(events: Iterable[Event]) -> list[Event]:
    """Events in the order things happened: by `at`, ties in sequence order."""
    return sorted(events, key=lambda e: (e.at, e.seq))


def fold(events: Iterable[Event], state: IncidentState | None = None) -> IncidentState:
    """Fold events, already in happened order, onto a state (a new one: `state` is left as it is)."""
    # The same as apply() per event, on one new state changed in place: nothing else can see it before it
    # is returned, and a copy of every field per event was most of the fold (10,000 events: 11 -> 6 ms).
    folded = _evolve(state or IncidentState(), {})
    fields = folded.__dict__
    for event in events:
        fields.update(_changes(folded, event))
    return folded


def fold_order(events: Iterable[Event]) -> list[Event]:
    """Happened order, except that the declaration comes first: a fact backfilled to before the
    incident was declared (paged at 14:03, declared at 14:10 with --started-at 14:00) still counts."""
    return sorted(events, key=lambda e: (e.kind != kinds.DECLARED, e.at, e.seq))


def state_of(events: Iterable[Event]) -> IncidentState:
    """The state given by a set of events, whatever order they were recorded in."""
    return fold(fold_order(events))


def happened_at(event: Event) -> datetime:
    """When an event counts as having happened: its `at`, except that the declaration counts from the
    incident's start (declared at 14:10 with --started-at 14:00: as of 14:05 the incident was on)."""
    if event.kind == kinds.DECLARED and event.payload.get("started_at"):
        return min(event.at, parse_iso(event.payload["started_at"]))
    return event.at


def state_as_of(events: Iterable[Event], when: datetime) -> IncidentState:
    """The state as of a moment (`show --at`): the fold of the facts that had happened by then, by
    happened_at. Replay shows what the room saw, by recorded_at (warroom.replay), and does not use this."""
    return fold(fold_order(e for e in events if happened_at(e) <= when))


def index_disagreement(row: "IncidentRow", state: IncidentState) -> str | None:
    """What an incident's row in the incidents table (the listing's cache) says that the fold of its log
    does not, in one line; None when they agree."""
    if row.problem:
        return row.problem
    facts = (
        ("status", row.status, state.status), ("severity", row.severity, state.severity), ("title", row.title, state.title),
        ("started_at", row.started_at, state.started_at), ("declared_at", row.declared_at, state.declared_at),
        ("resolved_at", row.resolved_at, state.resolved_at),
    )
    for name, listed, folded in facts:
        if listed != folded:
            return f"{row.id}: the index says {name} {_said(listed)}, the log says {_said(folded)}"
    return None


def _said(value: object) -> str:
    return "none" if value is None else iso(value) if isinstance(value, datetime) else quoted(value)


# Kinds whose step only counts (and keeps the latest alert by `at`, a tie to the later seq, which a new event
# has): applied out of order they give the fold's state, so a backfilled one need not refold the whole log.
# Alerts from monitoring are nearly all backfilled (their own start time): a storm refolded once per alert.
_IN_ANY_ORDER = frozenset({kinds.ALERT, kinds.NOTE})


def held(event: Event) -> Event:
    """What a follower (the console, the wall) keeps of an event: all the fold and the panes read of it.

    An alert keeps its text alone (its labels, annotations and fingerprint stay in the log: the fold counts alerts
    and keeps the latest one's text, the timeline shows the text), and no event keeps its hashes (`verify` reads
    the file); the names every event repeats are shared. 60,000 received alerts: 2.3 KB each -> ~0.5 KB."""
    payload = event.payload
    if not event.hash and not event.prev_hash and (event.kind != kinds.ALERT or len(payload) <= 1):
        return event  # held already (the console's log and its timeline share one)
    if event.kind == kinds.ALERT and len(payload) > 1:
        payload = {"text": payload["text"]} if "text" in payload else {}
    return tuple.__new__(Event, (  # as Event.from_row builds one: the NamedTuple's __new__ is a Python function
        intern(event.incident), event.seq, intern(event.kind), intern(event.actor), payload, event.at, event.recorded_at,
        "", "", event.id,
    ))


def held_if_heavy(events: Iterable[Event]) -> list[Event]:
    """Each alert that carries more than its text (a received one: labels, annotations) as `held` keeps it, the
    other events as they are: what a reader opening a log of received alerts keeps of each chunk it reads."""
    alert = kinds.ALERT
    return [held(event) if event.kind == alert and len(event.payload) > 1 else event for event in events]


class IncidentLog:
    """An incident's events as recorded (each as `held` keeps it), and its state, kept current as events arrive.

    An event that happened after everything folded so far is applied on top; a backfilled one
    (an earlier `at`) refolds, so the state is always the fold of the log in happened order.
    """

    def __init__(self, events: Iterable[Event] = (), *, hold: bool = True) -> None:
        """`hold=False`: the events are kept as given until `hold_all` (the console's first frame does not wait for
        10,000 of them; it reads its log with the received alerts already held: WarroomApp.read_log)."""
        self.events: list[Event] = [held(event) for event in events] if hold else list(events)
        self.state = state_of(self.events)

    def hold_all(self) -> list[Event]:
        """Every event as `held` keeps it (for a log made with hold=False); the list, for a pane to share."""
        self.events = [held(event) for event in self.events]
        return self.events

    def add(self, event: Event) -> IncidentState:
        self._add(held(event))
        return self.state

    def _add(self, event: Event) -> None:
        self.events.append(event)
        if self.state.last_at is None or event.at >= self.state.last_at or (
            event.kind in _IN_ANY_ORDER and self.state.declared
        ):
            self.state = apply(self.state, event)
        else:
            self.state = state_of(self.events)

    def extend(self, events: Iterable[Event]) -> IncidentState:
        self.take(events)
        return self.state

    def take(self, events: Iterable[Event]) -> list[Event]:
        """Add events (as extend does), folded in one pass; the events as held, for a pane that shows them too."""
        taken = [held(event) for event in events]
        if not taken:
            return taken
        on_top, latest, declared = True, self.state.last_at, self.state.declared
        for event in taken:
            if not (latest is None or event.at >= latest or (event.kind in _IN_ANY_ORDER and declared)):
                on_top = False  # a backfilled fact: the whole log is refolded once, below
                break
            latest = event.at if latest is None or event.at > latest else latest
            declared = declared or event.kind == kinds.DECLARED
        self.events.extend(taken)
        # A storm's poll brings ~500 alerts: one new state for them all, not one per alert.
        self.state = fold(taken, self.state) if on_top else state_of(self.events)
        return taken
