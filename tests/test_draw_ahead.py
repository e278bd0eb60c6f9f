"""A key's frame is mostly drawn before the key: the rows a space would change are made and drawn in the quiet
after each frame (Checklist._draw_next_toggle). What the commander sees must be what it would have been
without it."""

from __future__ import annotations

import queue
import threading
import time
import pytest
from textual.widgets import OptionList

from tests.conftest import paused_console
from warroom.commands import declaration
from warroom.tui.widgets import hanging
from warroom.tui.widgets.checklist import Checklist

pytestmark = pytest.mark.usefixtures("utc_local_time")


def _declare(store, clock, playbook) -> str:
    return store.declare(declaration(playbook, clock.now(), playbook.severities[0].id, "Queue stuck", "", ())).incident


def _row_of(checklist: Checklist, number: int) -> str:
    """The text of step `number`'s row as drawn on screen (its first line)."""
    index = checklist.get_option_index(f"step:{number}")
    line = checklist._index_to_line[index] - int(checklist.scroll_offset.y)
    return checklist.render_line(line).text


async def _settled(pilot) -> None:
    for _ in range(3):  # the frame, then the work put off until after it (two hops: frames.after_the_frame)
        await pilot.pause()


async def test_the_rows_a_space_would_change_are_ready_before_it_is_pressed(store, clock, playbook, monkeypatch):
    _declare(store, clock, playbook)
    async with paused_console(store, clock) as (app, pilot, screen):
        checklist = screen.query_one(Checklist)
        await _settled(pilot)
        number = int(checklist.highlighted_option.id.split(":")[1])
        assert len(checklist._ahead) == 2  # the step ticked, and its phase's header with the count moved on
        # From the key to its frame: no row's text made, no row drawn (visualize is where a prompt is drawn).
        window, made = {"open": False}, []

        def counted(original, what):
            def counting(*args, **kwargs):
                if window["open"]:
                    made.append(what)
                return original(*args, **kwargs)
            return counting

        monkeypatch.setattr(Checklist, "_step", counted(Checklist._step, "step's text"))
        monkeypatch.setattr(Checklist, "_header", counted(Checklist._header, "header's text"))
        monkeypatch.setattr(hanging, "visualize", counted(hanging.visualize, "a row drawn"))
        app.post_display_hook = lambda: window.update(open=False)  # the key's frame is out
        window["open"] = True
        await pilot.press("space")
        assert not window["open"]  # the frame came
        assert made == [], "made or drawn between the key and its frame, though made ahead"
        row = _row_of(checklist, number)
        assert "[x]" in row and clock.now().strftime("%H:%M") in row
        assert [e.kind for e in store.events(screen.incident_id)][-1] == "check"  # in the log, not only on screen
        await _settled(pilot)
        assert any("[ ]" in prompt.plain for prompt in checklist._ahead.values())  # the untick, made after the frame


async def test_a_tick_drawn_ahead_in_one_minute_and_pressed_in_the_next_says_the_next(store, clock, playbook):
    """A guess that turns out wrong costs nothing: the rows are found by what they show (the minute), not by
    which step they are for, so a tick made ahead at 14:00 is not shown for a tick at 14:01."""
    clock.set(clock.now().replace(second=50))
    _declare(store, clock, playbook)
    async with paused_console(store, clock) as (app, pilot, screen):
        checklist = screen.query_one(Checklist)
        await _settled(pilot)
        number = int(checklist.highlighted_option.id.split(":")[1])
        ahead_minute = clock.now().strftime("%H:%M")
        assert any(ahead_minute in prompt.plain for prompt in checklist._ahead.values())
        clock.advance(20)  # the console has not ticked since: the guess still says the minute before
        await pilot.press("space")
        row = _row_of(checklist, number)
        assert clock.now().strftime("%H:%M") in row and ahead_minute not in row


async def test_ticking_and_unticking_in_turn_draws_what_a_fresh_console_draws(store, clock, playbook):
    """Every row drawn ahead and taken by a key is the row a console opened afresh on the same log draws."""
    _declare(store, clock, playbook)
    async with paused_console(store, clock) as (app, pilot, screen):
        checklist = screen.query_one(Checklist)
        for _ in range(3):
            await _settled(pilot)
            await pilot.press("space")
            clock.advance(7)
        await _settled(pilot)
        await pilot.press("down", "space")
        await _settled(pilot)
        seen = [checklist.render_line(y).text for y in range(checklist.size.height)]
    async with paused_console(store, clock) as (app, pilot, screen):
        await _settled(pilot)
        fresh = screen.query_one(Checklist)
        fresh.highlighted = checklist.highlighted
        await _settled(pilot)
        assert [fresh.render_line(y).text for y in range(fresh.size.height)] == seen


async def test_rows_are_the_strips_textual_draws(store, clock, playbook):
    """WrappedOptionList draws each row itself (kept by its prompt): the same strips as OptionList's own."""
    _declare(store, clock, playbook)
    async with paused_console(store, clock) as (app, pilot, screen):
        checklist = screen.query_one(Checklist)
        await _settled(pilot)
        styles = [checklist.get_visual_style("option-list--option"),
                  checklist.get_visual_style("option-list--option", "option-list--option-highlighted")]
        for option in checklist.options:
            for style in styles:
                ours = checklist._get_option_render(option, style)
                checklist._option_render_cache.clear()
                theirs = OptionList._get_option_render(checklist, option, style)
                assert ours == theirs, option.id


async def test_the_row_drawn_ahead_moves_on_with_the_minute(store, clock, playbook):
    clock.set(clock.now().replace(second=50))
    _declare(store, clock, playbook)
    async with paused_console(store, clock) as (app, pilot, screen):
        checklist = screen.query_one(Checklist)
        await _settled(pilot)
        clock.advance(20)
        screen.tick()  # the console's clock moves on a second, into the next minute
        await _settled(pilot)
        minute = clock.now().strftime("%H:%M")
        assert any(minute in prompt.plain for prompt in checklist._ahead.values())


async def test_a_list_removed_before_its_rows_are_drawn_ahead_draws_nothing(store, clock, playbook):
    """The drawing ahead runs after the frame, from the screen's callbacks; a screen that closes meanwhile (the
    app quitting, the browser opening the console) may have taken the list away. Textual has let go of its
    styles then: nothing is drawn, and nothing raises (it did, once, at the end of a CI run)."""
    _declare(store, clock, playbook)
    async with paused_console(store, clock) as (app, pilot, screen):
        checklist = screen.query_one(Checklist)
        await _settled(pilot)
        await checklist.remove()
        checklist._ahead_for = None  # as if its state had moved on since it was drawn ahead
        checklist._draw_next_toggle()  # the callback, come after the removal
        assert not checklist.is_attached
