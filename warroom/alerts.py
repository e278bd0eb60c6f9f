"""Alerts from monitoring: Alertmanager's, Grafana's and plain JSON bodies read into alert events, routed to an incident, and kept once per state.

The HTTP side is warroom/receive.py; everything here is headless and takes `now` and the store as arguments.

Deduplication is a fold over the log: an incident's alert events say, for each fingerprint, the state it was
last stored in (firing or resolved), and an alert in the state its fingerprint already has is a repeat, not
stored again. `AlertLedger` keeps that fold per incident, reads only the events after the last it folded
(whoever wrote them), and so agrees with the log whatever else writes to it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Iterable, Mapping, Sequence

from warroom import events as kinds
from warroom.clock import in_range, iso, truncate_ms
from warroom.commands import declaration
from warroom.errors import WarroomError, quoted
from warroom.events import ALERT_STATUSES, Event, canonical_json, unstorable_text
from warroom.playbook import Playbook, Route
from warroom.store import Store

# A body larger than this is refused unread (413): a batch of 5,000 alerts with a dozen labels each is ~3 MB.
MAX_BODY = 8 * 1024 * 1024
MAX_ALERTS = 20_000  # alerts in one body
MAX_LABELS = 200  # labels (or annotations) on one alert
MAX_TEXT = 4096  # characters of one label or annotation value, and of a plain alert's text

# Who the events of each endpoint are recorded as (a tool's name, as the design asks for automated sources).
SOURCES = {"alertmanager": "alertmanager", "grafana": "grafana", "alerts": "monitoring"}


class AlertError(WarroomError):
    """A request warroom will not store, in one line, with the HTTP status that says why (nothing is written)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Received:
    """One alert as monitoring sent it, in the log's terms."""

    status: str  # firing | resolved
    labels: dict[str, str]
    annotations: dict[str, str]
    fingerprint: str
    starts_at: datetime | None
    ends_at: datetime | None
    source: str  # alertmanager | grafana | monitoring
    text: str  # one line a person reads: FIRING DiskFull db-1: Disk 95% full

    def at(self, now: datetime) -> datetime:
        """When it happened, as the event's `at`: a firing alert when it started, a resolved one when it
        ended; never later than now (another machine's clock a little ahead must not be refused)."""
        when = (self.ends_at if self.status == "resolved" else self.starts_at) or now
        return min(truncate_ms(when), now)

    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"text": self.text, "status": self.status, "source": self.source,
                                   "fingerprint": self.fingerprint, "labels": self.labels}
        if self.annotations:
            payload["annotations"] = self.annotations
        if self.starts_at is not None:
            payload["starts_at"] = iso(self.starts_at)
        if self.ends_at is not None:
            payload["ends_at"] = iso(self.ends_at)
        return payload


# --- reading a body --------------------------------------------------------------------------------------


def parse_body(body: bytes, endpoint: str) -> list[Received]:
    """The alerts of a request body to `endpoint` (alertmanager, grafana or alerts), or AlertError."""
    if len(body) > MAX_BODY:
        raise AlertError(f"the body is {len(body):,} bytes: expected at most {MAX_BODY:,}", 413)
    try:
        document = json.loads(body.decode("utf-8"))  # decoded here: json.loads would take bytes as UTF-16 by a BOM
    except UnicodeDecodeError:
        raise AlertError("the body is not UTF-8 text: expected JSON") from None
    except json.JSONDecodeError as error:
        raise AlertError(f"the body is not JSON: {error.msg} at line {error.lineno} column {error.colno}") from None
    except RecursionError:
        raise AlertError("the body is not JSON warroom reads: nested too deep") from None
    source = SOURCES[endpoint]
    # Text the log cannot hold (a lone surrogate) can only come from a \\uD800-\\uDFFF escape: without one, no alert
    # needs the check (a third of the parsing time of a large batch).
    escapes = _SURROGATE_ESCAPE.search(body) is not None
    if endpoint == "alertmanager":
        items = _webhook_alerts(document, "Alertmanager", version="4")
    elif endpoint == "grafana":
        items = _webhook_alerts(document, "Grafana", version=None)
    else:
        items = _plain_alerts(document)
    if len(items) > MAX_ALERTS:
        raise AlertError(f"the body holds {len(items):,} alerts: expected at most {MAX_ALERTS:,} a request", 413)
    times: dict[str, datetime | None] = {}
    return [_alert(item, index, source, escapes, times) for index, item in enumerate(items)]


