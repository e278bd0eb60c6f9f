"""The clock pane re-derives its lines only when something they read changed, and then shows exactly what they say."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Digits

from conftest import declaration_payload
from warroom import views
from warroom.clock import format_clock
from warroom.tui.app import make_app
from warroom.tui.screens.console import ConsoleScreen
from warroom.tui.widgets import clock_pane
from warroom.tui.widgets.clock_pane import IncidentClock, line
from warroom.tui.widgets.live_line import LiveLine

pytestmark = pytest.mark.usefixtures("utc_local_time")

STEPS = [
    "note checking the dashboards", "notify", "ack", "eta 45m", "sev P0", "phase next", "status mitigating", "eta none",
    "copy internal", "impact EU customers cannot pay", "phase next", "resolve", "reopen", "sev P2",
]


def expected_lines(pane: IncidentClock) -> dict[str, str]:
    state, now, width = pane.state, pane.now, pane.content_size.width
    return {
        "clock-started": line(clock_pane.started_pieces(state), width).markup,
        "clock-response": line(clock_pane.response_pieces(state, now, hints=pane.hints), width).markup,
        "clock-phase": line(clock_pane.phase_pieces(state, now), width).markup,
        "clock-eta": line(clock_pane.eta_and_update_pieces(state, now, hints=pane.hints), width).markup,
        "elapsed": format_clock(views.elapsed(state, now)),
    }


def shown_lines(pane: IncidentClock) -> dict[str, str]:
    shown = {widget_id: pane.query_one(f"#{widget_id}", LiveLine)._shown.markup
             for widget_id in ("clock-started", "clock-response", "clock-phase", "clock-eta")}
    shown["elapsed"] = pane.query_one("#elapsed", Digits).value
    return shown


async def test_the_clock_pane_says_what_its_lines_say_after_every_command_and_second(store, clock, playbook, monkeypatch):
    store.declare(declaration_payload(playbook, clock.now() - timedelta(minutes=12)))
    derived: list[int] = []
    response_pieces = clock_pane.response_pieces
    monkeypatch.setattr(clock_pane, "response_pieces", lambda *a, **k: (derived.append(1), response_pieces(*a, **k))[1])
    app = make_app(store, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConsoleScreen)
        screen._ticker.pause()
        pane = screen.query_one(IncidentClock)
        for step in STEPS:
            assert screen.run_command(step) or screen.run_command(step), step  # a copy warns once about [eta]
            await pilot.pause()
            assert shown_lines(pane) == expected_lines(pane), f"after {step!r}"
            clock.advance(minutes=7)
            screen.tick()
            await pilot.pause()
            assert shown_lines(pane) == expected_lines(pane), f"7 minutes after {step!r}"
        before = len(derived)
        assert screen.run_command("note nothing the clock reads")
        await pilot.pause()
        assert len(derived) == before, "a note re-derived the clock pane's lines"
