"""Received alerts on the console and the wall: counted the way the log holds them (a repeat was never stored), and
hostile label text shown inert."""

from __future__ import annotations

import json

import pytest

from conftest import declaration_payload
from hostile import ACTIVE, HOSTILE
from warroom.alerts import AlertLedger, parse_body, plan
from warroom.playbook import load_playbook
from warroom.store import Store
from warroom.tui.app import make_app
from warroom.tui.screens.watch import WatchScreen

pytestmark = pytest.mark.usefixtures("utc_local_time")
ACTORS = {"alertmanager": "alertmanager", "grafana": "grafana", "monitoring": "monitoring"}
EVIL = HOSTILE["osc0-title"] + HOSTILE["clear-screen"] + HOSTILE["c1-csi"]


def webhook(*alerts: dict) -> bytes:
    return json.dumps({"version": "4", "status": "firing", "alerts": list(alerts)}).encode()


def received(store: Store, ledger: AlertLedger, body: bytes, clock) -> None:
    """What the receiver's writer does with one request: route, deduplicate against the log, append."""
    [(batch, _)] = plan([(parse_body(body, "alertmanager"), None)], store, load_playbook(), ledger, clock.now(), ACTORS)
    for incident, items in batch.items():
        ledger.took(store.append_many(incident, items, actor="alertmanager"))


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


@pytest.mark.parametrize("watch", [False, True], ids=["console", "wall"])
async def test_received_alerts_show_counted_once_and_inert(store, clock, playbook, watch: bool) -> None:
    store.declare(declaration_payload(playbook, clock.now()))
    receiver = Store(store.path, clock=clock)  # the receiver's own connection, as another process has
    ledger = AlertLedger(receiver)
    clock.advance(minutes=2)
    disk = {"status": "firing", "labels": {"alertname": "DiskFull", "instance": EVIL}, "annotations": {"summary": EVIL},
            "startsAt": "2026-11-26T18:01:00Z", "fingerprint": "d15cf011"}
    received(receiver, ledger, webhook(disk), clock)
    with Store(store.path, clock=clock, readonly=True, follow=True) as reader:
        app = make_app(reader if watch else store, clock=clock, watch=watch)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            # Alertmanager's next notification repeats the firing alert and brings a new one.
            clock.advance(seconds=30)
            latency = {"status": "firing", "labels": {"alertname": "Latency"}, "annotations": {"summary": "p99 2s"},
                       "startsAt": "2026-11-26T18:02:20Z", "fingerprint": "1a7e0c11"}
            received(receiver, ledger, webhook(disk, latency), clock)
            app.screen.tick()
            await pilot.pause()
            shown = screen_text(app)
            assert app.screen.state.alerts == 2
            assert ACTIVE.search(shown.replace("\n", " ")) is None
            assert "FIRING DiskFull" in shown and "\\x1b]0;PWNED-TITLE\\x07" in shown  # the controls made visible
            assert "p99 2s" in shown
            if isinstance(app.screen, WatchScreen):
                assert "2 alerts · alert 18:02 FIRING Latency: p99 2s" in shown
            assert shown.count("FIRING DiskFull") == 1  # the repeat is no second line
    receiver.close()
