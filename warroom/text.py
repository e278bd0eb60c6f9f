"""The one boundary outside text crosses on its way out: a rule each for the terminal, the clipboard, CSV, Markdown and JSON.

Titles, notes, alerts, roles, imported logs and playbooks are stored exactly as given. Whatever shows
them, copies them or writes them into a file calls one of these functions, and no other code escapes
text on its own. What each destination would act on:

- a terminal: C0 and C1 controls (ESC starts every escape sequence; 0x9b is CSI by itself), DEL, and
  the bidirectional overrides that reorder what the reader sees. Shown as visible escapes (`\\x1b`).
- a shell, through the clipboard: the same controls; ESC[201~ ends a bracketed paste and lets the
  rest of the text run as typed commands. Removed.
- a spreadsheet: a cell that starts with = + - @, a tab or a CR is a formula (OWASP); a line break
  that is not quoted starts a new row. Prefixed with ' (the quoting is `csv_writer`'s).
- a Markdown renderer: links, images, emphasis, code, HTML, entities, autolinks and table pipes.
  Escaped so that the text reads literally.
- JSON: the same controls as a terminal, written as \\u escapes, which parse back to the same string.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any, Iterable, NamedTuple, Sequence

# What a terminal acts on: C0, DEL and C1 controls, lone surrogates (not text at all), the
# bidirectional embeddings, overrides, isolates and marks, and the line and paragraph separators.
# Joiners (ZWJ in emoji sequences), variation selectors and every printable letter pass untouched.
_ACTIVE = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_ACTIVE_RE = re.compile(f"[{_ACTIVE}]")
_ACTIVE_BUT_NEWLINE_RE = re.compile(f"[{_ACTIVE.replace(chr(0) + '-', chr(0) + '-' + chr(9) + chr(11) + '-', 1)}]")
_ACTIVE_BUT_LAYOUT_RE = re.compile(f"[{_ACTIVE.replace(chr(0) + '-', chr(0) + '-' + chr(8) + chr(11) + '-', 1)}]")
_NEWLINES_RE = re.compile(r"\r\n|[\r\n\u2028\u2029]")
_TAB = "    "


def _visible(match: re.Match[str]) -> str:
    ch = match.group()
    if ch == "\t":
        return _TAB
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def is_inert(text: str) -> bool:
    """True when the text holds nothing a terminal would act on (not even a newline)."""
    return _ACTIVE_RE.search(text) is None


def for_terminal(text: Any, *, newlines: bool = False, tabs: bool = False) -> str:
    """Text for a terminal: every control shown as a visible escape like \\x1b (a tab as spaces).

    With `newlines`, a line break stays a line break (for a widget that wraps lines itself): CR LF,
    a lone CR and the Unicode separators all become one newline. With `tabs` (and `newlines`), a tab
    stays a tab, for a widget that expands tabs itself (Textual's TextArea).
    """
    value = text if isinstance(text, str) else str(text)
    if newlines:
        active = _ACTIVE_BUT_LAYOUT_RE if tabs else _ACTIVE_BUT_NEWLINE_RE
        if active.search(value) is None:
            return value  # the common case: nothing to do
        value = _NEWLINES_RE.sub("\n", value)
        return active.sub(_visible, value)
    if _ACTIVE_RE.search(value) is None:
        return value
    return _ACTIVE_RE.sub(_visible, value)


def one_line(text: Any) -> str:
    """Text for one line of a terminal: line breaks shown as ⏎, every other control as an escape."""
    value = text if isinstance(text, str) else str(text)
    if _ACTIVE_RE.search(value) is None:
        return value
    return for_terminal(_NEWLINES_RE.sub(" ⏎ ", value))


def control_in(text: str, *, layout: bool = True) -> str | None:
    """The first character a terminal would act on, written visibly (\\x1b), or None; with `layout`, a
    newline or a tab is not counted (a playbook's step may span lines)."""
    match = (_ACTIVE_BUT_LAYOUT_RE if layout else _ACTIVE_RE).search(text)
    return None if match is None else _visible(match) if match.group() != "\t" else "\\t"


class Cleaned(NamedTuple):
    """Text made safe to paste, and how many characters were taken out to make it so."""

    text: str
    removed: int


def for_clipboard(text: str) -> Cleaned:
    """Text for the clipboard: line breaks kept (as LF) and tabs kept; every other control removed.

    Nothing left can end a bracketed paste (ESC[201~), press enter by itself (a lone CR) or reorder
    what the reader sees before they paste it.
    """
    if _ACTIVE_BUT_NEWLINE_RE.search(text) is None:
        return Cleaned(text, 0)
    unified = text.replace("\r\n", "\n")
    kept = "".join(ch for ch in unified if ch == "\t" or _ACTIVE_BUT_NEWLINE_RE.match(ch) is None)
    return Cleaned(kept, len(unified) - len(kept))


def for_input(text: str) -> str:
    """What a one-line field takes from a paste: line breaks and tabs as spaces, every other control removed."""
    if _ACTIVE_RE.search(text) is None:
        return text
    return for_clipboard(_NEWLINES_RE.sub(" ", text).replace("\t", " ")).text


# --- CSV --------------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A cell a spreadsheet shows as text: one that could start a formula gets a leading '. A number is
    written as the number it is (-120 seconds stays a number a spreadsheet can add up)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = "" if value is None else str(value)
    if text.lstrip(" ").startswith(_FORMULA_START) or text.startswith(("\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")):
        return "'" + text
    return text


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    """Rows as CSV: every cell through `csv_cell`, every field quoted (so a CR or LF inside one cannot split a row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return buffer.getvalue()


# --- Markdown ----------------------------------------------------------------------------------------

# Every character that starts inline Markdown (emphasis, code, links, images, HTML, entities, tables,
# strikethrough), escaped wherever it stands; CommonMark renders a backslash-escaped ASCII
# punctuation character as itself, in every renderer. (A report of 100,000 alerts escapes 180,000 cells:
# one str.replace per character present, the backslash first, is ~4x str.translate with this table, which
# looks each character up in a dict; re.sub's template expansion was slower still.)
_MD_ALWAYS_CHARS = "\\`*_~[]()!<>&|#{}$^"
_MD_ALWAYS = tuple((ch, "\\" + ch) for ch in _MD_ALWAYS_CHARS)
# What makes an autolink (http://x, www.x, x@y.z, a bare domain with a linkify extension), escaped
# only there, so that "db-1." and "95%" stay as typed.
_MD_LINKISH = re.compile(r"(?<=\w)([.:@])(?=[\w/])")
# At the start of a line these would make a list item, a quote or a heading underline.
_MD_LINE_START = re.compile(r"^([-+=>:]|\d+(?=[.)]))")


def _escaped(match: re.Match[str]) -> str:
    return "\\" + match.group()


def md_inline(text: Any, *, line_start: bool = False) -> str:
    """User text inside a line of Markdown: one line, controls visible, every markup character escaped.

    `line_start`: the text begins a line, where "- x" or "1. x" would start a list (after the report's own
    "- **Impact:** " it cannot, and "+1-555-0101" stays as typed)."""
    value = one_line(text if isinstance(text, str) else str(text)).strip()
    for ch, escaped in _MD_ALWAYS:  # the backslash first: the ones added after it are not escaped again
        if ch in value:
            value = value.replace(ch, escaped)
    if "." in value or ":" in value or "@" in value:
        value = _MD_LINKISH.sub(_escaped, value)
    if line_start:
        value = _MD_LINE_START.sub(lambda m: m.group() + "\\" if m.group()[0].isdigit() else "\\" + m.group(), value, count=1)
    return value


def md_cell(text: Any) -> str:
    """User text in a Markdown table cell (`md_inline` already escapes every `|`)."""
    return md_inline(text)


def md_fence(text: str) -> tuple[str, str]:
    """Text for a fenced block, and a backtick fence longer than any run of backticks in it (at least three).

    Inside a fence Markdown is literal; the controls are still shown, since the file may be read at a terminal.
    """
    body = for_terminal(text, newlines=True)
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    return body, "`" * max(3, longest + 1)


# --- JSON --------------------------------------------------------------------------------------------


# json.dumps already writes C0 as \u escapes: any raw newline left in its output is indentation.
_JSON_RAW_RE = re.compile(f"[{_ACTIVE.replace(chr(0) + '-' + chr(0x1F), '', 1)}]")


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_text(value: Any, *, indent: int | None = None, sort_keys: bool = False, compact: bool = False) -> str:
    """JSON that keeps every string exactly and holds no raw control: C1, DEL, bidi controls and lone
    surrogates are written as \\u escapes (json already escapes C0), so the text is safe at a terminal and
    parses back to the same value."""
    separators = (",", ":") if compact else None
    out = json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=sort_keys, separators=separators)
    return _JSON_RAW_RE.sub(_json_escape, out)
