"""Looking back: the post-incident report (Markdown), the timeline as CSV, and metrics across incidents."""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Iterable, Sequence

import humanize

from warroom import events as kinds
from warroom import views
from warroom.clock import UTC, format_clock, iso, parse_iso
from warroom.errors import WarroomError
from warroom.events import Event, canonical_json
from warroom.incident import IncidentState, apply, fold_order
from warroom.playbook import Phase, Playbook

# --- saying times and durations ---------------------------------------------------------------------


def say(delta: timedelta | float | None) -> str:
    """A duration the way people say it: '4 minutes and 10 seconds', '1 hour and 52 minutes'.

    Under an hour it is exact to the second; from an hour on, to the minute (rounded).
    """
    if delta is None:
        return "-"
    seconds = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
    seconds = abs(seconds)
    if seconds >= 3600:
        return humanize.precisedelta(timedelta(minutes=round(seconds / 60)), minimum_unit="minutes", format="%0.0f")
    return humanize.precisedelta(timedelta(seconds=round(seconds)), minimum_unit="seconds", format="%0.0f")


def t_plus(delta: timedelta) -> str:
    """Incident time: 'T+0:12:05' (before the start, 'T-0:02:00')."""
    sign = "-" if delta < timedelta(0) else "+"
    return f"T{sign}{format_clock(abs(delta))}"


def _zone(when: datetime) -> str:
    local = when.astimezone()
    name = local.strftime("%Z")
    if not name or name[0] in "+-":
        offset = local.strftime("%z")
        name = f"UTC{offset[:3]}:{offset[3:]}" if offset else "local"
    return name


def _local(when: datetime, *, date: bool = False, zone: bool = False) -> str:
    local = when.astimezone()
    text = local.strftime("%Y-%m-%d %H:%M:%S" if date else "%H:%M:%S")
    return f"{text} {_zone(when)}" if zone else text


def _utc(when: datetime, *, date: bool = True) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S" if date else "%H:%M:%S")


# --- keeping typed text from breaking the Markdown ----------------------------------------------------

_NEWLINES = re.compile(r"\s*(?:\r\n|\r|\n|\u2028|\u2029)\s*")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")  # what could open an HTML tag or comment
_PIPE = re.compile(r"(\\*)\|")


def _printable(text: str) -> str:
    return "".join(
        ch if ch.isprintable() or ch in " \n" else ("    " if ch == "\t" else ch.encode("unicode_escape").decode("ascii"))
        for ch in text
    )


def inline(text: Any) -> str:
    """User text as inline Markdown: one line, control characters shown, no HTML opened."""
    value = str(text)
    if not value.isprintable():  # newlines and control characters (the common case skips this)
        value = _printable(_NEWLINES.sub(" ⏎ ", value.strip()))
    return _TAG_START.sub("&lt;", value) if "<" in value else value


def cell(text: Any) -> str:
    """User text for a table cell: inline, and every `|` escaped (with any backslashes before it)."""
    value = inline(text)
    return _PIPE.sub(lambda m: m.group(1) * 2 + "\\|", value) if "|" in value else value


