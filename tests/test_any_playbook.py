"""The console with an organisation's own playbook (tests/data/sev-playbook.yaml: five SEV-n levels, five
phases, six rungs, dashed ids): at 80x24 every pane keeps the rows the commander needs now.

The ladder collapses to the rungs that matter when the whole list does not fit (and shows them all when it
has the focus), the checklist opens on the current phase, the timeline keeps a few entries, the declare
screen shows every level and its fields and its errors, and the words on screen are the playbook's.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, Static

from warroom import events as kinds
from warroom.clock import FakeClock
from warroom.commands import declaration
from warroom.playbook import Playbook, load_playbook
from warroom.store import Store
from warroom.tui.app import make_app
from warroom.tui.messages import ShowDeclare
from warroom.tui.screens.dialogs import SeverityList
from warroom.tui.widgets.checklist import Checklist
from warroom.tui.widgets.command_bar import CommandBar
from warroom.tui.widgets.ladder import EscalationLadder
from warroom.tui.widgets.timeline import Timeline

from conftest import START

SEV_PLAYBOOK = Path(__file__).parent / "data" / "sev-playbook.yaml"


@pytest.fixture(scope="module")
def sev() -> Playbook:
    return load_playbook(SEV_PLAYBOOK)


@pytest.fixture(autouse=True)
def _utc(utc_local_time):
    pass


def declare(store: Store, clock: FakeClock, playbook: Playbook, severity: str, minutes_ago: float) -> str:
    started = START - timedelta(minutes=minutes_ago)
    payload = declaration(playbook, START, severity, "Checkout down", "all EU customers", started_at=started, commander="Alex")
    return store.declare(payload, actor="Alex").incident


def plain(content) -> str:
    return content.plain if hasattr(content, "plain") else str(content)


def ladder_lines(app) -> list[str]:
    ladder = app.screen.query_one(EscalationLadder)
    return [plain(ladder.get_option_at_index(i).prompt) for i in range(ladder.option_count)]


def on_screen(app, widget) -> bool:
    return app.screen.region.contains_region(widget.region) and widget.region.height > 0


# --- the ladder --------------------------------------------------------------------------------


async def test_a_long_ladder_at_80x24_shows_who_to_page_and_counts_the_rest(store, clock, sev):
    # SEV-1 at T+12m: SRE Primary, SRE Secondary and Team Lead are due; three more rungs wait.
    declare(store, clock, sev, "SEV-1", 12)
    app = make_app(store, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        ladder = app.screen.query_one(EscalationLadder)
        lines = ladder_lines(app)
        assert lines[0].startswith("▶1 SRE Primary")  # who to page now, first
        assert any("Team Lead" in line for line in lines)  # every rung due is shown
        assert lines[-1].startswith(" +3 more:") and "later" in lines[-1]
        assert not any("Chief Executive" in line for line in lines)  # not needed now
        # The list fits its pane: nothing to scroll, and the panes below keep their rows.
        assert ladder.max_scroll_y == 0
        assert app.screen.query_one(Checklist).scrollable_content_region.height >= 5
        assert app.screen.query_one(Timeline).scrollable_content_region.height >= 4


async def test_the_collapsed_ladder_shows_every_rung_when_it_has_the_focus(store, clock, sev):
    declare(store, clock, sev, "SEV-1", 12)
    app = make_app(store, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        ladder = app.screen.query_one(EscalationLadder)
        ladder.focus()
        await pilot.pause()
        lines = ladder_lines(app)
        assert len(lines) == 6 and "Chief Executive" in lines[-1]
        await pilot.press("end")  # the list scrolls to the last rung, in the same rows
        assert ladder.highlighted_option.id == "rung:chief-exec"
        assert ladder.outer_size.height <= 12
        app.screen.query_one(Checklist).focus()
        await pilot.pause()
        assert ladder_lines(app)[-1].startswith(" +3 more:")


async def test_the_collapsed_ladder_keeps_the_rungs_awaiting_an_answer(store, clock, sev):
    incident = declare(store, clock, sev, "SEV-2", 150)
    for rung in ("sre-primary", "sre-secondary"):
        store.append(incident, kinds.NOTIFY, {"rung": rung}, actor="Alex")
        store.append(incident, kinds.ACK, {"rung": rung}, actor="Alex")
    store.append(incident, kinds.NOTIFY, {"rung": "team_lead"}, actor="Alex")
    app = make_app(store, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lines = ladder_lines(app)
        assert lines[0].startswith(" 3 Team Lead") and "awaiting ack" in lines[0]
        assert lines[1].startswith("▶4 Head of Engineering") and "DUE NOW" in lines[1]
        assert "acked" in lines[-1] or "acknowledged" in lines[-1]
        assert not any("SRE Primary" in line for line in lines)


async def test_at_160x48_the_whole_ladder_shows(store, clock, sev):
    declare(store, clock, sev, "SEV-1", 12)
    app = make_app(store, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        lines = ladder_lines(app)
        assert len(lines) == 6 and not any("more:" in line for line in lines)


# --- the checklist and the timeline ------------------------------------------------------------


async def test_the_checklist_opens_on_the_current_phase(store, clock, sev):
    incident = declare(store, clock, sev, "SEV-2", 150)
    for phase in ("stop-the-bleeding", "root_cause", "fix-forward"):
        store.append(incident, kinds.PHASE, {"phase": phase}, actor="Alex")
    app = make_app(store, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        checklist = app.screen.query_one(Checklist)
        rows = [checklist.render_line(y).text for y in range(checklist.scrollable_content_region.height)]
        # The current phase as high as the list can scroll (the phases before it are above), its steps under it.
        heading = next(y for y, row in enumerate(rows) if "Repair" in row)
        assert "◀ now" in rows[heading] and heading <= 1, rows
        assert any("Ship the fix behind a" in row for row in rows) and any("Re-enable traffic" in row for row in rows)
        assert not any("Triage" in row for row in rows)  # done with long ago: scrolled above
        assert checklist.highlighted_option.id == "step:8"


# --- the declare screen ------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
async def test_the_declare_screen_shows_every_level_and_field(store, clock, sev, size):
    app = make_app(store, playbook_path=SEV_PLAYBOOK, clock=clock)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        severities = screen.query_one("#severity", SeverityList)
        assert severities.option_count == 5 and severities.max_scroll_y == 0
        shown = "\n".join(severities.render_line(y).text for y in range(severities.size.height))
        for level in ("SEV-1 Outage", "SEV-2 Major", "SEV-3 Degraded", "SEV-4 Minor", "SEV-5 Cosmetic"):
            assert level in shown
        for field in ("#title", "#impact", "#runbook", "#started", "#commander", "#declare-button"):
            assert on_screen(app, screen.query_one(field)), field
        # The default is the playbook's choice, not the second in the list.
        assert severities.highlighted_option.id == sev.default_severity


@pytest.mark.parametrize("playbook_path", [None, SEV_PLAYBOOK], ids=["bundled", "sev"])
async def test_a_declare_error_is_shown_where_it_is_seen_at_80x24(store, clock, playbook_path, playbook):
    # Another incident is open: the form also warns about it, and has a line less for everything else.
    declare(store, clock, playbook, playbook.severities[0].id, 5)
    app = make_app(store, playbook_path=playbook_path, clock=clock, incident_id=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.post_message(ShowDeclare())
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query_one("#declare-open", Static).display
        await pilot.press("ctrl+s")  # an empty title
        await pilot.pause()
        await pilot.pause()
        error = app.screen.query_one("#declare-error", Static)
        assert error.display and "title is empty" in plain(error.render())
        assert on_screen(app, error)
        assert on_screen(app, app.screen.query_one("#title", Input))
        severities = app.screen.query_one("#severity", SeverityList)
        shown = "\n".join(severities.render_line(y).text for y in range(severities.size.height))
        assert all(level.id in shown for level in app.screen.playbook.severities)  # every level still in view
    assert len(store.incidents()) == 1  # nothing declared


# --- the playbook's words ----------------------------------------------------------------------


async def test_the_command_bar_gives_examples_in_the_playbooks_words(store, clock, sev):
    declare(store, clock, sev, "SEV-3", 1)
    app = make_app(store, clock=clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        placeholder = app.screen.query_one(CommandBar).query_one(Input).placeholder
        assert "sev SEV-1" in placeholder and "P0" not in placeholder


async def test_the_browser_filter_is_written_with_the_logs_severities(store, clock, sev):
    declare(store, clock, sev, "SEV-4", 1)
    app = make_app(store, clock=clock, browse="")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert "sev:SEV-4" in app.screen.query_one("#browser-filter", Input).placeholder
        assert "P1" not in plain(app.screen.query_one("#picker-title", Static).render())
