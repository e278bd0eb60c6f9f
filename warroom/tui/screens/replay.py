"""Replay: the live console's panes, read-only, driven by a replay cursor instead of the wall clock."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.content import Content
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, Static, TabbedContent, TabPane

from warroom.clock import format_clock, local_hms, parse_time
from warroom.errors import WarroomError
from warroom.incident import IncidentState
from warroom.replay import Replay
from warroom.text import one_line
from warroom.tui.widgets.checklist import Checklist
from warroom.tui.widgets.clock_pane import IncidentClock
from warroom.tui.widgets.header import IncidentHeader
from warroom.tui.widgets.ladder import EscalationLadder
from warroom.tui.widgets.templates import TemplateEditor
from warroom.tui.widgets.timeline import Timeline

SPEEDS = (1, 10, 60, 600)


class JumpDialog(ModalScreen[datetime | None]):
    """Ask for a time to jump to (18:14, 2026-11-26T18:14, +20m from the start)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, start: datetime) -> None:
        super().__init__(classes="dialog")
        self.start = start

    def compose(self) -> ComposeResult:
        with Container(id="dialog"):
            yield Static("Jump to a time: 18:14, 2026-11-26T18:14, or +20m from the start", id="question")
            yield Input(id="jump-to")
            yield Static(id="jump-error", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        try:
            if text.startswith("+"):
                when = parse_time(text[1:], self.start, future=True)
            else:
                when = parse_time(text, self.app.clock.now())
        except WarroomError as error:
            self.query_one("#jump-error", Static).update(str(error))
            return
        self.dismiss(when)


class ReplayScreen(Screen):
    """At every cursor position each pane shows what the live console showed at that instant."""

    AUTO_FOCUS = None  # the replay keys belong to the screen; no pane takes arrows or Home/End from it

    BINDINGS = [
        Binding("space", "play_pause", "Play/pause"),
        Binding("left", "step(-1)", "Prev event"),
        Binding("right", "step(1)", "Next event"),
        Binding("home", "jump_start", "Start"),
        Binding("end", "jump_end", "End"),
        Binding("plus,right_square_bracket", "speed(1)", "Faster"),
        Binding("minus,left_square_bracket", "speed(-1)", "Slower"),
        Binding("g", "jump_time", "Jump to time"),
        Binding("o", "timeline_order", "Order", show=False),
    ]

    state: reactive[IncidentState | None] = reactive(None)
    now: reactive[datetime | None] = reactive(None)

    def __init__(self, incident_id: str) -> None:
        super().__init__()
        self.incident_id = incident_id
        self.replay: Replay | None = None
        self.count = 0
        self.cursor: datetime | None = None
        self.playing = False
        self.speed_index = 0
        self._last_tick = 0.0
        self._shown_count = 0

    def compose(self) -> ComposeResult:
        self.replay = Replay(self.app.store.events(self.incident_id))
        playbook = self.replay.state_after(len(self.replay)).playbook
        yield IncidentHeader(id="header").data_bind(ReplayScreen.state, ReplayScreen.now)
        with Container(id="panes"):
            yield IncidentClock(id="clock").data_bind(ReplayScreen.state, ReplayScreen.now)
            yield EscalationLadder(id="ladder").data_bind(ReplayScreen.state, ReplayScreen.now)
            yield Checklist(id="checklist").data_bind(ReplayScreen.state, ReplayScreen.now)
            with TabbedContent(id="tabs"):
                with TabPane("Timeline", id="timeline-tab"):
                    yield Timeline(id="timeline")
                for template in playbook.templates if playbook else ():
                    with TabPane(one_line(template.name), id=f"tab-{template.id}"):
                        yield TemplateEditor(template, id=f"editor-{template.id}").data_bind(
                            ReplayScreen.state, ReplayScreen.now
                        )
        yield Static(id="scrubber", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(IncidentHeader).mode = "REPLAY"
        for widget in self.query("Checklist, EscalationLadder, TemplateText"):
            widget.can_focus = False  # nothing here writes: the panes only show
        for area in self.query("TemplateText"):
            area.read_only = True  # type: ignore[attr-defined]
        self.set_interval(0.1, self._play_tick, pause=False)
        self.go_to(1)
        self.call_after_refresh(self.set_focus, None)

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

    def _show_timeline(self) -> None:
        assert self.replay is not None and self.state is not None
        timeline = self.query_one(Timeline)
        shown = self.replay.events[: self.count]
        if self.count >= self._shown_count and self.count - self._shown_count < 200 and self._shown_count:
            timeline.add_events(shown[self._shown_count :], self.state.playbook, self.state.started_at)
        else:
            timeline.show_events(shown, self.state.playbook, self.state.started_at)
        self._shown_count = self.count

    def _draw_scrubber(self) -> None:
        assert self.replay is not None and self.cursor is not None
        width = max(10, self.size.width - 60)
        span = (self.replay.end - self.replay.start).total_seconds() or 1
        done = int(width * (self.cursor - self.replay.start).total_seconds() / span)
        bar = "█" * done + "░" * (width - done)
        state = "▶ playing" if self.playing else "❚❚ paused"
        into = format_clock(self.cursor - self.replay.start)
        text = Content.assemble(
            (" REPLAY ", "bold $text on $error"),
            f" {state} {SPEEDS[self.speed_index]}x  ",
            (bar, "$accent"),
            f"  {local_hms(self.cursor)} (+{into})  event {self.count}/{len(self.replay)}",
        )
        self.query_one("#scrubber", Static).update(text)

    def _play_tick(self) -> None:
        if not self.playing or self.replay is None or self.cursor is None:
            self._last_tick = time.monotonic()
            return
        now = time.monotonic()
        step = timedelta(seconds=(now - self._last_tick) * SPEEDS[self.speed_index])
        self._last_tick = now
        target = self.cursor + step
        if target >= self.replay.end:
            self.playing = False
            target = self.replay.end
        self.go_to_time(target)

    # --- controls ------------------------------------------------------------------------------

    def action_play_pause(self) -> None:
        assert self.replay is not None
        if not self.playing and self.count >= len(self.replay):
            self.go_to(1)
        self.playing = not self.playing
        self._last_tick = time.monotonic()
        self._draw_scrubber()

    def action_step(self, delta: int) -> None:
        self.playing = False
        self.go_to(self.count + delta)

    def action_jump_start(self) -> None:
        self.playing = False
        self.go_to(1)

    def action_jump_end(self) -> None:
        assert self.replay is not None
        self.playing = False
        self.go_to(len(self.replay))

    def action_speed(self, delta: int) -> None:
        self.speed_index = max(0, min(len(SPEEDS) - 1, self.speed_index + delta))
        self._draw_scrubber()

    def action_jump_time(self) -> None:
        assert self.replay is not None

        def chosen(when: datetime | None) -> None:
            if when is not None:
                self.playing = False
                self.go_to_time(when)

        self.app.push_screen(JumpDialog(self.replay.start), chosen)

    def action_timeline_order(self) -> None:
        self.query_one(Timeline).toggle_order()

    def on_resize(self) -> None:
        if self.cursor is not None:
            self._draw_scrubber()
