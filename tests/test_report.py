"""The post-incident report (Markdown, CSV) of a fixed scripted incident, and metrics across incidents."""

from __future__ import annotations

import csv
import io
import json
import os
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from warroom import events as kinds
from warroom import report
from warroom.cli import Context, cli
from warroom.clock import FakeClock
from warroom.commands import declaration, parse
from warroom.incident import state_of
from warroom.playbook import Playbook, load_playbook
from warroom.store import Store

UTC = timezone.utc
START = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)  # 15:00 in the report's time zone (CET)
COPIED_TEXT = (
    "We are currently experiencing Checkout API returning 502s.\n"
    "Impact: EU customers | cannot pay\n"
    "Status: fixing, see ``` fence below\n"
)


@pytest.fixture(autouse=True)
def central_european_time() -> Iterator[None]:
    """Local time is CET (UTC+1 in November) for every test here, whatever the machine says."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "CET-1CEST,M3.5.0,M10.5.0/3"
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "report.db"


@pytest.fixture
def store(db: Path, clock: FakeClock) -> Iterator[Store]:
    with Store(db, clock=clock) as opened:
        yield opened


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def act(store: Store, clock: FakeClock, incident: str, minute: float, line: str, actor: str = "alice",
        backfill_to: float | None = None) -> None:
    """At `minute` after the start, someone types `line` (with --at, when backfilling)."""
    clock.set(at(minute))
    action = parse(line, state_of(store.events(incident)), clock.now())
    store.append(incident, action.kind, action.payload, actor=actor, at=at(backfill_to) if backfill_to is not None else action.at)


def scripted(store: Store, clock: FakeClock) -> str:
    """A P2 that became a P1: started 14:00 UTC, declared at 14:03, resolved at 14:50."""
    playbook = load_playbook()
    clock.set(at(3))
    payload = declaration(
        playbook, clock.now(), "P2", "Checkout API returning 502s", "EU customers cannot pay", ("database",),
        started_at=START, detected_at=at(1), commander="alice",
    )
    incident = store.declare(payload, actor="alice").incident
    clock.set(at(3 + 20 / 60))
    store.append(incident, kinds.ALERT, {"text": "FIRING HighErrorRate\nservice=checkout | p99=4s"}, actor="prometheus")
    act(store, clock, incident, 4, "check 1")
    act(store, clock, incident, 5, "notify oncall")
    act(store, clock, incident, 7, "ack oncall", actor="bob")
    act(store, clock, incident, 8, "role scribe Sam")
    act(store, clock, incident, 9, "note Pool exhausted: max_connections hit | see the `db-pool` dashboard", actor="sam")
    act(store, clock, incident, 10, "note Support saw the first tickets", actor="sam", backfill_to=2.5)
    act(store, clock, incident, 12, "sev P1")
    act(store, clock, incident, 14, "phase next")
    act(store, clock, incident, 16, "check isolate", actor="bob")
    act(store, clock, incident, 18, "check connection pool", actor="bob")
    act(store, clock, incident, 20, "status mitigating")
    act(store, clock, incident, 21, "notify manager")
    clock.set(at(22))
    store.append(
        incident, kinds.COPIED,
        {"what": "customer", "name": "Customer Communication", "text": COPIED_TEXT, "via": "clipboard"}, actor="alice",
    )
    store.append(
        incident, kinds.COPIED, {"what": "contact", "name": "Secondary", "text": "+1-555-0102", "via": "osc52"}, actor="alice"
    )
    act(store, clock, incident, 35, "phase recovery")
    act(store, clock, incident, 40, "check 9")
    act(store, clock, incident, 41, "milestone impact-started -39m")  # backfilled: the first tickets, at 14:02
    act(store, clock, incident, 42, "star #7 the cause, found")
    act(store, clock, incident, 45, "followup Alert on pool saturation @bob due 2026-12-04")
    act(store, clock, incident, 47, "milestone impact-ended")
    act(store, clock, incident, 50, "resolve")
    act(store, clock, incident, 55, "followup Load-test the pool size")
    act(store, clock, incident, 56, "followup done 1", actor="bob")
    clock.set(at(60))
    return incident


def sections(markdown: str) -> dict[str, list[str]]:
    """The report's `## ` sections, each as its lines without the blank ones."""
    found: dict[str, list[str]] = {}
    current = None
    for line in markdown.split("\n"):
        if line.startswith("## "):
            current = line[3:]
            found[current] = []
        elif current is not None and line.strip():
            found[current].append(line)
    return found


@pytest.fixture
def incident(store: Store, clock: FakeClock) -> str:
    return scripted(store, clock)


@pytest.fixture
def markdown(store: Store, clock: FakeClock, incident: str) -> str:
    return report.markdown_report(store.events(incident), clock.now())


# --- the Markdown report, section by section ----------------------------------------------------------


GOLDEN = Path(__file__).parent / "data" / "report-golden.md"


