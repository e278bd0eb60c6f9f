"""Events: the kinds and what each payload holds, the event record, the hash that chains them, and what an import may hold."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta
from sys import intern
from typing import Any, Iterable, Mapping, NamedTuple

from warroom.clock import iso, parse_iso, stored_time_problem
from warroom.errors import WarroomError, quoted
from warroom.playbook import STATUSES, Playbook, PlaybookError, playbook_from_data
from warroom.text import json_text

# Every kind of event, with what its payload holds. The README's "Event kinds" repeats this table.
DECLARED = "declared"  # title, severity, impact, runbooks, commander, started_at, detected_at, playbook
NOTE = "note"  # text
ALERT = "alert"  # text; from `warroom receive` also status, source, fingerprint, labels, annotations, starts_at, ends_at
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
CHECKPOINT = "checkpoint"  # checkpoint (the signed note), signature (SSH armor), signer, key (SHA256 fingerprint)
MILESTONE = "milestone"  # milestone: one of MILESTONES (its `at` is when it happened: backfill with --at)
STAR = "star"  # seq (the event marked for the review), text (why; may be empty)
FOLLOWUP = "followup"  # number (1, 2, ... in the incident), text, owner (may be empty), due (YYYY-MM-DD, or empty)
FOLLOWUP_DONE = "followup_done"  # number

# The moments the room marks that no other event says: when customers began and stopped being affected (which
# is not when it was mitigated), and when it was detected (if not as declared).
MILESTONES = ("impact_started", "impact_ended", "detected")
# An alert from monitoring is firing or resolved (Alertmanager's and Grafana's words); one piped in has no status.
ALERT_STATUSES = ("firing", "resolved")

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
    CHECKPOINT: "the log signed: its event count and head hash (checkpoint.py)",
    MILESTONE: "a milestone: customer impact started or ended, or the moment it was detected",
    STAR: "an event marked as a key moment for the review",
    FOLLOWUP: "a follow-up action item, with its owner and due date",
    FOLLOWUP_DONE: "a follow-up done",
}


GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """The one text form of a payload: sorted keys, no spaces, UTF-8 kept as is."""
    return _CANONICAL(value)


# json.dumps with these options builds a JSONEncoder on every call (a fifth of its time on a small payload):
# one encoder, the same text.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
_quote = json.encoder.encode_basestring  # a string as that encoder writes it (ensure_ascii=False)


def chain_hash(
    incident: str, seq: int, kind: str, actor: str, payload_json: str, at: str, recorded_at: str, prev_hash: str
) -> str:
    """SHA-256 over every stored field and the previous event's hash: of the canonical JSON of the list
    [incident, seq, kind, actor, payload_json, at, recorded_at, prev_hash], written out here (half the time of
    encoding the list; tests/test_store_append.py holds it to canonical_json's text)."""
    if type(seq) is int and str is type(incident) is type(kind) is type(actor) is type(payload_json) is type(at) \
            is type(recorded_at) is type(prev_hash):
        material = (f"[{_quote(incident)},{seq},{_quote(kind)},{_quote(actor)},{_quote(payload_json)},{_quote(at)},"
                    f"{_quote(recorded_at)},{_quote(prev_hash)}]")
    else:  # what an edited file may hold (a seq of 5.0, a NULL): hashed as it reads, so it does not verify
        material = _CANONICAL([incident, seq, kind, actor, payload_json, at, recorded_at, prev_hash])
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
        """The record on one line: canonical JSON, with C1, DEL and bidi controls written as \\u escapes
        (json_text), which parse back to the same strings, so the hash still verifies on import."""
        return json_text(self.to_record(), sort_keys=True, compact=True)

    @classmethod
    def from_row(cls, row: tuple) -> "Event":
        """A row of `store.EVENT_COLUMNS`."""
        row_id, incident, seq, kind, actor, payload, at, recorded_at, prev_hash, digest = row
        try:
            happened = parse_iso(at)
            recorded = happened if recorded_at == at else parse_iso(recorded_at)
        except (TypeError, ValueError):  # written by a warroom that stored year 500 as '500', or edited
            raise WarroomError(
                f"{incident} event {seq} ({kind}): its time is unreadable ({quoted(at)}, recorded {quoted(recorded_at)}); "
                "`warroom verify` checks the whole log", exit_code=1,
            ) from None
        # tuple.__new__ itself: the NamedTuple's __new__ is a Python function, a third of the time per row.
        fields = (incident, seq, kind, actor, _decode_payload(payload), happened, recorded, prev_hash, digest, row_id)
        return _new_tuple(cls, fields)


def events_from_rows(rows: Iterable[tuple]) -> list[Event]:
    """Rows of `store.EVENT_COLUMNS` as events, each as Event.from_row reads it, with what a run of rows repeats
    read once and shared: a time (a batch's one recorded_at, a storm's alerts that started together), the incident,
    kind and actor names, and each prev_hash, the same string as the hash before it. (The console, the wall and a
    replay keep every event of an incident: 61,000 received alerts read in 2.1 KB each, not 2.5, and a quarter
    quicker.)"""
    events: list[Event] = []
    append, new, decode, name = events.append, _new_tuple, _decode_payload, intern
    at_text: Any = _UNREAD
    recorded_text: Any = _UNREAD
    happened = recorded_then = None
    last_hash = None
    for row in rows:
        row_id, incident, seq, kind, actor, payload, at, recorded_at, prev_hash, digest = row
        try:
            if at != at_text:
                happened, at_text = parse_iso(at), at
            if recorded_at == at:
                recorded = happened
            else:
                if recorded_at != recorded_text:
                    recorded_then, recorded_text = parse_iso(recorded_at), recorded_at
                recorded = recorded_then
        except (TypeError, ValueError):
            Event.from_row(row)  # raises its one line
            raise
        if prev_hash == last_hash:
            prev_hash = last_hash
        last_hash = digest
        append(new(Event, (name(incident), seq, name(kind), name(actor), decode(payload), happened, recorded, prev_hash,
                           digest, row_id)))
    return events


_UNREAD = object()


def _decode_payload(text: str) -> dict:
    """A stored payload (always canonical JSON, so no surrounding whitespace to skip)."""
    try:
        value, end = _DECODER.raw_decode(text)
    except json.JSONDecodeError:
        return json.loads(text)  # raises the usual error, with the usual message
    return value if end == len(text) else json.loads(text)


_DECODER = json.JSONDecoder()
_new_tuple = tuple.__new__


# --- what each kind's payload holds ----------------------------------------------------------------


class Field(NamedTuple):
    """One field of a payload: what it holds, whether every event of the kind has it, and what in the
    incident's playbook it names (an id the fold and the panes look up)."""

    type: str  # "text", "time", "time or null", "step" (a number from 1), "texts" (a list of text), "playbook", "flag" (true), "labels" (an object of text), "firing or resolved"
    required: bool = True
    names: str = ""  # "severity", "phase", "runbook", "rung", "list" (a phase or runbook), "status", "milestone"


# Exactly what the commands (commands.py), the console and `declaration` write, and what the fold
# (incident.py) and the store's index read: an imported log holds these and nothing else.
PAYLOADS: dict[str, dict[str, Field]] = {
    DECLARED: {
        "title": Field("text"),
        "severity": Field("text", names="severity"),
        "impact": Field("text", required=False),
        "runbooks": Field("texts", required=False, names="runbook"),
        "commander": Field("text", required=False),
        "started_at": Field("time or null", required=False),
        "detected_at": Field("time or null", required=False),
        "playbook": Field("playbook"),
        "drill": Field("flag", required=False),
    },
    NOTE: {"text": Field("text")},
    # `warroom log` writes text alone; `warroom receive` (alerts.py) the alert as monitoring sent it too.
    ALERT: {"text": Field("text"), "status": Field("firing or resolved", required=False),
            "source": Field("text", required=False), "fingerprint": Field("text", required=False),
            "labels": Field("labels", required=False), "annotations": Field("labels", required=False),
            "starts_at": Field("time or null", required=False), "ends_at": Field("time or null", required=False)},
    STATUS: {"status": Field("text", names="status")},
    SEVERITY: {"severity": Field("text", names="severity")},
    IMPACT: {"impact": Field("text")},
    TITLE: {"title": Field("text")},
    ETA: {"eta": Field("time or null")},
    CHECK: {"list": Field("text", names="list"), "step": Field("step"), "text": Field("text")},
    UNCHECK: {"list": Field("text", names="list"), "step": Field("step"), "text": Field("text")},
    PHASE: {"phase": Field("text", names="phase")},
    RUNBOOK: {"runbook": Field("text", names="runbook")},
    NOTIFY: {"rung": Field("text", names="rung")},
    ACK: {"rung": Field("text", names="rung")},
    ROLE: {"role": Field("text"), "name": Field("text")},
    RESOLVED: {},
    REOPENED: {},
    COPIED: {"what": Field("text"), "name": Field("text"), "text": Field("text"), "via": Field("text")},
    # The note as signed, byte for byte; its count and head are read from it (checkpoint.parse_note), never stored twice.
    CHECKPOINT: {"checkpoint": Field("text"), "signature": Field("text"), "signer": Field("text"), "key": Field("text")},
    MILESTONE: {"milestone": Field("text", names="milestone")},
    STAR: {"seq": Field("step"), "text": Field("text", required=False)},
    FOLLOWUP: {"number": Field("step"), "text": Field("text"), "owner": Field("text", required=False),
               "due": Field("text", required=False)},
    FOLLOWUP_DONE: {"number": Field("step")},
}
assert PAYLOADS.keys() == KINDS.keys()


def payload_times(kind: str, payload: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The payload's time fields that hold a value: (name, stored text)."""
    fields = PAYLOADS.get(kind, {})
    return [(name, payload[name]) for name, spec in fields.items() if spec.type.startswith("time") and payload.get(name)]


def unstorable_text(value: Any, where: str) -> str | None:
    """None when every string in `value` (keys too) is real Unicode, else what is not: a lone surrogate,
    which UTF-8, and so SQLite, cannot hold. Python makes one of each byte of an argument that is not
    UTF-8 (surrogateescape), and JSON's \\ud800 escapes make them too."""
    if isinstance(value, (dict, list)) and value:
        try:  # one pass in C over every key and value: a large alert's labels walked in Python cost a tenth of its append
            if _SURROGATE.search(json.dumps(value, ensure_ascii=False, check_circular=False)) is None:
                return None
        except (TypeError, ValueError):
            pass  # not all JSON (the walk below says what it can)
    if isinstance(value, str):
        match = _SURROGATE.search(value)
        if match is None:
            return None
        code = ord(match.group())
        what = f"the byte \\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"a lone surrogate \\u{code:04x}"
        return f"{where} is not UTF-8 text ({what} at character {match.start() + 1}): expected UTF-8 text"
    if isinstance(value, dict):
        for key, item in value.items():
            problem = unstorable_text(key, f"{where} (a key)") or unstorable_text(item, f"{where}.{key}")
            if problem:
                return problem
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problem = unstorable_text(item, f"{where}[{index}]")
            if problem:
                return problem
    return None


_SURROGATE = re.compile("[\ud800-\udfff]")


def check_storable(kind: str, payload: Any) -> None:
    """Refuse, with one line, what the log can never hold: text that is not UTF-8, and a time in a payload
    that is not in the stored form (a year outside 1000-9999 would make the whole log unreadable)."""
    if not isinstance(payload, Mapping):
        raise WarroomError(f"the {kind} event's payload is {_kind_of(payload)}: expected an object")
    for key, value in payload.items():
        problem = unstorable_text(key, f"a field name of the {kind} event") or unstorable_text(value, f"the {kind} event's {key}")
        if problem:
            raise WarroomError(problem)
    for name, text in payload_times(kind, payload):
        problem = stored_time_problem(text)
        if problem:
            raise WarroomError(f"the {kind} event's {name}: {problem}")


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {quoted(value)}"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return quoted(value)


def _type_problem(spec: Field, value: Any) -> str | None:
    if spec.type == "text":
        return None if isinstance(value, str) else f"expected text, got {_kind_of(value)}"
    if spec.type == "texts":
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            return f"expected a list of text, got {_kind_of(value)}"
        return None
    if spec.type == "step":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            return f"expected a step number from 1, got {_kind_of(value)}"
        return None
    if spec.type in ("time", "time or null"):
        if value is None and spec.type == "time or null":
            return None
        return stored_time_problem(value)
    if spec.type == "playbook":
        return None if isinstance(value, dict) else f"expected a playbook (an object), got {_kind_of(value)}"
    if spec.type == "flag":
        return None if value is True else f"expected true (or no field), got {_kind_of(value)}"
    if spec.type == "firing or resolved":
        return None if value in ALERT_STATUSES else f"expected firing or resolved, got {_kind_of(value)}"
    if spec.type == "labels":
        if not isinstance(value, dict) or not all(isinstance(item, str) for item in value.values()):
            return f"expected an object of text (name: value), got {_kind_of(value)}"
        return None
    raise AssertionError(f"no such field type {spec.type!r}")


def _names_problem(spec: Field, value: Any, playbook: Playbook) -> str | None:
    """An id the payload names that the incident's playbook (or the statuses) does not have."""
    known: dict[str, tuple[str, ...]] = {
        "severity": tuple(s.id for s in playbook.severities),
        "phase": tuple(p.id for p in playbook.phases),
        "runbook": tuple(r.id for r in playbook.runbooks),
        "rung": tuple(r.id for r in playbook.ladder),
        "list": tuple(p.id for p in playbook.phases) + tuple(r.id for r in playbook.runbooks),
        "status": STATUSES,
        "milestone": MILESTONES,
    }
    ids = known[spec.names]
    for item in value if isinstance(value, list) else [value]:
        if item not in ids:
            listed = ", ".join(ids[:12]) + (", ..." if len(ids) > 12 else "")
            return f"{quoted(item)} is not a {spec.names} of the incident's playbook: expected one of {listed}"
    return None


def _steps_of(playbook: Playbook, list_id: str) -> int:
    for item in (*playbook.phases, *playbook.runbooks):
        if item.id == list_id:
            return len(item.steps)
    return 0


def payload_problem(kind: str, payload: Any, playbook: Playbook | None) -> str | None:
    """None when the payload is what an event of this kind holds (and, given the incident's playbook,
    every id it names is in it), else the first thing wrong, naming the field."""
    if kind not in PAYLOADS:
        return f"unknown kind {quoted(kind)}: expected one of {', '.join(PAYLOADS)}"
    if not isinstance(payload, dict):
        return f"payload: expected an object, got {_kind_of(payload)}"
    fields = PAYLOADS[kind]
    for name in payload:
        if name not in fields:
            expected = ", ".join(fields) if fields else "nothing"
            return f"payload.{name}: not a field a {kind} event has (expected {expected})"
    for name, spec in fields.items():
        if name not in payload:
            if spec.required:
                return f"payload.{name}: missing"
            continue
        problem = _type_problem(spec, payload[name])
        if problem is None and spec.names and playbook is not None:
            problem = _names_problem(spec, payload[name], playbook)
        if problem:
            return f"payload.{name}: {problem}"
    if kind in (CHECK, UNCHECK) and playbook is not None:
        steps = _steps_of(playbook, payload["list"])
        if payload["step"] > steps:
            return f"payload.step: {payload['step']} is past the last step of {payload['list']} ({steps})"
    return None


def declared_playbook(payload: Mapping[str, Any], incident: str) -> Playbook:
    """The playbook a declared event carries, loaded as the fold loads it; one line when it does not load."""
    try:
        return playbook_from_data(payload["playbook"], f"the playbook in {incident}'s log")
    except PlaybookError as error:
        more = f" (and {len(error.problems) - 1} more)" if len(error.problems) > 1 else ""
        raise WarroomError(f"payload.playbook does not load: {error.problems[0]}{more}") from None


# --- what a record of an exported log must be --------------------------------------------------------

RECORD_FIELDS = ("incident", "seq", "kind", "actor", "payload", "at", "recorded_at", "prev_hash", "hash")
_INCIDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")
# An exported log holds what had happened when it was exported; a day's leeway for another machine's
# clock. (A time far ahead would also overflow a deadline counted from it.)
_CLOCK_LEEWAY = timedelta(days=1)


class LogCheck:
    """Checks one incident's exported records in order, as an import reads them: the chain, and that
    every record is an event this warroom could have written."""

    def __init__(self, incident: str, now: datetime) -> None:
        self.incident = incident
        self.now = now
        self.seq = 0
        self.prev_hash = GENESIS
        self.prev_recorded = ""
        self.playbook: Playbook | None = None

    def problem(self, record: Mapping[str, Any]) -> tuple[str, bool] | None:
        """None when the record is the incident's next sound event, else (what is wrong, whether it is
        the chain that does not verify). The checker then expects the event after it."""
        expected = self.seq + 1
        where = f"{self.incident} event {expected}"
        seq = record.get("seq")
        if isinstance(seq, bool) or not isinstance(seq, int) or seq != expected:
            found = seq if isinstance(seq, int) and not isinstance(seq, bool) else _kind_of(seq)
            return f"{where}: missing or out of order (found {found})", True
        for name in RECORD_FIELDS:
            if name not in record:
                return f"{where}: the field {name!r} is missing", False
        for name, value in record.items():
            problem = unstorable_text(name, "a field name") or unstorable_text(value, name)
            if problem:
                return f"{where}: {problem}", False
        kind, actor, payload = record["kind"], record["actor"], record["payload"]
        if not isinstance(kind, str) or not isinstance(actor, str):
            return f"{where}: kind and actor must be text (got {_kind_of(kind)} and {_kind_of(actor)})", False
        where = f"{where} ({kind})" if kind in KINDS else where
        for name in ("at", "recorded_at"):
            problem = stored_time_problem(record[name])
            if problem:
                return f"{where}: {name}: {problem}", False
        if record["prev_hash"] != self.prev_hash:
            return f"{where}: does not chain to event {seq - 1}", True
        digest = chain_hash(
            self.incident, seq, kind, actor, canonical_json(payload), record["at"], record["recorded_at"], self.prev_hash
        )
        if record["hash"] != digest:
            return f"{where}: its contents do not match its hash", True
        problem = self._content_problem(record, kind, actor, payload)
        if problem:
            return f"{where}: {problem}", False
        self.seq, self.prev_hash, self.prev_recorded = seq, digest, record["recorded_at"]
        return None

    def _content_problem(self, record: Mapping[str, Any], kind: str, actor: str, payload: Any) -> str | None:
        if kind not in KINDS:
            return f"unknown kind {quoted(kind)}: expected one of {', '.join(KINDS)}"
        if not actor.strip():
            return "the actor is empty: expected who acted"
        at, recorded_at = record["at"], record["recorded_at"]
        if recorded_at < self.prev_recorded:
            return f"recorded at {recorded_at}, before the event ahead of it ({self.prev_recorded}): recorded_at never goes back"
        if at > recorded_at:
            return f"happened at {at}, after it was recorded ({recorded_at}): facts can only be recorded for the past"
        latest = iso(self.now + _CLOCK_LEEWAY)
        if self.seq == 0 and kind != DECLARED:
            return f"the first event is {kind}: expected the incident's declared event"
        if self.seq > 0 and kind == DECLARED:
            return "a second declared event: an incident is declared once, by its first event"
        problem = payload_problem(kind, payload, self.playbook if kind != DECLARED else None)
        if problem:
            return problem
        if kind == DECLARED:
            try:
                self.playbook = declared_playbook(payload, self.incident)
            except WarroomError as error:
                return str(error)
            problem = payload_problem(kind, payload, self.playbook)
            if problem:
                self.playbook = None
                return problem
        for name, text in [("recorded_at", recorded_at), *((f"payload.{n}", t) for n, t in payload_times(kind, payload) if n != "eta")]:
            if text > latest:
                return f"{name} {text} is in the future: an exported log holds what had happened"
        return None


def incident_id_problem(value: Any) -> str | None:
    """None for an incident id the store could hold and a terminal can show (INC-12), else what is wrong."""
    if isinstance(value, str) and _INCIDENT_ID.match(value):
        return None
    return f"the incident id {quoted(value)} is not one: expected letters, digits, '.', '_' or '-', like INC-3"
