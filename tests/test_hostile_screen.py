"""Hostile text on every screen: whatever a title, note, alert, role, actor or copied message holds, no
control character reaches the terminal (every screen's composited lines are read back), a copy leaves
them out, and a field takes none from a paste."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from textual import events
from textual.widgets import TabbedContent

from hostile import ACTIVE, HOSTILE
from warroom import events as kinds
from warroom.clock import FakeClock, iso
from warroom.commands import declaration
from warroom.playbook import Playbook
from warroom.store import Store
from warroom.tui.app import WarroomApp, make_app
from warroom.tui.widgets.command_bar import CommandInput
from warroom.tui.widgets.header import IncidentHeader
from warroom.tui.widgets.templates import TemplateText

pytestmark = pytest.mark.usefixtures("utc_local_time")

TITLE = HOSTILE["osc0-title"] + HOSTILE["bracketed-paste-end"]


def hostile_incident(store: Store, clock: FakeClock, playbook: Playbook) -> str:
    """An incident whose every text field, from every writer, holds the corpus."""
    payload = declaration(playbook, clock.now(), playbook.severities[0].id, TITLE, HOSTILE["c1-csi"], (),
                          commander=HOSTILE["bidi-override"])
    incident = store.declare(payload, actor=HOSTILE["osc52-clipboard"]).incident
    for number, (name, value) in enumerate(HOSTILE.items()):
        clock.advance(seconds=5)
        store.append(incident, kinds.NOTE if number % 2 else kinds.ALERT, {"text": value}, actor=value[:40])
    clock.advance(seconds=5)
    store.append(incident, kinds.ROLE, {"role": "scribe", "name": HOSTILE["clear-screen"]})
    store.append(incident, kinds.IMPACT, {"impact": HOSTILE["dcs"] + "\n" + HOSTILE["leave-alt-screen"]})
    first = playbook.phases[0]
    store.append(incident, kinds.CHECK, {"list": first.id, "step": 1, "text": HOSTILE["apc"]})
    template = playbook.templates[0]
    # A copy recorded by an older warroom, or imported: its text still holds the controls.
    store.append(incident, kinds.COPIED, {"what": template.id, "name": HOSTILE["sgr-colour"],
                                          "text": HOSTILE["osc0-title"] + "\n" + HOSTILE["c1-osc"], "via": "osc52"})
    return incident


def screen_text(app: WarroomApp) -> str:
    """Every cell the screen would send to the terminal, dialogs and toasts included."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


def assert_inert(app: WarroomApp, where: str) -> str:
    shown = screen_text(app)
    found = ACTIVE.search(shown.replace("\n", " "))  # the lines are joined with newlines here
    assert found is None, f"{where}: {found.group()!r} reaches the terminal in {shown[max(0, found.start() - 40):found.end() + 40]!r}"
    return shown


@pytest.mark.parametrize("size", [(160, 48), (80, 24)], ids=["160x48", "80x24"])
async def test_no_screen_sends_a_control_character_to_the_terminal(store, clock, playbook, size):
    incident = hostile_incident(store, clock, playbook)
    app = make_app(store, clock=clock, incident_id=incident)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        shown = assert_inert(app, "console")
        assert "\\x1b]0;PWNED-TITLE" in shown  # the title is there, its escape shown, not obeyed
        tabs = app.screen.query_one(TabbedContent)
        for pane in list(tabs.query("TabPane")):
            tabs.active = pane.id
            await pilot.pause()
            assert_inert(app, f"console tab {pane.id}")
        tabs.active = "timeline-tab"
        for key, screen in (("question_mark", "help"), ("v", "severity dialog"), ("R", "resolve dialog")):
            await pilot.press(key)
            await pilot.pause()
            assert_inert(app, screen)
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        assert_inert(app, "incident browser")
        await pilot.press("escape")
        await pilot.pause()
        # Alarms and toasts: a rung falls due, the response target runs out.
        clock.advance(hours=2)
        app.screen.tick()
        await pilot.pause()
        assert_inert(app, "alarms")


async def test_replay_and_the_wall_send_no_control_character(store, clock, playbook):
    incident = hostile_incident(store, clock, playbook)
    store.append(incident, kinds.RESOLVED, {})
    for mode in ("replay", "watch"):
        app = make_app(store, clock=clock, incident_id=incident, **{mode: True})
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert_inert(app, mode)
            if mode == "replay":
                await pilot.press("end")
                await pilot.pause()
                assert_inert(app, "replay at the end")
                tabs = app.screen.query_one(TabbedContent)
                for pane in list(tabs.query("TabPane")):
                    tabs.active = pane.id
                    await pilot.pause()
                    assert_inert(app, f"replay tab {pane.id}")