def fence_for(text: str) -> str:
    """A backtick fence longer than any run of backticks inside the text (at least three)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


# --- one incident's facts -------------------------------------------------------------------------------


def _name(playbook: Playbook | None, finder: str, ident: str) -> str:
    if playbook is None:
        return ident
    try:
        return getattr(playbook, finder)(ident).name
    except Exception:  # an id this incident's playbook does not know: say the id
        return ident


def _severity_label(playbook: Playbook | None, ident: str) -> str:
    name = _name(playbook, "severity", ident)
    return f"{ident} ({name})" if name and name != ident else ident


def _list_name(playbook: Playbook | None, list_id: str) -> str:
    if playbook is None:
        return list_id
    for phase in playbook.phases:
        if phase.id == list_id:
            return phase.name
    return _name(playbook, "runbook", list_id)


def describe(event: Event, before: IncidentState, after: IncidentState) -> str:
    """What the event did, in words (plain text, not yet escaped for Markdown)."""
    p = event.payload
    kind = event.kind
    playbook = after.playbook
    if kind == kinds.DECLARED:
        text = f"Declared {_severity_label(playbook, str(p.get('severity', '')))}: {p.get('title', '')}"
        if p.get("impact"):
            text += f"; impact: {p['impact']}"
        if p.get("commander"):
            text += f"; commander: {p['commander']}"
        runbooks = [_name(playbook, "runbook", r) for r in p.get("runbooks", ())]
        if runbooks:
            text += f"; runbook{'s' if len(runbooks) > 1 else ''}: {', '.join(runbooks)}"
        return text
    if kind == kinds.NOTE:
        return f"Note: {p.get('text', '')}"
    if kind == kinds.ALERT:
        return f"Alert: {p.get('text', '')}"
    if kind in (kinds.STATUS, kinds.RESOLVED, kinds.REOPENED):
        if kind == kinds.RESOLVED or after.status == "resolved" and before.status != "resolved":
            ran = after.resolved_at - after.started_at if after.resolved_at and after.started_at else None
            return "Incident resolved" + (f" after {say(ran)}" if ran is not None else "")
        if kind == kinds.REOPENED:
            return "Incident reopened"
        return f"Status changed from {before.status} to {p.get('status', '')}"
    if kind == kinds.SEVERITY:
        return f"Severity changed from {_severity_label(playbook, before.severity)} to {_severity_label(playbook, str(p.get('severity', '')))}"
    if kind == kinds.IMPACT:
        return f"Impact updated: {p.get('impact', '')}"
    if kind == kinds.TITLE:
        return f"Title changed to: {p.get('title', '')}"
    if kind == kinds.ETA:
        if not p.get("eta"):
            return "Expected resolution time cleared"
        eta = parse_iso(p["eta"])
        return f"Expected resolution time set to {_local(eta)[:5]} {_zone(eta)} ({_utc(eta, date=False)[:5]} UTC)"
    if kind in (kinds.CHECK, kinds.UNCHECK):
        list_id, step = str(p.get("list", "")), p.get("step", "")
        done = "Done" if kind == kinds.CHECK else "Undone"
        return f"{done}: {p.get('text', '')} ({_list_name(playbook, list_id)}, step {step})"
    if kind == kinds.PHASE:
        phase_id = str(p.get("phase", ""))
        window = ""
        if playbook is not None:
            try:
                window = f" (window {playbook.phase(phase_id).window})"
            except Exception:
                window = ""
        return f"Moved to phase {_name(playbook, 'phase', phase_id)}{window}"
    if kind == kinds.RUNBOOK:
        return f"Attached the runbook {_name(playbook, 'runbook', str(p.get('runbook', '')))}"
    if kind in (kinds.NOTIFY, kinds.ACK):
        rung_id = str(p.get("rung", ""))
        name = _name(playbook, "rung", rung_id)
        if kind == kinds.ACK:
            return f"{name} acknowledged"
        contacts = ""
        if playbook is not None:
            try:
                contacts = ", ".join(f"{c.name} {c.phone}" for c in playbook.rung(rung_id).contacts)
            except Exception:
                contacts = ""
        return f"Notified {name}" + (f" ({contacts})" if contacts else "")
    if kind == kinds.ROLE:
        return f"{p.get('name', '')} is {p.get('role', '')}"
    if kind == kinds.COPIED:
        via = _via(p.get("via"))
        if p.get("what") == "contact":
            return f"Copied the number for {p.get('name', '')}: {p.get('text', '')} ({via})"
        return f"Copied the {p.get('name') or p.get('what', '')} message to send ({via}); in full under Communications"
    return f"{kind}: {canonical_json(p)}"


def _via(via: Any) -> str:
    return {"clipboard": "clipboard", "osc52": "terminal clipboard, OSC 52"}.get(str(via), str(via or "unknown"))


@dataclass(frozen=True, slots=True)  # one per event: without a __dict__ each, 100,000 of them take ~10 MB less
class Entry:
    """One event of the timeline, said in words, with the state it left."""

    event: Event
    description: str


# Kinds whose only effect on the state is to be counted (in the field named), once it is declared.
_COUNTED_ONLY = {kinds.NOTE: "notes", kinds.ALERT: "alerts"}


def _walk(events: Iterable[Event]) -> tuple[list[Entry], IncidentState]:
    """Fold the events (as `state_of` does), describing each; the entries come back in happened order.

    The result is `state_of(events)`. Notes and alerts, most of a long log, only add to a count,
    so they are counted here rather than folded one by one (the tests hold the two equal).
    """
    state = IncidentState()
    entries = []
    counts = {"notes": 0, "alerts": 0}
    ordered = fold_order(events)
    for event in ordered:
        field_name = _COUNTED_ONLY.get(event.kind)
        if field_name is not None:
            if state.declared:
                counts[field_name] += 1
            entries.append(Entry(event, describe(event, state, state)))
            continue
        after = apply(state, event)
        entries.append(Entry(event, describe(event, state, after)))
        state = after
    entries.sort(key=lambda entry: (entry.event.at, entry.event.seq))  # the timeline: as things happened
    if ordered:
        last_seq = max(e.seq for e in ordered)
        last_at = entries[-1].event.at
        state = replace(
            state, notes=state.notes + counts["notes"], alerts=state.alerts + counts["alerts"], events=len(ordered),
            last_seq=last_seq, last_at=last_at,
        )
    return entries, state


# --- metrics of one incident --------------------------------------------------------------------------


@dataclass(frozen=True)
class PhaseResult:
    """How one phase went against its window (offsets from the start)."""

    phase: Phase
    entered: timedelta | None  # first entered
    left: timedelta | None  # last left (next phase entered, or resolution); None while still in it
    time_in: timedelta  # every stint in it, summed
    state: str  # "met", "missed", "open" (still in it, inside its window), "overdue" (still in it, past it), "skipped"
    over_by: timedelta | None  # past the window's end when left (or now, if still in it)

    @property
    def judged(self) -> bool:
        return self.state in ("met", "missed", "overdue")


def phase_results(state: IncidentState, now: datetime) -> list[PhaseResult]:
    """Each playbook phase, in order: when it was entered and left, and whether it kept to its window."""
    playbook = state.playbook
    assert playbook is not None and state.started_at is not None
    start = state.started_at
    end = state.resolved_at
    stints: dict[str, list[tuple[datetime, datetime | None]]] = {}
    history = list(state.phase_history)
    for index, (phase_id, entered) in enumerate(history):
        left = history[index + 1][1] if index + 1 < len(history) else end
        if end is not None:
            if entered >= end and index > 0:
                continue  # moved after the resolution: not part of the incident's course
            left = min(left, end) if left is not None else end
        stints.setdefault(phase_id, []).append((entered, left))
    results = []
    for phase in playbook.phases:
        spans = stints.get(phase.id)
        if not spans:
            results.append(PhaseResult(phase, None, None, timedelta(0), "skipped", None))
            continue
        entered = min(s for s, _ in spans) - start
        open_now = any(e is None for _, e in spans)
        time_in = sum(((e or now) - s for s, e in spans), timedelta(0))
        left = None if open_now else max(e for _, e in spans if e is not None) - start
        mark = (now - start) if open_now else left
        limit = phase.window.end
        if limit is None or mark <= limit:
            status = "open" if open_now else "met"
            over = None
        else:
            status = "overdue" if open_now else "missed"
            over = mark - limit
        results.append(PhaseResult(phase, entered, left, max(time_in, timedelta(0)), status, over))
    return results


@dataclass(frozen=True)
class IncidentMetrics:
    """The numbers of one incident, all measured from its start."""

    severity: str
    to_acknowledge: timedelta | None
    to_mitigate: timedelta | None
    to_resolve: timedelta | None
    response: views.ResponseView
    phases: tuple[PhaseResult, ...]


def metrics(state: IncidentState, now: datetime) -> IncidentMetrics:
    assert state.started_at is not None

    def since_start(when: datetime | None) -> timedelta | None:
        return None if when is None else max(timedelta(0), when - state.started_at)  # type: ignore[operator]

    return IncidentMetrics(
        state.severity,
        since_start(state.acknowledged_at),
        since_start(state.mitigated_at),
        since_start(state.resolved_at),
        views.response(state, now),
        tuple(phase_results(state, now)),
    )


# --- the Markdown report ------------------------------------------------------------------------------


def markdown_report(events: Iterable[Event], now: datetime) -> str:
    """The post-incident report of one incident's events, as Markdown for a postmortem."""
    events = list(events)
    entries, state = _walk(events)
    if not state.declared or state.started_at is None or state.playbook is None:
        raise WarroomError("the events hold no declared incident: nothing to report")
    playbook = state.playbook
    start = state.started_at
    end = state.resolved_at or now
    result = metrics(state, now)
    out: list[str] = []
    add = out.append

    add(f"# {state.id}: {inline(state.title)}")
    add("")

    # Summary
    add("## Summary")
    add("")
    severity = _severity_label(playbook, state.severity)
    changes = [s for s, _ in state.severity_history]
    if len(changes) > 1:
        severity += f"; declared {changes[0]}, changed " + ", then ".join(
            f"to {s} at {_local(at)[:5]}" for s, at in state.severity_history[1:]
        )
    add(f"- **Severity:** {inline(severity)}")
    if state.resolved:
        add(f"- **Status:** resolved after {say(end - start)}")
    else:
        add(f"- **Status:** {state.status}, still open as of {_local(now, date=True, zone=True)} ({say(now - start)} in)")
    add(f"- **Impact:** {inline(state.impact) or '(not recorded)'}")
    add("- **Roles:** " + "; ".join(f"{inline(role)}: {inline(name)}" for role, name in state.roles.items()))
    add(f"- **Started:** {_local(start, date=True, zone=True)} ({_utc(start)} UTC)")
    runbooks = [_name(playbook, "runbook", r) for r in state.runbooks]
    add(f"- **Runbooks:** {inline(', '.join(runbooks)) if runbooks else 'none'}")
    add(
        f"- **Log:** {state.events} events ({state.alerts} alert{'s' if state.alerts != 1 else ''}, "
        f"{state.notes} note{'s' if state.notes != 1 else ''}); playbook: {inline(playbook.name)}"
    )
    add(f"- **Report:** generated {_local(now, date=True, zone=True)} by warroom from the incident's log")
    add("")

    # Key times
    add("## Key times")
    add("")
    add(_row("Milestone", "Local time", "UTC", "Since start"))
    add(_row("---", "---", "---", "---"))
    missing = {"acknowledged": "not acknowledged", "mitigated": "not mitigated", "resolved": "not resolved"}
    for name, when in views.milestones(state):
        if when is None:
            add(_row(name.capitalize(), missing.get(name, "-"), "-", "-"))
        else:
            add(_row(name.capitalize(), _local(when, date=True, zone=True), _utc(when), t_plus(when - start)))
    add("")

    # Metrics
    add("## Metrics")
    add("")
    add(f"All times are measured from the start ({_local(start, zone=True)}).")
    add("")
    for label, value, none in (
        ("Time to acknowledge", result.to_acknowledge, "not acknowledged"),
        ("Time to mitigate", result.to_mitigate, "not mitigated"),
        ("Time to resolve", result.to_resolve, "not resolved" + ("" if state.resolved else " yet")),
    ):
        add(f"- **{label}:** {say(value) if value is not None else none}")
    judged_by = result.response.severity or views.severity_of(state)
    when = "" if judged_by.id == state.severity else " when acknowledged" if result.response.met_at else " when resolved"
    add(f"- **Response target** ({inline(judged_by.id)}{when}, {_target(judged_by.response_target)}): {_response(result.response, start)}")
    add("")
    add("Phases against their windows:")
    add("")
    add(_row("Phase", "Window", "Entered", "Left", "Time in phase", "Result"))
    add(_row("---", "---", "---", "---", "---", "---"))
    for phase in result.phases:
        if phase.state == "skipped":
            add(_row(cell(phase.phase.name), str(phase.phase.window), "-", "-", "-", "not entered"))
            continue
        left = t_plus(phase.left) if phase.left is not None else "still in it"
        if phase.left is not None and state.resolved and phase.left == end - start:
            left += " (resolved)"
        verdict = {
            "met": "met",
            "open": "in progress, inside its window",
            "missed": f"over by {say(phase.over_by)}",
            "overdue": f"in progress, over by {say(phase.over_by)}",
        }[phase.state]
        assert phase.entered is not None
        add(_row(cell(phase.phase.name), str(phase.phase.window), t_plus(phase.entered), left, say(phase.time_in), verdict))
    add("")
    add("Escalation:")
    add("")
    add(_row("Rung", "Falls due", "Notified", "Acknowledged", "Note"))
    add(_row("---", "---", "---", "---", "---"))
    for rung in views.ladder(state, end).rungs:
        add(_rung_row(rung, state, start, end))
    add("")

    # Timeline
    zone = _zone(start)
    stamps = [start, now if not entries else entries[-1].event.at] + ([entries[0].event.at] if entries else [])
    dated = _local(min(stamps), date=True)[:10] != _local(max(stamps), date=True)[:10]
    add("## Timeline")
    add("")
    add(f"Sorted by when things happened; times are {zone}.")
    add("")
    add(_row(f"Time ({zone})", "Since start", "Who", "What"))
    add(_row("---", "---", "---", "---"))
    declared_at = state.declared_at or start
    extra: list[tuple[datetime, str]] = []
    if start < declared_at:
        extra.append((start, "Incident started (as given when it was declared)"))
    if state.detected_at and state.detected_at != start and state.detected_at < declared_at:
        extra.append((state.detected_at, "Incident detected (as given when it was declared)"))
    rows = [(when, -1, "-", text, "") for when, text in extra]
    for entry in entries:
        event = entry.event
        mark = f" _(backfilled, recorded {_local(event.recorded_at)[:5]})_" if event.backfilled else ""
        rows.append((event.at, event.seq, event.actor, entry.description, mark))
    rows.sort(key=lambda r: (r[0], r[1]))
    said: dict[datetime, tuple[str, str]] = {}  # a moment's local time and T+, worked out once per moment

    def when_said(when: datetime) -> tuple[str, str]:
        # A long log holds few distinct moments (a piped batch of alerts shares one): say each once.
        words = said.get(when)
        if words is None:
            words = said[when] = (_local(when, date=dated), t_plus(when - start))
        return words

    for when, _seq, who, text, mark in rows:
        local, since = when_said(when)
        add(_row(local, since, cell(who), cell(text) + mark))
    add("")

    # Communications
    add("## Communications")
    add("")
    copies = [e.event for e in entries if e.event.kind == kinds.COPIED and e.event.payload.get("what") != "contact"]
    if not copies:
        add("No message was copied to send.")
        add("")
    for event in copies:
        p = event.payload
        text = str(p.get("text", ""))
        add(f"### {_local(event.at, date=dated)} {zone}: {inline(p.get('name') or p.get('what', 'message'))}")
        add("")
        mark = f" (backfilled, recorded {_local(event.recorded_at)[:5]})" if event.backfilled else ""
        add(f"Copied by {inline(event.actor)} at {t_plus(event.at - start)}, via {_via(p.get('via'))}{mark}:")
        add("")
        fence = fence_for(text)
        add(f"{fence}text")
        add(text[:-1] if text.endswith("\n") else text)
        add(fence)
        add("")

    # Checklist
    add("## Checklist")
    add("")
    checked_by = {}
    for entry in entries:
        event = entry.event
        if event.kind == kinds.CHECK:
            checked_by[(event.payload.get("list"), event.payload.get("step"))] = event.actor
    for checklist in views.checklists(state, end):
        kind = f"phase, {checklist.window}" if checklist.kind == "phase" else "runbook"
        add(f"### {inline(checklist.name)} ({kind}): {checklist.done} of {checklist.total} done")
        add("")
        for step in checklist.steps:
            if step.done_at is not None:
                who = checked_by.get((step.list_id, step.index))
                by = f" by {inline(who)}" if who else ""
                add(f"- [x] {inline(step.text)}: done {_local(step.done_at, date=dated)} ({t_plus(step.done_at - start)}){by}")
            else:
                add(f"- [ ] {inline(step.text)}: not done")
        add("")

    # Notes
    add("## Notes")
    add("")
    notes = [e.event for e in entries if e.event.kind == kinds.NOTE]
    if not notes:
        add("No notes were taken.")
    for event in notes:
        mark = f" _(backfilled, recorded {_local(event.recorded_at)[:5]})_" if event.backfilled else ""
        local, since = when_said(event.at)
        add(f"- {local} ({since}) {inline(event.actor)}: {inline(event.payload.get('text', ''))}{mark}")
    add("")
    del entries, rows  # only the lines are needed now: let the joined text have the memory these held
    return "\n".join(out)


