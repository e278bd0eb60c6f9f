"""Small modal questions: confirm an action, choose a severity."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from warroom.clock import format_span
from warroom.playbook import Playbook, Severity
from warroom.text import one_line
from warroom.tui.widgets.hanging import hanging


class ConfirmDialog(ModalScreen[bool]):
    """Ask before something weighty (resolve, a severity change): y or enter yes, n or escape no."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, yes: str = "Yes") -> None:
        super().__init__(classes="dialog")
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(one_line(self.question), id="question", markup=False)
            with Horizontal(id="buttons"):
                yield Button(f"{self.yes} (y)", variant="error", id="yes")
                yield Button("Cancel (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


def severity_option(severity: Severity, current: str | None, width: int, criteria: bool = True) -> Option:
    """A severity with its response target and, on the line under it, its criteria (wrapped to `width`)."""
    marker = "  (current)" if severity.id == current else ""
    head = Content.assemble(
        (f"{one_line(severity.id)} {one_line(severity.name)}", "bold"),
        (f"  response {severity.response_label}, updates every {format_span(severity.update_every)}", "$text-muted"),
        (marker, "bold $accent"),
    )
    lines = [hanging(Content(""), head, width)]
    if criteria and severity.criteria:
        lines.append(hanging(Content("  "), Content(" · ".join(one_line(c) for c in severity.criteria)), width))
    return Option(Content("\n").join(lines), id=severity.id)


class SeverityList(OptionList):
    """The playbook's severities with their criteria, wrapped under each level (redrawn for a new width).

    Given a `room` (lines) too small for every level's criteria, it shows the criteria of the highlighted
    level only, so that every level stays in view with the fields below it."""

    def __init__(self, playbook: Playbook, current: str | None = None, **kwargs) -> None:
        super().__init__(*(severity_option(s, current, 0) for s in playbook.severities), **kwargs)
        self.playbook = playbook
        self.current = current
        self.room: int | None = None
        self.compact = False  # the criteria under the highlighted level only
        self._wrapped_at = 0

    def fit(self, room: int | None) -> None:
        """Take at most `room` lines (None: as many as the levels need)."""
        if room != self.room:
            self.room = room
            self.styles.max_height = room
            self._show()

    def on_resize(self) -> None:
        if self._width() != self._wrapped_at:
            self._show()

    def _width(self) -> int:
        return max(0, self.content_region.width - self.styles.scrollbar_size_vertical)

    def _show(self) -> None:
        self._wrapped_at = width = self._width()
        options = [severity_option(s, self.current, width) for s in self.playbook.severities]
        lines = sum(len(option.prompt.split("\n")) for option in options)
        self.compact = self.room is not None and lines > self.room
        highlighted = self.highlighted
        if self.compact:
            options = [
                severity_option(s, self.current, width, criteria=index == highlighted)
                for index, s in enumerate(self.playbook.severities)
            ]
        self.set_options(options)
        self.highlighted = highlighted

    def watch_highlighted(self, old: int | None, new: int | None) -> None:
        if self.compact:  # the criteria move with the highlight
            width = self._wrapped_at
            for index in {old, new} - {None}:
                if index is not None and index < self.option_count:  # (none while set_options clears the list)
                    severity = self.playbook.severities[index]
                    self.replace_option_prompt_at_index(
                        index, severity_option(severity, self.current, width, criteria=index == new).prompt
                    )
        super().watch_highlighted(new)


class SeverityDialog(ModalScreen[str | None]):
    """Choose a severity from the playbook, with each level's criteria shown."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, playbook: Playbook, current: str) -> None:
        super().__init__(classes="dialog")
        self.playbook = playbook
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Change severity: choose a level (enter), or escape", id="question")
            yield SeverityList(self.playbook, self.current, id="severities")

    def on_mount(self) -> None:
        options = self.query_one("#severities", OptionList)
        options.highlighted = next(
            (i for i, s in enumerate(self.playbook.severities) if s.id == self.current), 0
        )
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)
