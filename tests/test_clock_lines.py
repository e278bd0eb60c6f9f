"""The clock pane's lines, as text: what the commander reads about the ETA and the next status update."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conftest import START, current_state
from warroom import events as kinds
from warroom.clock import iso
from warroom.tui.widgets.clock_pane import eta_and_update_line, eta_and_update_pieces, line, phase_pieces, response_line


pytestmark = pytest.mark.usefixtures("utc_local_time")


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


def test_raising_the_severity_after_an_acknowledgement_keeps_the_response_met(store, declare, clock) -> None:
    incident = declare("P1")  # 1h response target
    clock.set(START + timedelta(minutes=2))
    store.append(incident, kinds.ACK, {"rung": "oncall"})
    clock.set(START + timedelta(minutes=10))
    store.append(incident, kinds.SEVERITY, {"severity": "P0"})  # "Immediate": any acknowledgement would be late
    line = response_line(current_state(store, incident), clock.now()).plain
    assert line == "Response target (P1, 1h): met at 18:02"  # judged by P1, and it says so


def test_a_late_response_under_a_minute_says_its_seconds(store, declare, clock) -> None:
    incident = declare("P0")  # immediate
    clock.set(START + timedelta(seconds=40))
    store.append(incident, kinds.ACK, {"rung": "oncall"})
    assert "missed by 40s" in response_line(current_state(store, incident), clock.now()).plain


def test_narrow_lines_break_between_pieces_never_inside_one(store, declare, clock) -> None:
    incident = declare("P1")
    now = START + timedelta(minutes=16, seconds=20)  # detection's 0-15m window is past
    state = current_state(store, incident)
    wrapped = line(phase_pieces(state, now), width=36).plain.split("\n")
    assert wrapped == ["Phase 1/3 Detection & Analysis", "PAST WINDOW by 1m 20s"]
    assert line(phase_pieces(state, now), width=80).plain == "Phase 1/3 Detection & Analysis PAST WINDOW by 1m 20s"


def test_without_hints_no_console_key_is_named(store, declare, clock) -> None:
    incident = declare("P1")
    late = START + timedelta(hours=2)  # response overdue, update overdue, no ETA
    state = current_state(store, incident)
    shown = response_line(state, late, hints=False).plain + eta_and_update_line(state, late, hints=False).plain
    assert "RESPONSE OVERDUE" in shown and "Update OVERDUE" in shown
    for hint in ("(a)", "(e)", "y)"):
        assert hint not in shown
    assert "(a)" in response_line(state, late).plain  # the console names the key


def test_a_wrapped_update_starts_its_line_without_the_separator(store, declare, clock) -> None:
    state = current_state(store, declare("P1"))
    wrapped = line(eta_and_update_pieces(state, START), width=24).plain.split("\n")
    assert wrapped == ["ETA not set (e)", "Update due 18:30 (in", "30m)"]
