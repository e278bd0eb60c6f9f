"""Hostile text in every field of an incident: the Markdown report reads it literally and holds no control
character; the CSV timeline keeps one row per event and never starts a formula.

Each string of tests/hostile.py goes in as the title, the impact, a note, an alert, a role and the name
in it, the actor of every event, a copied message and a copied number, a checked step, a status, an
unknown kind of event, and (where the playbook loader accepts it) as every name and step of the playbook.
"""

from __future__ import annotations

import copy
import csv
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from markdown_it import MarkdownIt

from conftest import declaration_payload
from hostile import HOSTILE
from warroom import events as kinds
from warroom import report
from warroom.text import control_in
from warroom.clock import FakeClock
from warroom.errors import WarroomError
from warroom.events import Event
from warroom.playbook import Playbook, load_playbook, playbook_from_data
from warroom.report.spreadsheet import IN_FULL
from warroom.report.timeline import is_message_copy
from warroom.store import Store

START = datetime(2026, 11, 26, 18, 0, tzinfo=timezone.utc)
HARMLESS = "plain words"

# GitHub-like rendering (as tests/test_text.py): tables, strikethrough, bare links, raw HTML.
MARKDOWN = MarkdownIt("commonmark", {"linkify": True, "html": True}).enable(["table", "strikethrough", "linkify"])
# A renderer that trusts every link: markdown-it itself drops javascript: URLs, many renderers do not.
MARKDOWN.validateLink = lambda url: True

# What must not be in the file as it is: C0 but the newline (tab included), DEL, C1, the bidi controls and
# marks, the Unicode line separators.
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

# Tokens the report never writes itself: any of them came from the text.
NEVER_OURS = {"link_open", "image", "code_inline", "html_inline", "html_block", "s_open", "hardbreak", "softbreak"}


@pytest.fixture(autouse=True)
def _local_time_is_utc(utc_local_time: None) -> None:
    """The report says local times: the same on every machine."""


def hostile_playbook(value: str) -> Playbook | None:
    """The bundled playbook with `value` as every name, step and contact; None when the loader refuses such a
    playbook (it refuses control characters, for one). Ids are letters, digits, - and _ only: the loader
    refuses any other (tests/test_playbook_strict.py), so hostile text reaches the report as names."""
    data = copy.deepcopy(load_playbook().data)
    data["name"] = value
    for severity in data["severities"]:
        severity["name"] = value
    for group in ("phases", "runbooks"):
        for entry in data[group]:
            entry["name"] = value
            entry["steps"] = [value] + entry["steps"][1:]
    for contact in data["contacts"]:
        contact["name"] = contact["phone"] = value
    for rung in data["ladder"]:
        rung["name"] = value
    try:
        return playbook_from_data(data, "a hostile playbook")
    except WarroomError:
        return None


def incident(store: Store, clock: FakeClock, value: str, playbook: Playbook | None = None) -> list[Event]:
    """An incident with `value` in every field text can go: typed, scripted, and copied."""
    playbook = playbook or load_playbook()
    severity = "P1" if any(s.id == "P1" for s in playbook.severities) else value
    clock.set(START)
    payload = declaration_payload(playbook, START, severity, value, impact=value, runbooks=["database"], commander=value)
    incident_id = store.declare(payload, actor=value).incident
    for minutes, kind, fields in [
        (1, kinds.NOTE, {"text": value}),
        (2, kinds.ALERT, {"text": value}),
        (3, kinds.ROLE, {"role": value, "name": value}),
        (4, kinds.IMPACT, {"impact": value}),
        (5, kinds.TITLE, {"title": value}),
        (6, kinds.CHECK, {"list": "detection", "step": 1, "text": value}),
        (7, kinds.CHECK, {"list": value, "step": value, "text": value}),  # a list and a step no playbook has
        (8, kinds.NOTIFY, {"rung": "oncall"}),
        (9, kinds.ACK, {"rung": "oncall"}),
        (10, kinds.PHASE, {"phase": "containment"}),
        (11, kinds.COPIED, {"what": "customer", "name": value, "text": value, "via": "clipboard"}),
        (12, kinds.COPIED, {"what": "contact", "name": value, "text": value, "via": value}),
        (13, kinds.STATUS, {"status": value}),
        (14, value, {"text": value}),  # a kind this version does not know
    ]:
        clock.set(START + timedelta(minutes=minutes))
        store.append(incident_id, kind, fields, actor=value)
    clock.set(START + timedelta(minutes=20))
    store.append(incident_id, kinds.NOTE, {"text": value}, actor=value, at=START + timedelta(minutes=1, seconds=30))
    clock.set(START + timedelta(minutes=30))
    return store.events(incident_id)


def shape(markdown: str) -> list[tuple[str, ...]]:
    """The report's structure as a renderer sees it: every block token, and every inline token that is not text."""
    found = []
    for token in MARKDOWN.parse(markdown):
        found.append((token.type, token.tag, str(token.level)))
        for child in token.children or []:
            if child.type not in ("text", "text_special"):
                found.append(("inline", child.type, child.tag))
    return found


def markup_from_text(markdown: str) -> list[str]:
    tokens = MARKDOWN.parse(markdown)
    return [t.type for t in tokens if t.type in NEVER_OURS] + [
        child.type for t in tokens for child in t.children or [] if child.type in NEVER_OURS
    ]


