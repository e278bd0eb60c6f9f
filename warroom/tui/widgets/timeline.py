"""The timeline pane: every event, newest at the bottom, in recorded order or in the order things happened."""

from __future__ import annotations

from datetime import datetime
from typing import Iterator

from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.text import Text
from textual.events import Resize
from textual.widgets import RichLog

from warroom import events as kinds
from warroom.clock import local_hms
from warroom.events import Event
from warroom.incident import happened_order
from warroom.playbook import Playbook
from warroom.text import one_line
from warroom.timeline import describe

# RichLog draws Rich text, which knows no theme variables: plain ANSI colours that read on any theme.
KIND_STYLE = {
    kinds.ALERT: "bold red",
    kinds.NOTE: "default",
    kinds.DECLARED: "bold cyan",
    kinds.RESOLVED: "bold green",
    kinds.COPIED: "cyan",
}
SHOWN_LINES = 500  # the screen keeps the latest (each drawn when written); the log, replay and report keep all


def t_plus(started: datetime | None, at: datetime) -> str:
    if started is None:
        return ""
    seconds = int((at - started).total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    return f"T{sign}{hours}:{rest // 60:02d}:{rest % 60:02d}"


NARROW_INDENT = 2


class HangingLine:
    """A timeline entry: when and what kind, then its text, wrapped under the text's first character."""

    MIN_ROOM = 20  # narrower than this, the text wraps under the time instead

    def __init__(self, prefix: Text, body: Text) -> None:
        self.prefix = prefix
        self.body = body

    @property
    def plain(self) -> str:
        return self.prefix.plain + self.body.plain

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(min(options.max_width, self.prefix.cell_len + self.MIN_ROOM), self.prefix.cell_len + self.body.cell_len)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        width = options.max_width
        if width - self.prefix.cell_len >= self.MIN_ROOM:
            indent = self.prefix.cell_len
            lines = self.body.wrap(console, width - indent)
            yield Text.assemble(self.prefix, lines[0])
        else:  # a narrow pane (80 columns): when and what on one line, the text under it, indented
            indent = min(NARROW_INDENT, max(0, width - self.MIN_ROOM))
            yield self.prefix
            lines = self.body.wrap(console, max(1, width - indent))
            yield Text.assemble(" " * indent, lines[0])
        for line in lines[1:]:
            yield Text.assemble(" " * indent, line)


def timeline_line(event: Event, playbook: Playbook | None, started: datetime | None) -> HangingLine:
    kind = event.kind
    prefix = Text.assemble(
        (local_hms(event.at), "dim"),
        " ",
        (f"{t_plus(started, event.at):>10}", "dim"),
        " ",
        (f"{kind:<9}", KIND_STYLE.get(kind, "yellow")),
    )
    body = Text(describe(event, playbook))  # plain text: never parsed as markup
    if event.actor:
        body.append(f"  ({one_line(event.actor)})", "dim")
    if event.backfilled:
        body.append(f"  backfilled, recorded {local_hms(event.recorded_at)}", "italic yellow")
    return HangingLine(prefix, body)


class Timeline(RichLog):
    """The incident's events as lines; `order` is 'recorded' (what the room saw) or 'happened' (by `at`)."""

    def __init__(self, *, shown_lines: int = SHOWN_LINES, **kwargs) -> None:
        # min_width: RichLog's default (78) would scroll sideways in a half-width pane at 80x24; lines are
        # written with expand=True so that they wrap at the pane's width, not at the width Rich measured at start.
        super().__init__(wrap=True, markup=False, highlight=False, max_lines=shown_lines, min_width=20, **kwargs)
        self.shown_lines = shown_lines
        self.order = "recorded"
        self._wrapped_width = 0
        self._events: list[Event] = []
        self._playbook: Playbook | None = None
        self._started: datetime | None = None

    def on_mount(self) -> None:
        self.border_subtitle = "recorded order (o)"

    def on_resize(self, event: Resize) -> None:
        # RichLog wraps a line once, when written: at a new width (layout change, terminal resize) draw them again.
        if self._size_known and self._events and event.size.width != self._wrapped_width:
            self.show_events(self._events, self._playbook, self._started)
        self._wrapped_width = event.size.width

    def show_events(self, events: list[Event], playbook: Playbook | None, started: datetime | None) -> None:
        """Draw these events from scratch."""
        self._events = list(events)
        self._playbook, self._started = playbook, started
        self.clear()
        ordered = happened_order(self._events) if self.order == "happened" else self._events
        for event in ordered[-self.shown_lines:]:
            self.write(timeline_line(event, playbook, started), expand=True)

    def add_events(self, events: list[Event], playbook: Playbook | None, started: datetime | None) -> None:
        """Add new events; in happened order a backfilled one redraws so that it lands in its place."""
        if not events:
            return
        last_at = self._events[-1].at if self._events else None
        self._events.extend(events)
        self._playbook, self._started = playbook, started
        if self.order == "happened" and last_at is not None and any(e.at < last_at for e in events):
            self.show_events(self._events, playbook, started)
            return
        for event in events:
            self.write(timeline_line(event, playbook, started), expand=True)

    def toggle_order(self) -> str:
        self.order = "happened" if self.order == "recorded" else "recorded"
        self.border_subtitle = f"{self.order} order (o)"
        self.show_events(self._events, self._playbook, self._started)
        return self.order
