"""The declare screen: severity (with each level's criteria), title, impact, runbook, start and commander."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, OptionList, Select, Static

from warroom.commands import declaration
from warroom.errors import WarroomError
from warroom.playbook import Playbook
from warroom.store import login_name
from warroom.tui.screens.dialogs import severity_options


class DeclareScreen(Screen):
    """Everything needed to start the clock; ctrl+s (or the button) declares."""

    BINDINGS = [
        Binding("ctrl+s", "declare", "Declare", priority=True),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, playbook: Playbook, *, can_go_back: bool = False) -> None:
        super().__init__()
        self.playbook = playbook
        self.can_go_back = can_go_back

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="declare"):
            yield Static("Declare an incident", id="declare-title")
            yield Label("Severity (up/down to choose; each level's criteria are listed)")
            yield OptionList(*severity_options(self.playbook), id="severity")
            yield Label("Title: what is broken, in a few words")
            yield Input(placeholder="Checkout API returning 500s", id="title")
            yield Label("Impact: who and what is affected")
            yield Input(placeholder="EU customers cannot pay", id="impact")
            yield Label("Runbook to attach (optional)")
            yield Select(
                [(f"{r.name}", r.id) for r in self.playbook.runbooks], prompt="none", allow_blank=True, id="runbook"
            )
            with Horizontal(id="declare-when"):
                with VerticalScroll():
                    yield Label("Started (now, 14:02, -20m)")
                    yield Input(value="now", id="started")
                with VerticalScroll():
                    yield Label("Incident commander")
                    yield Input(value=login_name(), id="commander")
            yield Static(id="declare-error", markup=False)
            yield Button("Declare and start the clock (ctrl+s)", variant="error", id="declare-button")
        yield Footer()

    def on_mount(self) -> None:
        severities = self.query_one("#severity", OptionList)
        severities.highlighted = min(1, len(self.playbook.severities) - 1)  # the middle of the road by default
        self.query_one("#title", Input).focus()

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
            message.update(f"Cannot declare: {error}")
            message.display = True
            return
        self.app.open_incident(event.incident)

    def action_back(self) -> None:
        if self.can_go_back:
            self.app.pop_screen()
