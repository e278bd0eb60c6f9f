"""The help screen: the keys, and every word of the command language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from warroom.commands import COMMANDS

KEYS = [
    (":", "command bar: type a command, or just a note; tab completes, escape leaves"),
    ("space / enter", "tick or untick the step under the cursor (checklist); open or close a phase"),
    ("n / a", "notify / acknowledge: the rung under the cursor in the ladder, else the rung due"),
    ("p", "move to the next phase"),
    ("s  e  i", "status, ETA, impact: start that command in the bar"),
    ("v", "change severity (asks first)"),
    ("R", "resolve the incident (asks first)"),
    ("y", "copy the message template on screen (Templates tab)"),
    ("o", "timeline order: as recorded, or as it happened"),
    ("l", "incident browser: resume an open incident, replay a resolved one"),
    ("tab / shift+tab", "move between panes"),
    ("ctrl+p", "command palette: every action by name"),
    ("?", "this help"),
    ("ctrl+q", "quit (the incident stays open; `warroom` resumes it)"),
]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss(None)", "Close help")]

    def compose(self) -> ComposeResult:
        keys = Content("\n").join(
            Content.assemble((f"  {key:<16}", "bold $accent"), text) for key, text in KEYS
        )
        commands = Content("\n").join(
            Content.assemble((f"  {usage:<44}", "bold"), text) for usage, text in COMMANDS.values()
        )
        with VerticalScroll(id="help"):
            yield Static(Content.assemble(("Keys", "bold underline"), "\n", keys), markup=False)
            yield Static(Content.assemble(("\nCommands (the command bar and `warroom act`)", "bold underline"), "\n", commands))
            yield Static(
                "\nSTEP is a number from the checklist (3), LIST.STEP (2.1) or words of the step. "
                "RUNG is a number, an id or words of a name. Times: 18:30, 30m, 1h30m. Escape closes.",
                markup=False,
            )
