"""The one error type every layer raises for bad input, and how a message quotes what it was given."""

from __future__ import annotations

from typing import Any


class WarroomError(Exception):
    """A problem with input (a playbook, argument, time, file or database), said in one line.

    `exit_code` is what the command line exits with: 2 for bad usage or input, 1 for a failed check.
    """

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


def quoted(value: Any, limit: int = 60) -> str:
    """What a person gave, quoted in a message: repr (controls and lone surrogates shown as escapes), and
    cut short, so that a megabyte of forged text stays one readable line."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