def _webhook_alerts(document: Any, who: str, version: str | None) -> list:
    """The alerts of a webhook body: Alertmanager's (version 4) and Grafana's share the shape of `alerts`."""
    if not isinstance(document, dict):
        raise AlertError(f"the body is {_kind(document)}: expected {who}'s webhook object")
    if version is not None and str(document.get("version", "")) != version:
        raise AlertError(f"version {quoted(document.get('version'))}: expected {who}'s webhook payload version {version}")
    alerts = document.get("alerts")
    if not isinstance(alerts, list):
        raise AlertError(f"alerts: expected a list, got {_kind(alerts)}")
    return alerts


def _plain_alerts(document: Any) -> list:
    """One alert (an object), a list of them, or {"alerts": [...]}."""
    if isinstance(document, dict) and isinstance(document.get("alerts"), list):
        return document["alerts"]
    if isinstance(document, dict):
        return [document]
    if isinstance(document, list):
        return document
    raise AlertError(f"the body is {_kind(document)}: expected an alert (an object) or a list of them")


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _alert(item: Any, index: int, source: str, escapes: bool = True, times: dict | None = None) -> Received:
    """One alert of a body, checked; `times`: the RFC 3339 times read so far in this body (a batch's alerts mostly
    share their startsAt, and every firing one Go's zero endsAt). Where a problem is (alerts[N].field) is written
    out only when there is one."""
    if not isinstance(item, dict):
        raise AlertError(f"alerts[{index + 1}]: expected an object, got {_kind(item)}")
    labels = _labels(item.get("labels"), index, "labels")
    annotations = _labels(item.get("annotations"), index, "annotations")
    status = item.get("status", "firing")
    if status not in ALERT_STATUSES:
        raise AlertError(f"alerts[{index + 1}].status: {quoted(status)}: expected firing or resolved")
    if times is None:
        times = {}
    starts = _time_of(item.get("startsAt", item.get("starts_at")), index, "startsAt", times)
    ends = _time_of(item.get("endsAt", item.get("ends_at")), index, "endsAt", times)
    text = item.get("text")
    if text is not None and not isinstance(text, str):
        raise AlertError(f"alerts[{index + 1}].text: expected text, got {_kind(text)}")
    if source == SOURCES["alerts"] and not (text or "").strip() and not labels:
        raise AlertError(f"alerts[{index + 1}]: neither text nor labels: expected at least one")
    fingerprint = item.get("fingerprint")
    if fingerprint is not None and (not isinstance(fingerprint, str) or not fingerprint or len(fingerprint) > 128):
        raise AlertError(f"alerts[{index + 1}].fingerprint: expected text of 1 to 128 characters, got {_kind(fingerprint)}")
    fingerprint = fingerprint or label_fingerprint(labels, text or "")
    if text is not None and len(text) > MAX_TEXT:
        raise AlertError(f"alerts[{index + 1}].text: {len(text):,} characters: expected at most {MAX_TEXT:,}")
    if status == "firing":
        ends = None  # Alertmanager sends a firing alert's expected end (now + resolve_timeout): not a fact yet
    received = Received(status, labels, annotations, fingerprint, starts, ends, source,
                        text.strip() if text and text.strip() else alert_line(status, labels, annotations))
    problem = unstorable_text(received.payload(), f"alerts[{index + 1}]") if escapes else None
    if problem:
        raise AlertError(problem)
    return received


