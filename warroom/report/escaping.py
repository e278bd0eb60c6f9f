"""Keeping typed text from breaking the report's Markdown (and `warroom stats`' lines)."""

from __future__ import annotations

import re
from typing import Any

_NEWLINES = re.compile(r"\s*(?:\r\n|\r|\n|\u2028|\u2029)\s*")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")  # what could open an HTML tag or comment
_PIPE = re.compile(r"(\\*)\|")


def _printable(text: str) -> str:
    return "".join(
        ch if ch.isprintable() or ch in " \n" else ("    " if ch == "\t" else ch.encode("unicode_escape").decode("ascii"))
        for ch in text
    )


def inline(text: Any) -> str:
    """User text as inline Markdown: one line, control characters shown, no HTML opened."""
    value = str(text)
    if not value.isprintable():  # newlines and control characters (the common case skips this)
        value = _printable(_NEWLINES.sub(" ⏎ ", value.strip()))
    return _TAG_START.sub("&lt;", value) if "<" in value else value


def cell(text: Any) -> str:
    """User text for a table cell: inline, and every `|` escaped (with any backslashes before it)."""
    value = inline(text)
    return _PIPE.sub(lambda m: m.group(1) * 2 + "\\|", value) if "|" in value else value


def fence_for(text: str) -> str:
    """A backtick fence longer than any run of backticks inside the text (at least three)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)
