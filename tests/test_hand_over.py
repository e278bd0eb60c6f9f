"""Each frame goes to the terminal before the app goes on (frames.hand_over): Textual's writer thread needs the
GIL and a CPU to write it, and the app's thread would otherwise keep both for the work put off until after it."""

from __future__ import annotations

import queue
import threading

from tests.conftest import paused_console
from warroom.commands import declaration
from warroom.tui import frames


class _Writer:
    """Stands for Textual's writer thread: a queue, and a thread that takes from it until it is given None."""

    def __init__(self) -> None:
        self._queue: queue.Queue[str | None] = queue.Queue(30)
        self.taken: list[str] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (text := self._queue.get()) is not None:
            self.taken.append(text)


class _Driver:
    def __init__(self, writer: _Writer | None) -> None:
        self._writer_thread = writer


def test_hand_over_returns_once_the_writer_has_taken_the_frame(monkeypatch):
    """Waits for the writer however long the machine takes to run it (the 2 ms bound is for a terminal that
    reads slowly; a loaded CI machine once let it pass before the writer thread was scheduled)."""
    monkeypatch.setattr(frames, "HAND_OVER_WAIT", 60.0)
    writer = _Writer()
    writer._queue.put("frame")
    assert frames.hand_over(_Driver(writer)) is True
    assert not writer._queue.queue  # taken: the writer has it (and the GIL), the app goes on after
    writer._queue.put(None)


def test_hand_over_gives_up_on_a_writer_that_does_not_read(monkeypatch):
    """A writer still busy with an earlier frame (a terminal that reads slowly) is waited for a bounded time
    only (frames.HAND_OVER_WAIT; none here), never until it reads."""
    monkeypatch.setattr(frames, "HAND_OVER_WAIT", 0.0)
    writer = _Writer()
    writer._queue.put(None)  # the writer stops: nothing takes the next frame
    writer.thread.join()
    writer._queue.put("frame")
    assert frames.hand_over(_Driver(writer)) is True
    assert list(writer._queue.queue) == ["frame"]  # left to the writer, not waited for


def test_hand_over_without_a_writer_thread_does_nothing():
    assert frames.hand_over(_Driver(None)) is False
    assert frames.hand_over(object()) is False  # the headless and web drivers have none


async def test_every_frame_the_app_draws_is_handed_over(store, clock, playbook, monkeypatch):
    store.declare(declaration(playbook, clock.now(), playbook.severities[0].id, "Queue stuck", "", ()))
    handed = []
    monkeypatch.setattr("warroom.tui.app.hand_over", lambda driver: handed.append(driver) or False)
    async with paused_console(store, clock) as (app, pilot, screen):
        await pilot.pause()
        before = len(handed)
        await pilot.press("space")
        await pilot.pause()
        assert len(handed) > before and all(driver is app._driver for driver in handed)


def test_textuals_writer_is_what_hand_over_looks_for():
    """hand_over finds the writer by Textual's private names: an upgrade that renames them would leave every
    frame waiting on the app's thread again, silently. Here it would say so."""
    import inspect
    import io

    from textual.drivers._writer_thread import WriterThread
    from textual.drivers.linux_driver import LinuxDriver

    assert isinstance(WriterThread(io.StringIO())._queue, queue.Queue)
    assert "self._writer_thread = WriterThread(" in inspect.getsource(LinuxDriver.start_application_mode)
