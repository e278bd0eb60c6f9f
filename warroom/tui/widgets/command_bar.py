"""The command bar: one line of the command language, with completion and a one-line error."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import Input

from warroom.commands import completions
from warroom.incident import IncidentState
from warroom.playbook import Playbook
from warroom.text import one_line
from warroom.tui.widgets.live_line import LiveLine
from warroom.tui.widgets.plain_input import PlainInput


def examples(playbook: Playbook | None) -> str:
    """The command bar's placeholder: what a line can be, with this playbook's own severity and steps."""
    words = ["status mitigating"]
    if playbook is not None and playbook.severities:
        words.append(f"sev {one_line(playbook.severities[0].id)}")
    words.append("eta 30m")
    steps = sum(len(phase.steps) for phase in playbook.phases) if playbook is not None else 0
    if steps:
        words.append(f"check {min(3, steps)}")
    words += ["notify", "ack", "resolve"]
    return ":  a note, or a command: " + " · ".join(words)


class CommandSuggester(Suggester):
    """Suggests the rest of a command word or argument from the live incident (rungs, phases, ...)."""

    def __init__(self, state: Callable[[], IncidentState | None]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self._state = state

    async def get_suggestion(self, value: str) -> str | None:
        if not value.strip():
            return None
        matches = completions(value, self._state())
        for match in matches:
            if match.lower().startswith(value.lower()) and len(match) > len(value):
                return value + match[len(value) :]
        return None


class CommandInput(PlainInput):
    BINDINGS = [
        Binding("tab", "complete", "Complete", show=False),
        Binding("escape", "leave", "Back to panes", show=False),
    ]

    def action_complete(self) -> None:
        if self._suggestion and self.cursor_position == len(self.value):
            self.value = self._suggestion
            self.cursor_position = len(self.value)
        else:
            self.screen.focus_next()

    def action_leave(self) -> None:
        self.value = ""
        self.screen.set_focus(None)
        self.post_message(CommandBar.Left())


class CommandBar(Vertical):
    """`:` focuses it; enter runs the line; escape goes back to the panes."""

    @dataclass
    class Submitted(Message):
        line: str

    class Left(Message):
        pass

    def __init__(self, state: Callable[[], IncidentState | None], playbook: Playbook | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self._state = state
        self._playbook = playbook  # the incident's: the examples in the placeholder are written with its ids

    def compose(self) -> ComposeResult:
        yield LiveLine(id="command-error")
        yield CommandInput(
            placeholder=examples(self._playbook),
            suggester=CommandSuggester(self._state),
            id="command",
            compact=True,
            select_on_focus=False,
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        line = event.value.strip()
        if line:
            self.post_message(self.Submitted(line))

    def show_error(self, message: str) -> None:
        error = self.query_one("#command-error", LiveLine)
        error.show(one_line(message))
        error.display = bool(message)

    def clear(self) -> None:
        self.query_one("#command", Input).value = ""
        self.show_error("")

    def prefill(self, text: str) -> None:
        command = self.query_one("#command", Input)
        command.value = text
        command.cursor_position = len(text)
        self.screen.set_focus(command)  # now: the keys read with this one must land in the bar (see ConsoleScreen)
