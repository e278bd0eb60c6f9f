"""Snapshots of a replay at its start, in the middle (a rung due; the message copied) and at its end, at 80x24 and 160x48.

The incident is written with fixed actors and times before the app starts, local time is UTC and the
app's clock is a fake one, so the SVGs are the same on every run. Look at a changed SVG before
accepting it with `--snapshot-update`.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from warroom import events as kinds
from warroom.clock import FakeClock, iso
from warroom.commands import declaration
from warroom.playbook import Playbook
from warroom.store import Store
from warroom.tui.app import make_app

START = datetime(2026, 11, 26, 18, 0, tzinfo=timezone.utc)
SIZES = {"80x24": (80, 24), "160x48": (160, 48)}
CUSTOMER_COPY = (
    "We are currently experiencing Checkout API returning 500s.\n"
    "Impact: EU customers cannot pay\n"
    "Status: We are rolling back the change that caused it.\n"
    "Updates: https://status.example.com, next update by 18:52 UTC\n"
)


pytestmark = pytest.mark.usefixtures("utc_local_time")


def write_incident(store: Store, clock: FakeClock, playbook: Playbook) -> str:
    """A P1 from declaration to resolution in 50 minutes, as a room would have logged it."""
    clock.set(START)
    incident = store.declare(
        declaration(playbook, START, "P1", "Checkout API returning 500s", "EU customers cannot pay", commander="Alex"),
        actor="Alex",
    ).incident

    def at(minutes: float, kind: str, payload: dict | None = None, actor: str = "Alex", happened: float | None = None) -> None:
        clock.set(START + timedelta(minutes=minutes))
        when = START + timedelta(minutes=happened) if happened is not None else None
        store.append(incident, kind, payload or {}, actor=actor, at=when)

    def check(minutes: float, phase: str, step: int, text: str) -> None:
        at(minutes, kinds.CHECK, {"list": phase, "step": step, "text": text})

    at(0.5, kinds.ALERT, {"text": "checkout-api 5xx rate 12% (threshold 2%)"}, actor="prometheus")
    at(1, kinds.NOTIFY, {"rung": "oncall"})
    at(3, kinds.ACK, {"rung": "oncall"})
    check(4, "detection", 1, "Automated monitoring alerts")
    check(4.5, "detection", 2, "Manual incident reporting")
    at(5, kinds.ROLE, {"role": "scribe", "name": "Sam"})
    check(10, "detection", 3, "Initial triage and classification")
    check(10.5, "detection", 4, "Incident commander assignment")
    at(12, kinds.STATUS, {"status": "mitigating"})
    at(14, kinds.ETA, {"eta": iso(START + timedelta(hours=1))})
    at(15, kinds.PHASE, {"phase": "containment"})
    at(15.5, kinds.NOTIFY, {"rung": "manager"})
    at(17, kinds.ACK, {"rung": "manager"})
    check(19, "containment", 1, "Isolate affected systems")
    at(22, kinds.COPIED, {"what": "customer", "name": "Customer Communication", "text": CUSTOMER_COPY, "via": "osc52"})
    at(26, kinds.NOTE, {"text": "Rollback of deploy 4812 started 18:16"}, actor="Sam", happened=16)
    at(33, kinds.NOTIFY, {"rung": "cto"})
    at(35, kinds.ACK, {"rung": "cto"})
    at(40, kinds.PHASE, {"phase": "recovery"})
    at(50, kinds.RESOLVED)
    at(51, kinds.NOTE, {"text": "Post-incident review booked for Friday"}, actor="Sam")
    return incident


async def jump_to(pilot, text: str) -> None:
    """g, the time, enter: as a reviewer does it."""
    await pilot.press("g")
    await pilot.pause()
    await pilot.press(*text, "enter")
    await pilot.pause()


async def at_start(pilot) -> None:
    await pilot.press("end", "home")
    await pilot.pause()


async def in_the_middle(pilot) -> None:
    # 18:31:30: the CTO rung fell due at 18:30 and nobody has paged them yet; the customer message went at 18:22.
    await jump_to(pilot, "18:31:30")


async def at_end(pilot) -> None:
    await pilot.press("end")
    await pilot.pause()


async def the_copied_message(pilot) -> None:
    await in_the_middle(pilot)
    await pilot.press("t", "t")  # the Customer Communication tab
    await pilot.pause()


MOMENTS = {"start": at_start, "middle": in_the_middle, "end": at_end}


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
@pytest.mark.parametrize("moment", MOMENTS, ids=list(MOMENTS))
def test_replay_snapshot(snap_compare, store: Store, clock: FakeClock, playbook: Playbook, moment: str, size: str):
    incident = write_incident(store, clock, playbook)
    clock.set(START + timedelta(days=3))  # the review happens days later: nothing on screen may show today's time
    app = make_app(store, clock=clock, incident_id=incident, replay=True)
    # The wide middle shows the message as it was copied; the narrow one, the timeline.
    run_before = the_copied_message if (moment, size) == ("middle", "160x48") else MOMENTS[moment]
    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)