def _target(delta: timedelta) -> str:
    return "immediate" if not delta else say(delta)


def _response(view: views.ResponseView, start: datetime) -> str:
    due = f"due {t_plus(view.due_at - start)}"
    if view.state == "met":
        if view.met_at is None:
            return f"met: resolved before it was due ({due}), without an acknowledgement"
        margin = view.remaining
        early = f", {say(margin)} to spare" if margin > timedelta(0) else ""
        return f"met: acknowledged at {t_plus(view.met_at - start)} ({due}{early})"
    if view.state == "missed":
        if view.met_at is None:
            return f"missed by {say(view.late_by)}: never acknowledged ({due})"
        return f"missed by {say(view.late_by)}: acknowledged at {t_plus(view.met_at - start)} ({due})"
    if view.state == "overdue":
        return f"missed: not acknowledged yet, overdue by {say(view.late_by)} ({due})"
    return f"pending: not acknowledged yet, {say(view.remaining)} left ({due})"


def _rung_row(rung: views.RungView, state: IncidentState, start: datetime, end: datetime) -> str:
    due = t_plus(rung.due_at - start)
    notified = t_plus(rung.notified_at - start) if rung.notified_at else "-"
    acknowledged = t_plus(rung.acknowledged_at - start) if rung.acknowledged_at else "-"
    if rung.state == "unreached":
        note = f"not at {state.severity}" + (", yet notified" if rung.notified_at else "")
    elif rung.notified_at is not None:
        lag = rung.notified_at - rung.due_at
        if lag > timedelta(seconds=0):
            note = f"notified {say(lag)} after it fell due"
        elif lag < timedelta(seconds=0):
            note = f"notified {say(-lag)} before it fell due"
        else:
            note = "notified as it fell due"
        if rung.acknowledged_at is None:
            note += "; never acknowledged" if state.resolved else "; not acknowledged yet"
    elif rung.state == "due":
        note = "fell due, never notified" if state.resolved else "due, not notified yet"
    else:
        note = "not reached: resolved before it fell due" if state.resolved else "not due yet"
    return _row(cell(rung.rung.name), due, notified, acknowledged, note)