def test_the_report_of_the_scripted_incident_is_the_golden_file(markdown: str) -> None:
    """The whole report, checked against a file a person read before it was accepted. After a change to the
    report, look at the difference, then write the new one with WARROOM_UPDATE_GOLDEN=1."""
    if os.environ.get("WARROOM_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(markdown, encoding="utf-8")
    assert markdown == GOLDEN.read_text(encoding="utf-8")


def test_the_report_has_a_postmortems_sections_in_order(markdown: str) -> None:
    assert markdown.startswith("# INC-1: Checkout API returning 502s\n")
    headings = [line for line in markdown.split("\n") if line.startswith(("## ", "### ")) and not line.startswith("### 1")]
    assert headings[:14] == [
        "## Summary", "## Impact", "## Trigger", "## Contributing factors", "## Detection", "## Response",
        "## Resolution", "## Action items", "## Lessons learned", "### What went well", "### What went wrong",
        "### Where we got lucky", "## Responders", "## Messages sent",
    ]
    assert [h for h in headings if h.startswith("## ")][-3:] == ["## Timeline", "## After the resolution", "## Checklist"]


def test_what_only_a_person_knows_is_asked_for_and_nothing_else(markdown: str) -> None:
    parts = sections(markdown)
    for section in ("Summary", "Impact", "Trigger", "Contributing factors", "Detection", "Resolution", "Action items"):
        prompts = [line for line in parts[section] if line.startswith("> **To write:** ")]
        assert len(prompts) == 1, section
    for section in ("Responders", "Messages sent", "Timeline", "Checklist"):  # the log says it all
        assert not any(line.startswith("> ") for line in parts[section]), section


def run_in(lines: list[str], run: list[str]) -> bool:
    """`run` appears in `lines`, in order and together."""
    return any(lines[i : i + len(run)] == run for i in range(len(lines) - len(run) + 1))


def test_summary(markdown: str) -> None:
    assert sections(markdown)["Summary"] == [
        "- **Severity:** P1 (High); declared P2, changed to P1 at 15:12",
        "- **Status:** resolved after 50 minutes",
        "- **Impact:** EU customers cannot pay",
        "- **Roles:** commander: alice; scribe: Sam",
        "- **Started:** 2026-11-26 15:00:00 CET (2026-11-26 14:00:00 UTC)",
        "- **Runbooks:** Database Issues",
        "- **Log:** 25 events (1 alert, 2 notes); playbook: Incident Response Playbook",
        "- **Report:** generated 2026-11-26 16:00:00 CET by warroom from the incident's log",
        "> **To write:** In two or three sentences: what happened, who was affected, and how it was resolved.",
    ]


def test_key_times_in_local_time_and_utc(markdown: str) -> None:
    assert run_in(sections(markdown)["Response"], [
        "| Milestone | Local time | UTC | Since start |",
        "| --- | --- | --- | --- |",
        "| Started | 2026-11-26 15:00:00 CET | 2026-11-26 14:00:00 | T+0:00:00 |",
        "| Detected | 2026-11-26 15:01:00 CET | 2026-11-26 14:01:00 | T+0:01:00 |",
        "| Customer impact started | 2026-11-26 15:02:00 CET | 2026-11-26 14:02:00 | T+0:02:00 |",
        "| Declared | 2026-11-26 15:03:00 CET | 2026-11-26 14:03:00 | T+0:03:00 |",
        "| Acknowledged | 2026-11-26 15:07:00 CET | 2026-11-26 14:07:00 | T+0:07:00 |",
        "| Mitigated | 2026-11-26 15:20:00 CET | 2026-11-26 14:20:00 | T+0:20:00 |",
        "| First external update | 2026-11-26 15:22:00 CET | 2026-11-26 14:22:00 | T+0:22:00 |",
        "| Customer impact ended | 2026-11-26 15:47:00 CET | 2026-11-26 14:47:00 | T+0:47:00 |",
        "| Resolved | 2026-11-26 15:50:00 CET | 2026-11-26 14:50:00 | T+0:50:00 |",
    ])


def test_metrics_times_target_phases_and_rungs(markdown: str) -> None:
    assert run_in(sections(markdown)["Response"], [
        "Metrics, all measured from the start (15:00:00 CET):",
        "- **Time to detect:** 1 minute",
        "- **Time to acknowledge:** 7 minutes",
        "- **Time to mitigate:** 20 minutes",
        "- **Time to resolve:** 50 minutes",
        "- **Customer impact:** 45 minutes",
        "- **Time to the first external update:** 22 minutes",
        "- **Response target** (P2 when acknowledged, 4 hours): met: acknowledged at T+0:07:00 (due T+4:00:00, 3 hours and 53 minutes to spare)",
        "Phases against their windows:",
        "| Phase | Window | Entered | Left | Time in phase | Result |",
        "| --- | --- | --- | --- | --- | --- |",
        "| Detection \\& Analysis | 0-15m | T+0:00:00 | T+0:14:00 | 14 minutes | met |",
        "| Containment | 15-30m | T+0:14:00 | T+0:35:00 | 21 minutes | over by 5 minutes |",
        "| Recovery | 1-4h | T+0:35:00 | T+0:50:00 (resolved) | 15 minutes | met |",
        "Escalation:",
        "| Rung | Falls due | Notified | Acknowledged | Note |",
        "| --- | --- | --- | --- | --- |",
        "| On-call Engineer | T+0:00:00 | T+0:05:00 | T+0:07:00 | notified 5 minutes after it fell due |",
        "| Engineering Manager | T+0:15:00 | T+0:21:00 | - | notified 6 minutes after it fell due; never acknowledged |",
        "| CTO | T+0:30:00 | - | - | fell due, never notified |",
        "| CEO | T+1:00:00 | - | - | not reached: resolved before it fell due |",
    ])


def test_timeline_sorted_by_when_it_happened_with_the_backfilled_entry_marked(markdown: str) -> None:
    # The ticks are under Checklist, with their times and who: the timeline keeps what the review reads,
    # up to the resolution (what came after has its own section); the starred note is marked.
    assert sections(markdown)["Timeline"] == [
        "Sorted by when things happened; times are CET. What was recorded after the resolution follows it.",
        "| Time (CET) | Since start | Who | What |",
        "| --- | --- | --- | --- |",
        "| 15:00:00 | T+0:00:00 | - | Incident started (as given when it was declared) |",
        "| 15:01:00 | T+0:01:00 | - | Incident detected (as given when it was declared) |",
        "| 15:02:00 | T+0:02:00 | alice | Customer impact started _(backfilled, recorded 15:41)_ |",
        "| 15:02:30 | T+0:02:30 | sam | Note: Support saw the first tickets _(backfilled, recorded 15:10)_ |",
        "| 15:03:00 | T+0:03:00 | alice | Declared P2 (Medium): Checkout API returning 502s; impact: EU customers "
        "cannot pay; commander: alice; runbook: Database Issues |",
        "| 15:03:20 | T+0:03:20 | prometheus | Alert: FIRING HighErrorRate ⏎ service=checkout \\| p99=4s |",
        "| 15:05:00 | T+0:05:00 | alice | Notified On-call Engineer (Primary +1-555-0101) |",
        "| 15:07:00 | T+0:07:00 | bob | On-call Engineer acknowledged |",
        "| 15:08:00 | T+0:08:00 | alice | Sam is scribe |",
        "| 15:09:00 | T+0:09:00 | sam | ★ Note: Pool exhausted: max\\_connections hit \\| see the \\`db-pool\\` dashboard |",
        "| 15:12:00 | T+0:12:00 | alice | Severity changed from P2 (Medium) to P1 (High) |",
        "| 15:14:00 | T+0:14:00 | alice | Moved to phase Containment (window 15-30m) |",
        "| 15:20:00 | T+0:20:00 | alice | Status changed from investigating to mitigating |",
        "| 15:21:00 | T+0:21:00 | alice | Notified Engineering Manager (Secondary +1-555-0102) |",
        "| 15:22:00 | T+0:22:00 | alice | Copied the Customer Communication message to send (clipboard); in full under "
        "Messages sent |",
        "| 15:22:00 | T+0:22:00 | alice | Copied the number for Secondary: +1-555-0102 (terminal clipboard, OSC 52) |",
        "| 15:35:00 | T+0:35:00 | alice | Moved to phase Recovery (window 1-4h) |",
        "| 15:45:00 | T+0:45:00 | alice | Follow-up 1: Alert on pool saturation (owner: bob), due 2026-12-04 |",
        "| 15:47:00 | T+0:47:00 | alice | Customer impact ended |",
        "| 15:50:00 | T+0:50:00 | alice | Incident resolved after 50 minutes |",
    ]


def test_follow_ups_are_the_action_items_and_what_came_after_the_resolution_is_apart(markdown: str) -> None:
    parts = sections(markdown)
    assert parts["Action items"][:4] == [
        "| # | Action | Owner | Due | Status | Recorded |",
        "| --- | --- | --- | --- | --- | --- |",
        "| 1 | Alert on pool saturation | bob | 2026-12-04 | done 2026-11-26 15:56 | T+0:45:00 |",
        "| 2 | Load-test the pool size | **no owner** | - | open | T+0:55:00 |",
    ]
    assert parts["After the resolution"][-2:] == [
        "| 15:55:00 | T+0:55:00 | alice | Follow-up 2: Load-test the pool size (no owner) |",
        "| 15:56:00 | T+0:56:00 | bob | Follow-up 1 done |",
    ]
    assert parts["Response"][:2] == [
        "Key moments (starred in the log):",
        "- ★ 15:09:00 (T+0:09:00) Note: Pool exhausted: max\\_connections hit \\| see the \\`db-pool\\` dashboard"
        " (why: the cause, found)",
    ]


def test_communications_hold_the_exact_text_in_a_fence_longer_than_any_inside(markdown: str) -> None:
    assert sections(markdown)["Messages sent"] == [
        "### 15:22:00 CET: Customer Communication",
        "Copied by alice at T+0:22:00, via clipboard:",
        "````text",
        "We are currently experiencing Checkout API returning 502s.",
        "Impact: EU customers | cannot pay",
        "Status: fixing, see ``` fence below",
        "````",
    ]


def test_checklist_done_with_time_and_not_done_per_phase_and_runbook(markdown: str) -> None:
    assert sections(markdown)["Checklist"] == [
        "### Detection \\& Analysis (phase, 0-15m): 1 of 4 done",
        "- [x] Automated monitoring alerts: done 15:04:00 (T+0:04:00) by alice",
        "- [ ] Manual incident reporting: not done",
        "- [ ] Initial triage and classification: not done",
        "- [ ] Incident commander assignment: not done",
        "### Containment (phase, 15-30m): 1 of 4 done",
        "- [x] Isolate affected systems: done 15:16:00 (T+0:16:00) by bob",
        "- [ ] Prevent further damage: not done",
        "- [ ] Preserve evidence: not done",
        "- [ ] Implement temporary fixes: not done",
        "### Recovery (phase, 1-4h): 1 of 4 done",
        "- [x] Restore normal operations: done 15:40:00 (T+0:40:00) by alice",
        "- [ ] Monitor for recurrence: not done",
        "- [ ] Gradual service restoration: not done",
        "- [ ] Performance validation: not done",
        "### Database Issues (runbook): 1 of 4 done",
        "- [x] Check connection pool status: done 15:18:00 (T+0:18:00) by bob",
        "- [ ] Review slow query logs: not done",
        "- [ ] Verify backup integrity: not done",
        "- [ ] Scale read replicas if needed: not done",
    ]


def test_the_first_signal_is_the_earliest_note_or_alert(markdown: str) -> None:
    assert sections(markdown)["Trigger"][0] == (
        "The first signal in the log is a note at 15:02:30 (T+0:02:30) from sam: Support saw the first tickets"
        " _(backfilled, recorded 15:10)_"
    )


def test_what_went_wrong_says_what_the_log_measured(markdown: str) -> None:
    assert sections(markdown)["Lessons learned"][3:7] == [
        "From the log:",
        "- Engineering Manager was notified and never acknowledged.",
        "- CTO fell due at T+0:30:00 and was never notified.",
        "- Containment ran 5 minutes past its window (15-30m).",
    ]


def test_time_at_each_severity(markdown: str) -> None:
    assert run_in(sections(markdown)["Impact"], ["Time at each severity:", "- P2 (Medium): 12 minutes", "- P1 (High): 38 minutes"])


def test_the_markdown_parses_as_intended(markdown: str) -> None:
    """A Markdown parser sees whole table cells and the copied message byte for byte."""
    markdown_it = pytest.importorskip("markdown_it")
    tokens = markdown_it.MarkdownIt("commonmark").enable("table").parse(markdown)
    fences = [t for t in tokens if t.type == "fence"]
    assert [(f.info, f.content) for f in fences] == [("text", COPIED_TEXT)]
    # What a reader sees in each cell (the escapes rendered away) is what was typed.
    cells = ["".join(child.content for child in t.children or []) for t in tokens if t.type == "inline"]
    assert "Alert: FIRING HighErrorRate ⏎ service=checkout | p99=4s" in cells
    assert "★ Note: Pool exhausted: max_connections hit | see the `db-pool` dashboard" in cells
    assert not [child for t in tokens if t.type == "inline" for child in t.children or [] if child.type == "code_inline"]
    # Every table row has as many cells as its header.
    widths, row = [], 0
    for token in tokens:
        if token.type == "tr_open":
            row = 0
        elif token.type in ("th_open", "td_open"):
            row += 1
        elif token.type == "tr_close":
            widths.append(row)
    assert widths and set(widths) <= {4, 5, 6}


def test_the_report_folds_exactly_as_the_incident_state(store: Store, incident: str) -> None:
    events = store.events(incident)
    _entries, state = report.walk(events)
    assert state == state_of(events)


def test_the_report_folds_alerts_exactly_as_the_incident_state(store: Store, clock: FakeClock) -> None:
    """Alerts are counted, not folded: the latest by when it happened is still the state's last alert."""
    incident = store.declare(declaration(load_playbook(), clock.now(), "P1", "Slow", commander="ic")).incident
    for minute, text, backfill_to in ((5, "first", None), (10, "backfilled", 2), (12, "latest", None), (14, "also backfilled", 3)):
        clock.set(at(minute))
        store.append(incident, kinds.ALERT, {"text": text}, at=None if backfill_to is None else at(backfill_to))
    events = store.events(incident)
    _entries, state = report.walk(events)
    assert state == state_of(events)
    assert state.alerts == 4


def test_an_open_incident_says_so(store: Store, clock: FakeClock) -> None:
    playbook = load_playbook()
    incident = store.declare(declaration(playbook, clock.now(), "P0", "Everything is down", commander="ic")).incident
    clock.set(at(20))
    text = report.markdown_report(store.events(incident), clock.now())
    parts = sections(text)
    assert "- **Status:** investigating, still open as of 2026-11-26 15:20:00 CET (20 minutes in)" in parts["Summary"]
    assert "| Acknowledged | not acknowledged | - | - |" in parts["Response"]
    assert "- **Time to resolve:** not resolved yet" in parts["Response"]
    assert (
        "- **Response target** (P0, immediate): missed: not acknowledged yet, overdue by 20 minutes (due T+0:00:00)"
        in parts["Response"]
    )
    assert "| Detection \\& Analysis | 0-15m | T+0:00:00 | still in it | 20 minutes | in progress, over by 5 minutes |" in parts["Response"]
    assert "| Containment | 15-30m | - | - | - | not entered |" in parts["Response"]
    assert "| Engineering Manager | T+0:15:00 | - | - | due, not notified yet |" in parts["Response"]
    assert parts["Messages sent"] == ["No message was copied to send."]
    assert parts["Trigger"][0] == "The log holds no alert or note: nothing but the declaration says how it began."


def test_a_fact_backfilled_to_before_the_declaration_counts(store: Store, clock: FakeClock) -> None:
    """Paged at 14:02, declared at 14:10 with the start given as 14:00: the page still counts."""
    playbook = load_playbook()
    clock.set(at(10))
    incident = store.declare(declaration(playbook, clock.now(), "P1", "Slow", started_at=START, commander="ic")).incident
    act(store, clock, incident, 11, "notify oncall", backfill_to=2)
    act(store, clock, incident, 11, "ack oncall", backfill_to=3)
    state = state_of(store.events(incident))
    assert state.acknowledged_at == at(3)
    text = report.markdown_report(store.events(incident), clock.now())
    assert "- **Time to acknowledge:** 3 minutes" in sections(text)["Response"]
    assert "| 15:02:00 | T+0:02:00 | alice | Notified On-call Engineer (Primary +1-555-0101) _(backfilled, recorded 15:11)_ |" in text


# --- escaping what people typed ----------------------------------------------------------------------


def one_note(store: Store, clock: FakeClock, text: str) -> str:
    """The report of an incident declared at 15:00 with one note, typed at once."""
    incident = store.declare(declaration(load_playbook(), clock.now(), "P2", "Slow", commander="ic")).incident
    store.append(incident, kinds.NOTE, {"text": text}, actor="ic")
    return report.markdown_report(store.events(incident), clock.now())


@pytest.mark.parametrize(
    "typed, expected, reads",
    [
        ("a | b", "a \\| b", "a | b"),
        ("a \\| b", "a \\\\\\| b", "a \\| b"),  # a backslash the user typed before a pipe stays a backslash
        ("line one\nline two\r\nline three", "line one ⏎ line two ⏎ line three", "line one ⏎ line two ⏎ line three"),
        ("<!-- hides the rest", "\\<\\!-- hides the rest", "<!-- hides the rest"),
        ("latency <200ms", "latency \\<200ms", "latency <200ms"),
        # A control is shown as its escape (\x07), and that backslash is itself escaped so it reads as typed.
        ("bell\x07 and escape \x1b[31m", "bell\\\\x07 and escape \\\\x1b\\[31m", "bell\\x07 and escape \\x1b[31m"),
    ],
)
def test_typed_text_keeps_the_table_whole_and_reads_as_typed(store: Store, clock: FakeClock, typed: str, expected: str,
                                                              reads: str) -> None:
    markdown = one_note(store, clock, typed)
    row = f"| 15:00:00 | T+0:00:00 | ic | Note: {expected} |"
    assert row in sections(markdown)["Timeline"]
    markdown_it = pytest.importorskip("markdown_it")
    tokens = markdown_it.MarkdownIt("commonmark").enable("table").parse(row.join(["| a | b | c | d |\n| - | - | - | - |\n", "\n"]))
    cells = [t for t in tokens if t.type == "inline"]
    assert len(cells) == 8  # four headings, four cells: no pipe the user typed split the row
    assert "".join(child.content for child in cells[-1].children) == f"Note: {reads}"


@pytest.mark.parametrize(
    "text, fence", [("plain", "```"), ("one ` tick", "```"), ("``` three", "````"), ("a ````` five", "``````")]
)
def test_the_fence_is_longer_than_any_backtick_run(store: Store, clock: FakeClock, text: str, fence: str) -> None:
    incident = store.declare(declaration(load_playbook(), clock.now(), "P2", "Slow", commander="ic")).incident
    store.append(incident, kinds.COPIED, {"what": "customer", "name": "Customer", "text": text, "via": "clipboard"})
    communications = sections(report.markdown_report(store.events(incident), clock.now()))["Messages sent"]
    assert communications[-3:] == [f"{fence}text", text, fence]


# --- the CSV timeline ---------------------------------------------------------------------------------


def test_timeline_csv(store: Store, incident: str) -> None:
    text = report.timeline_csv(store.events(incident))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["at", "recorded_at", "t_plus_seconds", "actor", "kind", "description", "backfilled"]
    assert len(rows) == 1 + 25
    assert rows[1] == [
        "2026-11-26T14:02:00.000Z", "2026-11-26T14:41:00.000Z", "120", "alice", "milestone", "Customer impact started",
        "true",
    ]
    rows = rows[:1] + rows[2:]  # the rest as they were before milestones: the note backfilled to 14:02:30 first
    assert rows[1] == [
        "2026-11-26T14:02:30.000Z", "2026-11-26T14:10:00.000Z", "150", "sam", "note",
        "Note: Support saw the first tickets", "true",
    ]
    assert rows[2][:3] == ["2026-11-26T14:03:00.000Z", "2026-11-26T14:03:00.000Z", "180"]
    assert rows[2][4:] == [
        "declared",
        "Declared P2 (Medium): Checkout API returning 502s; impact: EU customers cannot pay; commander: alice; "
        "runbook: Database Issues",
        "false",
    ]
    assert rows[3] == [
        "2026-11-26T14:03:20.000Z", "2026-11-26T14:03:20.000Z", "200", "prometheus", "alert",
        "Alert: FIRING HighErrorRate\nservice=checkout | p99=4s", "false",
    ]
    assert rows[-3] == [
        "2026-11-26T14:50:00.000Z", "2026-11-26T14:50:00.000Z", "3000", "alice", "resolved",
        "Incident resolved after 50 minutes", "false",
    ]
    assert rows[-1][3:6] == ["bob", "followup_done", "Follow-up 1 done"]
    assert [r[4] for r in rows[1:]].count("copied") == 2
    assert [r[5] for r in rows[1:] if r[4] == "copied"] == [
        "Copied the Customer Communication message to send (clipboard); in full in the Markdown report, under "
        "Messages sent",
        "Copied the number for Secondary: +1-555-0102 (terminal clipboard, OSC 52)",
    ]
    assert sum(1 for r in rows[1:] if r[6] == "true") == 1  # (and the milestone, taken out above)
    # Every field quoted and every row ended by CR LF, so a line break inside a field is never a row's end.
    assert text.startswith('"at","recorded_at","t_plus_seconds","actor","kind","description","backfilled"\r\n')
    assert text.count("\r\n") == 1 + 25 and text.endswith('"false"\r\n')


# --- through the command line -------------------------------------------------------------------------


def run(db: Path, clock: FakeClock, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), *args], obj=Context(None, None, clock))


