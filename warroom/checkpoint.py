"""Signed checkpoints: an incident's event count and head hash, signed with an SSH key and checked against the log.

A checkpoint is a small text note after C2SP's tlog-checkpoint, signed by `ssh-keygen -Y sign` (OpenSSH 8.9 or
later: verify uses -Overify-time), stored as a `checkpoint` event and written beside every export.

The note (what is signed, byte for byte; README "Signed records"):

    warroom/INC-3/3f2a9c1e0b7d4e56      origin: the incident, and the first 16 hex digits of its declared event's hash
    14                                  how many events it covers (events 1-14)
    9b1f...(64 hex digits)              the hash of event 14, as the log stores it (hex, not C2SP's base64)
    time 2026-11-26T18:40:00.000Z       when it was signed (an extension line)

A checkpoint file (`FILE.checkpoint` beside an export) is the note, a blank line, a signer line
`— NAME SHA256:FINGERPRINT` (what the signer said of itself: a hint, checked against allowed_signers), then
the SSH signature armor. The `checkpoint` event holds the same four parts as its payload.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from warroom import events as kinds
from warroom.clock import iso, parse_iso, stored_time_problem, truncate_ms
from warroom.errors import WarroomError, quoted
from warroom.events import Event, chain_hash

NAMESPACE = "warroom-checkpoint"  # ssh-keygen's -n: a checkpoint signature is never mistaken for a git or ssh one
KEY_VARIABLE = "WARROOM_SIGNING_KEY"
LOG_ID_DIGITS = 16
SIGNER_MARK = "\u2014 "  # C2SP's signature lines start with an em dash and a space
_ORIGIN = re.compile(r"warroom/([A-Za-z0-9][A-Za-z0-9._-]{0,63})/([0-9a-f]{16})\Z")
_COUNT = re.compile(r"[1-9][0-9]{0,17}\Z")
_HEAD = re.compile(r"[0-9a-f]{64}\Z")
_FINGERPRINT = re.compile(r"SHA256:[A-Za-z0-9+/]{43}\Z")
_ARMOR_BEGIN, _ARMOR_END = "-----BEGIN SSH SIGNATURE-----", "-----END SSH SIGNATURE-----"
_LARGEST_FILE = 64 * 1024


@dataclass(frozen=True)
class Checkpoint:
    """A signed claim: the first `count` events of `incident`'s log end in the hash `head`."""

    incident: str
    log_id: str
    count: int
    head: str
    signed_at: datetime
    signer: str = ""
    key: str = ""
    signature: str = ""

    @property
    def note(self) -> str:
        """The text that is signed."""
        return f"warroom/{self.incident}/{self.log_id}\n{self.count}\n{self.head}\ntime {iso(self.signed_at)}\n"

    def file_text(self) -> str:
        return f"{self.note}\n{SIGNER_MARK}{self.signer} {self.key}\n{self.signature.rstrip(chr(10))}\n"

    def payload(self) -> dict[str, str]:
        return {"checkpoint": self.note, "signature": self.signature, "signer": self.signer, "key": self.key}

    def said(self) -> str:
        """What names it in a message: who signed it (as it says), what it covers, when."""
        when = self.signed_at.strftime("%Y-%m-%d %H:%M UTC")
        events = f"{self.count} event{'s' if self.count != 1 else ''}"
        return f"signed by {self.signer or self.key or 'an unnamed key'}, {events}, {when}"


def parse_note(text: str, where: str) -> tuple[str, str, int, str, datetime]:
    """The note's incident, log id, count, head and time; one line naming what is wrong otherwise."""
    lines = text.split("\n")
    if len(lines) != 5 or lines[-1] != "":
        raise WarroomError(f"{where}: not a warroom checkpoint: expected 4 lines (origin, event count, head hash, time)")
    origin, count, head, when = lines[:4]
    expected = (
        (_ORIGIN.match(origin), 1, "the origin warroom/INCIDENT/LOG-ID"),
        (_COUNT.match(count), 2, "the event count, a number from 1"),
        (_HEAD.match(head), 3, "the head hash, 64 hex digits"),
        (when.startswith("time ") and stored_time_problem(when[5:]) is None, 4, "time and a UTC time like 2026-11-26T18:40:00.000Z"),
    )
    for found, number, what in expected:
        if not found:
            raise WarroomError(f"{where}: not a warroom checkpoint: line {number} is {quoted(lines[number - 1])}: expected {what}")
    match = _ORIGIN.match(origin)
    assert match is not None
    return match.group(1), match.group(2), int(count), head, parse_iso(when[5:])