async def test_the_picker_and_browser_show_hostile_titles_inert(store, clock, playbook):
    for name in ("osc0-title", "c1-csi", "bidi-override"):
        store.declare(declaration(playbook, clock.now(), playbook.severities[0].id, HOSTILE[name], "", ()))
    app = make_app(store, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert_inert(app, "picker")
        await pilot.press("l")
        await pilot.pause()
        assert_inert(app, "browser")


async def test_a_copy_leaves_the_controls_out_records_what_was_copied_and_says_so(store, clock, playbook, monkeypatch):
    payload = declaration(playbook, clock.now(), playbook.severities[0].id, TITLE, HOSTILE["crlf"] + "x\r; rm", ())
    incident = store.declare(payload).incident
    store.append(incident, kinds.ETA, {"eta": iso(clock.now() + timedelta(hours=1))})  # nothing unfilled: y copies at once
    app = make_app(store, clock=clock, incident_id=incident)
    sent: list[str] = []
    notes: list[str] = []
    async with app.run_test(size=(160, 48)) as pilot:
        monkeypatch.setattr(app, "copy_to_clipboard", sent.append)  # OSC 52: there is no display here
        original = app.screen.notify
        monkeypatch.setattr(app.screen, "notify", lambda message, **kw: (notes.append(message), original(message, **kw)))
        template = app.screen.state.playbook.templates[0]
        app.screen.query_one(TabbedContent).active = f"tab-{template.id}"
        await pilot.pause()
        editor_text = app.screen.query_one(TemplateText).text
        assert "\x1b" not in editor_text and "\r" not in editor_text
        await pilot.press("y")
        await pilot.pause()
    copied = [e for e in store.events(incident) if e.kind == kinds.COPIED][-1]
    assert sent == [copied.payload["text"]] == [editor_text]
    assert not ACTIVE.search(copied.payload["text"].replace("\n", "").replace("\t", ""))
    if "{title}" in template.text:
        assert "]0;PWNED-TITLEDatabase downok[201~; touch" in copied.payload["text"]
    assert any(re.search(r"\d+ control characters? left out", note) for note in notes), notes


async def test_a_paste_into_a_field_takes_no_control_character(store, clock, playbook):
    incident = store.declare(declaration(playbook, clock.now(), playbook.severities[0].id, "t", "", ())).incident
    app = make_app(store, clock=clock, incident_id=incident)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("colon")
        field = app.screen.query_one(CommandInput)
        assert app.screen.focused is field
        field.post_message(events.Paste("note " + HOSTILE["bracketed-paste-end"] + "\r\nsecond line"))
        await pilot.pause()
        assert field.value == "note ok[201~; touch /tmp/warroom-pwned-paste; echo "  # Input takes a paste's first line
        assert_inert(app, "command bar after a paste")
        await pilot.press("enter")
        await pilot.pause()
    note = store.events(incident)[-1]
    assert note.kind == kinds.NOTE and "\x1b" not in note.payload["text"]


async def test_a_wide_title_leaves_the_clock_in_the_header(store, clock, playbook):
    store.declare(declaration(playbook, clock.now(), playbook.severities[0].id, HOSTILE["cjk-wide"], "", ()))
    app = make_app(store, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        line = app.screen.query_one(IncidentHeader).render()
        assert line.cell_length <= 100
        assert line.plain.rstrip().endswith("UTC") or line.plain.rstrip().endswith(clock.now().strftime("%H:%M"))


async def test_emoji_sequences_show_as_emoji(store, clock, playbook):
    store.declare(declaration(playbook, clock.now(), playbook.severities[0].id, HOSTILE["zwj-emoji"], "", ()))
    app = make_app(store, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        title = app.screen.query_one(IncidentHeader).render().plain
        assert "\U0001f9d1\u200d\U0001f692" in title and "\\u200d" not in title


@pytest.mark.parametrize("mode", ["console", "replay", "watch"])
async def test_a_log_that_cannot_be_read_ends_the_screen_with_one_line(store, clock, playbook, db_path, mode):
    from test_hostile_cli import _write_like_an_old_warroom

    incident = store.declare(declaration(playbook, clock.now(), playbook.severities[0].id, "Old", "", ())).incident
    _write_like_an_old_warroom(db_path, incident)
    app = make_app(store, clock=clock, incident_id=incident, **({mode: True} if mode != "console" else {}))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.pause()
    assert app.return_code == 1
    assert app.problem.startswith(f"{incident} event 1 (declared): its time is unreadable")


async def test_the_browser_says_why_an_unreadable_incident_does_not_open(store, clock, playbook, db_path):
    from test_hostile_cli import _write_like_an_old_warroom

    broken = store.declare(declaration(playbook, clock.now(), playbook.severities[0].id, "Old", "", ())).incident
    store.declare(declaration(playbook, clock.now(), playbook.severities[0].id, "Fine", "", ()))
    _write_like_an_old_warroom(db_path, broken)
    app = make_app(store, clock=clock, browse="")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        browser = app.screen
        browser.open_incident(broken)
        await pilot.pause()
        await pilot.pause()
        assert app.screen is browser and app.is_running
        assert any("its time is unreadable" in n.message for n in app._notifications)
