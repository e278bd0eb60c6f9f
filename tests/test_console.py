"""Pilot tests of the console: every action checked in the log (kind, payload) and on the screen."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from textual import events
from textual.command import CommandList, CommandPalette
from textual.widgets import Digits, Input, OptionList, Static

from warroom import events as kinds
from warroom.clock import FakeClock, iso
from warroom.commands import declaration
from warroom.playbook import Playbook
from warroom.store import Store
from warroom.tui.app import WarroomApp, make_app
from warroom.tui.screens.console import ConsoleScreen
from warroom.tui.screens.declare import DeclareScreen
from warroom.tui.screens.dialogs import ConfirmDialog, SeverityDialog
from warroom.tui.screens.help import HelpScreen, Table, key_name
from warroom.tui.widgets.key_bar import KeyBar
from warroom.tui.screens.picker import PickerScreen
from warroom.tui.widgets.checklist import Checklist
from warroom.tui.widgets.command_bar import CommandInput
from warroom.tui.widgets.header import IncidentHeader
from warroom.tui.widgets.ladder import EscalationLadder
from warroom.tui.widgets.timeline import Timeline

SIZE = (160, 48)  # wide enough that timeline lines rarely wrap
MARKUP_TITLE = "[bold]x[/bold] [@click=app.quit]quit[/] \x1b[31mred"


pytestmark = pytest.mark.usefixtures("utc_local_time")


def declare_incident(store: Store, playbook: Playbook, severity: str = "P1", title: str = "Checkout API returning 500s",
                     impact: str = "EU customers cannot pay", runbooks: tuple[str, ...] = ()) -> str:
    payload = declaration(playbook, store.clock.now(), severity, title, impact, runbooks, commander="Alex")
    return store.declare(payload, actor="Alex").incident


@pytest.fixture
def incident(store: Store, playbook: Playbook) -> str:
    return declare_incident(store, playbook)


# --- reading the screen ----------------------------------------------------------------------


def plain(content: Any) -> str:
    return content.plain if hasattr(content, "plain") else str(content)


def checklist_lines(app: WarroomApp) -> list[str]:
    checklist = app.screen.query_one(Checklist)
    return [plain(checklist.get_option_at_index(i).prompt) for i in range(checklist.option_count)]


def step_line(app: WarroomApp, number: int) -> str:
    return next(line for line in checklist_lines(app) if re.match(rf"\s+\[.\]\s+{number}\. ", line))


def ladder_lines(app: WarroomApp) -> list[str]:
    ladder = app.screen.query_one(EscalationLadder)
    return [plain(ladder.get_option_at_index(i).prompt) for i in range(ladder.option_count)]


def rung_line(app: WarroomApp, name: str) -> str:
    return next(line for line in ladder_lines(app) if name in line.splitlines()[0])


def clock_text(app: WarroomApp, part: str) -> str:
    """One line of the clock pane: started, response, phase or eta."""
    return plain(app.screen.query_one(f"#clock-{part}", Static).content)


def elapsed(app: WarroomApp) -> str:
    return app.screen.query_one("#elapsed", Digits).value


def header(app: WarroomApp) -> str:
    return plain(app.screen.query_one(IncidentHeader).render())


def timeline(app: WarroomApp) -> str:
    """The timeline's text, wrapped lines joined and spaces collapsed (so a wrap never splits a phrase)."""
    log = app.screen.query_one(Timeline)
    return " ".join(" ".join(strip.text.split()) for strip in log.lines)


def bar_error(app: WarroomApp) -> str | None:
    """The command bar's error line, or None when it is hidden."""
    error = app.screen.query_one("#command-error", Static)
    return plain(error.content) if error.display else None


def logged(store: Store, incident_id: str) -> list[tuple[str, dict]]:
    return [(event.kind, event.payload) for event in store.events(incident_id)]


def last(store: Store, incident_id: str) -> tuple[str, dict]:
    return logged(store, incident_id)[-1]


def said(app: WarroomApp) -> list[str]:
    """The messages of the notifications shown (toasts)."""
    return [n.message for n in app._notifications]


def toasts(app: WarroomApp) -> list[tuple[str, str, float]]:
    """The notifications shown: (title, message, seconds on screen)."""
    return [(n.title, n.message, n.timeout) for n in app._notifications]


async def footer_keys(app: WarroomApp, pilot) -> list[tuple[str, str]]:
    """The footer's keys as (key shown, description), once it has been drawn again; each must be on screen."""
    await pilot.pause()
    bar = app.screen.query_one(KeyBar)
    assert bar.region.width == app.size.width
    return [(key.display, key.description) for key in bar.shown]  # a key the width would cut off is not shown


async def tick(app: WarroomApp, pilot, clock: FakeClock, **delta: float) -> None:
    """Let time pass without sleeping: move the fake clock, then let the console notice."""
    clock.advance(**delta)
    app.screen.tick()
    await pilot.pause()


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)


async def command(pilot, line: str) -> None:
    """Type one line into the command bar and submit it."""
    await pilot.press("colon")
    await type_text(pilot, line)
    await pilot.press("enter")
    await pilot.pause()


def console_app(store: Store, clock: FakeClock) -> WarroomApp:
    return make_app(store, clock=clock)


# --- start: declare, pick, resume --------------------------------------------------------------


