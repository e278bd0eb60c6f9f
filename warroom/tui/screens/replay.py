"""Replay: the live console's panes, read-only, driven by a replay cursor instead of the wall clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from itertools import groupby
from typing import Iterable

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Input, Static, TabbedContent, TabPane

from warroom.clock import format_clock, local_hms, parse_time
from warroom.comms import fill
from warroom.errors import WarroomError
from warroom.incident import IncidentState
from warroom.playbook import Template
from warroom.replay import Replay, Stop, stops
from warroom.text import for_terminal, one_line
from warroom.tui.frames import draw_changed_rows
from warroom.tui.ids import widget_id
# The live console's layout thresholds, so that a replay looks like the room's screen did.
from warroom.tui.layout import MIN_HEIGHT, MIN_WIDTH, PALETTE_KEY_WIDTH, WIDE_WIDTH, ladder_room
from warroom.tui.messages import GoBack
from warroom.tui.widgets.checklist import Checklist
from warroom.tui.widgets.clock_pane import IncidentClock
from warroom.tui.widgets.header import IncidentHeader
from warroom.tui.widgets.ladder import EscalationLadder
from warroom.tui.widgets.templates import TemplateText
from warroom.tui.widgets.key_bar import KeyBar
from warroom.tui.widgets.live_line import LiveLine
from warroom.tui.widgets.timeline import Timeline
from warroom.tui.widgets.unverified import UnverifiedBanner
from warroom.events import Event
from warroom.tui.widgets.plain_input import PlainInput

SPEEDS = (1, 10, 60, 600)
MAX_TICK = timedelta(seconds=1)  # a stalled or suspended process resumes where it was, not minutes later


class JumpBar(Horizontal):
    """Ask for a time to jump to, in the scrubber's row: 18:14 or 2026-11-26T18:14 (within the incident), or +20m
    from the start. In the screen, not a dialog over it: the panes stay as they are until the jump."""

    DEFAULT_CSS = """
    JumpBar {
        display: none;
        height: 1;
        background: $panel;
    }
    JumpBar > #jump-label {
        width: auto;
        background: $accent 40%;
        text-style: bold;
        padding: 0 1;
    }
    JumpBar > Input {
        width: 1fr;
        border: none;
        height: 1;
        padding: 0 1;
    }
    JumpBar > Input.-invalid {
        background: $error 30%;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    @dataclass
    class Answered(Message):
        """A time to jump to, or None: the question was put away."""

        when: datetime | None

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.start: datetime | None = None
        self.end: datetime | None = None
        self.problem = ""  # why the last time typed was not one

    def compose(self) -> ComposeResult:
        yield Static("Jump to", id="jump-label")
        yield PlainInput(placeholder="18:14, 2026-11-26T18:14, or +20m from the start", id="jump-to", compact=True)

    def ask(self, start: datetime, end: datetime) -> None:
        self.start, self.end = start, end
        self.problem = ""
        self.display = True
        field = self.query_one(Input)
        field.value = ""
        field.remove_class("-invalid")
        field.focus()

    def action_cancel(self) -> None:
        self.post_message(self.Answered(None))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        assert self.start is not None and self.end is not None
        text = event.value.strip()
        try:
            if text.startswith("+"):
                when = parse_time(text[1:], self.start, future=True)
            else:
                # A clock time is the incident's: the last 18:14 by its end, not by today's wall clock.
                when = parse_time(text, self.end)
        except WarroomError as problem:  # said in full (a toast has the room), the time kept to be corrected
            self.problem = str(problem)
            self.query_one(Input).add_class("-invalid")
            self.notify(self.problem, title="Jump to a time", severity="error", markup=False)
            return
        self.post_message(self.Answered(when))


class ReplayTemplate(Vertical):
    """A message template at the cursor: the text as it was copied by then, else as the live console filled it."""

    DEFAULT_CSS = """
    ReplayTemplate {
        height: 1fr;
    }
    """

    state: reactive[IncidentState | None] = reactive(None, repaint=False)  # the watchers redraw what changed
    now: reactive[datetime | None] = reactive(None, repaint=False)  # the watchers redraw what changed

    def __init__(self, template: Template, **kwargs) -> None:
        super().__init__(**kwargs)
        self.template = template

    def compose(self) -> ComposeResult:
        yield LiveLine(id="template-status", classes="template-status")
        area = TemplateText(id=widget_id("template", self.template.id), classes="template-text", read_only=True)
        area.highlight_cursor_line = False  # no cursor here: a highlighted line would look like a selection
        yield area

    @property
    def text(self) -> str:
        return self.query_one(TemplateText).text

    def on_mount(self) -> None:
        self.query_one(TemplateText).can_focus = False
        self._show()

    def watch_state(self) -> None:
        self._show()

    def watch_now(self) -> None:
        self._show()

    def _show(self) -> None:
        state, now = self.state, self.now
        if state is None or now is None or not state.declared or not self.is_mounted:
            return
        area = self.query_one(TemplateText)
        copied = state.copies.get(self.template.id)
        if copied is not None:
            text, at = copied
            unfilled: tuple[str, ...] = ()
            status = Content.assemble(
                (f" copied {local_hms(at)} ", "bold $text on $success-darken-2"), "  the text as it was sent"
            )
        else:
            filled = fill(self.template, state, now)
            text, unfilled = filled.text, tuple(name for _, _, name in filled.unfilled)
            status = Content.assemble(
                (" not copied yet ", "bold $text on $warning-darken-2"), f"  filled from the incident at {local_hms(now)}"
            )
        text = for_terminal(text, newlines=True, tabs=True)  # what TemplateText shows of it
        if area.text != text or area.unfilled != unfilled:
            area.unfilled = unfilled
            area.load_text(text)
        self.query_one("#template-status", LiveLine).show(status)


class ReplayScreen(Screen):
    """At every cursor position each pane shows what the live console showed at that instant."""

    AUTO_FOCUS = ""  # nothing focused, on mount or after a dialog: the panes only show (None would inherit the app's "*")
    CHROME_ROWS = 3  # the header, the scrubber (the jump bar takes its row) and the footer: the panes have the rest

    # CSS, not DEFAULT_CSS: these rules must outrank the app's own stylesheet, as the console's do.
    CSS = """
    ReplayScreen.-wide #panes {
        grid-size: 3 2;
        grid-columns: 1fr 1fr 1fr;
    }
    ReplayScreen.-wide #checklist {
        row-span: 2;
    }
    ReplayScreen.-wide #tabs {
        column-span: 2;
    }
    ReplayScreen.-too-small #panes, ReplayScreen.-too-small #header {
        display: none;
    }
    ReplayScreen.-too-small #too-small {
        display: block;
        height: 1fr;
        content-align: center middle;
        text-align: center;
        color: $warning;
        text-style: bold;
    }
    """

    # Priority: a focused tab bar or timeline (a click, the tab key) must not take the arrows or Home/End.
    # One footer entry per pair of keys, so that every control still fits in 80 columns.
    BINDINGS = [
        Binding("space", "play_pause", "Play", priority=True),
        Binding("left", "step(-1)", "Previous event", show=False, priority=True),
        Binding("right", "step(1)", "Step", key_display="←→", priority=True),
        # One footer entry for both ends: at 80 columns the footer has room for nine.
        Binding("home", "jump_start", "Start/end", key_display="home/end", priority=True),
        Binding("end", "jump_end", "End", show=False, priority=True),
        Binding("plus,right_square_bracket", "speed(1)", "Speed", key_display="+-"),
        Binding("minus,left_square_bracket", "speed(-1)", "Slower", show=False),
        Binding("g", "jump_time", "Jump"),
        Binding("full_stop", "moment(1)", "Alarm", key_display=",."),
        Binding("comma", "moment(-1)", "Previous alarm", show=False),
        Binding("o", "timeline_order", "Order", show=False),
        Binding("t", "next_tab", "Next tab", show=False),
        Binding("escape", "back", "Back"),
    ]

    state: reactive[IncidentState | None] = reactive(None, repaint=False)  # the watchers redraw what changed
    now: reactive[datetime | None] = reactive(None, repaint=False)  # the watchers redraw what changed

    def __init__(self, incident_id: str, events: list[Event] | None = None) -> None:
        """`events`: the log, when whoever opens the replay has just read it."""
        super().__init__()
        draw_changed_rows(self)
        self.incident_id = incident_id
        self._events = events
        self.replay: Replay | None = None
        self.count = 0
        self.cursor: datetime | None = None
        self.playing = False
        self.speed_index = 0
        self._last_tick: datetime | None = None
        self._shown_count = 0
        self.stops: list[Stop] = []

    @property
    def speed(self) -> int:
        return SPEEDS[self.speed_index]

    def compose(self) -> ComposeResult:
        events = self._events if self._events is not None else self.app.read_log(self, self.incident_id)
        self._events = None
        if events is None:  # the app takes this screen away, saying why
            yield Static(f"{self.incident_id}: its log cannot be read", markup=False)
            return
        self.replay = Replay(events)
        self.stops = stops(self.replay.moments())
        playbook = self.replay.state_after(len(self.replay)).playbook
        yield IncidentHeader(id="header").data_bind(ReplayScreen.state, ReplayScreen.now)
        yield UnverifiedBanner()
        with Container(id="panes"):
            yield IncidentClock(id="clock", hints=False).data_bind(ReplayScreen.state, ReplayScreen.now)
            ladder = EscalationLadder(id="ladder", hints=False).data_bind(ReplayScreen.state, ReplayScreen.now)
            ladder.room = ladder_room(self.app.size.height, self.CHROME_ROWS)
            yield ladder
            yield Checklist(id="checklist").data_bind(ReplayScreen.state, ReplayScreen.now)
            with TabbedContent(id="tabs"):
                with TabPane("Timeline", id="timeline-tab"):
                    yield Timeline(id="timeline")
                for template in playbook.templates if playbook else ():
                    with TabPane(one_line(template.name), id=widget_id("tab", template.id)):
                        yield ReplayTemplate(template, id=widget_id("editor", template.id)).data_bind(
                            ReplayScreen.state, ReplayScreen.now
                        )
        yield Static(id="too-small", markup=False)
        yield LiveLine(id="scrubber")
        yield JumpBar(id="jump")
        yield KeyBar(compact=True)

    def on_mount(self) -> None:
        if self.replay is None:
            return
        self.query_one(IncidentHeader).mode = "REPLAY"
        self.query_one(UnverifiedBanner).check(self.incident_id, self.replay.state_after(len(self.replay)))
        for widget in self.query("Checklist, EscalationLadder"):
            widget.can_focus = False  # nothing here writes: the panes only show
        self._show_order()
        self.set_interval(0.1, self._play_tick, pause=False)
        self.go_to(1)

    # --- the cursor ----------------------------------------------------------------------------

    def go_to(self, count: int, cursor: datetime | None = None) -> None:
        """Put the cursor after `count` events (at the moment the last of them was recorded, or `cursor`)."""
        assert self.replay is not None
        count = max(1, min(count, len(self.replay)))
        self.count = count
        self.cursor = cursor or self.replay.events[count - 1].recorded_at
        self.state = self.replay.state_after(count)
        self.now = self.cursor
        self._show_timeline()
        self._draw_scrubber()

    def go_to_time(self, when: datetime) -> None:
        assert self.replay is not None
        when = max(self.replay.start, min(when, self.replay.end))
        self.go_to(max(1, self.replay.count_at(when)), when)

    def _show_timeline(self, *, afresh: bool = False) -> None:
        assert self.replay is not None and self.state is not None
        timeline = self.query_one(Timeline)
        events, count, shown = self.replay.events, self.count, self._shown_count
        if not afresh and shown and shown <= count < shown + 200:
            timeline.add_events(events[shown:count], self.state.playbook, self.state.started_at, at_once=True)
        else:  # in recorded order the pane can only show the latest: hand it those, not a copy of 100,000
            first = 0 if timeline.order == "happened" else max(0, count - timeline.shown)
            timeline.show_events(events[first:count], self.state.playbook, self.state.started_at)
        self._shown_count = count

    def _draw_scrubber(self) -> None:
        assert self.replay is not None and self.cursor is not None
        state = "▶ playing" if self.playing else "❚❚ paused"
        where = f"  {local_hms(self.cursor)} (+{format_clock(self.cursor - self.replay.start)})  event {self.count}/{len(self.replay)} "
        head = f" {state} {self.speed}x  "
        width = max(10, self.size.width - len(" REPLAY ") - len(head) - len(where))
        span = (self.replay.end - self.replay.start).total_seconds() or 1

        def column(when: datetime) -> int:
            return round(width * (when - self.replay.start).total_seconds() / span)

        done = column(self.cursor)
        marks = {min(width - 1, column(stop.at)) for stop in self.stops}  # each alarm moment: a ◆ on the bar
        cells = [
            ("◆", "bold $error" if x < done else "bold $warning") if x in marks
            else ("█", "$accent") if x < done else ("░", "$text-muted")
            for x in range(width)
        ]
        bar = [(char * len(list(run)), style) for (char, style), run in groupby(cells)]  # one span per run, not per cell
        text = Content.assemble((" REPLAY ", "bold $text on $error"), head, *bar, where)
        self.query_one("#scrubber", LiveLine).show(text)

    def _play_tick(self) -> None:
        """Move the cursor on by the time that passed since the last tick, times the speed."""
        now = self.app.clock.now()
        last, self._last_tick = self._last_tick, now
        if not self.playing or self.replay is None or self.cursor is None or last is None:
            return
        passed = min(max(now - last, timedelta(0)), MAX_TICK)
        if not passed:
            return
        target = self.cursor + passed * self.speed
        ahead = next((stop for stop in self.stops if stop.at > self.cursor and stop.first <= target), None)
        if ahead is not None:  # play stops on the moment itself, so that even at 600x the reviewer lands on it
            self.playing = False
            self.go_to_time(ahead.at)
            self._say_stop(ahead, "Paused: ")
            return
        if target >= self.replay.end:
            self.playing = False
            target = self.replay.end
        self.go_to_time(target)

    # --- controls ------------------------------------------------------------------------------

    def action_play_pause(self) -> None:
        assert self.replay is not None
        if not self.playing and self.cursor is not None and self.cursor >= self.replay.end:
            self.go_to(1)  # at the end, play starts over
        self.playing = not self.playing
        self._last_tick = self.app.clock.now()
        self._draw_scrubber()

    def action_step(self, delta: int) -> None:
        self.playing = False
        if delta < 0 and self.cursor is not None and self.replay is not None:
            # Between two events (after play or a jump), back means to the last event the cursor passed.
            if self.cursor > self.replay.events[self.count - 1].recorded_at:
                delta += 1
        self.go_to(self.count + delta)

    def action_jump_start(self) -> None:
        self.playing = False
        self.go_to(1)

    def action_jump_end(self) -> None:
        assert self.replay is not None
        self.playing = False
        self.go_to(len(self.replay))

    def action_moment(self, delta: int) -> None:
        """The next (or previous) alarm moment: the response target overdue, a rung due, a window ended."""
        if self.cursor is None:
            return
        self.playing = False
        if delta > 0:
            found = next((stop for stop in self.stops if stop.at > self.cursor), None)
        else:
            found = next((stop for stop in reversed(self.stops) if stop.at < self.cursor), None)
        if found is None:
            self._draw_scrubber()
            self.notify("No later alarm moment" if delta > 0 else "No earlier alarm moment", timeout=3)
            return
        self.go_to_time(found.at)
        self._say_stop(found)

    def _say_stop(self, stop: Stop, prefix: str = "") -> None:
        self.notify(f"{prefix}{stop.label} at {local_hms(stop.at)}", title="Alarm moment", timeout=4)

    def action_speed(self, delta: int) -> None:
        self.speed_index = max(0, min(len(SPEEDS) - 1, self.speed_index + delta))
        self._draw_scrubber()

    def action_jump_time(self) -> None:
        assert self.replay is not None
        self.query_one("#scrubber").display = False  # the question takes the scrubber's row until it is answered
        self.query_one(JumpBar).ask(self.replay.start, self.replay.end)
        self.refresh_bindings()

    @property
    def asking(self) -> bool:
        """The jump bar is open: keys go to it, not to the replay's controls."""
        return self.query_one(JumpBar).display

    def on_jump_bar_answered(self, message: JumpBar.Answered) -> None:
        self.query_one(JumpBar).display = False
        self.query_one("#scrubber").display = True
        self.set_focus(None)
        self.refresh_bindings()
        if message.when is not None:
            self.playing = False
            self.go_to_time(message.when)

    def action_timeline_order(self) -> None:
        self.query_one(Timeline).toggle_order()
        self._show_timeline(afresh=True)  # in happened order, a backfilled fact from long before takes its place
        self._show_order()

    def _show_order(self) -> None:
        tabs = self.query_one("#tabs", TabbedContent)
        order = self.query_one(Timeline).order
        tabs.border_subtitle = f"timeline: {order} order (o)" if tabs.active == "timeline-tab" else ""

    def on_tabbed_content_tab_activated(self) -> None:
        self._show_order()

    def action_next_tab(self) -> None:
        """The timeline, then each message template, then the timeline again."""
        tabs = self.query_one("#tabs", TabbedContent)
        panes = [pane.id for pane in tabs.query(TabPane)]
        tabs.active = panes[(panes.index(tabs.active) + 1) % len(panes)] if tabs.active in panes else panes[0]

    def action_back(self) -> None:
        self.post_message(GoBack())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.is_mounted and self.asking:
            return False  # space, the arrows, Home and End edit the time being typed
        if action == "back":
            return len(self.app.screen_stack) > 2  # opened from the browser: escape goes back to it
        return True

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Play / pause", "Play the replay at the speed shown, or stop it", self.action_play_pause)
        yield SystemCommand("Previous event", "Step the cursor back one event", partial(self.action_step, -1))
        yield SystemCommand("Next event", "Step the cursor on one event", partial(self.action_step, 1))
        yield SystemCommand("Jump to the start", "The moment the incident was declared", self.action_jump_start)
        yield SystemCommand("Jump to the end", "The last event recorded", self.action_jump_end)
        yield SystemCommand("Faster", "1x, 10x, 60x, 600x", partial(self.action_speed, 1))
        yield SystemCommand("Slower", "600x, 60x, 10x, 1x", partial(self.action_speed, -1))
        yield SystemCommand("Next alarm moment", "Response target overdue, a rung due, a phase window ended, an update due",
                            partial(self.action_moment, 1))
        yield SystemCommand("Previous alarm moment", "The alarm moment before the cursor", partial(self.action_moment, -1))
        yield SystemCommand("Jump to a time", "18:14, 2026-11-26T18:14, or +20m from the start", self.action_jump_time)
        yield SystemCommand("Timeline order", "As recorded, or as it happened", self.action_timeline_order)
        yield SystemCommand("Next tab", "The timeline, then each message template as it was copied", self.action_next_tab)

    # --- layout --------------------------------------------------------------------------------

    def on_resize(self) -> None:
        if self.replay is None:
            return  # the log could not be read: the app takes this screen away
        width, height = self.size
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        self.set_class(small, "-too-small")
        self.set_class(width >= WIDE_WIDTH, "-wide")
        self.query_one(EscalationLadder).room = ladder_room(height, self.CHROME_ROWS)
        for keys in self.query(KeyBar):  # as in the console: below 100 columns the keys need the room
            keys.show_command_palette = width >= PALETTE_KEY_WIDTH
        if small:
            self.query_one("#too-small", Static).update(
                f"warroom needs at least {MIN_WIDTH}x{MIN_HEIGHT}; this terminal is {width}x{height}. Enlarge it."
            )
        if self.cursor is not None:
            self._draw_scrubber()
