"""Keys that arrive in one read (a paste, tmux send-keys, a laggy SSH link) go where the user meant.

A burst is posted to the app all at once, as Textual's driver does with one read of the terminal: the
app has every key in its queue before any of them is handled.
"""

from __future__ import annotations

import pytest
from textual import events
from textual.keys import _character_to_key

from warroom import events as kinds
from warroom.commands import declaration
from warroom.tui.app import make_app
from warroom.tui.screens.console import ConsoleScreen
from warroom.tui.screens.declare import DeclareScreen

pytestmark = pytest.mark.usefixtures("utc_local_time")


def burst(app, text: str) -> None:
    """Every character of the text as one read of the terminal; "\\t" is tab, "\\r" enter."""
    names = {"\t": "tab", "\r": "enter"}
    for ch in text:
        app.post_message(events.Key(names.get(ch) or _character_to_key(ch), None if ch in names else ch))


async def test_a_burst_after_colon_goes_into_the_command_bar(store, clock, playbook):
    incident = store.declare(declaration(playbook, clock.now(), playbook.severities[0].id, "Queue stuck", "", ())).incident
    app = make_app(store, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        burst(app, ":note paste-1 and a note\r")
        await pilot.pause()
        await pilot.pause()
    logged = [(e.kind, e.payload) for e in store.events(incident)][1:]
    assert logged == [(kinds.NOTE, {"text": "paste-1 and a note"})]  # no notify, no eta, the whole note


async def test_a_burst_after_s_goes_into_the_status_command(store, clock, playbook):
    incident = store.declare(declaration(playbook, clock.now(), playbook.severities[0].id, "Queue stuck", "", ())).incident
    app = make_app(store, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        burst(app, "smitigating\r")
        await pilot.pause()
        await pilot.pause()
    logged = [(e.kind, e.payload) for e in store.events(incident)][1:]
    assert logged == [(kinds.STATUS, {"status": "mitigating"})]


async def test_a_burst_on_the_declare_form_fills_each_field_in_turn(store, clock):
    app = make_app(store, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, DeclareScreen)
        burst(app, "Checkout down\tEU cannot pay")
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query_one("#title").value == "Checkout down"
        assert app.screen.query_one("#impact").value == "EU cannot pay"


async def test_colon_typed_inside_the_bar_is_a_colon(store, clock, playbook):
    incident = store.declare(declaration(playbook, clock.now(), playbook.severities[0].id, "Queue stuck", "", ())).incident
    app = make_app(store, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        burst(app, ":note at 18:02 it broke\r")
        await pilot.pause()
        await pilot.pause()
    assert store.events(incident)[-1].payload == {"text": "at 18:02 it broke"}


@pytest.mark.parametrize("spaces, recorded", [(2, [kinds.CHECK, kinds.UNCHECK]), (3, [kinds.CHECK, kinds.UNCHECK, kinds.CHECK])])
async def test_each_space_of_a_burst_toggles_the_step_in_turn(store, clock, playbook, spaces, recorded):
    """Every space is read before the first is recorded: each toggles the step as the log has it by then (it was
    "check" for all of them, and the second and third were refused as already done)."""
    incident = store.declare(declaration(playbook, clock.now(), playbook.severities[0].id, "Queue stuck", "", ())).incident
    app = make_app(store, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        burst(app, " " * spaces)
        await pilot.pause()
        await pilot.pause()
    logged = [e for e in store.events(incident)][1:]
    assert [e.kind for e in logged] == recorded
    assert len({(e.payload["list"], e.payload["step"]) for e in logged}) == 1  # the one step under the cursor


@pytest.mark.parametrize("keys, recorded", [
    (" n", [kinds.CHECK, kinds.NOTIFY]),
    ("n ", [kinds.NOTIFY, kinds.CHECK]),
    (" p", [kinds.CHECK, kinds.PHASE]),
    (" an", [kinds.CHECK, kinds.NOTIFY]),  # a: nobody notified yet, nothing to acknowledge (refused)
])
async def test_a_burst_of_shortcuts_is_recorded_in_the_order_typed(store, clock, playbook, keys, recorded):
    """A space and the shortcuts around it, read at once: the log has them in the order they were typed (the
    space's tick came last, after the shortcut typed after it, while it went by way of a message)."""
    incident = store.declare(declaration(playbook, clock.now(), playbook.severities[0].id, "Queue stuck", "", ())).incident
    app = make_app(store, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        burst(app, keys)
        await pilot.pause()
        await pilot.pause()
    assert [e.kind for e in store.events(incident)][1:] == recorded


async def test_a_burst_that_moves_the_cursor_ticks_the_step_it_moved_to(store, clock, playbook):
    incident = store.declare(declaration(playbook, clock.now(), playbook.severities[0].id, "Queue stuck", "", ())).incident
    app = make_app(store, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        for key in ("down", "space", "down", "space", "up", "space"):
            app.post_message(events.Key(key, " " if key == "space" else None))
        await pilot.pause()
        await pilot.pause()
    logged = store.events(incident)[1:]
    first = playbook.phases[0]
    assert [(e.kind, e.payload["step"]) for e in logged] == [(kinds.CHECK, 2), (kinds.CHECK, 3), (kinds.UNCHECK, 2)]
    assert {e.payload["list"] for e in logged} == {first.id}


@pytest.mark.parametrize("keys, recorded", [
    ("np", [kinds.NOTIFY, kinds.PHASE]),
    ("pn", [kinds.PHASE, kinds.NOTIFY]),
    ("nap", [kinds.NOTIFY, kinds.ACK, kinds.PHASE]),
])
async def test_a_burst_in_the_ladder_is_recorded_in_the_order_typed(store, clock, playbook, keys, recorded):
    """The ladder's keys (n, a on the rung under the cursor) and the screen's shortcuts, read at once: the log has
    them in the order they were typed (the ladder's came after the screen's while they went by way of a message)."""
    incident = store.declare(declaration(playbook, clock.now(), playbook.severities[0].id, "Queue stuck", "", ())).incident
    app = make_app(store, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        app.screen.query_one("#ladder").focus()
        await pilot.pause()
        burst(app, keys)
        await pilot.pause()
        await pilot.pause()
    logged = store.events(incident)[1:]
    assert [e.kind for e in logged] == recorded
    assert {e.payload["rung"] for e in logged if e.kind != kinds.PHASE} == {playbook.ladder[0].id}