async def test_declare_screen_declares_with_the_fields_typed_and_opens_the_console(store, clock):
    app = console_app(store, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        assert isinstance(app.screen, DeclareScreen)
        assert app.focused is app.screen.query_one("#title", Input)
        await type_text(pilot, "Checkout API returning 500s")
        await pilot.press("tab")
        await type_text(pilot, "EU customers cannot pay")
        await pilot.press("shift+tab", "shift+tab")  # back past the title to the severities
        severities = app.screen.query_one("#severity", OptionList)
        assert app.focused is severities
        assert severities.highlighted_option.id == "P1"  # the middle of the road by default
        await pilot.press("down")
        assert severities.highlighted_option.id == "P2"
        await pilot.press("up", "up")
        assert severities.highlighted_option.id == "P0"
        commander = app.screen.query_one("#commander", Input)
        commander.value = "Dana"
        await pilot.press("ctrl+s")
        await pilot.pause()

        [row] = store.open_incidents()
        [(kind, payload)] = logged(store, row.id)
        assert kind == kinds.DECLARED
        assert payload["title"] == "Checkout API returning 500s"
        assert payload["impact"] == "EU customers cannot pay"
        assert payload["severity"] == "P0"
        assert payload["commander"] == "Dana"
        assert payload["started_at"] == iso(clock.now())
        assert payload["runbooks"] == []

        assert isinstance(app.screen, ConsoleScreen)
        assert app.screen.incident_id == row.id
        assert "Checkout API returning 500s" in header(app)
        assert "P0 Critical" in header(app)
        assert elapsed(app) == "0:00:00"
        assert "Declared P0: Checkout API returning 500s (impact: EU customers cannot pay)" in timeline(app)


async def test_the_severities_stay_in_view_while_the_title_is_typed_at_80x24(store, clock):
    app = console_app(store, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_text(pilot, "Checkout API returning 500s")
        screen = app.screen
        assert app.focused is screen.query_one("#title", Input)
        severities = screen.query_one("#severity", OptionList)
        form = screen.query_one("#declare")
        assert form.scroll_y == 0 and severities.max_scroll_y == 0  # nothing scrolled away
        inside = screen.query_one("#declare").region
        for widget in (severities, screen.query_one("#title"), screen.query_one("#impact"), screen.query_one("#declare-button")):
            assert inside.contains_region(widget.region), f"{widget} is not wholly on screen"
        # Every level with its criteria is drawn in the list's rows on screen.
        lines = [plain(severities.get_option_at_index(i).prompt) for i in range(severities.option_count)]
        assert lines[0].startswith("P0 Critical  response Immediate, updates every 15m\n  System completely down")
        assert "Potential\n  security incident" in lines[1] or "Potential security incident" in lines[1]
        assert severities.region.height >= sum(line.count("\n") + 1 for line in lines)


async def test_ctrl_s_right_after_typing_declares_with_every_character(store, clock):
    """ctrl+s arriving before the field has taken the keys typed just before it (a fast typist, a paste)."""
    app = console_app(store, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        for character in "Queue stuck":
            app.post_message(events.Key("space" if character == " " else character, character))
        app.post_message(events.Key("ctrl+s", None))  # queued behind the characters, not handled ahead of them
        await pilot.pause()
        await pilot.pause()
        [row] = store.open_incidents()
        assert logged(store, row.id)[0][1]["title"] == "Queue stuck"
        assert isinstance(app.screen, ConsoleScreen)


async def test_declare_without_a_title_says_why_and_writes_nothing(store, clock, db_path):
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DeclareScreen)
        error = app.screen.query_one("#declare-error", Static)
        assert error.display
        assert "title is empty" in plain(error.content)
        assert store.incidents() == []


async def test_picker_offers_every_open_incident_and_opens_the_chosen_one(store, clock, playbook):
    first = declare_incident(store, playbook, "P1", "Checkout API returning 500s")
    clock.advance(minutes=3)
    second = declare_incident(store, playbook, "P2", "Search is slow")
    clock.advance(minutes=2)
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, PickerScreen)
        choices = app.screen.query_one("#incidents", OptionList)
        prompts = [plain(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)]
        assert any(first in p and "Checkout API returning 500s" in p and "5m ago" in p for p in prompts)
        assert any(second in p and "Search is slow" in p and "P2" in p and "2m ago" in p for p in prompts)
        assert "Declare a new incident" in prompts[-1]
        choices.focus()
        choices.highlighted = next(i for i, p in enumerate(prompts) if second in p)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        assert app.screen.incident_id == second
        assert "Search is slow" in header(app)
        assert elapsed(app) == "0:02:00"
        await pilot.press("space")
        assert last(store, second)[0] == kinds.CHECK
        assert [kind for kind, _ in logged(store, first)] == [kinds.DECLARED]


async def test_a_restart_shows_the_same_clocks_from_the_log(store, clock, playbook, db_path):
    declare_incident(store, playbook)
    clock.advance(minutes=7, seconds=30)
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        assert elapsed(app) == "0:07:30"
        await pilot.press("space")
        await pilot.press("ctrl+q")
    assert not app.is_running

    clock.advance(minutes=5)  # the console was away; the incident went on
    with Store(db_path, clock=clock) as reopened:  # a fresh connection, as after a crash
        again = console_app(reopened, clock)
        async with again.run_test(size=SIZE):
            assert isinstance(again.screen, ConsoleScreen)
            assert elapsed(again) == "0:12:30"
            assert clock_text(again, "started") == "Started 18:00 local · 18:00 UTC"
            assert "due 19:00, 47m left" in clock_text(again, "response")
            assert "2m left of 0-15m" in clock_text(again, "phase")
            assert step_line(again, 1).startswith("  [x]") and step_line(again, 1).endswith("18:07")
            assert "Done: Automated monitoring alerts" in timeline(again)


# --- the checklist and the phases ---------------------------------------------------------------


async def test_space_ticks_and_unticks_the_step_under_the_cursor(store, clock, incident):
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        checklist = app.screen.query_one(Checklist)
        assert app.focused is checklist
        assert checklist.highlighted_option.id == "step:1"
        assert step_line(app, 1) == "  [ ]  1. Automated monitoring alerts"
        await tick(app, pilot, clock, minutes=2)
        await pilot.press("space")
        assert last(store, incident) == (
            kinds.CHECK, {"list": "detection", "step": 1, "text": "Automated monitoring alerts"}
        )
        assert step_line(app, 1) == "  [x]  1. Automated monitoring alerts  18:02"
        assert "Detection & Analysis  0-15m  1/4" in checklist_lines(app)[0]
        assert checklist.border_subtitle == "1/12 done"
        assert "Done: Automated monitoring alerts" in timeline(app)

        await pilot.press("space")
        assert last(store, incident) == (
            kinds.UNCHECK, {"list": "detection", "step": 1, "text": "Automated monitoring alerts"}
        )
        assert step_line(app, 1) == "  [ ]  1. Automated monitoring alerts"
        assert checklist.border_subtitle == "0/12 done"

        await pilot.press("down", "down", "enter")  # enter ticks too
        assert last(store, incident)[1]["step"] == 3
        assert step_line(app, 3).startswith("  [x]  3. Initial triage and classification")
        assert [kind for kind, _ in logged(store, incident)] == [
            kinds.DECLARED, kinds.CHECK, kinds.UNCHECK, kinds.CHECK
        ]


async def test_the_cursor_starts_on_the_first_step_not_done_in_the_current_phase(store, clock, incident):
    for step, text in [(1, "Automated monitoring alerts"), (2, "Manual incident reporting")]:
        store.append(incident, kinds.CHECK, {"list": "detection", "step": step, "text": text})
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        assert app.screen.query_one(Checklist).highlighted_option.id == "step:3"
    # Next phase, with Detection's steps 3 and 4 still open: the cursor starts in Containment, not on a done step.
    store.append(incident, kinds.PHASE, {"phase": "containment"})
    store.append(incident, kinds.CHECK, {"list": "containment", "step": 1, "text": "Isolate affected systems"})
    again = console_app(store, clock)
    async with again.run_test(size=SIZE) as pilot:
        checklist = again.screen.query_one(Checklist)
        assert checklist.highlighted_option.id == "step:6"
        assert step_line(again, 6).startswith("  [ ]  6. Prevent further damage")
        await pilot.press("space")
        assert last(store, incident)[1] == {"list": "containment", "step": 2, "text": "Prevent further damage"}


async def test_after_p_the_cursor_is_on_the_new_phases_first_step(store, clock, incident):
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        checklist = app.screen.query_one(Checklist)
        for _ in range(4):  # tick Detection's four steps, moving down after each, as a commander does
            await pilot.press("space", "down")
        await pilot.pause()
        assert checklist.highlighted_option.id == "list:containment"  # the cursor came to rest on a header
        await pilot.press("p")
        await pilot.pause()
        assert checklist.highlighted_option.id == "step:5"
        await pilot.press("space")  # ticks step 5; does not fold the new phase
        assert last(store, incident)[1] == {"list": "containment", "step": 1, "text": "Isolate affected systems"}
        assert any("Prevent further damage" in line for line in checklist_lines(app))


async def test_long_lines_wrap_under_their_own_text_at_80x24(store, clock, incident):
    app = console_app(store, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await tick(app, pilot, clock, minutes=16)  # Detection is past its window
        checklist = app.screen.query_one(Checklist)
        width = checklist.scrollable_content_region.width
        lines = [line for text in checklist_lines(app) for line in text.splitlines()]
        assert all(len(line) <= width for line in lines), lines
        header_lines = checklist_lines(app)[0].splitlines()
        assert any("PAST WINDOW" in line for line in header_lines)  # never split over two lines
        step = step_line(app, 1).splitlines()
        if len(step) > 1:  # wrapped: the rest starts under the step's text, not under the box
            assert step[1].startswith(" " * 10) and not step[1][10].isspace()
        for text in ladder_lines(app):
            assert all(len(line) <= app.screen.query_one(EscalationLadder).scrollable_content_region.width for line in text.splitlines())


async def test_a_phase_header_folds_and_unfolds_without_writing(store, clock, incident):
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        checklist = app.screen.query_one(Checklist)
        checklist.highlighted = 0  # the Detection header
        await pilot.press("space")
        assert not any("Automated monitoring alerts" in line for line in checklist_lines(app))
        assert checklist_lines(app)[0].startswith("▸ Detection & Analysis")
        await pilot.press("space")
        assert any("Automated monitoring alerts" in line for line in checklist_lines(app))
        assert [kind for kind, _ in logged(store, incident)] == [kinds.DECLARED]


async def test_p_moves_to_the_next_phase(store, clock, incident):
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        assert clock_text(app, "phase").startswith("Phase 1/3 Detection & Analysis")
        await tick(app, pilot, clock, minutes=16)
        assert "PAST WINDOW by 1m 00s" in clock_text(app, "phase")
        assert "PAST WINDOW" in checklist_lines(app)[0]

        await pilot.press("p")
        assert last(store, incident) == (kinds.PHASE, {"phase": "containment"})
        assert clock_text(app, "phase") == "Phase 2/3 Containment: 14m left of 15-30m"
        lines = checklist_lines(app)
        containment = next(line for line in lines if "Containment" in line)
        assert containment.startswith("▾ Containment") and "◀ now" in containment
        assert "Isolate affected systems" in " ".join(lines)
        assert "Phase: Containment" in timeline(app)

        await pilot.press("p", "p")  # Recovery, then nowhere further: an error, not an event
        assert last(store, incident) == (kinds.PHASE, {"phase": "recovery"})
        assert len(logged(store, incident)) == 3
        assert bar_error(app) == "Recovery is the last phase: `resolve` ends the incident"


# --- the escalation ladder and its alarms --------------------------------------------------------


async def test_notify_and_ack_keys_and_the_alarm_when_a_rung_falls_due(store, clock, incident, monkeypatch):
    bells: list[int] = []
    app = console_app(store, clock)
    monkeypatch.setattr(app, "bell", lambda: bells.append(1))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        # At T+0 the on-call rung is already due: the alarm sounds once, on screen and in a toast that
        # says whom to call, the number, and the key; short, and gone after a few seconds.
        assert len(bells) == 1
        assert ("Escalate: On-call Engineer", "Call Primary +1-555-0101; press n when notified.", 6) in toasts(app)
        assert "DUE NOW: notify (n)" in rung_line(app, "On-call Engineer")
        assert app.screen.query_one(EscalationLadder).has_class("-alarm")

        await tick(app, pilot, clock, minutes=1)
        await pilot.press("n")
        assert last(store, incident) == (kinds.NOTIFY, {"rung": "oncall"})
        assert "notified 18:01, awaiting ack (a)" in rung_line(app, "On-call Engineer")
        assert not app.screen.query_one(EscalationLadder).has_class("-alarm")
        assert "Notified On-call Engineer" in timeline(app)

        await tick(app, pilot, clock, minutes=1)
        await pilot.press("a")
        assert last(store, incident) == (kinds.ACK, {"rung": "oncall"})
        assert "acknowledged 18:02" in rung_line(app, "On-call Engineer")
        assert clock_text(app, "response") == "Response target (1h): met at 18:02"
        assert "On-call Engineer acknowledged" in timeline(app)
        assert app.screen.query_one(EscalationLadder).border_subtitle == "next in 13m: Engineering Manager"
        assert len(bells) == 1
        await tick(app, pilot, clock, minutes=11, seconds=30)  # the last two minutes count seconds
        assert app.screen.query_one(EscalationLadder).border_subtitle == "next in 1m 30s: Engineering Manager"

        # Time passes: the manager's rung falls due; one bell, one toast, the ladder in alarm.
        await tick(app, pilot, clock, minutes=1, seconds=30)
        assert len(bells) == 2
        assert ("Escalate: Engineering Manager", "Call Secondary +1-555-0102; press n when notified.", 6) in toasts(app)
        assert "DUE NOW: notify (n)" in rung_line(app, "Engineering Manager")
        assert app.screen.query_one(EscalationLadder).has_class("-alarm")
        ladder = app.screen.query_one(EscalationLadder)
        assert ladder.border_subtitle == "DUE NOW: call, then press n"
        await tick(app, pilot, clock, seconds=30)
        assert len(bells) == 2  # once per rung, not every second
        # The toast has gone by now (it lasts seconds); the alarm stays in the ladder until acted on.
        assert "DUE NOW: notify (n)" in rung_line(app, "Engineering Manager") and ladder.has_class("-alarm")

        await pilot.press("n")
        assert last(store, incident) == (kinds.NOTIFY, {"rung": "manager"})
        assert "notified 18:15, awaiting ack (a)" in rung_line(app, "Engineering Manager")
        assert not app.screen.query_one(EscalationLadder).has_class("-alarm")

        await pilot.press("n")  # nothing due: said in the bar, nothing written
        assert bar_error(app) is not None and "no rung is due" in bar_error(app)
        assert len(logged(store, incident)) == 4


async def test_n_and_a_in_the_ladder_act_on_the_rung_under_the_cursor(store, clock, incident):
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        ladder = app.screen.query_one(EscalationLadder)
        ladder.focus()
        ladder.highlighted = 2  # the CTO, ahead of time
        await pilot.press("n")
        assert last(store, incident) == (kinds.NOTIFY, {"rung": "cto"})
        await pilot.press("a")
        assert last(store, incident) == (kinds.ACK, {"rung": "cto"})
        assert "acknowledged 18:00" in rung_line(app, "CTO")
        assert "DUE NOW" in rung_line(app, "On-call Engineer")  # the rung due is still unnotified


async def test_the_response_target_running_out_sounds_the_alarm(store, clock, playbook, monkeypatch):
    incident = declare_incident(store, playbook, "P0")
    bells: list[int] = []
    app = console_app(store, clock)
    monkeypatch.setattr(app, "bell", lambda: bells.append(1))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        # P0: immediate. The toast says which rung to call, on what number, and which keys record it.
        assert (
            "Response overdue (Immediate target)",
            "Page On-call Engineer: call Primary +1-555-0101.\nPress n, then a when they answer.",
            6,
        ) in toasts(app)
        assert app.screen.query_one("#clock").has_class("-overdue")
        await tick(app, pilot, clock, minutes=4)
        assert "RESPONSE OVERDUE by 4m 00s" in clock_text(app, "response")
        await command(pilot, "ack oncall")
        assert last(store, incident) == (kinds.ACK, {"rung": "oncall"})
        assert clock_text(app, "response").replace("\n", " ") == "Response target (Immediate): missed by 4m (acknowledged 18:04)"
        assert not app.screen.query_one("#clock").has_class("-overdue")


async def test_the_overdue_alarm_names_the_rung_paged_and_how_to_reach_it(store, clock, incident, monkeypatch):
    clock.advance(minutes=1)
    store.append(incident, kinds.NOTIFY, {"rung": "oncall"})  # paged, never answered
    store.append(incident, kinds.NOTIFY, {"rung": "manager"})
    clock.advance(minutes=58)
    app = console_app(store, clock)
    monkeypatch.setattr(app, "bell", lambda: None)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await tick(app, pilot, clock, minutes=1, seconds=1)  # the hour runs out
        assert (
            "Response overdue (1h target)",
            "On-call Engineer paged 18:01, no ack yet.\nCall Primary +1-555-0101; press a when they answer.",
            6,
        ) in toasts(app)


async def test_a_severity_change_re_derives_the_ladder_at_once(store, clock, playbook):
    incident = declare_incident(store, playbook, "P2")
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        ceo = rung_line(app, "CEO")
        assert "not at this severity" in ceo
        ceo_option = app.screen.query_one(EscalationLadder).get_option_at_index(3).prompt
        assert any("text-disabled" in str(span.style) for span in ceo_option.spans)  # dimmed
        assert "Response target (4h)" in clock_text(app, "response")

        await command(pilot, "sev P1")
        assert last(store, incident) == (kinds.SEVERITY, {"severity": "P1"})
        ceo = rung_line(app, "CEO")
        assert "not at this severity" not in ceo
        assert "1h 00m" in ceo and "due" in ceo
        assert "Response target (1h): due 19:00" in clock_text(app, "response")
        assert "P1 High" in header(app)

        await command(pilot, "sev P2")
        assert "not at this severity" in rung_line(app, "CEO")


# --- the command bar ---------------------------------------------------------------------------

COMMANDS = [
    # (lines run first, the line typed, the event expected, a phrase the screen then shows, where)
    ((), "status mitigating", (kinds.STATUS, {"status": "mitigating"}), "MITIGATING", header),
    ((), "sev P0", (kinds.SEVERITY, {"severity": "P0"}), "P0 Critical", header),
    ((), "eta 30m", (kinds.ETA, {"eta": "2026-11-26T18:30:00.000Z"}), "ETA 18:30 (in 30m)", lambda app: clock_text(app, "eta")),
    ((), "check 3", (kinds.CHECK, {"list": "detection", "step": 3, "text": "Initial triage and classification"}),
     "[x]  3. Initial triage and classification", lambda app: step_line(app, 3)),
    (("check 3",), "uncheck 3", (kinds.UNCHECK, {"list": "detection", "step": 3, "text": "Initial triage and classification"}),
     "[ ]  3. Initial triage and classification", lambda app: step_line(app, 3)),
    ((), "notify", (kinds.NOTIFY, {"rung": "oncall"}), "notified 18:00, awaiting ack (a)",
     lambda app: rung_line(app, "On-call Engineer")),
    (("notify",), "ack", (kinds.ACK, {"rung": "oncall"}), "acknowledged 18:00", lambda app: rung_line(app, "On-call Engineer")),
    ((), "notify cto", (kinds.NOTIFY, {"rung": "cto"}), "notified 18:00", lambda app: rung_line(app, "CTO")),
    ((), "role scribe Sam", (kinds.ROLE, {"role": "scribe", "name": "Sam"}), "Scribe: Sam", timeline),
    ((), "impact All EU card payments", (kinds.IMPACT, {"impact": "All EU card payments"}), "Impact: All EU card payments", timeline),
    ((), "phase next", (kinds.PHASE, {"phase": "containment"}), "Phase 2/3 Containment", lambda app: clock_text(app, "phase")),
    ((), "runbook database", (kinds.RUNBOOK, {"runbook": "database"}), "Runbook: Database", lambda app: " ".join(checklist_lines(app))),
    ((), "resolve", (kinds.RESOLVED, {}), "RESOLVED", header),
    (("resolve",), "reopen", (kinds.REOPENED, {}), "INVESTIGATING", header),
    ((), "Database CPU back under 40%", (kinds.NOTE, {"text": "Database CPU back under 40%"}), "Database CPU back under 40%", timeline),
    ((), "note resolve was premature", (kinds.NOTE, {"text": "resolve was premature"}), "resolve was premature", timeline),
]


@pytest.mark.parametrize(("before", "line", "expected", "shown", "where"), COMMANDS, ids=[c[1] for c in COMMANDS])
async def test_the_command_bar_runs_each_command(store, clock, incident, before, line, expected, shown, where):
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        for earlier in before:
            await command(pilot, earlier)
        count = len(logged(store, incident))
        await pilot.press("colon")
        assert isinstance(app.focused, CommandInput)
        await type_text(pilot, line)
        await pilot.press("enter")
        await pilot.pause()
        assert logged(store, incident)[count:] == [expected]
        assert shown in where(app)
        assert bar_error(app) is None
        assert app.screen.query_one(CommandInput).value == ""
        assert isinstance(app.focused, Checklist)  # back to the panes


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("sev P9", "unknown severity 'P9': expected one of P0, P1, P2"),
        ("check 99", "no step 99: expected a number from 1 to 12"),
        ("status sleeping", "unknown status 'sleeping': expected one of"),
        ("eta yesterday", "bad ETA 'yesterday'"),
        ("resolve the cache issue", "`resolve` takes nothing after it"),
        ("ack", "no notified rung is waiting for an acknowledgement"),
        ("reopen", "the incident is not resolved"),
        ("role scribe", "missing name"),
    ],
)
async def test_a_bad_command_shows_one_line_and_writes_nothing(store, clock, incident, line, error):
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        before = logged(store, incident)
        await command(pilot, line)
        assert logged(store, incident) == before
        shown = bar_error(app)
        assert shown is not None and error in shown
        assert "\n" not in shown
        assert app.screen.query_one("#command-error", Static).size.height == 1
        command_input = app.screen.query_one(CommandInput)
        assert app.focused is command_input and command_input.value == line  # kept, to fix and retry

        await pilot.press("escape")  # leave the bar: the error goes, focus returns to the panes
        assert bar_error(app) is None
        assert command_input.value == ""
        assert isinstance(app.focused, Checklist)


