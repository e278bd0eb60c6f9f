"""What must never be out of sight: alerts piped in while a template tab is shown, and a second open incident."""

from __future__ import annotations

import pytest
from textual.widgets import Static, TabbedContent

from conftest import declaration_payload
from warroom import events as kinds
from warroom.store import Store
from warroom.tui.app import make_app
from warroom.tui.screens.console import ConsoleScreen
from warroom.tui.widgets.clock_pane import IncidentClock
from warroom.tui.widgets.header import IncidentHeader

pytestmark = pytest.mark.usefixtures("utc_local_time")


async def test_alerts_piped_in_behind_a_template_tab_are_counted_shown_and_rung(store, clock, playbook, db_path):
    incident = store.declare(declaration_payload(playbook, clock.now())).incident
    app = make_app(store, clock=clock, incident_id=incident)
    bells: list[int] = []
    async with app.run_test(size=(160, 48)) as pilot:
        app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConsoleScreen)
        tabs = screen.query_one(TabbedContent)
        template = playbook.templates[0]
        tabs.active = f"tab-{template.id}"
        await pilot.pause()
        with Store(db_path, clock=clock) as monitoring:
            clock.advance(seconds=30)
            monitoring.append(incident, kinds.ALERT, {"text": "disk 95% on db-1"}, actor="prometheus")
            monitoring.append(incident, kinds.ALERT, {"text": "disk 97% on db-1"}, actor="prometheus")
        screen.tick()
        await pilot.pause()
        assert str(tabs.get_tab("timeline-tab").label) == "Timeline · 2 new alerts"
        assert "alert 18:00 disk 97% on db-1" in str(screen.query_one(IncidentClock).border_subtitle)
        assert len(bells) == 1  # the first alert after a quiet spell rings; the one right after it does not
        with Store(db_path, clock=clock) as monitoring:
            clock.advance(minutes=1)
            monitoring.append(incident, kinds.ALERT, {"text": "disk 99% on db-1"}, actor="prometheus")
        screen.tick()
        await pilot.pause()
        assert str(tabs.get_tab("timeline-tab").label) == "Timeline · 3 new alerts" and len(bells) == 1
        with Store(db_path, clock=clock) as monitoring:
            clock.advance(minutes=10)
            monitoring.append(incident, kinds.ALERT, {"text": "db-1 down"}, actor="prometheus")
        screen.tick()
        await pilot.pause()
        assert len(bells) == 2  # after ten quiet minutes: the bell again
        tabs.active = "timeline-tab"
        await pilot.pause()
        assert str(tabs.get_tab("timeline-tab").label) == "Timeline"


async def test_a_second_open_incident_is_named_in_the_header_and_on_the_wall(store, clock, playbook, db_path):
    first = store.declare(declaration_payload(playbook, clock.now(), title="Checkout down")).incident
    for mode in ({}, {"watch": True}):
        app = make_app(store, clock=clock, incident_id=first, **mode)
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.pause()
            header = app.screen.query_one(IncidentHeader)
            assert header.others_open == () and "open:" not in header.render().plain
            with Store(db_path, clock=clock) as elsewhere:
                second = elsewhere.declare(declaration_payload(playbook, clock.now(), title="Search slow")).incident
            app.screen.tick()
            await pilot.pause()
            assert header.others_open == (second,)
            assert f"+1 open: {second}" in header.render().plain
            with Store(db_path, clock=clock) as elsewhere:
                elsewhere.append(second, kinds.RESOLVED, {})
            app.screen.tick()
            await pilot.pause()
            assert "open:" not in header.render().plain


async def test_declaring_while_one_is_open_says_so(store, clock, playbook):
    store.declare(declaration_payload(playbook, clock.now(), title="Checkout down"))
    app = make_app(store, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.show_declare(can_go_back=True)
        await pilot.pause()
        warning = app.screen.query_one("#declare-open", Static)
        assert "Still open: INC-1 (Checkout down)" in str(warning.content)


async def test_with_every_rung_due_everyone_names_the_same_rung_to_page(store, clock, playbook, db_path):
    """Two hours in, nobody paged: the ladder's marker, the toast, the wall and `n` all say the first rung."""
    from warroom import views
    from warroom.incident import state_of
    from warroom.tui.widgets.ladder import EscalationLadder

    incident = store.declare(declaration_payload(playbook, clock.now(), severity=playbook.severities[0].id)).incident
    clock.advance(hours=2)
    state = state_of(store.events(incident))
    ladder = views.ladder(state, clock.now())
    assert len(ladder.due) > 1
    first = ladder.to_page
    assert first is not None and first.number == min(r.number for r in ladder.due)
    app = make_app(store, clock=clock, incident_id=incident)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        rows = [str(app.screen.query_one(EscalationLadder).get_option_at_index(i).prompt) for i in range(len(ladder.rungs))]
        marked = [row for row in rows if row.lstrip().startswith("▶")]
        assert len(marked) == 1 and first.rung.name in marked[0]
        toasts = [n.title for n in app._notifications]
        assert any(f"page {first.rung.name} first" in (title or "") for title in toasts), toasts
        await pilot.press("n")
        await pilot.pause()
    assert store.events(incident)[-1].payload == {"rung": first.rung.id}
    wall = make_app(store, clock=clock, incident_id=incident, watch=True)
    async with wall.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        second = views.ladder(state_of(store.events(incident)), clock.now()).to_page
        line = str(wall.screen.query_one("#watch-ladder", Static).content)
        assert f"ESCALATE: page {second.rung.name}" in line and "also due" in line


def test_the_response_verdict_after_a_raise_is_the_same_everywhere(store, clock, playbook):
    """Acknowledged in time as P1, then raised to P0: the console, stats and the report all judge by P1's target."""
    from warroom import report, views
    from warroom.incident import state_of
    from warroom.tui.widgets.clock_pane import response_line

    ids = [s.id for s in playbook.severities]
    low, high = ids[1], ids[0]
    incident = store.declare(declaration_payload(playbook, clock.now(), severity=low)).incident
    clock.advance(minutes=5)
    store.append(incident, kinds.NOTIFY, {"rung": playbook.ladder[0].id})
    store.append(incident, kinds.ACK, {"rung": playbook.ladder[0].id})
    clock.advance(minutes=5)
    store.append(incident, kinds.SEVERITY, {"severity": high})
    state = state_of(store.events(incident))
    verdict = views.response(state, clock.now())
    assert verdict.state == "met" and verdict.severity.id == low
    label = playbook.severity(low).response_label
    assert response_line(state, clock.now()).plain.startswith(f"Response target ({low}, {label}): met at")
    text = report.format_stats(report.stats([state], clock.now(), None))
    target = report.target_words(playbook.severity(low).response_target) if hasattr(report, "target_words") else None
    line = next(row for row in text.splitlines() if "response target" in row)
    assert f" as {low})" in line and "met 1 of 1" in line
    if target:
        assert f"({target} as {low})" in line
    assert f"({low} when acknowledged" in report.markdown_report(store.events(incident), clock.now())
