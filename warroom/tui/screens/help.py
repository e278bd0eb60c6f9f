"""The help screen: the keys, and every word of the command language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from warroom.commands import COMMANDS
from warroom.tui.widgets.hanging import hanging

KEYS = [
    (":", "command bar: type a command, or just a note; tab completes, escape leaves"),
    ("space / enter", "tick or untick the step under the cursor (checklist); open or close a phase"),
    ("n / a", "notify / acknowledge: the rung under the cursor in the ladder, else the rung due"),
    ("p", "move to the next phase"),
    ("s  e  i", "status, ETA, impact: start that command in the bar"),
    ("v", "change severity (asks first)"),
    ("R", "resolve the incident (asks first); once resolved, R reopens it (asks first)"),
    ("y", "copy the message template on screen (Templates tab)"),
    ("o", "timeline order: as recorded, or as it happened"),
    ("l", "incident browser: resume an open incident, replay a resolved one"),
    ("tab / shift+tab", "move between panes"),
    ("ctrl+p", "command palette: every action by name (the footer shows it from 100 columns)"),
    ("?", "this help"),
    ("ctrl+q", "quit (the incident stays open; `warroom` resumes it)"),
]


class Table(Static):
    """Two columns, the second wrapped under itself; narrower than `side_by_side`, it goes under the first."""

    def __init__(self, heading: str, rows: list[tuple[str, str]], first_width: int, first_style: str, side_by_side: int) -> None:
        super().__init__(markup=False)
        self.heading, self.rows = heading, rows
        self.first_width, self.first_style, self.side_by_side = first_width, first_style, side_by_side

    def on_resize(self) -> None:
        width = self.content_region.width
        lines = [Content.styled(self.heading, "bold underline")]
        for first, second in self.rows:
            if width >= self.side_by_side:
                lines.append(hanging(Content.styled(f"  {first:<{self.first_width}}", self.first_style), Content(second), width))
            else:
                lines.append(Content.styled(f"  {first}", self.first_style))
                lines.append(hanging(Content("      "), Content(second), width))
        self.update(Content("\n").join(lines))


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss(None)", "Close help")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(Content.styled("Help · escape closes, up/down scroll", "$text-muted"), markup=False)
            yield Table("Keys", KEYS, 16, "bold $accent", side_by_side=60)
            yield Table(
                "Commands (the command bar and `warroom act`)", list(COMMANDS.values()), 44, "bold", side_by_side=100
            )
            yield Static(
                "STEP is a number from the checklist (3), LIST.STEP (2.1) or words of the step. "
                "RUNG is a number, an id or words of a name. Times: 18:30, 30m, 1h30m. Escape closes.",
                markup=False,
            )