@pytest.mark.parametrize(
    ("key", "prefill", "rest", "expected"),
    [
        ("s", "status ", "mitigating", (kinds.STATUS, {"status": "mitigating"})),
        ("e", "eta ", "1h", (kinds.ETA, {"eta": "2026-11-26T19:00:00.000Z"})),
        ("i", "impact ", "Logins fail", (kinds.IMPACT, {"impact": "Logins fail"})),
    ],
)
async def test_status_eta_and_impact_keys_start_the_command(store, clock, incident, key, prefill, rest, expected):
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(key)
        command_input = app.screen.query_one(CommandInput)
        assert app.focused is command_input
        assert command_input.value == prefill and command_input.cursor_position == len(prefill)
        await type_text(pilot, rest)
        await pilot.press("enter")
        await pilot.pause()
        assert last(store, incident) == expected


async def test_keys_show_their_effect_and_the_bar_confirms_in_a_brief_toast(store, clock, incident, monkeypatch):
    app = console_app(store, clock)
    said_: list[tuple[str, str, float | None]] = []  # every notify call, whether or not its toast has expired
    notify = app.notify

    def recording_notify(message: str, **options: Any) -> None:
        said_.append((options.get("title", ""), message, options.get("timeout")))
        notify(message, **options)

    monkeypatch.setattr(app, "notify", recording_notify)
    async with app.run_test(size=(80, 24)) as pilot:
        alarms = list(said_)  # the on-call rung is due at T+0
        assert [title for title, _, _ in alarms] == ["Escalate: On-call Engineer"]
        await pilot.press("space", "n", "a", "p")  # each shows in its pane and the timeline: no toast piles up
        await pilot.pause()
        assert [kind for kind, _ in logged(store, incident)][1:] == [kinds.CHECK, kinds.NOTIFY, kinds.ACK, kinds.PHASE]
        assert said_ == alarms
        await command(pilot, "status mitigating")  # typed: said once, briefly
        assert said_[len(alarms):] == [("", "status: mitigating", 2)]


