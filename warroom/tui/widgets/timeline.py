"""The timeline pane: every event, newest at the bottom, in recorded order or in the order things happened."""

from __future__ import annotations

from datetime import datetime
from typing import Iterator

from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Text
from textual.events import Resize
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from warroom import events as kinds
from warroom.clock import local_hms
from warroom.events import Event
from warroom.incident import happened_order, held
from warroom.playbook import Playbook
from warroom.text import one_line
from warroom.timeline import describe
from warroom.tui.frames import after_the_frame

# The entries are Rich text, which knows no theme variables: plain ANSI colours that read on any theme.
KIND_STYLE = {
    kinds.ALERT: "bold red",
    kinds.NOTE: "default",
    kinds.DECLARED: "bold cyan",
    kinds.RESOLVED: "bold green",
    kinds.COPIED: "cyan",
}
SHOWN_ENTRIES = 500  # the pane can scroll back through the latest; the log, replay and report keep all


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

    def drawn(self, console: Console, width: int) -> list[list[Segment]]:
        """The entry's lines at this width, padded to it: the segments Rich's `render_lines` gives, without Rich
        wrapping each line a second time (nearly every entry: one whose lines each fit, as wrapped here)."""
        lines = list(self.__rich_console__(console, console.options.update_width(width)))
        if any(line.cell_len > width for line in lines):  # a pane narrower than the time and kind: Rich crops
            return console.render_lines(self, console.options.update_width(width), pad=True)
        return [Segment.adjust_line_length(list(line.render(console)), width) for line in lines]

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
        (f"{one_line(kind):<9}", KIND_STYLE.get(kind, "yellow")),
    )
    body = Text(one_line(describe(event, playbook)))  # plain text, never parsed as markup; names from the playbook too
    if event.actor:
        body.append(f"  ({one_line(event.actor)})", "dim")
    if event.backfilled:
        body.append(f"  backfilled, recorded {local_hms(event.recorded_at)}", "italic yellow")
    return HangingLine(prefix, body)