def _labels(value: Any, index: int, field: str) -> dict[str, str]:
    if value is None:
        return {}
    if type(value) is not dict:
        raise AlertError(f"alerts[{index + 1}].{field}: expected an object of name: text, got {_kind(value)}")
    if len(value) > MAX_LABELS:
        raise AlertError(f"alerts[{index + 1}].{field}: {len(value):,} of them: expected at most {MAX_LABELS}")
    for name, text in value.items():
        if type(text) is not str or len(text) > MAX_TEXT or len(name) > MAX_TEXT:
            where = f"alerts[{index + 1}].{field}.{_clip(name)}"
            if not isinstance(text, str):
                raise AlertError(f"{where}: expected text, got {_kind(text)}")
            raise AlertError(f"{where}: {len(text):,} characters: expected at most {MAX_TEXT:,}")
    return value  # the body's own object, fresh from json.loads: no one else holds it


def _time_of(value: Any, index: int, field: str, times: dict) -> datetime | None:
    """_time, read once per body for each text (the same text is the same time)."""
    if type(value) is str:
        if value in times:
            return times[value]
        times[value] = when = _time(value, f"alerts[{index + 1}].{field}")
        return when
    return _time(value, f"alerts[{index + 1}].{field}")


# Go's zero time: what Alertmanager sends as endsAt of an alert that has no end yet (in some versions).
_ZERO_YEAR = 1
_RFC3339 = re.compile(r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})\Z")


def _time(value: Any, where: str) -> datetime | None:
    """An RFC 3339 time as monitoring writes it (nanoseconds, Z or an offset); None for none or Go's zero time."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise AlertError(f"{where}: expected an RFC 3339 time, got {_kind(value)}")
    match = _RFC3339.match(value.strip())
    if match is None:
        raise AlertError(f"{where}: {quoted(value)}: expected an RFC 3339 time like 2026-12-01T18:04:05.123Z")
    day, clock, fraction, zone = match.groups()
    if day.startswith("0001-"):
        return None
    micro = (fraction or "").ljust(6, "0")[:6]
    try:
        when = datetime.fromisoformat(f"{day}T{clock}.{micro}{'+00:00' if zone in 'Zz' else zone}").astimezone(UTC)
    except ValueError:
        raise AlertError(f"{where}: {quoted(value)} is not a date and time") from None
    if not in_range(when):
        raise AlertError(f"{where}: {quoted(value)} is out of range")
    return when


def label_fingerprint(labels: Mapping[str, str], text: str = "") -> str:
    """An alert's identity when its sender gives none: its labels (as Alertmanager's is), else its text."""
    material = canonical_json(dict(labels)) if labels else canonical_json(text)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:16]


def alert_line(status: str, labels: Mapping[str, str], annotations: Mapping[str, str]) -> str:
    """FIRING DiskFull db-1:9100: Disk 95% full: what an alert says in one line, from its labels and annotations."""
    name = labels.get("alertname") or annotations.get("title") or "alert"
    where = labels.get("instance") or labels.get("service") or labels.get("job") or ""
    summary = annotations.get("summary") or annotations.get("description") or annotations.get("message") or ""
    line = f"{status.upper()} {name}" + (f" {where}" if where else "")
    return f"{line}: {summary}" if summary else line


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return f"the number {quoted(value)}"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return quoted(value)


def _clip(text: Any) -> str:
    text = str(text)
    return text if len(text) <= 40 else text[:39] + "…"


# --- the log's view: what each incident already holds ----------------------------------------------------


@dataclass
class _Folded:
    """What one incident's log says that routing and deduplication need, folded up to `seq`."""

    seq: int = 0
    runbooks: set[str] = field(default_factory=set)
    alert_status: dict[str, str] = field(default_factory=dict)  # fingerprint: the state it was last stored in

    def take(self, event: Event) -> None:
        if event.kind == kinds.ALERT:
            fingerprint, status = event.payload.get("fingerprint"), event.payload.get("status")
            if fingerprint and status:
                self.alert_status[fingerprint] = _STATES.get(status, status)  # one 'firing', not one per alert
        elif event.kind == kinds.DECLARED:
            self.runbooks.update(event.payload.get("runbooks") or ())
        elif event.kind == kinds.RUNBOOK:
            self.runbooks.add(event.payload["runbook"])
        self.seq = max(self.seq, event.seq)