async def test_tab_completes_a_command_word(store, clock, incident):
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("colon")
        await type_text(pilot, "stat")
        await pilot.pause()
        await pilot.press("tab")
        assert app.screen.query_one(CommandInput).value == "status"
        await type_text(pilot, " mit")
        await pilot.pause()
        await pilot.press("tab")
        assert app.screen.query_one(CommandInput).value == "status mitigating"
        await pilot.press("enter")
        await pilot.pause()
        assert last(store, incident) == (kinds.STATUS, {"status": "mitigating"})


# --- weighty keys ask first ----------------------------------------------------------------------


async def test_v_changes_the_severity_after_choosing_and_confirming(store, clock, incident):
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")
        assert isinstance(app.screen, SeverityDialog)
        severities = app.screen.query_one("#severities", OptionList)
        assert severities.highlighted_option.id == "P1"  # the current one
        assert "(current)" in plain(severities.get_option_at_index(1).prompt)
        assert "System completely down" in plain(severities.get_option_at_index(0).prompt)  # criteria shown
        await pilot.press("up", "enter")
        assert isinstance(app.screen, ConfirmDialog)
        assert "Change severity P1 -> P0?" in plain(app.screen.query_one("#question", Static).content)
        assert len(logged(store, incident)) == 1  # nothing until confirmed
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        assert last(store, incident) == (kinds.SEVERITY, {"severity": "P0"})
        assert "P0 Critical" in header(app)
        assert "Severity changed to P0" in timeline(app)


