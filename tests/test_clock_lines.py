"""The clock pane's lines, as text: what the commander reads about the ETA and the next status update."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from conftest import START, current_state
from warroom import events as kinds
from warroom.clock import iso
from warroom.tui.widgets.clock_pane import eta_and_update_line


@pytest.fixture(autouse=True)
def _utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


def test_eta_counts_down_then_says_it_passed(store, declare, clock) -> None:
    incident = declare("P1")
    store.append(incident, kinds.ETA, {"eta": iso(START + timedelta(minutes=40))})
    state = current_state(store, incident)
    assert "ETA 18:40 (in 40m)" in eta_and_update_line(state, START).plain
    assert "ETA 18:40 (passed 5m ago)" in eta_and_update_line(state, START + timedelta(minutes=45)).plain


def test_an_overdue_update_says_how_to_send_one_and_a_copy_clears_it(store, declare, clock) -> None:
    incident = declare("P1")  # the seed's P1 updates every 30 minutes
    late = START + timedelta(minutes=35)
    line = eta_and_update_line(current_state(store, incident), late).plain
    assert "Update OVERDUE by 5m (copy one: y)" in line
    clock.set(late)
    store.append(incident, kinds.COPIED, {"what": "internal", "text": "Checkout is down"})
    assert "Update due 19:05 (in 30m)" in eta_and_update_line(current_state(store, incident), late).plain


def test_a_resolved_incident_has_no_alarm_left_on_eta_or_updates(store, declare, clock) -> None:
    incident = declare("P1")
    store.append(incident, kinds.ETA, {"eta": iso(START + timedelta(minutes=20))})
    clock.set(START + timedelta(minutes=30))
    store.append(incident, kinds.RESOLVED, {})
    line = eta_and_update_line(current_state(store, incident), START + timedelta(hours=3))
    assert line.plain == "ETA was 18:20"
    assert not [span for span in line.spans if "error" in str(span.style) or "warning" in str(span.style)]