_STATES = {state: state for state in ALERT_STATUSES}


class AlertLedger:
    """The fold of each incident's log that routing and deduplication read, kept up to date from the log."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._incidents: dict[str, _Folded] = {}
        self._fresh: set[str] = set()  # incidents read up to their end since begin()
        self._declared: set[str] = set()  # incidents declared by the batch being planned: not committed yet

    def begin(self) -> None:
        """A new batch of requests: each incident's log is read again (once) for what others wrote meanwhile."""
        self._fresh.clear()

    def declared(self, incident_id: str) -> None:
        """The batch declared this incident (its fold is forgotten if the batch is rolled back)."""
        self._declared.add(incident_id)
        self._fresh.clear()  # its declaration (the runbook) is read for the route's next alerts

    def committed(self) -> None:
        self._declared.clear()

    def rolled_back(self) -> None:
        """The batch was not committed: the incidents it declared are not in the log (their ids may be used again)."""
        for incident_id in self._declared:
            self._incidents.pop(incident_id, None)
        self._declared.clear()
        self._fresh.clear()

    def folded(self, incident_id: str) -> _Folded:
        """The incident's fold, with every event after the last one folded read first (another writer's too)."""
        known = self._incidents.setdefault(incident_id, _Folded())
        if incident_id not in self._fresh:
            for chunk in self.store.event_chunks(incident_id, after_seq=known.seq):  # a restart on a storm's log
                for event in chunk:  # holds a chunk of its events at a time, not all of them
                    known.take(event)
            self._fresh.add(incident_id)
        return known

    def took(self, appended: Sequence[Event]) -> None:
        """Our own events, just committed: folded without reading them back when nothing came between."""
        if not appended:
            return
        known = self._incidents.get(appended[0].incident)
        if known is not None and appended[0].seq == known.seq + 1:
            for event in appended:
                known.take(event)

    def is_repeat(self, incident_id: str, alert: Received, *pending: Mapping[str, str]) -> bool:
        """The alert's fingerprint is already in this state in the log (or in `pending`, planned before it and
        not stored yet: the first mapping that knows it says)."""
        for planned in pending:
            last = planned.get(alert.fingerprint)
            if last is not None:
                return last == alert.status
        return self.folded(incident_id).alert_status.get(alert.fingerprint) == alert.status


# --- where an alert goes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Destination:
    """An incident to store the alert in, or (incident_id empty) a route that declares one for it."""

    incident_id: str
    route: Route | None = None

    @property
    def declares(self) -> bool:
        return not self.incident_id


def destination(alert: Received, playbook: Playbook, open_ids: Sequence[str], ledger: AlertLedger,
                named: str | None) -> Destination:
    """Where one alert goes: the incident named (`?incident=ID`), else (a resolution) the open incident where it
    is firing, else the first route whose labels match
    (its runbook's open incident, else a declaration from a firing alert), else the only open incident.
    `open_ids` are the open incidents, the newest first."""
    if named:
        return Destination(named)
    if alert.status == "resolved":  # a resolution goes where the alert is firing, whatever the routes say now
        firing_in = [i for i in open_ids if ledger.folded(i).alert_status.get(alert.fingerprint) == "firing"]
        if firing_in:
            return Destination(firing_in[0])
    for route in playbook.routes:
        if not route.matches(alert.labels):
            continue
        fits = [i for i in open_ids if not route.runbook or route.runbook in ledger.folded(i).runbooks]
        if fits:
            return Destination(fits[0], route)
        if route.declare and alert.status == "firing":
            return Destination("", route)
        having = f" with the runbook {route.runbook} attached" if route.runbook else ""
        raise AlertError(f"route {route.id}: no open incident{having} to take {quoted(alert.text)}", 409)
    if len(open_ids) == 1:
        return Destination(open_ids[0])
    if not open_ids:
        raise AlertError("no open incident to take the alert: declare one, add a route, or post with ?incident=ID", 409)
    listed = ", ".join(open_ids[:5]) + (", ..." if len(open_ids) > 5 else "")
    raise AlertError(f"{len(open_ids)} incidents are open ({listed}): post with ?incident=ID or add a route", 409)


