"""The timeline as CSV: one row per event, in the order things happened, for a spreadsheet or another tool."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Iterable, Iterator

from warroom.clock import iso
from warroom.events import Event
from warroom.report.markdown import MESSAGES
from warroom.report.timeline import is_message_copy, walk
from warroom.text import csv_text

CSV_COLUMNS = ("at", "recorded_at", "t_plus_seconds", "actor", "kind", "description", "backfilled")

# After a message copied to send: the CSV does not hold its text, the Markdown report does.
IN_FULL = f"; in full in the Markdown report, under {MESSAGES}"


def _seconds(delta: timedelta) -> str:
    value = round(delta.total_seconds(), 3)
    return str(int(value)) if value == int(value) else f"{value:.3f}".rstrip("0")


def timeline_csv(events: Iterable[Event]) -> str:
    """Every event, in the order things happened, as CSV: for a spreadsheet or another tool.

    Written by warroom.text.csv_text: every field quoted (a CR or LF in a note stays inside its cell),
    rows ending in CRLF, and a cell that a spreadsheet would take for a formula (= + - @, a tab or a CR
    first) kept as text behind a '. The text itself is kept exactly, controls included.
    """
    entries, state = walk(events)
    start = state.started_at
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

    def rows() -> Iterator[list[Any]]:  # one at a time: 100,000 rows are never all held as lists
        yield list(CSV_COLUMNS)
        for entry in entries:
            event = entry.event
            yield [
                stamp(event.at),
                stamp(event.recorded_at),
                offset(event.at),
                event.actor,
                event.kind,
                entry.description + IN_FULL if is_message_copy(event) else entry.description,
                "true" if event.backfilled else "false",
            ]
        # Every row is written: free the entries (their descriptions are most of the memory) before
        # csv_text makes the whole text, so that the two are never held at once.
        entries.clear()

    return csv_text(rows())  # type: ignore[arg-type]  # it only iterates the rows
