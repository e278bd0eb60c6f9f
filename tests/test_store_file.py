"""The store notices its file removed, renamed or replaced while it is open, and then writes to neither file."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import START, count_events, declaration_payload
from warroom import events as kinds
from warroom.cli import Context, cli
from warroom.clock import FakeClock
from warroom.store import LogMoved, Store

REMOVED = "the database was removed (or renamed) while warroom had it open; nothing more is recorded until it is reopened"
REPLACED = "the database was replaced by another file while warroom had it open; nothing more is recorded until it is reopened"


def plain_rows(path: Path) -> tuple[list, list]:
    """The incidents and the notes in a file, read with plain sqlite3 as anyone with a shell would."""
    conn = sqlite3.connect(path)
    try:
        incidents = conn.execute("SELECT id, title FROM incidents ORDER BY id").fetchall()
        notes = conn.execute("SELECT json_extract(payload, '$.text') FROM events WHERE kind = 'note' ORDER BY id").fetchall()
        return incidents, [text for (text,) in notes]
    finally:
        conn.close()


@pytest.fixture
def other(tmp_path: Path, clock: FakeClock, playbook) -> Path:
    """Another warroom database, closed, with an incident and a note of its own."""
    path = tmp_path / "other.db"
    with Store(path, clock=clock) as store:
        incident = store.declare(declaration_payload(playbook, START, title="The other room's incident")).incident
        store.append(incident, kinds.NOTE, {"text": "theirs"})
    return path


@pytest.fixture
def live(store: Store, declare, clock: FakeClock) -> str:
    """An incident with notes committed, the -wal at the path in use."""
    incident = declare(title="Ours")
    for text in ("one", "two"):
        clock.advance(30)
        store.append(incident, kinds.NOTE, {"text": text})
    assert Path(f"{store.path}-wal").stat().st_size > 0
    return incident


def test_every_commit_is_in_the_file_itself_not_only_in_the_wal(store: Store, live: str, db_path: Path) -> None:
    """What a process opening the path after a replacement would otherwise take for the replacement's."""
    conn = sqlite3.connect(f"file:{db_path}?immutable=1", uri=True)  # the file alone, no -wal
    assert conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 3
    conn.close()


def test_a_removed_database_refuses_every_write_and_says_so(store: Store, live: str, db_path: Path, playbook) -> None:
    assert store.check_file() is None
    os.remove(db_path)
    assert store.check_file() == f"{db_path}: {REMOVED}"
    with pytest.raises(LogMoved, match=f"^{re.escape(f'{db_path}: {REMOVED}')}$") as refused:
        store.append(live, kinds.NOTE, {"text": "typed after the rm"})
    assert refused.value.exit_code == 1
    with pytest.raises(LogMoved):
        store.append_many(live, [(kinds.NOTE, {"text": "a"}, None), (kinds.ALERT, {"text": "b"}, None)])
    with pytest.raises(LogMoved):
        store.declare(declaration_payload(playbook, START, title="A new one"))
    # No file was made at the path, and the -wal there holds no page of the old log for a new file to take.
    assert not db_path.exists()
    assert not Path(f"{db_path}-wal").exists() or Path(f"{db_path}-wal").stat().st_size == 0
    # The console keeps showing the log as it was: its reads go on (from a copy), nothing new arrives.
    assert [e.payload.get("text") for e in store.events(live)] == [None, "one", "two"]
    version = store.data_version()
    assert store.events_after(store.last_event_id()) == [] and store.data_version() == version
    assert store.check_file() == f"{db_path}: {REMOVED}"  # for good


def test_a_write_straight_after_the_rm_is_refused_before_it_begins(store: Store, live: str, db_path: Path) -> None:
    os.remove(db_path)
    with pytest.raises(LogMoved):
        store.append(live, kinds.NOTE, {"text": "typed after the rm"})  # no check_file first: the write looks itself
    assert not db_path.exists()


def test_a_replacement_keeps_its_own_incidents_and_gets_none_of_ours(
    store: Store, live: str, db_path: Path, other: Path
) -> None:
    theirs = plain_rows(other)
    os.replace(other, db_path)  # mv other.db warroom.db, with the console running
    with pytest.raises(LogMoved, match=f"^{re.escape(f'{db_path}: {REPLACED}')}$"):
        store.append(live, kinds.NOTE, {"text": "typed after the mv"})
    assert store.check_file() == f"{db_path}: {REPLACED}"
    store.close()
    # Read with plain sqlite3 (which takes any -wal left at the path): their incident, their note, nothing of ours.
    assert plain_rows(db_path) == theirs == ([("INC-1", "The other room's incident")], ["theirs"])
    with Store(db_path, readonly=True) as reopened:
        assert [row.title for row in reopened.incidents()] == ["The other room's incident"]
        assert reopened.verify("INC-1") is None


def test_a_replacement_noticed_only_as_the_store_closes_is_untouched(
    store: Store, live: str, db_path: Path, other: Path
) -> None:
    theirs = plain_rows(other)
    os.replace(other, db_path)
    store.close()  # the console quits before its tick looked
    assert plain_rows(db_path) == theirs


