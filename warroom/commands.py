"""The command language of the command bar and `warroom act`: one line in, one event (or an error) out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from warroom import events as kinds
from warroom.clock import iso, local_hm, parse_past_time, parse_time, format_duration
from warroom.errors import WarroomError, quoted
from warroom.incident import IncidentState
from warroom.store import default_actor
from warroom.playbook import STATUSES, Ambiguous, NotFound, Playbook, Severity, lookup
from warroom.spelling import slips
from warroom.views import RungView, StepView, all_steps, ladder

# The command words, how each is written, and what it does (for help, completion and errors).
COMMANDS: dict[str, tuple[str, str]] = {
    "note": ("note TEXT", "add a note to the timeline (a line with no command word is a note too)"),
    "status": ("status investigating|mitigating|resolved", "change the status"),
    "sev": ("sev ID", "change the severity; every deadline is re-derived"),
    "impact": ("impact TEXT", "say who and what is affected"),
    "eta": ("eta 30m|18:30|none", "set the expected resolution time, or clear it"),
    "check": ("check STEP", "tick a step, by its number or words of it"),
    "uncheck": ("uncheck STEP", "untick a step"),
    "phase": ("phase next|ID", "move to the next phase, or to a named one"),
    "notify": ("notify [RUNG]", "mark an escalation rung notified (default: the one due)"),
    "ack": ("ack [RUNG]", "mark a rung acknowledged (default: the first one notified)"),
    "role": ("role ROLE NAME", "assign a role, such as commander, scribe or comms"),
    "runbook": ("runbook ID", "attach a runbook's steps to the checklist"),
    "title": ("title TEXT", "rename the incident"),
    "resolve": ("resolve", "resolve the incident (the clock stops)"),
    "reopen": ("reopen", "reopen a resolved incident"),
    "copy": ("copy [TEMPLATE]", "copy a message template to the clipboard (console only)"),
    "milestone": ("milestone impact-started|impact-ended|detected [TIME]",
                  "mark when customers began or stopped being affected, or when it was detected (TIME: 18:02, -20m)"),
    "star": ("star [#SEQ] [WHY]", "mark an event as a key moment for the review (default: the latest)"),
    "followup": ("followup TEXT [@owner] [due YYYY-MM-DD] | followup done N",
                 "record an action item for after the incident, or mark one done"),
}
ALIASES = {"severity": "sev", "acknowledge": "ack", "page": "notify", "resolved": "resolve", "next": "phase",
           "follow-up": "followup"}
CONSOLE_ONLY = {"copy"}
# What a resolved incident no longer takes: its clock has stopped; `reopen` first.
OPEN_ONLY = {"check", "uncheck", "notify", "ack", "phase"}


_NUMBER = re.compile(r"[0-9]{1,9}\Z")  # ASCII digits, few enough for int()


class CommandError(WarroomError):
    """A command that cannot be carried out, said in one line that names what was expected."""


@dataclass(frozen=True)
class Action:
    """What a command line asks for: an event to append (or, for console-only words, a request)."""

    kind: str
    payload: dict[str, Any] = field(default_factory=dict)
    summary: str = ""
    at: datetime | None = None  # when it happened, if the line said (a milestone backfilled): else now


def parse(line: str, state: IncidentState, now: datetime) -> Action:
    """Turn one typed line into an Action for this incident, or raise CommandError."""
    text = (line or "").strip()
    if not text:
        raise CommandError("empty command: type a note, or a command such as `status mitigating` (help lists them)")
    word, _, rest = text.partition(" ")
    rest = rest.strip()
    command = ALIASES.get(word.lower(), word.lower())
    if word.lower() == "next" and not rest:
        rest = "next"
    handler = _HANDLERS.get(command)
    if handler is None:
        meant = did_you_mean(word)
        if meant is not None:
            raise CommandError(f"unknown command `{word}`: did you mean `{meant}`? (for a note, write `note {text}`)")
        return _note(text, state, now)
    if command in OPEN_ONLY and state.resolved:
        raise CommandError(f"{state.id} is resolved: `{command}` needs it open (`reopen` first, or R)")
    return handler(rest, state, now)


def did_you_mean(word: str) -> str | None:
    """The command word a typo was meant to be, or None for a word that is no typo of one (a note's first word).

    Close means one slip (two for a long word): a letter left out, added, changed or two swapped. Short words
    count only a swap, so that a note such as "node db-1 down" or "not sure" stays a note."""
    typed = word.lower()
    if len(typed) < 3 or typed in _HANDLERS or typed in ALIASES:
        return None
    best: tuple[int, str] | None = None
    for candidate in [*COMMANDS, *ALIASES]:
        distance = slips(typed, candidate)
        allowed = 0 if len(candidate) <= 4 else 1 if len(candidate) < 8 else 2
        if abs(len(typed) - len(candidate)) > 1:
            allowed = min(allowed, 1)  # "follow the runbook" is a note, not a typo of `followup`
        swapped = len(typed) == len(candidate) and sorted(typed) == sorted(candidate) and distance == 1
        if (distance <= allowed or swapped) and (best is None or distance < best[0]):
            best = (distance, ALIASES.get(candidate, candidate))
    return None if best is None else best[1]


def _need(rest: str, usage: str) -> str:
    if not rest:
        raise CommandError(f"missing argument: expected `{usage}`")
    return rest


def _note(rest: str, state: IncidentState, now: datetime) -> Action:
    text = _need(rest, COMMANDS["note"][0])
    return Action(kinds.NOTE, {"text": text}, "note added")


def _status(rest: str, state: IncidentState, now: datetime) -> Action:
    value = _need(rest, COMMANDS["status"][0]).lower()
    matches = [s for s in STATUSES if s.startswith(value)]
    if len(matches) != 1:
        raise CommandError(f"unknown status {rest!r}: expected one of {', '.join(STATUSES)}")
    status = matches[0]
    if status == state.status:
        raise CommandError(f"the status is already {status}")
    if status == "resolved":
        return _resolve("", state, now)
    return Action(kinds.STATUS, {"status": status}, f"status: {status}")


def _severity(rest: str, state: IncidentState, now: datetime) -> Action:
    value = _need(rest, COMMANDS["sev"][0])
    assert state.playbook is not None
    severity = find_severity(state.playbook, value, CommandError).id
    if severity == state.severity:
        raise CommandError(f"the severity is already {severity}")
    return Action(kinds.SEVERITY, {"severity": severity}, f"severity: {state.severity} -> {severity}")


def find_severity(playbook: Playbook, reference: str, error: type[WarroomError] = WarroomError) -> Severity:
    """A severity by its id (exactly, else whatever its case) or its whole name: never by position or by
    some of its words, which would guess at something as weighty as who is woken (`sev 1` is not the
    first severity, nor necessarily one whose id holds a 1)."""
    try:
        return lookup(playbook.severities, reference, "severity", positions=False, words=False)
    except NotFound:
        whole = [s for s in playbook.severities if s.name.lower() == reference.strip().lower()]
        if len(whole) == 1:
            return whole[0]
        known = ", ".join(s.id for s in playbook.severities)
        raise error(f"unknown severity {quoted(reference.strip())}: expected one of {known}") from None
    except Ambiguous as ambiguous:
        raise error(str(ambiguous)) from None


def _impact(rest: str, state: IncidentState, now: datetime) -> Action:
    return Action(kinds.IMPACT, {"impact": _need(rest, COMMANDS["impact"][0])}, "impact updated")


def _title(rest: str, state: IncidentState, now: datetime) -> Action:
    return Action(kinds.TITLE, {"title": _need(rest, COMMANDS["title"][0])}, "title changed")


def _eta(rest: str, state: IncidentState, now: datetime) -> Action:
    value = _need(rest, COMMANDS["eta"][0])
    if value.lower() in ("none", "clear", "unknown", "-"):
        return Action(kinds.ETA, {"eta": None}, "ETA cleared")
    try:
        when = parse_time(value, now, future=True)
    except WarroomError:
        raise CommandError(f"bad ETA {value!r}: expected a duration like 30m or 1h30m, a time like 18:30, or none") from None
    if when <= now:
        raise CommandError(f"the ETA {value!r} is in the past: expected a time still to come")
    return Action(kinds.ETA, {"eta": iso(when)}, f"ETA {local_hm(when)} (in {format_duration(when - now, seconds=False)})")


def find_step(reference: str, state: IncidentState, now: datetime, *, prefer_done: bool | None = None) -> StepView:
    """A checklist step by its number (`3`), its list and number (`2.3`), or words of it."""
    steps = all_steps(state, now)
    ref = reference.strip()
    if _NUMBER.match(ref):  # ASCII digits: "²" is a digit to str.isdigit, and no number to int()
        number = int(ref)
        for step in steps:
            if step.number == number:
                return step
        raise CommandError(f"no step {number}: expected a number from 1 to {len(steps)}")
    if ref.count(".") == 1 and all(_NUMBER.match(part) for part in ref.split(".")):
        list_number, index = (int(part) for part in ref.split("."))
        list_ids = list(dict.fromkeys(step.list_id for step in steps))
        if 1 <= list_number <= len(list_ids):
            for step in steps:
                if step.list_id == list_ids[list_number - 1] and step.index == index:
                    return step
        raise CommandError(f"no step {ref}: expected LIST.STEP, such as 1.2, or a step number")
    words = ref.lower().split()
    found = [step for step in steps if all(word in step.text.lower() for word in words)]
    if prefer_done is not None and len(found) > 1:
        preferred = [step for step in found if step.done == prefer_done]
        found = preferred or found
    if not found:
        raise CommandError(f"no step matches {ref!r}: expected a step number or words from a step")
    if len(found) > 1:
        exact = [step for step in found if step.text.lower() == ref.lower()]
        if len(exact) == 1:
            return exact[0]
        listed = "; ".join(f"{step.number} {step.text}" for step in found[:4])
        raise CommandError(f"{ref!r} matches {len(found)} steps ({listed}): give its number")
    return found[0]


def _check(rest: str, state: IncidentState, now: datetime) -> Action:
    step = find_step(_need(rest, COMMANDS["check"][0]), state, now, prefer_done=False)
    if step.done:
        raise CommandError(f"step {step.number} ({step.text}) is already done")
    return Action(kinds.CHECK, {"list": step.list_id, "step": step.index, "text": step.text}, f"done: {step.text}")


def _uncheck(rest: str, state: IncidentState, now: datetime) -> Action:
    step = find_step(_need(rest, COMMANDS["uncheck"][0]), state, now, prefer_done=True)
    if not step.done:
        raise CommandError(f"step {step.number} ({step.text}) is not done")
    return Action(kinds.UNCHECK, {"list": step.list_id, "step": step.index, "text": step.text}, f"undone: {step.text}")


def _phase(rest: str, state: IncidentState, now: datetime) -> Action:
    rest = _need(rest, COMMANDS["phase"][0])
    value = rest.lower()
    assert state.playbook is not None
    phases = state.playbook.phases
    index = next((i for i, p in enumerate(phases) if p.id == state.phase), 0)
    if value == "next":
        if index + 1 >= len(phases):
            raise CommandError(f"{phases[index].name} is the last phase: `resolve` ends the incident")
        target = phases[index + 1]
    else:
        try:
            target = lookup(phases, rest, "phase")
        except NotFound:
            names = ", ".join(f"{p.id} ({p.name})" for p in phases)
            raise CommandError(f"unknown phase {quoted(rest)}: expected next, or one of {names}") from None
        except Ambiguous as ambiguous:
            raise CommandError(str(ambiguous)) from None
    if target.id == state.phase:
        raise CommandError(f"the incident is already in {target.name}")
    return Action(kinds.PHASE, {"phase": target.id}, f"phase: {target.name}")


def _find_rung(reference: str, state: IncidentState, now: datetime) -> RungView:
    """A rung by the lookup order (`lookup`): its id, its number on the ladder, or words of its name."""
    rungs = ladder(state, now).rungs
    try:
        rung = lookup([r.rung for r in rungs], reference, "rung")
    except NotFound:
        names = ", ".join(f"{r.number} {r.rung.name}" for r in rungs)
        raise CommandError(f"unknown rung {quoted(reference.strip())}: expected one of {names}") from None
    except Ambiguous as ambiguous:
        raise CommandError(str(ambiguous)) from None
    return next(r for r in rungs if r.rung.id == rung.id)


def _notify(rest: str, state: IncidentState, now: datetime) -> Action:
    if rest:
        rung = _find_rung(rest, state, now)
    else:
        view = ladder(state, now)
        rung = view.to_page or next((r for r in view.rungs if r.current and r.state == "waiting"), None)
        if rung is None:
            raise CommandError("no rung is due: expected `notify RUNG` to page one ahead of time")
    if rung.notified_at is not None:
        raise CommandError(f"{rung.rung.name} was already notified at {local_hm(rung.notified_at)}")
    return Action(kinds.NOTIFY, {"rung": rung.rung.id}, f"notified: {rung.rung.name}")


def _ack(rest: str, state: IncidentState, now: datetime) -> Action:
    if rest:
        rung = _find_rung(rest, state, now)
    else:
        waiting = [r for r in ladder(state, now).rungs if r.state == "notified"]
        if not waiting:
            raise CommandError("no notified rung is waiting for an acknowledgement: expected `ack RUNG`")
        rung = waiting[0]
    if rung.acknowledged_at is not None:
        raise CommandError(f"{rung.rung.name} already acknowledged at {local_hm(rung.acknowledged_at)}")
    return Action(kinds.ACK, {"rung": rung.rung.id}, f"acknowledged: {rung.rung.name}")


def _role(rest: str, state: IncidentState, now: datetime) -> Action:
    role, _, name = _need(rest, COMMANDS["role"][0]).partition(" ")
    if not name.strip():
        raise CommandError(f"missing name: expected `{COMMANDS['role'][0]}`, such as `role scribe Sam`")
    return Action(kinds.ROLE, {"role": role.lower(), "name": name.strip()}, f"{role.lower()}: {name.strip()}")


def _runbook(rest: str, state: IncidentState, now: datetime) -> Action:
    value = _need(rest, COMMANDS["runbook"][0])
    assert state.playbook is not None
    runbook = _entry(state.playbook.runbooks, value, "runbook")
    if runbook.id in state.runbooks:
        raise CommandError(f"the {runbook.name} runbook is already attached")
    return Action(kinds.RUNBOOK, {"runbook": runbook.id}, f"runbook attached: {runbook.name}")


def _entry(items: Any, reference: str, what: str) -> Any:
    """A runbook or template by the lookup order (`lookup`), or a CommandError naming each id and name."""
    try:
        return lookup(items, reference, what)
    except NotFound:
        names = ", ".join(f"{item.id} ({item.name})" for item in items)
        raise CommandError(f"unknown {what} {quoted(reference.strip())}: expected one of {names}") from None
    except Ambiguous as ambiguous:
        raise CommandError(str(ambiguous)) from None


def _alone(rest: str, word: str) -> None:
    # "resolved the cache issue" is a note someone meant, not an order to stop the clock.
    if rest:
        raise CommandError(f"`{word}` takes nothing after it: expected `{word}` alone, or `note {word} {rest}` for a note")


def _resolve(rest: str, state: IncidentState, now: datetime) -> Action:
    _alone(rest, "resolve")
    if state.resolved:
        raise CommandError("the incident is already resolved (`reopen` to reopen it)")
    return Action(kinds.RESOLVED, {}, "incident resolved")


def _reopen(rest: str, state: IncidentState, now: datetime) -> Action:
    _alone(rest, "reopen")
    if not state.resolved:
        raise CommandError("the incident is not resolved")
    return Action(kinds.REOPENED, {}, "incident reopened")


def _copy(rest: str, state: IncidentState, now: datetime) -> Action:
    template = None
    if rest:
        assert state.playbook is not None
        template = _entry(state.playbook.templates, rest, "template").id
    return Action("copy", {"template": template}, "copy")


def _milestone(rest: str, state: IncidentState, now: datetime) -> Action:
    name, _, when = _need(rest, COMMANDS["milestone"][0]).partition(" ")
    milestone = name.lower().replace("-", "_")
    if milestone not in kinds.MILESTONES:
        words = ", ".join(m.replace("_", "-") for m in kinds.MILESTONES)
        raise CommandError(f"unknown milestone {quoted(name)}: expected one of {words}")
    at = parse_past_time(when.strip(), now, "the milestone's time") if when.strip() else None
    said = milestone.replace("_", " ")
    return Action(kinds.MILESTONE, {"milestone": milestone}, f"{said}" + (f" at {local_hm(at)}" if at else ""), at)


def _star(rest: str, state: IncidentState, now: datetime) -> Action:
    """`star` marks the latest event (a star itself is passed over); `star #12 why` event 12 of the log."""
    target, _, why = rest.partition(" ") if rest.startswith("#") else ("", "", rest)
    if target:
        if not _NUMBER.match(target[1:]) or not 1 <= int(target[1:]) <= state.last_seq:
            raise CommandError(f"no event {quoted(target)}: expected #N, N from 1 to {state.last_seq}")
        seq = int(target[1:])
    else:
        seq = state.last_seq
        while seq in state.star_events:
            seq -= 1
    if seq in state.starred:
        raise CommandError(f"event {seq} is already starred")
    payload: dict[str, Any] = {"seq": seq}
    if why.strip():
        payload["text"] = why.strip()
    return Action(kinds.STAR, payload, f"starred event {seq}")


_DUE = re.compile(r"(?:^|\s)due\s+(\d{4}-\d{2}-\d{2})\s*$")
_OWNER = re.compile(r"(?:^|\s)@([^\s@]+)")


def _followup(rest: str, state: IncidentState, now: datetime) -> Action:
    text = _need(rest, COMMANDS["followup"][0])
    word, _, number = text.partition(" ")
    if word.lower() == "done":
        numbers = {f.number: f for f in state.followups}
        if not _NUMBER.match(number.strip()) or int(number) not in numbers:
            known = ", ".join(str(n) for n in numbers) or "none is recorded yet"
            raise CommandError(f"no follow-up {quoted(number.strip())}: expected its number ({known})")
        if numbers[int(number)].done_at is not None:
            raise CommandError(f"follow-up {int(number)} is already done")
        return Action(kinds.FOLLOWUP_DONE, {"number": int(number)}, f"follow-up {int(number)} done")
    payload: dict[str, Any] = {"number": max((f.number for f in state.followups), default=0) + 1}
    due = _DUE.search(text)
    if due:
        try:
            datetime.strptime(due.group(1), "%Y-%m-%d")
        except ValueError:
            raise CommandError(f"due {due.group(1)}: not a date; expected YYYY-MM-DD") from None
        payload["due"] = due.group(1)
        text = text[: due.start()]
    owner = _OWNER.search(text)
    if owner:
        payload["owner"] = owner.group(1)
        text = (text[: owner.start()] + text[owner.end():])
    text = " ".join(text.split())
    if not text:
        raise CommandError(f"missing text: expected `{COMMANDS['followup'][0]}`")
    payload["text"] = text
    who = f" ({payload['owner']})" if "owner" in payload else ""
    return Action(kinds.FOLLOWUP, payload, f"follow-up {payload['number']} recorded{who}")


_HANDLERS: dict[str, Callable[[str, IncidentState, datetime], Action]] = {
    "note": _note,
    "status": _status,
    "sev": _severity,
    "impact": _impact,
    "title": _title,
    "eta": _eta,
    "check": _check,
    "uncheck": _uncheck,
    "phase": _phase,
    "notify": _notify,
    "ack": _ack,
    "role": _role,
    "runbook": _runbook,
    "resolve": _resolve,
    "reopen": _reopen,
    "copy": _copy,
    "milestone": _milestone,
    "star": _star,
    "followup": _followup,
}


def completions(prefix: str, state: IncidentState | None = None) -> list[str]:
    """Whole command lines that start with what has been typed (for the command bar)."""
    typed = prefix.lstrip()
    word, space, rest = typed.partition(" ")
    if not space:
        return [name for name in COMMANDS if name.startswith(word.lower())]
    command = ALIASES.get(word.lower(), word.lower())
    options: list[str] = []
    if command == "status":
        options = list(STATUSES)
    elif command == "phase" and state and state.playbook:
        options = ["next", *(p.id for p in state.playbook.phases)]
    elif command == "sev" and state and state.playbook:
        options = [s.id for s in state.playbook.severities]
    elif command in ("notify", "ack") and state and state.playbook:
        options = [r.id for r in state.playbook.ladder]
    elif command == "runbook" and state and state.playbook:
        options = [r.id for r in state.playbook.runbooks]
    elif command == "copy" and state and state.playbook:
        options = [t.id for t in state.playbook.templates]
    elif command == "eta":
        options = ["15m", "30m", "1h", "none"]
    return [f"{command} {option}" for option in options if option.lower().startswith(rest.lower())]


def declaration(
    playbook: Playbook, now: datetime, severity: str, title: str, impact: str = "", runbooks: tuple[str, ...] = (),
    started_at: str | datetime | None = None, detected_at: str | datetime | None = None, commander: str | None = None,
    *, drill: bool = False,
) -> dict[str, Any]:
    """The payload of a `declared` event, checked against the playbook (shared by the CLI and the console);
    `drill` marks an exercise (DRILL everywhere, left out of stats)."""
    if not title.strip():
        raise WarroomError("the title is empty: expected a brief description of what is broken")
    chosen = find_severity(playbook, severity).id  # the playbook's id, whatever the case typed
    attached = []
    for runbook in runbooks:
        attached.append(lookup(playbook.runbooks, runbook, "runbook").id)
    started = _when(started_at, now, "--started-at") if started_at else now
    detected = _when(detected_at, now, "--detected-at") if detected_at else started
    payload = {
        "title": title.strip(),
        "severity": chosen,
        "impact": impact.strip(),
        "runbooks": attached,
        "commander": (commander or "").strip() or default_actor(),
        "started_at": iso(started),
        "detected_at": iso(detected),
        "playbook": playbook.data,
    }
    if drill:
        payload["drill"] = True  # only when true: every log written before drills existed reads the same
    return payload


def _when(value: str | datetime, now: datetime, what: str) -> datetime:
    return value if isinstance(value, datetime) else parse_past_time(value, now, what)
