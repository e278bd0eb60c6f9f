"""The post-incident report as Markdown: the review's outline (warroom.review), each section filled in where the
log knows and prompted where a person must write, with one writer per kind of fill.

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
from warroom.review import BUNDLED_REVIEW, ReviewSection
from warroom.text import md_cell, md_fence, md_inline
from warroom.timeline import playbook_name, t_plus


def markdown_report(events: Iterable[Event], now: datetime, *, unverified: str | None = None) -> str:
    """The post-incident report of one incident's events, as Markdown for a postmortem: the outline of its
    playbook's `review:` (else the bundled one), each section filled where the log knows, prompted where not.
    `unverified`: the line that says the log does not verify (history.warning), at the top, under the title."""
    review = _Review.of(list(events), now)
    lines = _title(review)
    if unverified:
        lines[1:1] = ["", f"> **{md_inline(unverified)}**"]
    for section in review.playbook.review or BUNDLED_REVIEW:
        lines.extend(_section(review, section))
    del review  # only the lines are needed now: let the joined text have the memory the entries held
    return "\n".join(lines)


def _section(r: "_Review", section: ReviewSection) -> list[str]:
    body = WRITERS[section.fill](r) if section.fill else []
    if section.fill in OMITTED_WHEN_EMPTY and not body:
        return []
    lines = ["#" * section.level + " " + md_inline(section.title), "", *body]
    if section.prompt:
        lines += [f"> **To write:** {md_inline(section.prompt)}", ""]
    return lines


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
    declaration: Event
    during: list[Entry]  # up to the resolution (all of them while it is open): the timeline's
    after: list[Entry]  # recorded as happening after the resolution: a section of their own
    folded: bool = False  # the timeline folded a run of alerts: the appendix lists every one
    _said: dict[datetime, tuple[str, str]] = field(default_factory=dict)
    _names: dict[str, str] = field(default_factory=dict)
    cell: Callable[[object], str] = md_cell  # md_cell, remembering each text's cell (_remembering_cells)

    @classmethod
    def of(cls, events: list[Event], now: datetime) -> "_Review":
        cell = _remembering_cells()
        entries, state = walk(events, cell)  # the descriptions are timeline cells
        if not state.declared or state.started_at is None or state.playbook is None:
            raise WarroomError("the events hold no declared incident: nothing to report")
        start = state.started_at
        stamps = [start, now if not entries else entries[-1].event.at] + ([entries[0].event.at] if entries else [])
        dated = local_time(min(stamps), date=True)[:10] != local_time(max(stamps), date=True)[:10]
        declaration = next(e.event for e in entries if e.event.kind == kinds.DECLARED)
        resolved_at = state.resolved_at if state.resolved else None
        during = [e for e in entries if resolved_at is None or e.event.at <= resolved_at]
        after = [e for e in entries if resolved_at is not None and e.event.at > resolved_at]
        return cls(
            state, state.playbook, entries, metrics(state, now), now, start, state.resolved_at or now,
            zone_name(start), dated, declaration, during, after, cell=cell,
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


def _remembering_cells() -> Callable[[object], str]:
    """md_cell for one report, each text escaped once: every alert is a cell in the timeline and again in the
    appendix, and a storm repeats its texts (100,000 alerts made 180,000 md_cell calls)."""
    made: dict[str, str] = {}

    def cell(text: object) -> str:
        if type(text) is not str:
            return md_cell(text)
        found = made.get(text)
        if found is None:
            found = made[text] = md_cell(text)
        return found

    return cell


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _title(r: _Review) -> list[str]:
    drill = "DRILL " if r.state.drill else ""
    return [f"# {drill}{md_inline(r.state.id)}: {md_inline(r.state.title)}", ""]


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
    started = local_time(start, date=True, zone=True)
    if r.zone != "UTC":
        started += f" ({utc_time(start)} UTC)"
    drill = ["- **DRILL:** an exercise, declared as one; `warroom stats` leaves it out"] if state.drill else []
    return drill + [
        f"- **Severity:** {severity}",
        f"- **Status:** {status}",
        f"- **Impact:** {md_inline(state.impact) or '(not recorded)'}",
        "- **Roles:** " + "; ".join(f"{md_inline(role)}: {md_inline(name)}" for role, name in state.roles.items()),
        f"- **Started:** {started}",
        f"- **Runbooks:** {', '.join(runbooks) if runbooks else 'none'}",
        f"- **Log:** {state.events} events ({state.alerts} alert{'s' if state.alerts != 1 else ''}, "
        f"{state.notes} note{'s' if state.notes != 1 else ''}); playbook: {md_inline(playbook.name)}",
        f"- **Report:** generated {local_time(now, date=True, zone=True)} by warroom from the incident's log",
        "",
    ]


def _impact(r: _Review) -> list[str]:
    """The impact as recorded, each change to it, and how long the incident spent at each severity."""
    lines = [f"Recorded: {md_inline(r.state.impact) or '(no impact was recorded)'}", ""]
    changes = [e.event for e in r.entries if e.event.kind == kinds.IMPACT]
    for event in changes:
        local, since = r.when_said(event.at)
        lines.append(f"- {local} ({since}) {r.who(event.actor)}: {md_inline(event.payload.get('impact', ''))}")
    if changes:
        lines.append("")
    lines += ["Time at each severity:", ""]
    for severity, spent in r.result.at_severity:
        lines.append(f"- {severity_label(r.playbook, severity, md_inline)}: {say(spent)}")
    return lines + [""]


def _trigger(r: _Review) -> list[str]:
    """The first signal the log holds, by when it happened: an alert, or a note (a backfilled report)."""
    first = next((e.event for e in r.entries if e.event.kind in (kinds.ALERT, kinds.NOTE)), None)
    if first is None:
        return ["The log holds no alert or note: nothing but the declaration says how it began.", ""]
    local, since = r.when_said(first.at)
    what = "an alert" if first.kind == kinds.ALERT else "a note"
    return [f"The first signal in the log is {what} at {local} ({since}) from {r.who(first.actor)}: "
            f"{md_inline(first.payload.get('text', ''))}{_backfilled(first)}", ""]


def _detection(r: _Review) -> list[str]:
    state = r.state
    detected = state.detected_at or r.start
    first_alert = next((e.event for e in r.entries if e.event.kind == kinds.ALERT), None)
    lines = [
        f"- **Detected:** {local_time(detected, date=r.dated, zone=True)} ({t_plus(detected - r.start)})",
        f"- **Declared:** {local_time(state.declared_at or r.start, date=r.dated, zone=True)} "
        f"({t_plus((state.declared_at or r.start) - r.start)}), by {r.who(r.declaration.actor)}",
    ]
    if first_alert is not None:
        lines.append(
            f"- **First alert:** {local_time(first_alert.at, date=r.dated, zone=True)} ({t_plus(first_alert.at - r.start)}), "
            f"from {r.who(first_alert.actor)}; {state.alerts} alert{'s' if state.alerts != 1 else ''} in all"
        )
    else:
        lines.append("- **First alert:** none in the log")
    return lines + [""]


def _response_section(r: _Review) -> list[str]:
    return _key_moments(r) + _key_times(r) + _metrics(r)


def _resolution(r: _Review) -> list[str]:
    state = r.state
    lines = []
    if state.mitigated_at is not None:
        lines.append(f"- **Mitigated:** {local_time(state.mitigated_at, date=r.dated, zone=True)} ({t_plus(state.mitigated_at - r.start)})")
    else:
        lines.append("- **Mitigated:** not recorded (the status was never set to mitigating)")
    if state.resolved and state.resolved_at is not None:
        resolver = next((e.event.actor for e in reversed(r.entries) if e.event.kind in (kinds.RESOLVED, kinds.STATUS)
                         and e.event.at <= state.resolved_at), "")
        lines.append(
            f"- **Resolved:** {local_time(state.resolved_at, date=r.dated, zone=True)} ({t_plus(state.resolved_at - r.start)})"
            + (f", by {r.who(resolver)}" if resolver else "")
        )
    else:
        lines.append(f"- **Resolved:** not yet ({md_inline(state.status)})")
    reopened = sum(1 for e in r.entries if e.event.kind == kinds.REOPENED)
    if reopened:
        lines.append(f"- **Reopened:** {reopened} time{'s' if reopened != 1 else ''}")
    return lines + [""]


def _went_wrong(r: _Review) -> list[str]:
    """What the log measures as having gone wrong: the response target, rungs never paged, phases over time."""
    found = []
    response = r.result.response
    if response.state in ("missed", "overdue"):
        found.append(f"The response target was missed by {say(response.late_by)}.")
    for rung in views.ladder(r.state, r.end).rungs:
        if rung.state == "due":
            found.append(f"{md_inline(rung.rung.name)} fell due at {t_plus(rung.due_at - r.start)} and was never notified.")
        elif rung.state == "notified" and r.state.resolved:
            found.append(f"{md_inline(rung.rung.name)} was notified and never acknowledged.")
    for phase in r.result.phases:
        if phase.state in ("missed", "overdue") and phase.over_by is not None:
            found.append(f"{md_inline(phase.phase.name)} ran {say(phase.over_by)} past its window ({phase.phase.window}).")
    if not found:
        return ["Nothing the log measures went wrong: targets, windows and the ladder were kept.", ""]
    return ["From the log:", "", *(f"- {line}" for line in found), ""]


def _action_items(r: _Review) -> list[str]:
    """Every follow-up recorded, during the incident or after it, with its owner, due date and whether done."""
    if not r.state.followups:
        return ["No follow-up was recorded in the log.", ""]
    lines = [_row("#", "Action", "Owner", "Due", "Status", "Recorded"), _row("---", "---", "---", "---", "---", "---")]
    for item in r.state.followups:
        status = f"done {local_time(item.done_at, date=True)[:16]}" if item.done_at else "open"
        lines.append(_row(str(item.number), md_cell(item.text), md_cell(item.owner) or "**no owner**",
                          md_cell(item.due) or "-", status, t_plus(item.at - r.start)))
    return lines + [""]


def _key_moments(r: _Review) -> list[str]:
    """The events someone starred for the review, with why."""
    starred = [e for e in r.entries if e.event.seq in r.state.starred]
    if not starred:
        return []
    lines = ["Key moments (starred in the log):", ""]
    for entry in starred:
        local, since = r.when_said(entry.event.at)
        why = r.state.starred[entry.event.seq]
        lines.append(f"- ★ {local} ({since}) {entry.description}" + (f" (why: {md_inline(why)})" if why else ""))
    return lines + [""]


def _responders(r: _Review) -> list[str]:
    """Everyone the log names: their roles, how many events each recorded, and when they first and last acted."""
    roles: dict[str, list[str]] = {}
    for role, name in r.state.roles.items():
        roles.setdefault(name, []).append(role)
    acted: dict[str, list[Event]] = {}
    for entry in r.entries:
        acted.setdefault(entry.event.actor, []).append(entry.event)
    people = list(dict.fromkeys([*roles, *acted]))
    lines = [_row("Who", "Roles", "Events", "First", "Last"), _row("---", "---", "---", "---", "---")]
    for person in people:
        done = acted.get(person, [])
        first = t_plus(min(e.at for e in done) - r.start) if done else "-"
        last = t_plus(max(e.at for e in done) - r.start) if done else "-"
        lines.append(_row(r.who(person), md_cell(", ".join(roles.get(person, []))) or "-", str(len(done)), first, last))
    return lines + [""]


MILESTONE_WORDS = {"impact_started": "Customer impact started", "impact_ended": "Customer impact ended",
                   "first_external": "First external update"}
_NOT_REACHED = {"acknowledged": "not acknowledged", "mitigated": "not mitigated", "resolved": "not resolved",
                "impact_started": "not marked", "impact_ended": "not marked", "first_external": "none copied"}


def _key_times(r: _Review) -> list[str]:
    lines = ["Key times:", "", _row("Milestone", "Local time", "UTC", "Since start"), _row("---", "---", "---", "---")]
    said = views.milestones(r.state)  # in the order they happened; those never reached after them
    for name, when in sorted(said, key=lambda item: (item[1] is None, item[1] or r.start)):
        label = MILESTONE_WORDS.get(name, name.replace("_", " ").capitalize())
        if when is None:
            lines.append(_row(label, _NOT_REACHED.get(name, "-"), "-", "-"))
        else:
            lines.append(_row(label, local_time(when, date=True, zone=True), utc_time(when), t_plus(when - r.start)))
    lines.append("")
    return lines


def _metrics(r: _Review) -> list[str]:
    state, result = r.state, r.result
    lines = [f"Metrics, all measured from the start ({local_time(r.start, zone=True)}):", ""]
    for label, value, none in (
        ("Time to detect", result.to_detect, "not recorded"),
        ("Time to acknowledge", result.to_acknowledge, "not acknowledged"),
        ("Time to mitigate", result.to_mitigate, "not mitigated"),
        ("Time to resolve", result.to_resolve, "not resolved" + ("" if state.resolved else " yet")),
        ("Customer impact", result.impact, "not recorded (the milestones impact-started and impact-ended)"),
        ("Time to the first external update", result.to_first_update, "no message for customers was copied"),
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


# The section that holds every message in full, and what the timeline says after one copied to send.
MESSAGES = "Messages sent"
IN_FULL = f"; in full under {MESSAGES}"
FOLD_ALERTS_FROM = 4  # a run of this many alerts or more is folded in the timeline: its first, a count, its last


def _backfilled(event: Event) -> str:
    """After a backfilled entry: when it was written down (it sorts by when it happened)."""
    return f" _(backfilled, recorded {local_time(event.recorded_at)[:5]})_" if event.backfilled else ""


# Kinds the timeline leaves to other sections: each tick is under Checklist, with its time and who.
_NOT_IN_TIMELINE = {kinds.CHECK, kinds.UNCHECK, kinds.STAR}  # a star marks its event (★) instead


def _timeline(r: _Review) -> list[str]:
    """Milestones, decisions, changes, pages and messages, as things happened, up to the resolution; a run of
    alerts is folded to its first, a count and its last (every alert is in the appendix)."""
    lines = [
        f"Sorted by when things happened; times are {r.zone}."
        + (" What was recorded after the resolution follows it." if r.after else ""), "",
        _row(f"Time ({r.zone})", "Since start", "Who", "What"), _row("---", "---", "---", "---"),
    ]
    rows = _given_times(r) + [_entry_row(r, e) for e in r.during if e.event.kind not in _NOT_IN_TIMELINE]
    rows.sort(key=lambda row: (row[0], row[1]))
    run: list[tuple] = []
    for row in rows + [(None, 0, "", "", "", "")]:  # a last row that is no alert ends the last run
        if row[5] == kinds.ALERT:
            run.append(row)
            continue
        lines.extend(_alert_run(r, run))
        run = []
        if row[0] is not None:
            lines.append(_timeline_row(r, row))
    lines.append("")
    return lines


def _given_times(r: _Review) -> list[tuple]:
    """A start or detection given when declaring, earlier than the declaration, has no event of its own."""
    state, start = r.state, r.start
    declared_at = state.declared_at or start
    rows = []
    if start < declared_at:
        rows.append((start, -1, "-", "Incident started (as given when it was declared)", "", ""))
    if state.detected_at and state.detected_at != start and state.detected_at < declared_at:
        rows.append((state.detected_at, -1, "-", "Incident detected (as given when it was declared)", "", ""))
    return rows


def _entry_row(r: _Review, entry: Entry) -> tuple:
    event = entry.event
    text = entry.description + IN_FULL if is_message_copy(event) else entry.description
    if event.seq in r.state.starred:
        text = "★ " + text  # a key moment: Response lists them with why
    return (event.at, event.seq, r.who(event.actor), text, _backfilled(event), event.kind)


def _timeline_row(r: _Review, row: tuple) -> str:
    when, _seq, who, text, mark, _kind = row
    local, since = r.when_said(when)
    return _row(local, since, who, text + mark)  # the descriptions are cells already (walk with md_cell)


def _alert_run(r: _Review, run: list[tuple]) -> list[str]:
    if len(run) < FOLD_ALERTS_FROM:
        return [_timeline_row(r, row) for row in run]
    r.folded = True
    first, last = run[0], run[-1]
    who = first[2] if all(row[2] == first[2] for row in run) else "-"
    began, ended = r.when_said(run[1][0])[0], r.when_said(run[-2][0])[0]
    span = began if began == ended else f"{began}-{ended}"
    between = len(run) - 2
    fold = f"{between} more alert{'s' if between != 1 else ''}, {span} ({len(run)} in this run; every alert is in the appendix)"
    local, since = r.when_said(run[1][0])
    return [_timeline_row(r, first), _row(local, since, who, fold), _timeline_row(r, last)]


def _after_resolution(r: _Review) -> list[str]:
    if not r.after:
        return []
    lines = [f"Recorded after the resolution at {local_time(r.end, date=r.dated, zone=True)}:", "",
             _row(f"Time ({r.zone})", "Since start", "Who", "What"), _row("---", "---", "---", "---")]
    lines.extend(_timeline_row(r, _entry_row(r, entry)) for entry in r.after)
    return lines + [""]


def _alerts(r: _Review) -> list[str]:
    """Every alert in full, when the timeline folded any."""
    if not r.folded:
        return []
    lines = [_row(f"Time ({r.zone})", "Since start", "From", "Alert"), _row("---", "---", "---", "---")]
    for entry in r.entries:
        if entry.event.kind == kinds.ALERT:
            local, since = r.when_said(entry.event.at)
            lines.append(_row(local, since, r.who(entry.event.actor), r.cell(entry.event.payload.get("text", ""))))
    return lines + [""]


def _messages(r: _Review) -> list[str]:
    lines: list[str] = []
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
    lines: list[str] = []
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


# What writes each kind of fill a review section may ask for (warroom.review.FILLS names them).
WRITERS: dict[str, Callable[[_Review], list[str]]] = {
    "summary": _summary, "impact": _impact, "trigger": _trigger, "how_detected": _detection,
    "response": _response_section, "resolution": _resolution, "went_wrong": _went_wrong,
    "action_items": _action_items, "responders": _responders, "messages": _messages, "timeline": _timeline,
    "after_resolution": _after_resolution, "checklist": _checklist, "alerts": _alerts,
}
# Sections left out of a report with nothing in them (no event after the resolution, no alert folded).
OMITTED_WHEN_EMPTY = {"after_resolution", "alerts"}
