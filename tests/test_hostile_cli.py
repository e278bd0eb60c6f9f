"""Every bad argument, time, file or database is one line and a non-zero exit with nothing written; and
hostile text in the log reaches standard output and standard error shown, never obeyed."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import START, count_events, declaration_payload
from forge import tree
from hostile import HOSTILE
from test_cli import Warroom
from warroom import events as kinds
from warroom.clock import FakeClock, iso, parse_time
from warroom.errors import WarroomError
from warroom.events import GENESIS, chain_hash
from warroom.playbook import load_playbook
from warroom.store import Store

MIN = timedelta(minutes=1)
WARROOM = Path(sys.executable).with_name("warroom")  # the installed (editable) command
# What a terminal would act on, as UTF-8 bytes: ESC, the other C0 controls but tab and newline (a pty
# turns \n into \r\n), C1 (U+0080-U+009F), and the bidi and line-separator controls.
ACTIVE_BYTES = re.compile(
    rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)|\xc2[\x80-\x9f]|\xd8\x9c|\xe2\x80[\x8e\x8f\xa8-\xae]|\xe2\x81[\xa6-\xa9]"
)
ACTIVE_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@pytest.fixture
def warroom(db_path: Path, clock: FakeClock) -> Warroom:
    return Warroom(db_path, clock)


@pytest.fixture
def incident(warroom: Warroom) -> str:
    return warroom.ok("declare", "--severity", "P1", "--title", "Checkout is down").stdout.strip()


def run(*args: str | bytes, env: dict | None = None, db: Path) -> subprocess.CompletedProcess:
    """The installed `warroom`, as a shell runs it (arguments may be bytes that are not UTF-8)."""
    full_env = {**os.environ, "WARROOM_DB": str(db), **(env or {})}
    return subprocess.run([str(WARROOM), *args], capture_output=True, env=full_env, timeout=60)


def one_line_refusal(result: subprocess.CompletedProcess) -> str:
    assert result.returncode not in (0, None), result
    assert b"Traceback" not in result.stderr, result.stderr.decode(errors="replace")
    lines = result.stderr.decode("utf-8").splitlines()
    assert len(lines) == 1, lines
    return lines[0]


# --- 2. times the log cannot hold ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, expected",
    [
        (["log", "INC-1", "x", "--at", "0500-01-01T00:00Z"], "bad time '0500-01-01T00:00Z': out of range"),
        (["declare", "-s", "P1", "-t", "x", "--started-at", "0999-12-31T00:00Z"], "bad time '0999-12-31T00:00Z': out of range"),
        (["declare", "-s", "P1", "-t", "x", "--detected-at", "0999-12-31T23:59Z"], "bad time '0999-12-31T23:59Z': out of range"),
        (["act", "INC-1", "--at", "0999-01-01T00:00Z", "note", "x"], "bad time '0999-01-01T00:00Z': out of range"),
        (["act", "INC-1", "eta", "9999-12-31T23:00Z"], "bad ETA '9999-12-31T23:00Z'"),
        (["act", "INC-1", "eta", "3000000d"], "bad ETA '3000000d'"),
        (["log", "INC-1", "x", "--at", "-800000d"], "bad time '-800000d': out of range"),
        (["show", "INC-1", "--at", "0500-01-01T00:00Z"], "bad time '0500-01-01T00:00Z': out of range"),
        (["stats", "--since", "0500-01-01"], "bad --since date '0500-01-01'"),
    ],
)
def test_a_time_outside_the_years_the_log_holds_is_one_line(warroom: Warroom, incident: str, args: list[str], expected: str) -> None:
    assert warroom.refused(*args).startswith(expected)
    # ... and every reader still reads the whole database.
    assert warroom.ok("verify").stdout == "ok: 1 incident, 1 events, every chain verifies\n"
    for verb in (["list"], ["show", incident], ["export", incident], ["stats"]):
        warroom.ok(*verb)


def test_stored_times_always_have_four_digits_of_year() -> None:
    assert iso(datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc)) == "0999-12-31T23:59:59.999Z"
    assert iso(datetime(2026, 1, 2, 3, 4, 5, 6000, tzinfo=timezone.utc)) == "2026-01-02T03:04:05.006Z"
    assert parse_time("1000-01-01T00:00Z", START) == datetime(1000, 1, 1, tzinfo=timezone.utc)


def test_the_store_refuses_a_time_it_could_not_read_back(store: Store, declare, clock: FakeClock, db_path: Path, playbook) -> None:
    incident = declare()
    with pytest.raises(WarroomError, match="^the time is out of range: expected a year from 1000 to 9999$"):
        store.append(incident, kinds.NOTE, {"text": "x"}, at=datetime(500, 1, 1, tzinfo=timezone.utc))
    with pytest.raises(WarroomError, match=r"^the eta event's eta: '0500-01-01T00:00:00.000Z' is out of range"):
        store.append(incident, kinds.ETA, {"eta": "0500-01-01T00:00:00.000Z"})
    with pytest.raises(WarroomError, match="^the declared event's started_at: expected a stored time"):
        store.declare(declaration_payload(playbook, START, started_at="500-01-01T00:00:00.000Z"))
    clock.set(datetime(999, 6, 1, tzinfo=timezone.utc))  # a clock gone wrong
    with pytest.raises(WarroomError, match="^the clock's time is out of range"):
        store.append(incident, kinds.NOTE, {"text": "x"})
    assert count_events(db_path) == 1 and len(store.incidents()) == 1


def _write_like_an_old_warroom(db: Path, incident: str, year_text: str = "500-01-01T00:00:00.000Z") -> None:
    """What the warroom before this fix wrote for `--started-at 0500-01-01T00:00Z` (strftime's %Y gives
    '500'): times nothing reads back, in the events (chained over that very text) and in the index."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("DROP TRIGGER events_no_update")
    rows = conn.execute(
        "SELECT seq, kind, actor, payload FROM events WHERE incident = ? ORDER BY seq", (incident,)
    ).fetchall()
    prev = GENESIS
    for seq, kind, actor, payload in rows:
        digest = chain_hash(incident, seq, kind, actor, payload, year_text, year_text, prev)
        conn.execute(
            "UPDATE events SET at = ?, recorded_at = ?, prev_hash = ?, hash = ? WHERE incident = ? AND seq = ?",
            (year_text, year_text, prev, digest, incident, seq),
        )
        prev = digest
    conn.execute(
        "UPDATE incidents SET started_at = ?, declared_at = ?, status_at = ?, severity_at = ?, head_hash = ? WHERE id = ?",
        (year_text, year_text, year_text, year_text, prev, incident),
    )
    conn.execute(
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"
    )
    conn.close()


