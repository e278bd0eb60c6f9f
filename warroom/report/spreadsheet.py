"""The timeline as CSV: one row per event, in the order things happened, for a spreadsheet or another tool."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Iterable

from warroom.clock import iso
from warroom.events import Event
from warroom.report.timeline import is_message_copy, walk

CSV_COLUMNS = ("at", "recorded_at", "t_plus_seconds", "actor", "kind", "description", "backfilled")


def _seconds(delta: timedelta) -> str:
    value = round(delta.total_seconds(), 3)
    return str(int(value)) if value == int(value) else f"{value:.3f}".rstrip("0")


def timeline_csv(events: Iterable[Event]) -> str:
    """Every event, in the order things happened, as CSV: for a spreadsheet or another tool."""
    entries, state = walk(events)
    start = state.started_at
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    # A long log holds few distinct moments (a piped batch of alerts shares one): format each once.
    stamps: dict[datetime, str] = {}
    offsets: dict[datetime, str] = {}

    def stamp(when: datetime) -> str:
        text = stamps.get(when)
        if text is None:
            text = stamps[when] = iso(when)
        return text

    def offset(when: datetime) -> str:
        text = offsets.get(when)
        if text is None:
            text = offsets[when] = _seconds(when - start) if start is not None else ""
        return text

    for entry in entries:
        event = entry.event
        writer.writerow(
            [
                stamp(event.at),
                stamp(event.recorded_at),
                offset(event.at),
                event.actor,
                event.kind,
                entry.description + "; in full under Communications" if is_message_copy(event) else entry.description,
                "true" if event.backfilled else "false",
            ]
        )
    del entries  # only the text is needed now: let it have the memory the entries held
    return buffer.getvalue()
