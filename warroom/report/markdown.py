"""The post-incident report as Markdown: one function per section, in the order the report reads.

The report's own headings, tables, lists and bold labels are the only markup in it. Every piece of
text from outside (titles, impact, notes, alerts, roles, actors, the playbook's names and steps, the
messages copied) is written through warroom.text (md_inline, md_cell, md_fence), so that it reads
literally when rendered and shows its control characters as escapes when the file is read at a terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Iterable

from warroom import events as kinds
from warroom import views
from warroom.errors import WarroomError
from warroom.events import Event
from warroom.incident import IncidentState
from warroom.playbook import Playbook
from warroom.report.metrics import IncidentMetrics, metrics, target_words
from warroom.report.timeline import Entry, is_message_copy, severity_label, via, walk
from warroom.report.times import local_time, say, utc_time, zone_name
from warroom.text import md_cell, md_fence, md_inline
from warroom.timeline import playbook_name, t_plus


def markdown_report(events: Iterable[Event], now: datetime) -> str:
    """The post-incident report of one incident's events, as Markdown for a postmortem."""
    review = _Review.of(list(events), now)
    lines: list[str] = []
    for section in SECTIONS:
        lines.extend(section(review))
    del review  # only the lines are needed now: let the joined text have the memory the entries held
    return "\n".join(lines)


@dataclass
class _Review:
    """What every section reads: the incident as its log left it, its entries in happened order, its
    metrics, and how its times are said."""

    state: IncidentState
    playbook: Playbook
    entries: list[Entry]
    result: IncidentMetrics
    now: datetime
    start: datetime
    end: datetime  # the resolution, or now for an incident still open
    zone: str
    dated: bool  # the incident spans more than one local day: times carry their date
    _said: dict[datetime, tuple[str, str]] = field(default_factory=dict)
    _names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, events: list[Event], now: datetime) -> "_Review":
        entries, state = walk(events, md_cell)  # the descriptions are timeline cells
        if not state.declared or state.started_at is None or state.playbook is None:
            raise WarroomError("the events hold no declared incident: nothing to report")
        start = state.started_at
        stamps = [start, now if not entries else entries[-1].event.at] + ([entries[0].event.at] if entries else [])
        dated = local_time(min(stamps), date=True)[:10] != local_time(max(stamps), date=True)[:10]
        return cls(
            state, state.playbook, entries, metrics(state, now), now, start, state.resolved_at or now,
            zone_name(start), dated,
        )

    def when_said(self, when: datetime) -> tuple[str, str]:
        """A moment's local time and T+. A long log holds few distinct moments (a piped batch of alerts
        shares one): each is worked out once."""
        words = self._said.get(when)
        if words is None:
            words = self._said[when] = (local_time(when, date=self.dated), t_plus(when - self.start))
        return words

    def who(self, actor: str) -> str:
        """Who acted, as Markdown; a long log has few of them: each is escaped once."""
        name = self._names.get(actor)
        if name is None:
            name = self._names[actor] = md_inline(actor)
        return name


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _title(r: _Review) -> list[str]:
    return [f"# {md_inline(r.state.id)}: {md_inline(r.state.title)}", ""]


def _summary(r: _Review) -> list[str]:
    state, playbook, start, end, now = r.state, r.playbook, r.start, r.end, r.now
    severity = severity_label(playbook, state.severity, md_inline)
    changes = [s for s, _ in state.severity_history]
    if len(changes) > 1:
        severity += f"; declared {md_inline(changes[0])}, changed " + ", then ".join(
            f"to {md_inline(s)} at {local_time(at)[:5]}" for s, at in state.severity_history[1:]
        )
    if state.resolved:
        status = f"resolved after {say(end - start)}"
    else:
        status = f"{md_inline(state.status)}, still open as of {local_time(now, date=True, zone=True)} ({say(now - start)} in)"
    runbooks = [md_inline(playbook_name(playbook, "runbook", r)) for r in state.runbooks]
    return [
        "## Summary",
        "",
        f"- **Severity:** {severity}",
        f"- **Status:** {status}",
        f"- **Impact:** {md_inline(state.impact) or '(not recorded)'}",
        "- **Roles:** " + "; ".join(f"{md_inline(role)}: {md_inline(name)}" for role, name in state.roles.items()),
        f"- **Started:** {local_time(start, date=True, zone=True)} ({utc_time(start)} UTC)",
        f"- **Runbooks:** {', '.join(runbooks) if runbooks else 'none'}",
        f"- **Log:** {state.events} events ({state.alerts} alert{'s' if state.alerts != 1 else ''}, "
        f"{state.notes} note{'s' if state.notes != 1 else ''}); playbook: {md_inline(playbook.name)}",
        f"- **Report:** generated {local_time(now, date=True, zone=True)} by warroom from the incident's log",
        "",
    ]