def test_one_unreadable_incident_does_not_take_the_database_down(warroom: Warroom, clock: FakeClock) -> None:
    warroom.ok("declare", "-s", "P1", "-t", "Fine")
    warroom.ok("declare", "-s", "P2", "-t", "Written by an old warroom")
    _write_like_an_old_warroom(warroom.db, "INC-2")
    listed = warroom("list")
    said = "warroom: LOG DOES NOT VERIFY: INC-2: its started_at is unreadable ('500-01-01T00:00:00.000Z'); shown as it reads: `warroom verify INC-2` checks it\n"
    assert listed.exit_code == 0 and listed.stderr == said  # the table still lists both
    table = listed.stdout.splitlines()
    assert {line.split()[0]: re.search(r" (ok|BROKEN) ", line).group(1) for line in table[1:]} == {"INC-1": "ok", "INC-2": "BROKEN"}
    as_json = warroom("list", "--json")
    assert as_json.stderr == said
    rows = {row["id"]: row["verified"] for row in json.loads(as_json.stdout)}
    assert rows == {"INC-1": True, "INC-2": False}
    warroom.ok("show", "INC-1")
    warroom.ok("export", "INC-1")
    assert "INC-2 event 1 (declared): its time is unreadable" in warroom.refused("show", "INC-2")
    assert "INC-2 event 1 (declared): its time is unreadable" in warroom.refused("export", "INC-2")
    assert warroom.refused("verify").startswith("verify failed: INC-2 event 1 (declared): its time (at) is unreadable")
    assert warroom.ok("verify", "INC-1").stdout.startswith("ok: 1 incident")