def test_export_md_to_a_file(store: Store, clock: FakeClock, incident: str, db: Path, tmp_path: Path) -> None:
    target = tmp_path / "postmortem.md"
    result = run(db, clock, "export", "INC-1", "--format", "md", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert target.read_text(encoding="utf-8") == report.markdown_report(store.events(incident), clock.now())
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no partial file left behind


def test_export_csv_to_standard_output(store: Store, clock: FakeClock, incident: str, db: Path) -> None:
    result = run(db, clock, "export", "1", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == report.timeline_csv(store.events(incident)).encode("utf-8")  # CRLF and all


def test_export_to_an_unwritable_place_leaves_no_file(clock: FakeClock, incident: str, db: Path, tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "report.md"
    result = run(db, clock, "export", "INC-1", "--format", "md", "-o", str(target))
    assert result.exit_code == 2
    assert not target.exists()
    assert "cannot write it" in result.output


# --- metrics across incidents -------------------------------------------------------------------------

SEV5_PLAYBOOK = """\
name: Five levels
severities:
  - {id: SEV-1, name: Critical, response_target: 5m, update_every: 10m}
  - {id: SEV-2, name: Major, response_target: 30m, update_every: 20m}
  - {id: SEV-3, name: Moderate, response_target: 1h, update_every: 1h}
  - {id: SEV-4, name: Minor, response_target: 4h, update_every: 4h}
  - {id: SEV-5, name: Cosmetic, response_target: 3d, update_every: 1d}
phases:
  - {id: triage, name: Triage, window: {start: 0m, end: 10m}, steps: [Open a bridge]}
  - {id: assess, name: Assess, window: {start: 10m, end: 30m}, steps: [Scope it]}
  - {id: fix, name: Fix, window: {start: 30m, end: 2h}, steps: [Ship the fix]}
  - {id: verify, name: Verify, window: {start: 2h, end: 4h}, steps: [Watch the graphs]}
  - {id: learn, name: Learn, window: {start: 4h}, steps: [Write it up]}
ladder:
  - {id: responder, name: Responder, window: {start: 0m}}
"""


@pytest.fixture
def sev5(tmp_path: Path) -> Playbook:
    path = tmp_path / "sev5.yaml"
    path.write_text(SEV5_PLAYBOOK, encoding="utf-8")
    return load_playbook(path)


def run_incident(store: Store, clock: FakeClock, playbook: Playbook, start: datetime, severity: str,
                 script: list[tuple[float, str]]) -> str:
    clock.set(start)
    incident = store.declare(declaration(playbook, start, severity, f"{severity} at {start:%d %H:%M}", commander="ic")).incident
    for minute, line in script:
        clock.set(start + timedelta(minutes=minute))
        action = parse(line, state_of(store.events(incident)), clock.now())
        store.append(incident, action.kind, action.payload)
    return incident


NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def history(store: Store, clock: FakeClock, sev5: Playbook) -> Store:
    """Six incidents over a month, judged by the five-level playbook."""
    day = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    # Three SEV-2s: acknowledged at 10, 40 and 20 minutes; mitigated at 20, 50, 30; resolved at 60, 90, 120.
    run_incident(store, clock, sev5, day, "SEV-2", [
        (2, "notify responder"), (8, "phase next"), (10, "ack responder"), (20, "status mitigating"),
        (25, "phase next"), (60, "resolve"),
    ])
    run_incident(store, clock, sev5, day + timedelta(days=1), "SEV-2", [
        (12, "phase next"), (40, "ack responder"), (45, "phase next"), (50, "status mitigating"), (90, "resolve"),
    ])
    run_incident(store, clock, sev5, day + timedelta(days=2), "SEV-2", [
        (20, "ack responder"), (30, "status mitigating"), (120, "resolve"),
    ])
    # A SEV-3 raised to SEV-1: counted as a SEV-1. Acknowledged at 3 minutes, resolved at 30.
    run_incident(store, clock, sev5, day + timedelta(days=3), "SEV-3", [
        (1, "sev SEV-1"), (3, "ack responder"), (5, "phase next"), (15, "status mitigating"), (30, "resolve"),
    ])
    # A SEV-4 still open, never acknowledged: its 4-hour target is already missed.
    run_incident(store, clock, sev5, datetime(2026, 11, 29, 9, 0, tzinfo=UTC), "SEV-4", [(30, "note looking")])
    # An old SEV-2, before --since: acknowledged at 2 hours.
    run_incident(store, clock, sev5, datetime(2026, 10, 1, 9, 0, tzinfo=UTC), "SEV-2", [
        (120, "ack responder"), (130, "resolve"),
    ])
    clock.set(NOW)
    return store


def states(store: Store) -> list:
    return [state_of(store.events(row.id)) for row in store.incidents()]


def minutes(value: float) -> timedelta:
    return timedelta(minutes=value)


def test_stats_per_severity_in_playbook_order(history: Store) -> None:
    since = datetime(2026, 11, 1, tzinfo=UTC)
    result = report.stats(states(history), NOW, since)
    assert result.incidents == 5
    assert [(s.severity, s.name, s.count, s.resolved) for s in result.severities] == [
        ("SEV-1", "Critical", 1, 1), ("SEV-2", "Major", 3, 3), ("SEV-4", "Minor", 1, 0),
    ]
    sev2 = result.severities[1]
    # Medians and 90th percentiles by linear interpolation: [10, 20, 40] -> 20 and 20 + 0.8 * 20.
    assert sev2.to_acknowledge == report.Spread(3, minutes(20), minutes(36))
    assert sev2.to_mitigate == report.Spread(3, minutes(30), minutes(46))
    assert sev2.to_resolve == report.Spread(3, minutes(90), minutes(114))
    assert sev2.response_target == "30 minutes"
    assert sev2.response == report.Rate(2, 3)
    assert [(p.id, p.window, p.rate) for p in sev2.phases] == [
        ("triage", "0-10m", report.Rate(1, 3)),  # left at 8 (met), 12 and 120 minutes
        ("assess", "10-30m", report.Rate(1, 2)),  # left at 25 (met) and 45; the third never entered it
        ("fix", "30m-2h", report.Rate(2, 2)),
        ("verify", "2-4h", report.Rate(0, 0)),
        ("learn", "4h+", report.Rate(0, 0)),
    ]
    sev1 = result.severities[0]
    assert sev1.to_acknowledge == report.Spread(1, minutes(3), minutes(3))
    assert sev1.response == report.Rate(1, 1)
    assert sev1.phases[0].rate == report.Rate(1, 1)
    sev4 = result.severities[2]
    assert sev4.to_acknowledge == report.Spread(0, None, None)
    assert sev4.to_resolve.n == 0
    assert sev4.response == report.Rate(0, 1)  # overdue counts as missed
    assert sev4.phases[0].rate == report.Rate(0, 1)  # still in triage long past its window
    assert sev4.phases[1].rate == report.Rate(0, 0)


def test_stats_without_since_counts_every_incident(history: Store) -> None:
    result = report.stats(states(history), NOW)
    sev2 = next(s for s in result.severities if s.severity == "SEV-2")
    assert sev2.count == 4
    assert sev2.to_acknowledge == report.Spread(4, minutes(30), minutes(96))  # [10, 20, 40, 120]
    assert sev2.response == report.Rate(2, 4)


def test_warroom_stats_json_with_since(history: Store, clock: FakeClock, db: Path) -> None:
    result = run(db, clock, "stats", "--since", "2026-11-01", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["since"] == "2026-10-31T23:00:00.000Z"  # midnight, local time
    assert data["incidents"] == 5
    sev2 = next(s for s in data["severities"] if s["severity"] == "SEV-2")
    assert sev2["count"] == 3
    assert sev2["time_to_acknowledge"] == {"n": 3, "median_seconds": 1200.0, "p90_seconds": 2160.0}
    assert sev2["time_to_resolve"] == {"n": 3, "median_seconds": 5400.0, "p90_seconds": 6840.0}
    assert sev2["response_target"] == {"target": "30 minutes", "met": 2, "judged": 3, "rate": 0.6667}
    assert sev2["phases"][0] == {"id": "triage", "name": "Triage", "window": "0-10m", "met": 1, "judged": 3, "rate": 0.3333}
    assert [s["severity"] for s in data["severities"]] == ["SEV-1", "SEV-2", "SEV-4"]

    everything = json.loads(run(db, clock, "stats", "--json").output)
    assert everything["incidents"] == 6 and everything["since"] is None


def test_warroom_stats_for_people(history: Store, clock: FakeClock, db: Path) -> None:
    result = run(db, clock, "stats", "--since", "2026-11-01")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "5 incidents since 2026-11-01 00:00:00 CET"
    assert "SEV-2 Major: 3 incidents, 3 resolved" in lines
    block = lines[lines.index("SEV-2 Major: 3 incidents, 3 resolved") + 1:]
    block = block[: block.index("")] if "" in block else block
    assert [line.split("  ")[-1].strip() for line in block] == [
        "median 0 seconds, 90th percentile 0 seconds (of 3)",  # to detect: detected as they started
        "median 20 minutes, 90th percentile 36 minutes (of 3)",
        "median 30 minutes, 90th percentile 46 minutes (of 3)",
        "median 1 hour and 30 minutes, 90th percentile 1 hour and 54 minutes (of 3)",
        "not marked (milestone impact-started, impact-ended)",
        "met 2 of 3 (67%)",
        "met 1 of 3 (33%)",
        "met 1 of 2 (50%)",
        "met 2 of 2 (100%)",
        "none to judge",
        "none to judge",
    ]
    sev4 = lines[lines.index("SEV-4 Minor: 1 incident, 0 resolved") + 1:]
    assert [line.split("  ")[-1].strip() for line in sev4[1:6]] == [
        "none acknowledged yet", "none mitigated yet", "none resolved yet",
        "not marked (milestone impact-started, impact-ended)", "met 0 of 1 (0%)",
    ]


def test_warroom_stats_refuses_a_bad_date_in_one_line(history: Store, clock: FakeClock, db: Path) -> None:
    result = run(db, clock, "stats", "--since", "last tuesday-ish")
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert result.output == (
        "warroom: bad --since date 'last tuesday-ish': expected a date like 2026-11-01, a time like 2026-11-01T09:00, "
        "or -30d\n"
    )


def test_stats_say_each_playbook_name_on_its_own_line(store: Store, clock: FakeClock, tmp_path: Path) -> None:
    """A name may span lines in the playbook (the loader lets a newline through): `warroom stats` keeps each
    row on one line, so a name cannot forge a row of figures."""
    path = tmp_path / "multiline.yaml"
    path.write_text(
        SEV5_PLAYBOOK.replace("name: Triage,", 'name: "Triage\\n  assess (10m-30m)  met 9 of 9 (100%)",')
        .replace("name: Major,", 'name: "Major\\n\\nSEV-9 Fake: 99 incidents",'),
        encoding="utf-8",
    )
    playbook = load_playbook(path)
    assert "\n" in playbook.phases[0].name
    run_incident(store, clock, playbook, datetime(2026, 11, 20, 9, 0, tzinfo=UTC), "SEV-2", [(5, "ack responder")])
    lines = report.format_stats(report.stats(states(store), NOW)).splitlines()
    assert lines[:2] == ["1 incident", ""]
    assert lines[2] == "SEV-2 Major ⏎  ⏎ SEV-9 Fake: 99 incidents: 1 incident, 0 resolved"
    assert len(lines) == 3 + 6 + 5  # the header, four times, the impact and the target, five phases
    assert lines[9] == "  Triage ⏎   assess (10m-30m)  met 9 of 9 (100%) (0-10m)  met 0 of 1 (0%)"


def test_stats_with_no_incidents(clock: FakeClock, db: Path) -> None:
    result = run(db, clock, "stats")
    assert result.exit_code == 0
    assert result.output == "No incidents.\n"


def test_an_incident_across_midnight_dates_its_times(store: Store, clock: FakeClock) -> None:
    start = datetime(2026, 11, 26, 22, 50, tzinfo=UTC)  # 23:50 CET
    clock.set(start)
    incident = store.declare(declaration(load_playbook(), start, "P2", "Nightly batch stuck", commander="ic")).incident
    clock.set(start + timedelta(minutes=20))
    store.append(incident, kinds.NOTE, {"text": "restarted the scheduler"}, actor="ic")
    clock.set(start + timedelta(minutes=30))
    text = report.markdown_report(store.events(incident), clock.now())
    assert "| 2026-11-27 00:10:00 | T+0:20:00 | ic | Note: restarted the scheduler |" in sections(text)["Timeline"]


def test_a_run_of_alerts_is_folded_and_listed_in_full_in_the_appendix(store: Store, clock: FakeClock) -> None:
    incident = store.declare(declaration(load_playbook(), clock.now(), "P1", "Alert storm", commander="ic")).incident
    for second in range(40):
        clock.set(START + timedelta(minutes=1, seconds=second * 12))
        store.append(incident, kinds.ALERT, {"text": f"disk {second} full"}, actor="prometheus")
    act(store, clock, incident, 10, "note failing over", actor="ic")
    act(store, clock, incident, 20, "resolve", actor="ic")
    act(store, clock, incident, 25, "note review booked for Friday", actor="ic")
    text = report.markdown_report(store.events(incident), at(30))
    parts = sections(text)
    alert_rows = [row for row in parts["Timeline"] if "| prometheus |" in row]
    assert alert_rows == [
        "| 15:01:00 | T+0:01:00 | prometheus | Alert: disk 0 full |",
        "| 15:01:12 | T+0:01:12 | prometheus | 38 more alerts, 15:01:12-15:08:36 (40 in this run; every alert is in the appendix) |",
        "| 15:08:48 | T+0:08:48 | prometheus | Alert: disk 39 full |",
    ]
    assert parts["Timeline"][-1] == "| 15:20:00 | T+0:20:00 | ic | Incident resolved after 20 minutes |"
    assert not any("review booked" in row for row in parts["Timeline"])  # after the resolution: its own section
    assert parts["After the resolution"][-1] == "| 15:25:00 | T+0:25:00 | ic | Note: review booked for Friday |"
    appendix = [row for row in parts["Appendix: every alert"] if "disk" in row]
    assert len(appendix) == 40 and appendix[0] == "| 15:01:00 | T+0:01:00 | prometheus | disk 0 full |"


def test_three_alerts_are_not_folded_and_need_no_appendix(store: Store, clock: FakeClock) -> None:
    incident = store.declare(declaration(load_playbook(), clock.now(), "P1", "Blip", commander="ic")).incident
    for second in range(3):
        clock.set(START + timedelta(seconds=10 + second))
        store.append(incident, kinds.ALERT, {"text": f"blip {second}"}, actor="prometheus")
    parts = sections(report.markdown_report(store.events(incident), at(5)))
    assert sum("Alert: blip" in row for row in parts["Timeline"]) == 3
    assert "Appendix: every alert" not in parts and "After the resolution" not in parts


def test_one_rounding_rule_durations_and_clocks_agree(store: Store, clock: FakeClock) -> None:
    """Resolved 5 minutes 13.9 seconds in: both the words and T+ say 5:13 (both cut, neither rounds)."""
    incident = store.declare(declaration(load_playbook(), clock.now(), "P1", "Short", commander="ic")).incident
    clock.set(START + timedelta(minutes=5, seconds=13.9))
    action = parse("resolve", state_of(store.events(incident)), clock.now())
    store.append(incident, action.kind, action.payload, actor="ic")
    text = report.markdown_report(store.events(incident), at(10))
    assert "- **Status:** resolved after 5 minutes and 13 seconds" in text
    assert "| T+0:05:13 | ic | Incident resolved after 5 minutes and 13 seconds |" in text
    assert report.say(timedelta(hours=1, minutes=52, seconds=59)) == "1 hour and 52 minutes"
