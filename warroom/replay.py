"""Replay: the state after any number of recorded events, with checkpoints so that a jump never refolds from the start."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta

from warroom import events as kinds
from warroom import views
from warroom.events import Event
from warroom.incident import IncidentLog, IncidentState, fold, state_of

CHECKPOINT_EVERY = 500
# Kinds that change nothing an alarm reads (severity, start, phase, status, pages, acknowledgements,
# the last update): a moment can never begin at one of them. Any other kind, new ones included, is looked at.
QUIET_KINDS = frozenset({kinds.NOTE, kinds.ALERT, kinds.TITLE, kinds.IMPACT, kinds.ETA, kinds.CHECK, kinds.UNCHECK,
                         kinds.ROLE, kinds.RUNBOOK})
TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class Moment:
    """An instant at which the live console began to shout: just before `at` the alarm was not showing, at `at` it was."""

    at: datetime
    key: str  # "response", "rung:cto", "phase:detection", "update"
    label: str  # "Response target overdue", "CTO due", "Detection & Analysis window ended", "Update due"


class Replay:
    """An incident's log as the room saw it: events in recorded order, and the state after the first k.

    The state after k events is the fold of those k in happened order, exactly what the live console
    showed once the k-th event was written.
    """

    def __init__(self, events: list[Event]) -> None:
        self.events = sorted(events, key=lambda e: e.seq)
        self.recorded = [e.recorded_at for e in self.events]
        self._checkpoints: dict[int, IncidentState] = {0: IncidentState()}
        log = IncidentLog(())
        for index, event in enumerate(self.events, start=1):
            log.add(event)
            if index % CHECKPOINT_EVERY == 0:
                self._checkpoints[index] = log.state
        self._cache: tuple[int, IncidentState] = (0, IncidentState())
        self._moments: list[Moment] | None = None

    def __len__(self) -> int:
        return len(self.events)

    @property
    def start(self) -> datetime:
        return self.events[0].recorded_at

    @property
    def end(self) -> datetime:
        return self.events[-1].recorded_at

    def state_after(self, count: int) -> IncidentState:
        """The state once the first `count` events had been recorded."""
        count = max(0, min(count, len(self.events)))
        cached_count, cached_state = self._cache
        if cached_count <= count and count - cached_count < CHECKPOINT_EVERY:
            base_count, base_state = cached_count, cached_state
        else:
            base_count = count - count % CHECKPOINT_EVERY
            base_state = self._checkpoints[base_count]
        state = self._advance(base_count, base_state, count)
        self._cache = (count, state)
        return state

    def _advance(self, base_count: int, base: IncidentState, count: int) -> IncidentState:
        fresh = self.events[base_count:count]
        if not fresh:
            return base
        if (base.last_at is None or fresh[0].at >= base.last_at) and _in_order(fresh):
            return fold(fresh, base)
        return state_of(self.events[:count])  # a backfilled fact in between: refold, as the live console did

    def count_at(self, when: datetime) -> int:
        """How many events had been recorded by `when`."""
        return bisect_right(self.recorded, when)

    def state_at(self, when: datetime) -> IncidentState:
        """The state the live console showed at `when`: every event recorded by then."""
        return self.state_after(self.count_at(when))

    def moments(self) -> list[Moment]:
        """Every alarm moment of the incident, in time order: the response target going overdue, each rung
        falling due, each phase window ending, each status update falling due, whether the clock or an
        event (a raised severity, a reopening) set it off.

        Cheap for long logs: only the times a non-quiet event was recorded, and the few times the clock
        could set an alarm off between two of them, are looked at (one state lookup each)."""
        if self._moments is None:
            self._moments = self._find_moments()
        return self._moments

    def _find_moments(self) -> list[Moment]:
        if not self.events:
            return []
        times = sorted({e.recorded_at for e in self.events if e.kind not in QUIET_KINDS})
        found: list[Moment] = []

        def turned_on(before: tuple[views.Alarm, ...], after: tuple[views.Alarm, ...], at: datetime) -> None:
            was = {alarm.key for alarm in before}
            found.extend(Moment(at, alarm.key, alarm.label) for alarm in after if alarm.key not in was)

        for index, at in enumerate(times):
            # An event (and the clock, if a threshold falls on it): just before `at`, then at `at`.
            before = self.state_after(bisect_left(self.recorded, at))
            state = self.state_after(bisect_right(self.recorded, at))
            turned_on(views.alarms(before, at - TICK), views.alarms(state, at), at)
            # Then the clock alone, until the next such event: the state stays as it is.
            until = times[index + 1] if index + 1 < len(times) else self.end + TICK
            for threshold in sorted(set(views.alarm_thresholds(state))):
                if at < threshold < until:
                    turned_on(views.alarms(state, threshold - TICK), views.alarms(state, threshold), threshold)
        return found


GATHER = timedelta(seconds=1)


@dataclass(frozen=True)
class Stop:
    """Where play stops and the moment keys land: alarm moments less than a second apart, gathered
    (a rung falling due at 18:15 and the phase window that ended just after), at the last of them,
    where every one of them shows."""

    at: datetime
    moments: tuple[Moment, ...]

    @property
    def first(self) -> datetime:
        return self.moments[0].at

    @property
    def label(self) -> str:
        return "; ".join(moment.label for moment in self.moments)


def stops(moments: list[Moment]) -> list[Stop]:
    gathered: list[list[Moment]] = []
    for moment in moments:
        if gathered and moment.at - gathered[-1][0].at < GATHER:
            gathered[-1].append(moment)
        else:
            gathered.append([moment])
    return [Stop(group[-1].at, tuple(group)) for group in gathered]


def _in_order(events: list[Event]) -> bool:
    return all(a.at <= b.at for a, b in zip(events, events[1:]))
