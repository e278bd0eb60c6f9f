"""The boundary (warroom.text): for any string, each destination gets nothing it would act on."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from hypothesis import given, settings, strategies as st
from markdown_it import MarkdownIt

from hostile import ACTIVE, HOSTILE
from warroom import text

# Any code point at all, controls and lone surrogates included, weighted towards the dangerous ones.
any_text = st.text(
    st.one_of(
        st.characters(codec=None),
        st.characters(min_codepoint=0, max_codepoint=0x9F),
        st.sampled_from(["\x1b", "\x9b", "\u202e", "\u2066", "\ud800", "\udfff", "\r", "\n", "\t", "\u200d"]),
        st.sampled_from(list("=+-@[]()!<>&|#*_`~\\:./")),
    ),
    max_size=60,
)

SURROGATE = re.compile("[\ud800-\udfff]")

# GitHub-like rendering: tables, strikethrough and bare links.
MARKDOWN = MarkdownIt("commonmark", {"linkify": True, "html": True}).enable(["table", "strikethrough", "linkify"])


def rendered_inline(markdown: str) -> list:
    """The inline tokens a renderer makes of one paragraph of Markdown."""
    tokens = MARKDOWN.parse(markdown)
    return [child for token in tokens if token.type == "inline" for child in token.children or []]


@given(any_text)
@settings(max_examples=400, deadline=None)  # what it checks is the text, not the time (a loaded box took 250 ms)
def test_nothing_a_terminal_acts_on_reaches_it(value: str) -> None:
    assert not ACTIVE.search(text.for_terminal(value))
    assert not ACTIVE.search(text.one_line(value))
    wrapped = text.for_terminal(value, newlines=True)
    assert not ACTIVE.search(wrapped.replace("\n", ""))
    assert "\r" not in wrapped


@given(any_text)
def test_terminal_text_hides_nothing(value: str) -> None:
    """Printable text is kept as it is; a control shows as an escape naming its code."""
    shown = text.for_terminal(value)
    for ch in value:
        if not ACTIVE.match(ch):
            assert ch in shown
    assert shown.count("\\x1b") >= value.count("\x1b")


@given(any_text)
@settings(max_examples=400, deadline=None)  # what it checks is the text, not the time (a loaded box took 250 ms)
def test_a_paste_of_the_clipboard_cannot_end_a_bracketed_paste_or_press_enter(value: str) -> None:
    cleaned = text.for_clipboard(value)
    assert "\x1b" not in cleaned.text and "\r" not in cleaned.text and "\x9b" not in cleaned.text
    assert not ACTIVE.search(cleaned.text.replace("\n", "").replace("\t", ""))
    # Only what was taken out is counted, and everything else is kept in order.
    unified = value.replace("\r\n", "\n")
    assert cleaned.removed == len(unified) - len(cleaned.text)
    assert [ch for ch in unified if ch in "\n\t" or not ACTIVE.match(ch)] == list(cleaned.text)


def test_the_clipboard_keeps_line_breaks_and_says_what_it_removed() -> None:
    assert text.for_clipboard("Title: ok\r\nImpact: all") == ("Title: ok\nImpact: all", 0)
    assert text.for_clipboard(HOSTILE["bracketed-paste-end"]) == (
        "ok[201~; touch /tmp/warroom-pwned-paste; echo ", 1
    )


@given(any_text)
@settings(max_examples=300, deadline=None)  # what it checks is the text, not the time (a loaded box took 250 ms)
def test_no_csv_cell_is_a_formula_and_no_field_splits_a_row(value: str) -> None:
    document = text.csv_text([["T+0:00:01", value, "after"]])
    rows = list(csv.reader(io.StringIO(document, newline="")))
    assert len(rows) == 1 and len(rows[0]) == 3
    cell = rows[0][1]
    assert not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell == value or cell == "'" + value  # the text itself is kept, behind one '


@pytest.mark.parametrize("name", ["csv-formula", "csv-plus", "csv-minus", "csv-at", "csv-tab"])
def test_owasp_formula_cells_get_a_quote(name: str) -> None:
    rows = list(csv.reader(io.StringIO(text.csv_text([[HOSTILE[name]]]), newline="")))
    assert rows == [["'" + HOSTILE[name]]]


def test_a_cr_inside_a_cell_is_quoted() -> None:
    assert text.csv_text([["a\rb", "c"]]) == '"a\rb","c"\r\n'
    rows = list(csv.reader(io.StringIO(text.csv_text([["18:01", HOSTILE["csv-cr-row"]]]), newline="")))
    assert rows == [["18:01", HOSTILE["csv-cr-row"]]]  # one row: no forged row with a formula in it


MARKUP_TOKENS = {"link_open", "image", "em_open", "strong_open", "code_inline", "html_inline", "s_open", "softbreak", "hardbreak"}


@given(any_text)
@settings(max_examples=400, deadline=None)  # what it checks is the text, not the time (a loaded box took 250 ms)
def test_markdown_reads_literally(value: str) -> None:
    """Rendered, user text gives one paragraph of plain text: no link, image, emphasis, code or HTML."""
    escaped = text.md_inline(value)
    line = f"- note: {escaped}"
    tokens = MARKDOWN.parse(line)
    assert [t.type for t in tokens] == [
        "bullet_list_open", "list_item_open", "paragraph_open", "inline", "paragraph_close", "list_item_close",
        "bullet_list_close",
    ]
    children = rendered_inline(line)
    assert {child.type for child in children} <= {"text", "text_special"}
    assert not ACTIVE.search(escaped)


# Each markup character with one backslash before it, all at once: the reference md_inline's escaping must equal.
ESCAPED_AT_ONCE = str.maketrans({ch: "\\" + ch for ch in "\\`*_~[]()!<>&|#{}$^"})


@given(st.text(alphabet=st.sampled_from("\\`*_~[]()!<>&|#{}$^ ab\\\\"), max_size=40))
@settings(max_examples=300, deadline=None)
def test_every_markup_character_gets_exactly_one_backslash(value: str) -> None:
    assert text.md_inline(value) == value.strip().translate(ESCAPED_AT_ONCE)


@given(any_text)
@settings(max_examples=200, deadline=None)  # what it checks is the text, not the time (a loaded box took 250 ms)
def test_a_table_cell_stays_one_cell(value: str) -> None:
    table = f"| when | what |\n| --- | --- |\n| 18:01 | {text.md_cell(value)} |\n"
    tokens = MARKDOWN.parse(table)
    cells = [t for t in tokens if t.type == "td_open"]
    assert len(cells) == 2
    inline = [t for t in tokens if t.type == "inline"]
    assert all(child.type in ("text", "text_special") for token in inline for child in token.children or [])


@pytest.mark.parametrize("name", [n for n in HOSTILE if n.startswith("md-")])
def test_markdown_attacks_render_as_their_own_text(name: str) -> None:
    value = HOSTILE[name]
    html = MARKDOWN.render(f"Note: {text.md_inline(value)}")
    assert "<a " not in html and "<img" not in html and "<em>" not in html and "<code>" not in html
    assert "<script" not in html and "<strong>" not in html and "<h1" not in html and "<table" not in html
    # What a reader sees is what was typed, on one line (line breaks shown as ⏎).
    plain = "".join(child.content for child in rendered_inline(f"Note: {text.md_inline(value)}"))
    assert plain == "Note: " + text.one_line(value).strip()


def test_markdown_leaves_ordinary_punctuation_alone() -> None:
    assert text.md_inline("db-1 at 95% again.") == "db-1 at 95% again."


@given(any_text)
@settings(max_examples=200, deadline=None)  # what it checks is the text, not the time (a loaded box took 250 ms)
def test_a_fence_holds_any_text(value: str) -> None:
    body, fence = text.md_fence(value)
    tokens = MARKDOWN.parse(f"{fence}text\n{body}\n{fence}\n")
    assert tokens[0].type == "fence" and len(tokens) == 1
    assert not ACTIVE.search(body.replace("\n", ""))


@given(st.recursive(any_text, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3), max_leaves=8))
@settings(max_examples=300, deadline=None)  # what it checks is the text, not the time (a loaded box took 250 ms)
def test_json_round_trips_every_string_and_holds_no_raw_control(value: object) -> None:
    # A lone high surrogate before a lone low one reads back from JSON as the pair's one character ("\\ud800\\udfff"
    # is U+103FF in JSON): no JSON can tell them apart. The log never holds one (the store refuses a lone
    # surrogate, tests/test_hostile_cli.py), so what must round-trip is every string without them.
    storable = not SURROGATE.search(json.dumps(value, ensure_ascii=False))
    for form in (text.json_text(value), text.json_text(value, indent=2), text.json_text(value, compact=True, sort_keys=True)):
        assert not ACTIVE.search(form.replace("\n", ""))
        if storable:
            assert json.loads(form) == value


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_every_hostile_string_is_inert_at_every_destination(name: str) -> None:
    value = HOSTILE[name]
    assert not ACTIVE.search(text.one_line(value))
    assert "\x1b" not in text.for_clipboard(value).text
    assert json.loads(text.json_text(value)) == value


def test_emoji_and_wide_text_pass_as_they_are() -> None:
    assert text.for_terminal(HOSTILE["zwj-emoji"]) == HOSTILE["zwj-emoji"]
    assert text.for_terminal(HOSTILE["cjk-wide"]) == HOSTILE["cjk-wide"]
    assert text.is_inert(HOSTILE["cjk-wide"]) and not text.is_inert("a\nb")


@given(any_text)
@settings(max_examples=200, deadline=None)  # what it checks is the text, not the time (a loaded box took 250 ms)
def test_text_that_begins_a_line_starts_no_list_quote_or_heading(value: str) -> None:
    tokens = MARKDOWN.parse(text.md_inline(value, line_start=True) or "x")
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]


def test_numbers_stay_numbers_in_csv_and_as_typed_in_markdown() -> None:
    assert text.csv_text([[-120, 3.5, "-120"]]) == '"-120","3.5","\'-120"\r\n'
    assert text.md_inline("+1-555-0101") == "+1-555-0101"


def test_json_of_text_with_a_lone_surrogate_pair_is_still_inert() -> None:
    form = text.json_text(["\ud800\udfff", "\udc00"])
    assert not ACTIVE.search(form) and form == '["\\ud800\\udfff", "\\udc00"]'
