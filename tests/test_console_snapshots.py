"""Snapshots of the console in each phase, overdue, with a rung due and resolved, at 80x24 and 160x48.

Everything on screen comes from the log and the injected clock: the incidents are built with fixed
actors and times before the app starts, local time is UTC, so the SVGs are the same on every run.
Look at a changed SVG before accepting it with `--snapshot-update`.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Callable

import pytest
from textual.widgets import Input

from warroom import events as kinds
from warroom.clock import FakeClock, iso
from warroom.commands import declaration
from warroom.playbook import Playbook
from warroom.store import Store
from warroom.tui.app import make_app

START = datetime(2026, 11, 26, 18, 0, tzinfo=timezone.utc)
SIZES = {"80x24": (80, 24), "160x48": (160, 48)}


@pytest.fixture(autouse=True)
def deterministic(monkeypatch: pytest.MonkeyPatch, utc_local_time):
    """UTC local time, and no login name leaking into an actor."""
    monkeypatch.setattr("warroom.store.login_name", lambda: "ic")
    # An alarm's toast lasts seconds of wall time; a loaded machine can take longer than that to reach the
    # screenshot. Keep it up, so that the snapshot shows it as the commander first sees it, every run.
    monkeypatch.setattr("warroom.tui.screens.console.ALARM_SECONDS", 3600)


class Incident:
    """Writes an incident's log the way a room would, at fixed minutes after the start."""

    def __init__(self, store: Store, clock: FakeClock, playbook: Playbook, severity: str, title: str, impact: str) -> None:
        self.store, self.clock = store, clock
        clock.set(START)
        payload = declaration(playbook, START, severity, title, impact, commander="Alex")
        self.id = store.declare(payload, actor="Alex").incident

    def at(self, minutes: float, kind: str, payload: dict | None = None, actor: str = "Alex") -> "Incident":
        self.clock.set(START + timedelta(minutes=minutes))
        self.store.append(self.id, kind, payload or {}, actor=actor)
        return self

    def check(self, minutes: float, phase: str, step: int, text: str) -> "Incident":
        return self.at(minutes, kinds.CHECK, {"list": phase, "step": step, "text": text})

    def now(self, minutes: float) -> None:
        self.clock.set(START + timedelta(minutes=minutes))


def detection(incident: Incident) -> None:
    incident.at(0.5, kinds.ALERT, {"text": "checkout-api 5xx rate 12% (threshold 2%)"}, actor="prometheus")
    incident.at(1, kinds.NOTIFY, {"rung": "oncall"}).at(3, kinds.ACK, {"rung": "oncall"})
    incident.check(4, "detection", 1, "Automated monitoring alerts")
    incident.check(4.5, "detection", 2, "Manual incident reporting")
    incident.at(5, kinds.ROLE, {"role": "scribe", "name": "Sam"})
    incident.at(5.5, kinds.NOTE, {"text": "5xx started 17:58, right after deploy 4812"}, actor="Sam")


def containment(incident: Incident) -> None:
    detection(incident)
    incident.check(10, "detection", 3, "Initial triage and classification")
    incident.check(10.5, "detection", 4, "Incident commander assignment")
    incident.at(12, kinds.STATUS, {"status": "mitigating"})
    incident.at(14, kinds.ETA, {"eta": iso(START + timedelta(hours=1))})
    incident.at(15, kinds.PHASE, {"phase": "containment"})
    incident.at(15.5, kinds.NOTIFY, {"rung": "manager"}).at(17, kinds.ACK, {"rung": "manager"})
    incident.check(19, "containment", 1, "Isolate affected systems")
    incident.at(20, kinds.NOTE, {"text": "Rolling back deploy 4812"}, actor="Sam")


def recovery(incident: Incident) -> None:
    containment(incident)
    incident.check(24, "containment", 2, "Prevent further damage")
    incident.check(25, "containment", 3, "Preserve evidence")
    incident.at(30, kinds.NOTIFY, {"rung": "cto"}).at(32, kinds.ACK, {"rung": "cto"})
    incident.check(38, "containment", 4, "Implement temporary fixes")
    incident.at(40, kinds.PHASE, {"phase": "recovery"})
    incident.at(60, kinds.NOTIFY, {"rung": "ceo"}).at(63, kinds.ACK, {"rung": "ceo"})
    incident.check(65, "recovery", 1, "Restore normal operations")
    incident.at(66, kinds.NOTE, {"text": "Error rate back to 0.1%; watching"}, actor="Sam")


def resolved(incident: Incident) -> None:
    recovery(incident)
    incident.check(80, "recovery", 2, "Monitor for recurrence")
    incident.at(85, kinds.RESOLVED)
    incident.at(86, kinds.NOTE, {"text": "Post-incident review booked for Friday"}, actor="Sam")


SCENARIOS: dict[str, tuple[str, Callable[[Incident], None], float]] = {
    # name: (severity, the story so far, minutes after the start when the snapshot is taken)
    "detection": ("P1", detection, 6.25),
    "containment": ("P1", containment, 21 + 40 / 60),
    "recovery": ("P1", recovery, 72 + 5 / 60),
    # P0's response target is immediate: the on-call was paged but nobody has acknowledged.
    "response-overdue": ("P0", lambda i: i.at(1, kinds.NOTIFY, {"rung": "oncall"}), 9.5),
    # The on-call acknowledged; at T+15 the manager's rung fell due and nobody has paged them.
    "rung-due": ("P1", lambda i: i.at(1, kinds.NOTIFY, {"rung": "oncall"}).at(2, kinds.ACK, {"rung": "oncall"}), 16 + 20 / 60),
    "resolved": ("P1", resolved, 100),
}


async def still_cursor(pilot) -> None:
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
@pytest.mark.parametrize("scenario", SCENARIOS, ids=list(SCENARIOS))
def test_console_snapshot(snap_compare, store: Store, clock: FakeClock, playbook: Playbook, scenario: str, size: str):
    severity, story, minutes = SCENARIOS[scenario]
    incident = Incident(store, clock, playbook, severity, "Checkout API returning 500s", "EU customers cannot pay")
    story(incident)
    incident.now(minutes)
    # An open incident is resumed by itself; a resolved one is opened by id (as the browser does).
    opened = incident.id if scenario == "resolved" else None
    app = make_app(store, clock=clock, incident_id=opened)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=still_cursor)


def test_declare_screen_snapshot(snap_compare, store: Store, clock: FakeClock, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("WARROOM_ACTOR", "alex")
    assert snap_compare(make_app(store, clock=clock), terminal_size=(80, 24), run_before=still_cursor)


def test_too_small_snapshot(snap_compare, store: Store, clock: FakeClock, playbook: Playbook):
    Incident(store, clock, playbook, "P1", "Checkout API returning 500s", "EU customers cannot pay")
    assert snap_compare(make_app(store, clock=clock), terminal_size=(50, 15), run_before=still_cursor)
