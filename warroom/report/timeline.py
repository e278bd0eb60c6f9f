"""The post-incident timeline: each event said in a sentence, and the events in the order things happened."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable

from warroom import events as kinds
from warroom.clock import parse_iso
from warroom.events import Event, canonical_json
from warroom.incident import IncidentState, apply, fold_order
from warroom.playbook import Playbook
from warroom.report.times import local_time, say, utc_time, zone_name
from warroom.timeline import playbook_name


# How text from outside (what people typed, scripts sent, the playbook says) is written into a
# sentence: as it is for the CSV (csv_text then makes each cell safe), md_inline for the Markdown.
Outside = Callable[[Any], str]


def severity_label(playbook: Playbook | None, ident: str, outside: Outside = str) -> str:
    """'SEV-2 (High)', or the id alone when the playbook gives it no other name."""
    name = playbook_name(playbook, "severity", ident)
    return f"{outside(ident)} ({outside(name)})" if name and name != ident else outside(ident)


def _list_name(playbook: Playbook | None, list_id: str) -> str:
    if playbook is None:
        return list_id
    for phase in playbook.phases:
        if phase.id == list_id:
            return phase.name
    return playbook_name(playbook, "runbook", list_id)


def describe(event: Event, before: IncidentState, after: IncidentState, outside: Outside = str) -> str:
    """What the event did, in words: the report's own, with every piece of outside text written by `outside`."""
    p = event.payload
    kind = event.kind
    playbook = after.playbook
    if kind == kinds.DECLARED:
        text = f"Declared {severity_label(playbook, str(p.get('severity', '')), outside)}: {outside(p.get('title', ''))}"
        if p.get("impact"):
            text += f"; impact: {outside(p['impact'])}"
        if p.get("commander"):
            text += f"; commander: {outside(p['commander'])}"
        runbooks = [outside(playbook_name(playbook, "runbook", r)) for r in p.get("runbooks", ())]
        if runbooks:
            text += f"; runbook{'s' if len(runbooks) > 1 else ''}: {', '.join(runbooks)}"
        return text
    if kind == kinds.NOTE:
        return f"Note: {outside(p.get('text', ''))}"
    if kind == kinds.ALERT:
        return f"Alert: {outside(p.get('text', ''))}"
    if kind in (kinds.STATUS, kinds.RESOLVED, kinds.REOPENED):
        if kind == kinds.RESOLVED or after.status == "resolved" and before.status != "resolved":
            ran = after.resolved_at - after.started_at if after.resolved_at and after.started_at else None
            return "Incident resolved" + (f" after {say(ran)}" if ran is not None else "")
        if kind == kinds.REOPENED:
            return "Incident reopened"
        return f"Status changed from {outside(before.status)} to {outside(p.get('status', ''))}"
    if kind == kinds.SEVERITY:
        was = severity_label(playbook, before.severity, outside)
        return f"Severity changed from {was} to {severity_label(playbook, str(p.get('severity', '')), outside)}"
    if kind == kinds.IMPACT:
        return f"Impact updated: {outside(p.get('impact', ''))}"
    if kind == kinds.TITLE:
        return f"Title changed to: {outside(p.get('title', ''))}"
    if kind == kinds.ETA:
        if not p.get("eta"):
            return "Expected resolution time cleared"
        eta = parse_iso(p["eta"])
        utc = "" if zone_name(eta) == "UTC" else f" ({utc_time(eta, date=False)[:5]} UTC)"
        return f"Expected resolution time set to {local_time(eta)[:5]} {zone_name(eta)}{utc}"
    if kind in (kinds.CHECK, kinds.UNCHECK):
        list_id, step = str(p.get("list", "")), p.get("step", "")
        done = "Done" if kind == kinds.CHECK else "Undone"
        return f"{done}: {outside(p.get('text', ''))} ({outside(_list_name(playbook, list_id))}, step {outside(step)})"
    if kind == kinds.PHASE:
        phase_id = str(p.get("phase", ""))
        window = ""
        if playbook is not None:
            try:
                window = f" (window {playbook.phase(phase_id).window})"
            except Exception:
                window = ""
        return f"Moved to phase {outside(playbook_name(playbook, 'phase', phase_id))}{window}"
    if kind == kinds.RUNBOOK:
        return f"Attached the runbook {outside(playbook_name(playbook, 'runbook', str(p.get('runbook', ''))))}"
    if kind in (kinds.NOTIFY, kinds.ACK):
        rung_id = str(p.get("rung", ""))
        name = outside(playbook_name(playbook, "rung", rung_id))
        if kind == kinds.ACK:
            return f"{name} acknowledged"
        contacts = ""
        if playbook is not None:
            try:
                contacts = ", ".join(f"{outside(c.name)} {outside(c.phone)}" for c in playbook.rung(rung_id).contacts)
            except Exception:
                contacts = ""
        return f"Notified {name}" + (f" ({contacts})" if contacts else "")
    if kind == kinds.ROLE:
        return f"{outside(p.get('name', ''))} is {outside(p.get('role', ''))}"
    if kind == kinds.MILESTONE:
        return MILESTONE_SAID.get(str(p.get("milestone")), f"Milestone: {outside(p.get('milestone', ''))}")
    if kind == kinds.STAR:
        why = f": {outside(p['text'])}" if p.get("text") else ""
        return f"Starred event {outside(p.get('seq', ''))} as a key moment{why}"
    if kind == kinds.FOLLOWUP:
        owner = f" (owner: {outside(p['owner'])})" if p.get("owner") else " (no owner)"
        due = f", due {outside(p['due'])}" if p.get("due") else ""
        return f"Follow-up {outside(p.get('number', ''))}: {outside(p.get('text', ''))}{owner}{due}"
    if kind == kinds.FOLLOWUP_DONE:
        return f"Follow-up {outside(p.get('number', ''))} done"
    if kind == kinds.COPIED:
        how = outside(via(p.get("via")))
        if p.get("what") == "contact":
            return f"Copied the number for {outside(p.get('name', ''))}: {outside(p.get('text', ''))} ({how})"
        # Where the message can be read in full is each output's to say (the Markdown has it, the CSV does not).
        return f"Copied the {outside(p.get('name') or p.get('what', ''))} message to send ({how})"
    if kind == kinds.CHECKPOINT:
        from warroom.checkpoint import described

        return outside(described(p))
    return f"{outside(kind)}: {outside(canonical_json(p))}"