_NOT_REACHED = {"acknowledged": "not acknowledged", "mitigated": "not mitigated", "resolved": "not resolved"}


def _key_times(r: _Review) -> list[str]:
    lines = ["## Key times", "", _row("Milestone", "Local time", "UTC", "Since start"), _row("---", "---", "---", "---")]
    for name, when in views.milestones(r.state):
        if when is None:
            lines.append(_row(name.capitalize(), _NOT_REACHED.get(name, "-"), "-", "-"))
        else:
            lines.append(_row(name.capitalize(), local_time(when, date=True, zone=True), utc_time(when), t_plus(when - r.start)))
    lines.append("")
    return lines


def _metrics(r: _Review) -> list[str]:
    state, result = r.state, r.result
    lines = ["## Metrics", "", f"All times are measured from the start ({local_time(r.start, zone=True)}).", ""]
    for label, value, none in (
        ("Time to acknowledge", result.to_acknowledge, "not acknowledged"),
        ("Time to mitigate", result.to_mitigate, "not mitigated"),
        ("Time to resolve", result.to_resolve, "not resolved" + ("" if state.resolved else " yet")),
    ):
        lines.append(f"- **{label}:** {say(value) if value is not None else none}")
    judged_by = result.response.severity or views.severity_of(state)
    when = "" if judged_by.id == state.severity else " when acknowledged" if result.response.met_at else " when resolved"
    lines.append(
        f"- **Response target** ({md_inline(judged_by.id)}{when}, {target_words(judged_by.response_target)}): "
        f"{_response(result.response, r.start)}"
    )
    lines.append("")
    return lines + _phase_table(r) + _escalation_table(r)


def _phase_table(r: _Review) -> list[str]:
    lines = ["Phases against their windows:", ""]
    lines.append(_row("Phase", "Window", "Entered", "Left", "Time in phase", "Result"))
    lines.append(_row("---", "---", "---", "---", "---", "---"))
    for phase in r.result.phases:
        if phase.state == "skipped":
            lines.append(_row(md_cell(phase.phase.name), str(phase.phase.window), "-", "-", "-", "not entered"))
            continue
        left = t_plus(phase.left) if phase.left is not None else "still in it"
        if phase.left is not None and r.state.resolved and phase.left == r.end - r.start:
            left += " (resolved)"
        verdict = {
            "met": "met",
            "open": "in progress, inside its window",
            "missed": f"over by {say(phase.over_by)}",
            "overdue": f"in progress, over by {say(phase.over_by)}",
        }[phase.state]
        assert phase.entered is not None
        lines.append(
            _row(md_cell(phase.phase.name), str(phase.phase.window), t_plus(phase.entered), left, say(phase.time_in), verdict)
        )
    lines.append("")
    return lines


def _escalation_table(r: _Review) -> list[str]:
    lines = ["Escalation:", "", _row("Rung", "Falls due", "Notified", "Acknowledged", "Note"), _row("---", "---", "---", "---", "---")]
    lines.extend(_rung_row(rung, r.state, r.start) for rung in views.ladder(r.state, r.end).rungs)
    lines.append("")
    return lines


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


def _rung_row(rung: views.RungView, state: IncidentState, start: datetime) -> str:
    due = t_plus(rung.due_at - start)
    notified = t_plus(rung.notified_at - start) if rung.notified_at else "-"
    acknowledged = t_plus(rung.acknowledged_at - start) if rung.acknowledged_at else "-"
    if rung.state == "unreached":
        note = f"not at {md_cell(state.severity)}" + (", yet notified" if rung.notified_at else "")
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
    return _row(md_cell(rung.rung.name), due, notified, acknowledged, note)