@pytest.fixture
def harmless(store: Store, clock: FakeClock) -> str:
    """The same incident with plain words in every field: the report's own markup, and nothing else."""
    return report.markdown_report(incident(store, clock, HARMLESS), clock.now())


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_markdown_has_only_the_reports_own_markup(name: str, store: Store, clock: FakeClock, harmless: str) -> None:
    markdown = report.markdown_report(incident(store, clock, HOSTILE[name]), clock.now())
    assert markup_from_text(harmless) == []  # the report itself has no link, image, code span or HTML
    assert markup_from_text(markdown) == []
    assert shape(markdown) == shape(harmless)  # the same headings, lists, tables, cells, emphasis and fences


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_markdown_holds_no_raw_control_character(name: str, store: Store, clock: FakeClock) -> None:
    markdown = report.markdown_report(incident(store, clock, HOSTILE[name]), clock.now())
    found = RAW_CONTROL.search(markdown)
    assert found is None, markdown[max(0, found.start() - 60): found.end() + 60]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_copied_message_is_whole_in_its_fence(name: str, store: Store, clock: FakeClock) -> None:
    """Inside the fence the message reads as sent, line for line (controls shown as escapes, CR LF as LF)."""
    value = HOSTILE[name]
    tokens = MARKDOWN.parse(report.markdown_report(incident(store, clock, value), clock.now()))
    fences = [t for t in tokens if t.type == "fence"]
    assert len(fences) == 1 and fences[0].info == "text"
    shown = fences[0].content.removesuffix("\n")
    expected = re.sub(r"\r\n|[\r\u2028\u2029]", "\n", value).removesuffix("\n")
    if RAW_CONTROL.search(expected) is None:
        assert shown == expected
    else:
        assert shown.count("\n") == expected.count("\n")


# The loader refuses a playbook holding a control character (tests/test_playbook.py checks that); the rest of
# the corpus reaches the report through the playbook's names.
PLAYBOOK_TEXTS = sorted(name for name in HOSTILE if control_in(HOSTILE[name]) is None)


@pytest.mark.parametrize("name", PLAYBOOK_TEXTS)
def test_a_hostile_playbook_reads_literally_too(name: str, store: Store, clock: FakeClock) -> None:
    playbook = hostile_playbook(HOSTILE[name])
    assert playbook is not None
    plain = hostile_playbook(HARMLESS)
    assert plain is not None
    harmless_report = report.markdown_report(incident(store, clock, HARMLESS, plain), clock.now())
    markdown = report.markdown_report(incident(store, clock, HOSTILE[name], playbook), clock.now())
    assert markup_from_text(markdown) == []
    assert shape(markdown) == shape(harmless_report)
    assert RAW_CONTROL.search(markdown) is None


def test_what_a_reader_sees_is_what_was_typed(store: Store, clock: FakeClock) -> None:
    """Escaped, the note renders as its own characters: nothing is lost to the escaping."""
    for name in ("md-image", "md-link-js", "md-emphasis", "md-code", "md-html", "md-autolink", "md-entity", "csv-formula"):
        value = HOSTILE[name]
        markdown = report.markdown_report(incident(store, clock, value), clock.now())
        cells = ["".join(child.content for child in t.children) for t in MARKDOWN.parse(markdown) if t.type == "inline"]
        assert f"Note: {value}" in cells, name  # the note's row in the timeline


# --- the CSV timeline ----------------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def as_text(cell: str, expected: str) -> bool:
    """The cell holds the text exactly, behind at most one ' (what keeps a formula from running)."""
    return cell == expected or cell == "'" + expected


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_csv_has_one_row_per_event_and_no_formula(name: str, store: Store, clock: FakeClock) -> None:
    value = HOSTILE[name]
    events = incident(store, clock, value)
    rows = list(csv.reader(io.StringIO(report.timeline_csv(events), newline="")))
    assert rows[0] == list(report.CSV_COLUMNS)
    assert len(rows) == 1 + len(events)  # no text split a row, and none forged one
    assert {len(row) for row in rows} == {len(report.CSV_COLUMNS)}
    for row in rows:
        for cell in row:
            assert not cell.lstrip(" ").startswith(FORMULA_START), (name, row)
    # Each cell is the text itself, behind at most one ': the entries in happened order, as the walk says them.
    entries, _state = report.walk(events)
    for row, entry in zip(rows[1:], entries):
        event = entry.event
        assert as_text(row[3], event.actor) and as_text(row[4], event.kind), (name, row)
        said = entry.description + (IN_FULL if is_message_copy(event) else "")
        assert as_text(row[5], said), (name, row)  # a role's sentence starts with the name in it
    by_kind = {row[4].removeprefix("'"): row for row in rows[1:]}
    assert by_kind[kinds.ALERT][5] == f"Alert: {value}" and as_text(by_kind[kinds.ALERT][3], value)
    assert [row[5] for row in rows[1:] if row[4] == kinds.NOTE] == [f"Note: {value}"] * 2


def test_a_lone_cr_in_a_note_cannot_forge_a_row(store: Store, clock: FakeClock) -> None:
    """csv.writer quotes a field with a CR only when the row ends in one: a note 'ok<CR>=HYPERLINK(1)' used to
    end its row there and start a forged one whose first cell was a live formula."""
    events = incident(store, clock, "all good\r=HYPERLINK(1)")
    text = report.timeline_csv(events)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 1 + len(events)
    assert [row[5] for row in rows if row[4] == kinds.NOTE] == ["Note: all good\r=HYPERLINK(1)"] * 2
    assert {row[3] for row in rows[1:]} == {"all good\r=HYPERLINK(1)"}  # the actor's cell too: one cell, not two
