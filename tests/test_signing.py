"""Signed checkpoints (issue 14): `warroom sign`, verify against allowed_signers, checkpoint files beside exports,
and a tamper matrix against a signed and an unsigned log, each with the exact line verify says."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import count_events, declaration_payload
from warroom import events as kinds
from warroom.cli import Context, cli
from warroom.clock import FakeClock
from warroom.events import GENESIS, canonical_json, chain_hash
from warroom.store import Store

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen (OpenSSH 8.9 or later) is not installed")

SIGNED_AT = "2026-11-26 18:21 UTC"  # the fake clock when the busy incident is signed
SAID = f"signed by alex@example.org, 10 events, {SIGNED_AT}"


class Warroom:
    """`warroom ARGS...` against one database with a fake clock (as tests/test_cli.py runs it)."""

    def __init__(self, db: Path, clock: FakeClock) -> None:
        self.db, self.clock = db, clock

    def __call__(self, *args: str, env: dict | None = None, db: Path | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), obj=Context(str(db or self.db), None, clock=self.clock), env=env)

    def ok(self, *args: str, **kwargs) -> str:
        result = self(*args, **kwargs)
        assert result.exit_code == 0, result.output
        assert result.stderr == ""
        return result.stdout

    def failed(self, *args: str, exit_code: int = 1, **kwargs) -> str:
        """One line on stderr (never a traceback) and the exit code; the line without its 'warroom: '."""
        result = self(*args, **kwargs)
        assert result.exit_code == exit_code, result.output
        assert isinstance(result.exception, SystemExit), repr(result.exception)
        assert "Traceback" not in result.output
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        return lines[0].removeprefix("warroom: ")


def make_key(folder: Path, name: str) -> Path:
    key = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{name}@example.org", "-f", str(key)], check=True)
    return key


def fingerprint(key: Path) -> str:
    return subprocess.run(["ssh-keygen", "-l", "-f", str(key)], capture_output=True, text=True, check=True).stdout.split()[1]


def allowed_line(key: Path, options: str = 'namespaces="warroom-checkpoint"', principal: str | None = None) -> str:
    kind, blob = Path(f"{key}.pub").read_text().split()[:2]
    return f"{principal or key.name + '@example.org'} {options} {kind} {blob}\n"


@pytest.fixture
def warroom(db_path: Path, clock: FakeClock) -> Warroom:
    return Warroom(db_path, clock)


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    folder = tmp_path / "keys"
    folder.mkdir()
    for name in ("alex", "eve"):
        make_key(folder, name)
    (folder / "allowed_signers").write_text(allowed_line(folder / "alex"), encoding="utf-8")
    return folder


def busy(warroom: Warroom) -> str:
    """An incident of 10 events: declared, then status, check, notify, ack, sev, eta, note, two alerts."""
    incident = warroom.ok("declare", "--severity", "P1", "--title", "Checkout is down").strip()
    for line in ("status mitigating", "check 1", "notify", "ack", "sev P0", "eta 30m", "note cache flushed"):
        warroom.clock.advance(minutes=3)
        warroom.ok("act", incident, line)
    warroom.ok("log", incident, "a", "--kind", "alert")
    warroom.ok("log", incident, "b", "--kind", "alert")
    return incident


@pytest.fixture
def unsigned(warroom: Warroom, tmp_path: Path) -> str:
    incident = busy(warroom)
    warroom.ok("export", incident, "-o", str(tmp_path / "out.jsonl"))
    return incident


@pytest.fixture
def signed(warroom: Warroom, keys: Path, tmp_path: Path) -> str:
    """The busy incident signed (event 11, the checkpoint of events 1-10), exported with its checkpoint file."""
    incident = busy(warroom)
    out = warroom.ok("sign", incident, "--key", str(keys / "alex"))
    assert out.startswith(f"{incident}: checkpoint at event 11, {SAID} ({fingerprint(keys / 'alex')}); head ")
    warroom.ok("export", incident, "-o", str(tmp_path / "out.jsonl"))
    return incident


# --- tampering, behind warroom's back -------------------------------------------------------------


def tamper(db: Path, *statements: tuple[str, tuple]) -> None:
    """Raw SQL with the append-only triggers dropped for it and put back after, as a careful forger would."""
    conn = sqlite3.connect(db)
    triggers = [sql for (sql,) in conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'")]
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("DROP TRIGGER events_no_delete")
    for sql, parameters in statements:
        conn.execute(sql, parameters)
    for sql in triggers:
        conn.execute(sql)
    conn.commit()
    conn.close()


def fix_index(db: Path, incident: str) -> None:
    """The index's head set to the log's last event, so the chain's own check sees nothing missing."""
    conn = sqlite3.connect(db)
    seq, digest = conn.execute("SELECT seq, hash FROM events WHERE incident = ? ORDER BY seq DESC LIMIT 1", (incident,)).fetchone()
    conn.execute("UPDATE incidents SET last_seq = ?, head_hash = ? WHERE id = ?", (seq, digest, incident))
    conn.commit()
    conn.close()


