"""The post-incident timeline: each event said in a sentence, and the events in the order things happened."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Iterable

from warroom import events as kinds
from warroom.clock import parse_iso
from warroom.events import Event, canonical_json
from warroom.incident import IncidentState, apply, fold_order
from warroom.playbook import Playbook
from warroom.report.times import local_time, say, utc_time, zone_name
from warroom.timeline import playbook_name


def severity_label(playbook: Playbook | None, ident: str) -> str:
    name = playbook_name(playbook, "severity", ident)
    return f"{ident} ({name})" if name and name != ident else ident


def _list_name(playbook: Playbook | None, list_id: str) -> str:
    if playbook is None:
        return list_id
    for phase in playbook.phases:
        if phase.id == list_id:
            return phase.name
    return playbook_name(playbook, "runbook", list_id)


def describe(event: Event, before: IncidentState, after: IncidentState) -> str:
    """What the event did, in words (plain text, not yet escaped for Markdown)."""
    p = event.payload
    kind = event.kind
    playbook = after.playbook
    if kind == kinds.DECLARED:
        text = f"Declared {severity_label(playbook, str(p.get('severity', '')))}: {p.get('title', '')}"
        if p.get("impact"):
            text += f"; impact: {p['impact']}"
        if p.get("commander"):
            text += f"; commander: {p['commander']}"
        runbooks = [playbook_name(playbook, "runbook", r) for r in p.get("runbooks", ())]
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
        return f"Severity changed from {severity_label(playbook, before.severity)} to {severity_label(playbook, str(p.get('severity', '')))}"
    if kind == kinds.IMPACT:
        return f"Impact updated: {p.get('impact', '')}"
    if kind == kinds.TITLE:
        return f"Title changed to: {p.get('title', '')}"
    if kind == kinds.ETA:
        if not p.get("eta"):
            return "Expected resolution time cleared"
        eta = parse_iso(p["eta"])
        return f"Expected resolution time set to {local_time(eta)[:5]} {zone_name(eta)} ({utc_time(eta, date=False)[:5]} UTC)"
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
        return f"Moved to phase {playbook_name(playbook, 'phase', phase_id)}{window}"
    if kind == kinds.RUNBOOK:
        return f"Attached the runbook {playbook_name(playbook, 'runbook', str(p.get('runbook', '')))}"
    if kind in (kinds.NOTIFY, kinds.ACK):
        rung_id = str(p.get("rung", ""))
        name = playbook_name(playbook, "rung", rung_id)
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
        how = via(p.get("via"))
        if p.get("what") == "contact":
            return f"Copied the number for {p.get('name', '')}: {p.get('text', '')} ({how})"
        return f"Copied the {p.get('name') or p.get('what', '')} message to send ({how}); in full under Communications"
    return f"{kind}: {canonical_json(p)}"


def via(how: Any) -> str:
    """How a message or number was copied, in words."""
    return {"clipboard": "clipboard", "osc52": "terminal clipboard, OSC 52"}.get(str(how), str(how or "unknown"))


@dataclass(frozen=True, slots=True)  # one per event: without a __dict__ each, 100,000 of them take ~10 MB less
class Entry:
    """One event of the timeline, said in words, with the state it left."""

    event: Event
    description: str


# Kinds whose only effect on the state is to be counted (in the field named), once it is declared.
_COUNTED_ONLY = {kinds.NOTE: "notes", kinds.ALERT: "alerts"}


def walk(events: Iterable[Event]) -> tuple[list[Entry], IncidentState]:
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
