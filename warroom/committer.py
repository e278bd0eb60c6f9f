"""Committing behind: a write's COMMIT, and the disk sync in it, on a thread of its own while the writer goes on."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any


class Committing:
    """One COMMIT under way on the committer's thread (Store.append_behind). `wait()` returns once it has
    finished; `error` then says what failed, or is None: the write is on disk."""

    def __init__(self, commit: Callable[[], None]) -> None:
        self._commit = commit
        self._started = threading.Event()
        self._done = threading.Event()
        self.error: BaseException | None = None
        self.events: list[Any] = []  # what the write appended (Store.append_behind)
        self.on_failure: Callable[[Committing], None] | None = None  # the writer's, to take back what it showed

    def wait(self) -> BaseException | None:
        self._done.wait()
        return self.error

    @property
    def done(self) -> bool:
        return self._done.is_set()


class Committer:
    """A thread that runs the COMMITs handed to it, one at a time, in order.

    SQLite gives up the interpreter's lock (the GIL) while it writes and syncs the -wal, so the writer's
    thread runs on meanwhile: it folds the event and draws the frame (~2 ms of Python), while the disk syncs
    (0.3-0.8 ms here). `start` returns only once this thread has taken the lock and is on its way into
    SQLite: handed the job and left to wake when the interpreter next switches threads (every 5 ms), the
    thread would start the COMMIT after the writer's work, not beside it."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Committing | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def start(self, commit: Callable[[], None]) -> Committing:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="warroom-commit", daemon=True)
            self._thread.start()
        job = Committing(commit)
        self._jobs.put(job)
        job._started.wait()
        return job

    def stop(self) -> None:
        """End the thread once the COMMITs handed to it are done."""
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            job._started.set()
            try:
                job._commit()
            except BaseException as error:  # noqa: BLE001 - the writer's thread is told (Committing.error)
                job.error = error
            finally:
                job._done.set()
