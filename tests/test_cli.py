"""The `warroom` command through click's runner: every verb, and bad input as one line with nothing written."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import START, count_events
from warroom import __version__
from warroom.cli import Context, cli
from warroom.clock import FakeClock, iso
from warroom.store import SCHEMA_VERSION, Store

MIN = timedelta(minutes=1)


class Warroom:
    """Runs `warroom ARGS...` against one database with a fake clock."""

    def __init__(self, db: Path, clock: FakeClock) -> None:
        self.db = db
        self.clock = clock

    def __call__(self, *args: str, input: str | None = None, env: dict | None = None, db: Path | None = None) -> Result:
        context = Context(str(db or self.db), None, clock=self.clock)
        return CliRunner().invoke(cli, list(args), obj=context, input=input, env=env)

    def ok(self, *args: str, **kwargs) -> Result:
        result = self(*args, **kwargs)
        assert result.exit_code == 0, result.output
        assert result.stderr == ""
        return result

    def snapshot(self) -> tuple:
        if not self.db.is_file():
            return (0, [])
        conn = sqlite3.connect(self.db)
        try:
            return (count_events(self.db), conn.execute("SELECT * FROM incidents ORDER BY id").fetchall())
        except sqlite3.Error:
            return (count_events(self.db), [])
        finally:
            conn.close()

    def refused(self, *args: str, **kwargs) -> str:
        """Bad input: one line on stderr, a non-zero exit, no traceback, and the database unchanged."""
        before = self.snapshot()
        result = self(*args, **kwargs)
        assert result.exit_code not in (0, None), result.output
        assert isinstance(result.exception, SystemExit), repr(result.exception)
        assert "Traceback" not in result.output
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert self.snapshot() == before
        # A line that names a file (FILE: or FILE:LINE:) stands alone; any other starts "warroom: ".
        return lines[0].removeprefix("warroom: ")


@pytest.fixture
def warroom(db_path: Path, clock: FakeClock) -> Warroom:
    return Warroom(db_path, clock)


@pytest.fixture
def incident(warroom: Warroom) -> str:
    return warroom.ok("declare", "--severity", "P1", "--title", "Checkout is down").stdout.strip()


def shown(warroom: Warroom, *args: str) -> dict:
    return json.loads(warroom.ok("show", *args, "--json").stdout)


# --- declare -----------------------------------------------------------------------------------------


def test_version(warroom: Warroom) -> None:
    assert warroom.ok("--version").stdout == f"warroom {__version__}\n"


def test_declare_prints_the_id(warroom: Warroom, clock: FakeClock) -> None:
    assert warroom.ok("declare", "-s", "P1", "-t", "Checkout is down").stdout == "INC-1\n"
    clock.advance(minutes=3)
    result = warroom.ok("declare", "--severity", "p2", "--title", "  Search is slow ", "--impact", "EU users",
                        "--runbook", "api", "-r", "database", "--started-at", "-10m", "--commander", "Kim")
    assert result.stdout == "INC-2\n"
    state = shown(warroom, "INC-2")
    assert (state["severity"], state["title"], state["impact"], state["roles"]) == ("P2", "Search is slow", "EU users", {"commander": "Kim"})
    assert state["started_at"] == iso(START - 7 * MIN) and state["elapsed_seconds"] == 600
    assert [c["id"] for c in state["checklists"]][-2:] == ["api", "database"]


def test_declare_through_the_environment_variable(tmp_path: Path, clock: FakeClock) -> None:
    db = tmp_path / "from-env.db"
    runner = CliRunner()
    result = runner.invoke(cli, ["declare", "-s", "P0", "-t", "All down"], obj=Context(None, None, clock=clock),
                           env={"WARROOM_DB": str(db)})
    assert result.exit_code == 0 and result.stdout == "INC-1\n"
    assert count_events(db) == 1


def test_declare_with_another_playbook(warroom: Warroom, five_level_path: Path) -> None:
    result = warroom.ok("--playbook", str(five_level_path), "declare", "-s", "SEV-2", "-t", "Payments fail")
    incident = result.stdout.strip()
    warroom.ok("act", incident, "phase", "next")
    warroom.ok("act", incident, "check", "page")
    state = shown(warroom, incident)
    assert state["severity"] == "SEV-2" and state["phase"]["id"] == "assess"
    assert [r["id"] for r in state["ladder"]] == ["responder", "lead", "manager", "director", "vp", "chief"]
    assert state["ladder"][-1]["state"] == "unreached"
    assert warroom.refused("act", incident, "sev", "P1") == "unknown severity 'P1': expected one of SEV-1, SEV-2, SEV-3, SEV-4, SEV-5"
    env = {"WARROOM_PLAYBOOK": str(five_level_path)}
    assert warroom.ok("declare", "-s", "SEV-5", "-t", "Typo on the homepage", env=env).stdout == "INC-2\n"


@pytest.mark.parametrize(
    "args, expected",
    [
        (["declare", "-t", "x"], "Missing option '--severity'"),
        (["declare", "-s", "P7", "-t", "x"], "unknown severity 'P7': expected one of P0, P1, P2"),
        (["declare", "-s", "P1", "-t", "   "], "the title is empty: expected a brief description of what is broken"),
        (["declare", "-s", "P1", "-t", "x", "-r", "k8s"], "unknown runbook 'k8s': expected one of database, api, security"),
        (["declare", "-s", "P1", "-t", "x", "--started-at", "yesterday-ish"], "bad time 'yesterday-ish'"),
        (["declare", "-s", "P1", "-t", "x", "--started-at", "2026-11-26T19:30Z"], "--started-at '2026-11-26T19:30Z' is in the future"),
        (["--playbook", "/nonexistent/playbook.yaml", "declare", "-s", "P1", "-t", "x"], "/nonexistent/playbook.yaml: no such file"),
    ],
)
def test_declare_refusals(warroom: Warroom, incident: str, args: list[str], expected: str) -> None:
    assert warroom.refused(*args).startswith(expected)


# --- log -------------------------------------------------------------------------------------------------


def events_of(warroom: Warroom, incident: str) -> list[dict]:
    return [json.loads(line) for line in warroom.ok("export", incident, "--format", "jsonl").stdout.splitlines()]


def test_log_note_and_alert(warroom: Warroom, incident: str, clock: FakeClock) -> None:
    clock.advance(minutes=2)
    assert warroom.ok("log", incident, "rolled back the deploy").stdout == ""
    warroom.ok("log", "1", "p99 > 2s", "--kind", "alert")  # an incident by its number
    warroom.ok("log", "latest", "from the bridge", "--at", "-90s")
    records = events_of(warroom, incident)
    assert [(r["kind"], r["payload"]) for r in records[1:]] == [
        ("note", {"text": "rolled back the deploy"}), ("alert", {"text": "p99 > 2s"}), ("note", {"text": "from the bridge"}),
    ]
    assert records[3]["at"] == iso(START + timedelta(seconds=30)) and records[3]["recorded_at"] == iso(START + 2 * MIN)
    state = shown(warroom, incident)
    assert (state["alerts"], state["notes"], state["events"]) == (1, 2, 4)


def test_log_reads_lines_from_standard_input(warroom: Warroom, incident: str) -> None:
    warroom.ok("log", incident, "-", "--kind", "alert", input="disk 91%\n\n  \ndisk 95%\r\nlast line without newline")
    records = events_of(warroom, incident)
    assert [(r["kind"], r["payload"]["text"]) for r in records[1:]] == [
        ("alert", "disk 91%"), ("alert", "disk 95%"), ("alert", "last line without newline"),
    ]


def test_log_backfilled_lines_from_standard_input(warroom: Warroom, incident: str, clock: FakeClock) -> None:
    clock.advance(minutes=30)
    warroom.ok("log", incident, "-", "--at", iso(START + 5 * MIN), input="a\nb\n")
    assert [r["at"] for r in events_of(warroom, incident)[1:]] == [iso(START + 5 * MIN)] * 2


@pytest.mark.parametrize(
    "args, expected",
    [
        (["log", "INC-9", "x"], "no incident 'INC-9' in "),
        (["log", "INC-1", "   "], "the text is empty: expected what happened"),
        (["log", "INC-1", "x", "--kind", "page"], "Invalid value for '--kind': 'page' is not one of 'note', 'alert'."),
        (["log", "INC-1", "x", "--at", "half past"], "bad time 'half past': expected a time like 18:14"),
        (["log", "INC-1", "x", "--at", "2026-11-26T18:30Z"], "--at '2026-11-26T18:30Z' is in the future"),
        (["log", "INC-1", "x", "--at", "99999999999d ago"], "bad duration '99999999999d': too long"),
        (["log", "INC-1", "x", "--at", "0001-01-01T00:00"], "bad time '0001-01-01T00:00': out of range"),
        (["log", "INC-1"], "Missing argument 'TEXT'."),
        (["log", "INC-1", "x", "--bogus"], "No such option '--bogus'."),
        (["frobnicate"], "No such command 'frobnicate'."),
    ],
)
def test_log_refusals(warroom: Warroom, incident: str, clock: FakeClock, args: list[str], expected: str) -> None:
    clock.advance(minutes=20)
    assert warroom.refused(*args).startswith(expected)


def test_log_refuses_a_future_time_even_from_standard_input(warroom: Warroom, incident: str) -> None:
    message = warroom.refused("log", incident, "-", "--at", "2027-01-01T00:00Z", input="a\nb\n")
    assert message.startswith("--at '2027-01-01T00:00Z' is in the future")


# --- act -----------------------------------------------------------------------------------------------


def test_act(warroom: Warroom, incident: str, clock: FakeClock) -> None:
    clock.advance(minutes=5)
    assert warroom.ok("act", incident, "status", "mitigating").stdout == f"{incident}: status: mitigating\n"
    assert warroom.ok("act", incident, "check", "3").stdout == f"{incident}: done: Initial triage and classification\n"
    assert warroom.ok("act", incident, "we", "paged", "the", "DBA").stdout == f"{incident}: note added\n"
    assert warroom.ok("act", incident, "role scribe Sam").stdout == f"{incident}: scribe: Sam\n"  # one quoted word works too
    warroom.ok("act", incident, "eta", "45m")
    state = shown(warroom, incident)
    assert state["status"] == "mitigating" and state["roles"]["scribe"] == "Sam"
    assert state["eta"] == iso(START + 50 * MIN) and state["checklists"][0]["done"] == 1


def test_act_backfills_with_at(warroom: Warroom, incident: str, clock: FakeClock) -> None:
    clock.set(START + 30 * MIN)
    warroom.ok("act", incident, "resolve")
    clock.set(START + 35 * MIN)
    # The scribe remembers: "we mitigated at 18:14". Both places for --at work.
    warroom.ok("act", incident, "--at", "2026-11-26T18:14Z", "status", "mitigating")
    warroom.ok("act", incident, "note", "failover", "done", "--at", "-25m")
    state = shown(warroom, incident)
    assert state["status"] == "resolved"
    assert state["milestones"]["mitigated"] == iso(START + 14 * MIN)
    assert state["milestones"]["resolved"] == iso(START + 30 * MIN)
    assert state["elapsed_seconds"] == 30 * 60
    assert json.loads(warroom.ok("list", "--json").stdout)[0]["status"] == "resolved"
    records = events_of(warroom, incident)
    assert [r["at"] for r in records[2:]] == [iso(START + 14 * MIN), iso(START + 10 * MIN)]
    as_of = shown(warroom, incident, "--at", "2026-11-26T18:20Z")
    assert (as_of["status"], as_of["elapsed_seconds"], as_of["events"]) == ("mitigating", 20 * 60, 3)


@pytest.mark.parametrize(
    "args, expected",
    [
        (["act", "INC-1", "status", "fixed"], "unknown status 'fixed': expected one of investigating, mitigating, resolved"),
        (["act", "INC-1", "check", "99"], "no step 99: expected a number from 1 to 12"),
        (["act", "INC-1", "reopen"], "the incident is not resolved"),
        (["act", "INC-1", "copy"], "`copy` works in the console, where there is a clipboard"),
        (["act", "INC-1", "eta", "whenever"], "bad ETA 'whenever'"),
        (["act", "INC-1", "resolved", "the", "cache", "issue"], "`resolve` takes nothing after it"),
        (["act", "INC-1", "status", "mitigating", "--at", "+5m"], "bad time '+5m'"),
        (["act", "INC-1", "status", "mitigating", "--at", "2030-01-01T00:00Z"], "--at '2030-01-01T00:00Z' is in the future"),
        (["act", "INC-404", "resolve"], "no incident 'INC-404'"),
        (["act", "INC-1"], "Missing argument 'COMMAND...'."),
    ],
)
def test_act_refusals(warroom: Warroom, incident: str, args: list[str], expected: str) -> None:
    assert warroom.refused(*args).startswith(expected)


# --- list and show ----------------------------------------------------------------------------------------


def test_list(warroom: Warroom, clock: FakeClock) -> None:
    assert warroom.ok("list").stdout.startswith("No incidents yet.")
    assert json.loads(warroom.ok("list", "--json").stdout) == []
    warroom.ok("declare", "-s", "P1", "-t", "Checkout is down")
    clock.advance(minutes=10)
    warroom.ok("declare", "-s", "P2", "-t", "Search\x1b[31m is slow")
    clock.advance(minutes=5)
    warroom.ok("act", "INC-1", "resolve")
    rows = json.loads(warroom.ok("list", "--json").stdout)
    assert [(r["id"], r["severity"], r["status"], r["duration_seconds"], r["events"], r["verified"]) for r in rows] == [
        ("INC-2", "P2", "investigating", 300, 1, True), ("INC-1", "P1", "resolved", 900, 2, True),
    ]
    assert rows[1]["resolved_at"] == iso(START + 15 * MIN) and rows[1]["started_at"] == iso(START)
    table = warroom.ok("list").stdout.splitlines()
    assert table[0].split() == ["ID", "SEV", "STATUS", "STARTED", "DURATION", "LOG", "TITLE"]
    assert table[1].startswith("INC-2") and "\x1b" not in table[1] and "Search\\x1b[31m is slow" in table[1]
    assert table[2].split()[:3] == ["INC-1", "P1", "resolved"] and " ok " in table[2]


def test_show(warroom: Warroom, incident: str, clock: FakeClock) -> None:
    clock.advance(minutes=20)
    warroom.ok("act", incident, "notify")
    text = warroom.ok("show", incident).stdout
    assert text.splitlines()[0] == f"{incident}  P1  INVESTIGATING  Checkout is down"
    assert "elapsed    20m 00s" in text and "response   1h: pending, 40m 00s left" in text
    assert "ladder     On-call Engineer: notified, Engineering Manager: due, CTO: waiting, CEO: waiting" in text
    assert "phase      Detection & Analysis (past its window by 5m 00s)" in text
    state = shown(warroom, incident)
    assert {"id", "title", "severity", "status", "started_at", "elapsed_seconds"} <= state.keys()
    assert (state["id"], state["title"], state["severity"], state["status"]) == (incident, "Checkout is down", "P1", "investigating")
    assert (state["started_at"], state["elapsed_seconds"]) == (iso(START), 1200)
    assert state["response"] == {"target": "1h", "due_at": iso(START + 60 * MIN), "state": "pending", "met_at": None, "seconds_left": 2400}
    assert state["phase"] == {"id": "detection", "name": "Detection & Analysis", "seconds_left": -300}
    assert state["rungs_due"] == ["manager"] and state["next_rung"] == "cto"
    assert state["next_update_due"] == iso(START + 30 * MIN)
    warroom.ok("act", incident, "phase", "next")  # Containment: 15-30m, 10 minutes left
    assert "phase      Containment (10m 00s left in its window)" in warroom.ok("show", incident).stdout
    warroom.ok("act", incident, "resolve")  # the clock stops: no window counting down
    assert "phase      Containment\n" in warroom.ok("show", incident).stdout


def test_show_at_a_past_time(warroom: Warroom, incident: str, clock: FakeClock) -> None:
    clock.set(START + 10 * MIN)
    warroom.ok("act", incident, "status", "mitigating")
    clock.set(START + 40 * MIN)
    warroom.ok("act", incident, "resolve")
    assert shown(warroom, incident, "--at", iso(START + 5 * MIN))["status"] == "investigating"
    at_ten = shown(warroom, incident, "--at", iso(START + 10 * MIN))
    assert (at_ten["status"], at_ten["as_of"], at_ten["elapsed_seconds"]) == ("mitigating", iso(START + 10 * MIN), 600)
    assert shown(warroom, incident, "--at", "now")["status"] == "resolved"
    assert shown(warroom, incident, "--at", "-1m")["status"] == "mitigating"
    assert warroom.refused("show", incident, "--at", iso(START - MIN)) == f"{incident}: nothing had happened yet at " + \
        (START - MIN).astimezone().strftime("%H:%M")


@pytest.mark.parametrize(
    "args, expected",
    [
        (["show", "INC-2"], "no incident 'INC-2' in "),
        (["show", ""], "no incident given: expected an id like INC-3, or 'latest'"),
        (["show", "INC-1", "--at", "teatime"], "bad time 'teatime'"),
        (["show", "INC-1", "--at", "2026-11-27T09:00Z"], "--at '2026-11-27T09:00Z' is in the future"),
        (["show", "INC-1", "--json", "--at"], "Option '--at' requires an argument."),
    ],
)
def test_show_refusals(warroom: Warroom, incident: str, args: list[str], expected: str) -> None:
    assert warroom.refused(*args).startswith(expected)


# --- export, import, verify --------------------------------------------------------------------------------


@pytest.fixture
def busy_incident(warroom: Warroom, incident: str, clock: FakeClock) -> str:
    for line in ("status mitigating", "check 1", "notify", "ack", "sev P0", "eta 30m", "note ünïcödé — fine ✓"):
        clock.advance(minutes=3)
        warroom.ok("act", incident, line)
    warroom.ok("log", incident, "-", "--kind", "alert", input="a\nb\n")
    return incident


def test_export_jsonl_imports_back_byte_for_byte(warroom: Warroom, busy_incident: str, tmp_path: Path) -> None:
    exported = warroom.ok("export", busy_incident, "--format", "jsonl").stdout
    path = tmp_path / "incident.jsonl"
    path.write_text(exported, encoding="utf-8")
    fresh = tmp_path / "fresh.db"
    assert warroom.ok("import", str(path), db=fresh).stdout == f"imported {busy_incident}\n"
    out = tmp_path / "again.jsonl"
    warroom.ok("export", busy_incident, "-o", str(out), db=fresh)
    assert out.read_bytes() == path.read_bytes() == exported.encode("utf-8")
    assert warroom.ok("verify", db=fresh).stdout == "ok: 1 incident, 10 events, every chain verifies\n"
    assert shown(warroom, busy_incident) == json.loads(warroom.ok("show", busy_incident, "--json", db=fresh).stdout)


def test_export_json(warroom: Warroom, busy_incident: str, tmp_path: Path) -> None:
    document = json.loads(warroom.ok("export", busy_incident, "--format", "json").stdout)
    assert document["incident"]["id"] == busy_incident and document["incident"]["severity"] == "P0"
    assert [e["seq"] for e in document["events"]] == list(range(1, 11))
    assert document["events"][0]["kind"] == "declared" and len(document["events"][5]["hash"]) == 64


def test_export_to_a_folder_that_is_not_there_writes_nothing(warroom: Warroom, incident: str, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "out.jsonl"
    assert warroom.refused("export", incident, "-o", str(target)) == f"{target}: cannot write it (No such file or directory)"
    assert not target.parent.exists()
    assert warroom.refused("export", incident, "--format", "xml").startswith("Invalid value for '--format'")


def test_a_tampered_export_is_refused_and_nothing_written(warroom: Warroom, busy_incident: str, tmp_path: Path) -> None:
    lines = warroom.ok("export", busy_incident).stdout.splitlines()
    record = json.loads(lines[4])
    record["payload"] = {"rung": "ceo"}
    lines[4] = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    path = tmp_path / "tampered.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fresh = Warroom(tmp_path / "fresh.db", warroom.clock)
    fresh.ok("declare", "-s", "P2", "-t", "Something else")  # the target already holds an incident of its own
    message = fresh.refused("import", str(path))
    assert message == f"{path}:5: refused, the chain does not verify: {busy_incident} event 5 (ack): its contents do not match its hash"
    assert fresh.snapshot()[0] == 1


def test_importing_the_same_incident_twice_is_refused(warroom: Warroom, busy_incident: str, tmp_path: Path) -> None:
    path = tmp_path / "incident.jsonl"
    warroom.ok("export", busy_incident, "-o", str(path))
    assert warroom.refused("import", str(path)) == f"{path}: refused, incident {busy_incident} is already in {warroom.db}"


@pytest.mark.parametrize(
    "content, expected",
    [
        (None, "{path}: no such file"),
        ("", "{path}: holds no events: expected a jsonl export"),
        ('{"incident": "INC-1", "seq": 1}\nnot json at all\n', "{path}:2: not JSON (Expecting value): expected one exported event per line"),
        ("[1, 2]\n", "{path}:1: expected an exported event (an object with incident, seq, hash)"),
        (b"\xff\xfe binary \x00", "{path}:1: not UTF-8 text: expected a jsonl export"),
        ('{"incident": "INC-1", "seq": 2, "kind": "note"}\n', "{path}:1: refused, the chain does not verify: INC-1 event 1: missing or out of order (found 2)"),
        ('{"incident": "INC-1", "seq": 1}\n', "{path}:1: refused, INC-1 event 1: the field 'kind' is missing"),
    ],
)
def test_import_refusals(warroom: Warroom, incident: str, tmp_path: Path, content, expected: str) -> None:
    path = tmp_path / "export.jsonl"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    message = warroom.refused("import", str(path))
    assert message == expected.format(path=path)


def test_import_a_folder(warroom: Warroom, incident: str, tmp_path: Path) -> None:
    assert warroom.refused("import", str(tmp_path)) == f"{tmp_path}: is a folder: expected a jsonl export"


def test_verify(warroom: Warroom, busy_incident: str) -> None:
    assert warroom.ok("verify").stdout == "ok: 1 incident, 10 events, every chain verifies\n"
    assert warroom.ok("verify", busy_incident).stdout == "ok: 1 incident, 10 events, every chain verifies\n"
    assert warroom.refused("verify", "INC-5").startswith("no incident 'INC-5'")
    conn = sqlite3.connect(warroom.db)
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("UPDATE events SET actor = 'mallory' WHERE seq = 7")
    conn.commit()
    conn.close()
    result = warroom("verify")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr == f"warroom: verify failed: {busy_incident} event 7 (eta): its contents do not match its hash (edited after it was written)\n"


# --- the playbook verb ----------------------------------------------------------------------------------


def test_playbook_check_the_bundled_playbook(warroom: Warroom) -> None:
    result = warroom.ok("playbook", "check")
    assert result.stdout.startswith("Incident Response Playbook: OK\n")
    assert not warroom.db.exists()


def test_playbook_check_a_bad_playbook(warroom: Warroom, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("severities: 5\nphases:\n  - {id: a, window: {start: 10m, end: 5m}}\n", encoding="utf-8")
    result = warroom("playbook", "check", str(path))
    assert result.exit_code == 2 and result.stdout == "" and "Traceback" not in result.output
    assert result.stderr.splitlines() == [
        f"{path}:1: playbook.severities: expected a list, got the number 5",
        f"{path}:3: phases[1].window: ends (5m) before it starts (10m); expected an end after the start",
    ]
    assert warroom.refused("playbook", "check", str(tmp_path / "none.yaml")) == f"{tmp_path / 'none.yaml'}: no such file: expected a YAML playbook"


# --- a database that is not one --------------------------------------------------------------------------


def test_a_corrupt_database_is_one_line(warroom: Warroom, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"\x13\x37" * 4096)
    before = garbage.read_bytes()
    bad = Warroom(garbage, warroom.clock)
    for args in (["list"], ["show", "INC-1"], ["log", "INC-1", "x"], ["declare", "-s", "P1", "-t", "x"], ["verify"]):
        assert bad.refused(*args) == f"{garbage}: not a warroom database (file is not a database)"
    assert garbage.read_bytes() == before


def test_a_truncated_database_is_one_line(warroom: Warroom, busy_incident: str, tmp_path: Path) -> None:
    warroom.ok("log", busy_incident, "-", input="".join(f"line {n} {'x' * 200}\n" for n in range(200)))
    data = warroom.db.read_bytes()
    assert not Path(f"{warroom.db}-wal").exists() or Path(f"{warroom.db}-wal").stat().st_size == 0
    cut = tmp_path / "cut.db"
    cut.write_bytes(data[: len(data) // 3])
    message = Warroom(cut, warroom.clock).refused("show", busy_incident)
    assert message == f"{cut}: not a warroom database (database disk image is malformed)"


def test_a_newer_database_is_one_line(warroom: Warroom, incident: str) -> None:
    conn = sqlite3.connect(warroom.db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    message = warroom.refused("list")
    assert message == f"{warroom.db}: the database has schema version {SCHEMA_VERSION + 5}, newer than this warroom knows ({SCHEMA_VERSION}); upgrade warroom to open it"


READING = [["show", "INC-1"], ["verify"], ["verify", "INC-1"], ["export", "INC-1"], ["stats"], ["watch"], ["replay", "INC-1"]]
MISSING_IS_AN_ERROR = [args for args in READING if args != ["stats"]]  # stats, like list: "No incidents."


@pytest.mark.parametrize("args", MISSING_IS_AN_ERROR + [["log", "latest", "hello"], ["act", "latest", "note hello"]], ids=lambda a: " ".join(a))
def test_a_verb_on_a_database_that_is_not_there_says_so_and_makes_nothing(
    tmp_path: Path, clock: FakeClock, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from warroom.tui import app as app_module

    monkeypatch.setattr(app_module, "require_terminal", lambda: None)  # watch and replay as at a terminal
    missing = tmp_path / "nowhere" / "warroom.db"
    nowhere = Warroom(missing, clock)
    assert nowhere.refused(*args) == f"{missing}: no such database"
    assert not missing.parent.exists()  # neither the file nor its folder


def test_list_and_stats_on_a_database_that_is_not_there_make_nothing(tmp_path: Path, clock: FakeClock) -> None:
    missing = tmp_path / "warroom.db"
    nowhere = Warroom(missing, clock)
    assert nowhere.ok("list").stdout.startswith("No incidents yet.")
    assert json.loads(nowhere.ok("list", "--json").stdout) == []
    assert nowhere.ok("list", "--status", "open").stdout == "No incident matches.\n"
    assert nowhere.ok("stats").stdout == "No incidents.\n"
    assert list(tmp_path.iterdir()) == []


def test_reading_verbs_leave_no_files_beside_the_database(warroom: Warroom, incident: str) -> None:
    before = sorted(warroom.db.parent.iterdir())
    digest = warroom.db.read_bytes()
    for args in READING[:-2] + [["list"], ["show", "--json", incident]]:
        warroom.ok(*args)
        assert sorted(warroom.db.parent.iterdir()) == before, args  # no -wal or -shm left behind
    assert warroom.db.read_bytes() == digest


def test_a_folder_as_the_database_is_one_line(warroom: Warroom, tmp_path: Path) -> None:
    folder = Warroom(tmp_path, warroom.clock)
    assert folder.refused("list") == f"{tmp_path}: is a folder; expected a database file (--db PATH or WARROOM_DB)"


def test_the_context_database_is_kept_unless_an_option_names_another(tmp_path: Path, clock: FakeClock) -> None:
    mine, theirs = tmp_path / "mine.db", tmp_path / "theirs.db"
    runner = CliRunner()
    runner.invoke(cli, ["declare", "-s", "P1", "-t", "x"], obj=Context(str(mine), None, clock=clock))
    runner.invoke(cli, ["--db", str(theirs), "declare", "-s", "P1", "-t", "y"], obj=Context(str(mine), None, clock=clock))
    assert (count_events(mine), count_events(theirs)) == (1, 1)
    with Store(theirs) as store:
        assert store.incidents()[0].title == "y"


@pytest.fixture
def unreadable(tmp_path: Path):
    """A path that exists but cannot be read, even by root: a Unix socket."""
    import socket

    path = tmp_path / "unreadable.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    yield path
    server.close()


def test_unreadable_files_are_one_line(warroom: Warroom, incident: str, unreadable: Path) -> None:
    assert warroom.refused("import", str(unreadable)) == f"{unreadable}: cannot read it (No such device or address): expected a jsonl export"
    assert warroom.refused("playbook", "check", str(unreadable)) == f"{unreadable}: cannot read it (No such device or address)"
    assert warroom.refused("--playbook", str(unreadable), "declare", "-s", "P1", "-t", "x").startswith(f"{unreadable}: cannot read it")
    assert Warroom(unreadable, warroom.clock).refused("list") == f"{unreadable}: is a socket, not a file; expected a database file (--db PATH or WARROOM_DB)"


@pytest.mark.parametrize("verb", [[], ["watch"], ["replay", "1"]], ids=["console", "watch", "replay"])
def test_the_console_without_a_terminal_is_one_line_and_creates_nothing(tmp_path, verb):
    """`warroom < /dev/null > file` and `warroom | cat` used to hang, spinning a core, escape codes in the pipe."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(sys.executable).parent / "warroom"
    if not script.exists():
        pytest.skip("no installed warroom script next to this Python")
    db = tmp_path / "warroom.db"
    result = subprocess.run([str(script), "--db", str(db), *verb], stdin=subprocess.DEVNULL, capture_output=True,
                            timeout=60)
    assert result.returncode == 2
    assert result.stdout == b""
    lines = result.stderr.decode().splitlines()
    assert lines == ["warroom: the console needs a terminal (standard input and output); scripts use `warroom list`, "
                     "`show`, `log`, `act` and `export`"]
    assert not db.exists() and list(tmp_path.iterdir()) == []


def test_act_with_a_typo_is_refused_with_what_was_meant(warroom) -> None:
    incident = warroom.ok("declare", "-s", "P1", "-t", "Checkout down").stdout.strip()
    assert warroom.refused("act", incident, "stauts", "mitigating") == (
        "unknown command `stauts`: did you mean `status`? (for a note, write `note stauts mitigating`)"
    )
    with Store(warroom.db, readonly=True) as store:
        assert [e.kind for e in store.events(incident)] == ["declared"]
