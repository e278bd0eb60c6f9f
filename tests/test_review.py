"""The review's raw material (issue 14): who did what, drills, key moments, follow-ups, milestones, the
playbook's own postmortem outline, and who a message was for. Through the CLI, the fold and the console."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from warroom import events as kinds
from warroom import report
from warroom.clock import FakeClock
from warroom.incident import state_of
from warroom.playbook import PlaybookError, load_playbook
from warroom.store import Store
from warroom.tui.app import make_app
from warroom.tui.widgets.header import IncidentHeader

from test_cli import Warroom
from conftest import START

MIN = timedelta(minutes=1)


@pytest.fixture
def warroom(db_path: Path, clock: FakeClock) -> Warroom:
    return Warroom(db_path, clock)


def events(db: Path, incident: str = "INC-1") -> list:
    with Store(db, readonly=True) as store:
        return store.events(incident)


# --- people, not logins ----------------------------------------------------------------------------------


def test_actor_names_the_person_on_every_event(warroom: Warroom, db_path: Path) -> None:
    warroom.ok("--actor", "Alex Kim", "declare", "-s", "P1", "-t", "Checkout down")
    warroom.ok("act", "INC-1", "status", "mitigating", env={"WARROOM_ACTOR": "Sam Okafor"})
    warroom.ok("--actor", "Priya", "log", "INC-1", "rolled back")
    declared, status, note = events(db_path)
    assert (declared.actor, status.actor, note.actor) == ("Alex Kim", "Sam Okafor", "Priya")
    assert declared.payload["commander"] == "Alex Kim"  # the commander is the person declaring, by default
    assert "| Alex Kim | commander |" in warroom.ok("export", "INC-1", "--format", "md").output


def test_a_bad_actor_is_one_line_and_writes_nothing(warroom: Warroom) -> None:
    assert "--actor: expected a name" in warroom.refused("--actor", "  ", "declare", "-s", "P1", "-t", "x")


async def test_the_console_records_the_person_at_the_keyboard(store: Store, clock: FakeClock, declare,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARROOM_ACTOR", "Dana Reyes")
    incident = declare()
    app = make_app(store, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
    assert store.events(incident)[-1].kind == kinds.CHECK and store.events(incident)[-1].actor == "Dana Reyes"


# --- drills --------------------------------------------------------------------------------------------------


async def test_a_drill_says_so_everywhere_and_stays_out_of_stats(warroom: Warroom, db_path: Path, store: Store,
                                                                 clock: FakeClock) -> None:
    warroom.ok("declare", "-s", "P1", "-t", "Game day: lose a region", "--drill")
    warroom.ok("declare", "-s", "P1", "-t", "Real outage")
    assert warroom.ok("show", "INC-1").output.startswith("DRILL  INC-1")
    assert json.loads(warroom.ok("show", "--json", "INC-1").output)["drill"] is True
    listed = {row["id"]: row["drill"] for row in json.loads(warroom.ok("list", "--json").output)}
    assert listed == {"INC-1": True, "INC-2": False}
    assert "DRILL Game day" in warroom.ok("list").output
    assert warroom.ok("export", "INC-1", "--format", "md").output.startswith("# DRILL INC-1: Game day")
    stats = json.loads(warroom.ok("stats", "--json").output)
    assert stats["incidents"] == 1 and stats["drills_left_out"] == 1
    assert warroom.ok("stats").output.startswith("1 incident (1 drill left out)")
    app = make_app(store, clock=clock, incident_id="INC-1")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.screen.query_one(IncidentHeader).render().plain.startswith(" DRILL ")


# --- key moments -------------------------------------------------------------------------------------------


def test_star_marks_the_latest_fact_or_a_numbered_one(warroom: Warroom, db_path: Path) -> None:
    warroom.ok("declare", "-s", "P1", "-t", "Slow")
    warroom.ok("act", "INC-1", "note", "pool exhausted")
    warroom.ok("act", "INC-1", "star", "the cause")
    warroom.ok("act", "INC-1", "star", "#1")
    state = state_of(events(db_path))
    assert dict(state.starred) == {2: "the cause", 1: ""}
    assert "already starred" in warroom.refused("act", "INC-1", "star", "#2")
    assert "expected #N, N from 1 to 4" in warroom.refused("act", "INC-1", "star", "#9")
    markdown = warroom.ok("export", "INC-1", "--format", "md").output
    assert "| ★ Note: pool exhausted |" in markdown and "(why: the cause)" in markdown


async def test_the_star_key_marks_the_latest_event(store: Store, clock: FakeClock, declare) -> None:
    incident = declare()
    store.append(incident, kinds.NOTE, {"text": "rolled back"})
    app = make_app(store, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("asterisk")
        await pilot.pause()
    star = store.events(incident)[-1]
    assert star.kind == kinds.STAR and star.payload == {"seq": 2}


# --- follow-ups ----------------------------------------------------------------------------------------------


def test_follow_ups_outlive_the_incident_and_are_listed_across_incidents(warroom: Warroom, clock: FakeClock) -> None:
    warroom.ok("declare", "-s", "P1", "-t", "Checkout down")
    warroom.ok("act", "INC-1", "followup", "Alert on pool saturation", "@bob", "due", "2026-12-04")
    warroom.ok("act", "INC-1", "resolve")
    clock.advance(minutes=5)
    warroom.ok("act", "INC-1", "followup", "Load-test the pool")  # after the resolution: still taken
    warroom.ok("declare", "-s", "P2", "-t", "Search slow")
    warroom.ok("act", "INC-2", "followup", "Cache the facets @ana")
    warroom.ok("act", "INC-1", "followup", "done", "1")
    listed = json.loads(warroom.ok("followups", "--json").output)
    assert [(f["incident"], f["number"], f["text"], f["owner"], f["due"], f["done_at"] is not None) for f in listed] == [
        ("INC-1", 1, "Alert on pool saturation", "bob", "2026-12-04", True),
        ("INC-1", 2, "Load-test the pool", None, None, False),
        ("INC-2", 1, "Cache the facets", "ana", None, False),
    ]
    shown = warroom.ok("followups", "--open").output.splitlines()
    assert len(shown) == 2 and shown[0].startswith("INC-1#2  open") and "NO OWNER" in shown[0]
    assert "INC-2#1" in shown[1] and "ana" in shown[1]


@pytest.mark.parametrize("line, message", [
    ("followup done 7", "no follow-up '7': expected its number (1)"),
    ("followup done 1", "follow-up 1 is already done"),
    ("followup Fix it due 2026-02-30", "due 2026-02-30: not a date; expected YYYY-MM-DD"),
    ("followup @bob", "missing text"),
])
def test_a_bad_follow_up_is_one_line(warroom: Warroom, line: str, message: str) -> None:
    warroom.ok("declare", "-s", "P1", "-t", "Checkout down")
    warroom.ok("act", "INC-1", "followup", "Pool alarm")
    warroom.ok("act", "INC-1", "followup", "done", "1")
    assert message in warroom.refused("act", "INC-1", *line.split())


def test_a_note_that_starts_like_a_command_word_stays_a_note(warroom: Warroom, db_path: Path) -> None:
    warroom.ok("declare", "-s", "P1", "-t", "x")
    warroom.ok("act", "INC-1", "follow", "the", "runbook")
    warroom.ok("act", "INC-1", "start", "the", "rollback")
    assert [e.kind for e in events(db_path)[1:]] == [kinds.NOTE, kinds.NOTE]


def test_no_follow_ups_in_an_empty_database_makes_no_file(warroom: Warroom, db_path: Path) -> None:
    assert warroom.ok("followups").output == "No follow-ups recorded.\n"
    assert not db_path.exists()


# --- milestones and metrics -------------------------------------------------------------------------------


def test_customer_impact_is_its_own_window_not_the_mitigation(warroom: Warroom, db_path: Path, clock: FakeClock) -> None:
    warroom.ok("declare", "-s", "P1", "-t", "Checkout down", "--started-at", "-30m")
    warroom.ok("act", "INC-1", "milestone", "impact-started", "-25m")  # backfilled in the line itself
    warroom.ok("act", "INC-1", "status", "mitigating")
    clock.advance(minutes=10)
    warroom.ok("act", "INC-1", "milestone", "impact-ended")
    state = state_of(events(db_path))
    assert state.impact_started_at == START - 25 * MIN and state.impact_ended_at == START + 10 * MIN
    result = report.metrics(state, clock.now())
    assert result.impact == 35 * MIN and result.to_mitigate == 30 * MIN
    assert "unknown milestone 'impact'" in warroom.refused("act", "INC-1", "milestone", "impact")


def test_the_first_message_for_customers_is_the_first_external_update(store: Store, clock: FakeClock, declare) -> None:
    incident = declare()
    clock.advance(minutes=3)
    store.append(incident, kinds.COPIED, {"what": "internal", "name": "Internal Alert", "text": "x", "via": "clipboard"})
    clock.advance(minutes=4)
    store.append(incident, kinds.COPIED, {"what": "customer", "name": "Customer", "text": "y", "via": "clipboard"})
    state = state_of(store.events(incident))
    assert report.metrics(state, clock.now()).to_first_update == 7 * MIN  # the internal alert was not for customers


# --- the playbook's outline ------------------------------------------------------------------------------


REVIEW = """
review:
  - title: What happened
    fill: summary
    prompt: Tell it as a story.
  - title: Follow-ups
    fill: action_items
  - title: Our own question
    prompt: Would the new on-call have managed?