# After a message copied to send, in the timeline: where the report holds its text.
IN_FULL = "; in full under Communications"


def _backfilled(event: Event) -> str:
    """After a backfilled entry: when it was written down (it sorts by when it happened)."""
    return f" _(backfilled, recorded {local_time(event.recorded_at)[:5]})_" if event.backfilled else ""


def _timeline(r: _Review) -> list[str]:
    state, start = r.state, r.start
    lines = [
        "## Timeline", "", f"Sorted by when things happened; times are {r.zone}.", "",
        _row(f"Time ({r.zone})", "Since start", "Who", "What"), _row("---", "---", "---", "---"),
    ]
    # A start or detection given when declaring, earlier than the declaration, has no event of its own.
    declared_at = state.declared_at or start
    extra: list[tuple[datetime, str]] = []
    if start < declared_at:
        extra.append((start, "Incident started (as given when it was declared)"))
    if state.detected_at and state.detected_at != start and state.detected_at < declared_at:
        extra.append((state.detected_at, "Incident detected (as given when it was declared)"))
    rows = [(when, -1, "-", text, "") for when, text in extra]
    for entry in r.entries:
        event = entry.event
        text = entry.description + IN_FULL if is_message_copy(event) else entry.description
        rows.append((event.at, event.seq, r.who(event.actor), text, _backfilled(event)))
    rows.sort(key=lambda row: (row[0], row[1]))
    for when, _seq, who, text, mark in rows:  # the descriptions are cells already (walk with md_cell)
        local, since = r.when_said(when)
        lines.append(_row(local, since, who, text + mark))
    lines.append("")
    return lines


def _communications(r: _Review) -> list[str]:
    lines = ["## Communications", ""]
    copies = [e.event for e in r.entries if is_message_copy(e.event)]
    if not copies:
        lines += ["No message was copied to send.", ""]
    for event in copies:
        p = event.payload
        mark = f" (backfilled, recorded {local_time(event.recorded_at)[:5]})" if event.backfilled else ""
        # Inside the fence the message reads exactly as sent; only its controls are shown as escapes.
        text, fence = md_fence(str(p.get("text", "")))
        lines += [
            f"### {local_time(event.at, date=r.dated)} {r.zone}: {md_inline(p.get('name') or p.get('what', 'message'))}",
            "",
            f"Copied by {r.who(event.actor)} at {t_plus(event.at - r.start)}, via {md_inline(via(p.get('via')))}{mark}:",
            "",
            f"{fence}text",
            text[:-1] if text.endswith("\n") else text,
            fence,
            "",
        ]
    return lines


def _checklist(r: _Review) -> list[str]:
    lines = ["## Checklist", ""]
    checked_by = {}
    for entry in r.entries:
        event = entry.event
        if event.kind == kinds.CHECK:
            checked_by[(event.payload.get("list"), event.payload.get("step"))] = event.actor
    for checklist in views.checklists(r.state, r.end):
        kind = f"phase, {checklist.window}" if checklist.kind == "phase" else "runbook"
        lines += [f"### {md_inline(checklist.name)} ({kind}): {checklist.done} of {checklist.total} done", ""]
        for step in checklist.steps:
            if step.done_at is not None:
                who = checked_by.get((step.list_id, step.index))
                by = f" by {r.who(who)}" if who else ""
                lines.append(
                    f"- [x] {md_inline(step.text)}: done {local_time(step.done_at, date=r.dated)} ({t_plus(step.done_at - r.start)}){by}"
                )
            else:
                lines.append(f"- [ ] {md_inline(step.text)}: not done")
        lines.append("")
    return lines


def _notes(r: _Review) -> list[str]:
    lines = ["## Notes", ""]
    notes = [e.event for e in r.entries if e.event.kind == kinds.NOTE]
    if not notes:
        lines.append("No notes were taken.")
    for event in notes:
        local, since = r.when_said(event.at)
        lines.append(f"- {local} ({since}) {r.who(event.actor)}: {md_inline(event.payload.get('text', ''))}{_backfilled(event)}")
    lines.append("")
    return lines


# The report, top to bottom.
SECTIONS: tuple[Callable[[_Review], list[str]], ...] = (
    _title, _summary, _key_times, _metrics, _timeline, _communications, _checklist, _notes,
)
