"""The event store: one SQLite file (WAL) holding every incident's append-only, hash-chained log."""

from __future__ import annotations

import contextlib
import functools
import getpass
import json
import os
import re
import sqlite3
import time
import urllib.parse
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

import platformdirs

from warroom import events as kinds
from warroom.clock import Clock, SystemClock, check_in_range, iso, local_hm, parse_iso, stored_time_problem, truncate_ms
from warroom.committer import Committer, Committing
from warroom.errors import WarroomError, quoted
from warroom.events import (
    _SURROGATE, GENESIS, Event, LogCheck, _decode_payload, canonical_json, chain_hash, check_storable, events_from_rows,
    incident_id_problem, unstorable_text,
)

SCHEMA_VERSION = 1
EVENT_COLUMNS = "id, incident, seq, kind, actor, payload, at, recorded_at, prev_hash, hash"
_APPEND_ONLY = "events are append-only: UPDATE and DELETE are refused"
# What makes a file warroom's (schema version 1), checked before anything is written to it or its journal
# mode changed: another program's database may well have tables called incidents and events.
_COLUMNS = {
    "incidents": {"id", "title", "severity", "status", "status_at", "severity_at", "started_at", "declared_at",
                  "resolved_at", "last_seq", "head_hash"},
    "events": set(EVENT_COLUMNS.split(", ")),
}
_TRIGGERS = {"events_no_update", "events_no_delete"}
# Caches beside the log, never part of it (schema version 1 still: an older warroom opens the file and ignores
# them). verified_heads: how far each incident's chain was last checked; summaries: each incident's fold as of
# an event (warroom/history.py). Each is stamped with the file's schema cookie (PRAGMA schema_version), which
# the only SQL way to change an event (dropping the append-only triggers) moves: a stamp that differs is not
# used. Made by a writable open (an older file gets them on its first; a read-only open never writes).
_CACHES = {
    "verified_heads": "CREATE TABLE IF NOT EXISTS verified_heads "
    "(incident TEXT PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT NOT NULL, schema INTEGER NOT NULL)",
    "summaries": "CREATE TABLE IF NOT EXISTS summaries (incident TEXT PRIMARY KEY, seq INTEGER NOT NULL, "
    "hash TEXT NOT NULL, schema INTEGER NOT NULL, listing TEXT NOT NULL, state TEXT NOT NULL)",
}
_CACHE_COLUMNS = {"verified_heads": {"incident", "seq", "hash", "schema"},
                  "summaries": {"incident", "seq", "hash", "schema", "listing", "state"}}
# `followups` reads the follow-up events of every incident (Store.events_of_kinds): without it, all 1,000,000.
_KIND_INDEX = "CREATE INDEX IF NOT EXISTS events_kind ON events (kind, incident)"


def default_db_path() -> Path:
    """`WARROOM_DB`, or warroom.db in the user's data folder."""
    if os.environ.get("WARROOM_DB"):
        return Path(os.environ["WARROOM_DB"]).expanduser()
    return Path(platformdirs.user_data_dir("warroom", appauthor=False)) / "warroom.db"


@functools.cache  # a process's login name does not change; looking it up was a tenth of a key's append
def login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name on some containers: still record who, as best we can
        return os.environ.get("USER") or "unknown"


def default_actor() -> str:
    """Who an event is recorded as when nobody says: WARROOM_ACTOR (the person, "Alex Kim"), else the login
    name (which on a shared box or in a container is often only `root`)."""
    return os.environ.get("WARROOM_ACTOR", "").strip() or login_name()


def _commit(conn: sqlite3.Connection) -> None:
    """COMMIT the write open on `conn`; one that fails leaves nothing open for the next write to find."""
    try:
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


class LogMoved(WarroomError):
    """The database file this store opened is no longer the one at its path (removed, renamed, or replaced
    by another file): nothing more is written, to either file. Exit 1, a check that failed."""

    def __init__(self, message: str) -> None:
        super().__init__(message, exit_code=1)


@dataclass(frozen=True)
class IncidentRow:
    """An incident as the index table knows it (a cache of its log, for listing)."""

    id: str
    title: str
    severity: str
    status: str
    started_at: datetime
    declared_at: datetime
    resolved_at: datetime | None
    events: int
    problem: str | None = None  # why the row cannot be trusted (its times are unreadable): listed as BROKEN


