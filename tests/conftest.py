"""Shared fixtures for the headless core: a fake clock, a temporary store, the bundled playbook."""

from __future__ import annotations

import os
import sqlite3
import time
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pytest

from warroom.clock import FakeClock, iso
from warroom.incident import IncidentState, state_of
from warroom.playbook import Playbook, load_playbook
from warroom.store import Store

START = datetime(2026, 11, 26, 18, 0, tzinfo=timezone.utc)
REPO = Path(__file__).resolve().parent.parent
# The user's own playbook, as handed over; a copy lives with the tests so a clean clone has it.
SEED = REPO / "tests" / "data" / "incident-response-playbook.md"
SHARED_SEED = REPO.parent / "shared" / "seed" / "incident-response-playbook.md"


@pytest.fixture(autouse=True)
def _isolated_data(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch the user's real database or pick up their playbook by accident."""
    home = tmp_path_factory.mktemp("data-home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    monkeypatch.delenv("WARROOM_DB", raising=False)
    monkeypatch.delenv("WARROOM_PLAYBOOK", raising=False)
    monkeypatch.delenv("WARROOM_ACTOR", raising=False)


@pytest.fixture
def no_display(monkeypatch: pytest.MonkeyPatch) -> None:
    """No system clipboard: copies go by OSC 52, which the test harness keeps in app.clipboard."""
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)


@pytest.fixture
def utc_local_time():
    """Local times on screen read the same on every machine (modules that show times use it)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "warroom.db"


@pytest.fixture
def store(db_path: Path, clock: FakeClock):
    with Store(db_path, clock=clock) as opened:
        yield opened


@pytest.fixture(scope="session")
def playbook() -> Playbook:
    return load_playbook()


def declaration_payload(
    playbook: Playbook, started: datetime, severity: str = "P1", title: str = "Checkout is down", **extra: object
) -> dict:
    """The payload a `declared` event carries (what `warroom declare` builds)."""
    payload = {
        "title": title,
        "severity": severity,
        "impact": "",
        "runbooks": [],
        "commander": "ic",
        "started_at": iso(started),
        "detected_at": iso(started),
        "playbook": playbook.data,
    }
    payload.update(extra)
    return payload


@pytest.fixture
def declare(store: Store, clock: FakeClock, playbook: Playbook) -> Callable[..., str]:
    """Declare an incident in the temp store at the clock's time; returns its id."""

    def declare_incident(severity: str = "P1", title: str = "Checkout is down", *, into: Store | None = None,
                         using: Playbook | None = None, **extra: object) -> str:
        target = into or store
        event = target.declare(declaration_payload(using or playbook, target.clock.now(), severity, title, **extra))
        return event.incident

    return declare_incident


def current_state(store: Store, incident: str) -> IncidentState:
    return state_of(store.events(incident))


def count_events(path: Path) -> int:
    """Events in a database file, read with plain sqlite3 (0 when there is no such file or table)."""
    if not path.is_file():
        return 0
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    except sqlite3.Error:
        return 0
    finally:
        conn.close()


# A different organisation's playbook: five severities, five phases, six rungs, other names.
FIVE_LEVEL_PLAYBOOK = """\
name: Five-level playbook
status_page: https://status.example.org
severities:
  - {id: SEV-1, name: Critical, response_target: 5m, update_every: 10m, criteria: [Everything is down]}
  - {id: SEV-2, name: Major, response_target: 15m, update_every: 20m, criteria: [A core flow is broken]}
  - {id: SEV-3, name: Moderate, response_target: 1h, update_every: 1h}
  - {id: SEV-4, name: Minor, response_target: 8h, update_every: 4h}
  - {id: SEV-5, name: Cosmetic, response_target: 3d, update_every: 1d}
phases:
  - id: triage
    name: Triage
    window: {start: 0m, end: 10m}
    steps: [Page the owning team, Open a bridge]
  - id: assess
    name: Assess
    window: {start: 10m, end: 30m}
    steps: [Scope the blast radius]
  - id: contain
    name: Contain
    window: {start: 30m, end: 1h}
    steps: [Stop the bleeding, Freeze deploys]
  - id: fix
    name: Fix
    window: {start: 1h, end: 6h}
    steps: [Ship the fix]
  - id: review
    name: Review
    window: {start: 6h}
    steps: [Write the timeline, Book the review]
contacts:
  - {id: pager, name: Pager, phone: "+44 20 7946 0001"}
  - {id: lead, name: Team lead, phone: "+44 20 7946 0002"}
  - {id: vp, name: VP Engineering, phone: "+44 20 7946 0003"}
ladder:
  - {id: responder, name: Responder, window: {start: 0m, end: 5m}, contacts: [pager]}
  - {id: lead, name: Team lead, window: {start: 5m, end: 15m}, contacts: [lead]}
  - {id: manager, name: Manager, window: {start: 15m, end: 30m}, severities: [SEV-1, SEV-2, SEV-3]}
  - {id: director, name: Director, window: {start: 30m, end: 1h}, severities: [SEV-1, SEV-2]}
  - {id: vp, name: VP, window: {start: 1h, end: 2h}, severities: [SEV-1, SEV-2], contacts: [vp]}
  - {id: chief, name: Chief Executive, window: {start: 2h}, severities: [SEV-1]}
templates:
  - id: page
    name: Page
    text: "[{severity} {severity_name}] {title}; IC {commander}; phase {phase}; next update {next_update}"
runbooks:
  - id: dns
    name: DNS failures
    steps: [Flush resolvers, Check record TTLs]
"""


@pytest.fixture
def five_level_path(tmp_path: Path) -> Path:
    path = tmp_path / "five-level.yaml"
    path.write_text(FIVE_LEVEL_PLAYBOOK, encoding="utf-8")
    return path


@asynccontextmanager
async def paused_console(store: Store, clock: FakeClock, size: tuple[int, int] = (120, 40)):
    """The console on the open incident, its twice-a-second poll paused: the tests poll (screen.tick) by hand."""
    from warroom.tui.app import make_app  # here: the domain's tests never load Textual
    from warroom.tui.screens.console import ConsoleScreen

    app = make_app(store, clock=clock)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConsoleScreen)
        screen._ticker.pause()
        yield app, pilot, screen