@pytest.mark.parametrize(
    "keys",
    [("v", "escape"), ("v", "up", "enter", "n"), ("v", "up", "enter", "escape"), ("v", "enter")],
    ids=["escape-the-choice", "n-at-the-question", "escape-at-the-question", "same-severity"],
)
async def test_a_cancelled_severity_change_writes_nothing(store, clock, incident, keys):
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*keys)
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        assert logged(store, incident) == logged(store, incident)[:1]
        assert "P1 High" in header(app)


async def test_R_then_y_resolves_and_the_clock_stops(store, clock, incident):
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await tick(app, pilot, clock, minutes=42)
        await pilot.press("R")
        assert isinstance(app.screen, ConfirmDialog)
        question = plain(app.screen.query_one("#question", Static).content)
        assert f"Resolve {incident} (Checkout API returning 500s)?" in question
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        assert last(store, incident) == (kinds.RESOLVED, {})
        assert "RESOLVED" in header(app)
        assert "RESOLVED 18:42" in clock_text(app, "started")
        assert app.screen.query_one("#elapsed").has_class("-resolved")  # the stopped clock turns green
        assert elapsed(app) == "0:42:00"
        await tick(app, pilot, clock, minutes=10)
        assert elapsed(app) == "0:42:00"  # stopped
        assert store.open_incidents() == []

        await pilot.press("R")  # already resolved: R now offers to reopen, and asks first
        assert isinstance(app.screen, ConfirmDialog)
        assert f"Reopen {incident} (Checkout API returning 500s)?" in plain(app.screen.query_one("#question", Static).content)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        assert last(store, incident) == (kinds.RESOLVED, {})


async def test_a_resolved_incident_says_so_and_offers_reopen_instead_of_paging(store, clock, incident, monkeypatch):
    bells: list[int] = []
    app = console_app(store, clock)
    monkeypatch.setattr(app, "bell", lambda: bells.append(1))
    async with app.run_test(size=(80, 24)) as pilot:
        await tick(app, pilot, clock, minutes=20)
        await command(pilot, "resolve")
        await pilot.pause()
        # The header says RESOLVED plainly, first after the severity; no LIVE badge.
        assert header(app).startswith(" P1 High   RESOLVED   INC-1  Checkout API returning 500s")
        assert "LIVE" not in header(app)
        keys = await footer_keys(app, pilot)
        assert ("R", "Reopen") in keys
        for gone in ("Notify", "Ack", "Phase", "Resolve", "Sev", "Status"):
            assert gone not in [description for _, description in keys], keys
        # The keys that page and move on do nothing now; no rung is due, no bell rings.
        rings = len(bells)
        await pilot.press("n", "a", "p", "v", "s")
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        assert last(store, incident) == (kinds.RESOLVED, {})
        await tick(app, pilot, clock, minutes=30)  # the CTO's and CEO's times pass: nobody is paged
        assert len(bells) == rings
        assert not app.screen.query_one(EscalationLadder).has_class("-alarm")
        assert "DUE NOW" not in " ".join(ladder_lines(app))
        assert "not reached" in rung_line(app, "CEO")
        # In the ladder too: n and a leave the footer, c still copies a number.
        app.screen.query_one(EscalationLadder).focus()
        keys = await footer_keys(app, pilot)
        assert ("c", "Copy number") in keys and ("R", "Reopen") in keys
        assert "Notify" not in [d for _, d in keys] and "Ack" not in [d for _, d in keys]
        await pilot.press("n", "a")
        assert last(store, incident) == (kinds.RESOLVED, {})

        app.screen.query_one(Checklist).focus()
        await pilot.press("R")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()
        assert last(store, incident) == (kinds.REOPENED, {})
        assert "INVESTIGATING" in header(app)
        keys = await footer_keys(app, pilot)
        assert ("R", "Resolve") in keys and ("n", "Notify") in keys and ("R", "Reopen") not in keys


