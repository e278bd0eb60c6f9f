"""Events: the kinds an incident's log holds, the event record, and the hash that chains them."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any, NamedTuple

from warroom.clock import iso, parse_iso

# Every kind of event, with what its payload holds. The README's "Event kinds" repeats this table.
DECLARED = "declared"  # title, severity, impact, runbooks, commander, started_at, detected_at, playbook
NOTE = "note"  # text
ALERT = "alert"  # text (usually piped in by monitoring through `warroom log`)
STATUS = "status"  # status: investigating | mitigating | resolved
SEVERITY = "severity"  # severity
IMPACT = "impact"  # impact
TITLE = "title"  # title
ETA = "eta"  # eta: a stored time, or null to clear it
CHECK = "check"  # list (phase or runbook id), step (1-based), text
UNCHECK = "uncheck"  # list, step, text
PHASE = "phase"  # phase
RUNBOOK = "runbook"  # runbook (attached)
NOTIFY = "notify"  # rung
ACK = "ack"  # rung
ROLE = "role"  # role, name
RESOLVED = "resolved"  # (nothing)
REOPENED = "reopened"  # (nothing)
COPIED = "copied"  # what (a template id or "contact"), name, text, via (clipboard | osc52)

KINDS: dict[str, str] = {
    DECLARED: "the incident was declared",
    NOTE: "a note from the room",
    ALERT: "an alert, usually from monitoring",
    STATUS: "status changed",
    SEVERITY: "severity changed",
    IMPACT: "impact changed",
    TITLE: "title changed",
    ETA: "expected resolution time set or cleared",
    CHECK: "a checklist step done",
    UNCHECK: "a checklist step undone",
    PHASE: "moved to a phase",
    RUNBOOK: "a runbook attached",
    NOTIFY: "an escalation rung notified",
    ACK: "an escalation rung acknowledged",
    ROLE: "a role assigned",
    RESOLVED: "the incident resolved",
    REOPENED: "the incident reopened",
    COPIED: "a message or number copied to send",
}

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """The one text form of a payload: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(
    incident: str, seq: int, kind: str, actor: str, payload_json: str, at: str, recorded_at: str, prev_hash: str
) -> str:
    """SHA-256 over every stored field and the previous event's hash."""
    material = canonical_json([incident, seq, kind, actor, payload_json, at, recorded_at, prev_hash])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


class Event(NamedTuple):
    """One fact in an incident's log, as immutable as the log. (A NamedTuple: a tuple, three times as quick
    to build as a frozen dataclass; the console reads every event of an incident as it opens, replay 100,000.)"""

    incident: str
    seq: int
    kind: str
    actor: str
    payload: dict
    at: datetime
    recorded_at: datetime
    prev_hash: str
    hash: str
    id: int = 0  # the row id across all incidents: followers read "everything after id N"

    @property
    def backfilled(self) -> bool:
        """Recorded noticeably later than it happened (a scribe's `--at`)."""
        return (self.recorded_at - self.at).total_seconds() > 1

    def to_record(self) -> dict[str, Any]:
        """The export form, which `warroom import` reads back byte for byte."""
        return {
            "incident": self.incident,
            "seq": self.seq,
            "kind": self.kind,
            "actor": self.actor,
            "payload": self.payload,
            "at": iso(self.at),
            "recorded_at": iso(self.recorded_at),
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }

    def to_jsonl(self) -> str:
        return canonical_json(self.to_record())

    @classmethod
    def from_row(cls, row: tuple) -> "Event":
        """A row of `store.EVENT_COLUMNS`."""
        row_id, incident, seq, kind, actor, payload, at, recorded_at, prev_hash, digest = row
        happened = parse_iso(at)
        recorded = happened if recorded_at == at else parse_iso(recorded_at)
        # tuple.__new__ itself: the NamedTuple's __new__ is a Python function, a third of the time per row.
        fields = (incident, seq, kind, actor, _decode_payload(payload), happened, recorded, prev_hash, digest, row_id)
        return _new_tuple(cls, fields)


def _decode_payload(text: str) -> dict:
    """A stored payload (always canonical JSON, so no surrounding whitespace to skip)."""
    try:
        value, end = _DECODER.raw_decode(text)
    except json.JSONDecodeError:
        return json.loads(text)  # raises the usual error, with the usual message
    return value if end == len(text) else json.loads(text)


_DECODER = json.JSONDecoder()
_new_tuple = tuple.__new__
