"""A key's COMMIT on the store's thread (Store.append_behind): the log holds the event before any frame shows it,
and a COMMIT that fails is taken back from the screen, never shown."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from conftest import declaration_payload, paused_console
from warroom import events as kinds
from warroom.clock import FakeClock
from warroom.committer import Committer, Committing
from warroom.incident import state_of
from warroom.store import Store
from warroom.tui.widgets.command_bar import CommandBar
from warroom.tui.widgets.live_line import LiveLine


@pytest.fixture
def reader(db_path: Path, store: Store):
    """Another process's view of the file: a connection of its own."""
    other = Store(db_path, readonly=True, follow=True)
    yield other
    other.close()


def test_an_event_committed_behind_is_in_the_log_once_settled(store: Store, declare, reader: Store) -> None:
    incident = declare()
    committing = store.append_behind(incident, kinds.NOTE, {"text": "failing over to db-2"})
    assert [e.kind for e in committing.events] == [kinds.NOTE]
    assert store.settle() == ()
    assert committing.done and committing.error is None
    assert [e.payload.get("text") for e in reader.events(incident)][-1] == "failing over to db-2"


def test_the_store_waits_for_the_commit_under_way_before_anything_else(store: Store, declare) -> None:
    incident = declare()
    committing = store.append_behind(incident, kinds.NOTE, {"text": "one"})
    second = store.append(incident, kinds.NOTE, {"text": "two"})  # waits for the first COMMIT, then chains on it
    assert committing.done
    events = store.events(incident)
    assert [e.seq for e in events] == [1, 2, 3] and events[-1] == second
    assert store.verify(incident) is None


def fail_the_next_commit(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk gives out at the next COMMIT handed to the store's thread (rolled back, as SQLite does)."""
    start = Committer.start

    def failing(self: Committer, commit) -> Committing:
        def broken() -> None:
            store._conn.execute("ROLLBACK")
            raise sqlite3.OperationalError("disk I/O error")

        monkeypatch.setattr(Committer, "start", start)  # the one after works again
        return start(self, broken)

    monkeypatch.setattr(Committer, "start", failing)


def test_a_failed_commit_is_handed_to_the_writer_with_its_events(store: Store, declare, monkeypatch) -> None:
    incident = declare()
    fail_the_next_commit(store, monkeypatch)
    committing = store.append_behind(incident, kinds.NOTE, {"text": "lost"})
    failed = store.settle()
    assert failed == (committing,) and "disk I/O error" in str(committing.error)
    assert committing.events[0].payload["text"] == "lost"
    assert store.settle() == ()  # handed over once
    assert [e.kind for e in store.events(incident)] == [kinds.DECLARED]  # not in the log
    store.append(incident, kinds.NOTE, {"text": "after"})  # the store writes on, the chain intact
    assert [e.seq for e in store.events(incident)] == [1, 2] and store.verify(incident) is None


@asynccontextmanager
async def console(store: Store, clock: FakeClock, playbook):
    store.declare(declaration_payload(playbook, clock.now() - timedelta(minutes=5)))
    async with paused_console(store, clock) as opened:
        yield opened


async def test_no_frame_shows_a_key_before_its_event_is_on_disk(store, clock, playbook, monkeypatch) -> None:
    """A slow disk: the COMMIT is held until the app waits for it. Without the wait before each frame
    (WarroomApp._display), the tick's frame would go out while the COMMIT is still held."""
    committed = threading.Event()
    release = threading.Event()
    start, wait = Committer.start, Committing.wait

    def slow(self: Committer, commit) -> Committing:
        def held_commit() -> None:
            assert release.wait(10)
            commit()
            committed.set()

        return start(self, held_commit)

    def waiting(self: Committing):
        release.set()  # the app is waiting: the disk finishes now
        return wait(self)

    monkeypatch.setattr(Committer, "start", slow)
    monkeypatch.setattr(Committing, "wait", waiting)
    async with console(store, clock, playbook) as (app, pilot, screen):
        frames: list[bool] = []
        app.post_display_hook = lambda: frames.append(committed.is_set())
        await pilot.press("space")
        await pilot.pause()
        assert frames, "no frame was drawn after the key"
        assert all(frames), "a frame went out while the tick's COMMIT was still under way"
        assert len(screen.state.checked) == 1
        assert state_of(store.events(screen.incident_id)).checked == screen.state.checked


async def test_a_key_whose_commit_fails_is_never_shown_and_is_said(store, clock, playbook, monkeypatch) -> None:
    async with console(store, clock, playbook) as (app, pilot, screen):
        shown: list[int] = []
        app.post_display_hook = lambda: shown.append(len(screen.state.checked))
        fail_the_next_commit(store, monkeypatch)
        await pilot.press("space")
        await pilot.pause()
        await pilot.pause()
        assert shown and not any(shown), "a frame showed the tick that was not recorded"
        assert screen.state.checked == {} == state_of(store.events(screen.incident_id)).checked
        error = screen.query_one(CommandBar).query_one("#command-error", LiveLine)
        assert error.display and "Not recorded: disk I/O error" in error._shown.plain
        await pilot.press("space")  # the disk is back: the next key is recorded, on the log as it is
        await pilot.pause()
        log = store.events(screen.incident_id)
        assert [e.kind for e in log] == [kinds.DECLARED, kinds.CHECK]
        assert state_of(log) == screen.state and store.verify(screen.incident_id) is None