def test_an_index_row_edited_behind_warroom_s_back_is_listed_as_broken(warroom: Warroom, incident: str) -> None:
    conn = sqlite3.connect(warroom.db, isolation_level=None)
    conn.execute("UPDATE incidents SET started_at = 'teatime', resolved_at = 'never' WHERE id = ?", (incident,))
    conn.close()
    listed = warroom("list")
    assert listed.exit_code == 0 and listed.stderr == (
        f"warroom: LOG DOES NOT VERIFY: {incident}: its started_at is unreadable ('teatime'); shown as it reads: "
        f"`warroom verify {incident}` checks it\n"
    )
    table = listed.stdout.splitlines()
    assert table[1].startswith(incident) and " BROKEN " in table[1]
    assert json.loads(warroom("list", "--json").stdout)[0]["verified"] is False


# --- 3. arguments that are not UTF-8, and terminals that are not either -------------------------------------


def test_an_argument_that_is_not_utf8_is_one_line_and_nothing_is_written(warroom: Warroom, incident: str, tmp_path: Path) -> None:
    before = tree(tmp_path)
    for args in (["log", incident, b"caf\xe9"], ["act", incident, "role", "scribe", b"caf\xe9"], ["act", incident, b"note caf\xe9"]):
        message = one_line_refusal(run(*args, db=warroom.db))
        assert message.endswith("is not UTF-8 text (the byte \\xe9 at character 4): expected UTF-8 text"), message
    assert one_line_refusal(run("show", b"caf\xe9", db=warroom.db)) == f"warroom: no incident 'caf\\udce9' in {warroom.db} (`warroom list` shows them)"
    assert tree(tmp_path) == before
    fresh = tmp_path / "fresh.db"
    message = one_line_refusal(run("declare", "-s", "P1", "-t", b"caf\xe9", db=fresh))
    assert message == "warroom: the declared event's title is not UTF-8 text (the byte \\xe9 at character 4): expected UTF-8 text"
    assert not fresh.exists()
    # The same through click's runner, where the argument arrives as Python makes it (surrogateescape).
    assert warroom.refused("log", incident, "caf\udce9").startswith("the note event's text is not UTF-8 text")


def test_a_database_whose_name_is_not_utf8_can_be_read(tmp_path: Path) -> None:
    db = os.fsencode(tmp_path) + b"/caf\xe9.db"
    env = {**os.environ, "WARROOM_DB": ""}
    declared = subprocess.run([str(WARROOM), "--db", db, "declare", "-s", "P1", "-t", "x"], capture_output=True, env=env, timeout=60)
    assert declared.stdout == b"INC-1\n", declared.stderr
    for args in (["list"], ["show", "1"], ["verify"], ["export", "1"]):  # read-only: a file: URI of the name's bytes
        result = subprocess.run([str(WARROOM), "--db", db, *args], capture_output=True, env=env, stdin=subprocess.DEVNULL, timeout=60)
        assert result.returncode == 0 and result.stderr == b"", result.stderr.decode(errors="replace")
    assert sorted(os.listdir(os.fsencode(tmp_path))) == [b"caf\xe9.db"]


def test_a_lone_surrogate_is_refused_by_the_store(store: Store, declare, db_path: Path) -> None:
    incident = declare()
    for payload in ({"text": "\ud800"}, {"text": "ok", "\udfff": "key"}):
        with pytest.raises(WarroomError) as caught:
            store.append(incident, kinds.NOTE, payload)
        assert "not UTF-8 text" in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(WarroomError, match="^the actor is not UTF-8 text"):
        store.append(incident, kinds.NOTE, {"text": "x"}, actor="caf\udce9")
    assert count_events(db_path) == 1


def test_a_c_locale_works(warroom: Warroom, incident: str) -> None:
    env = {"LC_ALL": "C", "LANG": "C"}
    assert run("log", incident, "café ✓", env=env, db=warroom.db).returncode == 0
    result = run("act", incident, "role", "scribe", "Zoë", env=env, db=warroom.db)
    assert (result.returncode, result.stdout.decode("utf-8"), result.stderr) == (0, f"{incident}: scribe: Zoë\n", b"")
    exported = run("export", incident, env=env, db=warroom.db)
    assert exported.returncode == 0 and "café ✓" in exported.stdout.decode("utf-8")