# --- the timeline as CSV ------------------------------------------------------------------------------

CSV_COLUMNS = ("at", "recorded_at", "t_plus_seconds", "actor", "kind", "description", "backfilled")


def _seconds(delta: timedelta) -> str:
    value = round(delta.total_seconds(), 3)
    return str(int(value)) if value == int(value) else f"{value:.3f}".rstrip("0")


def timeline_csv(events: Iterable[Event]) -> str:
    """Every event, in the order things happened, as CSV: for a spreadsheet or another tool."""
    entries, state = _walk(events)
    start = state.started_at
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    # A long log holds few distinct moments (a piped batch of alerts shares one): format each once.
    stamps: dict[datetime, str] = {}
    offsets: dict[datetime, str] = {}

    def stamp(when: datetime) -> str:
        text = stamps.get(when)
        if text is None:
            text = stamps[when] = iso(when)
        return text

    def offset(when: datetime) -> str:
        text = offsets.get(when)
        if text is None:
            text = offsets[when] = _seconds(when - start) if start is not None else ""
        return text

    for entry in entries:
        event = entry.event
        writer.writerow(
            [
                stamp(event.at),
                stamp(event.recorded_at),
                offset(event.at),
                event.actor,
                event.kind,
                entry.description,
                "true" if event.backfilled else "false",
            ]
        )
    del entries  # only the text is needed now: let it have the memory the entries held
    return buffer.getvalue()