class Timeline(ScrollView, can_focus=True):
    """The incident's events as lines, newest at the bottom; `order` is 'recorded' (what the room saw) or
    'happened' (by `at`).

    Only what can be seen is drawn: the entries are wrapped from the newest up until the pane is full,
    more as the reader scrolls up, and each entry's lines are kept, so that a replay stepping back
    or jumping draws a handful of entries, not the whole pane (a RichLog wraps every line it is given).
    """

    DEFAULT_CSS = """
    Timeline {
        overflow-x: hidden;
        overflow-y: scroll;  /* always there: the lines are wrapped to the room beside it, and it follows the scrolling */
    }
    """

    def __init__(self, *, shown: int = SHOWN_ENTRIES, **kwargs) -> None:
        super().__init__(**kwargs)
        self.shown = shown
        self.order = "recorded"
        self._events: list[Event] = []
        self._playbook: Playbook | None = None
        self._started: datetime | None = None
        self._window: list[Event] = []  # what the pane can show: the latest `shown` entries, in order
        self._first_drawn = 0  # the lines of _window[_first_drawn:] are in _lines
        self._lines: list[Strip] = []
        self._drawn: dict[tuple[str, int], list[Strip]] = {}  # each entry's lines, as wrapped for _drawn_for
        self._drawn_for: tuple[int, Playbook | None, datetime | None] = (0, None, None)
        self._placing = False  # _draw is scrolling to the newest: not the reader scrolling up
        self._draw_pending = False  # events were added: drawn once the frame that is due is out

    def on_mount(self) -> None:
        self.border_subtitle = "recorded order (o)"

    # --- what the callers give -----------------------------------------------------------------

    def show_events(self, events: list[Event], playbook: Playbook | None, started: datetime | None) -> None:
        """Show these events (and no others)."""
        self._events = list(events)
        self._playbook, self._started = playbook, started
        self._draw()

    def add_events(
        self, events: list[Event], playbook: Playbook | None, started: datetime | None, *, at_once: bool = False
    ) -> None:
        """Add new events at the bottom (in happened order, a backfilled one lands in its place).

        They are drawn after the frame that is due (`at_once`: now): a key's own change (a tick in the checklist)
        goes out in a frame of its own pane alone, not in one spanning the checklist and the timeline, and a
        storm's polls and key presses between two frames draw the pane once."""
        if not events:
            return
        self._events.extend(held(event) for event in events)  # a storm's alerts without their labels (the wall's too)
        self._playbook, self._started = playbook, started
        if at_once:
            self._draw()
        elif not self._draw_pending:
            self._draw_pending = True
            after_the_frame(self, self._draw_if_pending)

    def _draw_if_pending(self) -> None:
        if self._draw_pending:
            self._draw()

    def share(self, events: list[Event]) -> None:
        """The same events as the ones shown (the incident log's, as it holds them): one copy, not two."""
        if len(events) == len(self._events) and all(a.id == b.id for a, b in zip(events, self._events)):
            self._events = list(events)

    def toggle_order(self) -> str:
        self.order = "happened" if self.order == "recorded" else "recorded"
        self.border_subtitle = f"{self.order} order (o)"
        self._draw()
        return self.order

    @property
    def lines(self) -> list[Strip]:
        """Every line the pane can show, drawn now if it was not yet (for tests and screen readers)."""
        if self._draw_pending:
            self._draw()
        self._draw_older(len(self._window))
        return list(self._lines)

    # --- drawing -------------------------------------------------------------------------------

    @property
    def _room(self) -> int:
        return self.scrollable_content_region.width

    def _entry_lines(self, event: Event) -> list[Strip]:
        key = (event.incident, event.seq)
        lines = self._drawn.get(key)
        if lines is None:
            width = self._room
            console = self.app.console
            rendered = timeline_line(event, self._playbook, self._started).drawn(console, width)
            # In the pane's colours already: one Strip per line, drawn as it is (a Strip is a dozen objects).
            style = self.rich_style
            lines = self._drawn[key] = [Strip(Segment.apply_style(line, style), width) for line in rendered]
        return lines

    def _draw(self) -> None:
        """The latest entries, from the bottom up until the pane is full; scrolled to the newest."""
        width = self._room
        if width <= 0 or not self.is_mounted:
            return  # on_resize draws once the pane has a size
        self._draw_pending = False
        drawn_for = (width, self._playbook, self._started)
        if drawn_for != self._drawn_for:  # a playbook compares equal when it is the same one parsed again (a replay)
            self._drawn.clear()
        self._drawn_for = drawn_for
        ordered = happened_order(self._events) if self.order == "happened" else self._events
        self._window = ordered[-self.shown:]
        if len(self._drawn) > self.shown:  # forget entries that left the window (a replay's jumps)
            keep = {(event.incident, event.seq) for event in self._window}
            self._drawn = {key: lines for key, lines in self._drawn.items() if key in keep}
        first, height, enough = len(self._window), 0, self.size.height
        while first > 0 and height < enough:
            first -= 1
            height += len(self._entry_lines(self._window[first]))
        self._first_drawn = first
        self._lines = [line for event in self._window[first:] for line in self._entry_lines(event)]
        self._placing = True
        try:
            self._set_virtual_size(Size(width, len(self._lines)))  # may scroll up to fit: not the reader
            self.scroll_to(y=self.max_scroll_y, animate=False)
        finally:
            self._placing = False
        self.refresh()

    def _draw_older(self, entries: int) -> int:
        """Draw up to `entries` more of the older entries above the drawn ones; how many lines they added."""
        if self._first_drawn == 0 or self._room <= 0:
            return 0
        first = max(0, self._first_drawn - entries)
        older = [line for event in self._window[first:self._first_drawn] for line in self._entry_lines(event)]
        self._first_drawn = first
        self._lines[:0] = older
        self._set_virtual_size(Size(self.virtual_size.width, len(self._lines)))
        return len(older)

    def _set_virtual_size(self, size: Size) -> None:
        """The lines' extent, without the layout of the whole screen that setting `virtual_size` asks for (a
        ScrollView's size comes from its CSS, not its lines): only the scrollbar follows. That layout came with
        most new entries and took 15-20 ms of a key press."""
        if size != self.virtual_size:
            self.set_reactive(Timeline.virtual_size, size)
            self._scroll_update(size)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        # The reader scrolled up to within a pane of the oldest line drawn (not _draw placing the newest in view).
        if new < old and new < self.size.height and self._first_drawn > 0 and not self._placing:
            self.call_later(self._scrolled_near_the_top)

    def _scrolled_near_the_top(self) -> None:
        if self.scroll_y < self.size.height:
            added = self._draw_older(max(self.size.height, 10))
            if added:  # the lines already on screen stay where they are
                self.scroll_to(y=self.scroll_y + added, animate=False)
                self.refresh()

    def on_resize(self, event: Resize) -> None:
        self._draw()  # wrapped again at a new width (from what was kept at the same one), and the newest in view

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._drawn_for = (0, None, None)  # a new theme: every entry is drawn again in its colours
        self._draw()

    def render_lines(self, crop: Region) -> list[Strip]:
        if self._drawn_for[0] != self._room and self._room > 0:
            # The first frame is laid out and drawn before the pane hears of its size (Resize is a message that
            # comes after): draw the entries now, or that frame shows an empty pane.
            self._draw()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        index = round(self.scroll_y) + y
        if 0 <= index < len(self._lines):
            return self._lines[index]
        return Strip.blank(self._room, self.rich_style)
