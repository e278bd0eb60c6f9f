"""The declare screen: severity (with each level's criteria), title, impact, runbook, start and commander."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.content import Content
from textual.widgets import Button, Input, Label, OptionList, Select, Static

from warroom.commands import declaration
from warroom.errors import WarroomError
from warroom.playbook import Playbook
from warroom.text import one_line
from warroom.tui.messages import GoBack, OpenIncident
from warroom.tui.screens.dialogs import SeverityList
from warroom.tui.widgets.key_bar import KeyBar
from warroom.tui.widgets.plain_input import PlainInput


class DeclareScreen(Screen):
    """Everything needed to start the clock, on one screen at 80x24; ctrl+s (or the button) declares.

    The fields are one line each so that the severities, with their criteria, stay in view while the
    commander types the title and the impact.
    """

    BINDINGS = [
        # Not a priority binding: a priority key is handled ahead of the keys typed just before it, and
        # the title would be read before its last characters had reached the field.
        Binding("ctrl+s", "declare", "Declare"),
        Binding("escape", "back", "Back"),
        # Priority, and the focus moved at once: in a burst (a paste, tmux send-keys) the keys after a tab must
        # go to the next field. As Textual's own binding, tab ran only when the title field got to it, and the
        # impact typed after it had already been handed to the title field.
        Binding("tab", "move_focus(1)", "Next field", show=False, priority=True),
        Binding("shift+tab", "move_focus(-1)", "Previous field", show=False, priority=True),
    ]

    def __init__(self, playbook: Playbook, *, can_go_back: bool = False) -> None:
        super().__init__()
        self.playbook = playbook
        self.can_go_back = can_go_back

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="declare"):
            yield Static("Declare an incident: fill in, then ctrl+s", id="declare-title")
            still_open = self.app.store.open_incidents()
            if still_open:  # a second incident is sometimes right, never by accident
                named = ", ".join(f"{row.id} ({one_line(row.title)})" for row in still_open[:3])
                more = f" and {len(still_open) - 3} more" if len(still_open) > 3 else ""
                yield Static(
                    f"Still open: {named}{more}. Declaring starts another incident beside it.", id="declare-open",
                    markup=False,
                )
            # Errors under the heading, where they are seen (below the fields they would be off a small screen).
            yield Static(id="declare-error", markup=False)
            yield Label("Severity: up/down here (shift+tab from the title)", classes="declare-hint")
            yield SeverityList(self.playbook, id="severity")
            with Horizontal(classes="declare-field"):
                yield Label("Title", classes="declare-label")
                yield PlainInput(placeholder="what is broken: Checkout API returning 500s", id="title", compact=True)
            with Horizontal(classes="declare-field"):
                yield Label("Impact", classes="declare-label")
                yield PlainInput(placeholder="who and what is affected: EU customers cannot pay", id="impact", compact=True)
            with Horizontal(classes="declare-field"):
                yield Label("Runbook", classes="declare-label")
                yield Select(
                    [(Content(one_line(r.name)), r.id) for r in self.playbook.runbooks], prompt="none (optional)",
                    allow_blank=True,
                    id="runbook", compact=True,
                )
            with Horizontal(classes="declare-field"):
                yield Label("Started", classes="declare-label")
                yield PlainInput(value="now", placeholder="now, 14:02, -20m", id="started", compact=True)
                yield Label("Commander", classes="declare-label", id="commander-label")
                yield PlainInput(value=self.app.store.who(), id="commander", compact=True)
            yield Button("Declare and start the clock (ctrl+s)", variant="error", id="declare-button", compact=True)
        yield KeyBar()

    def on_mount(self) -> None:
        severities = self.query_one("#severity", OptionList)
        default = self.playbook.default_severity
        severities.highlighted = next(i for i, s in enumerate(self.playbook.severities) if s.id == default)
        self.query_one("#title", Input).focus()

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_severities)

    def _fit_severities(self) -> None:
        """Give the severities the rows the form leaves, so that every level and every field is in view."""
        form = self.query_one("#declare", VerticalScroll)
        severities = self.query_one("#severity", SeverityList)
        others = form.virtual_size.height - severities.outer_size.height
        severities.fit(max(len(self.playbook.severities), form.size.height - others))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_declare()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def action_declare(self) -> None:
        severity = self.query_one("#severity", OptionList).highlighted_option
        runbook = self.query_one("#runbook", Select).value
        try:
            payload = declaration(
                self.playbook,
                self.app.clock.now(),
                severity.id if severity and severity.id else "",
                self.query_one("#title", Input).value,
                self.query_one("#impact", Input).value,
                (runbook,) if isinstance(runbook, str) else (),
                self.query_one("#started", Input).value.strip() or None,
                None,
                self.query_one("#commander", Input).value,
            )
            event = self.app.store.declare(payload)
        except WarroomError as error:
            message = self.query_one("#declare-error", Static)
            message.update(f"✗ {one_line(error)}")
            message.display = True
            self.query_one("#declare", VerticalScroll).scroll_home(animate=False)
            self.call_after_refresh(self._fit_severities)  # one line less for them
            return
        self.post_message(OpenIncident(event.incident))

    def action_move_focus(self, direction: int) -> None:
        self.focus_next() if direction > 0 else self.focus_previous()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.can_go_back if action == "back" else True  # nowhere to go back to: no "esc Back" in the footer

    def action_back(self) -> None:
        if self.can_go_back:
            self.post_message(GoBack())
