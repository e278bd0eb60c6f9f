"""A key for a pane that only its bindings could answer is answered as the app reads it (warroom.tui.keys); a key for
anything that takes keys itself (the command bar, an editor, a dialog's field) goes Textual's way, as before."""

from __future__ import annotations

import pytest
from textual import events, on
from textual.app import App
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, OptionList, TextArea

from warroom import events as kinds
from warroom.commands import declaration
from warroom.tui import keys
from warroom.tui.app import WarroomApp, make_app
from warroom.tui.screens.console import ConsoleScreen
from warroom.tui.widgets.checklist import Checklist
from warroom.tui.widgets.ladder import EscalationLadder
from warroom.tui.widgets.timeline import Timeline

pytestmark = pytest.mark.usefixtures("utc_local_time")


class _KeyMethod(OptionList):
    def key_space(self) -> None:
        pass


class _OnKey(OptionList):
    def on_key(self, event: events.Key) -> None:
        pass


class _DecoratedKey(OptionList):
    @on(events.Key)
    def _typed(self, event: events.Key) -> None:
        pass


class _OwnEvents(Widget):
    async def on_event(self, event: events.Event) -> None:
        await super().on_event(event)


@pytest.mark.parametrize("cls", [Checklist, EscalationLadder, Timeline, ConsoleScreen, WarroomApp, OptionList, Screen])
def test_the_panes_take_keys_by_their_bindings_alone(cls):
    assert keys._by_bindings_alone(cls)


@pytest.mark.parametrize("cls", [Input, TextArea, _KeyMethod, _OnKey, _DecoratedKey, _OwnEvents])
def test_a_widget_that_takes_keys_itself_is_given_them(cls):
    """A key handler of any of Textual's kinds (typing, a key_ method, on_key, @on(Key), its own on_event)."""
    assert not keys._by_bindings_alone(cls)


def test_textual_still_has_what_the_key_is_answered_with():
    """The private names answer_where_read uses: an upgrade that renamed them would fail here, not at every key."""
    app, screen = App(), Screen()
    assert callable(app._check_bindings) and callable(screen._clear_tooltip)
    assert hasattr(Screen, "_binding_chain") and hasattr(Screen, "maximized") and hasattr(App, "app_focus")
    assert Widget._on_key.__qualname__ == "Widget._on_key"  # what a pane's own _on_key is compared with


async def test_space_on_the_checklist_never_reaches_the_checklist_as_a_key(store, clock, playbook, monkeypatch):
    """Answered by the app as it reads it: not handed to the checklist, its container and the screen in turn (three
    messages, each a turn of the event loop, before the app looked at the bindings)."""
    incident = store.declare(declaration(playbook, clock.now(), playbook.severities[0].id, "Queue stuck", "", ())).incident
    app = make_app(store, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        checklist = app.screen.query_one(Checklist)
        assert app.focused is checklist
        handed: list[str] = []
        post = checklist.post_message
        monkeypatch.setattr(checklist, "post_message", lambda m: (handed.append(m.key) if isinstance(m, events.Key) else None, post(m))[1])
        app.post_message(events.Key("space", " "))
        await pilot.pause()
        app.post_message(events.Key("x", "x"))  # no binding: handed on as Textual does
        await pilot.pause()
    assert [e.kind for e in store.events(incident)][1:] == [kinds.CHECK]
    assert handed == ["x"]


async def test_keys_typed_into_the_command_bar_go_to_the_bar(store, clock, playbook):
    """The bar types its keys itself: space, n and p there are text, not a tick, a notify and a phase."""
    incident = store.declare(declaration(playbook, clock.now(), playbook.severities[0].id, "Queue stuck", "", ())).incident
    app = make_app(store, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("colon")
        for key, char in (("n", "n"), ("space", " "), ("p", "p")):
            app.post_message(events.Key(key, char))
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    assert [(e.kind, e.payload) for e in store.events(incident)][1:] == [(kinds.NOTE, {"text": "n p"})]


async def test_space_on_a_resolved_incident_records_nothing(store, clock, playbook):
    """The tick is refused there (check_action): the key is not answered by the binding, and nothing is recorded."""
    incident = store.declare(declaration(playbook, clock.now(), playbook.severities[0].id, "Queue stuck", "", ())).incident
    store.append(incident, kinds.RESOLVED, {})
    app = make_app(store, clock=clock, incident_id=incident)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen) and app.focused is app.screen.query_one(Checklist)
        app.post_message(events.Key("space", " "))
        await pilot.pause()
    assert [e.kind for e in store.events(incident)][1:] == [kinds.RESOLVED]
