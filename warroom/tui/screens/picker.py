"""The picker: several incidents are open; choose which to run (or declare another)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from warroom.clock import format_duration, local_hm
from warroom.store import IncidentRow
from warroom.text import one_line
from warroom.tui.messages import OpenIncident, ShowDeclare
from warroom.tui.widgets.key_bar import KeyBar


class PickerScreen(Screen):
    BINDINGS = [Binding("d", "declare", "Declare new")]

    def __init__(self, incidents: list[IncidentRow]) -> None:
        super().__init__()
        self.incidents = incidents

    def compose(self) -> ComposeResult:
        now = self.app.clock.now()
        with Vertical(id="picker"):
            yield Static(f"{len(self.incidents)} incidents are open: choose one (enter)", id="picker-title")
            options = [
                Option(
                    Content.assemble(
                        (f"{row.id:<8}", "bold"),
                        (f" {row.severity:<5}", "bold $error"),
                        f" {row.status:<13} started {local_hm(row.started_at)}, {format_duration(now - row.started_at, seconds=False)} ago  ",
                        one_line(row.title),
                    ),
                    id=row.id,
                )
                for row in self.incidents
            ]
            options.append(Option(Content.styled("+ Declare a new incident", "bold $accent"), id="+declare"))
            yield OptionList(*options, id="incidents")
        yield KeyBar()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id == "+declare":
            self.action_declare()
        elif event.option.id:
            self.post_message(OpenIncident(event.option.id))

    def action_declare(self) -> None:
        self.post_message(ShowDeclare(can_go_back=True))