class Store:
    """The SQLite event store. Every write is one transaction; nothing is ever updated in `events`."""

    # Set by a caller that draws after each write (the console: frames.after_the_frame): each commit's passive
    # checkpoint (_backfill) is handed to it, to run once the screen shows the event, rather than between the
    # commit and the frame (1-8 ms of every key press, for a copy the commit's durability does not need). It
    # returns False when it cannot (the app is closing): then the checkpoint runs at once.
    backfill_later: Callable[[Callable[[], None]], bool] | None = None
    _backfill_due = False
    _depth = 0  # transactions open: 1 inside one, more inside Store.transaction's savepoints
    caches = False  # the file has the cache tables (verified_heads, summaries): see _CACHES
    # Who this store's writes are recorded as, when a write does not say (`warroom --actor NAME`); None: default_actor().
    actor: str | None = None
    _committer: Committer | None = None  # the thread append_behind's COMMITs run on, made at the first
    _committing: Committing | None = None  # a COMMIT under way there: every use of the connection waits for it
    _failed: tuple[Committing, ...] = ()  # COMMITs that failed there, until settle() hands them to the writer

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection, once no COMMIT is under way on it (append_behind): nothing reads or writes around one."""
        if self._committing is not None:
            self._finish_committing()
        return self._conn

    @conn.setter
    def conn(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __init__(
        self, path: str | Path | None = None, *, clock: Clock | None = None, readonly: bool = False, create: bool = True,
        follow: bool = False,
    ) -> None:
        """Open the log at `path`. `readonly` never writes and leaves the files as they were (`follow`: and
        sees other processes' commits for as long as it is open), unless the file leaves its path while
        open (check_file); `create=False` neither makes a database nor initialises an empty file."""
        self.path = Path(path).expanduser() if path is not None else default_db_path()
        self.clock = clock or SystemClock()
        self.readonly = readonly
        create = create and not readonly
        self.conn = self._connect(create=create, follow=follow)
        self._moved: str | None = None  # once the file at the path is not the one opened: why, for good
        self._held = True  # False once the file is let go of and reads go on from a copy in memory
        self.appended_to: set[str] = set()  # incidents this store wrote to (their summaries are brought up to date at close)
        self._verified: dict[str, tuple[int, str, int]] = {}  # heads this store checked: (seq, hash, schema cookie)
        self._unsaved_heads: dict[str, tuple[int, str, int]] = {}
        self._unsaved_summaries: dict[str, tuple] = {}
        try:
            found = os.stat(self.path)
            self._opened: tuple[int, int] | None = (found.st_dev, found.st_ino)
        except OSError as error:
            self.conn.close()
            raise WarroomError(f"{self.path}: cannot open the database ({error.strerror})") from None
        try:
            self._prepare_schema(create=create)
        except sqlite3.DatabaseError as error:
            self.conn.close()
            raise WarroomError(f"{self.path}: not a warroom database ({error})") from None
        except BaseException:
            self.conn.close()
            raise

    # --- opening -------------------------------------------------------------------------------

    @classmethod
    def empty(cls, path: str | Path, *, clock: Clock | None = None) -> "Store":
        """A read-only store with no incidents, named after `path` and creating nothing there (a log not made yet)."""
        store = cls.__new__(cls)
        store.path = Path(path).expanduser()
        store.clock = clock or SystemClock()
        store.readonly = False  # only while the schema is made in memory
        store._opened, store._moved, store._held = None, None, False  # no file: nothing to lose track of
        store.appended_to, store._verified, store._unsaved_heads, store._unsaved_summaries = set(), {}, {}, {}
        store.conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        store._prepare_schema()
        store.readonly = True
        return store

    def _connect(self, *, create: bool, follow: bool = False) -> sqlite3.Connection:
        path = self.path
        if path.is_dir():
            raise WarroomError(f"{path}: is a folder; expected a database file (--db PATH or WARROOM_DB)")
        if path.exists() and not path.is_file():
            # SQLite would block reading a pipe, and make a -journal and a -wal beside a device (/dev/null).
            what = "a pipe" if path.is_fifo() else "a socket" if path.is_socket() else "a device"
            raise WarroomError(f"{path}: is {what}, not a file; expected a database file (--db PATH or WARROOM_DB)")
        if not path.exists():
            if not create:
                raise WarroomError(f"{path}: no such database")
            self._check_writable(path.parent if path.parent.exists() else None)
            try:
                if not path.parent.exists():
                    path.parent.mkdir(mode=0o700, parents=True)
                descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
                os.close(descriptor)
            except FileExistsError:
                pass  # another process made it in between: use theirs
            except OSError as error:
                raise WarroomError(f"{path}: cannot create the database ({error.strerror})") from None
        elif not self.readonly:
            self._check_writable(path)
        try:
            if self.readonly:
                conn = self._connect_for_reading(path, follow=follow)
            else:
                conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        except sqlite3.Error as error:
            raise WarroomError(f"{path}: cannot open the database ({error})") from None
        conn.execute("PRAGMA busy_timeout = 30000")
        return conn

    def _check_writable(self, path: Path | None) -> None:
        """Refuse, before SQLite makes a -wal or -shm file, a log this user cannot write (or whose folder,
        where those files go, they cannot write). SQLite would fail only at the first write."""
        if path is None:
            return  # the folder is made with the file
        folder = path if path.is_dir() else path.parent
        for target in ((path,) if path == folder else (path, folder)):
            if not os.access(target, os.W_OK):
                what = "the folder it is in" if target == folder and path != folder else "it"
                raise WarroomError(f"{self.path}: cannot write {what} (permission denied): expected a database you can write")

    @staticmethod
    def _connect_for_reading(path: Path, *, follow: bool = False) -> sqlite3.Connection:
        """A connection that never writes the log and leaves the files as they were.

        A `mode=ro` connection to a WAL database makes the -wal and -shm files but, being read-only,
        never removes them. A read-write connection with `query_only` cannot write either (SQLite refuses
        every statement that would), and, as the last one to close, removes them as SQLite always does.
        For a log this user cannot write: with no -wal file every commit is in the database file itself,
        so `immutable=1` reads it and makes nothing (in a read-only folder `mode=ro` could not even open
        it); with a -wal file (a writer has it open), or to follow other processes' commits, `mode=ro`,
        which uses the -wal and -shm files that are there.
        """
        uri = f"file:{urllib.parse.quote(os.fsencode(path))}"  # the bytes of the name: it need not be UTF-8
        writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
        if not writable:  # SQLite could not make or remove the -wal and -shm here anyway
            if not follow and not Path(f"{path}-wal").exists():
                return sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None, check_same_thread=False)
            return sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
        conn = sqlite3.connect(f"{uri}?mode=rw", uri=True, isolation_level=None, check_same_thread=False, timeout=30)
        conn.execute("PRAGMA query_only = ON")
        return conn

    def _schema(self) -> tuple[int, set[str], dict[str, set[str]], set[str]]:
        """The schema version, the tables, the columns of warroom's tables and the triggers, read in one
        snapshot (another process may be creating them)."""
        self.conn.execute("BEGIN")
        try:
            version, tables = self.conn.execute("PRAGMA user_version").fetchone()[0], self._table_names()
            columns = {
                table: {row[1] for row in self.conn.execute(f"PRAGMA table_info({table})")}
                for table in _COLUMNS if table in tables
            }
            triggers = {name for (name,) in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
            return version, tables, columns, triggers
        finally:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")

    def _table_names(self) -> set[str]:
        return {name for (name,) in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def _prepare_schema(self, *, create: bool = True) -> None:
        version, tables, columns, triggers = self._schema()
        if version > SCHEMA_VERSION:
            raise WarroomError(
                f"{self.path}: the database has schema version {version}, newer than this warroom knows "
                f"({SCHEMA_VERSION}); upgrade warroom to open it"
            )
        if version == 0 and not tables and not self.readonly and create:
            self._create_schema()
            version, tables, columns, triggers = self._schema()
        if version == SCHEMA_VERSION:
            if not {"incidents", "events"} <= tables:
                raise WarroomError(f"{self.path}: not a warroom database (the events table is missing)")
            for table, expected in _COLUMNS.items():
                if not expected <= columns[table]:
                    missing = sorted(expected - columns[table])
                    listed = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
                    raise WarroomError(f"{self.path}: not a warroom database (its {table} table has no column {listed})")
            if not self.readonly and not _TRIGGERS <= triggers:
                # A log whose append-only guard was dropped was changed outside warroom: read it (verify says
                # what changed), never add to it.
                raise WarroomError(
                    f"{self.path}: its events are no longer append-only (the triggers {', '.join(sorted(_TRIGGERS - triggers))} "
                    "are gone): changed outside warroom; `warroom verify` checks it"
                )
        elif tables:
            raise WarroomError(f"{self.path}: not a warroom database (it holds other tables: {', '.join(sorted(tables))})")
        else:
            raise WarroomError(f"{self.path}: the database is empty (no incident was ever declared in it)")
        if not self.readonly:
            self._use_wal()
            self.conn.execute("PRAGMA synchronous = FULL")
            self._add_caches()
        self.caches = self._has_caches()

    def _use_wal(self) -> None:
        """Switch a new file to WAL. SQLite does not wait (busy timeout) for this switch, so retry."""
        for attempt in range(200):
            try:
                if self.conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    self.conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or attempt == 199:
                    raise
                time.sleep(0.025)

    def _has_caches(self) -> bool:
        """The cache tables are there with their columns (a file an older warroom made has none until a writable open)."""
        for table, expected in _CACHE_COLUMNS.items():
            if not expected <= {row[1] for row in self.conn.execute(f"PRAGMA table_info({table})")}:
                return False
        return True

    def _add_caches(self) -> None:
        """An older file's first writable open adds the caches and the kind index (once: ~1 s on 1,000,000 events)."""
        present = self._table_names()
        indexed = self.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'events_kind'").fetchone()
        if set(_CACHES) <= present and indexed:
            return
        with self._transaction():
            for table, statement in _CACHES.items():
                self.conn.execute(statement)
            self.conn.execute(_KIND_INDEX)

    def _create_schema(self) -> None:
        with self._transaction():
            # Another process may have created it between our first look and this lock: look again.
            if self.conn.execute("PRAGMA user_version").fetchone()[0] or self._table_names():
                return
            # sqlite-utils is imported here, not at the top: only a new database needs it, and its import
            # and plugin scan cost ~50 ms on every start of the console and of `warroom log`.
            import sqlite_utils

            db = sqlite_utils.Database(self.conn)
            db["incidents"].create(
                {
                    "id": str,
                    "title": str,
                    "severity": str,
                    "status": str,
                    "status_at": str,
                    "severity_at": str,
                    "started_at": str,
                    "declared_at": str,
                    "resolved_at": str,
                    "last_seq": int,
                    "head_hash": str,
                },
                pk="id",
                not_null={"id", "title", "severity", "status", "started_at", "declared_at", "last_seq", "head_hash"},
            )
            db["events"].create(
                {
                    "id": int,
                    "incident": str,
                    "seq": int,
                    "kind": str,
                    "actor": str,
                    "payload": str,
                    "at": str,
                    "recorded_at": str,
                    "prev_hash": str,
                    "hash": str,
                },
                pk="id",
                not_null={"incident", "seq", "kind", "actor", "payload", "at", "recorded_at", "prev_hash", "hash"},
                foreign_keys=[("incident", "incidents", "id")],
            )
            db["events"].create_index(["incident", "seq"], unique=True)
            db["events"].create_index(["incident", "at"])
            for action in ("UPDATE", "DELETE"):
                self.conn.execute(
                    f"CREATE TRIGGER events_no_{action.lower()} BEFORE {action} ON events "
                    f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END"
                )
            self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        self._finish_committing()
        if self._committer is not None:
            self._committer.stop()
        with contextlib.suppress(Exception):  # caches: never what stops a close
            self.save_caches()
        self._backfill_if_due()
        if self._held:
            self._look_at_file()
            if self._moved:
                self._let_go(keep_reading=False)  # rather than leave this log's pages in the -wal at the path
        self.conn.close()

    # --- the file at the path ----------------------------------------------------------------------

    def check_file(self) -> str | None:
        """None while the file at `path` is still the database this store opened; otherwise why not, in one
        line (removed or renamed, or replaced by another file), and from then on for good. One os.stat:
        cheap enough for every poll of a follower (the console's tick).

        `data_version()` says whether anything new was committed to the log this store has open; it cannot
        see the file at the path go (SQLite reads on from the file it opened), which is what this says. A
        follower calls both each poll. Once the file has gone, the store lets go of it: what it committed
        is kept in the file it opened, the -wal at the path is emptied (so that the file there now is read
        as it is), reads go on from a copy in memory of the log as it was, and every write raises LogMoved
        with this text. Opening the path again is the way on. Never raises."""
        if self._held:
            self._look_at_file()
            if self._moved:
                self._let_go()
        return self._moved

    def _look_at_file(self) -> None:
        """Compare the file at the path with the one opened (device and inode), and remember a difference."""
        if self._moved or self._opened is None:
            return
        try:
            found = os.stat(self.path)
        except (FileNotFoundError, NotADirectoryError):
            what = "was removed (or renamed)"
        except OSError:
            return  # cannot look (a folder's permission changed): no sign either way
        else:
            if (found.st_dev, found.st_ino) == self._opened:
                return
            what = "was replaced by another file"
        then = "nothing new is shown" if self.readonly else "nothing more is recorded"
        self._moved = f"{self.path}: the database {what} while warroom had it open; {then} until it is reopened"

    def _let_go(self, *, keep_reading: bool = True) -> None:
        """Stop using a file that is no longer at the path. SQLite names the -wal and -shm after the path, so
        a replacement there (or a new file made there later) would read this log's pages in the -wal as its
        own, and a last close skips the checkpoint that would empty it. So first checkpoint: the pages go
        into the file they belong to, through the handle held on it, and the -wal is truncated. Then the
        connection is closed (nothing this process does can reach either file again) and, with
        `keep_reading`, reads go on from a copy in memory of the log as it was."""
        conn = self.conn
        try:
            conn.execute(f"PRAGMA busy_timeout = {250 if keep_reading else 2000}")  # a tick waits at most 250 ms
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        except sqlite3.Error:
            busy = 0  # a connection opened read-only cannot checkpoint: a writer that has the file will
        if busy and keep_reading:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("PRAGMA busy_timeout = 30000")
            return  # a reader of an older snapshot in another process: try again at the next look
        copy = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        if keep_reading:
            try:
                conn.backup(copy)
            except sqlite3.Error:  # unreadable now: an empty log in memory, rather than a console taken down
                copy.close()
                copy = Store.empty(self.path).conn
        conn.close()
        self.conn, self._held = copy, False

    def _backfill(self) -> None:
        """After a commit, copy its pages from the -wal into the file (a passive checkpoint: it never waits
        for readers). The -wal and -shm are named after the path, not the file: a process that opens the
        path after the file there was replaced would take pages still only in the -wal as the replacement's,
        and write them into it as it closes. With every page already in the file it reads the file alone."""
        with contextlib.suppress(sqlite3.Error):  # the commit stands either way
            self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def _after_commit(self) -> None:
        if self.backfill_later is None:
            self._backfill()
        elif not self._backfill_due:
            self._backfill_due = True
            if not self.backfill_later(self._backfill_if_due):
                self._backfill_if_due()

    def _backfill_if_due(self) -> None:
        if self._backfill_due:
            self._backfill_due = False
            self._backfill()

    def _refuse_if_moved(self) -> None:
        if self.check_file():
            raise LogMoved(self._moved or "")

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transactions --------------------------------------------------------------------------

    class _Transaction:
        """One write. The file at the path is looked at before BEGIN IMMEDIATE (which would start using the
        -wal there) and again before COMMIT: a log whose file went in between is rolled back, not committed.
        Inside another (Store.transaction), a savepoint: its writes are undone if it fails, and committed, or
        not, with the outer one."""

        def __init__(self, store: "Store", *, behind: bool = False) -> None:
            self.store = store
            self.conn = store.conn
            self.nested = False
            self.behind = behind  # COMMIT on the committer's thread (Store.append_behind)
            self.committing: Committing | None = None

        def __enter__(self) -> sqlite3.Connection:
            if self.store._depth:
                self.conn.execute("SAVEPOINT warroom_write")
                self.nested = True
                self.store._depth += 1  # counted once it is open: __exit__ is not called for an __enter__ that raised
                return self.conn
            self.store._refuse_if_moved()
            self.conn = self.store.conn
            self.conn.execute("BEGIN IMMEDIATE")
            self.store._depth = 1
            return self.conn

        def __exit__(self, exc_type: Any, *rest: Any) -> None:
            self.store._depth -= 1
            if self.nested:
                if self.conn.in_transaction:  # else SQLite rolled the whole one back (an I/O error): the outer one says
                    if exc_type:
                        self.conn.execute("ROLLBACK TO warroom_write")
                    self.conn.execute("RELEASE warroom_write")
                return
            if exc_type is None and self.store._held:
                self.store._look_at_file()
            if exc_type or self.store._moved:
                if self.conn.in_transaction:  # SQLite may have rolled back already (a full disk, an I/O error)
                    self.conn.execute("ROLLBACK")
                if exc_type is None:
                    self.store._refuse_if_moved()
                return
            if self.behind:
                self.committing = self.store._commit_behind(self.conn)
                return
            _commit(self.conn)
            self.store._after_commit()

    def transaction(self) -> "_Transaction":
        """Several writes as one: every append and declaration inside is committed together, or none of them
        (a request to `warroom receive` whose alerts go to two incidents). BEGIN IMMEDIATE comes first, so what is
        read inside is what the writes chain onto: no other process writes in between."""
        return self._transaction()

    def _transaction(self, *, behind: bool = False) -> "_Transaction":
        if self.readonly:
            raise WarroomError(f"{self.path}: opened read-only; nothing can be written")
        return Store._Transaction(self, behind=behind)

    # --- committing behind -----------------------------------------------------------------------

    def _commit_behind(self, conn: sqlite3.Connection) -> Committing:
        if self._committer is None:
            self._committer = Committer()
        self._committing = self._committer.start(lambda: _commit(conn))
        return self._committing

    def _finish_committing(self) -> None:
        """Wait for the COMMIT under way, if any: done, its checkpoint is due (as after any commit); failed, it is
        kept for settle() to hand to the writer, who showed its events and must take them back."""
        committing, self._committing = self._committing, None
        if committing is None:
            return
        if committing.wait() is None:
            self._after_commit()
        else:
            self._failed += (committing,)

    def settle(self) -> tuple[Committing, ...]:
        """Wait for the COMMIT under way (append_behind); the ones that failed since the last call, each with the
        events that are not in the log after all. The writer calls this before it shows anything of them."""
        self._finish_committing()
        failed, self._failed = self._failed, ()
        return failed

    # --- incidents -----------------------------------------------------------------------------

    def incidents(self) -> list[IncidentRow]:
        """Every incident, newest first."""
        rows = self.conn.execute(
            "SELECT id, title, severity, status, started_at, declared_at, resolved_at, last_seq "
            "FROM incidents ORDER BY declared_at DESC, rowid DESC"
        ).fetchall()
        return [_incident_row(row) for row in rows]

    def incident(self, incident_id: str) -> IncidentRow:
        row = self.conn.execute(
            "SELECT id, title, severity, status, started_at, declared_at, resolved_at, last_seq FROM incidents WHERE id = ?",
            (incident_id,),
        ).fetchone()
        if row is None:
            raise WarroomError(f"no incident {incident_id!r} in {self.path}")
        return _incident_row(row)

    def drills(self) -> set[str]:
        """The incidents declared as drills (each one's first event, by the (incident, seq) index: no log read)."""
        rows = self.conn.execute(
            # CROSS JOIN: the incidents first, each one's event 1 by the index (the planner scanned all the events).
            "SELECT e.incident FROM incidents AS i CROSS JOIN events AS e ON e.incident = i.id AND e.seq = 1 "
            "WHERE json_extract(e.payload, '$.drill') = 1"
        )
        return {row[0] for row in rows}

    def open_incidents(self) -> list[IncidentRow]:
        return [row for row in self.incidents() if row.status != "resolved"]

    def find_incident(self, reference: str) -> str:
        """An incident id from what a person typed: the id, its number, 'latest', or 'open'."""
        text = (reference or "").strip()
        if not text:
            raise WarroomError("no incident given: expected an id like INC-3, or 'latest'")
        if text.lower() in ("latest", "last", "open"):
            rows = self.open_incidents() if text.lower() == "open" else self.incidents()
            if not rows:
                raise WarroomError(f"no {'open ' if text.lower() == 'open' else ''}incident in {self.path}")
            return rows[0].id
        candidates = [text, text.upper()]
        if text.isdigit():
            candidates.append(f"INC-{int(text)}")
        if unstorable_text(text, "the id"):
            candidates = []  # not UTF-8 (an argument Python could not decode): no id in the log is that
        for candidate in candidates:
            if self.conn.execute("SELECT 1 FROM incidents WHERE id = ?", (candidate,)).fetchone():
                return candidate
        raise WarroomError(f"no incident {text!r} in {self.path} (`warroom list` shows them)")

    def _next_incident_id(self) -> str:
        numbers = [
            int(match.group(1))
            for (ident,) in self.conn.execute("SELECT id FROM incidents")
            if (match := re.fullmatch(r"INC-(\d+)", ident))
        ]
        return f"INC-{max(numbers, default=0) + 1}"

    def who(self) -> str:
        """The person this store records writes as: its `actor`, else WARROOM_ACTOR, else the login name."""
        return self.actor or default_actor()

    def declare(self, payload: dict[str, Any], *, actor: str | None = None, at: datetime | None = None) -> Event:
        """Open a new incident with its `declared` event; returns that event."""
        check_storable(kinds.DECLARED, payload)  # before the index row, which holds the title and times too
        with self._transaction():
            incident_id = self._next_incident_id()
            now = truncate_ms(self.clock.now())
            declared_at = truncate_ms(at) if at else now
            started = payload.get("started_at") or iso(declared_at)
            self.conn.execute(
                "INSERT INTO incidents (id, title, severity, status, status_at, severity_at, started_at, declared_at, "
                "last_seq, head_hash) VALUES (?, ?, ?, 'investigating', ?, ?, ?, ?, 0, ?)",
                (
                    incident_id,
                    payload["title"],
                    payload["severity"],
                    started,  # status and severity as declared hold from the start: a fact backfilled later wins
                    started,
                    started,
                    iso(declared_at),
                    GENESIS,
                ),
            )
            return self._append_locked(incident_id, [(kinds.DECLARED, payload, declared_at)], actor, now)[0]

    # --- appending -----------------------------------------------------------------------------

    def append(
        self, incident_id: str, kind: str, payload: dict[str, Any] | None = None, *, actor: str | None = None,
        at: datetime | None = None,
    ) -> Event:
        """Append one event in its own transaction."""
        return self.append_many(incident_id, [(kind, payload or {}, at)], actor=actor)[0]

    def append_behind(
        self, incident_id: str, kind: str, payload: dict[str, Any] | None = None, *, actor: str | None = None,
        at: datetime | None = None,
    ) -> Committing:
        """Append one event as `append` does, but return while its COMMIT, and the disk sync in it, runs on the
        store's committing thread (Committing.events: the event). The writer folds and draws meanwhile, and lets
        nothing of it be seen before settle() says it is on disk; every other use of the store waits for it first.
        What fails before the COMMIT raises here, as from `append`."""
        transaction = self._transaction(behind=True)
        with transaction:
            events = self._append_locked(incident_id, [(kind, payload or {}, at)], actor, truncate_ms(self.clock.now()))
        committing = transaction.committing
        assert committing is not None  # the transaction did not raise, so it was handed on
        committing.events = events
        return committing

    def append_many(
        self, incident_id: str, items: Sequence[tuple[str, dict[str, Any], datetime | None]], *, actor: str | None = None
    ) -> list[Event]:
        """Append several events in one transaction (all or none)."""
        with self._transaction():
            return self._append_locked(incident_id, items, actor, truncate_ms(self.clock.now()))

    def _append_locked(
        self, incident_id: str, items: Sequence[tuple[str, dict[str, Any], datetime | None]], actor: str | None,
        now: datetime,
    ) -> list[Event]:
        """Inside a transaction: chain the events onto the incident's head, read once and written once (the rows
        in one executemany; each payload put in JSON once, and that text checked and hashed)."""
        head = self.conn.execute(
            "SELECT i.last_seq, i.head_hash, i.status_at, i.severity_at, e.recorded_at FROM incidents AS i "
            "LEFT JOIN events AS e ON e.incident = i.id AND e.seq = i.last_seq WHERE i.id = ?", (incident_id,)
        ).fetchone()
        if head is None:
            raise WarroomError(f"no incident {incident_id!r} in {self.path}")
        last_seq, prev_hash, status_at, severity_at, previous = head
        check_in_range(now, "the clock's time")  # a clock gone wrong must not make the log unreadable
        recorded_at = max(now, parse_iso(previous)) if last_seq and previous else now  # never before the event ahead
        recorded_text = iso(recorded_at)
        actor = actor or self.who()
        problem = unstorable_text(actor, "the actor")
        if problem:
            raise WarroomError(problem)
        latest = now + timedelta(seconds=1)
        next_id = self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0] + 1
        rows: list[tuple] = []
        appended: list[Event] = []
        known_at: datetime | None = None  # the last `at` checked and written out: a batch's alerts mostly share one
        at_text = ""
        for kind, payload, at in items:
            if at is None:
                at = now
            else:
                at = truncate_ms(at)
                if at > latest:
                    raise WarroomError(f"the time {local_hm(at)} is in the future: facts can only be recorded for the past")
                if at > now:
                    at = now
            if at != known_at:
                at_text, known_at = iso(check_in_range(at)), at
            payload_json = _storable_json(kind, payload)
            seq = last_seq + 1
            digest = chain_hash(incident_id, seq, kind, actor, payload_json, at_text, recorded_text, prev_hash)
            rows.append((next_id, incident_id, seq, kind, actor, payload_json, at_text, recorded_text, prev_hash, digest))
            appended.append(_new_event(Event, (incident_id, seq, kind, actor, _decode_payload(payload_json), at, recorded_at,
                                                prev_hash, digest, next_id)))
            if kind in _INDEXED:  # the listing columns are derived with this event (and those before it) in the log
                self._insert_rows(rows)
                status_at, severity_at = self._update_index(incident_id, kind, payload, at_text, status_at, severity_at)
            last_seq, prev_hash, next_id = seq, digest, next_id + 1
        self._insert_rows(rows)
        self.conn.execute("UPDATE incidents SET last_seq = ?, head_hash = ? WHERE id = ?", (last_seq, prev_hash, incident_id))
        self._carry_verified_head(incident_id, head[0], head[1], last_seq, prev_hash)
        return appended

    def _insert_rows(self, rows: list[tuple]) -> None:
        """The rows chained so far, written, and the list emptied."""
        if rows:
            self.conn.executemany(f"INSERT INTO events ({EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            rows.clear()

    def _carry_verified_head(self, incident_id: str, old_seq: int, old_hash: str, seq: int, digest: str) -> None:
        """Events this store chained onto a verified head are verified as written: the head moves with them (one
        UPDATE, matching nothing when the head was not verified). A new incident starts verified."""
        if not self.caches:
            return
        self.appended_to.add(incident_id)
        if old_seq == 0:
            schema = self.conn.execute("PRAGMA schema_version").fetchone()[0]
            self.conn.execute(
                "INSERT OR REPLACE INTO verified_heads (incident, seq, hash, schema) VALUES (?, ?, ?, ?)",
                (incident_id, seq, digest, schema),
            )
        else:
            self.conn.execute(
                "UPDATE verified_heads SET seq = ?, hash = ? WHERE incident = ? AND seq = ? AND hash = ?",
                (seq, digest, incident_id, old_seq, old_hash),
            )

    def _update_index(
        self, incident_id: str, kind: str, payload: dict, at: str, status_at: str, severity_at: str
    ) -> tuple[str, str]:
        """Keep the listing columns what the fold says of the log: the declaration first, then every fact by
        `at`, ties by seq (incident.fold_order). A fact that happened no earlier than the latest of its kind
        on file goes on top; a backfilled one, earlier than that, has the columns of its kind derived again
        from the log. Returns the incident's status_at and severity_at after this event."""
        status = _status_after(kind, payload)
        if status and at >= status_at:
            # Resolved twice: the first resolution stands (as in the fold); anything else clears it.
            self.conn.execute(
                "UPDATE incidents SET status = ?, status_at = ?, "
                "resolved_at = CASE WHEN ? != 'resolved' THEN NULL WHEN status = 'resolved' THEN resolved_at ELSE ? END "
                "WHERE id = ?",
                (status, at, status, at, incident_id),
            )
            status_at = at
        elif status:
            status_at = self._index_status(incident_id)
        if kind == kinds.SEVERITY and at >= severity_at:
            self.conn.execute(
                "UPDATE incidents SET severity = ?, severity_at = ? WHERE id = ?", (payload["severity"], at, incident_id)
            )
            severity_at = at
        elif kind == kinds.SEVERITY:
            severity_at = self._index_severity(incident_id)
        if kind == kinds.TITLE:  # no title_at column: a later-happened rename already on file wins
            later = self.conn.execute(
                "SELECT 1 FROM events WHERE incident = ? AND kind = ? AND at > ? LIMIT 1", (incident_id, kinds.TITLE, at)
            ).fetchone()
            if not later:
                self.conn.execute("UPDATE incidents SET title = ? WHERE id = ?", (payload["title"], incident_id))
        return status_at, severity_at

    def _declared_facts(self, incident_id: str) -> tuple[str, str, str, str]:
        """The declaration's started_at, declared_at (its `at`), severity and title, as the fold reads them."""
        row = self.conn.execute(
            "SELECT json_extract(payload, '$.started_at'), at, json_extract(payload, '$.severity'), payload "
            "FROM events WHERE incident = ? AND kind = ? ORDER BY seq LIMIT 1",
            (incident_id, kinds.DECLARED),
        ).fetchone()
        if row is None:
            raise WarroomError(f"{incident_id}: has no declared event in {self.path}; its listing cannot be derived")
        started, declared, severity, payload = row
        return started or declared, declared, severity, _title_of(payload)

    def _index_status(self, incident_id: str) -> str:
        """Derive status, status_at and resolved_at from the incident's status facts in the fold's order (the
        first of the last run of resolutions stands); returns status_at (the incident's start if none)."""
        status, status_at, resolved_at = "investigating", self._declared_facts(incident_id)[0], None
        rows = self.conn.execute(
            "SELECT kind, json_extract(payload, '$.status'), at FROM events WHERE incident = ? AND kind IN (?, ?, ?) "
            "ORDER BY at, seq",
            (incident_id, kinds.STATUS, kinds.RESOLVED, kinds.REOPENED),
        )
        for kind, to, at in rows:
            status = _status_after(kind, {"status": to}) or status
            resolved_at = (resolved_at or at) if status == "resolved" else None
            status_at = at
        self.conn.execute(
            "UPDATE incidents SET status = ?, status_at = ?, resolved_at = ? WHERE id = ?",
            (status, status_at, resolved_at, incident_id),
        )
        return status_at

    def _index_severity(self, incident_id: str) -> str:
        """Derive severity and severity_at: the last severity fact's, else the declaration's (from the start)."""
        started, _, severity, _ = self._declared_facts(incident_id)
        row = self.conn.execute(
            "SELECT json_extract(payload, '$.severity'), at FROM events WHERE incident = ? AND kind = ? "
            "ORDER BY at DESC, seq DESC LIMIT 1",
            (incident_id, kinds.SEVERITY),
        ).fetchone()
        severity, severity_at = row or (severity, started)
        self.conn.execute(
            "UPDATE incidents SET severity = ?, severity_at = ? WHERE id = ?", (severity, severity_at, incident_id)
        )
        return severity_at

    def _index_from_log(self, incident_id: str) -> None:
        """Every listing column derived again from the log (not last_seq and head_hash: those are the
        chain's head, which `verify` checks against the log)."""
        started, declared, _, title = self._declared_facts(incident_id)
        row = self.conn.execute(
            "SELECT payload FROM events WHERE incident = ? AND kind = ? ORDER BY at DESC, seq DESC LIMIT 1",
            (incident_id, kinds.TITLE),
        ).fetchone()
        self.conn.execute(
            "UPDATE incidents SET title = ?, started_at = ?, declared_at = ? WHERE id = ?",
            (_title_of(row[0]) if row else title, started, declared, incident_id),
        )
        self._index_status(incident_id)
        self._index_severity(incident_id)

    def rebuild_index(self, incident_id: str) -> bool:
        """Derive an incident's row in the incidents table (what `list`, the picker and SQL readers see) from
        its log again, by the fold's rule; True when that changed it. `warroom verify --fix-index` uses it."""
        columns = "title, severity, status, status_at, severity_at, started_at, declared_at, resolved_at"
        with self._transaction():
            before = self.conn.execute(f"SELECT {columns} FROM incidents WHERE id = ?", (incident_id,)).fetchone()
            if before is None:
                raise WarroomError(f"no incident {incident_id!r} in {self.path}")
            self._index_from_log(incident_id)
            return self.conn.execute(f"SELECT {columns} FROM incidents WHERE id = ?", (incident_id,)).fetchone() != before

    # --- reading -------------------------------------------------------------------------------

    def events(self, incident_id: str, *, after_seq: int = 0) -> list[Event]:
        """An incident's events in the order they were recorded."""
        return events_from_rows(self.iter_rows(incident_id, after_seq=after_seq))

    def event_chunks(self, incident_id: str, *, after_seq: int = 0, size: int = 2000) -> Iterator[list[Event]]:
        """An incident's events as `events` reads them, `size` at a time: a reader that keeps less of each event
        than it reads (a follower: incident.held) has one chunk in full at a time, not the whole log."""
        rows = self.iter_rows(incident_id, after_seq=after_seq)
        while chunk := rows.fetchmany(size):
            yield events_from_rows(chunk)

    def iter_rows(self, incident_id: str, *, after_seq: int = 0) -> Iterator[tuple]:
        return self.conn.execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE incident = ? AND seq > ? ORDER BY seq", (incident_id, after_seq)
        )

    def events_of_kinds(self, wanted: Sequence[str]) -> list[Event]:
        """Every incident's events of these kinds (follow-ups across incidents), by incident, then as recorded."""
        marks = ", ".join("?" for _ in wanted)
        rows = self.conn.execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE kind IN ({marks}) ORDER BY incident, seq", tuple(wanted)
        )
        return events_from_rows(rows)

    def events_after(self, last_id: int, incident_id: str | None = None) -> list[Event]:
        """Events written (by anyone) since row id `last_id`: what a follower has not seen yet."""
        if incident_id is None:
            rows = self.conn.execute(f"SELECT {EVENT_COLUMNS} FROM events WHERE id > ? ORDER BY id", (last_id,))
        else:
            # `+incident`: walk the row ids after last_id (a handful), not the incident's index (all its events:
            # 1.6 ms on a 10,000-event incident, on every key press and every poll that found a commit).
            rows = self.conn.execute(
                f"SELECT {EVENT_COLUMNS} FROM events WHERE id > ? AND +incident = ? ORDER BY id", (last_id, incident_id)
            )
        return events_from_rows(rows)

    def last_event_id(self) -> int:
        return self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]

    def data_version(self) -> int:
        """Changes whenever another connection commits: a follower's cheap 'anything new?'. It says nothing
        about the file at the path being removed or replaced (check_file does: call both each poll)."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    # --- verifying -----------------------------------------------------------------------------

    def verify(self, incident_id: str, *, start: tuple[int, str, str] | None = None) -> str | None:
        """Re-check an incident's chain and sequence; None when sound, else the first event that does not fit.
        `start` (seq, hash, recorded_at of an event already checked): only the events after it."""
        expected_seq, prev_hash, prev_recorded = 1, GENESIS, ""
        if start is not None:
            expected_seq, prev_hash, prev_recorded = start[0] + 1, start[1], start[2]
        rows = self.conn.execute(
            "SELECT seq, kind, actor, payload, at, recorded_at, prev_hash, hash FROM events WHERE incident = ? AND seq >= ? "
            "ORDER BY seq",
            (incident_id, expected_seq),
        )
        for seq, kind, actor, payload, at, recorded_at, stored_prev, digest in rows:
            where = f"{incident_id} event {seq} ({kind})"
            if seq != expected_seq:
                return f"{incident_id} event {expected_seq}: missing (the next one stored is {seq})"
            if stored_prev != prev_hash:
                return f"{where}: does not chain to event {seq - 1} (its previous hash differs)"
            if chain_hash(incident_id, seq, kind, actor, payload, at, recorded_at, prev_hash) != digest:
                return f"{where}: its contents do not match its hash (edited after it was written)"
            if recorded_at < prev_recorded:
                return f"{where}: recorded before the event ahead of it"
            for name, text in (("at", at), ("recorded_at", recorded_at)):
                problem = stored_time_problem(text)
                if problem:
                    return f"{where}: its time ({name}) is unreadable: {problem}"
            prev_hash, prev_recorded, expected_seq = digest, recorded_at, seq + 1
        head = self.conn.execute("SELECT last_seq, head_hash FROM incidents WHERE id = ?", (incident_id,)).fetchone()
        if head is None:
            return f"{incident_id}: not in the incidents table"
        if expected_seq == 1:
            return f"{incident_id}: has no events"
        if head[0] != expected_seq - 1 or head[1] != prev_hash:
            return f"{incident_id} event {head[0]}: the log ends at event {expected_seq - 1}; later events were removed"
        return None

    def cached_heads(self) -> dict[str, tuple]:
        """Every incident's head and what the caches hold of it, in one query (a reader of many logs: `list`,
        the browser, `stats`): id -> (last_seq, head_hash, the verified head's seq, hash, schema cookie, and its
        event's hash and recorded_at; the cached fold's seq, hash, schema cookie, its event's hash, its listing)."""
        if not self.caches:
            return {}
        rows = self.conn.execute(
            "SELECT i.id, i.last_seq, i.head_hash, v.seq, v.hash, v.schema, ve.hash, ve.recorded_at, "
            "s.seq, s.hash, s.schema, se.hash, s.listing FROM incidents AS i "
            "LEFT JOIN verified_heads AS v ON v.incident = i.id "
            "LEFT JOIN events AS ve ON ve.incident = i.id AND ve.seq = v.seq "
            "LEFT JOIN summaries AS s ON s.incident = i.id "
            "LEFT JOIN events AS se ON se.incident = i.id AND se.seq = s.seq"
        )
        return {row[0]: row[1:] for row in rows}

    def check(
        self, incident_id: str, known: tuple | None = None, schema: int | None = None,
    ) -> tuple[str | None, tuple[int, str, int] | None]:
        """`verify` from the verified head on: the events appended since it was last checked, not the whole chain.
        Returns (problem, head): head (seq, hash, schema cookie) when events were checked anew and fit, for
        remember_verified once the rest of the log holds too; None when nothing was (or on a problem).

        A head is used only while its event still has the hash it had and the file's schema cookie is the one it
        was checked under; otherwise every event is checked. A cache, not a proof: an edit below the head that
        left its hash and the schema cookie as they were is caught by a full `verify` (README, Signed records)."""
        if schema is None:
            schema = self.conn.execute("PRAGMA schema_version").fetchone()[0]
        start = None
        cached = self._verified.get(incident_id)
        if cached is None and known is not None:  # cached_heads' row: no query of its own
            last_seq, head_hash, seq, digest, stamp, event_hash, recorded_at = known[:7]
            if seq is not None and stamp == schema and event_hash == digest:
                start = (seq, digest, recorded_at)
            if start is not None and (last_seq, head_hash) == start[:2]:
                return None, None
            cached = (seq, digest, stamp) if seq is not None else None
        elif cached is None and self.caches:
            cached = self.conn.execute(
                "SELECT seq, hash, schema FROM verified_heads WHERE incident = ?", (incident_id,)
            ).fetchone()
        if cached is not None and cached[2] == schema:
            row = self.conn.execute(
                "SELECT hash, recorded_at FROM events WHERE incident = ? AND seq = ?", (incident_id, cached[0])
            ).fetchone()
            if row is not None and row[0] == cached[1]:
                start = (cached[0], cached[1], row[1])
        head = self.conn.execute("SELECT last_seq, head_hash FROM incidents WHERE id = ?", (incident_id,)).fetchone()
        if start is not None and head is not None and tuple(head) == start[:2]:
            return None, None  # nothing appended since: two lookups
        problem = self.verify(incident_id, start=start)
        if problem is not None or head is None:
            return problem, None
        return None, (head[0], head[1], schema)

    def remember_verified(self, incident_id: str, head: tuple[int, str, int]) -> None:
        """The incident's log holds up to `head`: later checks start there (in the file once save_caches writes it)."""
        self._verified[incident_id] = head
        self._unsaved_heads[incident_id] = head

    def summary(self, incident_id: str) -> tuple[int, str, int, str, str] | None:
        """The cached fold of an incident (seq, hash, schema, listing, state), as warroom/history.py wrote it."""
        if not self.caches:
            return None
        return self.conn.execute(
            "SELECT seq, hash, schema, listing, state FROM summaries WHERE incident = ?", (incident_id,)
        ).fetchone()

    def remember_summary(self, incident_id: str, seq: int, digest: str, schema: int, listing: str, state: str) -> None:
        """Cache an incident's fold as of event `seq` (written by save_caches, by a store that can write)."""
        self._unsaved_summaries[incident_id] = (seq, digest, schema, listing, state)

    def save_caches(self) -> None:
        """Write the verified heads and folds this store found, in one short transaction; nothing when read-only
        (they are kept for this store's life only). A write that cannot happen now is skipped: they are caches."""
        heads, summaries = self._unsaved_heads, self._unsaved_summaries
        self._unsaved_heads, self._unsaved_summaries = {}, {}
        if self.readonly or not self.caches or not self._held or not (heads or summaries):
            return
        with contextlib.suppress(sqlite3.Error, WarroomError):
            with self._transaction():
                self.conn.executemany(
                    "INSERT OR REPLACE INTO verified_heads (incident, seq, hash, schema) VALUES (?, ?, ?, ?)",
                    [(incident, *head) for incident, head in heads.items()],
                )
                self.conn.executemany(
                    "INSERT OR REPLACE INTO summaries (incident, seq, hash, schema, listing, state) VALUES (?, ?, ?, ?, ?, ?)",
                    [(incident, *row) for incident, row in summaries.items()],
                )

    # --- import --------------------------------------------------------------------------------

    def import_records(
        self, records: Sequence[dict[str, Any]], source: str, lines: Sequence[int] | None = None
    ) -> list[str]:
        """Import exported events (any number of incidents); refuse all of it unless every record is a
        sound event (`check_import`) and no incident is here already. `lines` are the records' line numbers
        in `source`, for the message."""
        by_incident = check_import(records, source, lines, self.clock.now())
        for incident_id in by_incident:
            if self.conn.execute("SELECT 1 FROM incidents WHERE id = ?", (incident_id,)).fetchone():
                raise WarroomError(f"{source}: refused, incident {incident_id} is already in {self.path}")
        with self._transaction():
            for incident_id, records_of in by_incident.items():
                declared = records_of[0]
                payload = declared["payload"]
                self.conn.execute(
                    "INSERT INTO incidents (id, title, severity, status, status_at, severity_at, started_at, declared_at, "
                    "last_seq, head_hash) VALUES (?, ?, ?, 'investigating', ?, ?, ?, ?, 0, ?)",
                    (
                        incident_id,
                        payload["title"],
                        payload["severity"],
                        declared["at"],
                        declared["at"],
                        payload.get("started_at") or declared["at"],
                        declared["at"],
                        GENESIS,
                    ),
                )
                for record in records_of:
                    self.conn.execute(
                        f"INSERT INTO events ({EVENT_COLUMNS}) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            incident_id,
                            record["seq"],
                            record["kind"],
                            record["actor"],
                            canonical_json(record["payload"]),
                            record["at"],
                            record["recorded_at"],
                            record["prev_hash"],
                            record["hash"],
                        ),
                    )
                self._index_from_log(incident_id)  # once, after its events: backfills need no re-derivation each
                last = records_of[-1]
                self.conn.execute(
                    "UPDATE incidents SET last_seq = ?, head_hash = ? WHERE id = ?", (last["seq"], last["hash"], incident_id)
                )
                self._carry_verified_head(incident_id, 0, GENESIS, last["seq"], last["hash"])  # check_import verified it
        return list(by_incident)


