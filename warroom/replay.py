"""Replay: the state after any number of recorded events, with checkpoints so that a jump never refolds from the start."""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime

from warroom.events import Event
from warroom.incident import IncidentLog, IncidentState, fold, state_of

CHECKPOINT_EVERY = 500


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


def _in_order(events: list[Event]) -> bool:
    return all(a.at <= b.at for a, b in zip(events, events[1:]))