MILESTONE_SAID = {
    "impact_started": "Customer impact started",
    "impact_ended": "Customer impact ended",
    "detected": "Incident detected",
}


def via(how: Any) -> str:
    """How a message or number was copied, in words (what an unknown value says is outside text)."""
    return {"clipboard": "clipboard", "osc52": "terminal clipboard, OSC 52"}.get(str(how), str(how or "unknown"))


def is_message_copy(event: Event) -> bool:
    """A message copied to send (its text is in the report), not a contact's number."""
    return event.kind == kinds.COPIED and event.payload.get("what") != "contact"


@dataclass(frozen=True, slots=True)  # one per event: without a __dict__ each, 100,000 of them take ~10 MB less
class Entry:
    """One event of the timeline, said in words, with the state it left."""

    event: Event
    description: str


# Kinds whose only effect on the state is to be counted (in the field named), once it is declared.
_COUNTED_ONLY = {kinds.NOTE: "notes", kinds.ALERT: "alerts"}


def walk(events: Iterable[Event], outside: Outside = str) -> tuple[list[Entry], IncidentState]:
    """Fold the events (as `state_of` does), describing each (`outside` as for `describe`); the entries
    come back in happened order.

    The result is `state_of(events)`. Notes and alerts, most of a long log, only add to a count (and
    an alert is the latest one), so they are counted here rather than folded one by one (the tests
    hold the two equal).
    """
    state = IncidentState()
    entries = []
    counts = {"notes": 0, "alerts": 0}
    last_alert: Event | None = None
    ordered = fold_order(events)
    for event in ordered:
        field_name = _COUNTED_ONLY.get(event.kind)
        if field_name is not None:
            if state.declared:
                counts[field_name] += 1
                if event.kind == kinds.ALERT:
                    last_alert = event  # happened order: the last one counted is the latest
            entries.append(Entry(event, describe(event, state, state, outside)))
            continue
        after = apply(state, event)
        entries.append(Entry(event, describe(event, state, after, outside)))
        state = after
    entries.sort(key=lambda entry: (entry.event.at, entry.event.seq))  # the timeline: as things happened
    if ordered:
        last_seq = max(e.seq for e in ordered)
        last_at = entries[-1].event.at
        state = replace(
            state, notes=state.notes + counts["notes"], alerts=state.alerts + counts["alerts"], events=len(ordered),
            last_seq=last_seq, last_at=last_at,
            last_alert=(last_alert.at, str(last_alert.payload.get("text", ""))) if last_alert else state.last_alert,
        )
    return entries, state
