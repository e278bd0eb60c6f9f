"""Metrics: how one incident kept to its response target and phase windows, and the same across incidents (`warroom stats`)."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable, Sequence

from warroom import views
from warroom.clock import iso
from warroom.incident import IncidentState
from warroom.playbook import Phase
from warroom.report.times import local_time, say
from warroom.text import one_line

# --- one incident ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhaseResult:
    """How one phase went against its window (offsets from the start)."""

    phase: Phase
    entered: timedelta | None  # first entered
    left: timedelta | None  # last left (next phase entered, or resolution); None while still in it
    time_in: timedelta  # every stint in it, summed
    state: str  # "met", "missed", "open" (still in it, inside its window), "overdue" (still in it, past it), "skipped"
    over_by: timedelta | None  # past the window's end when left (or now, if still in it)

    @property
    def judged(self) -> bool:
        return self.state in ("met", "missed", "overdue")


def phase_results(state: IncidentState, now: datetime) -> list[PhaseResult]:
    """Each playbook phase, in order: when it was entered and left, and whether it kept to its window."""
    playbook = state.playbook
    assert playbook is not None and state.started_at is not None
    start = state.started_at
    end = state.resolved_at
    stints: dict[str, list[tuple[datetime, datetime | None]]] = {}
    history = list(state.phase_history)
    for index, (phase_id, entered) in enumerate(history):
        left = history[index + 1][1] if index + 1 < len(history) else end
        if end is not None:
            if entered >= end and index > 0:
                continue  # moved after the resolution: not part of the incident's course
            left = min(left, end) if left is not None else end
        stints.setdefault(phase_id, []).append((entered, left))
    results = []
    for phase in playbook.phases:
        spans = stints.get(phase.id)
        if not spans:
            results.append(PhaseResult(phase, None, None, timedelta(0), "skipped", None))
            continue
        entered = min(s for s, _ in spans) - start
        open_now = any(e is None for _, e in spans)
        time_in = sum(((e or now) - s for s, e in spans), timedelta(0))
        left = None if open_now else max(e for _, e in spans if e is not None) - start
        mark = (now - start) if open_now else left
        limit = phase.window.end
        if limit is None or mark <= limit:
            status = "open" if open_now else "met"
            over = None
        else:
            status = "overdue" if open_now else "missed"
            over = mark - limit
        results.append(PhaseResult(phase, entered, left, max(time_in, timedelta(0)), status, over))
    return results


@dataclass(frozen=True)
class IncidentMetrics:
    """The numbers of one incident, all measured from its start."""

    severity: str
    to_detect: timedelta | None
    to_acknowledge: timedelta | None
    to_mitigate: timedelta | None
    to_resolve: timedelta | None
    response: views.ResponseView
    phases: tuple[PhaseResult, ...]
    at_severity: tuple[tuple[str, timedelta], ...]  # each severity held, in order first held, and for how long
    impact: timedelta | None  # customer impact: impact started to impact ended (milestones), not to mitigation
    to_first_update: timedelta | None  # the first message copied for customers (a template's audience)


def severity_spans(state: IncidentState, now: datetime) -> tuple[tuple[str, timedelta], ...]:
    """How long the incident was at each severity, from its start to its resolution (or now)."""
    assert state.started_at is not None
    end = state.resolved_at if state.resolved and state.resolved_at else now
    history = list(state.severity_history) or [(state.severity, state.started_at)]
    spent: dict[str, timedelta] = {}
    for index, (severity, since) in enumerate(history):
        since = state.started_at if index == 0 else max(since, state.started_at)
        until = history[index + 1][1] if index + 1 < len(history) else end
        spent[severity] = spent.get(severity, timedelta(0)) + max(timedelta(0), min(until, end) - since)
    return tuple(spent.items())


def metrics(state: IncidentState, now: datetime) -> IncidentMetrics:
    assert state.started_at is not None

    def since_start(when: datetime | None) -> timedelta | None:
        return None if when is None else max(timedelta(0), when - state.started_at)  # type: ignore[operator]

    return IncidentMetrics(
        state.severity,
        since_start(state.detected_at or state.started_at),
        since_start(state.acknowledged_at),
        since_start(state.mitigated_at),
        since_start(state.resolved_at),
        views.response(state, now),
        tuple(phase_results(state, now)),
        severity_spans(state, now),
        impact_window(state),
        since_start(state.first_external_at),
    )


def impact_window(state: IncidentState) -> timedelta | None:
    """How long customers were affected, when both ends were marked."""
    began, ended = state.impact_started_at, state.impact_ended_at
    return ended - began if began is not None and ended is not None and ended >= began else None


@functools.lru_cache(maxsize=256)  # stats says it for every incident (humanize: 0.2 ms each)
def target_words(delta: timedelta) -> str:
    """A response target as the review says it: 'immediate', '1 hour'."""
    return "immediate" if not delta else say(delta)


# --- across incidents -----------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """Linear interpolation between the closest ranks (as spreadsheets' PERCENTILE.INC does)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Spread:
    """Median and 90th percentile of one duration over the incidents that have it."""

    n: int
    median: timedelta | None
    p90: timedelta | None

    @classmethod
    def of(cls, values: Sequence[timedelta]) -> "Spread":
        if not values:
            return cls(0, None, None)
        seconds = [v.total_seconds() for v in values]
        return cls(len(values), timedelta(seconds=percentile(seconds, 0.5)), timedelta(seconds=percentile(seconds, 0.9)))

    def to_json(self) -> dict[str, Any]:
        def secs(value: timedelta | None) -> float | None:
            return None if value is None else round(value.total_seconds(), 3)

        return {"n": self.n, "median_seconds": secs(self.median), "p90_seconds": secs(self.p90)}


@dataclass(frozen=True)
class Rate:
    """How often something was met, of the incidents where it could be judged."""

    met: int
    judged: int

    @property
    def rate(self) -> float | None:
        return self.met / self.judged if self.judged else None

    def __str__(self) -> str:
        if not self.judged:
            return "none to judge"
        return f"met {self.met} of {self.judged} ({round(100 * self.met / self.judged)}%)"

    def to_json(self) -> dict[str, Any]:
        return {"met": self.met, "judged": self.judged, "rate": None if self.rate is None else round(self.rate, 4)}


@dataclass(frozen=True)
class PhaseRate:
    id: str
    name: str
    window: str
    rate: Rate


@dataclass(frozen=True)
class SeverityStats:
    severity: str
    name: str
    count: int
    resolved: int
    to_detect: Spread
    to_acknowledge: Spread
    to_mitigate: Spread
    to_resolve: Spread
    impact: Spread
    response_target: str
    response: Rate
    phases: tuple[PhaseRate, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "name": self.name,
            "count": self.count,
            "resolved": self.resolved,
            "time_to_detect": self.to_detect.to_json(),
            "time_to_acknowledge": self.to_acknowledge.to_json(),
            "time_to_mitigate": self.to_mitigate.to_json(),
            "time_to_resolve": self.to_resolve.to_json(),
            "customer_impact": self.impact.to_json(),
            "response_target": {"target": self.response_target, **self.response.to_json()},
            "phases": [{"id": p.id, "name": p.name, "window": p.window, **p.rate.to_json()} for p in self.phases],
        }


@dataclass(frozen=True)
class Stats:
    as_of: datetime
    since: datetime | None
    incidents: int
    severities: tuple[SeverityStats, ...]
    drills: int = 0  # exercises in the same span, left out of every figure

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": iso(self.as_of),
            "since": iso(self.since) if self.since else None,
            "incidents": self.incidents,
            "drills_left_out": self.drills,
            "severities": [s.to_json() for s in self.severities],
        }