# The kinds whose event moves the incidents table's listing columns (_update_index); an alert or a note does not.
_INDEXED = frozenset({kinds.STATUS, kinds.RESOLVED, kinds.REOPENED, kinds.SEVERITY, kinds.TITLE})
_new_event = tuple.__new__  # Event's own __new__ is a Python function: a third of the time of building one
_TIME_FIELDS = {kind: tuple(name for name, spec in fields.items() if spec.type.startswith("time"))
                for kind, fields in kinds.PAYLOADS.items()}


def _storable_json(kind: str, payload: Any) -> str:
    """The payload's canonical JSON, or the one line check_storable says: the text made once is searched for
    what UTF-8 cannot hold (a lone surrogate) rather than every key and value walked, and the payload's times
    are checked to be in the stored form."""
    if type(payload) is not dict and not isinstance(payload, Mapping):  # (an ABC's isinstance: 2 us a payload)
        check_storable(kind, payload)  # raises, naming what the payload is
    text = canonical_json(payload)
    if _SURROGATE.search(text) is not None:
        check_storable(kind, payload)  # says which field
        raise WarroomError(unstorable_text(text, f"the {kind} event's payload") or f"the {kind} event's payload is not UTF-8 text")
    for name in _TIME_FIELDS.get(kind, ()):
        value = payload.get(name)
        if value:
            problem = stored_time_problem(value)
            if problem:
                raise WarroomError(f"the {kind} event's {name}: {problem}")
    return text