def declared_from(alert: Received, route: Route, playbook: Playbook, now: datetime, actor: str) -> dict[str, Any]:
    """The declaration a route makes from a firing alert: titled by the alert, at the route's severity, with
    its runbook, started when the alert started; the commander is the tool until a person takes it (`role`)."""
    title = alert_line("firing", alert.labels, alert.annotations).removeprefix("FIRING ")
    started = alert.at(now)
    return declaration(playbook, now, route.declare, title[:200], "", (route.runbook,) if route.runbook else (),
                       started, started, actor)


@dataclass
class Outcome:
    """What one request did: alerts stored per incident, repeats left out, incidents declared."""

    stored: dict[str, int] = field(default_factory=dict)
    repeats: int = 0
    declared: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"stored": sum(self.stored.values()), "repeats": self.repeats, "incidents": self.stored,
                "declared": self.declared}


def named_incident(store: Store, reference: str | None) -> str | None:
    """The incident `?incident=` names, or AlertError 404."""
    if reference is None:
        return None
    try:
        return store.find_incident(reference)
    except WarroomError as error:
        raise AlertError(str(error), 404) from None


def plan(requests: Iterable[tuple[list[Received], str | None]], store: Store, playbook: Playbook, ledger: AlertLedger,
         now: datetime, actor_of: Mapping[str, str]) -> list[tuple[dict[str, list[tuple[str, dict, datetime]]], Outcome] | AlertError]:
    """Route and deduplicate several requests' alerts in order, each request all or nothing: per request,
    the events to append per incident and what it did, or the AlertError that refuses it whole. Declarations a
    route makes are written here (the alert goes into the incident it makes): call it inside Store.transaction,
    with the appends, and tell the ledger `committed()` or `rolled_back()`."""
    ledger.begin()
    open_ids = [row.id for row in store.open_incidents()]
    pending_status: dict[str, dict[str, str]] = {}  # per incident: fingerprint: state, for alerts planned not yet stored
    declared_by: dict[str, str] = {}  # route id: the incident it declared in these requests
    results: list = []
    for alerts, reference in requests:
        try:
            named = named_incident(store, reference)
            batch: dict[str, list[tuple[str, dict, datetime]]] = {}
            outcome = Outcome()
            mine: dict[str, dict[str, str]] = {}
            routed = []
            for alert in alerts:
                routed.append((alert, destination(alert, playbook, open_ids, ledger, named)))
        except AlertError as error:
            results.append(error)
            continue
        for alert, where in routed:
            incident_id = where.incident_id
            if where.declares:
                assert where.route is not None
                incident_id = declared_by.get(where.route.id, "")
                if not incident_id:  # the first alert a route declares for: the route's next alerts go into it
                    payload = declared_from(alert, where.route, playbook, now, actor_of[alert.source])
                    incident_id = store.declare(payload, actor=actor_of[alert.source]).incident
                    ledger.declared(incident_id)
                    declared_by[where.route.id] = incident_id
                    open_ids.insert(0, incident_id)
                    outcome.declared.append(incident_id)
            if ledger.is_repeat(incident_id, alert, mine.get(incident_id, {}), pending_status.get(incident_id, {})):
                outcome.repeats += 1
                continue
            mine.setdefault(incident_id, {})[alert.fingerprint] = alert.status
            batch.setdefault(incident_id, []).append((kinds.ALERT, alert.payload(), alert.at(now)))
            outcome.stored[incident_id] = outcome.stored.get(incident_id, 0) + 1
        for incident_id, states in mine.items():
            pending_status.setdefault(incident_id, {}).update(states)
        results.append((batch, outcome))
    return results