@pytest.mark.parametrize("encoding", ["latin-1", "ascii"])
def test_a_standard_output_that_is_not_utf8_does_not_crash_after_writing(
    warroom: Warroom, incident: str, encoding: str,
) -> None:
    env = {"PYTHONIOENCODING": encoding}
    result = run("act", incident, "role", "scribe", "✓ Zoë", env=env, db=warroom.db)
    assert result.returncode == 0 and result.stderr == b"", result.stderr.decode(errors="replace")
    assert result.stdout.decode("utf-8") == f"{incident}: scribe: ✓ Zoë\n"  # a pipe gets UTF-8, as a file does
    assert run("show", incident, env=env, db=warroom.db).returncode == 0
    exported = run("export", incident, env=env, db=warroom.db)
    assert exported.returncode == 0 and "✓ Zoë" in exported.stdout.decode("utf-8")


# --- 3. export targets that are not files ---------------------------------------------------------------


@pytest.mark.parametrize("target", [".", "/", "..", "{tmp}", "{tmp}/afile/r.md", "{tmp}/newdir/", "{tmp}/missing/r.md"])
def test_an_export_target_that_is_not_a_file_is_one_line_and_makes_nothing(
    warroom: Warroom, incident: str, tmp_path: Path, target: str,
) -> None:
    (tmp_path / "afile").write_text("keep me\n")
    before = tree(tmp_path)
    output = target.format(tmp=tmp_path)
    message = warroom.refused("export", incident, "-o", output)
    assert message.startswith(f"{output}: "), message
    assert tree(tmp_path) == before
    assert (tmp_path / "afile").read_text() == "keep me\n"


def test_an_export_writes_through_a_pipe_and_a_link_and_never_through_a_planted_file(
    warroom: Warroom, incident: str, tmp_path: Path,
) -> None:
    # A pipe (or -o /dev/stdout): written to, not replaced by a regular file.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    try:
        warroom.ok("export", incident, "-o", str(fifo))
        assert fifo.is_fifo()
        assert reader.communicate(timeout=30)[0].decode() == warroom.ok("export", incident).stdout
    finally:
        reader.kill()  # a reader nothing was written to waits for ever
        reader.wait()
    # A link: the file it names gets the export, and the link stays a link.
    real, link = tmp_path / "real.md", tmp_path / "link.md"
    real.write_text("old\n")
    real.chmod(0o640)
    link.symlink_to(real)
    warroom.ok("export", incident, "--format", "md", "-o", str(link))
    assert link.is_symlink() and real.read_text().startswith(f"# {incident}")
    assert real.stat().st_mode & 0o777 == 0o640  # the mode it had
    # A file or link planted where the partial file used to go (.NAME.partial) is never written through.
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    (tmp_path / ".out.md.partial").symlink_to(victim)
    warroom.ok("export", incident, "--format", "md", "-o", str(tmp_path / "out.md"))
    assert victim.read_text() == "precious\n" and not (tmp_path / "out.md").is_symlink()


def _at_most_a_gigabyte() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def test_a_device_is_not_an_export_to_import(tmp_path: Path) -> None:
    # In a process of its own, with its memory capped: reading /dev/zero to its end would take the machine's.
    db = tmp_path / "w.db"
    result = subprocess.run(
        [str(WARROOM), "import", "/dev/zero"], capture_output=True, env={**os.environ, "WARROOM_DB": str(db)},
        preexec_fn=_at_most_a_gigabyte, timeout=60,
    )
    assert one_line_refusal(result) == "/dev/zero: is a device, not a file: expected a jsonl export"
    assert not db.exists()


# --- 4. a failed command leaves every file as it was -----------------------------------------------------


def test_log_and_act_never_initialise_an_empty_file(tmp_path: Path, clock: FakeClock) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    before = tree(tmp_path)
    nowhere = Warroom(empty, clock)
    for args in (["log", "latest", "x"], ["act", "latest", "note", "x"], ["show", "latest"], ["verify"], ["list"]):
        assert nowhere.refused(*args) == f"{empty}: the database is empty (no incident was ever declared in it)"
    assert tree(tmp_path) == before and empty.stat().st_size == 0
    nowhere.ok("declare", "-s", "P1", "-t", "x")  # a declaring verb does
    assert count_events(empty) == 1


