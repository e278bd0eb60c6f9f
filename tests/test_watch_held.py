"""What the wall keeps of a storm's alerts: each event once (the fold's log and the timeline share it), as held
(incident.held: the text, not the labels and annotations), whether read as it opens or as they arrive; a log it
cannot read still takes it away with one line."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from conftest import declaration_payload
from warroom import events as kinds
from warroom.clock import FakeClock
from warroom.store import Store
from warroom.tui.app import make_app
from warroom.tui.widgets.timeline import Timeline

SIZE = (120, 40)
pytestmark = pytest.mark.usefixtures("utc_local_time")


def received(n: int) -> dict:
    return {"text": f"FIRING DiskFull db-{n}: Disk 95% full", "status": "firing", "source": "alertmanager",
            "fingerprint": f"{n:016x}", "labels": {"alertname": "DiskFull", "instance": f"db-{n}"},
            "annotations": {"summary": "Disk 95% full"}, "starts_at": "2026-11-26T17:59:00.000Z"}


def assert_held_once(screen) -> None:
    log, shown = screen.incident_log.events, screen.query_one(Timeline)._events
    alerts = [e for e in log if e.kind == kinds.ALERT]
    assert alerts and all(e.payload == {"text": e.payload["text"]} and not e.hash for e in alerts)
    assert len(shown) == len(log) and all(a is b for a, b in zip(shown, log))  # one copy, not one per pane


async def test_the_wall_keeps_each_alert_once_as_held_read_or_followed(store: Store, db_path: Path, clock: FakeClock,
                                                                       playbook) -> None:
    incident = store.declare(declaration_payload(playbook, clock.now(), "P1", "Checkout is down")).incident
    store.append_many(incident, [(kinds.ALERT, received(n), clock.now() - timedelta(minutes=1)) for n in range(5)],
                      actor="alertmanager")
    with Store(db_path, clock=clock, readonly=True) as reader:
        app = make_app(reader, clock=clock, watch=True)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = app.screen
            assert screen.state.alerts == 5
            assert_held_once(screen)  # as it opened
            store.append_many(incident, [(kinds.ALERT, received(n), clock.now()) for n in range(5, 8)], actor="alertmanager")
            screen.tick()
            await pilot.pause()
            assert screen.state.alerts == 8 and screen.state.last_alert[1] == "FIRING DiskFull db-7: Disk 95% full"
            assert_held_once(screen)  # as they arrived
            assert "FIRING DiskFull db-7: Disk 95% full" in "\n".join(strip.text for strip in screen.query_one(Timeline).lines)


async def test_a_wall_on_a_log_it_cannot_read_goes_with_one_line(store: Store, db_path: Path, clock: FakeClock,
                                                                playbook) -> None:
    incident = store.declare(declaration_payload(playbook, clock.now(), "P1", "Checkout is down")).incident
    store.append(incident, kinds.NOTE, {"text": "x"})
    conn = sqlite3.connect(db_path)
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("UPDATE events SET at = '500-01-01T00:00:00.000Z' WHERE seq = 2")
    conn.commit()
    conn.close()
    with Store(db_path, clock=clock, readonly=True) as reader:
        app = make_app(reader, clock=clock, watch=True, incident_id=incident)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
        assert app.return_code == 1
        assert "its time is unreadable" in app.problem
