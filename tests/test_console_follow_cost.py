"""What following a busy log costs the console: the timeline drawn once per frame, and each alert held compactly.

Issue 15's storm: ~500 alerts per poll, key presses in between. The state must stay the fold of the log, and the
timeline must show every event, while the console keeps less and draws less.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual import events

from conftest import declaration_payload, paused_console
from warroom import events as kinds
from warroom.clock import FakeClock
from warroom.incident import IncidentLog, held, state_of
from warroom.store import Store
from warroom.tui.app import make_app
from warroom.tui.screens.console import ConsoleScreen
from warroom.tui.widgets.timeline import Timeline

SIZE = (120, 40)

pytestmark = pytest.mark.usefixtures("utc_local_time")


def received(i: int, started: str) -> dict:
    """An alert as `warroom receive` stores one from Alertmanager."""
    return {"text": f"FIRING DiskFull db-{i}", "status": "firing", "source": "alertmanager", "fingerprint": f"{i:016x}",
            "labels": {"alertname": "DiskFull", "instance": f"db-{i}"}, "annotations": {"summary": f"disk {i} full"},
            "starts_at": started}


@pytest.fixture
def other(db_path: Path, clock: FakeClock, store: Store):
    with Store(db_path, clock=clock) as second:
        yield second


def timeline_text(screen: ConsoleScreen) -> str:
    return "\n".join(strip.text for strip in screen.query_one(Timeline).lines)


async def test_a_poll_and_a_key_before_the_next_frame_draw_the_timeline_once(store, other, clock, playbook, monkeypatch):
    incident = store.declare(declaration_payload(playbook, clock.now() - timedelta(minutes=5))).incident
    async with paused_console(store, clock) as (app, pilot, screen):
        timeline = screen.query_one(Timeline)
        draws: list[int] = []
        draw = Timeline._draw
        monkeypatch.setattr(Timeline, "_draw", lambda self: (draws.append(len(self._events)), draw(self)))
        clock.advance(seconds=1)
        other.append_many(incident, [(kinds.ALERT, received(i, "2020-01-01T00:00:00.000Z"), clock.now() - timedelta(seconds=1))
                                     for i in range(40)], actor="alertmanager")
        screen.tick()  # the poll takes the 40 alerts ...
        assert screen.run_command("note failing over to db-2")  # ... and a key's event comes before any frame
        assert draws == [], "the timeline was drawn inside the poll or the key press, before the frame due"
        assert screen.state.alerts == 40 and screen.state.notes == 1  # the state is current at once
        await pilot.pause()  # the key's frame (the checklist's, the clock pane's) ...
        await pilot.pause()  # ... then the timeline's
        assert draws == [42], "the timeline was not drawn once, with every event, after the frame"
        text = timeline_text(screen)
        assert "FIRING DiskFull db-39" in text and "failing over to db-2" in text
        assert len(timeline._events) == 42  # the declaration, 40 alerts, the note


async def test_a_key_press_goes_out_in_a_frame_before_the_timeline_and_the_checkpoint(store, clock, playbook, monkeypatch):
    """Space on the checklist: the first frame after the commit carries the tick, and only then are the timeline's
    new line drawn and the commit's checkpoint run (Textual can run after-refresh callbacks at an idle that comes
    before the repaint a pane asked for, which put both between the key and its frame)."""
    store.declare(declaration_payload(playbook, clock.now() - timedelta(minutes=5)))
    async with paused_console(store, clock) as (app, pilot, screen):
        await pilot.pause()
        order: list[str] = []
        seen = screen.last_event_id
        app.post_display_hook = lambda: order.append("frame") if screen.last_event_id > seen else None
        draw, backfill = Timeline._draw, Store._backfill
        monkeypatch.setattr(Timeline, "_draw", lambda self: (order.append("timeline"), draw(self)))
        monkeypatch.setattr(Store, "_backfill", lambda self: (order.append("checkpoint"), backfill(self)))
        key = events.Key("space", " ")  # as the terminal driver posts a key: not Pilot's press, which waits
        app.post_message(key)
        for _ in range(3):
            await pilot.pause()
        assert screen.last_event_id > seen and screen.state.checked, "space did not tick the step"
        assert "timeline" in order and "checkpoint" in order, order
        assert order[0] == "frame", f"drawn or checkpointed before the key's frame went out: {order}"


async def test_the_console_holds_received_alerts_without_their_labels(store, other, clock, playbook):
    incident = store.declare(declaration_payload(playbook, clock.now() - timedelta(minutes=5))).incident
    store.append(incident, kinds.ALERT, received(99, "2020-01-01T00:00:00.000Z"), at=clock.now() - timedelta(minutes=1))
    async with paused_console(store, clock) as (app, pilot, screen):
        clock.advance(seconds=1)
        other.append_many(incident, [(kinds.ALERT, received(i, "2020-01-01T00:00:00.000Z"), clock.now() - timedelta(seconds=1))
                                     for i in range(3)], actor="alertmanager")
        screen.tick()
        await pilot.pause()
        alerts = [e for e in screen.incident_log.events if e.kind == kinds.ALERT]
        assert [e.payload for e in alerts] == [{"text": f"FIRING DiskFull db-{i}"} for i in (99, 0, 1, 2)]
        assert all(e is t for e, t in zip(screen.incident_log.events, screen.query_one(Timeline)._events))  # one copy
        log = store.events(incident)
        assert [(e.id, e.seq, e.at, e.recorded_at) for e in screen.incident_log.events] == [
            (e.id, e.seq, e.at, e.recorded_at) for e in log
        ]
        assert screen.state == state_of(log)
        assert "FIRING DiskFull db-2" in timeline_text(screen)


def test_the_log_held_folds_as_the_whole_log_through_backfilled_facts(store, clock, playbook):
    """Held events refold (a backfilled status) to the state of the full events."""
    incident = store.declare(declaration_payload(playbook, clock.now() - timedelta(minutes=30))).incident
    for i in range(5):
        clock.advance(seconds=10)
        store.append(incident, kinds.ALERT, received(i, "2020-01-01T00:00:00.000Z"), at=clock.now() - timedelta(seconds=5))
    store.append(incident, kinds.STATUS, {"status": "mitigating"}, at=clock.now() - timedelta(minutes=2))  # refolds
    store.append(incident, kinds.NOTE, {"text": "db-2 is primary"})
    full = store.events(incident)
    log = IncidentLog(full[:3])
    log.extend(full[3:])
    assert log.state == state_of(full)
    assert log.state.last_alert == state_of(full).last_alert and log.state.alerts == 5
    assert [held(e).payload for e in full if e.kind == kinds.NOTE] == [{"text": "db-2 is primary"}]
    assert all("labels" not in e.payload and e.hash == "" for e in log.events)


async def test_alerts_and_notes_leave_the_checklist_unbuilt_and_what_it_reads_rebuilds_it(store, other, clock, playbook,
                                                                                        monkeypatch):
    from warroom import views
    from warroom.tui.widgets.checklist import Checklist

    incident = store.declare(declaration_payload(playbook, clock.now() - timedelta(minutes=10))).incident
    async with paused_console(store, clock) as (app, pilot, screen):
        checklist = screen.query_one(Checklist)
        built: list[int] = []
        checklists = views.checklists
        monkeypatch.setattr(views, "checklists", lambda *a: (built.append(1), checklists(*a))[1])

        def rows() -> list[str]:
            return [checklist.get_option_at_index(i).prompt.plain for i in range(checklist.option_count)]

        def fresh_rows() -> list[str]:
            built_before = len(built)
            copy = Checklist()
            copy._wrap_width = checklist._wrap_width  # type: ignore[method-assign]
            copy.state, copy.now = screen.state, screen.now
            prompts = []
            for view in checklists(screen.state, screen.now):
                prompts.append(copy._header(view, checklist._is_open(view), checklist._wrapped_at).plain)
                if checklist._is_open(view):
                    prompts.extend(copy._step(step, checklist._wrapped_at).plain for step in view.steps)
            del built[built_before:]
            return prompts

        clock.advance(seconds=1)
        other.append_many(incident, [(kinds.ALERT, received(i, "2020-01-01T00:00:00.000Z"), clock.now()) for i in range(5)])
        other.append(incident, kinds.NOTE, {"text": "db-2 is primary"})
        screen.tick()
        await pilot.pause()
        assert built == [], "alerts and a note rebuilt the checklist"
        other.append(incident, kinds.CHECK, {"list": playbook.phases[0].id, "step": 2})
        screen.tick()
        await pilot.pause()
        assert built and rows() == fresh_rows() and "[x]" in rows()[2]
        del built[:]
        clock.advance(minutes=6)  # the first phase's window (0-15m) ends
        screen.tick()
        await pilot.pause()
        assert built and rows() == fresh_rows() and "PAST WINDOW" in rows()[0]


async def test_the_console_reads_its_log_with_received_alerts_already_light(store, clock, playbook, monkeypatch):
    """Opened on a storm's log, the console never holds every alert in full at once: each chunk read is held."""
    incident = store.declare(declaration_payload(playbook, clock.now() - timedelta(minutes=5))).incident
    store.append_many(incident, [(kinds.ALERT, received(i, "2020-01-01T00:00:00.000Z"), clock.now() - timedelta(minutes=1))
                                 for i in range(5)], actor="alertmanager")
    store.append(incident, kinds.NOTE, {"text": "db-2 is primary"})
    opened: list[list] = []
    console_init = ConsoleScreen.on_mount

    def on_mount(self) -> None:  # the log as compose read it, before the first frame
        opened.append([e.payload for e in self.incident_log.events])
        console_init(self)

    monkeypatch.setattr(ConsoleScreen, "on_mount", on_mount)
    full = store.events
    monkeypatch.setattr(store, "events", lambda *a, **k: pytest.fail("the console read its whole log in full at once"))
    app = make_app(store, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert opened and opened[0][1:] == [{"text": f"FIRING DiskFull db-{i}"} for i in range(5)] + [{"text": "db-2 is primary"}]
        assert app.screen.state == state_of(full(incident))
