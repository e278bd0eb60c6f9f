"""The command language: every command word, notes by default, and one-line errors that say what was expected."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conftest import START, current_state
from warroom import events as kinds
from warroom.clock import FakeClock, iso
from warroom.commands import COMMANDS, CommandError, completions, find_step, parse
from warroom.incident import IncidentState
from warroom.store import Store

MIN = timedelta(minutes=1)


@pytest.fixture
def incident(declare) -> str:
    return declare("P1", "Checkout is down", runbooks=["database"])


@pytest.fixture
def room(store: Store, incident: str, clock: FakeClock):
    """Type a line into the incident: parse it against the current state and append its event."""

    class Room:
        def state(self) -> IncidentState:
            return current_state(store, incident)

        def parse(self, line: str):
            return parse(line, self.state(), clock.now())

        def do(self, line: str) -> IncidentState:
            action = self.parse(line)
            store.append(incident, action.kind, action.payload)
            return self.state()

        def refused(self, line: str) -> str:
            """The error a line gives; the log must not change."""
            before = len(store.events(incident))
            with pytest.raises(CommandError) as caught:
                self.do(line)
            message = str(caught.value)
            assert "\n" not in message and message
            assert len(store.events(incident)) == before
            return message

    return Room()


# --- notes -------------------------------------------------------------------------------------------


def test_a_line_with_no_command_word_is_a_note(room) -> None:
    action = room.parse("Rolled back the 14:02 deploy")
    assert (action.kind, action.payload) == (kinds.NOTE, {"text": "Rolled back the 14:02 deploy"})
    assert room.do("db primary at 100% cpu").notes == 1


def test_note_word(room) -> None:
    assert room.parse("note status page updated").payload == {"text": "status page updated"}
    assert room.refused("note") == "missing argument: expected `note TEXT`"


def test_empty_line(room) -> None:
    assert room.refused("   ").startswith("empty command")


# --- status, severity, impact, title, ETA -----------------------------------------------------------------


def test_status(room, clock: FakeClock) -> None:
    clock.advance(minutes=10)
    state = room.do("status mitigating")
    assert state.status == "mitigating" and state.mitigated_at == START + 10 * MIN
    assert room.do("status inv").status == "investigating"  # a unique prefix is enough
    assert room.refused("status investigating") == "the status is already investigating"
    assert room.refused("status fixed") == "unknown status 'fixed': expected one of investigating, mitigating, resolved"
    assert room.refused("status") == "missing argument: expected `status investigating|mitigating|resolved`"
    assert room.parse("status resolved").kind == kinds.RESOLVED


def test_sev(room) -> None:
    assert room.parse("sev P0").payload == {"severity": "P0"}
    assert room.parse("severity p2").payload == {"severity": "P2"}
    assert room.refused("sev P1") == "the severity is already P1"
    assert room.refused("sev P5") == "unknown severity 'P5': expected one of P0, P1, P2"
    assert room.refused("sev") == "missing argument: expected `sev ID`"


def test_impact_and_title(room) -> None:
    assert room.do("impact EU customers cannot pay").impact == "EU customers cannot pay"
    assert room.do("title Payments failing").title == "Payments failing"
    assert room.refused("impact") == "missing argument: expected `impact TEXT`"
    assert room.refused("title") == "missing argument: expected `title TEXT`"


def test_eta(room, clock: FakeClock) -> None:
    assert room.do("eta 45m").eta == clock.now() + 45 * MIN
    assert room.parse("eta 1h30m").payload == {"eta": iso(clock.now() + 90 * MIN)}
    assert room.parse("eta 2026-11-26T20:15Z").payload == {"eta": "2026-11-26T20:15:00.000Z"}
    assert room.do("eta none").eta is None
    assert room.refused("eta soon") == "bad ETA 'soon': expected a duration like 30m or 1h30m, a time like 18:30, or none"
    assert room.refused("eta 2026-11-26T17:00Z").startswith("the ETA '2026-11-26T17:00Z' is in the past")
    assert room.refused("eta 99999999999d").startswith("bad ETA")  # too far to be a date: an error, not a crash
    assert room.refused("eta") == "missing argument: expected `eta 30m|18:30|none`"


# --- checklists ----------------------------------------------------------------------------------------


def test_check_by_number(room) -> None:
    action = room.parse("check 3")
    assert action.payload == {"list": "detection", "step": 3, "text": "Initial triage and classification"}
    assert room.parse("check 13").payload["list"] == "database"  # numbers run on into attached runbooks
    state = room.do("check 3")
    assert ("detection", 3) in state.checked
    assert room.refused("check 3") == "step 3 (Initial triage and classification) is already done"
    assert room.refused("check 17") == "no step 17: expected a number from 1 to 16"
    assert room.refused("check 0") == "no step 0: expected a number from 1 to 16"


def test_check_by_list_and_step(room) -> None:
    assert room.parse("check 2.4").payload == {"list": "containment", "step": 4, "text": "Implement temporary fixes"}
    assert room.parse("check 4.1").payload["list"] == "database"
    assert room.refused("check 9.1") == "no step 9.1: expected LIST.STEP, such as 1.2, or a step number"
    assert room.refused("check 1.9").startswith("no step 1.9")


def test_check_by_words(room) -> None:
    assert room.parse("check slow query").payload == {"list": "database", "step": 2, "text": "Review slow query logs"}
    assert room.parse("check PRESERVE evidence").payload["list"] == "containment"
    message = room.refused("check incident")
    assert message == "'incident' matches 2 steps (2 Manual incident reporting; 4 Incident commander assignment): give its number"
    assert room.refused("check the coffee machine") == "no step matches 'the coffee machine': expected a step number or words from a step"
    assert room.refused("check") == "missing argument: expected `check STEP`"


def test_uncheck(room) -> None:
    room.do("check 5")
    room.do("check 1.2")
    assert room.parse("uncheck isolate").payload == {"list": "containment", "step": 1, "text": "Isolate affected systems"}
    state = room.do("uncheck 5")
    assert ("containment", 1) not in state.checked and ("detection", 2) in state.checked
    assert room.do("uncheck 1.2").checked == {}
    assert room.refused("uncheck 5") == "step 5 (Isolate affected systems) is not done"
    assert room.refused("uncheck") == "missing argument: expected `uncheck STEP`"


def test_words_prefer_the_step_that_can_change(room) -> None:
    # Two steps say "incident"; once one is done, `check` finds the other and `uncheck` the done one.
    room.do("check manual incident")
    assert room.parse("check incident").payload == {"list": "detection", "step": 4, "text": "Incident commander assignment"}
    assert room.parse("uncheck incident").payload == {"list": "detection", "step": 2, "text": "Manual incident reporting"}
    assert room.refused("check incident reporting") == "step 2 (Manual incident reporting) is already done"


def test_find_step_views(room, clock: FakeClock) -> None:
    step = find_step("2.1", room.state(), clock.now())
    assert (step.number, step.list_id, step.index, step.done) == (5, "containment", 1, False)


# --- phases ------------------------------------------------------------------------------------------


def test_phase(room) -> None:
    assert room.do("phase next").phase == "containment"
    assert room.do("next").phase == "recovery"  # `next` alone is `phase next`
    assert room.refused("phase next") == "Recovery is the last phase: `resolve` ends the incident"
    assert room.do("phase detection").phase == "detection"
    assert room.refused("phase 1") == "the incident is already in Detection & Analysis"
    assert room.do("phase 3").phase == "recovery"
    assert room.do("phase containment").phase == "containment"
    message = room.refused("phase mopping up")
    assert message.startswith("unknown phase 'mopping up': expected next, or one of detection (Detection & Analysis)")
    assert room.refused("phase") == "missing argument: expected `phase next|ID`"


# --- the ladder ----------------------------------------------------------------------------------------


def test_notify_and_ack(room, clock: FakeClock) -> None:
    clock.advance(minutes=20)
    assert room.parse("notify").payload == {"rung": "oncall"}  # the first rung that is due
    room.do("notify")
    assert room.parse("notify").payload == {"rung": "manager"}
    assert room.refused("notify oncall").startswith("On-call Engineer was already notified at ")
    assert room.do("page cto").notified.keys() == {"oncall", "cto"}  # ahead of time, by name
    assert room.parse("ack").payload == {"rung": "oncall"}  # the first notified rung
    state = room.do("acknowledge 1")
    assert set(state.acknowledged) == {"oncall"} and state.acknowledged_at == clock.now()
    assert room.refused("ack oncall").startswith("On-call Engineer already acknowledged at ")
    assert room.do("ack engineering manager").acknowledged.keys() == {"oncall", "manager"}
    assert room.refused("notify chief").startswith("unknown rung 'chief': expected one of 1 On-call Engineer, 2 Engineering Manager")


def test_notify_with_nothing_due(room) -> None:
    room.do("notify")  # on-call is due at once
    assert room.refused("notify") == "no rung is due: expected `notify RUNG` to page one ahead of time"
    room.do("ack")
    assert room.refused("ack") == "no notified rung is waiting for an acknowledgement: expected `ack RUNG`"


# --- roles, runbooks, resolve, reopen ---------------------------------------------------------------------


def test_role(room) -> None:
    action = room.parse("role Scribe Sam Lee")
    assert action.payload == {"role": "scribe", "name": "Sam Lee"}
    assert room.do("role commander Kim").commander == "Kim"
    assert room.refused("role scribe") == "missing name: expected `role ROLE NAME`, such as `role scribe Sam`"
    assert room.refused("role") == "missing argument: expected `role ROLE NAME`"


def test_runbook(room) -> None:
    assert room.do("runbook api").runbooks == ("database", "api")
    assert room.do("runbook security incidents").runbooks == ("database", "api", "security")
    assert room.refused("runbook database") == "the Database Issues runbook is already attached"
    assert room.refused("runbook kubernetes").startswith("unknown runbook 'kubernetes': expected one of database (Database Issues)")
    assert room.refused("runbook") == "missing argument: expected `runbook ID`"


def test_resolve_and_reopen(room, clock: FakeClock) -> None:
    assert room.refused("reopen") == "the incident is not resolved"
    clock.advance(minutes=30)
    state = room.do("resolve")
    assert state.resolved and state.resolved_at == START + 30 * MIN
    assert room.refused("resolve") == "the incident is already resolved (`reopen` to reopen it)"
    assert room.refused("status resolved") == "the status is already resolved"
    state = room.do("reopen")
    assert state.status == "investigating" and state.resolved_at is None
    assert room.do("resolved").resolved  # the alias


def test_resolve_takes_no_words(room) -> None:
    # "resolved the cache issue" is someone's note; it must not stop the incident clock.
    assert room.refused("resolved the cache issue") == (
        "`resolve` takes nothing after it: expected `resolve` alone, or `note resolve the cache issue` for a note"
    )
    assert not room.state().resolved
    room.do("resolve")
    assert room.refused("reopen please").startswith("`reopen` takes nothing after it")


def test_copy_is_console_only_but_parses(room) -> None:
    assert room.parse("copy").kind == "copy"
    assert room.parse("copy customer").payload == {"template": "customer"}
    assert room.refused("copy fax").startswith("unknown template 'fax': expected one of internal (Internal Alert)")


def test_every_command_word_is_known_to_the_parser(room, clock: FakeClock) -> None:
    clock.advance(minutes=20)
    samples = {
        "note": "note x", "status": "status mitigating", "sev": "sev P0", "impact": "impact x", "eta": "eta 30m",
        "check": "check 1", "uncheck": "uncheck 1", "phase": "phase next", "notify": "notify", "ack": "ack oncall",
        "role": "role scribe Sam", "runbook": "runbook api", "title": "title x", "resolve": "resolve", "reopen": "reopen",
        "copy": "copy", "milestone": "milestone impact-started -5m", "star": "star the rollback",
        "followup": "followup Add a pool alarm @sam due 2026-12-10",
    }
    assert set(samples) == set(COMMANDS)
    kinds_seen = set()
    for word, line in samples.items():
        action = room.parse(line)
        kinds_seen.add(action.kind)
        if word != "copy":
            room.do(line)
    assert kinds_seen == {kinds.NOTE, kinds.STATUS, kinds.SEVERITY, kinds.IMPACT, kinds.ETA, kinds.CHECK, kinds.UNCHECK,
                          kinds.PHASE, kinds.NOTIFY, kinds.ACK, kinds.ROLE, kinds.RUNBOOK, kinds.TITLE, kinds.RESOLVED,
                          kinds.REOPENED, "copy", kinds.MILESTONE, kinds.STAR, kinds.FOLLOWUP}


def test_completions(room) -> None:
    assert completions("st") == ["status", "star"]
    assert completions("status m") == ["status mitigating"]
    assert completions("sev ", room.state()) == ["sev P0", "sev P1", "sev P2"]
    assert completions("notify c", room.state()) == ["notify cto", "notify ceo"]
    assert completions("phase ", room.state())[0] == "phase next"


# --- typos and a resolved incident ----------------------------------------------------------------------


@pytest.mark.parametrize(("line", "meant"), [
    ("stauts mitigating", "status"), ("resolv", "resolve"), ("notfiy", "notify"), ("chekc 3", "check"),
    ("impcat EU down", "impact"), ("reopne", "reopen"), ("sve P0", "sev"), ("acknowlege", "ack"),
])
def test_a_typo_of_a_command_word_is_refused_with_what_was_meant(room, line, meant) -> None:
    message = room.refused(line)
    assert message.startswith(f"unknown command `{line.split()[0]}`: did you mean `{meant}`?")
    assert f"`note {line}`" in message


@pytest.mark.parametrize("line", [
    "not sure what changed", "node db-1 down", "back to normal at 18:10", "the cache is cold", "set up a bridge",
    "rule 3 fired", "restarted the consumer",
])
def test_a_note_that_merely_looks_like_a_command_stays_a_note(room, line) -> None:
    assert room.parse(line).kind == kinds.NOTE


@pytest.mark.parametrize("line", ["check 1", "uncheck 1", "notify", "ack", "phase next"])
def test_a_resolved_incident_takes_no_ticks_pages_or_phase_moves(room, line) -> None:
    room.do("check 2")
    room.do("notify")
    room.do("resolve")
    message = room.refused(line)
    assert message.endswith("is resolved: `" + line.split()[0] + "` needs it open (`reopen` first, or R)")
    room.do("note still writing the timeline")  # notes, roles and a reopen still go in
    room.do("reopen")
    try:
        room.parse(line)
    except CommandError as error:  # refused, if at all, for what the line asks, not for the incident being resolved
        assert "is resolved" not in str(error)
