"""The phase checklist pane: every phase with its window and steps (the current one open), and runbooks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from warroom import views
from warroom.clock import local_hm
from warroom.incident import IncidentState
from warroom.text import one_line


class Checklist(OptionList):
    """Steps under their phase or runbook; space ticks the step under the cursor."""

    BINDINGS = [
        Binding("space", "toggle", "Tick step"),
        Binding("enter", "toggle", "Tick / open", show=False),
    ]

    state: reactive[IncidentState | None] = reactive(None)
    now: reactive[datetime | None] = reactive(None)

    @dataclass
    class StepToggled(Message):
        """The commander ticked or unticked a step."""

        checklist: "Checklist"
        number: int
        done: bool  # what the step should become

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._unfolded_lists: set[str] = set()  # lists the commander opened besides the current phase
        self._folded_lists: set[str] = set()  # lists the commander closed
        self._shown_options: tuple = ()

    def on_mount(self) -> None:
        self.border_title = "Checklist"

    def watch_state(self) -> None:
        self._rebuild()

    def watch_now(self) -> None:
        self._rebuild()

    def _is_open(self, view: views.ChecklistView) -> bool:
        if view.id in self._folded_lists:
            return False
        return view.current or view.kind == "runbook" or view.id in self._unfolded_lists

    def _rebuild(self) -> None:
        state, now = self.state, self.now
        if state is None or now is None or not state.declared:
            return
        options: list[Option] = []
        for view in views.checklists(state, now):
            is_open = self._is_open(view)
            options.append(Option(self._header(view, is_open), id=f"list:{view.id}"))
            if is_open:
                for step in view.steps:
                    options.append(Option(self._step(step), id=f"step:{step.number}"))
        signature = tuple((o.id, o.prompt) for o in options)
        if signature == self._shown_options:
            return
        self._shown_options = signature
        highlighted = self.highlighted_option.id if self.highlighted_option else None
        self.set_options(options)
        ids = [o.id for o in options]
        if highlighted in ids:
            self.highlighted = ids.index(highlighted)
        elif options:
            first_open = next((i for i, o in enumerate(options) if o.id and o.id.startswith("step:")), 0)
            self.highlighted = first_open
        total = sum(v.total for v in views.checklists(state, now))
        done = sum(v.done for v in views.checklists(state, now))
        self.border_subtitle = f"{done}/{total} done"

    def _header(self, view: views.ChecklistView, is_open: bool) -> Content:
        arrow = "▾" if is_open else "▸"
        label = "Runbook: " if view.kind == "runbook" else ""
        parts: list = [
            (f"{arrow} {label}{one_line(view.name)}", "bold $accent" if view.current else "bold"),
        ]
        if view.window is not None:
            parts.append((f"  {view.window}", "$text-muted"))
        complete = view.total and view.done == view.total
        parts.append((f"  {view.done}/{view.total}", "bold $success" if complete else ""))
        if view.current:
            parts.append(("  ◀ now", "bold $accent"))
        if view.past_window:
            parts.append(("  PAST WINDOW", "bold $error"))
        return Content.assemble(*parts)

    def _step(self, step: views.StepView) -> Content:
        if step.done:
            assert step.done_at is not None
            return Content.assemble(
                ("   [x] ", "$success"), (f"{step.number:>2}. ", "$text-muted"), (one_line(step.text), "$text-muted strike"),
                (f"  {local_hm(step.done_at)}", "$success"),
            )
        return Content.assemble(("   [ ] ", "bold"), (f"{step.number:>2}. ", "$text-muted"), one_line(step.text))

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
        number = int(option.id.split(":", 1)[1])
        step = next(s for s in views.all_steps(self.state, self.now) if s.number == number)  # type: ignore[arg-type]
        self.post_message(self.StepToggled(self, number, not step.done))

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()  # a click or enter: same as space
        self.action_toggle()
