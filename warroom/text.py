"""Making text that people and scripts typed safe to show: control characters are shown, never obeyed."""

from __future__ import annotations

_VISIBLE = {"\t": "    "}


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """The text with every control character (ESC, BEL, CR, ...) written out as an escape like \\x1b."""
    out = []
    for ch in text:
        if ch.isprintable() or ch == " " or (keep_newlines and ch == "\n"):
            out.append(ch)
        elif ch in _VISIBLE:
            out.append(_VISIBLE[ch])
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    return "".join(out)


def one_line(text: str) -> str:
    """Printable and on one line (newlines shown as ⏎)."""
    return printable(text.replace("\r\n", "\n").replace("\n", " ⏎ "))
