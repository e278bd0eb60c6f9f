"""The template editor and copying, driven through Textual's Pilot.

The templates fill from the live state and re-fill when it changes; an edit survives a state change
until ctrl+r; every copy (the `y` key, `copy TEMPLATE` in the command bar, the ladder's `c`) appends a
`copied` event holding exactly the text that was sent; a copy that cannot go anywhere says so and
records nothing. No test here touches a real clipboard: DISPLAY is unset, so the console copies with
OSC 52, which Textual's test harness keeps in `app.clipboard`.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import declaration_payload
from warroom import events as kinds
from warroom.clock import FakeClock, iso
from warroom.store import Store
from warroom.tui import clipboard
from warroom.tui.app import make_app
from warroom.tui.screens.console import ConsoleScreen
from warroom.tui.widgets.checklist import Checklist
from warroom.tui.widgets.command_bar import CommandInput
from warroom.tui.widgets.ladder import EscalationLadder
from warroom.tui.widgets.templates import TemplateEditor, TemplateText

SIZE = (160, 50)


pytestmark = pytest.mark.usefixtures("utc_local_time", "no_display")


@pytest.fixture
def incident(store: Store, clock: FakeClock, playbook) -> str:
    """A P1 with a title and no impact or ETA yet, declared at the clock's time."""
    event = store.declare(declaration_payload(playbook, clock.now(), "P1", "Checkout is down"))
    return event.incident


@pytest.fixture
def filled_incident(store: Store, clock: FakeClock, playbook) -> str:
    """A P1 whose every placeholder can be filled (impact and ETA given): a copy goes at the first y."""
    event = store.declare(declaration_payload(playbook, clock.now(), "P1", "Checkout is down", impact="EU card payments fail"))
    store.append(event.incident, kinds.ETA, {"eta": iso(clock.now() + timedelta(hours=1))})
    return event.incident


def editor(app, template_id: str) -> TemplateEditor:
    return app.screen.query_one(f"#editor-{template_id}", TemplateEditor)


async def show_tab(app, pilot, template_id: str) -> TemplateEditor:
    """Show a template's tab, as a click on it does (its editor is made the first time), then go back to the
    timeline: an editor once made follows the incident from a hidden tab."""
    tabs = app.screen.query_one("#tabs")
    tabs.active = f"tab-{template_id}"
    await pilot.pause()
    tabs.active = "timeline-tab"
    await pilot.pause()
    return editor(app, template_id)


def status_line(app, template_id: str) -> str:
    return str(editor(app, template_id).query_one("#template-status").content)


def copied_events(db_path: Path, incident: str) -> list:
    """The copies as committed to the file, read through a connection of their own."""
    with Store(db_path, readonly=True) as reader:
        return [e for e in reader.events(incident) if e.kind == kinds.COPIED]


def notifications(app) -> list:
    return list(app._notifications)


async def command(pilot, line: str) -> None:
    """Type a line into the command bar (`:` from the panes focuses it) and press enter."""
    await back_to_panes(pilot)
    await pilot.press("colon")
    bar = pilot.app.screen.query_one(CommandInput)
    assert bar.has_focus
    bar.value = line
    bar.cursor_position = len(line)
    await pilot.press("enter")
    await pilot.pause()


async def back_to_panes(pilot) -> None:
    pilot.app.screen.query_one(Checklist).focus()
    await pilot.pause()