def _other_program_database(path: Path, *, same_columns: bool = False) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    if same_columns:  # warroom's columns, but none of its triggers
        conn.execute(
            "CREATE TABLE incidents (id TEXT PRIMARY KEY, title TEXT, severity TEXT, status TEXT, status_at TEXT, "
            "severity_at TEXT, started_at TEXT, declared_at TEXT, resolved_at TEXT, last_seq INTEGER, head_hash TEXT)"
        )
        conn.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, incident TEXT, seq INTEGER, kind TEXT, actor TEXT, payload TEXT, "
            "at TEXT, recorded_at TEXT, prev_hash TEXT, hash TEXT)"
        )
    else:
        conn.execute("CREATE TABLE incidents (ticket INTEGER PRIMARY KEY, summary TEXT)")
        conn.execute("CREATE TABLE events (ticket INTEGER, happened TEXT)")
        conn.execute("INSERT INTO incidents VALUES (1, 'printer on fire')")
    conn.execute("PRAGMA user_version = 1")
    conn.close()


VERBS = [
    ["list"], ["show", "1"], ["export", "1"], ["verify"], ["stats"], ["log", "1", "x"], ["act", "1", "note", "x"],
    ["declare", "-s", "P1", "-t", "x"],
]


@pytest.mark.parametrize("args", VERBS, ids=" ".join)
def test_another_program_s_database_with_the_same_table_names_is_left_untouched(
    tmp_path: Path, clock: FakeClock, args: list[str],
) -> None:
    other = tmp_path / "tickets.db"
    _other_program_database(other)
    before = tree(tmp_path)
    message = Warroom(other, clock).refused(*args)
    assert message == f"{other}: not a warroom database (its incidents table has no column declared_at, head_hash, id and 8 more)"
    assert tree(tmp_path) == before
    conn = sqlite3.connect(other)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # never switched to WAL
    conn.close()


@pytest.mark.parametrize("args", [a for a in VERBS if a[0] in ("log", "act", "declare")], ids=" ".join)
def test_a_database_without_warroom_s_triggers_is_never_written(tmp_path: Path, clock: FakeClock, args: list[str]) -> None:
    other = tmp_path / "lookalike.db"
    _other_program_database(other, same_columns=True)
    before = tree(tmp_path)
    message = Warroom(other, clock).refused(*args)
    assert message.startswith(f"{other}: its events are no longer append-only (the triggers events_no_delete, events_no_update are gone)")
    assert tree(tmp_path) == before


FAILING = [
    ["log", "INC-1", "x", "--at", "0500-01-01T00:00Z"],
    ["log", "INC-9", "x"],
    ["log", "INC-1", "   "],
    ["act", "INC-1", "status", "fixed"],
    ["act", "INC-1", "eta", "soon"],
    ["act", "INC-1", "copy"],
    ["act", "INC-1", "--at", "2030-01-01T00:00Z", "resolve"],
    ["declare", "-s", "P7", "-t", "x"],
    ["declare", "-s", "P1", "-t", "x", "--started-at", "0999-12-31T00:00Z"],
    ["show", "\x1b]0;x\x07"],
    ["show", "INC-1", "--at", "teatime"],
    ["export", "INC-1", "-o", "."],
    ["export", "INC-1", "-o", "{tmp}/afile/r.md"],
    ["import", "{tmp}/afile"],
    ["import", "{tmp}"],
    ["verify", "INC-7"],
    ["stats", "--since", "whenever"],
    ["watch", "INC-9"],
    ["replay", "INC-9"],
    ["playbook", "check", "{tmp}/afile"],
    ["--playbook", "{tmp}/afile", "declare", "-s", "P1", "-t", "x"],
    ["frobnicate"],
]


@pytest.mark.parametrize("args", FAILING, ids=lambda a: " ".join(a).replace("\x1b", "ESC").replace("\x07", "BEL"))
def test_every_failed_command_leaves_the_folder_as_it_was(warroom: Warroom, incident: str, tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "afile").write_text("not an export\n")
    before = tree(tmp_path)
    warroom.refused(*(arg.format(tmp=tmp_path) for arg in args))
    assert tree(tmp_path) == before


