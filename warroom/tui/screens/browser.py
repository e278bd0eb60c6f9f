"""The incident browser: every incident, filtered as you type; open one to resume it or replay it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from warroom.clock import format_duration, local_hm
from warroom.store import IncidentRow
from warroom.text import one_line


def matches(row: IncidentRow, query: str) -> bool:
    """Words search the title; `status:resolved`, `status:open` and `sev:P1` filter."""
    for word in query.lower().split():
        if word.startswith("status:"):
            wanted = word.split(":", 1)[1]
            if (row.status == "resolved") if wanted == "open" else not row.status.startswith(wanted):
                return False
        elif word.startswith("sev:"):
            if row.severity.lower() != word.split(":", 1)[1]:
                return False
        elif word not in row.title.lower():
            return False
    return True


class BrowserScreen(Screen):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static("Incidents: type to filter (words, status:open, status:resolved, sev:P1); enter opens", id="picker-title")
            yield Input(placeholder="filter", id="browser-filter")
            yield OptionList(id="incidents")
        yield Footer()

    def on_mount(self) -> None:
        store = self.app.store
        self.rows = store.incidents()
        self.verified = {row.id: store.verify(row.id) is None for row in self.rows}
        self._show("")
        self.query_one(Input).focus()

    def _show(self, query: str) -> None:
        now = self.app.clock.now()
        options = []
        for row in self.rows:
            if not matches(row, query):
                continue
            end = row.resolved_at or now
            action = "replay" if row.status == "resolved" else "resume"
            options.append(
                Option(
                    Content.assemble(
                        (f"{row.id:<8}", "bold"),
                        (f" {row.severity:<5}", "bold $warning"),
                        f" {row.status:<13} {local_hm(row.started_at)} {format_duration(end - row.started_at, seconds=False):>7}  ",
                        ("log ok  " if self.verified[row.id] else "LOG BROKEN  ", "$success" if self.verified[row.id] else "bold $error"),
                        one_line(row.title),
                        (f"  ({action})", "$text-muted"),
                    ),
                    id=row.id,
                )
            )
        listing = self.query_one(OptionList)
        listing.set_options(options)
        if options:
            listing.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        listing = self.query_one(OptionList)
        if listing.highlighted_option is not None:
            self._open(listing.highlighted_option.id)
        else:
            listing.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._open(event.option.id)

    def _open(self, incident_id: str | None) -> None:
        row = next((r for r in self.rows if r.id == incident_id), None)
        if row is None:
            return
        if row.status == "resolved":
            from warroom.tui.screens.replay import ReplayScreen

            self.app.switch_screen(ReplayScreen(row.id))
        else:
            self.app.open_incident(row.id)