async def test_templates_fill_from_state_and_refill_on_change(store, clock, incident):
    app = make_app(store, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        assert not app.screen.query(TemplateEditor)  # made when their tabs are first shown
        internal, customer = await show_tab(app, pilot, "internal"), await show_tab(app, pilot, "customer")
        assert {e.template.id for e in app.screen.query(TemplateEditor)} == {"internal", "customer"}

        assert internal.text == "INCIDENT: P1 - Checkout is down\nIMPACT: [impact]\nSTATUS: Investigating\nETA: [eta]\n"
        assert customer.text.startswith("We are currently experiencing Checkout is down.\nImpact: [impact]\n")
        assert "Status: We are investigating the cause" in customer.text
        assert "Updates: https://status.example.com, next update by 18:30 UTC" in customer.text
        # What nothing fills yet is named in the status line and stays marked in the text.
        assert "unfilled: eta, impact" in status_line(app, "internal")
        assert "unfilled: impact" in status_line(app, "customer")
        assert not internal.edited and not customer.edited

        await command(pilot, "impact EU customers cannot pay")
        assert "IMPACT: EU customers cannot pay\n" in internal.text
        assert "Impact: EU customers cannot pay\n" in customer.text
        assert "unfilled: eta" in status_line(app, "internal") and "impact" not in status_line(app, "internal")
        assert "unfilled" not in status_line(app, "customer")

        await command(pilot, "status mitigating")
        assert "STATUS: Mitigating\n" in internal.text
        assert "Status: We have identified the cause and are applying a fix.\n" in customer.text

        await command(pilot, "sev P0")
        assert internal.text.startswith("INCIDENT: P0 - Checkout is down\n")

        await command(pilot, "eta 30m")
        assert "ETA: 18:30 (18:30 UTC, in 30m)\n" in internal.text
        assert "[eta]" not in internal.text
        assert "unfilled" not in status_line(app, "internal")

        # The clock moving re-fills too (the ETA counts down), still without anyone typing.
        clock.advance(minutes=10)
        app.screen.tick()
        await pilot.pause()
        assert "ETA: 18:30 (18:30 UTC, in 20m)\n" in internal.text
        assert internal.text == (
            "INCIDENT: P0 - Checkout is down\nIMPACT: EU customers cannot pay\nSTATUS: Mitigating\n"
            "ETA: 18:30 (18:30 UTC, in 20m)\n"
        )
        assert not internal.edited


async def test_unfilled_placeholders_are_highlighted(store, clock, incident):
    app = make_app(store, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#tabs").active = "tab-internal"
        await pilot.pause()
        area = editor(app, "internal").query_one(TemplateText)
        for _ in range(50):  # a loaded machine may need more than one pause for the editor to fill and mark
            if any(name == "unfilled" for spans in area._highlights.values() for _, _, name in spans):
                break
            await pilot.pause()
        lines = area.text.split("\n")
        marked = {
            lines[row][start:end]  # the placeholders are ASCII: byte offsets are character offsets
            for row, spans in area._highlights.items()
            for start, end, name in spans
            if name == "unfilled"
        }
        assert marked == {"[impact]", "[eta]"}

        await command(pilot, "eta 45m")
        lines = area.text.split("\n")
        marked = {lines[row][s:e] for row, spans in area._highlights.items() for s, e, name in spans if name == "unfilled"}
        assert marked == {"[impact]"}


async def test_an_edit_survives_a_state_change_and_ctrl_r_refills(store, clock, incident):
    app = make_app(store, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#tabs").active = "tab-internal"
        await pilot.pause()
        internal = editor(app, "internal")
        area = internal.query_one(TemplateText)
        area.focus()
        area.move_cursor(area.document.end)
        await pilot.press(*"Bridge: room 4")
        await pilot.pause()
        customer = await show_tab(app, pilot, "customer")
        app.screen.query_one("#tabs").active = "tab-internal"
        await pilot.pause()
        edited_text = internal.text
        assert edited_text.endswith("ETA: [eta]\nBridge: room 4")
        assert internal.edited
        assert "edited by you" in status_line(app, "internal")

        # A state change re-fills the untouched template, never the edited one.
        await command(pilot, "status mitigating")
        await command(pilot, "impact EU customers cannot pay")
        clock.advance(minutes=3)
        app.screen.tick()
        await pilot.pause()
        assert internal.text == edited_text
        assert "Impact: EU customers cannot pay" in customer.text
        assert "Status: We have identified the cause" in customer.text

        # ctrl+r (with the editor focused) throws the edit away and follows the incident again.
        area.focus()
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert not internal.edited
        assert internal.text == (
            "INCIDENT: P1 - Checkout is down\nIMPACT: EU customers cannot pay\nSTATUS: Mitigating\nETA: [eta]\n"
        )
        assert "filled from the live incident" in status_line(app, "internal")
        await command(pilot, "status investigating")
        assert "STATUS: Investigating\n" in internal.text


async def test_y_copies_the_tab_on_screen_with_the_exact_text(store, clock, db_path, filled_incident):
    app = make_app(store, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#tabs").active = "tab-internal"
        await pilot.pause()
        internal = editor(app, "internal")
        area = internal.query_one(TemplateText)
        area.focus()
        area.move_cursor((0, 0))
        await pilot.press(*"URGENT ")
        await back_to_panes(pilot)
        on_screen = area.text
        assert on_screen.startswith("URGENT INCIDENT: P1 - Checkout is down\nIMPACT: EU card payments fail\n")

        clock.advance(minutes=2)
        await pilot.press("y")
        await pilot.pause()

        copies = copied_events(db_path, filled_incident)
        assert len(copies) == 1
        payload = copies[0].payload
        assert payload["text"] == on_screen  # the edit included, byte for byte
        assert payload["what"] == "internal"
        assert payload["name"] == "Internal Alert"
        assert payload["via"] == "osc52"  # no display here: the terminal's clipboard
        assert app.clipboard == on_screen
        assert copies[0].at == clock.now()  # when it was sent
        # The console shows the copy in its own state and says which path it took.
        assert app.screen.incident_log.events[-1].kind == kinds.COPIED
        assert any("Sent Internal Alert to the terminal with OSC 52" in n.message for n in notifications(app))

        # Without a tab chosen, `y` copies the first template (the timeline tab is showing).
        app.screen.query_one("#tabs").active = "timeline-tab"
        await back_to_panes(pilot)
        await pilot.press("y")
        await pilot.pause()
        copies = copied_events(db_path, filled_incident)
        assert [c.payload["what"] for c in copies] == ["internal", "internal"]
        assert copies[1].payload["text"] == internal.text == on_screen


async def test_y_records_the_system_clipboard_path_when_pyperclip_works(store, clock, db_path, filled_incident, monkeypatch):
    taken: list[str] = []
    monkeypatch.setattr(clipboard, "copy_to_system", lambda text: taken.append(text) or "")
    app = make_app(store, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#tabs").active = "tab-customer"
        await back_to_panes(pilot)
        await pilot.press("y")
        await pilot.pause()
        text = editor(app, "customer").text
        (copy,) = copied_events(db_path, filled_incident)
        assert copy.payload == {"what": "customer", "name": "Customer Communication", "text": text, "via": "clipboard"}
        assert taken == [text]
        assert app.clipboard == ""  # OSC 52 was not needed
        assert any("to the system clipboard" in n.message for n in notifications(app))


async def test_copy_in_the_command_bar(store, clock, db_path, filled_incident):
    app = make_app(store, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#tabs").active == "timeline-tab"
        await command(pilot, "copy customer")
        customer = editor(app, "customer").text
        (copy,) = copied_events(db_path, filled_incident)
        assert copy.payload == {"what": "customer", "name": "Customer Communication", "text": customer, "via": "osc52"}
        assert app.clipboard == customer
        assert app.screen.query_one("#tabs").active == "tab-customer"  # the copied message is on screen

        await command(pilot, "copy internal")
        copies = copied_events(db_path, filled_incident)
        assert [c.payload["what"] for c in copies] == ["customer", "internal"]
        assert copies[1].payload["text"] == editor(app, "internal").text == app.clipboard

        # A name that matches no template is an error in the bar and records nothing.
        await command(pilot, "copy nonsense")
        assert len(copied_events(db_path, filled_incident)) == 2
        assert "unknown template" in str(app.screen.query_one("#command-error").content)


async def test_the_ladder_copies_the_highlighted_rungs_number(store, clock, db_path, incident):
    app = make_app(store, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        ladder = app.screen.query_one(EscalationLadder)
        ladder.focus()
        await pilot.pause()
        assert ladder.highlighted == 0
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("down", "c")
        await pilot.pause()
        copies = copied_events(db_path, incident)
        assert [c.payload["what"] for c in copies] == ["contact", "contact"]
        assert copies[0].payload["text"] == "+1-555-0101"
        assert "On-call Engineer" in copies[0].payload["name"]
        assert copies[1].payload["text"] == "+1-555-0102"
        assert "Engineering Manager" in copies[1].payload["name"]
        assert copies[1].payload["via"] == "osc52"
        assert app.clipboard == "+1-555-0102"


async def test_when_both_copy_paths_fail_it_says_so_and_records_nothing(store, clock, db_path, filled_incident, monkeypatch):
    monkeypatch.setattr(clipboard, "copy_to_system", lambda text: "no clipboard mechanism (test)")
    app = make_app(store, clock=clock)

    def broken_osc52(text: str) -> None:
        raise OSError("the terminal went away")

    async with app.run_test(size=SIZE) as pilot:
        monkeypatch.setattr(app, "copy_to_clipboard", broken_osc52)
        app.screen.query_one("#tabs").active = "tab-internal"
        await back_to_panes(pilot)
        await pilot.press("y")
        await pilot.pause()
        await command(pilot, "copy customer")
        app.screen.query_one(EscalationLadder).focus()
        await pilot.press("c")
        await pilot.pause()

        assert copied_events(db_path, filled_incident) == []
        said = [n for n in notifications(app) if n.message.startswith("Copy")]
        assert len(said) == 3, "each failed copy (y, the bar, the ladder) must be said"
        for note in said:
            assert note.severity == "error"
            assert note.message == "Copy failed: no clipboard mechanism (test); OSC 52 failed too (the terminal went away)"
        # Still running and still recording.
        assert isinstance(app.screen, ConsoleScreen)
        await command(pilot, "note still here")
        assert app.screen.state.notes == 1


async def test_copy_failure_through_copy_text_does_not_crash(store, clock, db_path, filled_incident, monkeypatch):
    from warroom.tui import app as app_module

    monkeypatch.setattr(app_module, "copy_text", lambda text, app: clipboard.CopyResult(None, "nowhere to copy to"))
    app = make_app(store, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await back_to_panes(pilot)
        await pilot.press("y")
        for _ in range(50):  # bounded: on a loaded CI box the key and its toast take more than one pause
            await pilot.pause()
            if any(n.message.startswith("Copy") for n in notifications(app)):
                break
        assert copied_events(db_path, filled_incident) == []
        copy_errors = [n for n in notifications(app) if n.message.startswith("Copy")]
        assert [(n.message, n.severity) for n in copy_errors] == [("Copy failed: nowhere to copy to", "error")]
        assert app.return_code is None and isinstance(app.screen, ConsoleScreen)


def test_copy_text_without_a_display_or_a_terminal(monkeypatch):
    """Neither path: a CopyResult with no path and the reasons, never an exception."""
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(clipboard.sys, "platform", "linux")
    result = clipboard.copy_text("hello", SimpleNamespace(_driver=None))
    assert result.via is None
    assert "no system clipboard here (no display)" in result.problem
    assert "no terminal to send OSC 52 to" in result.problem

    sent: list[str] = []
    terminal = SimpleNamespace(_driver=object(), copy_to_clipboard=sent.append)
    result = clipboard.copy_text("hello", terminal)
    assert result.via == "osc52" and sent == ["hello"]


async def test_y_warns_once_about_unfilled_placeholders_and_copies_at_the_second(store, clock, db_path, incident):
    app = make_app(store, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#tabs").active = "tab-internal"
        await back_to_panes(pilot)
        await pilot.press("y")
        await pilot.pause()
        assert copied_events(db_path, incident) == [] and app.clipboard == ""
        [warning] = [n for n in notifications(app) if n.title == "Not copied yet"]
        assert "[impact], [eta] unfilled" in warning.message and "press y again" in warning.message
        await pilot.press("y")
        await pilot.pause()
        [copy] = copied_events(db_path, incident)
        assert "ETA: [eta]" in copy.payload["text"] and app.clipboard == copy.payload["text"]
        await pilot.press("y")  # the same text again: warned about already
        await pilot.pause()
        assert len(copied_events(db_path, incident)) == 2
        await command(pilot, "impact EU card payments fail")
        await pilot.press("y")  # a new text, still with [eta]: warned again, once
        await pilot.pause()
        assert len(copied_events(db_path, incident)) == 2
        assert len([n for n in notifications(app) if n.title == "Not copied yet"]) == 2


async def test_escape_leaves_the_editor_and_then_y_copies(store, clock, db_path, filled_incident):
    app = make_app(store, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#tabs").active = "tab-internal"
        await pilot.pause()
        area = editor(app, "internal").query_one(TemplateText)
        area.focus()
        await pilot.pause()
        assert "escape, then y copies" in status_line(app, "internal")
        await pilot.press("y")  # in the editor y types
        await pilot.pause()
        assert copied_events(db_path, filled_incident) == [] and "y" in area.text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen.focused, Checklist)
        assert "escape, then y copies" not in status_line(app, "internal")
        await pilot.press("y")
        await pilot.pause()
        [copy] = copied_events(db_path, filled_incident)
        assert copy.payload["text"] == area.text