# --- metrics across incidents -------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """Linear interpolation between the closest ranks (as spreadsheets' PERCENTILE.INC does)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Spread:
    """Median and 90th percentile of one duration over the incidents that have it."""

    n: int
    median: timedelta | None
    p90: timedelta | None

    @classmethod
    def of(cls, values: Sequence[timedelta]) -> "Spread":
        if not values:
            return cls(0, None, None)
        seconds = [v.total_seconds() for v in values]
        return cls(len(values), timedelta(seconds=percentile(seconds, 0.5)), timedelta(seconds=percentile(seconds, 0.9)))

    def to_json(self) -> dict[str, Any]:
        def secs(value: timedelta | None) -> float | None:
            return None if value is None else round(value.total_seconds(), 3)

        return {"n": self.n, "median_seconds": secs(self.median), "p90_seconds": secs(self.p90)}


@dataclass(frozen=True)
class Rate:
    """How often something was met, of the incidents where it could be judged."""

    met: int
    judged: int

    @property
    def rate(self) -> float | None:
        return self.met / self.judged if self.judged else None

    def __str__(self) -> str:
        if not self.judged:
            return "none to judge"
        return f"met {self.met} of {self.judged} ({round(100 * self.met / self.judged)}%)"

    def to_json(self) -> dict[str, Any]:
        return {"met": self.met, "judged": self.judged, "rate": None if self.rate is None else round(self.rate, 4)}