def stats(states: Iterable[IncidentState], now: datetime, since: datetime | None = None) -> Stats:
    """Per severity (the one each incident ended with): counts, median and p90 times, and how often
    the response target and each phase window were met.

    Each incident is judged by its own playbook, so any set of severities and phases works. An
    incident counts when it started at or after `since`. Severities are listed in playbook order.
    """
    in_span = [
        s for s in states
        if s.declared and s.started_at is not None and (since is None or s.started_at >= since)
    ]
    chosen = [s for s in in_span if not s.drill]  # a drill's times say how the exercise went, not the service
    order: dict[str, str] = {}  # severity id -> name, in the order the playbooks list them
    for state in chosen:
        assert state.playbook is not None
        for severity in state.playbook.severities:
            order.setdefault(severity.id, severity.name)
    groups: dict[str, list[tuple[IncidentState, IncidentMetrics]]] = {}
    for state in chosen:
        order.setdefault(state.severity, state.severity)
        groups.setdefault(state.severity, []).append((state, metrics(state, now)))
    result = []
    for severity_id, name in order.items():
        group = groups.get(severity_id)
        if not group:
            continue
        phases: dict[str, tuple[str, str, list[PhaseResult]]] = {}
        targets = []
        for state, m in group:
            assert state.playbook is not None
            # The target it was judged by (views.response): the severity in force when someone responded.
            judged = m.response.severity or views.severity_of(state)
            target = target_words(judged.response_target) + (f" as {judged.id}" if judged.id != severity_id else "")
            if target not in targets:
                targets.append(target)
            for phase in m.phases:
                if phase.phase.id not in phases:  # the window said once, not for every incident (clock.format_span)
                    phases[phase.phase.id] = (phase.phase.name, str(phase.phase.window), [])
                phases[phase.phase.id][2].append(phase)
        result.append(
            SeverityStats(
                severity_id,
                name,
                len(group),
                sum(1 for state, _ in group if state.resolved),
                Spread.of([m.to_detect for _, m in group if m.to_detect is not None]),
                Spread.of([m.to_acknowledge for _, m in group if m.to_acknowledge is not None]),
                Spread.of([m.to_mitigate for _, m in group if m.to_mitigate is not None]),
                Spread.of([m.to_resolve for _, m in group if m.to_resolve is not None]),
                Spread.of([m.impact for _, m in group if m.impact is not None]),
                " or ".join(targets),
                Rate(
                    sum(1 for _, m in group if m.response.state == "met"),
                    sum(1 for _, m in group if m.response.state in ("met", "missed", "overdue")),
                ),
                tuple(
                    PhaseRate(
                        phase_id, phase_name, window,
                        Rate(sum(1 for r in runs if r.state == "met"), sum(1 for r in runs if r.judged)),
                    )
                    for phase_id, (phase_name, window, runs) in phases.items()
                ),
            )
        )
    return Stats(now, since, len(chosen), tuple(result), len(in_span) - len(chosen))


