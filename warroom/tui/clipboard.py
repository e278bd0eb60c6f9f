"""Copying text out of the console: the system clipboard where there is one, else the terminal's OSC 52."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any

import pyperclip

from warroom.text import for_clipboard


@dataclass(frozen=True)
class CopyResult:
    via: str | None  # "clipboard" or "osc52"; None when neither worked
    problem: str = ""
    text: str = ""  # what was put on the clipboard
    removed: int = 0  # control characters left out of it


def has_system_clipboard() -> bool:
    """A desktop session to talk to: always on macOS and Windows, on Linux only with a display."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def copy_to_system(text: str) -> str:
    """Copy with pyperclip and read it back; returns the problem, or '' when the clipboard holds the text."""
    if not has_system_clipboard():
        return "no system clipboard here (no display)"
    try:
        pyperclip.copy(text)
        if pyperclip.paste() != text:  # some mechanisms fail without saying so
            return "the system clipboard did not take the text"
    except pyperclip.PyperclipException as error:
        return str(error).splitlines()[0] if str(error) else "no clipboard mechanism (install xclip or xsel)"
    except OSError as error:
        return f"the clipboard tool failed ({error})"
    return ""


def copy_text(text: str, app: Any) -> CopyResult:
    """pyperclip first; else OSC 52 through the terminal (works over SSH and in tmux with set-clipboard).

    What is copied is the text with every control character left out (warroom.text.for_clipboard)."""
    text, removed = for_clipboard(text)
    problem = copy_to_system(text)
    if not problem:
        return CopyResult("clipboard", text=text, removed=removed)
    driver = getattr(app, "_driver", None)
    if driver is None:
        return CopyResult(None, f"{problem}; and no terminal to send OSC 52 to")
    try:
        app.copy_to_clipboard(text)
    except Exception as error:  # the terminal write itself failed: say so rather than crash
        return CopyResult(None, f"{problem}; OSC 52 failed too ({error})")
    return CopyResult("osc52", problem, text=text, removed=removed)
