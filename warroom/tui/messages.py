"""Where a screen asks to go: the app owns navigation and the screen stack; screens only post these."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message


@dataclass
class OpenIncident(Message):
    """Run this incident live in the console (an open one; one console at a time)."""

    incident_id: str


@dataclass
class ReplayIncident(Message):
    """Replay this incident as the room saw it (escape comes back)."""

    incident_id: str


@dataclass
class ShowBrowser(Message):
    """The incident browser, over the screen that asks."""


@dataclass
class ShowDeclare(Message):
    """The declare screen; `can_go_back` when there is a screen to return to."""

    can_go_back: bool = False


@dataclass
class ShowHelp(Message):
    """The help screen, with the keys of the screen that asks: (keys, what they do)."""

    keys: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class BackToPanes(Message):
    """A field (the command bar, a template's editor) gives the keyboard back to the panes."""


@dataclass
class GoBack(Message):
    """Leave the screen that asks; with nothing under it, leave warroom."""