"""


def test_a_playbook_gives_the_postmortem_its_own_outline(tmp_path: Path, store: Store, clock: FakeClock, declare) -> None:
    path = tmp_path / "pb.yaml"
    path.write_text(Path("playbook.yaml").read_text(encoding="utf-8") + REVIEW, encoding="utf-8")
    playbook = load_playbook(path)
    incident = declare(using=playbook)
    markdown = report.markdown_report(store.events(incident), clock.now())
    assert [line for line in markdown.splitlines() if line.startswith("## ")] == [
        "## What happened", "## Follow-ups", "## Our own question",
    ]
    assert "> **To write:** Would the new on-call have managed?" in markdown


@pytest.mark.parametrize("entry, message", [
    ("  - title: Timeline\n    fill: timelne\n", "review[1].fill: warroom cannot fill 'timelne': did you mean `timeline`?"),
    ("  - title: X\n    level: 4\n", "review[1].level: expected 2 (a section) or 3 (a part of the one before)"),
    ("  - title: X\n    promt: y\n", "review[1]: unknown key `promt`: did you mean `prompt`?"),
])
def test_a_bad_outline_is_refused_at_its_line(tmp_path: Path, entry: str, message: str) -> None:
    path = tmp_path / "pb.yaml"
    path.write_text(Path("playbook.yaml").read_text(encoding="utf-8") + "review:\n" + entry, encoding="utf-8")
    with pytest.raises(PlaybookError) as raised:
        load_playbook(path)
    assert any(problem.endswith(message) for problem in raised.value.problems), raised.value.problems


def test_a_templates_audience_is_checked(tmp_path: Path) -> None:
    text = Path("playbook.yaml").read_text(encoding="utf-8").replace("audience: customers", "audience: press")
    path = tmp_path / "pb.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlaybookError) as raised:
        load_playbook(path)
    assert any("audience: 'press': expected team or customers" in p for p in raised.value.problems)


def test_an_import_checks_the_new_kinds_too(store: Store, declare) -> None:
    from warroom.events import payload_problem

    assert payload_problem(kinds.FOLLOWUP, {"number": 0, "text": "x"}, None) == "payload.number: expected a step number from 1, got the number 0"
    assert "not a milestone" in (payload_problem(kinds.MILESTONE, {"milestone": "lunch"}, load_playbook()) or "")
    assert payload_problem(kinds.DECLARED, {"drill": "yes"}, None) is not None
