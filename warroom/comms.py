"""Communication templates filled from the live incident; what cannot be filled yet stays marked.

A filled template is a message to send: it is made ready for the clipboard here (warroom.text), so the
editor shows exactly what a copy sends.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import datetime

from warroom.clock import format_duration, local_hm, utc_hm
from warroom.incident import IncidentState
from warroom.playbook import Template
from warroom.text import for_clipboard
from warroom.views import current_phase, elapsed, next_update, severity_of


def placeholder_values(state: IncidentState, now: datetime) -> dict[str, str | None]:
    """Each placeholder's text for this state; None where the incident does not say yet."""
    assert state.playbook is not None and state.started_at is not None
    severity = severity_of(state)
    update = next_update(state, now)
    playbook = state.playbook
    eta = None
    if state.eta is not None:
        left = state.eta - now
        eta = f"{local_hm(state.eta)} ({utc_hm(state.eta)} UTC, in {format_duration(left, seconds=False)})"
        if left.total_seconds() <= 0:
            eta = f"{local_hm(state.eta)} ({utc_hm(state.eta)} UTC, passed)"
    next_text = f"{utc_hm(update.due_at)} UTC" if update else None
    updates = None
    if playbook.status_page and next_text:
        updates = f"{playbook.status_page}, next update by {next_text}"
    elif playbook.status_page:
        updates = playbook.status_page
    return {
        "incident": state.id,
        "title": state.title or None,
        "severity": severity.id,
        "severity_name": severity.name,
        "status": state.status.capitalize(),
        "status_detail": playbook.status_detail(state.status) or None,
        "impact": state.impact or None,
        "eta": eta,
        "elapsed": format_duration(elapsed(state, now), seconds=False),
        "started": local_hm(state.started_at),
        "started_utc": f"{utc_hm(state.started_at)} UTC",
        "phase": current_phase(state, now).phase.name,
        "commander": state.commander or None,
        "next_update": next_text,
        "status_page": playbook.status_page or None,
        "updates": updates,
    }


@dataclass(frozen=True)
class FilledTemplate:
    """A template's text with the live values in; `unfilled` spans mark what is still [missing]."""

    template: Template
    text: str
    unfilled: tuple[tuple[int, int, str], ...]  # (start, end, placeholder) in `text`
    removed: int = 0  # control characters taken out of the incident's text (a title holding ESC[201~, say)


def fill(template: Template, state: IncidentState, now: datetime) -> FilledTemplate:
    values = placeholder_values(state, now)
    parts: list[str] = []
    unfilled: list[tuple[int, int, str]] = []
    length = removed = 0
    for literal, name, _spec, _conversion in string.Formatter().parse(template.text):
        literal, dropped = for_clipboard(literal)
        parts.append(literal)
        length += len(literal)
        removed += dropped
        if name is None:
            continue
        value = values.get(name)
        if value is None:
            value = f"[{name}]"
            unfilled.append((length, length + len(value), name))
        else:
            value, dropped = for_clipboard(value)
            removed += dropped
        parts.append(value)
        length += len(value)
    return FilledTemplate(template, "".join(parts), tuple(unfilled), removed)
