"""What every pane shows: pure functions of (incident state, now); the playbook is the incident's own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from warroom.incident import IncidentState
from warroom.playbook import Phase, Playbook, Rung, Severity, Window


def elapsed(state: IncidentState, now: datetime) -> timedelta:
    """How long the incident has run; the clock stops when it is resolved."""
    if state.started_at is None:
        return timedelta(0)
    end = state.resolved_at if state.resolved_at else now
    return max(timedelta(0), end - state.started_at)


def severity_of(state: IncidentState) -> Severity:
    return _playbook(state).severity(state.severity)


def _playbook(state: IncidentState) -> Playbook:
    if state.playbook is None:
        raise ValueError("the incident has not been declared")
    return state.playbook


@dataclass(frozen=True)
class ResponseView:
    """The severity's response target: met when someone acknowledges."""

    label: str  # "Immediate", "1h"
    due_at: datetime
    met_at: datetime | None
    state: str  # "pending", "met", "missed" (acknowledged late), "overdue" (not yet acknowledged)
    remaining: timedelta  # until due (pending); negative once overdue; for met/missed: due_at - met_at
    severity: Severity | None = None  # the severity it is judged against (in force when someone responded)

    @property
    def late_by(self) -> timedelta:
        return max(timedelta(0), -self.remaining)


def severity_at(state: IncidentState, when: datetime) -> Severity:
    """The severity in force at a moment (the declared one for a moment before any change)."""
    current = state.severity_history[0][0] if state.severity_history else state.severity
    for severity_id, at in state.severity_history:
        if at <= when:
            current = severity_id
    return _playbook(state).severity(current)


def response(state: IncidentState, now: datetime) -> ResponseView:
    """Judged against the severity in force when someone responded: raising the severity after an
    acknowledgement does not turn a response that was in time into a miss."""
    assert state.started_at is not None
    met_at = state.acknowledged_at
    if met_at is not None:
        severity = severity_at(state, met_at)
        due_at = state.started_at + severity.response_target
        return ResponseView(
            severity.response_label, due_at, met_at, "met" if met_at <= due_at else "missed", due_at - met_at, severity
        )
    if state.resolved_at is not None:  # resolved without anyone acknowledging: judged at resolution
        judged = state.resolved_at
        severity = severity_at(state, judged)
        due_at = state.started_at + severity.response_target
        return ResponseView(
            severity.response_label, due_at, None, "met" if judged <= due_at else "missed", due_at - judged, severity
        )
    severity = severity_of(state)
    due_at = state.started_at + severity.response_target
    remaining = due_at - now
    return ResponseView(
        severity.response_label, due_at, None, "pending" if remaining > timedelta(0) else "overdue", remaining, severity
    )


@dataclass(frozen=True)
class PhaseView:
    phase: Phase
    number: int  # 1-based position in the playbook
    remaining: timedelta | None  # until the window ends; negative once past it; None for an open window

    @property
    def overdue(self) -> bool:
        return self.remaining is not None and self.remaining < timedelta(0)


def current_phase(state: IncidentState, now: datetime) -> PhaseView:
    playbook = _playbook(state)
    number, phase = next(
        ((i, p) for i, p in enumerate(playbook.phases, start=1) if p.id == state.phase), (1, playbook.phases[0])
    )
    end = phase.window.end
    return PhaseView(phase, number, None if end is None else end - elapsed(state, now))


@dataclass(frozen=True)
class StepView:
    number: int  # the number `check N` takes: counted across every list on screen
    list_id: str
    index: int  # 1-based within its list
    text: str
    done_at: datetime | None

    @property
    def done(self) -> bool:
        return self.done_at is not None


@dataclass(frozen=True)
class ChecklistView:
    """One phase's or attached runbook's steps."""

    id: str
    name: str
    kind: str  # "phase" or "runbook"
    window: Window | None
    steps: tuple[StepView, ...]
    current: bool = False
    past_window: bool = False  # the window has ended and this phase was still open or unfinished

    @property
    def done(self) -> int:
        return sum(1 for step in self.steps if step.done)

    @property
    def total(self) -> int:
        return len(self.steps)


def checklists(state: IncidentState, now: datetime) -> list[ChecklistView]:
    """Every phase, then every attached runbook, with steps numbered as `check N` counts them."""
    playbook = _playbook(state)
    ran = elapsed(state, now)
    current_index = next((i for i, p in enumerate(playbook.phases) if p.id == state.phase), 0)
    views: list[ChecklistView] = []
    number = 0

    def steps_of(list_id: str, texts: tuple[str, ...]) -> tuple[StepView, ...]:
        nonlocal number
        result = []
        for index, text in enumerate(texts, start=1):
            number += 1
            result.append(StepView(number, list_id, index, text, state.checked.get((list_id, index))))
        return tuple(result)

    for position, phase in enumerate(playbook.phases):
        steps = steps_of(phase.id, phase.steps)
        unfinished = position >= current_index or any(not s.done for s in steps)
        past = phase.window.end is not None and ran > phase.window.end and unfinished and not state.resolved
        views.append(ChecklistView(phase.id, phase.name, "phase", phase.window, steps, position == current_index, past))
    for runbook_id in state.runbooks:
        try:
            runbook = playbook.runbook(runbook_id)
        except Exception:
            continue  # an id the incident's playbook no longer has: nothing to show
        views.append(ChecklistView(runbook.id, runbook.name, "runbook", None, steps_of(runbook.id, runbook.steps)))
    return views