def rechain(db: Path, incident: str) -> None:
    """Every event's prev_hash and hash recomputed with warroom's own chain_hash: an unkeyed chain fits again."""
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT id, seq, kind, actor, payload, at, recorded_at FROM events WHERE incident = ? ORDER BY seq", (incident,)
    ).fetchall()
    conn.close()
    statements, prev = [], GENESIS
    for row_id, seq, kind, actor, payload, at, recorded_at in rows:
        digest = chain_hash(incident, seq, kind, actor, payload, at, recorded_at, prev)
        statements.append(("UPDATE events SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, row_id)))
        prev = digest
    tamper(db, *statements)
    fix_index(db, incident)


def edit_note(db: Path) -> None:
    tamper(db, ("UPDATE events SET payload = ? WHERE seq = 8", ('{"text":"cache never flushed"}',)))


def test_a_signed_log_verifies_and_says_what_it_checked(warroom: Warroom, signed: str, keys: Path, tmp_path: Path) -> None:
    assert warroom.ok("verify") == (
        "ok: 1 incident, 11 events, every chain verifies\n"
        "1 checkpoint matches the log; signatures not checked (no --allowed-signers)\n"
    )
    allowed = keys / "allowed_signers"
    assert warroom.ok("verify", signed, "--allowed-signers", str(allowed)) == (
        "ok: 1 incident, 11 events, every chain verifies\n"
        f"1 checkpoint matches the log; every signature checked against {allowed} (alex@example.org)\n"
    )
    warroom.ok("act", signed, "note", "after the checkpoint")
    file = tmp_path / "out.jsonl.checkpoint"
    assert warroom.ok("verify", "--allowed-signers", str(allowed), "--checkpoint", str(file)) == (
        "ok: 1 incident, 12 events, every chain verifies\n"
        f"2 checkpoints match the log; every signature checked against {allowed} (alex@example.org)\n"
        f"{signed}: 1 event after its last checkpoint, vouched for by the chain alone\n"
    )


def test_payload_edited(warroom: Warroom, signed: str, keys: Path) -> None:
    edit_note(warroom.db)
    broken = "event 8 (note): its contents do not match its hash (edited after it was written)"
    expected = f"verify failed: {signed}: checkpoint 1 ({SAID}) no longer matches: {broken}"
    assert warroom.failed("verify") == expected
    assert warroom.failed("verify", "--allowed-signers", str(keys / "allowed_signers")) == expected


def test_payload_edited_unsigned(warroom: Warroom, unsigned: str, keys: Path) -> None:
    edit_note(warroom.db)
    expected = f"verify failed: {unsigned} event 8 (note): its contents do not match its hash (edited after it was written)"
    assert warroom.failed("verify") == expected
    assert warroom.failed("verify", "--allowed-signers", str(keys / "allowed_signers")) == expected


def test_middle_event_removed(warroom: Warroom, signed: str, keys: Path) -> None:
    tamper(warroom.db, ("DELETE FROM events WHERE seq = 5", ()))
    expected = f"verify failed: {signed}: checkpoint 1 ({SAID}) no longer matches: event 5: missing (the next one stored is 6)"
    assert warroom.failed("verify") == expected
    assert warroom.failed("verify", "--allowed-signers", str(keys / "allowed_signers")) == expected


def test_middle_event_removed_unsigned(warroom: Warroom, unsigned: str, keys: Path) -> None:
    tamper(warroom.db, ("DELETE FROM events WHERE seq = 5", ()))
    expected = f"verify failed: {unsigned} event 5: missing (the next one stored is 6)"
    assert warroom.failed("verify") == expected
    assert warroom.failed("verify", "--allowed-signers", str(keys / "allowed_signers")) == expected


def test_last_events_removed_and_the_index_fixed(warroom: Warroom, signed: str, keys: Path, tmp_path: Path) -> None:
    """The checkpoint event goes with the truncation: the log alone cannot tell, its checkpoint file can."""
    tamper(warroom.db, ("DELETE FROM events WHERE seq >= 10", ()))
    fix_index(warroom.db, signed)
    allowed = str(keys / "allowed_signers")
    assert warroom.ok("verify", "--allowed-signers", allowed) == (
        "ok: 1 incident, 9 events, every chain verifies\n"
        f"unsigned: {signed} (no checkpoint: a truncation, a re-chained rewrite or a forged append cannot be told)\n"
    )
    file = tmp_path / "out.jsonl.checkpoint"
    expected = f"verify failed: {signed}: the checkpoint in {file} ({SAID}) no longer matches: the log ends at event 9; event 10 was removed"
    assert warroom.failed("verify", "--checkpoint", str(file)) == expected
    assert warroom.failed("verify", signed, "--checkpoint", str(file), "--allowed-signers", allowed) == expected


def test_only_the_checkpoint_event_removed_still_matches_its_file(warroom: Warroom, signed: str, tmp_path: Path) -> None:
    tamper(warroom.db, ("DELETE FROM events WHERE seq = 11", ()))
    fix_index(warroom.db, signed)
    assert warroom.ok("verify", "--checkpoint", str(tmp_path / "out.jsonl.checkpoint")) == (
        "ok: 1 incident, 10 events, every chain verifies\n"
        "1 checkpoint matches the log; signatures not checked (no --allowed-signers)\n"
    )


def test_last_event_removed_and_the_index_fixed_unsigned(warroom: Warroom, unsigned: str, keys: Path) -> None:
    tamper(warroom.db, ("DELETE FROM events WHERE seq = 10", ()))
    fix_index(warroom.db, unsigned)
    assert warroom.ok("verify") == "ok: 1 incident, 9 events, every chain verifies\n"  # an unkeyed chain cannot tell
    assert warroom.ok("verify", "--allowed-signers", str(keys / "allowed_signers")) == (
        "ok: 1 incident, 9 events, every chain verifies\n"
        f"unsigned: {unsigned} (no checkpoint: a truncation, a re-chained rewrite or a forged append cannot be told)\n"
    )


def test_rechained_rewrite(warroom: Warroom, signed: str, keys: Path) -> None:
    edit_note(warroom.db)
    rechain(warroom.db, signed)
    expected = (
        f"verify failed: {signed}: checkpoint 1 ({SAID}) no longer matches: "
        "event 10's hash differs (the log up to it was rewritten and re-chained)"
    )
    assert warroom.failed("verify") == expected
    assert warroom.failed("verify", "--allowed-signers", str(keys / "allowed_signers")) == expected


def test_rechained_rewrite_without_the_checkpoint_event(warroom: Warroom, signed: str, keys: Path, tmp_path: Path) -> None:
    tamper(warroom.db, ("DELETE FROM events WHERE seq = 11", ()))
    edit_note(warroom.db)
    rechain(warroom.db, signed)
    assert warroom.ok("verify") == "ok: 1 incident, 10 events, every chain verifies\n"
    file = tmp_path / "out.jsonl.checkpoint"
    assert warroom.failed("verify", "--checkpoint", str(file)) == (
        f"verify failed: {signed}: the checkpoint in {file} ({SAID}) no longer matches: "
        "event 10's hash differs (the log up to it was rewritten and re-chained)"
    )


def test_rechained_rewrite_unsigned(warroom: Warroom, unsigned: str, keys: Path) -> None:
    edit_note(warroom.db)
    rechain(warroom.db, unsigned)
    assert warroom.ok("verify") == "ok: 1 incident, 10 events, every chain verifies\n"  # an unkeyed chain cannot tell
    assert warroom.ok("verify", "--allowed-signers", str(keys / "allowed_signers")).endswith(
        f"unsigned: {unsigned} (no checkpoint: a truncation, a re-chained rewrite or a forged append cannot be told)\n"
    )


@pytest.mark.parametrize("log", ["signed", "unsigned"])
def test_incidents_table_edited_alone(warroom: Warroom, log: str, request: pytest.FixtureRequest) -> None:
    incident = request.getfixturevalue(log)
    conn = sqlite3.connect(warroom.db)
    conn.execute("UPDATE incidents SET status_at = '2020-01-01T00:00:00.000Z'")
    conn.commit()
    conn.close()
    assert warroom.failed("verify") == (
        f"verify failed: {incident}: the index says status_at '2020-01-01T00:00:00.000Z', the log says "
        "'2026-11-26T18:03:00.000Z'; `warroom verify --fix-index` rebuilds the index from the log"
    )
    assert warroom.ok("verify", "--fix-index").startswith(
        f"rebuilt the index of {incident} from the log: it said status_at '2020-01-01T00:00:00.000Z', the log says "
        "'2026-11-26T18:03:00.000Z'\nok: 1 incident"
    )
    conn = sqlite3.connect(warroom.db)
    conn.execute("UPDATE incidents SET severity_at = '2026-11-26T18:00:00.000Z'")
    conn.commit()
    conn.close()
    assert warroom.failed("verify").startswith(f"verify failed: {incident}: the index says severity_at '2026-11-26T18:00:00.000Z', the log says '2026-11-26T18:15:00.000Z'")


@pytest.mark.parametrize("log", ["signed", "unsigned"])
def test_incident_row_removed_from_the_index(warroom: Warroom, log: str, request: pytest.FixtureRequest) -> None:
    incident = request.getfixturevalue(log)
    conn = sqlite3.connect(warroom.db)
    conn.execute("DELETE FROM incidents")
    conn.commit()
    conn.close()
    events = 11 if log == "signed" else 10
    assert warroom.failed("verify") == (
        f"verify failed: {incident}: {events} events in the log, but no row in the incidents table (removed from the index outside warroom)"
    )


def truncated_export(tmp_path: Path, lines: int) -> Path:
    out = tmp_path / "out.jsonl"
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(out.read_text(encoding="utf-8").splitlines(keepends=True)[:lines]), encoding="utf-8")
    return cut


def test_truncated_export_then_import(warroom: Warroom, signed: str, keys: Path, tmp_path: Path) -> None:
    cut = truncated_export(tmp_path, 9)
    fresh = tmp_path / "fresh.db"
    assert warroom.ok("import", str(cut), db=fresh) == f"imported {signed}\n"
    assert warroom.ok("verify", db=fresh) == "ok: 1 incident, 9 events, every chain verifies\n"
    file = tmp_path / "out.jsonl.checkpoint"
    assert warroom.failed("verify", "--checkpoint", str(file), db=fresh) == (
        f"verify failed: {signed}: the checkpoint in {file} ({SAID}) no longer matches: the log ends at event 9; event 10 was removed"
    )
    whole = tmp_path / "whole.db"
    warroom.ok("import", str(tmp_path / "out.jsonl"), db=whole)  # the whole export, elsewhere: its checkpoint holds
    assert warroom.ok("verify", "--checkpoint", str(file), "--allowed-signers", str(keys / "allowed_signers"), db=whole).startswith(
        "ok: 1 incident, 11 events, every chain verifies\n2 checkpoints match the log; every signature checked"
    )


def test_truncated_export_then_import_unsigned(warroom: Warroom, unsigned: str, keys: Path, tmp_path: Path) -> None:
    assert not (tmp_path / "out.jsonl.checkpoint").exists()
    cut = truncated_export(tmp_path, 9)
    fresh = tmp_path / "fresh.db"
    warroom.ok("import", str(cut), db=fresh)
    assert warroom.ok("verify", "--allowed-signers", str(keys / "allowed_signers"), db=fresh) == (
        "ok: 1 incident, 9 events, every chain verifies\n"
        f"unsigned: {unsigned} (no checkpoint: a truncation, a re-chained rewrite or a forged append cannot be told)\n"
    )


def cut_beside(tmp_path: Path, lines: int, name: str = "cut.jsonl") -> Path:
    """The export cut to its first `lines` events, with its checkpoint file beside it, as it was written."""
    cut = truncated_export(tmp_path, lines).rename(tmp_path / name)
    shutil.copyfile(tmp_path / "out.jsonl.checkpoint", tmp_path / f"{name}.checkpoint")
    return cut


def test_a_truncated_export_with_its_checkpoint_beside_it_is_refused_and_nothing_written(
    warroom: Warroom, signed: str, keys: Path, tmp_path: Path
) -> None:
    fresh = tmp_path / "fresh.db"
    for lines, expected in (
        (9, "the log ends at event 9; event 10 was removed"),
        (6, "the log ends at event 6; events 7-10 were removed"),
    ):
        cut = cut_beside(tmp_path, lines)
        assert warroom.failed("import", str(cut), db=fresh) == (
            f"{cut}: refused, {cut}.checkpoint ({SAID}) does not match: {expected}"
        )
        assert not fresh.exists()
    # Only the checkpoint event cut off: the first 10 events still end in its head (as verify --checkpoint says).
    cut = cut_beside(tmp_path, 10)
    assert warroom.ok("import", str(cut), "--allowed-signers", str(keys / "allowed_signers"), db=fresh) == f"imported {signed}\n"


def test_an_export_whose_checkpoint_beside_it_does_not_hold_is_refused(
    warroom: Warroom, signed: str, keys: Path, tmp_path: Path
) -> None:
    fresh = tmp_path / "fresh.db"
    out = tmp_path / "out.jsonl"
    checkpoint = tmp_path / "out.jsonl.checkpoint"
    whole = checkpoint.read_text(encoding="utf-8")
    # Re-chained: the records rewritten with warroom's own chain hash, so the chain alone still verifies.
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    records[7]["payload"] = {"text": "cache never flushed"}
    prev = GENESIS
    for record in records:
        record["prev_hash"] = prev
        record["hash"] = prev = chain_hash(
            record["incident"], record["seq"], record["kind"], record["actor"], canonical_json(record["payload"]), record["at"],
            record["recorded_at"], record["prev_hash"],
        )
    rewritten = tmp_path / "rewritten.jsonl"
    rewritten.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    (tmp_path / "rewritten.jsonl.checkpoint").write_text(whole, encoding="utf-8")
    assert warroom.failed("import", str(rewritten), db=fresh) == (
        f"{rewritten}: refused, {rewritten}.checkpoint ({SAID}) does not match: event 10's hash differs "
        "(the log up to it was rewritten and re-chained)"
    )
    # Another log of the same incident (its event 1 differs), whose chain is sound.
    fresh_log = tmp_path / "elsewhere.db"
    Warroom(fresh_log, warroom.clock).ok("declare", "--severity", "P2", "--title", "Elsewhere")
    elsewhere = tmp_path / "elsewhere.jsonl"
    Warroom(fresh_log, warroom.clock).ok("export", signed, "-o", str(elsewhere))
    (tmp_path / "elsewhere.jsonl.checkpoint").write_text(whole, encoding="utf-8")
    first = json.loads(elsewhere.read_text(encoding="utf-8").splitlines()[0])["hash"]
    assert warroom.failed("import", str(elsewhere), db=fresh) == (
        f"{elsewhere}: refused, {elsewhere}.checkpoint ({SAID}) does not match: event 1 differs "
        f"(its hash begins {first[:16]}, not {whole.split(chr(10))[0].rsplit('/', 1)[1]})"
    )
    # Another incident's checkpoint beside it; one that is no checkpoint at all; a signature that is not alex's.
    other = whole.replace(f"warroom/{signed}/", "warroom/INC-9/", 1)
    checkpoint.write_text(other, encoding="utf-8")
    assert warroom.failed("import", str(out), db=fresh) == (
        f"{out}: refused, {checkpoint} (signed by alex@example.org, 10 events, {SIGNED_AT}) is a checkpoint of INC-9, "
        f"which {out} does not hold"
    )
    checkpoint.write_text("not a checkpoint\n", encoding="utf-8")
    assert warroom.failed("import", str(out), db=fresh, exit_code=2) == (
        f"{checkpoint}: not a warroom checkpoint: no blank line between the note and its signature"
    )
    checkpoint.write_text(whole, encoding="utf-8")
    only_eve = keys / "only_eve"
    only_eve.write_text(allowed_line(keys / "eve"), encoding="utf-8")
    line = warroom.failed("import", str(out), "--allowed-signers", str(only_eve), db=fresh)
    assert line.startswith(f"{out}: refused, {checkpoint} ({SAID}): its key SHA256:") and line.endswith(f"is not in {only_eve}")
    assert not fresh.exists()
    # The whole export with its own checkpoint: imported, its signature checked.
    assert warroom.ok("import", str(out), "--allowed-signers", str(keys / "allowed_signers"), db=fresh) == f"imported {signed}\n"


# --- who signed -----------------------------------------------------------------------------------


def test_a_key_not_in_allowed_signers(warroom: Warroom, keys: Path) -> None:
    incident = busy(warroom)
    warroom.ok("sign", incident, "--key", str(keys / "eve"))
    assert warroom.failed("verify", "--allowed-signers", str(keys / "allowed_signers")) == (
        f"verify failed: {incident}: checkpoint 1 (signed by eve@example.org, 10 events, {SIGNED_AT}): "
        f"its key {fingerprint(keys / 'eve')} is not in {keys / 'allowed_signers'}"
    )
    assert warroom.ok("verify").endswith("signatures not checked (no --allowed-signers)\n")


def test_a_signer_not_allowed_to_sign_checkpoints(warroom: Warroom, signed: str, keys: Path) -> None:
    allowed = keys / "git_signers"
    allowed.write_text(allowed_line(keys / "alex", 'namespaces="git"'), encoding="utf-8")
    assert warroom.failed("verify", "--allowed-signers", str(allowed)) == (
        f"verify failed: {signed}: checkpoint 1 ({SAID}): its key {fingerprint(keys / 'alex')} is not allowed to sign "
        f"warroom-checkpoint (the namespaces of its line in {allowed})"
    )


def test_an_expired_signer(warroom: Warroom, signed: str, keys: Path) -> None:
    allowed = keys / "expired_signers"
    allowed.write_text(allowed_line(keys / "alex", 'valid-before="20260101"'), encoding="utf-8")
    assert warroom.failed("verify", "--allowed-signers", str(allowed)) == (
        f"verify failed: {signed}: checkpoint 1 ({SAID}): its key {fingerprint(keys / 'alex')} had expired when it signed "
        f"(valid-before 2026-01-01T00:00:00 in {allowed})"
    )
    # Retired after it signed: what it signed before still stands (verified as of the checkpoint's time, as git does).
    allowed.write_text(allowed_line(keys / "alex", 'valid-before="20261127"'), encoding="utf-8")
    warroom.ok("verify", "--allowed-signers", str(allowed))


def test_a_revoked_key(warroom: Warroom, signed: str, keys: Path) -> None:
    allowed = keys / "allowed_signers"
    assert warroom.failed("verify", "--allowed-signers", str(allowed), "--revoked", str(keys / "alex.pub")) == (
        f"verify failed: {signed}: checkpoint 1 ({SAID}): its key {fingerprint(keys / 'alex')} (alex@example.org) is revoked "
        f"(in {keys / 'alex.pub'})"
    )
    warroom.ok("verify", "--allowed-signers", str(allowed), "--revoked", str(keys / "eve.pub"))


def test_a_checkpoint_file_forged_for_fewer_events(warroom: Warroom, signed: str, keys: Path, tmp_path: Path) -> None:
    """A note changed to claim the log's first 9 events: it matches the log, but its signature is not of it."""
    conn = sqlite3.connect(warroom.db)
    (head,) = conn.execute("SELECT hash FROM events WHERE seq = 9").fetchone()
    conn.close()
    file = tmp_path / "out.jsonl.checkpoint"
    lines = file.read_text(encoding="utf-8").split("\n")
    lines[1:3] = ["9", head]
    forged = tmp_path / "forged.checkpoint"
    forged.write_text("\n".join(lines), encoding="utf-8")
    assert warroom.ok("verify", "--checkpoint", str(forged)).startswith("ok: 1 incident, 11 events")
    assert warroom.failed("verify", "--checkpoint", str(forged), "--allowed-signers", str(keys / "allowed_signers")) == (
        f"verify failed: {signed}: the checkpoint in {forged} (signed by alex@example.org, 9 events, {SIGNED_AT}): "
        "its signature does not verify (Signature verification failed: incorrect signature)"
    )


def test_sign_through_the_agent(warroom: Warroom, keys: Path, tmp_path: Path) -> None:
    if shutil.which("ssh-agent") is None or shutil.which("ssh-add") is None:
        pytest.skip("ssh-agent is not installed")
    incident = busy(warroom)
    public = tmp_path / "public" / "alex.pub"  # alone: ssh-keygen finds no private key beside it, only the agent's
    public.parent.mkdir()
    shutil.copy(keys / "alex.pub", public)
    socket = tmp_path / "agent.sock"
    agent = subprocess.Popen(["ssh-agent", "-D", "-a", str(socket)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if socket.exists():
                break
            subprocess.run(["sleep", "0.05"])
        env = {"SSH_AUTH_SOCK": str(socket)}
        assert warroom.failed("sign", incident, "--key", str(public), env=env, exit_code=2).startswith(
            f"{incident}: not signed: ssh-keygen -Y sign failed with {public}: "
        )
        subprocess.run(["ssh-add", "-q", str(keys / "alex")], env={**os.environ, **env}, check=True, capture_output=True)
        assert warroom.ok("sign", incident, env={**env, "WARROOM_SIGNING_KEY": str(public)}).startswith(
            f"{incident}: checkpoint at event 11, {SAID}"
        )
    finally:
        agent.send_signal(signal.SIGTERM)
        agent.wait(timeout=10)
    assert warroom.ok("verify", "--allowed-signers", str(keys / "allowed_signers")).startswith("ok: 1 incident, 11 events")


# --- at resolve -----------------------------------------------------------------------------------


def test_resolving_signs_when_a_key_is_configured(warroom: Warroom, keys: Path) -> None:
    incident = busy(warroom)
    warroom.clock.advance(minutes=3)
    env = {"WARROOM_SIGNING_KEY": str(keys / "alex")}
    assert warroom.ok("act", incident, "resolve", env=env) == f"{incident}: incident resolved\n"
    assert count_events(warroom.db) == 12
    warroom.ok("act", incident, "reopen")  # no key configured: nothing signed
    assert count_events(warroom.db) == 13
    assert warroom.ok("act", incident, "status", "resolved", env=env) == f"{incident}: incident resolved\n"
    assert warroom.ok("verify", "--allowed-signers", str(keys / "allowed_signers")) == (
        "ok: 1 incident, 15 events, every chain verifies\n"
        f"2 checkpoints match the log; every signature checked against {keys / 'allowed_signers'} (alex@example.org)\n"
    )


def test_resolving_with_a_key_that_does_not_sign_still_resolves(warroom: Warroom, keys: Path, tmp_path: Path) -> None:
    incident = busy(warroom)
    result = warroom("act", incident, "resolve", env={"WARROOM_SIGNING_KEY": str(tmp_path / "none")})
    assert result.exit_code == 1 and result.stdout == f"{incident}: incident resolved\n"
    assert result.stderr == (
        f"{incident}: resolved, but not signed: {tmp_path / 'none'}: no such key file "
        "(--key or WARROOM_SIGNING_KEY: an SSH private key, or a public key in ssh-agent)\n"
    )
    assert count_events(warroom.db) == 11


@contextlib.asynccontextmanager
async def resolved_in_the_console(store: Store, clock: FakeClock, playbook):
    """A fresh incident opened in the console and resolved there (R, then y): (app, pilot, incident id)."""
    from warroom.tui.app import make_app

    incident = store.declare(declaration_payload(playbook, clock.now()), actor="Alex").incident
    app = make_app(store, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("R")
        await pilot.press("y")
        await pilot.pause()
        yield app, pilot, incident


async def _until(pilot, done, pauses: int = 200) -> None:
    """Bounded pauses until `done()` (ssh-keygen signs in the console's thread, not in the key's handler)."""
    for _ in range(pauses):
        if done():
            return
        await pilot.pause(0.02)
    assert done()


def verified_with_signatures(db_path: Path, clock: FakeClock, keys: Path) -> str:
    return Warroom(db_path, clock).ok("verify", "--allowed-signers", str(keys / "allowed_signers"))


async def test_the_console_resolve_signs(db_path: Path, clock: FakeClock, playbook, keys: Path, monkeypatch) -> None:
    from warroom.tui.screens.console import ConsoleScreen

    monkeypatch.setenv("WARROOM_SIGNING_KEY", str(keys / "alex"))
    with Store(db_path, clock=clock) as store:
        async with resolved_in_the_console(store, clock, playbook) as (app, pilot, incident):
            await _until(pilot, lambda: len(store.events(incident)) == 3)
            assert isinstance(app.screen, ConsoleScreen)
            assert [e.kind for e in store.events(incident)] == [kinds.DECLARED, kinds.RESOLVED, kinds.CHECKPOINT]
            await _until(pilot, lambda: app.screen.state.events == 3)  # the console read the checkpoint it wrote
    assert verified_with_signatures(db_path, clock, keys).startswith(
        "ok: 1 incident, 3 events, every chain verifies\n1 checkpoint matches the log; every signature checked"
    )


@pytest.fixture
def held_signer(monkeypatch):
    """ssh-keygen's `-Y sign` held until the test lets it go (an agent waiting for its holder to confirm)."""
    from warroom import checkpoint

    go = threading.Event()
    real = checkpoint._run

    def waiting(arguments, data=None, **kwargs):
        if "-Y" in arguments and "sign" in arguments:
            assert go.wait(30), "the test never let the signature go"
        return real(arguments, data, **kwargs)

    monkeypatch.setattr(checkpoint, "_run", waiting)
    return go


async def test_the_console_takes_keys_while_the_key_signs(db_path: Path, clock: FakeClock, playbook, keys: Path,
                                                         monkeypatch, held_signer) -> None:
    monkeypatch.setenv("WARROOM_SIGNING_KEY", str(keys / "alex"))
    with Store(db_path, clock=clock) as store:
        async with resolved_in_the_console(store, clock, playbook) as (app, pilot, incident):
            assert app.screen.run_command("note paged the vendor while the signature waits")  # not frozen
            await pilot.pause()
            assert [e.kind for e in store.events(incident)] == [kinds.DECLARED, kinds.RESOLVED, kinds.NOTE]
            held_signer.set()
            await _until(pilot, lambda: len(store.events(incident)) == 4)
            assert store.events(incident)[-1].kind == kinds.CHECKPOINT
            await _until(pilot, lambda: app.screen.state.events == 4)  # the console read the checkpoint it wrote
    # The signature covers the log as it was resolved (2 events): the note after it is beyond the checkpoint.
    assert "1 checkpoint matches the log; every signature checked" in verified_with_signatures(db_path, clock, keys)


async def test_quitting_while_the_key_signs_still_records_the_signature(db_path: Path, clock: FakeClock, playbook,
                                                                         keys: Path, monkeypatch, held_signer) -> None:
    monkeypatch.setenv("WARROOM_SIGNING_KEY", str(keys / "alex"))
    with Store(db_path, clock=clock) as store:
        async with resolved_in_the_console(store, clock, playbook) as (app, pilot, incident):
            assert len(store.events(incident)) == 2  # still signing
            threading.Timer(0.3, held_signer.set).start()  # the agent answers just after the commander quits
        assert [e.kind for e in store.events(incident)] == [kinds.DECLARED, kinds.RESOLVED, kinds.CHECKPOINT]
    assert verified_with_signatures(db_path, clock, keys).startswith(
        "ok: 1 incident, 3 events, every chain verifies\n1 checkpoint matches the log; every signature checked"
    )


# --- the checkpoint file beside an export ---------------------------------------------------------


def test_export_writes_the_latest_checkpoint_beside_it(warroom: Warroom, signed: str, keys: Path, tmp_path: Path) -> None:
    conn = sqlite3.connect(warroom.db)
    (first,), (head,) = conn.execute("SELECT hash FROM events WHERE seq IN (1, 10) ORDER BY seq").fetchall()
    conn.close()
    text = (tmp_path / "out.jsonl.checkpoint").read_text(encoding="utf-8")
    note, signature = text.split("\n\n")
    assert note == f"warroom/{signed}/{first[:16]}\n10\n{head}\ntime 2026-11-26T18:21:00.000Z"
    assert signature.startswith(f"\u2014 alex@example.org {fingerprint(keys / 'alex')}\n-----BEGIN SSH SIGNATURE-----\n")
    assert signature.endswith("-----END SSH SIGNATURE-----\n")
    warroom.clock.advance(minutes=1)
    warroom.ok("sign", signed, env={"WARROOM_SIGNING_KEY": str(keys / "alex")})
    report = tmp_path / "report.md"
    warroom.ok("export", signed, "--format", "md", "-o", str(report))
    assert (tmp_path / "report.md.checkpoint").read_text(encoding="utf-8").split("\n")[1] == "11"  # the latest
    assert "Signed checkpoint of the first 11 events by alex" in report.read_text(encoding="utf-8")
    assert warroom.ok("export", signed).count("\n") == 12  # to standard output: no file beside it


def test_an_export_of_an_unsigned_log_removes_a_stale_checkpoint_file(warroom: Warroom, signed: str, tmp_path: Path) -> None:
    other = warroom.ok("declare", "--severity", "P2", "--title", "Search is slow").strip()
    warroom.ok("export", other, "-o", str(tmp_path / "out.jsonl"))  # over the signed incident's export
    assert not (tmp_path / "out.jsonl.checkpoint").exists()


# --- bad input: one line, nothing written ---------------------------------------------------------


def test_sign_refusals_write_nothing(warroom: Warroom, keys: Path, tmp_path: Path) -> None:
    incident = busy(warroom)
    not_a_key = tmp_path / "not-a-key"
    not_a_key.write_text("hello\n", encoding="utf-8")
    cases = [
        (["sign", incident], {}, 2, "no signing key: give --key PATH or set WARROOM_SIGNING_KEY (an SSH private key file, "
                                    "or a public key whose private half is in ssh-agent)"),
        (["sign", incident, "--key", str(tmp_path / "none")], {}, 2,
         f"{tmp_path / 'none'}: no such key file (--key or WARROOM_SIGNING_KEY: an SSH private key, or a public key in ssh-agent)"),
        (["sign", incident, "--key", str(tmp_path)], {}, 2, f"{tmp_path}: is not a file: expected an SSH key file"),
        (["sign", incident, "--key", str(not_a_key)], {}, 2, f"{not_a_key}: not an SSH key ({not_a_key} is not a public key file.)"),
        (["sign", "INC-9", "--key", str(keys / "alex")], {}, 2, f"no incident 'INC-9' in {warroom.db} (`warroom list` shows them)"),
        (["sign", incident, "--key", str(keys / "alex")], {"PATH": str(tmp_path / "empty")}, 2,
         "ssh-keygen is not installed (OpenSSH 8.9 or later signs and checks checkpoints)"),
    ]
    for args, env, code, expected in cases:
        assert warroom.failed(*args, env=env, exit_code=code) == expected
    assert count_events(warroom.db) == 10
    edit_note(warroom.db)
    assert warroom.failed("sign", incident, "--key", str(keys / "alex")) == (
        f"{incident}: not signed, its log does not verify: {incident} event 8 (note): its contents do not match its hash "
        "(edited after it was written)"
    )
    assert count_events(warroom.db) == 10
    missing = tmp_path / "nowhere.db"
    assert warroom.failed("sign", "INC-1", "--key", str(keys / "alex"), db=missing, exit_code=2) == f"{missing}: no such database"
    assert not missing.exists()


def test_sign_refuses_a_log_rewritten_below_its_checkpoint(warroom: Warroom, signed: str, keys: Path) -> None:
    edit_note(warroom.db)
    rechain(warroom.db, signed)
    assert warroom.failed("sign", signed, "--key", str(keys / "alex")) == (
        f"{signed}: not signed, its log does not verify: {signed}: checkpoint 1 ({SAID}) no longer matches: "
        "event 10's hash differs (the log up to it was rewritten and re-chained)"
    )
    assert count_events(warroom.db) == 11


def test_verify_refuses_bad_files_in_one_line(warroom: Warroom, signed: str, keys: Path, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.checkpoint"
    garbage.write_text("not a checkpoint at all\n", encoding="utf-8")
    bad_count = tmp_path / "bad-count.checkpoint"
    bad_count.write_text((tmp_path / "out.jsonl.checkpoint").read_text(encoding="utf-8").replace("\n10\n", "\nten\n", 1), encoding="utf-8")
    binary = tmp_path / "binary.checkpoint"
    binary.write_bytes(b"\xff\xfe\x00")
    no_signature = tmp_path / "unsigned.checkpoint"
    no_signature.write_text((tmp_path / "out.jsonl.checkpoint").read_text(encoding="utf-8").split("\n\n")[0] + "\n\n", encoding="utf-8")
    cases = [
        (["--checkpoint", str(garbage)], f"{garbage}: not a warroom checkpoint: no blank line between the note and its signature"),
        (["--checkpoint", str(bad_count)], f"{bad_count}: not a warroom checkpoint: line 2 is 'ten': expected the event count, a number from 1"),
        (["--checkpoint", str(binary)], f"{binary}: not UTF-8 text: expected a checkpoint file (written beside an export)"),
        (["--checkpoint", str(no_signature)], f"{no_signature}: not a warroom checkpoint: line 6 is '': expected '— SIGNER SHA256:KEY'"),
        (["--checkpoint", str(tmp_path / "none")], f"{tmp_path / 'none'}: no such file: expected a checkpoint file (written beside an export)"),
        (["--checkpoint", str(tmp_path)], f"{tmp_path}: is a folder: expected a checkpoint file (written beside an export)"),
        (["--allowed-signers", str(tmp_path / "none")], f"{tmp_path / 'none'}: no such file: expected an allowed_signers file"),
        (["--allowed-signers", str(tmp_path)], f"{tmp_path}: is a folder: expected an allowed_signers file"),
        (["--revoked", str(keys / "eve.pub")], "--revoked needs --allowed-signers FILE: the keys to check signatures against"),
    ]
    for args, expected in cases:
        assert warroom.failed("verify", *args, exit_code=2) == expected
    broken = keys / "broken_signers"
    broken.write_text("alex@example.org\n", encoding="utf-8")
    assert warroom.failed("verify", "--allowed-signers", str(broken)) == (
        f"verify failed: {signed}: checkpoint 1 ({SAID}): {broken} does not read as allowed_signers ({broken}:1: missing key)"
    )


def test_a_checkpoint_of_another_log(warroom: Warroom, signed: str, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.db"
    assert Warroom(fresh, warroom.clock).ok("declare", "--severity", "P2", "--title", "Elsewhere") == f"{signed}\n"
    file = tmp_path / "out.jsonl.checkpoint"
    log_id = file.read_text(encoding="utf-8").split("\n")[0].rsplit("/", 1)[1]
    conn = sqlite3.connect(fresh)
    (first,) = conn.execute("SELECT hash FROM events WHERE seq = 1").fetchone()
    conn.close()
    assert warroom.failed("verify", "--checkpoint", str(file), db=fresh) == (
        f"verify failed: {signed}: the checkpoint in {file} ({SAID}) no longer matches: event 1 differs "
        f"(its hash begins {first[:16]}, not {log_id})"
    )


def test_a_checkpoint_of_an_incident_removed_whole(warroom: Warroom, signed: str, tmp_path: Path) -> None:
    tamper(warroom.db, ("DELETE FROM events", ()), ("DELETE FROM incidents", ()))
    file = tmp_path / "out.jsonl.checkpoint"
    assert warroom.failed("verify", "--checkpoint", str(file)) == (
        f"verify failed: {signed}: the checkpoint in {file} ({SAID}) names an incident not in the incidents table"
    )
