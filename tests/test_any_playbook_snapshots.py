"""Snapshots of the console and the declare screen with tests/data/sev-playbook.yaml, at 80x24 and 160x48.

The second playbook's six rungs and five phases are what the layout must fit: at 80x24 the ladder shows the
rungs that matter and counts the rest, the checklist opens on the current phase, the timeline keeps rows.
Fixed actors and times, local time UTC: the SVGs are the same on every run. Look at a changed SVG before
accepting it with `--snapshot-update`.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from warroom import events as kinds
from warroom.playbook import load_playbook
from warroom.tui.app import make_app

from test_console_snapshots import START, Incident, still_cursor

PLAYBOOK = Path(__file__).parent / "data" / "sev-playbook.yaml"
SIZES = {"80x24": (80, 24), "160x48": (160, 48)}


@pytest.fixture(autouse=True)
def deterministic(monkeypatch: pytest.MonkeyPatch, utc_local_time):
    monkeypatch.setattr("warroom.store.login_name", lambda: "ic")
    monkeypatch.setattr("warroom.tui.screens.console.ALARM_SECONDS", 3600)


def three_due(incident: Incident) -> None:
    """SEV-1, twelve minutes in, nobody paged: three rungs due at once."""
    incident.at(0.5, kinds.ALERT, {"text": "checkout p99 4.2s (threshold 800ms)"}, actor="prometheus")
    incident.at(2, kinds.NOTE, {"text": "Bridge open on the usual link"}, actor="Kim")


def repairing(incident: Incident) -> None:
    """SEV-2, two and a half hours in, in the fourth phase: two rungs answered, one awaiting, two due."""
    for minutes, rung in ((3, "sre-primary"), (8, "sre-secondary")):
        incident.at(minutes, kinds.NOTIFY, {"rung": rung}).at(minutes + 1, kinds.ACK, {"rung": rung})
    incident.check(4, "triage-and-page", 1, "Confirm the alert is real")
    incident.at(12, kinds.PHASE, {"phase": "stop-the-bleeding"})
    incident.at(15, kinds.NOTIFY, {"rung": "team_lead"})
    incident.at(45, kinds.PHASE, {"phase": "root_cause"})
    incident.at(130, kinds.PHASE, {"phase": "fix-forward"})
    incident.at(140, kinds.NOTE, {"text": "Fix is behind the queue-drain flag"}, actor="Kim")


SCENARIOS = {
    # name: (severity, the story so far, minutes after the start when the snapshot is taken)
    "three-due": ("SEV-1", three_due, 12),
    "repairing": ("SEV-2", repairing, 150),
}


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
@pytest.mark.parametrize("scenario", SCENARIOS, ids=list(SCENARIOS))
def test_console_with_another_playbook(snap_compare, store, clock, scenario: str, size: str):
    severity, story, minutes = SCENARIOS[scenario]
    incident = Incident(store, clock, load_playbook(PLAYBOOK), severity, "Checkout latency", "EU customers time out")
    story(incident)
    clock.set(START + timedelta(minutes=minutes))
    assert snap_compare(make_app(store, clock=clock), terminal_size=SIZES[size], run_before=still_cursor)


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_declare_screen_with_another_playbook(snap_compare, store, clock, monkeypatch: pytest.MonkeyPatch, size: str):
    monkeypatch.setenv("WARROOM_ACTOR", "alex")
    app = make_app(store, playbook_path=PLAYBOOK, clock=clock)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=still_cursor)