@dataclass(frozen=True)
class PhaseRate:
    id: str
    name: str
    window: str
    rate: Rate


@dataclass(frozen=True)
class SeverityStats:
    severity: str
    name: str
    count: int
    resolved: int
    to_acknowledge: Spread
    to_mitigate: Spread
    to_resolve: Spread
    response_target: str
    response: Rate
    phases: tuple[PhaseRate, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "name": self.name,
            "count": self.count,
            "resolved": self.resolved,
            "time_to_acknowledge": self.to_acknowledge.to_json(),
            "time_to_mitigate": self.to_mitigate.to_json(),
            "time_to_resolve": self.to_resolve.to_json(),
            "response_target": {"target": self.response_target, **self.response.to_json()},
            "phases": [{"id": p.id, "name": p.name, "window": p.window, **p.rate.to_json()} for p in self.phases],
        }


@dataclass(frozen=True)
class Stats:
    as_of: datetime
    since: datetime | None
    incidents: int
    severities: tuple[SeverityStats, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": iso(self.as_of),
            "since": iso(self.since) if self.since else None,
            "incidents": self.incidents,
            "severities": [s.to_json() for s in self.severities],
        }


def stats(states: Iterable[IncidentState], now: datetime, since: datetime | None = None) -> Stats:
    """Per severity (the one each incident ended with): counts, median and p90 times, and how often
    the response target and each phase window were met.

    Each incident is judged by its own playbook, so any set of severities and phases works. An
    incident counts when it started at or after `since`. Severities are listed in playbook order.
    """
    chosen = [
        s for s in states
        if s.declared and s.started_at is not None and (since is None or s.started_at >= since)
    ]
    order: dict[str, str] = {}  # severity id -> name, in the order the playbooks list them
    for state in chosen:
        assert state.playbook is not None
        for severity in state.playbook.severities:
            order.setdefault(severity.id, severity.name)
    groups: dict[str, list[tuple[IncidentState, IncidentMetrics]]] = {}
    for state in chosen:
        order.setdefault(state.severity, state.severity)
        groups.setdefault(state.severity, []).append((state, metrics(state, now)))
    result = []
    for severity_id, name in order.items():
        group = groups.get(severity_id)
        if not group:
            continue
        phases: dict[str, tuple[str, str, list[PhaseResult]]] = {}
        targets = []
        for state, m in group:
            assert state.playbook is not None
            target = _target(views.severity_of(state).response_target)
            if target not in targets:
                targets.append(target)
            for phase in m.phases:
                phases.setdefault(phase.phase.id, (phase.phase.name, str(phase.phase.window), []))[2].append(phase)
        result.append(
            SeverityStats(
                severity_id,
                name,
                len(group),
                sum(1 for state, _ in group if state.resolved),
                Spread.of([m.to_acknowledge for _, m in group if m.to_acknowledge is not None]),
                Spread.of([m.to_mitigate for _, m in group if m.to_mitigate is not None]),
                Spread.of([m.to_resolve for _, m in group if m.to_resolve is not None]),
                " or ".join(targets),
                Rate(
                    sum(1 for _, m in group if m.response.state == "met"),
                    sum(1 for _, m in group if m.response.state in ("met", "missed", "overdue")),
                ),
                tuple(
                    PhaseRate(
                        phase_id, phase_name, window,
                        Rate(sum(1 for r in runs if r.state == "met"), sum(1 for r in runs if r.judged)),
                    )
                    for phase_id, (phase_name, window, runs) in phases.items()
                ),
            )
        )
    return Stats(now, since, len(chosen), tuple(result))