def _title_of(payload: str) -> str:
    """An event's title, read in Python: SQLite's json_extract ends a text at a NUL (a title '\\x00' listed as '')."""
    try:
        title = json.loads(payload).get("title", "")
    except (ValueError, AttributeError):
        return ""
    return title if isinstance(title, str) else ""


def _status_after(kind: str, payload: dict) -> str | None:
    """The status an event sets, if it sets one (as the fold's steps for status, resolved and reopened)."""
    if kind == kinds.STATUS:
        return payload.get("status")
    return {kinds.RESOLVED: "resolved", kinds.REOPENED: "investigating"}.get(kind)


def check_import(
    records: Sequence[dict[str, Any]], source: str, lines: Sequence[int] | None = None, now: datetime | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Every record of an export checked, before anything is opened or written: each incident's chain
    verifies, and each record is an event this warroom could have written (events.LogCheck). Returns the
    records by incident; raises one `SOURCE:LINE: refused, ...` line naming the first record that is not."""
    checks: dict[str, LogCheck] = {}
    by_incident: dict[str, list[dict[str, Any]]] = {}
    when = now or SystemClock().now()
    for index, record in enumerate(records):
        where = f"{source}:{lines[index]}" if lines is not None else f"{source}: record {index + 1}"
        incident_id = record.get("incident")
        problem = incident_id_problem(incident_id)
        if problem:
            raise WarroomError(f"{where}: refused, {problem}")
        check = checks.setdefault(incident_id, LogCheck(incident_id, when))
        found = check.problem(record)
        if found:
            message, chain = found
            if chain:
                raise WarroomError(f"{where}: refused, the chain does not verify: {message}", exit_code=1)
            raise WarroomError(f"{where}: refused, {message}")
        by_incident.setdefault(incident_id, []).append(record)
    return by_incident


def _incident_row(row: tuple) -> IncidentRow:
    """An index row; one whose times cannot be read (an old warroom stored the year 500 as '500', or the
    file was edited) is listed as broken, with stand-in times, rather than taking every listing down."""
    ident, title, severity, status, started, declared, resolved, count = row
    times: list[datetime | None] = []
    problem = None
    for name, text in (("started_at", started), ("declared_at", declared), ("resolved_at", resolved)):
        try:
            times.append(parse_iso(text) if text or name != "resolved_at" else None)
        except (TypeError, ValueError):
            problem = problem or f"{ident}: its {name} is unreadable ({quoted(text)})"
            times.append(None)
    started_at, declared_at, resolved_at = times
    stand_in = started_at or declared_at or _EPOCH
    return IncidentRow(
        ident, str(title), str(severity), str(status), started_at or stand_in, declared_at or stand_in, resolved_at, count,
        problem,
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