def test_a_renamed_database_keeps_everything_it_had_committed(store: Store, live: str, db_path: Path, tmp_path: Path) -> None:
    moved = tmp_path / "kept.db"
    os.rename(db_path, moved)  # mv warroom.db kept.db: its last commits were in warroom.db-wal
    assert store.check_file() == f"{db_path}: {REMOVED}"
    with pytest.raises(LogMoved):
        store.append(live, kinds.NOTE, {"text": "after the mv"})
    store.close()
    assert plain_rows(moved) == ([(live, "Ours")], ["one", "two"])
    assert not db_path.exists()


def test_a_file_replaced_inside_a_write_is_rolled_back(
    store: Store, live: str, db_path: Path, other: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    theirs = plain_rows(other)
    chain = store._append_locked

    def replaced_meanwhile(*args, **kwargs):
        appended = chain(*args, **kwargs)
        os.replace(other, db_path)  # between BEGIN IMMEDIATE and COMMIT
        return appended

    monkeypatch.setattr(store, "_append_locked", replaced_meanwhile)
    with pytest.raises(LogMoved, match=REPLACED):
        store.append(live, kinds.NOTE, {"text": "in flight"})
    assert [e.payload.get("text") for e in store.events(live)] == [None, "one", "two"]
    store.close()
    assert plain_rows(db_path) == theirs


def test_a_follower_is_told_too_and_reads_on(db_path: Path, store: Store, live: str, other: Path) -> None:
    with Store(db_path, readonly=True, follow=True) as wall:
        assert wall.check_file() is None
        os.replace(other, db_path)
        assert wall.check_file() == (
            f"{db_path}: the database was replaced by another file while warroom had it open; "
            "nothing new is shown until it is reopened"
        )
        assert len(wall.events(live)) == 3 and wall.incident(live).title == "Ours"


def test_the_check_is_one_stat(store: Store, live: str, monkeypatch: pytest.MonkeyPatch) -> None:
    looked = []
    real = os.stat
    monkeypatch.setattr(os, "stat", lambda *args, **kwargs: looked.append(args) or real(*args, **kwargs))
    assert store.check_file() is None
    assert len(looked) == 1


def test_a_store_with_no_file_has_nothing_to_lose(tmp_path: Path) -> None:
    empty = Store.empty(tmp_path / "not-made-yet.db")
    assert empty.check_file() is None
    empty.close()


def test_a_verb_whose_file_is_replaced_under_it_says_one_line_and_writes_nothing(
    db_path: Path, clock: FakeClock, other: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def run(*args: str):
        return CliRunner().invoke(cli, list(args), obj=Context(str(db_path), None, clock=clock))

    assert run("declare", "-s", "P1", "-t", "Ours").exit_code == 0
    theirs = plain_rows(other)
    import warroom.commands as commands_module  # `act` imports parse from there when it runs

    parse = commands_module.parse

    def replaced_while_parsing(*args, **kwargs):
        os.replace(other, db_path)  # after `act` opened the log and read the incident, before it appends
        return parse(*args, **kwargs)

    monkeypatch.setattr(commands_module, "parse", replaced_while_parsing)
    result = run("act", "INC-1", "status", "mitigating")
    assert result.exit_code == 1
    assert result.stderr == f"{db_path}: {REPLACED}\n"
    assert plain_rows(db_path) == theirs and count_events(db_path) == 2


CONSOLE = """
import sys
from warroom.store import LogMoved, Store
store = Store(sys.argv[1])
incident = store.find_incident("latest")
for line in sys.stdin:
    word, _, text = line.strip().partition(" ")
    try:
        if word == "note":
            store.append(incident, "note", {"text": text})
            print("recorded", flush=True)
        elif word == "check":
            print(store.check_file() or "fine", flush=True)
    except LogMoved as error:
        print(f"refused: {error}", flush=True)
store.close()
"""


def test_a_console_in_another_process_leaves_the_replacement_as_it_was(
    db_path: Path, clock: FakeClock, playbook, other: Path, tmp_path: Path
) -> None:
    """The report as it came: a console running, `mv other.db warroom.db`, notes typed afterwards."""
    with Store(db_path, clock=clock) as store:
        store.declare(declaration_payload(playbook, START, title="Ours"))
    theirs = plain_rows(other)
    console = subprocess.Popen(
        [sys.executable, "-c", CONSOLE, str(db_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )

    def say(line: str) -> str:
        console.stdin.write(line + "\n")
        console.stdin.flush()
        return console.stdout.readline().strip()

    try:
        assert say("note before") == "recorded"
        assert Path(f"{db_path}-wal").stat().st_size > 0  # the console has it open
        os.replace(other, db_path)
        # Before the console looks: someone opens the path (and, closing as if last, checkpoints the -wal there
        # into the file there). Every page the console committed was in its own file already.
        assert plain_rows(db_path) == theirs
        assert say("note after the mv") == f"refused: {db_path}: {REPLACED}"
        assert say("check") == f"{db_path}: {REPLACED}"
        assert plain_rows(db_path) == theirs
    finally:
        console.stdin.close()
        assert console.wait(timeout=60) == 0
    assert plain_rows(db_path) == theirs