def from_payload(payload: dict, where: str) -> Checkpoint:
    incident, log_id, count, head, when = parse_note(str(payload.get("checkpoint", "")), where)
    return Checkpoint(incident, log_id, count, head, when, str(payload.get("signer", "")), str(payload.get("key", "")),
                      str(payload.get("signature", "")))


def read_file(path: str) -> Checkpoint:
    """A checkpoint file (written beside an export); one `FILE: ...` line for what is not one."""
    what = "expected a checkpoint file (written beside an export)"
    try:
        with open(path, "rb") as handle:
            if not os.path.isfile(path):
                raise WarroomError(f"{path}: is not a file: {what}")
            raw = handle.read(_LARGEST_FILE + 1)
    except FileNotFoundError:
        raise WarroomError(f"{path}: no such file: {what}") from None
    except IsADirectoryError:
        raise WarroomError(f"{path}: is a folder: {what}") from None
    except OSError as error:
        raise WarroomError(f"{path}: cannot read it ({error.strerror}): {what}") from None
    if len(raw) > _LARGEST_FILE:
        raise WarroomError(f"{path}: too large for a checkpoint ({_LARGEST_FILE // 1024} KB at most): {what}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise WarroomError(f"{path}: not UTF-8 text: {what}") from None
    note, blank, rest = text.partition("\n\n")
    if not blank:
        raise WarroomError(f"{path}: not a warroom checkpoint: no blank line between the note and its signature")
    incident, log_id, count, head, when = parse_note(note + "\n", path)
    signer_line, _, armor = rest.partition("\n")
    if not signer_line.startswith(SIGNER_MARK) or len(signer_line.split(" ")) < 3:
        raise WarroomError(f"{path}: not a warroom checkpoint: line 6 is {quoted(signer_line)}: expected '— SIGNER SHA256:KEY'")
    signer, _, key = signer_line[len(SIGNER_MARK):].rpartition(" ")
    if not armor.startswith(_ARMOR_BEGIN + "\n") or armor.rstrip("\n").split("\n")[-1] != _ARMOR_END:
        raise WarroomError(f"{path}: not a warroom checkpoint: expected an SSH signature ({_ARMOR_BEGIN}) after line 6")
    return Checkpoint(incident, log_id, count, head, when, signer, key, armor.rstrip("\n") + "\n")


# --- ssh-keygen -------------------------------------------------------------------------------------


def _ssh_keygen() -> str:
    found = shutil.which("ssh-keygen")
    if found is None:
        raise WarroomError("ssh-keygen is not installed (OpenSSH 8.9 or later signs and checks checkpoints)")
    return found


def _run(arguments: Sequence[str], data: str | None = None, *, interactive: bool = False) -> subprocess.CompletedProcess:
    """ssh-keygen with `data` on standard input. Not `interactive`: in a session of its own, with no terminal
    to ask a passphrase on (the console's screen is not one to type it into)."""
    try:
        return subprocess.run(
            [_ssh_keygen(), *arguments], input=(data or "").encode("utf-8"), capture_output=True,
            start_new_session=not interactive, timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise WarroomError(f"ssh-keygen did not run: {error}") from None


def _said_by(result: subprocess.CompletedProcess) -> str:
    """ssh-keygen's own last line on standard error (what it says went wrong)."""
    lines = [line.strip() for line in result.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("Signing data on standard input")]
    return lines[-1] if lines else f"exit status {result.returncode}"


def configured_key(key: str | None = None) -> str | None:
    """`--key`, else WARROOM_SIGNING_KEY: a private key file, or a public one whose private half is in ssh-agent."""
    return key or os.environ.get(KEY_VARIABLE) or None


def key_identity(key: str) -> tuple[str, str]:
    """The key's SHA256 fingerprint and its comment (often NAME@HOST), read by `ssh-keygen -l`."""
    path = Path(key).expanduser()
    if not path.exists():
        raise WarroomError(f"{key}: no such key file (--key or {KEY_VARIABLE}: an SSH private key, or a public key in ssh-agent)")
    if not path.is_file():
        raise WarroomError(f"{key}: is not a file: expected an SSH key file")
    if not os.access(path, os.R_OK):
        raise WarroomError(f"{key}: cannot read it (permission denied): expected an SSH key file")
    result = _run(["-l", "-f", str(path)])
    fields = result.stdout.decode("utf-8", "replace").split()
    if result.returncode != 0 or len(fields) < 2 or not _FINGERPRINT.match(fields[1]):
        raise WarroomError(f"{key}: not an SSH key ({_said_by(result)})")
    comment = " ".join(fields[2:-1]) if len(fields) > 3 else ""
    return fields[1], comment


# --- signing ----------------------------------------------------------------------------------------


def head_of(store, incident_id: str) -> tuple[str, int, str]:
    """The log id (from the declared event's hash), the last event's seq and its hash, as stored."""
    first = store.conn.execute("SELECT hash FROM events WHERE incident = ? AND seq = 1", (incident_id,)).fetchone()
    last = store.conn.execute(
        "SELECT seq, hash FROM events WHERE incident = ? ORDER BY seq DESC LIMIT 1", (incident_id,)
    ).fetchone()
    if first is None or last is None:
        raise WarroomError(f"{incident_id}: has no events to sign")
    return first[0][:LOG_ID_DIGITS], last[0], last[1]


@dataclass(frozen=True)
class Signing:
    """A signature under way, in the three steps `sign` takes: `prepare` (reads the log: the caller's thread),
    `signed` (ssh-keygen alone, which may wait on an agent: a worker thread's), `record` (appends: the caller's
    thread again). The console resolves without waiting for the key; the CLI runs the three in a row."""

    key: str
    unsigned: Checkpoint
    signer: str

    @classmethod
    def prepare(cls, store, incident_id: str, key: str | None, *, actor: str | None = None) -> Signing:
        """The checkpoint to sign, of the log as it is now; refused unless the log verifies (chain and earlier
        checkpoints) and the key is an SSH key."""
        key = configured_key(key)
        if key is None:
            raise WarroomError(
                f"no signing key: give --key PATH or set {KEY_VARIABLE} (an SSH private key file, or a public key whose "
                "private half is in ssh-agent)"
            )
        fingerprint, comment = key_identity(key)
        problem = log_problem(store, incident_id)
        if problem:
            raise WarroomError(f"{incident_id}: not signed, its log does not verify: {problem}", exit_code=1)
        log_id, count, head = head_of(store, incident_id)
        unsigned = Checkpoint(incident_id, log_id, count, head, truncate_ms(store.clock.now()), key=fingerprint)
        return cls(key, unsigned, comment or actor or "")

    def signed(self, *, interactive: bool = False) -> Checkpoint:
        """The checkpoint with ssh-keygen's signature: touches no store, so any thread may run it."""
        unsigned = self.unsigned
        result = _run(["-Y", "sign", "-n", NAMESPACE, "-f", str(Path(self.key).expanduser())], unsigned.note, interactive=interactive)
        armor = result.stdout.decode("utf-8", "replace")
        if result.returncode != 0 or not armor.startswith(_ARMOR_BEGIN):
            raise WarroomError(f"{unsigned.incident}: not signed: ssh-keygen -Y sign failed with {self.key}: {_said_by(result)}")
        return replace(unsigned, signer=self.signer, signature=armor)

    def record(self, store, checkpoint: Checkpoint, *, actor: str | None = None) -> Event:
        """The checkpoint event appended. Events appended since `prepare` stay after it, unsigned until the next
        checkpoint: the signature covers the first COUNT events, which the log still holds."""
        return store.append(checkpoint.incident, kinds.CHECKPOINT, checkpoint.payload(), actor=actor)


def sign(store, incident_id: str, key: str | None, *, actor: str | None = None, interactive: bool = True) -> tuple[Event, Checkpoint]:
    """Sign the incident's log as it is now and append the checkpoint event. Nothing is written unless the
    log verifies (chain and earlier checkpoints) and ssh-keygen signed."""
    signing = Signing.prepare(store, incident_id, key, actor=actor)
    checkpoint = signing.signed(interactive=interactive)
    return signing.record(store, checkpoint, actor=actor), checkpoint


def resolves(event: Event) -> bool:
    """The event resolves the incident (`resolve`, or `status resolved`)."""
    return resolving(event.kind, event.payload)


def resolving(kind: str, payload: dict) -> bool:
    """An event of this kind and payload would resolve the incident."""
    return kind == kinds.RESOLVED or (kind == kinds.STATUS and payload.get("status") == "resolved")


def after_resolve(store, event: Event | None, *, interactive: bool = False) -> str | None:
    """The hook the CLI and the console call after recording an event: when it resolved the incident and a
    key is configured (WARROOM_SIGNING_KEY), sign the log. Never raises: returns what went wrong, in a line."""
    if event is None or not resolves(event) or configured_key() is None:
        return None
    try:
        sign(store, event.incident, None, actor=event.actor, interactive=interactive)
    except WarroomError as error:
        return f"resolved, but not signed: {error}"
    return None


def latest(store, incident_id: str) -> Checkpoint | None:
    """The incident's latest checkpoint event, as a checkpoint (what is written beside an export)."""
    row = store.conn.execute(
        "SELECT seq, payload FROM events WHERE incident = ? AND kind = ? ORDER BY seq DESC LIMIT 1",
        (incident_id, kinds.CHECKPOINT),
    ).fetchone()
    if row is None:
        return None
    return from_payload(json.loads(row[1]), f"{incident_id} event {row[0]} (checkpoint)")


def write_beside(store, incident_id: str, output: str, write) -> str | None:
    """After `export -o FILE`: FILE.checkpoint holds the latest checkpoint, or is removed (a stale one would
    belong to another export). `write(text, path)` writes a whole file. Returns the path written, if one."""
    if not output or output == "-" or not os.path.isfile(output):
        return None  # standard output, or a pipe or device: no file to put one beside
    target = f"{output}.checkpoint"
    checkpoint = latest(store, incident_id)
    if checkpoint is None:
        if os.path.isfile(target):
            os.unlink(target)
        return None
    write(checkpoint.file_text(), target)
    return target


# --- checking ---------------------------------------------------------------------------------------


@dataclass
class Signers:
    """An allowed_signers file (and a revocation list) that checkpoint signatures are checked against."""

    allowed: str
    revoked: str | None = None
    principals: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        for path, what in ((self.allowed, "an allowed_signers file"), (self.revoked, "a revocation list (KRL or public keys)")):
            if path is None:
                continue
            try:
                with open(path, "rb") as handle:
                    handle.read(1)
            except FileNotFoundError:
                raise WarroomError(f"{path}: no such file: expected {what}") from None
            except IsADirectoryError:
                raise WarroomError(f"{path}: is a folder: expected {what}") from None
            except OSError as error:
                raise WarroomError(f"{path}: cannot read it ({error.strerror}): expected {what}") from None
        _ssh_keygen()

    def problem(self, checkpoint: Checkpoint) -> str | None:
        """None when a key allowed_signers lists for this namespace, valid when the checkpoint was signed and
        not revoked, signed its note; else what is wrong, in words."""
        when = ["-Overify-time=" + checkpoint.signed_at.strftime("%Y%m%d%H%M%SZ")]
        with tempfile.TemporaryDirectory(prefix="warroom-verify-") as folder:
            signature = Path(folder) / "checkpoint.sig"
            signature.write_text(checkpoint.signature, encoding="utf-8")
            sig = ["-s", str(signature)]
            result = _run(["-Y", "check-novalidate", "-n", NAMESPACE, *sig], checkpoint.note)
            if result.returncode != 0:
                return f"its signature does not verify ({_said_by(result)})"
            found = re.search(r"key (SHA256:\S+)", result.stdout.decode("utf-8", "replace"))
            key = found.group(1) if found else "of the signature"
            result = _run(["-Y", "find-principals", "-f", self.allowed, *sig, *when])
            principals = result.stdout.decode("utf-8", "replace").split()
            if result.returncode != 0 or not principals:
                return self._refused(result, key)
            principal = principals[0]
            verify = ["-Y", "verify", "-f", self.allowed, "-I", principal, "-n", NAMESPACE, *sig, *when]
            result = _run([*verify, *(["-r", self.revoked] if self.revoked else [])], checkpoint.note)
            if result.returncode != 0:
                if self.revoked and _run(verify, checkpoint.note).returncode == 0:
                    return f"its key {key} ({principal}) is revoked (in {self.revoked})"
                return self._refused(result, key, principal)
        self.principals.add(principal)
        return None

    def _refused(self, result: subprocess.CompletedProcess, key: str, principal: str | None = None) -> str:
        """Why ssh-keygen found no principal, or did not verify: in words, from what it said (OpenSSH 8.9-9.x)."""
        said = result.stderr.decode("utf-8", "replace")
        if "key has expired" in said:
            limit = re.search(r"valid-before (\S+)", said)
            return f"its key {key} had expired when it signed (valid-before {limit.group(1) if limit else '?'} in {self.allowed})"
        if "not yet valid" in said:
            limit = re.search(r"valid-after (\S+)", said)
            return f"its key {key} was not yet valid when it signed (valid-after {limit.group(1) if limit else '?'} in {self.allowed})"
        if "not permitted for use in signature namespace" in said:
            return f"its key {key} is not allowed to sign {NAMESPACE} (the namespaces of its line in {self.allowed})"
        broken = re.search(r"(\S+:\d+: [^\r\n]*)", said)
        if broken and "missing key" in said:
            return f"{self.allowed} does not read as allowed_signers ({broken.group(1)})"
        if principal is None:
            return f"its key {key} is not in {self.allowed}"
        return f"its signature does not verify for {principal} ({_said_by(result)})"


def _chain_break(rows: Iterable[tuple], incident_id: str) -> int | None:
    """The seq of the first event that does not fit the chain (missing, not chained, or edited)."""
    expected, prev = 1, kinds.GENESIS
    for _, _, seq, kind, actor, payload, at, recorded_at, stored_prev, digest in rows:
        if seq != expected or stored_prev != prev:
            return expected if seq != expected else seq
        if chain_hash(incident_id, seq, kind, actor, payload, at, recorded_at, prev) != digest:
            return seq
        prev, expected = digest, seq + 1
    return None


@dataclass
class Verified:
    """What checking an incident's checkpoints found, for verify's closing lines."""

    checkpoints: int = 0
    unsigned: list[str] = field(default_factory=list)  # incidents with no checkpoint
    beyond: list[tuple[str, int]] = field(default_factory=list)  # (incident, events after its last checkpoint)


def log_problem(
    store, incident_id: str, signers: Signers | None = None, external: Sequence[tuple[str, Checkpoint]] = (),
    verified: Verified | None = None, *, chain_checked: bool = False,
) -> str | None:
    """The chain (Store.verify; not again with `chain_checked`, a reader's Store.check found it sound), then
    every checkpoint in the log and every external one of this incident: each still matches the log at its count
    (and, given `signers`, its signature). None when all hold, else one line; a break below a checkpoint names
    the checkpoint."""
    problem = None if chain_checked else store.verify(incident_id)
    rows = store.conn.execute(
        "SELECT seq, payload FROM events WHERE incident = ? AND kind = ? ORDER BY seq", (incident_id, kinds.CHECKPOINT)
    ).fetchall()
    inside: list[tuple[str, Checkpoint]] = []
    for number, (seq, payload) in enumerate(rows, start=1):
        name = f"checkpoint {number}"
        try:
            inside.append((name, from_payload(json.loads(payload), f"{incident_id} event {seq} ({kinds.CHECKPOINT})")))
        except WarroomError as error:
            return problem or str(error)
        except ValueError as error:  # not JSON: the chain check above has said so already, unless rewritten to fit
            return problem or f"{incident_id} event {seq} ({kinds.CHECKPOINT}): its payload is not JSON ({error})"
    everything = [*inside, *external]
    last = store.conn.execute("SELECT MAX(seq) FROM events WHERE incident = ?", (incident_id,)).fetchone()[0] or 0
    if problem:
        # The first event that does not fit; else (the index says later events were removed) the one after the last.
        broken = _chain_break(store.iter_rows(incident_id), incident_id) or last + 1
        covering = [(name, cp) for name, cp in everything if cp.count >= broken]
        if not covering:
            return problem
        name, checkpoint = min(covering, key=lambda item: item[1].count)
        return f"{incident_id}: {name} ({checkpoint.said()}) no longer matches: {problem.removeprefix(incident_id + ' ')}"
    log_id, count, _ = head_of(store, incident_id)
    for name, checkpoint in everything:
        said = f"{incident_id}: {name} ({checkpoint.said()})"
        if checkpoint.incident != incident_id:
            return f"{said} no longer matches: it is a checkpoint of {checkpoint.incident}"
        if checkpoint.log_id != log_id:
            return f"{said} no longer matches: event 1 differs (its hash begins {log_id or 'nothing'}, not {checkpoint.log_id})"
        if checkpoint.count > count:
            gone = f"event {count + 1} was" if checkpoint.count == count + 1 else f"events {count + 1}-{checkpoint.count} were"
            return f"{said} no longer matches: the log ends at event {count}; {gone} removed"
        at = store.conn.execute(
            "SELECT hash FROM events WHERE incident = ? AND seq = ?", (incident_id, checkpoint.count)
        ).fetchone()[0]
        if at != checkpoint.head:
            return f"{said} no longer matches: event {checkpoint.count}'s hash differs (the log up to it was rewritten and re-chained)"
        if signers is not None:
            wrong = signers.problem(checkpoint)
            if wrong:
                return f"{said}: {wrong}"
    if verified is not None:
        verified.checkpoints += len(everything)
        if not everything:
            verified.unsigned.append(incident_id)
        else:
            covered = max(cp.count for _, cp in everything)
            (after,) = store.conn.execute(
                "SELECT COUNT(*) FROM events WHERE incident = ? AND seq > ? AND kind != ?", (incident_id, covered, kinds.CHECKPOINT)
            ).fetchone()
            if after:
                verified.beyond.append((incident_id, after))
    return None


def read_checkpoints(paths: Sequence[str]) -> list[tuple[str, Checkpoint]]:
    """External checkpoint files, each read (and refused, in one line) before the log is opened."""
    return [(f"the checkpoint in {path}", read_file(path)) for path in paths]


def beside_import(source: str, by_incident: Mapping[str, Sequence[Mapping]], signers: Signers | None = None) -> str | None:
    """`warroom import FILE`: FILE.checkpoint, when there is one (every export of a signed log has one beside it),
    must hold for the records: its incident's first `count` events, ending in its head, from the same event 1 (and,
    given `signers`, its signature verifies). None when there is none or it holds; else why, in one line. A file
    there that is not a checkpoint refuses the import too (read_file's line)."""
    path = f"{source}.checkpoint"
    if not os.path.lexists(path):
        return None
    checkpoint = read_file(path)
    said = f"{path} ({checkpoint.said()})"
    records = by_incident.get(checkpoint.incident)
    if not records:
        return f"{said} is a checkpoint of {checkpoint.incident}, which {source} does not hold"
    by_seq = {record.get("seq"): record for record in records}
    first = str(by_seq.get(1, {}).get("hash", ""))[:LOG_ID_DIGITS]
    if first != checkpoint.log_id:
        return f"{said} does not match: event 1 differs (its hash begins {first or 'nothing'}, not {checkpoint.log_id})"
    count = max(by_seq)
    if checkpoint.count > count:
        gone = f"event {count + 1} was" if checkpoint.count == count + 1 else f"events {count + 1}-{checkpoint.count} were"
        return f"{said} does not match: the log ends at event {count}; {gone} removed"
    if by_seq.get(checkpoint.count, {}).get("hash") != checkpoint.head:
        return f"{said} does not match: event {checkpoint.count}'s hash differs (the log up to it was rewritten and re-chained)"
    if signers is not None:
        wrong = signers.problem(checkpoint)
        if wrong:
            return f"{said}: {wrong}"
    return None


def external_for(incident_id: str, external: Sequence[tuple[str, Checkpoint]]) -> list[tuple[str, Checkpoint]]:
    return [(name, checkpoint) for name, checkpoint in external if checkpoint.incident == incident_id]


def index_times_disagreement(store, incident_id: str, events: Sequence[Event]) -> str | None:
    """The index's status_at and severity_at (what appending relies on) against the log, by the rule the store
    derives them with (Store._index_status, _index_severity): the latest fact of the kind, else the start."""
    row = store.conn.execute("SELECT status_at, severity_at FROM incidents WHERE id = ?", (incident_id,)).fetchone()
    declared = next((e for e in events if e.kind == kinds.DECLARED), None)
    if row is None or declared is None:
        return None
    started = declared.payload.get("started_at") or iso(declared.at)
    ordered = sorted(events, key=lambda e: (iso(e.at), e.seq))
    status_at = next((iso(e.at) for e in reversed(ordered) if e.kind in (kinds.STATUS, kinds.RESOLVED, kinds.REOPENED)), started)
    severity_at = next((iso(e.at) for e in reversed(ordered) if e.kind == kinds.SEVERITY), started)
    for name, listed, derived in (("status_at", row[0], status_at), ("severity_at", row[1], severity_at)):
        if listed != derived:
            return f"{incident_id}: the index says {name} {quoted(listed)}, the log says {quoted(derived)}"
    return None


def unindexed(store) -> str | None:
    """An incident whose events are in the log but whose row was taken out of the incidents table."""
    row = store.conn.execute(
        "SELECT incident, COUNT(*) FROM events WHERE incident NOT IN (SELECT id FROM incidents) GROUP BY incident "
        "ORDER BY MIN(id) LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    return f"{row[0]}: {row[1]} events in the log, but no row in the incidents table (removed from the index outside warroom)"


def closing_lines(verified: Verified, signers: Signers | None) -> list[str]:
    """What verify adds after its ok line: the checkpoints, and (asked to check signatures) what no signature covers."""
    lines = []
    if verified.checkpoints:
        if signers is not None:
            by = ", ".join(sorted(signers.principals))
            how = f"every signature checked against {signers.allowed} ({by})"
        else:
            how = "signatures not checked (no --allowed-signers)"
        some = f"{verified.checkpoints} checkpoint{' matches' if verified.checkpoints == 1 else 's match'}"
        lines.append(f"{some} the log; {how}")
        for incident_id, after in verified.beyond:
            lines.append(f"{incident_id}: {after} event{'s' if after != 1 else ''} after its last checkpoint, vouched for by the chain alone")
    if signers is not None and verified.unsigned:
        listed = ", ".join(verified.unsigned[:5]) + (f" and {len(verified.unsigned) - 5} more" if len(verified.unsigned) > 5 else "")
        lines.append(f"unsigned: {listed} (no checkpoint: a truncation, a re-chained rewrite or a forged append cannot be told)")
    return lines


def described(payload: dict) -> str:
    """A checkpoint event in the timeline's words (its signer as it says, unchecked: `warroom verify` checks)."""
    try:
        count = parse_note(str(payload.get("checkpoint", "")), "checkpoint")[2]
    except WarroomError:
        return "Signed checkpoint (unreadable: `warroom verify` says why)"
    signer = str(payload.get("signer") or payload.get("key") or "an unnamed key")
    return f"Signed checkpoint of the first {count} event{'s' if count != 1 else ''} by {signer}"