def format_stats(result: Stats) -> str:
    """`warroom stats` for people."""
    since = f" since {_local(result.since, date=True, zone=True)}" if result.since else ""
    if not result.incidents:
        return f"No incidents{since}."
    lines = [f"{result.incidents} incident{'s' if result.incidents != 1 else ''}{since}"]
    for s in result.severities:
        lines.append("")
        label = f"{s.severity} {s.name}" if s.name and s.name != s.severity else s.severity
        lines.append(f"{label}: {s.count} incident{'s' if s.count != 1 else ''}, {s.resolved} resolved")
        rows = []
        for verb, spread in (("acknowledge", s.to_acknowledge), ("mitigate", s.to_mitigate), ("resolve", s.to_resolve)):
            if spread.n:
                rows.append((f"to {verb}", f"median {say(spread.median)}, 90th percentile {say(spread.p90)} (of {spread.n})"))
            else:
                rows.append((f"to {verb}", f"none {verb}d yet"))
        rows.append((f"response target ({s.response_target})", str(s.response)))
        for phase in s.phases:
            rows.append((f"{_printable(phase.name)} ({phase.window})", str(phase.rate)))
        width = max(len(what) for what, _ in rows)
        lines.extend(f"  {what:<{width}}  {text}" for what, text in rows)
    return "\n".join(lines)