@pytest.mark.parametrize("args", [["list"], ["show", "1"], ["declare", "-s", "P1", "-t", "x"], ["log", "1", "x"]], ids=" ".join)
def test_a_pipe_as_the_database_is_one_line(tmp_path: Path, args: list[str]) -> None:
    fifo = tmp_path / "db.pipe"
    os.mkfifo(fifo)
    before = tree(tmp_path)
    # SQLite would wait for ever reading a pipe (and beside a device, /dev/null, make a -journal): a process of its own.
    message = one_line_refusal(run(*args, db=fifo))
    assert message == f"{fifo}: is a pipe, not a file; expected a database file (--db PATH or WARROOM_DB)"
    assert tree(tmp_path) == before


# A process without root's power to ignore file modes (the tests may run as root).
UNPRIVILEGED = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner"] if os.geteuid() == 0 else []


def _unprivileged_available() -> bool:
    if not UNPRIVILEGED:
        return True
    try:
        return subprocess.run([*UNPRIVILEGED, "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@pytest.mark.skipif(not _unprivileged_available(), reason="needs setpriv to drop root's override of file modes")
@pytest.mark.parametrize("read_only", ["file", "folder"])
def test_a_read_only_database_is_left_as_it_was(warroom: Warroom, incident: str, tmp_path: Path, read_only: str) -> None:
    warroom.ok("log", incident, "hello")
    folder = warroom.db.parent
    if read_only == "file":
        warroom.db.chmod(0o444)
    else:
        folder.chmod(0o555)
    try:
        before = tree(folder)
        env = {**os.environ, "WARROOM_DB": str(warroom.db)}
        for args in (["show", incident], ["list"], ["export", incident], ["verify"], ["stats"], ["show", incident, "--json"]):
            result = subprocess.run([*UNPRIVILEGED, str(WARROOM), *args], capture_output=True, env=env, stdin=subprocess.DEVNULL, timeout=60)
            assert result.returncode == 0, result.stderr.decode(errors="replace")
            assert tree(folder) == before, args  # no -wal or -shm left behind
        for args in (["log", incident, "x"], ["act", incident, "note x"], ["declare", "-s", "P1", "-t", "x"]):
            result = subprocess.run([*UNPRIVILEGED, str(WARROOM), *args], capture_output=True, env=env, timeout=60)
            message = one_line_refusal(result)
            assert "cannot write" in message and "permission denied" in message, message
            assert tree(folder) == before, args
    finally:
        folder.chmod(0o755)
        warroom.db.chmod(0o600)
    assert count_events(warroom.db) == 2


# --- 5. what reaches standard output and standard error --------------------------------------------------

NO_NUL = {name: text for name, text in HOSTILE.items() if "\x00" not in text}  # argv and environ cannot hold NUL


@pytest.fixture
def hostile_incident(store: Store, declare, clock: FakeClock) -> str:
    """An incident whose title, impact, notes, alerts, roles and a checked step carry the whole corpus."""
    incident = declare(title=HOSTILE["osc0-title"] + " " + HOSTILE["c1-csi"], impact=HOSTILE["bidi-override"])
    for number, (name, text) in enumerate(HOSTILE.items()):
        clock.advance(10)
        store.append(incident, kinds.NOTE if number % 2 else kinds.ALERT, {"text": text})
        store.append(incident, kinds.ROLE, {"role": f"role-{number}", "name": text})
    store.append(incident, kinds.COPIED, {"what": "internal", "name": "Internal Alert", "text": HOSTILE["osc52-clipboard"], "via": "osc52"})
    store.append(incident, kinds.TITLE, {"title": HOSTILE["clear-screen"] + HOSTILE["c1-osc"]})
    return incident


def test_text_output_holds_no_control_from_the_log(warroom: Warroom, hostile_incident: str) -> None:
    for args in (["show", hostile_incident], ["list"]):
        out = warroom.ok(*args).stdout
        assert not ACTIVE_TEXT.search(out.replace("\n", "")), (args, out)
    shown = warroom.ok("show", hostile_incident).stdout
    assert len(shown.splitlines()) == 10  # every name on its own one line
    assert "\\x1b[2J\\x1b[HPWNED-CLEAR" in shown and "\\x9d0;PWNED-C1-TITLE\\x9c" in shown
    for name, text in NO_NUL.items():
        echo = warroom.ok("act", hostile_incident, "role", "scribe", text).stdout
        assert echo.count("\n") == 1 and not ACTIVE_TEXT.search(echo[:-1]), (name, echo)


def test_error_messages_show_what_they_quote(warroom: Warroom, incident: str) -> None:
    for text in NO_NUL.values():
        result = warroom("show", text)
        assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.stderr
        assert not ACTIVE_TEXT.search(result.stderr[:-1]), result.stderr
    result = warroom("show", "\x1b]0;x\x07")
    assert result.stderr == f"warroom: no incident '\\x1b]0;x\\x07' in {warroom.db} (`warroom list` shows them)\n"
    result = warroom("frob\x9b31m")
    assert result.stderr.startswith("warroom: No such command 'frob\\x9b31m'.") and "\x9b" not in result.stderr
    # A file name is quoted as it is, at the start of the line: shown too.
    assert warroom("import", "\x1b]0;PWNED\x07.jsonl").stderr == "\\x1b]0;PWNED\\x07.jsonl: no such file\n"
    result = warroom("--playbook", "\x1b]0;PWNED\x07", "declare", "-s", "P1", "-t", "x")
    assert result.stderr == "\\x1b]0;PWNED\\x07: no such file: expected a YAML playbook\n"
    assert warroom("export", incident, "-o", "\x1b]0;PWNED\x07/r.md").stderr.startswith("\\x1b]0;PWNED\\x07/r.md: cannot write it")


JSON_OUTPUTS = [
    ["list", "--json"], ["show", "{id}", "--json"], ["export", "{id}", "--format", "json"],
    ["export", "{id}", "--format", "jsonl"], ["stats", "--json"],
]


@pytest.mark.parametrize("args", JSON_OUTPUTS, ids=" ".join)
def test_json_output_keeps_every_string_and_holds_no_raw_control(warroom: Warroom, hostile_incident: str, store: Store, args: list[str]) -> None:
    out = warroom.ok(*(a.format(id=hostile_incident) for a in args)).stdout
    assert not ACTIVE_TEXT.search(out.replace("\n", ""))
    documents = [json.loads(line) for line in out.splitlines()] if "jsonl" in args else [json.loads(out)]
    stored = {e.payload.get("text") for e in store.events(hostile_incident)} | {store.incident(hostile_incident).title}
    found = set()

    def strings(value):
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                strings(item)
        elif isinstance(value, list):
            for item in value:
                strings(item)

    strings(documents)
    if args[0] in ("export",):
        assert stored - {None} <= found  # every note, exactly as stored
    if args[0] in ("list", "show"):
        assert store.incident(hostile_incident).title in found


def test_an_export_of_hostile_text_imports_back_to_the_same_bytes(warroom: Warroom, hostile_incident: str, tmp_path: Path, store: Store) -> None:
    exported = warroom.ok("export", hostile_incident, "--format", "jsonl").stdout
    as_json = warroom.ok("export", hostile_incident, "--format", "json").stdout
    path = tmp_path / "hostile.jsonl"
    path.write_text(exported, encoding="utf-8")
    fresh = tmp_path / "fresh.db"
    assert warroom.ok("import", str(path), db=fresh).stdout == f"imported {hostile_incident}\n"
    assert warroom.ok("export", hostile_incident, "--format", "jsonl", db=fresh).stdout == exported
    assert warroom.ok("export", hostile_incident, "--format", "json", db=fresh).stdout == as_json
    with Store(fresh) as again:
        assert [e.payload for e in again.events(hostile_incident)] == [e.payload for e in store.events(hostile_incident)]
    assert warroom.ok("verify", db=fresh).stdout.startswith("ok: 1 incident")


# --- 6. at a real terminal -----------------------------------------------------------------------------------


def _script_available() -> bool:
    try:
        return subprocess.run(["script", "-qec", "true", "/dev/null"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def at_terminal(command: str, env: dict[str, str]) -> bytes:
    """`command` (a shell line) run in a pseudo-terminal (util-linux `script`): what the terminal receives."""
    result = subprocess.run(
        ["script", "-qec", command, "/dev/null"], capture_output=True, env={**os.environ, **env}, stdin=subprocess.DEVNULL, timeout=120,
    )
    return result.stdout


@pytest.mark.skipif(not _script_available(), reason="needs util-linux script for a pseudo-terminal")
def test_nothing_from_the_log_reaches_a_terminal_as_a_control(hostile_incident: str, db_path: Path) -> None:
    env = {"WARROOM_DB": str(db_path), "W": str(WARROOM), "ID": hostile_incident, "TERM": "xterm-256color"}
    reading = (
        '"$W" show "$ID"; "$W" list </dev/null; "$W" export "$ID" --format csv; "$W" export "$ID" --format md; '
        '"$W" export "$ID" --format json; "$W" export "$ID"; "$W" show "$ID" --json; "$W" list --json; "$W" stats; '
        '"$W" stats --json'
    )
    output = at_terminal(reading, env)
    assert b"PWNED-CLEAR" in output and b"INC-1" in output, output[:500]  # the text is there, shown
    found = ACTIVE_BYTES.search(output)
    assert found is None, output[max(0, found.start() - 80): found.end() + 80]
    assert b"\x1b]0;PWNED" not in output and b"\x1b]52;" not in output and b"\x1b[201~" not in output
    # The echo of `act` and the error line on stderr (the terminal shows both), for one string of each
    # kind of control (test_text_output_holds_no_control_from_the_log and test_error_messages_show_what_they_quote
    # take the whole corpus through the same code, without a terminal).
    for name in AT_THE_TERMINAL:
        output = at_terminal('"$W" act "$ID" role scribe "$NAME"; "$W" show "$NAME"', {**env, "NAME": HOSTILE[name]})
        found = ACTIVE_BYTES.search(output)
        assert found is None, (name, output)
        assert output.count(b"\n") == 2 and output.startswith(f"{hostile_incident}: scribe: ".encode()), (name, output)


AT_THE_TERMINAL = [
    "osc0-title", "osc52-clipboard", "clear-screen", "c1-csi", "c1-osc", "bidi-override", "bracketed-paste-end",
    "carriage-return", "line-separator", "backspaces", "newline-command", "del",
]


# --- the round trip, for any text --------------------------------------------------------------------------

storable = st.text(st.characters(codec="utf-8"), max_size=40)  # every code point but the lone surrogates


@given(note=storable, title=storable)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_note_survives_export_and_import_byte_for_byte(note: str, title: str, clock: FakeClock) -> None:
    with tempfile.TemporaryDirectory() as folder:
        first, second = Path(folder) / "first.db", Path(folder) / "second.db"
        warroom = Warroom(first, clock)
        with Store(first, clock=clock) as store:
            incident = store.declare(declaration_payload(load_playbook(), START, title=title or "x")).incident
            store.append(incident, kinds.NOTE, {"text": note})
        jsonl = warroom.ok("export", incident).stdout
        as_json = warroom.ok("export", incident, "--format", "json").stdout
        assert not ACTIVE_TEXT.search(jsonl.replace("\n", "")) and not ACTIVE_TEXT.search(as_json.replace("\n", ""))
        assert json.loads(jsonl.splitlines()[1])["payload"]["text"] == note
        path = Path(folder) / "export.jsonl"
        path.write_text(jsonl, encoding="utf-8")
        warroom.ok("import", str(path), db=second)
        assert warroom.ok("export", incident, db=second).stdout == jsonl
        assert warroom.ok("export", incident, "--format", "json", db=second).stdout == as_json
        with Store(second, readonly=True) as again:
            assert again.events(incident)[1].payload["text"] == note


@given(before=storable, after=storable, surrogate=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_text_with_a_lone_surrogate_is_refused_in_one_line(before: str, after: str, surrogate: str, clock: FakeClock) -> None:
    with tempfile.TemporaryDirectory() as folder:
        with Store(Path(folder) / "w.db", clock=clock) as store:
            incident = store.declare(declaration_payload(load_playbook(), START)).incident
            with pytest.raises(WarroomError) as caught:
                store.append(incident, kinds.NOTE, {"text": before + surrogate + after})
            assert "\n" not in str(caught.value) and "is not UTF-8 text" in str(caught.value)
            assert len(store.events(incident)) == 1