@pytest.mark.parametrize("answer", ["n", "escape"])
async def test_R_then_no_writes_nothing(store, clock, incident, answer):
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("R")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press(answer)
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        assert [kind for kind, _ in logged(store, incident)] == [kinds.DECLARED]
        assert "INVESTIGATING" in header(app)


async def test_the_footer_fits_the_keys_that_matter_at_80_columns(store, clock, incident):
    app = console_app(store, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        must = [("R", "Resolve"), ("v", "Sev"), ("?", "Help"), ("^q", "Quit")]
        keys = await footer_keys(app, pilot)  # each one checked to be wholly on screen
        assert keys == [
            ("space", "Tick"), ("n", "Notify"), ("a", "Ack"), ("p", "Phase"), ("s", "Status"), ("v", "Sev"),
            ("R", "Resolve"), ("?", "Help"), ("^q", "Quit"),
        ]
        # The ladder's own keys come first when it has the focus; the weighty ones still show.
        app.screen.query_one(EscalationLadder).focus()
        keys = await footer_keys(app, pilot)
        assert keys[:3] == [("n", "Notify"), ("a", "Ack"), ("c", "Copy number")]
        assert all(key in keys for key in must), keys
        # In the command bar the single keys type letters: the footer does not offer them.
        await pilot.press("colon")
        keys = await footer_keys(app, pilot)
        assert ("^q", "Quit") in keys
        assert not any(description in ("Notify", "Resolve", "Sev", "Help") for _, description in keys), keys
        await pilot.press("n", "escape")
        assert logged(store, incident) == logged(store, incident)[:1]
        keys = await footer_keys(app, pilot)
        assert all(key in keys for key in must), keys

    wide = console_app(store, clock)
    async with wide.run_test(size=(160, 48)) as pilot:
        keys = await footer_keys(wide, pilot)
        assert (":", "Command") in keys and ("y", "Copy") in keys and ("^p", "palette") in keys
        assert all(key in keys for key in must), keys


async def test_clicking_a_key_in_the_footer_presses_it(store, clock, incident, monkeypatch):
    app = console_app(store, clock)
    bells: list[int] = []
    monkeypatch.setattr(app, "bell", lambda: bells.append(1))
    async with app.run_test(size=(160, 48)) as pilot:
        await tick(app, pilot, clock, minutes=1)
        bar = app.screen.query_one(KeyBar)
        shown = {key.description: key for key in bar.shown}
        line = plain(bar.render())
        assert len(line) == 160
        for key in shown.values():  # each key is drawn where the bar says it is (the clicks go by that)
            assert line[key.start:key.end].strip().startswith(key.display), (key, line)
        notify = shown["Notify"]
        await pilot.click(KeyBar, offset=(notify.start + 1, 0))
        await pilot.pause()
        assert last(store, incident)[0] == kinds.NOTIFY
        await pilot.click(KeyBar, offset=(shown["Help"].end - 2, 0))
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        # A key shown but not usable now (dimmed) rings the bell and does nothing.
        monkeypatch.setattr(ConsoleScreen, "check_action", lambda self, action, parameters: None if action == "notify" else True)
        app.screen.refresh_bindings()
        await pilot.pause()
        notify = next(key for key in bar.shown if key.description == "Notify")
        assert not notify.enabled
        before, rings = logged(store, incident), len(bells)
        await pilot.click(KeyBar, offset=(notify.start + 1, 0))
        await pilot.pause()
        assert logged(store, incident) == before and len(bells) == rings + 1


async def test_the_footer_leaves_out_a_key_it_cannot_draw_whole(store, clock, incident):
    app = console_app(store, clock)
    async with app.run_test(size=(60, 24)) as pilot:  # the narrowest console: the keys outrun the line
        keys = await footer_keys(app, pilot)
        assert keys[:3] == [("space", "Tick"), ("n", "Notify"), ("a", "Ack")]
        line = plain(app.screen.query_one(KeyBar).render())
        last_key = app.screen.query_one(KeyBar).shown[-1]
        assert last_key.end <= 60 and line.rstrip().endswith(last_key.description)
        assert ("^q", "Quit") not in keys  # cut off: left out, not drawn in half


async def test_question_mark_opens_help_and_escape_closes_it(store, clock, incident):
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = " ".join(plain(s.content) for s in app.screen.query(Static))
        assert "ctrl+q" in text and "quit (the incident stays open" in text
        assert "status investigating|mitigating|resolved" in text
        await pilot.press("escape")
        assert isinstance(app.screen, ConsoleScreen)
        assert len(logged(store, incident)) == 1


async def test_help_at_80x24_wraps_each_explanation_under_itself(store, clock, incident):
    app = console_app(store, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        tables = list(app.screen.query(Table))
        assert len(tables) == 2
        for table in tables:
            width = table.content_region.width
            lines = plain(table.content).splitlines()
            assert all(len(line) <= width for line in lines), lines
        keys = plain(tables[0].content).splitlines()
        r = next(i for i, line in enumerate(keys) if line.startswith("  R "))
        assert keys[r + 1].startswith(" " * 18) and not keys[r + 1][18].isspace()  # under the text, not the key
        assert "once resolved, R reopens it" in " ".join(line.strip() for line in keys)


async def test_o_switches_the_timeline_between_recorded_and_happened_order(store, clock, incident, db_path):
    clock.advance(minutes=20)
    with Store(db_path, clock=clock) as scribe:
        scribe.append(incident, kinds.NOTE, {"text": "first page at 18:15"}, actor="Sam")
        scribe.append(incident, kinds.NOTE, {"text": "alert fired at 18:05"}, actor="Sam", at=clock.now() - timedelta(minutes=15))
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        text = timeline(app)
        assert text.index("first page") < text.index("alert fired")
        assert "backfilled, recorded 18:20:00" in text
        await pilot.press("o")
        log = app.screen.query_one(Timeline)
        assert log.border_subtitle == "happened order (o)"
        text = timeline(app)
        assert text.index("alert fired") < text.index("first page")
        await pilot.press("o")
        assert log.border_subtitle == "recorded order (o)"
        assert len(logged(store, incident)) == 3


# --- other writers, hostile text, the terminal ---------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
async def test_timeline_lines_wrap_to_the_pane_and_rewrap_on_resize(store, clock, incident, db_path, size):
    note = "Rolled back deploy 4812 on all three regions; error rate falling, watching the payment queue drain"
    with Store(db_path, clock=clock) as scribe:
        for minute in range(1, 25):  # more lines than the pane holds: the vertical scrollbar shows
            clock.advance(minutes=1)
            scribe.append(incident, kinds.NOTE, {"text": f"{note} ({minute})"}, actor="Sam")
    app = console_app(store, clock)
    async with app.run_test(size=size) as pilot:
        log = app.screen.query_one(Timeline)
        for width, height in [size, (120, 40), size]:
            await pilot.resize_terminal(width, height)
            await pilot.pause()
            assert log.virtual_size.width <= log.scrollable_content_region.width, "the timeline scrolls sideways"
            assert not log.show_horizontal_scrollbar
            widest = max(strip.cell_length for strip in log.lines)
            room = log.scrollable_content_region.width
            assert widest <= room
            assert widest >= room - 12  # wrapped to the pane as it is now, not as it was
            assert f"{note} (24) (Sam)" in timeline(app)


async def test_the_timeline_never_scrolls_sideways_when_it_fills_up(store, clock, incident, db_path):
    app = console_app(store, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.screen.query_one(Timeline)
        with Store(db_path, clock=clock) as scribe:
            for minute in range(1, 16):  # one at a time, as a room writes: the scrollbar comes mid-way
                clock.advance(minutes=1)
                scribe.append(incident, kinds.NOTE, {"text": f"update {minute}: still draining the payment queue"}, actor="Sam")
                app.screen.tick()
                await pilot.pause()
        assert log.max_scroll_y > 0
        assert log.virtual_size.width <= log.scrollable_content_region.width, "the timeline scrolls sideways"
        assert "update 15: still draining the payment queue (Sam)" in timeline(app)


def on_screen(log: Timeline) -> list[str]:
    """The timeline's lines as the pane shows them now."""
    return [" ".join(log.render_line(y).text.split()) for y in range(log.scrollable_content_region.height)]


async def test_the_timeline_shows_the_newest_and_draws_older_entries_as_the_reader_scrolls_up(store, clock, incident, db_path):
    with Store(db_path, clock=clock) as scribe:
        for number in range(1, 81):
            clock.advance(seconds=30)
            scribe.append(incident, kinds.NOTE, {"text": f"update {number}: still draining the payment queue"}, actor="Sam")
    app = console_app(store, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.screen.query_one(Timeline)
        assert on_screen(log)[-1].endswith("(Sam)") and "update 80:" in " ".join(on_screen(log)[-3:])
        assert len(log._lines) < 80  # only about a pane's worth is wrapped so far, not all 81 entries
        extended = 0
        for _ in range(40):  # scroll to the top, again and again, as far as the pane goes back
            oldest_drawn = " ".join(log._lines[0].text.split())
            log.scroll_to(y=0, animate=False)
            await pilot.pause()
            if log.scroll_y == 0:
                break
            # Older entries came in above, and the reader still sees the line they scrolled to.
            assert on_screen(log)[0] == oldest_drawn
            extended += 1
        assert extended >= 2
        assert "Declared P1" in " ".join(on_screen(log)[:2])
        everything = [strip.text for strip in log.lines]
        assert log.virtual_size.height == len(everything)  # every entry drawn by now, each once
        assert sum("update 1: " in line for line in everything) == 1


async def test_events_from_another_connection_appear_after_a_tick(store, clock, incident, db_path, monkeypatch):
    bells: list[int] = []
    app = console_app(store, clock)
    monkeypatch.setattr(app, "bell", lambda: bells.append(1))
    async with app.run_test(size=SIZE) as pilot:
        clock.advance(minutes=1)
        with Store(db_path, clock=clock) as monitoring:  # a script on the same file
            monitoring.append(incident, kinds.ALERT, {"text": "db-1 CPU at 99%"}, actor="prometheus")
            monitoring.append(incident, kinds.CHECK, {"list": "detection", "step": 2, "text": "Manual incident reporting"}, actor="Sam")
            monitoring.append(incident, kinds.SEVERITY, {"severity": "P0"}, actor="Sam")
        assert "db-1 CPU at 99%" not in timeline(app)  # not yet: the console reads on its tick
        app.screen.tick()
        await pilot.pause()
        assert "db-1 CPU at 99%" in timeline(app)
        assert "(prometheus)" in timeline(app)
        assert step_line(app, 2).startswith("  [x]  2. Manual incident reporting")
        assert "P0 Critical" in header(app)
        assert "Response target (Immediate)" in clock_text(app, "response") or "RESPONSE OVERDUE" in clock_text(app, "response")

        await pilot.press("space")  # our own write after theirs lands in the same log
        assert last(store, incident)[0] == kinds.CHECK
        assert [kind for kind, _ in logged(store, incident)][-4:] == [kinds.ALERT, kinds.CHECK, kinds.SEVERITY, kinds.CHECK]


HEADERS = [
    # (width, title, the top line): severity, status and incident always; the title before the clocks and LIVE
    (80, "Queue stuck", " LIVE   P1 High  INVESTIGATING  INC-1  Queue stuck            18:00 · 18:00 UTC "),
    (80, "Checkout API returning 500s", " LIVE   P1 High  INVESTIGATING  INC-1  Checkout API returning 500s        18:00 "),
    (80, "Checkout API returning 500s for EU customers on card payments",
     " P1 High  INVESTIGATING  INC-1  Checkout API returning 500s for EU customers on…"),
    (60, "Checkout API returning 500s", " P1 High  INVESTIGATING  INC-1  Checkout API returning 500s"),
]


async def test_a_second_of_idle_repaints_the_clock_not_the_header_ladder_or_checklist(store, clock, incident, monkeypatch):
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await tick(app, pilot, clock, seconds=1)
        repainted: list[str] = []
        for widget in (app.screen.query_one(IncidentHeader), app.screen.query_one(EscalationLadder),
                       app.screen.query_one(Checklist)):
            original = widget.refresh

            def spy(*args, _name=type(widget).__name__, _original=original, **kwargs):
                repainted.append(_name)
                return _original(*args, **kwargs)

            monkeypatch.setattr(widget, "refresh", spy)
        clock.set(clock.now().replace(second=10))
        await tick(app, pilot, clock, seconds=1)  # 18:00:11: the big clock moves, nothing else shows a change
        assert elapsed(app) == "0:00:11"
        assert repainted == []
        await tick(app, pilot, clock, seconds=49)  # 18:01:00: the header's HH:MM and the countdowns move
        assert "IncidentHeader" in repainted and "18:01" in header(app)


@pytest.mark.parametrize(("width", "title", "expected"), HEADERS, ids=["short", "medium", "long", "narrow"])
async def test_the_header_keeps_severity_status_and_as_much_title_as_fits(store, clock, playbook, width, title, expected):
    declare_incident(store, playbook, title=title)
    app = console_app(store, clock)
    async with app.run_test(size=(width, 24)) as pilot:
        await pilot.pause()
        assert header(app) == expected
        assert len(header(app)) <= width


async def test_markup_and_escape_sequences_are_shown_literally(store, clock, playbook, db_path):
    incident = declare_incident(store, playbook, title=MARKUP_TITLE)
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        shown = header(app)
        assert "[bold]x[/bold] [@click=app.quit]quit[/] \\x1b[31mred" in shown
        assert "\x1b" not in shown
        # Click on the title where a link would be: nothing happens.
        head = app.screen.query_one(IncidentHeader)
        await pilot.click(IncidentHeader, offset=(shown.index("[@click") + 3, 0))
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, ConsoleScreen)
        assert head.render().plain == shown

        await command(pilot, "note [bold]y[/bold] [@click=app.quit]bye[/]")
        assert last(store, incident) == (kinds.NOTE, {"text": "[bold]y[/bold] [@click=app.quit]bye[/]"})
        with Store(db_path, clock=clock) as script:
            script.append(incident, kinds.ALERT, {"text": "\x1b[31mred\x1b[0m \x07bell"}, actor="script")
        app.screen.tick()
        await pilot.pause()
        text = timeline(app)
        assert "[bold]y[/bold] [@click=app.quit]bye[/]" in text
        assert "\\x1b[31mred\\x1b[0m \\x07bell" in text
        assert "Declared P1: [bold]x[/bold] [@click=app.quit]quit[/] \\x1b[31mred" in text
        assert all("\x1b" not in strip.text for strip in app.screen.query_one(Timeline).lines)
        assert app.is_running and isinstance(app.screen, ConsoleScreen)


async def test_a_terminal_too_small_says_so_and_resizing_back_works(store, clock, incident):
    app = console_app(store, clock)
    async with app.run_test(size=(50, 15)) as pilot:
        screen = app.screen
        assert screen.has_class("-too-small")
        message = screen.query_one("#too-small", Static)
        assert message.display
        assert plain(message.content) == "warroom needs at least 60x20; this terminal is 50x15. Enlarge it."
        assert not screen.query_one("#panes").display
        assert await footer_keys(app, pilot) == [("^q", "Quit")]  # the panes' keys would act on nothing seen
        for width, height in [(80, 24), (20, 5), (200, 60), (59, 24), (80, 24)]:
            await pilot.resize_terminal(width, height)
            await pilot.pause()
            assert screen.has_class("-too-small") == (width < 60 or height < 20)
            assert screen.has_class("-wide") == (width >= 150)
        assert plain(message.content).endswith("this terminal is 59x24. Enlarge it.")
        assert screen.query_one("#panes").display
        assert not message.display
        assert isinstance(app.focused, Checklist)  # the panes were hidden a moment: the cursor is back
        await pilot.press("space")
        assert last(store, incident)[0] == kinds.CHECK
        assert step_line(app, 1).startswith("  [x]")


async def test_ctrl_q_quits_without_ending_the_incident(store, clock, incident):
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert not app.is_running
    assert logged(store, incident) == logged(store, incident)[:1]
    assert [row.id for row in store.open_incidents()] == [incident]


async def test_ctrl_q_quits_from_the_command_bar_too(store, clock, incident):
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("colon")
        await type_text(pilot, "half a no")
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert not app.is_running
    assert [kind for kind, _ in logged(store, incident)] == [kinds.DECLARED]


# --- the command palette -------------------------------------------------------------------------

async def palette_hits(app: WarroomApp, pilot, query: str, wanted: str) -> list[str]:
    """Open ctrl+p, type the query, and return the prompts offered once one contains `wanted` (or the last seen)."""
    await pilot.press("ctrl+p")
    assert isinstance(app.screen, CommandPalette)
    await type_text(pilot, query)
    hits: list[str] = []
    for _ in range(250):  # wait for the screen, not the clock: the palette searches in a worker
        await pilot.pause(0.02)
        commands = app.screen.query_one(CommandList)
        hits = [plain(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)]
        if any(wanted in hit.lower() for hit in hits):
            break
    return hits


PALETTE = [
    # (what is typed, what the offered command's name contains)
    ("resolve", "resolve"), ("reopen", "reopen"), ("next phase", "next phase"), ("notify", "notify"),
    ("ack", "acknowledge"), ("severity", "severity"), ("status", "status: mitigating"), ("eta", "eta"),
    ("impact", "impact"), ("note", "note"), ("role", "role"), ("runbook", "runbook"), ("timeline", "timeline order"),
    ("command bar", "command bar"), ("help", "help"),
]


async def test_the_palette_lists_every_console_action(store, clock, incident):
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        for query, wanted in PALETTE:
            hits = await palette_hits(app, pilot, query, wanted)
            assert any(wanted in hit.lower() for hit in hits), f"ctrl+p {query!r} offers {hits}"
            await pilot.press("escape")
            assert isinstance(app.screen, ConsoleScreen)
        assert [kind for kind, _ in logged(store, incident)] == [kinds.DECLARED]  # looking writes nothing


async def test_resolve_from_the_palette_asks_then_resolves(store, clock, incident):
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        hits = await palette_hits(app, pilot, "resolve incident", "resolve")
        assert any("resolve" in hit.lower() for hit in hits), hits
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()
        assert last(store, incident) == (kinds.RESOLVED, {})
        assert "RESOLVED" in header(app)


async def test_next_phase_from_the_palette_writes_the_phase(store, clock, incident):
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        hits = await palette_hits(app, pilot, "next phase", "next phase")
        assert any("next phase" in hit.lower() for hit in hits), hits
        await pilot.press("enter")
        await pilot.pause()
        assert last(store, incident) == (kinds.PHASE, {"phase": "containment"})
        assert clock_text(app, "phase").startswith("Phase 2/3 Containment")


async def test_the_palette_has_the_app_commands(store, clock, incident):
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        hits = await palette_hits(app, pilot, "high contrast", "high contrast")
        assert any("High contrast" in hit for hit in hits), hits
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == "warroom-high-contrast"
        assert [kind for kind, _ in logged(store, incident)] == [kinds.DECLARED]


async def test_the_console_is_styled_once_as_it_opens_and_follows_a_theme_changed_under_a_dialog(
    store, clock, incident, monkeypatch
):
    restyled: list[int] = []
    update = ConsoleScreen.update_node_styles
    monkeypatch.setattr(ConsoleScreen, "update_node_styles", lambda self, animate=True: (restyled.append(1), update(self, animate))[1])
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # Each widget was styled as it mounted, for this size: opening restyles nothing again.
        assert isinstance(app.screen, ConsoleScreen) and restyled == []
        header = app.screen.query_one("#header")
        assert header.styles.background.hex.lower() != "#1c1c1c"
        await pilot.press("question_mark")
        await pilot.pause()
        app.action_toggle_contrast()  # the theme changes under the help screen
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        assert header.styles.background.hex.lower() == "#1c1c1c"  # the high-contrast panel


async def test_help_lists_every_key_the_console_binds(store, clock, incident):
    """The help's Keys table is made from the bindings: a key added to the console shows up in it."""
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        keys_table = app.screen.query(Table).first()
        keys = [first for first, _ in keys_table.rows]
        owners = [Checklist, ConsoleScreen, EscalationLadder, app]
        for owner in owners:
            for binding in owner.BINDINGS:
                for key in binding.key.split(","):
                    assert any(key_name(key) in shown.split(" / ") for shown in keys), (key, keys)
        rows = dict(keys_table.rows)
        assert rows["n"].startswith("notify") and rows["s / e / i"].startswith("status, ETA, impact")
        assert rows["space / enter"].startswith("tick or untick")


async def test_a_resolved_incident_offers_no_tick_and_refuses_one(store, clock, incident):
    app = console_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await command(pilot, "resolve")
        await pilot.pause()
        keys = await footer_keys(app, pilot)
        assert ("space", "Tick") not in keys and ("R", "Reopen") in keys
        before = logged(store, incident)
        await pilot.press("space")  # the key does nothing
        await command(pilot, "check 1")  # the command says why
        await pilot.pause()
        assert logged(store, incident) == before
        assert "is resolved: `check` needs it open" in bar_error(app)
