"""The timeline: each event said in words, in the order recorded or the order things happened, and incident time (T+)."""

from __future__ import annotations

from datetime import datetime, timedelta

from warroom import events as kinds
from warroom.clock import format_clock, local_hm
from warroom.events import Event
from warroom.playbook import Playbook
from warroom.text import one_line


def t_plus(delta: timedelta) -> str:
    """Incident time, counted from the start: 'T+0:12:05' (before the start, 'T-0:02:00')."""
    sign = "-" if delta < timedelta(0) else "+"
    return f"T{sign}{format_clock(abs(delta))}"


def playbook_name(playbook: Playbook | None, finder: str, ident: str) -> str:
    """The name the playbook gives a phase, runbook, rung or severity (`finder`: "phase", ...); the id
    itself when there is no playbook or it does not know the id."""
    if playbook is None:
        return ident
    try:
        return getattr(playbook, finder)(ident).name
    except Exception:  # an id the playbook no longer knows: say the id
        return ident


def describe(event: Event, playbook: Playbook | None) -> str:
    """One line saying what the event was, in the room's words; user text is made printable."""
    p = event.payload
    kind = event.kind
    if kind == kinds.DECLARED:
        text = f"Declared {p.get('severity', '')}: {p.get('title', '')}"
        if p.get("impact"):
            text += f" (impact: {p['impact']})"
        return one_line(text)
    if kind in (kinds.NOTE, kinds.ALERT):
        return one_line(str(p.get("text", "")))
    if kind == kinds.STATUS:
        return f"Status: {p.get('status', '')}"
    if kind == kinds.SEVERITY:
        return f"Severity changed to {p.get('severity', '')}"
    if kind == kinds.IMPACT:
        return one_line(f"Impact: {p.get('impact', '')}")
    if kind == kinds.TITLE:
        return one_line(f"Title: {p.get('title', '')}")
    if kind == kinds.ETA:
        eta = p.get("eta")
        if not eta:
            return "ETA cleared"
        return f"ETA set to {local_hm(datetime.fromisoformat(eta.replace('Z', '+00:00')))}"
    if kind == kinds.CHECK:
        return one_line(f"Done: {p.get('text', '')}")
    if kind == kinds.UNCHECK:
        return one_line(f"Undone: {p.get('text', '')}")
    if kind == kinds.PHASE:
        return f"Phase: {playbook_name(playbook, 'phase', p.get('phase', ''))}"
    if kind == kinds.RUNBOOK:
        return f"Runbook attached: {playbook_name(playbook, 'runbook', p.get('runbook', ''))}"
    if kind == kinds.NOTIFY:
        return f"Notified {playbook_name(playbook, 'rung', p.get('rung', ''))}"
    if kind == kinds.ACK:
        return f"{playbook_name(playbook, 'rung', p.get('rung', ''))} acknowledged"
    if kind == kinds.ROLE:
        return one_line(f"{str(p.get('role', '')).capitalize()}: {p.get('name', '')}")
    if kind == kinds.RESOLVED:
        return "Resolved"
    if kind == kinds.REOPENED:
        return "Reopened"
    if kind == kinds.COPIED:
        via = "clipboard" if p.get("via") == "clipboard" else "terminal (OSC 52)"
        return one_line(f"Copied {p.get('name', p.get('what', ''))} to send ({via})")
    if kind == kinds.MILESTONE:
        return str(p.get("milestone", "")).replace("_", " ").capitalize()
    if kind == kinds.STAR:
        return one_line(f"★ Starred event {p.get('seq', '')}" + (f": {p['text']}" if p.get("text") else ""))
    if kind == kinds.FOLLOWUP:
        owner = f" @{p['owner']}" if p.get("owner") else ""
        due = f" due {p['due']}" if p.get("due") else ""
        return one_line(f"Follow-up {p.get('number', '')}: {p.get('text', '')}{owner}{due}")
    if kind == kinds.FOLLOWUP_DONE:
        return f"Follow-up {p.get('number', '')} done"
    if kind == kinds.CHECKPOINT:
        from warroom.checkpoint import described

        return one_line(described(p))
    return one_line(f"{kind}: {p}")
