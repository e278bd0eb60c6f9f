"""The help screen: the keys, and every word of the command language."""

from __future__ import annotations

from typing import Any, Iterable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.keys import format_key
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from warroom.commands import COMMANDS
from warroom.tui.widgets.hanging import hanging

# Keys that are Textual's own, not bindings of ours: said here, since no binding of ours carries them.
TEXTUAL_KEYS = [
    ("tab / shift+tab", "move between panes"),
    ("ctrl+p", "command palette: every action by name (the footer shows it from 100 columns)"),
]


def key_name(key: str) -> str:
    """A key as the help writes it: "?", ":", "space", "enter", "ctrl+q"."""
    shown = format_key(key)
    return shown if shown.isascii() else key


def key_rows(owners: Iterable[Any]) -> list[tuple[str, str]]:
    """The Keys table, read from the bindings themselves: a binding's tooltip says what it does.

    Bindings with the same tooltip (n on the ladder and on the console) make one row; a binding with no
    tooltip (the replay's, a dialog's) is not the console's to explain.
    """
    rows: dict[str, list[str]] = {}
    for owner in owners:
        for binding in owner.BINDINGS:
            if not isinstance(binding, Binding) or not binding.tooltip:
                continue
            keys = rows.setdefault(binding.tooltip, [])
            for key in binding.key.split(","):
                if key_name(key.strip()) not in keys:
                    keys.append(key_name(key.strip()))
    return [(" / ".join(keys), tooltip) for tooltip, keys in rows.items()]


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
    """The keys of the screen it opens over (from their bindings), and the command language."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss(None)", "Close help")]

    def __init__(self, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(Content.styled("Help · escape closes, up/down scroll", "$text-muted"), markup=False)
            yield Table("Keys", self.keys + TEXTUAL_KEYS, 16, "bold $accent", side_by_side=60)
            yield Table(
                "Commands (the command bar and `warroom act`)", list(COMMANDS.values()), 44, "bold", side_by_side=100
            )
            yield Static(
                "STEP is a number from the checklist (3), LIST.STEP (2.1) or words of the step. "
                "RUNG is a number, an id or words of a name. Times: 18:30, 30m, 1h30m. Escape closes.",
                markup=False,
            )
