"""The phase checklist pane: every phase with its window and steps (the current one open), and runbooks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from textual.binding import Binding
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from warroom import views
from warroom.clock import local_hm
from warroom.incident import IncidentState
from warroom.text import one_line
from warroom.tui.frames import after_the_frame
from warroom.tui.widgets.hanging import WrappedOptionList, flow, hanging


TOGGLE_HELP = "tick or untick the step under the cursor (checklist); open or close a phase"


class Checklist(WrappedOptionList):
    """Steps under their phase or runbook; space ticks the step under the cursor."""

    BINDINGS = [
        Binding("space", "toggle", "Tick", tooltip=TOGGLE_HELP),
        Binding("enter", "open_or_tick", "Tick / open", show=False, tooltip=TOGGLE_HELP),
    ]

    state: reactive[IncidentState | None] = reactive(None, repaint=False)  # the watchers redraw what changed
    now: reactive[datetime | None] = reactive(None, repaint=False)  # the watchers redraw what changed

    def __init__(self, *, on_toggle: Callable[[int], object] | None = None, **kwargs) -> None:
        """`on_toggle(number)`: the screen's, which ticks the step if it is not done when called, else unticks it
        (against the state then: a burst's spaces are all read before the first is recorded). Called, not posted
        as a message: the key is answered as it is read (warroom.tui.keys), and a message would be answered
        after the shortcut keys read after it (" n" recorded the notify before the tick)."""
        super().__init__(**kwargs)
        self._on_toggle = on_toggle  # None: a list that takes no keys (the replay's)
        self._unfolded_lists: set[str] = set()  # lists the commander opened besides the current phase
        self._folded_lists: set[str] = set()  # lists the commander closed
        self._shown_phase: str | None = None  # the current phase when the list was last built
        self._built_from: tuple | None = None  # what the list was last built from (see _reads)
        self._made: dict[tuple, Content] = {}  # each row's text, by what it was made from (the rows shown)
        self._lists: list[views.ChecklistView] = []  # the lists as last built
        self._ahead: dict[tuple, Content] = {}  # the rows a space would bring, made and drawn (_draw_next_toggle)
        self._ahead_for: tuple | None = None  # what they were made for
        self._ahead_minute = ""  # the minute a tick made ahead says
        self._ahead_due = False

    def on_mount(self) -> None:
        self.border_title = "Checklist"

    def watch_state(self, old: IncidentState | None, new: IncidentState | None) -> None:
        if self.can_focus and (old is not None and old.resolved) != (new is not None and new.resolved):
            self.refresh_bindings()  # "space Tick" leaves the footer, or comes back
        self._rebuild_if_changed()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A resolved incident takes no ticks: space leaves the footer (enter still opens and closes a phase)."""
        if action == "toggle" and self.state is not None and self.state.resolved:
            return False
        return True

    def action_open_or_tick(self) -> None:
        self.action_toggle()

    def watch_now(self) -> None:
        self._rebuild_if_changed()
        if self._ahead_for is not None and self.now is not None and local_hm(self.now) != self._ahead_minute:
            self._draw_next_toggle_soon()  # a tick made now would say another minute (not every second: idle CPU)

    def watch_highlighted(self, highlighted: int | None) -> None:
        super().watch_highlighted(highlighted)
        self._draw_next_toggle_soon()

    def on_focus(self) -> None:
        self._draw_next_toggle_soon()  # the cursor's row is drawn in another colour with the focus

    def on_blur(self) -> None:
        self._draw_next_toggle_soon()

    def _reads(self, state: IncidentState, now: datetime) -> tuple:
        """Everything the lists read (views.checklists and the rows): a note, an alert or a second that changes
        none of it (nearly every one) leaves the list as it is, unbuilt."""
        ran = views.elapsed(state, now)
        past = tuple(ran > phase.window.end for phase in state.playbook.phases if phase.window.end is not None)  # type: ignore[union-attr]
        return (state.playbook, state.checked, state.phase, state.runbooks, state.resolved, past)

    def _rebuild_if_changed(self) -> None:
        state, now = self.state, self.now
        if state is None or now is None or not state.declared or self._reads(state, now) != self._built_from:
            self._rebuild()

    def _is_open(self, view: views.ChecklistView) -> bool:
        if view.id in self._folded_lists:
            return False
        return view.current or view.kind == "runbook" or view.id in self._unfolded_lists

    def _rebuild(self) -> None:
        state, now = self.state, self.now
        if state is None or now is None or not state.declared:
            return
        self._built_from = self._reads(state, now)
        self._wrapped_at = width = self._wrap_width()
        lists = views.checklists(state, now)
        # Each row's text is made once for what it says: a tick changes two rows (its step and its list's count),
        # and the rest are the ones already made (what is shown is compared with them by identity, too).
        made, self._made, ahead = self._made, {}, self._ahead
        self._lists = lists
        options: list[Option] = []
        for view in lists:
            is_open = self._is_open(view)
            header = self._header_key(view, is_open, width)
            prompt = made.get(header) or ahead.get(header) or self._header(view, is_open, width)
            self._made[header] = prompt
            options.append(Option(prompt, id=f"list:{view.id}"))
            if is_open:
                for step in view.steps:
                    row = self._step_key(step, width)
                    prompt = made.get(row) or ahead.get(row) or self._step(step, width)
                    self._made[row] = prompt
                    options.append(Option(prompt, id=f"step:{step.number}"))
        highlighted = self.highlighted_option.id if self.highlighted_option else None
        # A new phase: the cursor goes to its first step to do (left on a header, space would fold the phase).
        moved_on = self._shown_phase is not None and state.phase != self._shown_phase
        first_time = self._shown_phase is None
        self._shown_phase = state.phase
        rewrapped = self._shown_options == ()  # built for the first time, or for a new width
        if not self._show_options(options):
            return
        ids = [o.id for o in options]
        if highlighted in ids and not moved_on:
            self.highlighted = ids.index(highlighted)
        elif options:
            self.highlighted = ids.index(self._next_to_do(lists, ids))
        current = next((f"list:{v.id}" for v in lists if v.current), None)
        if (moved_on or first_time or rewrapped) and current in ids:
            # The current phase at the top of the pane, its steps under it: on a short pane the phases before it
            # (done, folded) would otherwise take the rows its steps need.
            above = sum(len(option.prompt.split("\n")) for option in options[: ids.index(current)])
            self.call_after_refresh(self._current_phase_first, above)
        self._show_subtitle(f"{sum(v.done for v in lists)}/{sum(v.total for v in lists)} done")
        self._draw_next_toggle_soon()

    def _header_key(self, view: views.ChecklistView, is_open: bool, width: int) -> tuple:
        """What a list's header row shows (its text is made once for it)."""
        return (view.id, view.name, view.kind, view.window, view.done, view.total, view.current, view.past_window,
                self.state.resolved, is_open, width)  # type: ignore[union-attr]

    @staticmethod
    def _step_key(step: views.StepView, width: int) -> tuple:
        """What a step's row shows: ticked at which minute, not at which instant (a tick made ahead is found)."""
        return (step.number, step.text, step.done_at and local_hm(step.done_at), width)

    # --- the next tick, drawn before it is pressed ----------------------------------------------------------

    def _draw_next_toggle_soon(self) -> None:
        if not self._ahead_due and self.is_mounted and self.can_focus:  # (a replay's list takes no keys)
            self._ahead_due = after_the_frame(self, self._draw_next_toggle)

    def _draw_next_toggle(self) -> None:
        """Make and draw the two rows a space would change (the step under the cursor, ticked or unticked now,
        and its list's header with the count moved on) while nothing is happening, after the frame: the key's
        rebuild then finds them made (by what they show) and their strips drawn (by the prompt). Most of the
        key's drawing is done before it is pressed (~1 ms, on a busy machine more). A guess that turns out wrong
        (the minute moved, another writer's event came first) costs nothing: those rows are made as before."""
        self._ahead_due = False
        if not self.is_attached:
            return  # removed since (the screen closed, the app quitting): Textual has let go of its styles
        state, now, option = self.state, self.now, self.highlighted_option
        if state is None or now is None or state.resolved or option is None or not (option.id or "").startswith("step:"):
            return
        number = int(option.id.split(":", 1)[1])  # type: ignore[union-attr]
        width = self._wrapped_at
        minute = local_hm(now)
        wanted = (number, self.highlighted, self._built_from, width, minute, self.has_focus)
        if wanted == self._ahead_for:
            return
        view = next((v for v in self._lists if any(step.number == number for step in v.steps)), None)
        if view is None:
            return
        step = next(step for step in view.steps if step.number == number)
        toggled = replace(step, done_at=None if step.done else now)
        after = replace(view, steps=tuple(toggled if s.number == number else s for s in view.steps))
        is_open = self._is_open(view)
        header, row = self._header_key(after, is_open, width), self._step_key(toggled, width)
        self._ahead = {header: self._made.get(header) or self._header(after, is_open, width),
                       row: self._made.get(row) or self._step(toggled, width)}
        self._ahead_for, self._ahead_minute = wanted, minute
        # Drawn as they will be: the step under the cursor, its header not (the hover's style is left undrawn).
        self._keep_drawn({id(prompt) for _, prompt in self._shown_options} | {id(p) for p in self._ahead.values()})
        highlighted = self.get_visual_style("option-list--option", "option-list--option-highlighted")
        plain = self.get_visual_style("option-list--option")
        self._drawn_row(self._ahead[row], self.get_option_index(f"step:{number}"), highlighted)
        self._drawn_row(self._ahead[header], self.get_option_index(f"list:{view.id}"), plain)

    def _current_phase_first(self, line: int) -> None:
        self.scroll_to(y=line, animate=False, immediate=True)
        self.scroll_to_highlight()  # a pane too short for the phase and its next step: the step wins

    def _next_to_do(self, lists: list[views.ChecklistView], ids: list[str | None]) -> str | None:
        """Where the cursor starts: the first step not done in the current phase, else in any open list."""
        current = [v for v in lists if v.current]
        for view in current + [v for v in lists if not v.current]:
            for step in view.steps:
                if not step.done and f"step:{step.number}" in ids:
                    return f"step:{step.number}"
        return f"list:{current[0].id}" if current else ids[0]

    def _header(self, view: views.ChecklistView, is_open: bool, width: int) -> Content:
        arrow = "▾ " if is_open else "▸ "
        label = "Runbook: " if view.kind == "runbook" else ""
        pieces = [Content.styled(f"{label}{one_line(view.name)}", "bold $accent" if view.current else "bold")]
        if view.window is not None:
            pieces.append(Content.styled(f"{view.window}", "$text-muted"))
        complete = view.total and view.done == view.total
        pieces.append(Content.styled(f"{view.done}/{view.total}", "bold $success" if complete else ""))
        if view.current and not self.state.resolved:  # type: ignore[union-attr]
            pieces.append(Content.styled("◀ now", "bold $accent"))
        if view.past_window:
            pieces.append(Content.styled("PAST WINDOW", "bold $error"))
        return flow(Content.styled(arrow, "bold $accent" if view.current else "bold"), pieces, width)

    def _step(self, step: views.StepView, width: int) -> Content:
        number = Content.styled(f"{step.number:>2}. ", "$text-muted")
        if step.done:
            assert step.done_at is not None
            text = Content.assemble((one_line(step.text), "$text-muted strike"), (f"  {local_hm(step.done_at)}", "$success"))
            return hanging(Content.assemble(("  [x] ", "$success"), number), text, width)
        return hanging(Content.assemble(("  [ ] ", "bold"), number), Content(one_line(step.text)), width)

    def action_toggle(self) -> None:
        option = self.highlighted_option
        if option is None or option.id is None:
            return
        if option.id.startswith("list:"):
            list_id = option.id.split(":", 1)[1]
            view = next(v for v in views.checklists(self.state, self.now) if v.id == list_id)  # type: ignore[arg-type]
            if self._is_open(view):
                self._folded_lists.add(list_id)
                self._unfolded_lists.discard(list_id)
            else:
                self._unfolded_lists.add(list_id)
                self._folded_lists.discard(list_id)
            self._rebuild()
            return
        if self._on_toggle is not None:
            self._on_toggle(int(option.id.split(":", 1)[1]))

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()  # a click or enter: same as space
        self.action_toggle()
