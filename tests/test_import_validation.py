"""`warroom import` checks every record before anything is written: a forged log that hashes consistently
is still refused, with one `FILE:LINE:` line naming the record, and no database is made or changed."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import START, count_events
from forge import jsonl, rechain, tree, write_jsonl
from test_cli import Warroom
from warroom import events as kinds
from warroom.clock import FakeClock, iso
from warroom.errors import WarroomError
from warroom.store import Store

MIN = timedelta(minutes=1)


@pytest.fixture
def warroom(tmp_path: Path, clock: FakeClock) -> Warroom:
    """The command line, on a database of its own (`exported` fills the `store` fixture's)."""
    return Warroom(tmp_path / "target.db", clock)


@pytest.fixture
def exported(store: Store, declare, clock: FakeClock) -> list[dict[str, Any]]:
    """One incident with an event of every kind, as `export --format jsonl` writes it (line N is seq N)."""
    incident = declare(runbooks=["database"])
    for kind, payload in [
        (kinds.NOTE, {"text": "rolled back"}),
        (kinds.ALERT, {"text": "p99 > 2s"}),
        (kinds.STATUS, {"status": "mitigating"}),
        (kinds.SEVERITY, {"severity": "P0"}),
        (kinds.IMPACT, {"impact": "EU checkout"}),
        (kinds.TITLE, {"title": "Checkout is slow"}),
        (kinds.ETA, {"eta": iso(START + 60 * MIN)}),
        (kinds.CHECK, {"list": "detection", "step": 2, "text": "Manual incident reporting"}),
        (kinds.UNCHECK, {"list": "detection", "step": 2, "text": "Manual incident reporting"}),
        (kinds.PHASE, {"phase": "containment"}),
        (kinds.RUNBOOK, {"runbook": "api"}),
        (kinds.NOTIFY, {"rung": "oncall"}),
        (kinds.ACK, {"rung": "oncall"}),
        (kinds.ROLE, {"role": "scribe", "name": "Sam"}),
        (kinds.COPIED, {"what": "internal", "name": "Internal Alert", "text": "P0 checkout", "via": "osc52"}),
        (kinds.RESOLVED, {}),
        (kinds.REOPENED, {}),
        (kinds.ETA, {"eta": None}),
    ]:
        clock.advance(30)
        store.append(incident, kind, payload)
    return [event.to_record() for event in store.events(incident)]


def seq_of(records: list[dict], kind: str) -> int:
    return next(r["seq"] for r in records if r["kind"] == kind)


def edit(kind: str, change: Callable[[dict], Any]) -> Callable[[list[dict]], int]:
    """A forgery: change the first record of `kind`; returns its line."""

    def forge(records: list[dict]) -> int:
        record = next(r for r in records if r["kind"] == kind)
        line = record["seq"]
        change(record)
        return line

    return forge


def set_payload(kind: str, **fields: Any) -> Callable[[list[dict]], int]:
    return edit(kind, lambda r: r["payload"].update(fields))


def drop_declared(records: list[dict]) -> int:
    del records[0]
    for record in records:
        record["seq"] -= 1
    return 1


def second_declared(records: list[dict]) -> int:
    declared = copy.deepcopy(records[0])
    declared["seq"] = len(records) + 1
    declared["at"] = declared["recorded_at"] = records[-1]["recorded_at"]
    records.append(declared)
    return declared["seq"]


def recorded_back(records: list[dict]) -> int:
    records[3]["recorded_at"] = records[3]["at"] = records[1]["recorded_at"][:-5] + "000Z"
    records[3]["at"] = records[0]["at"]
    records[3]["recorded_at"] = records[0]["recorded_at"]
    return 4


FORGERIES: dict[str, tuple[Callable[[list[dict]], int], str]] = {
    # the record itself
    "kind with controls": (edit("note", lambda r: r.update(kind="no\x1b]0;PWNED\x07te")), "unknown kind 'no\\x1b]0;PWNED\\x07te'"),
    "unknown kind": (edit("note", lambda r: r.update(kind="page")), "unknown kind 'page': expected one of declared, note"),
    "actor a number": (edit("note", lambda r: r.update(actor=7)), "kind and actor must be text (got 'note' and the number 7)"),
    "actor empty": (edit("note", lambda r: r.update(actor="  ")), "the actor is empty"),
    "seq a boolean": (edit("declared", lambda r: r.update(seq=True)), "missing or out of order (found true)"),
    "at yesterday": (edit("note", lambda r: r.update(at="yesterday")), "at: expected a stored time like 2026-11-26T18:14:05.000Z, got 'yesterday'"),
    "at three-digit year": (edit("note", lambda r: r.update(at="500-01-01T00:00:00.000Z")), "at: expected a stored time"),
    "at year 500": (edit("note", lambda r: r.update(at="0500-01-01T00:00:00.000Z")), "at: '0500-01-01T00:00:00.000Z' is out of range"),
    "at without milliseconds": (edit("note", lambda r: r.update(at="2026-11-26T18:00:30Z")), "at: expected a stored time"),
    "at month 13": (edit("note", lambda r: r.update(at="2026-13-26T18:00:30.000Z")), "is not a date and time"),
    "recorded_at not text": (edit("note", lambda r: r.update(recorded_at=1764180030)), "recorded_at: expected a stored time"),
    "recorded_at goes back": (recorded_back, "before the event ahead of it"),
    "happened after recorded": (edit("note", lambda r: r.update(at="2026-11-26T19:00:00.000Z")), "after it was recorded"),
    "recorded in year 9999": (edit("reopened", lambda r: r.update(recorded_at="9999-01-01T00:00:00.000Z")), "is in the future"),
    "lone surrogate": (set_payload("note", text="caf\udce9"), "is not UTF-8 text (the byte \\xe9 at character 4)"),
    "surrogate in a key": (edit("note", lambda r: r["payload"].update({"\ud800": 1})), "not UTF-8 text (a lone surrogate \\ud800"),
    "incident id with controls": (edit("declared", lambda r: r.update(incident="\x1b]0;PWNED\x07")), "the incident id '\\x1b]0;PWNED\\x07' is not one"),
    # payloads
    "payload a list": (edit("note", lambda r: r.update(payload=["text"])), "payload: expected an object, got a list"),
    "note without text": (edit("note", lambda r: r.update(payload={})), "payload.text: missing"),
    "note text a number": (set_payload("note", text=5), "payload.text: expected text, got the number 5"),
    "unknown field": (set_payload("note", colour="red"), "payload.colour: not a field a note event has (expected text)"),
    "resolved with a field": (set_payload("resolved", status="x"), "payload.status: not a field a resolved event has (expected nothing)"),
    "eta soon": (set_payload("eta", eta="soon"), "payload.eta: expected a stored time like 2026-11-26T18:14:05.000Z, got 'soon'"),
    "status unknown": (set_payload("status", status="fixed"), "payload.status: 'fixed' is not a status"),
    "severity unknown": (set_payload("severity", severity="P9"), "payload.severity: 'P9' is not a severity of the incident's playbook"),
    "phase unknown": (set_payload("phase", phase="nowhere"), "payload.phase: 'nowhere' is not a phase"),
    "runbook unknown": (set_payload("runbook", runbook="k8s"), "payload.runbook: 'k8s' is not a runbook"),
    "rung unknown": (set_payload("notify", rung="pope"), "payload.rung: 'pope' is not a rung"),
    "check list unknown": (set_payload("check", list="nowhere"), "payload.list: 'nowhere' is not a list"),
    "check step text": (set_payload("check", step="2"), "payload.step: expected a step number from 1, got '2'"),
    "check step boolean": (set_payload("check", step=True), "payload.step: expected a step number from 1, got true"),
    "check step zero": (set_payload("check", step=0), "payload.step: expected a step number from 1, got the number 0"),
    "check step past the end": (set_payload("uncheck", step=99), "payload.step: 99 is past the last step of detection"),
    "check without text": (edit("check", lambda r: r["payload"].pop("text")), "payload.text: missing"),
    "role name a list": (set_payload("role", name=["Sam"]), "payload.name: expected text, got a list"),
    "copied without via": (edit("copied", lambda r: r["payload"].pop("via")), "payload.via: missing"),
    # the declaration
    "no declared event": (drop_declared, "the first event is note: expected the incident's declared event"),
    "declared twice": (second_declared, "a second declared event"),
    "no playbook": (edit("declared", lambda r: r["payload"].pop("playbook")), "payload.playbook: missing"),
    "playbook a list": (set_payload("declared", playbook=[]), "payload.playbook: expected a playbook (an object), got a list"),
    "playbook broken": (set_payload("declared", playbook={"severities": 5}), "payload.playbook does not load: the playbook in INC-1's log:"),
    "declared severity unknown": (set_payload("declared", severity="SEV-1"), "payload.severity: 'SEV-1' is not a severity"),
    "declared runbooks unknown": (set_payload("declared", runbooks=["database", "k8s"]), "payload.runbooks: 'k8s' is not a runbook"),
    "started_at garbage": (set_payload("declared", started_at="2026-11-26 18:00"), "payload.started_at: expected a stored time"),
    "started_at far ahead": (set_payload("declared", started_at="9999-12-01T00:00:00.000Z"), "payload.started_at 9999-12-01T00:00:00.000Z is in the future"),
    "title missing": (edit("declared", lambda r: r["payload"].pop("title")), "payload.title: missing"),
    "title a mapping": (set_payload("title", title={"x": 1}), "payload.title: expected text, got an object"),
}


@pytest.mark.parametrize("name", FORGERIES)
def test_a_forged_but_hash_consistent_log_is_refused_naming_its_line(
    name: str, exported: list[dict], warroom: Warroom, tmp_path: Path,
) -> None:
    forge, expected = FORGERIES[name]
    records = copy.deepcopy(exported)
    line = forge(records)
    path = write_jsonl(tmp_path / "forged.jsonl", rechain(records))
    # Into a database that is not there yet: refused, and no file made.
    fresh = Warroom(tmp_path / "fresh" / "new.db", warroom.clock)
    before = tree(tmp_path)
    message = fresh.refused("import", str(path))
    assert message.startswith(f"{path}:{line}: refused, "), message
    assert expected in message, message
    assert "\x1b" not in message and "\udce9" not in message  # the line quotes the forgery, visibly
    assert tree(tmp_path) == before
    # Into one that holds an incident: refused, and the file exactly as it was.
    warroom.ok("declare", "-s", "P2", "-t", "Something else")
    before = tree(tmp_path)
    assert warroom.refused("import", str(path)) == message.removeprefix("warroom: ")
    assert tree(tmp_path) == before


def test_the_unforged_log_imports(exported: list[dict], warroom: Warroom, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "sound.jsonl", rechain(copy.deepcopy(exported)))
    assert warroom.ok("import", str(path)).stdout == "imported INC-1\n"
    assert warroom.ok("verify").stdout == f"ok: 1 incident, {len(exported)} events, every chain verifies\n"
    assert json.loads(warroom.ok("show", "INC-1", "--json").stdout)["title"] == "Checkout is slow"


def test_records_of_two_incidents_are_checked_each_on_its_own_chain(
    exported: list[dict], warroom: Warroom, tmp_path: Path,
) -> None:
    second = copy.deepcopy(exported[:3])
    for record in second:
        record["incident"] = "INC-2"
    second[2]["payload"] = {"text": 5}
    records = rechain([*copy.deepcopy(exported[:2]), *second, *copy.deepcopy(exported[2:])])
    path = write_jsonl(tmp_path / "two.jsonl", records)
    assert warroom.refused("import", str(path)).startswith(f"{path}:5: refused, INC-2 event 3 (alert): payload.text")
    assert not warroom.db.exists()


def test_a_tampered_record_is_reported_as_tampering_before_what_it_holds(
    exported: list[dict], warroom: Warroom, tmp_path: Path,
) -> None:
    records = copy.deepcopy(exported)
    records[1]["payload"] = {"text": 5}  # not re-chained
    path = write_jsonl(tmp_path / "tampered.jsonl", records)
    result = warroom("import", str(path))
    assert result.exit_code == 1  # a failed check, as `verify` exits
    assert result.stderr == f"{path}:2: refused, the chain does not verify: INC-1 event 2 (note): its contents do not match its hash\n"


@pytest.mark.parametrize(
    "line, expected",
    [
        ('{"incident": "INC-1", "seq": NaN}', "not an export (NaN is not a number JSON has)"),
        ('{"incident": "INC-1", "seq": Infinity}', "not an export (Infinity is not a number JSON has)"),
        ('{"incident": "INC-1", "seq": ' + "9" * 5000 + "}", "not an export (Exceeds the limit (4300 digits) for integer string conversion"),
        ('{"incident": "INC-1", "payload": ' + "[" * 100_000 + "]" * 100_000 + "}", "not an export (nested too deep)"),
        ('{"incident": ["INC-1"]}', "expected an exported event (an object with incident, seq, hash)"),
    ],
    ids=["nan", "infinity", "huge number", "deep nesting", "incident a list"],
)
def test_json_that_is_not_an_export_is_one_line(line: str, expected: str, exported: list[dict], warroom: Warroom, tmp_path: Path) -> None:
    path = tmp_path / "odd.jsonl"
    path.write_text(jsonl(exported[:2]) + line + "\n", encoding="utf-8")
    assert warroom.refused("import", str(path)).startswith(f"{path}:3: {expected}")
    assert not warroom.db.exists()


def test_a_line_that_is_not_utf8_is_named(exported: list[dict], warroom: Warroom, tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(jsonl(exported[:2]).encode() + b'{"incident": "caf\xe9"}\n')
    assert warroom.refused("import", str(path)) == f"{path}:3: not UTF-8 text: expected a jsonl export"


def test_the_store_checks_an_import_itself(exported: list[dict], tmp_path: Path, clock: FakeClock) -> None:
    """Store.import_records, called without the command line, refuses the same forgeries (numbering records)."""
    from warroom.store import check_import

    records = copy.deepcopy(exported)
    records[4]["payload"]["severity"] = "P9"
    rechain(records)
    with Store(tmp_path / "other.db", clock=clock) as other:
        with pytest.raises(WarroomError, match=r"^export.jsonl: record 5: refused, INC-1 event 5 \(severity\): payload.severity: 'P9'"):
            other.import_records(records, "export.jsonl")
        assert other.incidents() == []
    assert count_events(tmp_path / "other.db") == 0
    with pytest.raises(WarroomError, match=r"^x.jsonl:8: refused"):
        check_import(records, "x.jsonl", [n + 4 for n in range(len(records))], clock.now())