def format_stats(result: Stats) -> str:
    """`warroom stats` for people: the playbook's names come through one_line, so a control in one is shown, not obeyed."""
    since = f" since {local_time(result.since, date=True, zone=True)}" if result.since else ""
    drills = f" ({result.drills} drill{'s' if result.drills != 1 else ''} left out)" if result.drills else ""
    if not result.incidents:
        return f"No incidents{since}{drills}."
    lines = [f"{result.incidents} incident{'s' if result.incidents != 1 else ''}{since}{drills}"]
    for s in result.severities:
        lines.append("")
        label = f"{s.severity} {s.name}" if s.name and s.name != s.severity else s.severity
        lines.append(f"{one_line(label)}: {s.count} incident{'s' if s.count != 1 else ''}, {s.resolved} resolved")
        rows = []
        for what, spread, none in (
            ("to detect", s.to_detect, "none detected yet"), ("to acknowledge", s.to_acknowledge, "none acknowledged yet"),
            ("to mitigate", s.to_mitigate, "none mitigated yet"), ("to resolve", s.to_resolve, "none resolved yet"),
            ("customer impact", s.impact, "not marked (milestone impact-started, impact-ended)"),
        ):
            if spread.n:
                rows.append((what, f"median {say(spread.median)}, 90th percentile {say(spread.p90)} (of {spread.n})"))
            else:
                rows.append((what, none))
        rows.append((f"response target ({s.response_target})", str(s.response)))
        for phase in s.phases:
            rows.append((f"{one_line(phase.name)} ({phase.window})", str(phase.rate)))
        width = max(len(what) for what, _ in rows)
        lines.extend(f"  {what:<{width}}  {text}" for what, text in rows)
    return "\n".join(lines)