def all_steps(state: IncidentState, now: datetime) -> list[StepView]:
    return [step for view in checklists(state, now) for step in view.steps]


@dataclass(frozen=True)
class RungView:
    rung: Rung
    number: int
    state: str  # "unreached" (never at this severity), "waiting", "due", "notified", "acknowledged"
    due_at: datetime
    notified_at: datetime | None
    acknowledged_at: datetime | None
    current: bool  # the incident's age is inside this rung's window

    @property
    def reaches(self) -> bool:
        return self.state != "unreached"


@dataclass(frozen=True)
class LadderView:
    rungs: tuple[RungView, ...]
    due: tuple[RungView, ...]  # fallen due and not yet notified, in ladder order: the alarm
    next: RungView | None  # the next rung still to fall due
    next_in: timedelta | None

    @property
    def to_page(self) -> RungView | None:
        """Who to page now: the first rung due and not yet notified, in ladder order (with four due, the on-call
        engineer before the CEO). The ladder's marker, the toasts, `n`, the wall and `show` all ask this one."""
        return self.due[0] if self.due else None

    def by_urgency(self) -> list[RungView]:
        """Every rung, the ones the commander needs now first: who to page, the others due, the ones notified
        and awaiting an answer, the next to fall due; then the rest in ladder order (a short pane shows the
        first of these that fit)."""
        first = [*self.due, *(r for r in self.rungs if r.state == "notified")]
        if self.next is not None:
            first.append(self.next)
        return first + [r for r in self.rungs if r not in first]


def ladder(state: IncidentState, now: datetime) -> LadderView:
    playbook = _playbook(state)
    assert state.started_at is not None
    ran = elapsed(state, now)
    rungs = []
    for number, rung in enumerate(playbook.ladder, start=1):
        reaches = state.severity in rung.severities
        started = ran >= rung.window.start
        inside = started and (rung.window.end is None or ran < rung.window.end)
        if not reaches:
            status = "unreached"
        elif rung.id in state.acknowledged:
            status = "acknowledged"
        elif rung.id in state.notified:
            status = "notified"
        elif started:
            status = "due"
        else:
            status = "waiting"
        rungs.append(
            RungView(
                rung, number, status, state.started_at + rung.window.start, state.notified.get(rung.id),
                state.acknowledged.get(rung.id), inside and reaches,
            )
        )
    due = tuple(r for r in rungs if r.state == "due") if not state.resolved else ()
    upcoming = [r for r in rungs if r.reaches and r.state == "waiting"] if not state.resolved else []
    following = upcoming[0] if upcoming else None
    return LadderView(tuple(rungs), due, following, (following.due_at - now) if following else None)


@dataclass(frozen=True)
class UpdateView:
    """When the next status update is due, from the severity's cadence and the last message sent."""

    due_at: datetime
    remaining: timedelta

    @property
    def overdue(self) -> bool:
        return self.remaining < timedelta(0)


def next_update(state: IncidentState, now: datetime) -> UpdateView | None:
    if state.resolved or state.last_update_at is None:
        return None
    due_at = state.last_update_at + severity_of(state).update_every
    return UpdateView(due_at, due_at - now)


def eta_remaining(state: IncidentState, now: datetime) -> timedelta | None:
    return None if state.eta is None else state.eta - now


MILESTONES = ("started", "impact_started", "detected", "declared", "acknowledged", "first_external", "mitigated",
              "impact_ended", "resolved")


def milestones(state: IncidentState) -> list[tuple[str, datetime | None]]:
    """The key times, in the order the post-incident report lists them."""
    return [(name, getattr(state, f"{name}_at")) for name in MILESTONES]


@dataclass(frozen=True)
class Alarm:
    """One thing the live console was shouting about: `key` names it ("response", "rung:RUNG"), `label` says it."""

    key: str
    label: str


def alarms(state: IncidentState, now: datetime) -> tuple[Alarm, ...]:
    """Every alarm the console shows at `now`: the response target overdue, each rung due and not notified,
    the current phase past its window, the status update overdue. Empty before the declaration."""
    if not state.declared or state.started_at is None:
        return ()
    found = []
    if response(state, now).state == "overdue":
        found.append(Alarm("response", "Response target overdue"))
    found.extend(Alarm(f"rung:{r.rung.id}", f"{r.rung.name} due") for r in ladder(state, now).due)
    phase = current_phase(state, now)
    if phase.overdue and not state.resolved:
        found.append(Alarm(f"phase:{phase.phase.id}", f"{phase.phase.name} window ended"))
    update = next_update(state, now)
    if update is not None and update.overdue:
        found.append(Alarm("update", "Update due"))
    return tuple(found)


def alarm_thresholds(state: IncidentState) -> list[datetime]:
    """The times at which the clock alone could turn one of `alarms` on while the state stays as it is
    (each the first instant the alarm shows: a window that ends at 18:15 is past it just after 18:15)."""
    if not state.declared or state.started_at is None:
        return []
    playbook = _playbook(state)
    tick = timedelta(microseconds=1)
    times = [state.started_at + severity_of(state).response_target]
    times.extend(state.started_at + rung.window.start for rung in playbook.ladder)
    times.extend(state.started_at + phase.window.end + tick for phase in playbook.phases if phase.window.end is not None)
    update = next_update(state, state.started_at)
    if update is not None:
        times.append(update.due_at + tick)
    return times
