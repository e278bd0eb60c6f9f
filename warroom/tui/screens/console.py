"""The live console: the incident's panes, the command bar, alarms; every action appends an event."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Iterable

from textual import events, on
from textual.app import ComposeResult, SystemCommand
from textual.binding import ActiveBinding, Binding
from textual.message import Message
from textual.containers import Container
from textual.reactive import Reactive, reactive
from textual.screen import Screen
from textual.widgets import Input, Static, TabbedContent, TabPane

from warroom import events as kinds
from warroom import checkpoint, views
from warroom.commands import CommandError, parse
from warroom.committer import Committing
from warroom.comms import fill
from warroom.errors import WarroomError
from warroom.events import Event
from warroom.incident import IncidentLog, IncidentState
from warroom.playbook import Template
from warroom.clock import local_hm
from warroom.text import one_line
from warroom.tui.frames import draw_changed_rows
from warroom.tui.ids import widget_id
from warroom.tui.layout import MIN_HEIGHT, MIN_WIDTH, PALETTE_KEY_WIDTH, ROOMY_FOOTER_WIDTH, WIDE_WIDTH, ladder_room
from warroom.tui.messages import BackToPanes, ShowBrowser, ShowHelp
from warroom.tui.screens.dialogs import ConfirmDialog, SeverityDialog
from warroom.tui.widgets.checklist import Checklist
from warroom.tui.widgets.clock_pane import IncidentClock
from warroom.tui.widgets.command_bar import CommandBar, CommandInput
from warroom.tui.widgets.header import IncidentHeader
from warroom.tui.widgets.key_bar import KeyBar
from warroom.tui.widgets.ladder import ACK_HELP, NOTIFY_HELP, EscalationLadder
from warroom.tui.widgets.timeline import Timeline
from warroom.tui.widgets.unverified import UnverifiedBanner

if TYPE_CHECKING:
    from warroom.tui.widgets.templates import TemplateEditor

ALARM_SECONDS = 6  # long enough to read a number; the ladder keeps the alarm until it is acted on
ALERTS_QUIET = timedelta(minutes=5)  # an alert after this long without one rings the bell: the room may have looked away
SIGN_WAIT_AT_EXIT = 10.0  # seconds the console waits, as it closes, for a signature under way (then: warroom sign)
CONFIRM_SECONDS = 2  # "status: mitigating": a glance, then out of the timeline's way

# The actions of the console's single keys (printable: while a field has the keyboard they type instead).
SINGLE_KEY_ACTIONS = {
    "command_bar", "notify", "ack", "next_phase", "prefill", "change_severity", "resolve", "reopen", "timeline_order",
    "copy_message", "browser", "help", "star",
}


def contacts_text(rung: views.RungView) -> str:
    """Who to call for a rung, with their numbers: "Secondary +1-555-0102"."""
    contacts = rung.rung.contacts
    if not contacts:
        return f"{one_line(rung.rung.name)} (no number in the playbook)"
    return ", ".join(f"{one_line(c.name)} {one_line(c.phone)}" for c in contacts)


def overdue_advice(ladder: views.LadderView) -> str:
    """What to do about a response target run out: chase the rung paged, or page the one due."""
    waiting = [r for r in ladder.rungs if r.state == "notified"]
    if waiting:
        rung = waiting[0]
        when = f" {local_hm(rung.notified_at)}" if rung.notified_at else ""
        return f"{one_line(rung.rung.name)} paged{when}, no ack yet.\nCall {contacts_text(rung)}; press a when they answer."
    if ladder.to_page is not None:
        rung = ladder.to_page
        return f"Page {one_line(rung.rung.name)}: call {contacts_text(rung)}.\nPress n, then a when they answer."
    return "Nobody has acknowledged yet: press a when a rung answers."


PREFILL_HELP = "status, ETA, impact: start that command in the bar"
RESOLVE_HELP = "resolve the incident (asks first); once resolved, R reopens it (asks first)"


class ConsoleScreen(Screen):
    """One incident, live. The screen holds the log and `now`; the panes bind to `state` and `now`."""

    # Short descriptions: at 80 columns the footer holds every key that matters (see `active_bindings`).
    # Short descriptions: at 80 columns the footer holds every key that matters (see `active_bindings`).
    # The tooltips are the help screen's Keys table (help.key_rows): one sentence each, in the IC's words.
    # The keys that open the command bar are priority bindings: the app runs them as it reads them and moves
    # the focus there and then, so the keys that came in the same read (a paste, tmux send-keys, a laggy SSH
    # link) go into the bar. As ordinary bindings they ran only once the checklist got to them, and the keys
    # after them had already been handed to the checklist as shortcuts (":note x" notified a rung).
    BINDINGS = [
        Binding("colon", "command_bar", "Command", key_display=":", priority=True,
                tooltip="command bar: type a command, or just a note; tab completes, escape leaves"),
        Binding("n", "notify", "Notify", tooltip=NOTIFY_HELP),
        Binding("a", "ack", "Ack", tooltip=ACK_HELP),
        Binding("p", "next_phase", "Phase", tooltip="move to the next phase"),
        Binding("s", "prefill('status ')", "Status", priority=True, tooltip=PREFILL_HELP),
        Binding("v", "change_severity", "Sev", tooltip="change severity (asks first)"),
        Binding("e", "prefill('eta ')", "ETA", show=False, priority=True, tooltip=PREFILL_HELP),
        Binding("i", "prefill('impact ')", "Impact", show=False, priority=True, tooltip=PREFILL_HELP),
        Binding("R", "resolve", "Resolve", tooltip=RESOLVE_HELP),
        Binding("R", "reopen", "Reopen", tooltip=RESOLVE_HELP),  # only one of the two is active: see check_action
        Binding("o", "timeline_order", "Order", show=False, tooltip="timeline order: as recorded, or as it happened"),
        Binding("y", "copy_message", "Copy", tooltip="copy the message template on screen (the first, from the Timeline tab)"),
        Binding("l", "browser", "Incidents", show=False,
                tooltip="incident browser: resume an open incident, replay a resolved one"),
        Binding("asterisk", "star", "Star", key_display="*", show=False,
                tooltip="star the latest event: a key moment for the review (`star #N why` in the bar for another)"),
        Binding("question_mark", "help", "Help", key_display="?", tooltip="this help"),
    ]
    # Meaningless once the incident is resolved: hidden from the footer, and the keys do nothing.
    OPEN_ONLY_ACTIONS = {"notify", "ack", "next_phase", "resolve", "change_severity"}
    # Shown in the footer only where there is room (the keys always work).
    WIDE_ONLY_ACTIONS = {"command_bar", "copy_message"}
    CHROME_ROWS = 3  # the header, the command bar and the footer: the panes have the rest

    # The checklist has the keyboard from the first frame (not the first pane that can take it, then this one).
    AUTO_FOCUS = "#checklist"

    state: reactive[IncidentState | None] = reactive(None, repaint=False)  # the watchers redraw what changed
    now: reactive[datetime | None] = reactive(None, repaint=False)  # the watchers redraw what changed
    # Screen's own repaints every widget on screen whenever the focus moves (a full frame, twice per `:note x`:
    # into the bar and back); the focus styles restyle, and so repaint, the widgets they change.
    focused: Reactive = Reactive(None, repaint=False)

    def __init__(self, incident_id: str, events: list[Event] | None = None) -> None:
        """`events`: the log, when whoever opens the console has just read it."""
        super().__init__()
        draw_changed_rows(self)
        self.incident_id = incident_id
        self._events = events
        self.incident_log = IncidentLog(())
        self.last_event_id = 0
        self._alarmed_rungs: set[str] = set()
        self._alarmed_response = False
        self._data_version = -1
        self._shown_resolved: bool | None = None  # what the footer was last drawn for
        self._laid_out_for: tuple[bool, bool] | None = None  # (roomy, too small) when the footer was last laid out
        self._shown = False  # the screen has been on top once
        self._unseen_alerts = 0  # alerts that came while a template tab was shown
        self.unreadable = False  # the log could not be read: the screen is taken away at once
        self._warned_unfilled: set[tuple[str, str]] = set()  # (template, text) y has warned about: y now copies it
        self._signer: ThreadPoolExecutor | None = None  # ssh-keygen's thread, made at the first signature
        self._unrecorded: dict[Future, tuple[checkpoint.Signing, str]] = {}  # signatures under way: (signing, actor)

    # --- building ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # The log is read first: the template tabs come from the incident's own playbook.
        events = self._events if self._events is not None else self.app.read_log(self, self.incident_id, follower=True)
        self._events = None  # the incident log holds them from here on
        if events is None:
            self.unreadable = True
            yield Static(f"{self.incident_id}: its log cannot be read", markup=False)
            return
        self.incident_log = IncidentLog(events, hold=False)  # held once the first frame is out (_hold_the_log)
        yield IncidentHeader(id="header").data_bind(ConsoleScreen.state, ConsoleScreen.now)
        yield Static(id="not-recording", markup=False)
        yield UnverifiedBanner()
        with Container(id="panes"):
            yield IncidentClock(id="clock").data_bind(ConsoleScreen.state, ConsoleScreen.now)
            ladder = EscalationLadder(
                id="ladder", on_notify=self._notify_rung, on_acknowledge=self._acknowledge_rung, on_copy_number=self._copy_number
            ).data_bind(ConsoleScreen.state, ConsoleScreen.now)
            ladder.room = ladder_room(self.app.size.height, self.CHROME_ROWS)
            yield ladder
            yield Checklist(id="checklist", on_toggle=self._toggle_step).data_bind(ConsoleScreen.state, ConsoleScreen.now)
            with TabbedContent(id="tabs"):
                with TabPane("Timeline", id="timeline-tab"):
                    yield Timeline(id="timeline")
                for template in self._templates():  # each editor comes when its tab is first shown
                    yield TabPane(one_line(template.name), id=widget_id("tab", template.id))
        yield Static(id="too-small", markup=False)
        yield CommandBar(lambda: self.state, self.incident_log.state.playbook, id="command-bar")
        # Laid out for the terminal as it is, so that the first resize changes nothing (a class set on the
        # screen once its panes are there restyles every one of them).
        width, height = self.app.size
        roomy, small = width >= ROOMY_FOOTER_WIDTH, width < MIN_WIDTH or height < MIN_HEIGHT
        self._laid_out_for = (roomy, small)
        self.set_class(width >= WIDE_WIDTH, "-wide", update=False)  # the panes are styled with it as they mount
        self.set_class(small, "-too-small", update=False)
        yield KeyBar(compact=not roomy, show_command_palette=width >= PALETTE_KEY_WIDTH, id="keys")

    def _templates(self) -> tuple[Template, ...]:
        playbook = self.incident_log.state.playbook
        return playbook.templates if playbook else ()

    def on_mount(self) -> None:
        if self.unreadable:
            return  # the app takes this screen away, saying why (WarroomApp.read_log)
        self.last_event_id = max((e.id for e in self.incident_log.events), default=0)
        self.now = self._clock_now()
        self.state = self.incident_log.state
        timeline = self.query_one(Timeline)
        timeline.show_events(self.incident_log.events, self.state.playbook, self.state.started_at)
        self.call_after_refresh(self._hold_the_log)
        self.query_one(CommandBar).show_error("")
        self.query_one(UnverifiedBanner).check(self.incident_id, self.incident_log.state)
        # Whatever was committed since the log was read (in compose, or by the browser before that) is read now:
        # the data version taken here would not change for it, and the console would show a state the log does not.
        self._catch_up()
        self._ticker = self.set_interval(0.5, self.tick)
        self._show_other_incidents(opening=True)
        self._check_alarms()
        self._bindings_follow_state()

    def _hold_the_log(self) -> None:
        """The log as a follower keeps it (incident.held), shared with the timeline: after the first frame, which a
        10,000-event incident's 5 ms of it would hold back."""
        self.query_one(Timeline).share(self.incident_log.hold_all())

    @on(events.ScreenResume)
    def _on_resume(self, event: events.ScreenResume) -> None:
        # Textual styles a screen that comes back on top again from top to bottom (the theme may have changed
        # under a dialog). The first time, every widget was styled as it mounted a moment ago: ~15 ms of
        # start-up for nothing. (A decorated handler runs before Screen's own.)
        if not self._shown:
            self._shown = True
            event.refresh_styles = False

    def _clock_now(self) -> datetime:
        return self.app.clock.now().replace(microsecond=0)

    # --- time and other writers --------------------------------------------------------------

    def tick(self) -> None:
        """Twice a second: pick up events other processes wrote, and move the clock on a second."""
        self._check_the_file()
        self.pick_up_new_events()
        now = self._clock_now()
        if now != self.now:
            self.now = now
            self._check_alarms()

    def _check_the_file(self) -> None:
        """The database removed or replaced under the console: a banner says nothing is being recorded (the store
        refuses every write from then on), until warroom is started again on a database that is there."""
        problem = self.app.store.check_file()
        banner = self.query_one("#not-recording", Static)
        if problem and not banner.display:
            banner.update(f"NOT RECORDING: {one_line(problem)}")
            banner.display = True
            self.app.bell()

    def pick_up_new_events(self) -> None:
        """Read what other writers appended; costs one PRAGMA when nothing changed."""
        if self.app.store.data_version() != self._data_version:
            self._catch_up()

    def _catch_up(self) -> None:
        """Take every event after the last one seen, whoever wrote it (this console's own appends included).

        The version is read before the events: a commit that lands between the two is read now or next tick."""
        store = self.app.store
        self._data_version = store.data_version()
        fresh = store.events_after(self.last_event_id, self.incident_id)
        if fresh:
            self._took(fresh)
        self._show_other_incidents()

    def _show_other_incidents(self, *, opening: bool = False) -> None:
        """The header names every other open incident: a second one declared elsewhere is never out of sight
        (and one opened while this console runs is also said in a toast)."""
        others = tuple(row.id for row in self.app.store.open_incidents() if row.id != self.incident_id)
        header = self.query_one(IncidentHeader)
        if header.others_open != others:
            if len(others) > len(header.others_open) and not opening:
                self.notify(f"Also open now: {', '.join(others)}", severity="warning", timeout=ALARM_SECONDS, markup=False)
            header.others_open = others

    def _took(self, fresh: list[Event]) -> None:
        quiet_since = self.state.last_alert[0] if self.state and self.state.last_alert else None
        held = self.incident_log.take(fresh)
        self.last_event_id = max(self.last_event_id, max(event.id for event in fresh))
        self.state = self.incident_log.state
        self._took_alerts([e for e in held if e.kind == kinds.ALERT], quiet_since)
        self.query_one(Timeline).add_events(held, self.state.playbook, self.state.started_at)
        self._check_alarms()
        self._bindings_follow_state()

    def _took_alerts(self, alerts: list[Event], previous: datetime | None) -> None:
        """Alerts are seen on any tab: counted on the Timeline tab while another is shown, the latest in the
        clock pane (IncidentClock), and the bell when one comes after a quiet spell."""
        if not alerts or not self.is_mounted:
            return
        tabs = self.query_one(TabbedContent)
        if tabs.active != "timeline-tab":
            self._unseen_alerts += len(alerts)
            tabs.get_tab("timeline-tab").label = f"Timeline · {self._unseen_alerts} new alert{'s' if self._unseen_alerts != 1 else ''}"
        first = min(alerts, key=lambda e: e.at)
        if previous is None or first.at - previous >= ALERTS_QUIET:
            self.app.bell()
            self.notify(one_line(first.payload.get("text", "")), title="Alert", severity="warning", timeout=ALARM_SECONDS,
                        markup=False)

    def _bindings_follow_state(self) -> None:
        """Resolving or reopening changes which keys make sense: redraw the footer then."""
        resolved = bool(self.state and self.state.resolved)
        if resolved != self._shown_resolved:
            self._shown_resolved = resolved
            self.refresh_bindings()

    def _check_alarms(self) -> None:
        """Shout once when a rung falls due unnotified, or the response target runs out.

        The toast is short and says whom to call and which key records it; the alarm itself stays in
        the ladder (and the clock pane) until someone acts on it.
        """
        state, now = self.state, self.now
        if state is None or now is None or not state.declared:
            return
        if state.resolved:  # nothing is due on a resolved incident; a reopened one shouts afresh
            self._alarmed_rungs, self._alarmed_response = set(), False
            return
        ladder = views.ladder(state, now)
        fresh = [r for r in ladder.due if r.rung.id not in self._alarmed_rungs]
        self._alarmed_rungs = {r.rung.id for r in ladder.due}  # a rung notified and due again later shouts again
        if fresh:
            self.app.bell()
            if len(fresh) == 1:
                title, message = f"Escalate: {one_line(fresh[0].rung.name)}", f"Call {contacts_text(fresh[0])}; press n when notified."
            else:
                first = ladder.to_page or fresh[0]
                title = f"Escalate: {len(fresh)} rungs due; page {one_line(first.rung.name)} first"
                calls = "\n".join(f"{one_line(r.rung.name)}: {contacts_text(r)}" for r in fresh)
                message = f"{calls}\nPress n as each is notified."
            self.notify(message, title=title, severity="error", timeout=ALARM_SECONDS, markup=False)
        response = views.response(state, now)
        overdue = response.state == "overdue"
        if overdue and not self._alarmed_response:
            self.app.bell()
            self.notify(
                overdue_advice(ladder), title=f"Response overdue ({response.label} target)", severity="error",
                timeout=ALARM_SECONDS, markup=False,
            )
        self._alarmed_response = overdue

    # --- recording ---------------------------------------------------------------------------

    def record(self, kind: str, payload: dict, at: datetime | None = None, *, behind: bool = False) -> Event | None:
        """Append one event and show it (`at`: when it happened, if before now); a failure is said in the
        command bar, never a crash.

        `behind`: the COMMIT, and the disk sync in it, runs on the store's thread while the panes take the event
        (Store.append_behind); no frame leaves before it is on disk (WarroomApp._display), and one that failed is
        taken back (_not_recorded). For a key: nothing typed is lost if it fails."""
        store = self.app.store
        try:
            if behind and not checkpoint.resolving(kind, payload):  # resolving signs the log, which reads it: committed first
                committing = store.append_behind(self.incident_id, kind, payload, at=at)
                committing.on_failure = self._not_recorded
                event = committing.events[0]
            else:
                behind = False
                event = store.append(self.incident_id, kind, payload, at=at)
        except (WarroomError, sqlite3.Error) as error:
            self.query_one(CommandBar).show_error(f"Not recorded: {error}")
            self.app.bell()
            self._check_the_file()  # the file gone under us: the banner says so at once, not at the next tick
            return None
        self._sign_if_resolved(event)
        # Not just this event: a scribe's or a script's committed just before it would be skipped for good
        # (the next read starts after this event's id), and the screen would show a state the log does not.
        # Nobody else has committed since the last read when data_version has not moved (it counts the other
        # connections' commits, not this one's): then this event is all there is to take. Behind, the ids say it
        # alone (reading the version would wait for the COMMIT): they are given out across the file, so anything
        # another writer committed since would have taken the id after the last one read.
        if event.id == self.last_event_id + 1 and (behind or store.data_version() == self._data_version):
            self._took([event])
        else:
            self._catch_up()
        return event

    def _not_recorded(self, failed: Committing) -> None:
        """A key's event was shown in the state, and its COMMIT failed (a full disk, an I/O error): it is not in the
        log. No frame showed it (WarroomApp._display); the panes are built again from the log as it is, and the
        bar says what was not recorded."""
        if not self.is_mounted or self.unreadable:
            return
        self.query_one(CommandBar).show_error(f"Not recorded: {failed.error}")
        self.app.bell()
        self._check_the_file()
        events = self.app.read_log(self, self.incident_id, follower=True)
        if events is None:
            return  # the app takes the screen away, saying why
        self.incident_log = IncidentLog(events)
        self.last_event_id = max((e.id for e in events), default=0)
        self._data_version = -1  # read again at the next tick: whatever came meanwhile, and who else is open
        self.state = self.incident_log.state
        self.query_one(Timeline).show_events(self.incident_log.events, self.state.playbook, self.state.started_at)
        self._check_alarms()
        self._bindings_follow_state()
        self.refresh()  # every row drawn again: the frame that was held back showed the event

    # --- signing at resolve -------------------------------------------------------------------

    class Signed(Message):
        """ssh-keygen has answered (posted from the signing thread)."""

        def __init__(self, answer: Future) -> None:
            super().__init__()
            self.answer = answer

    def _sign_if_resolved(self, event: Event) -> None:
        """A key configured (WARROOM_SIGNING_KEY): resolving signs the log. The checkpoint is made here, of the log
        as it stands, and ssh-keygen signs it in a thread: an agent that asks its holder to confirm (ssh-add -c) or
        a slow card does not freeze the console. The signature is recorded when it comes (ConsoleScreen.Signed)."""
        if not checkpoint.resolves(event) or checkpoint.configured_key() is None:
            return
        try:
            signing = checkpoint.Signing.prepare(self.app.store, event.incident, None, actor=event.actor)
        except WarroomError as error:
            self.notify(f"resolved, but not signed: {error}", severity="error", timeout=ALARM_SECONDS, markup=False)
            return
        if self._signer is None:
            self._signer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warroom-sign")
        answer = self._signer.submit(signing.signed)
        self._unrecorded[answer] = (signing, event.actor)
        answer.add_done_callback(lambda done: self.post_message(self.Signed(done)))

    @on(Signed)
    def _on_signed(self, message: Signed) -> None:
        self._record_signature(message.answer)

    def _record_signature(self, answer: Future) -> None:
        if answer not in self._unrecorded:
            return  # recorded already, as the console closed
        signing, actor = self._unrecorded.pop(answer)
        try:
            signing.record(self.app.store, answer.result(), actor=actor)
        except (WarroomError, sqlite3.Error) as error:
            self.notify(f"resolved, but not signed: {error}", severity="error", timeout=ALARM_SECONDS, markup=False)
            return
        self.notify(f"Log signed: its first {signing.unsigned.count} events", timeout=CONFIRM_SECONDS, markup=False)
        if self.is_mounted:
            self._catch_up()

    @on(events.Unmount)
    def _finish_signing(self) -> None:
        """The console closing while ssh-keygen still signs: the signature is waited for (a while) and recorded, so
        that quitting right after resolving does not leave the log unsigned. Past the wait it stays unsigned:
        `warroom verify` says so, and `warroom sign` signs it."""
        for answer in list(self._unrecorded):
            with contextlib.suppress(FutureTimeout, WarroomError):  # still signing; or it failed (said nowhere now)
                answer.result(timeout=SIGN_WAIT_AT_EXIT)
            if answer.done():
                with contextlib.suppress(Exception):  # closing: nothing left to show a failure on
                    self._record_signature(answer)
        if self._signer is not None:
            self._signer.shutdown(wait=False)

    def run_command(self, line: str, *, confirm: bool = False) -> bool:
        """Run one line of the command language (the bar, keys and the palette all come here).

        `confirm` says what was done in a brief toast: for a line typed in the bar, whose effect may be
        off in another pane. A key's effect is in front of the commander already (and in the timeline).
        """
        assert self.state is not None and self.now is not None
        bar = self.query_one(CommandBar)
        failed = self.app.store.settle()
        if failed:  # a key before this one was not recorded, and this line was read against a state that showed it
            self._not_recorded(failed[0])
            return False
        try:
            action = parse(line, self.state, self.app.clock.now())
        except CommandError as error:
            bar.show_error(str(error))
            return False
        if action.kind == "copy":
            return self.copy_message(action.payload.get("template"))
        if self.record(action.kind, action.payload, action.at, behind=not confirm) is None:
            return False
        bar.show_error("")
        if confirm:
            self.notify(one_line(action.summary), timeout=CONFIRM_SECONDS, markup=False)
        return True

    @on(CommandBar.Submitted)
    def _on_command(self, message: CommandBar.Submitted) -> None:
        if self.run_command(message.line, confirm=True):
            self.query_one(CommandBar).clear()
            self.query_one(Checklist).focus()  # back to the panes, as vim leaves command mode

    @on(CommandBar.Left)
    def _on_left(self) -> None:
        self.query_one(CommandBar).show_error("")
        self.query_one(Checklist).focus()  # escape: back to the panes, as after a command

    @on(BackToPanes)
    def _on_back_to_panes(self) -> None:
        self.set_focus(self.query_one(Checklist))  # escape from a template's editor: y copies again

    def _toggle_step(self, number: int) -> None:
        """Space on a step (Checklist's on_toggle)."""
        # Against the state as it is now: each of a burst's spaces (read at once, over a laggy link) toggles in turn.
        done = any(s.done for s in views.all_steps(self.state, self.now) if s.number == number)  # type: ignore[arg-type]
        self.run_command(f"{'uncheck' if done else 'check'} {number}")

    def _notify_rung(self, rung_id: str) -> None:
        """n in the ladder (its on_notify)."""
        self.run_command(f"notify {rung_id}")

    def _copy_number(self, rung_id: str) -> None:
        """c in the ladder (its on_copy_number)."""
        rung = self.state.playbook.rung(rung_id) if self.state and self.state.playbook else None
        if rung is None or not rung.contacts:
            self.query_one(CommandBar).show_error("this rung has no contact number")
            return
        numbers = "  ".join(c.phone for c in rung.contacts)
        self._copy_and_record("contact", f"{rung.name} ({', '.join(c.name for c in rung.contacts)})", numbers)

    def _acknowledge_rung(self, rung_id: str) -> None:
        """a in the ladder (its on_acknowledge)."""
        self.run_command(f"ack {rung_id}")

    # --- copying -----------------------------------------------------------------------------

    def copy_message(self, template_id: str | None = None) -> bool:
        """Copy a template as it stands on screen (the tab shown, else the first) and record the exact text."""
        templates = self._templates()
        if not templates:
            self.query_one(CommandBar).show_error("the playbook has no message templates")
            return False
        tabs = self.query_one(TabbedContent)
        if template_id is None:
            template_id = next((t.id for t in templates if widget_id("tab", t.id) == tabs.active), templates[0].id)
        template = next(t for t in templates if t.id == template_id)
        editor = self._template_editor(template_id)
        # A tab never shown has no editor yet, and nothing edited: its text is the template filled now.
        filled = fill(template, self.state, self.now)
        text = editor.text if editor is not None else filled.text
        removed = filled.removed if editor is None or not editor.edited else 0
        tabs.active = widget_id("tab", template_id)  # the copied message on screen
        unfilled = [name for name in template.placeholders if f"[{name}]" in text]
        if unfilled and (template_id, text) not in self._warned_unfilled:
            # Once: "ETA: [eta]" sent to customers is worse than a second key press. y again copies it as it is.
            self._warned_unfilled.add((template_id, text))
            listed = ", ".join(f"[{name}]" for name in unfilled)
            self.notify(f"{one_line(template.name)} still has {listed} unfilled: fill it in, or press y again to copy it as it is",
                        title="Not copied yet", severity="warning", timeout=ALARM_SECONDS, markup=False)
            return False
        return self._copy_and_record(template_id, template.name, text, removed)

    def _template_editor(self, template_id: str) -> TemplateEditor | None:
        return next(iter(self.query(f"#{widget_id('editor', template_id)}")), None)  # type: ignore[return-value]

    @on(TabbedContent.TabActivated, "#tabs")
    def _on_tab_shown(self, event: TabbedContent.TabActivated) -> None:
        """A template's tab shown for the first time: its editor, filled from the live incident.

        Made here rather than in compose: the editors (TextAreas) cost 10-20 ms of the console's start-up,
        for tabs a commander opens a few times in an incident."""
        pane_id = event.pane.id or ""
        # Only if it is still shown: switched past it in one burst (timeline, then a template), the alerts taken
        # in between came while the template was shown, and are counted.
        if pane_id == "timeline-tab" and self._unseen_alerts and event.tabbed_content.active == pane_id:
            self._unseen_alerts = 0
            event.tab.label = "Timeline"
        template = next((t for t in self._templates() if widget_id("tab", t.id) == pane_id), None)
        if template is None or self._template_editor(template.id) is not None:
            return
        from warroom.tui.widgets.templates import TemplateEditor

        editor = TemplateEditor(template, id=widget_id("editor", template.id))
        event.pane.mount(editor.data_bind(ConsoleScreen.state, ConsoleScreen.now))

    def _copy_and_record(self, what: str, name: str, text: str, removed: int = 0) -> bool:
        """Copy, record the exact text that went to the clipboard, and say how (and what was left out)."""
        copied = self.app.copy_and_say(text)
        if copied is None:
            return False
        self.record(kinds.COPIED, {"what": what, "name": name, "text": copied.text, "via": copied.via})
        if copied.via == "clipboard":
            message = f"Copied {one_line(name)} to the system clipboard"
        else:  # whether the terminal kept it, nothing tells us: say what was done, and what it needs
            message = f"Sent {one_line(name)} to the terminal with OSC 52 (no system clipboard here)"
            if os.environ.get("TMUX"):
                message += "; tmux keeps it only with `set -g set-clipboard on`"
        removed += copied.removed
        if removed:
            message += f"; {removed} control character{'s' if removed != 1 else ''} left out"
        self.notify(message, timeout=4, markup=False)
        return True

    def action_copy_message(self) -> None:
        self.copy_message()

    # --- actions (keys and the command palette) ----------------------------------------------

    def action_command_bar(self) -> None:
        self.set_focus(self.query_one(CommandInput))  # now, not after the keys already read (Widget.focus waits)

    def action_prefill(self, text: str) -> None:
        self.query_one(CommandBar).prefill(text)

    def action_notify(self) -> None:
        self.run_command("notify")

    def action_ack(self) -> None:
        self.run_command("ack")

    def action_next_phase(self) -> None:
        self.run_command("phase next")

    def action_timeline_order(self) -> None:
        order = self.query_one(Timeline).toggle_order()
        self.notify(f"Timeline in {order} order", timeout=2)

    def action_browser(self) -> None:
        self.post_message(ShowBrowser())

    def action_star(self) -> None:
        self.run_command("star", confirm=True)

    def action_help(self) -> None:
        from warroom.tui.screens.help import key_rows

        self.post_message(ShowHelp(key_rows([Checklist, ConsoleScreen, EscalationLadder, self.app])))

    def action_resolve(self) -> None:
        assert self.state is not None
        if self.state.resolved:
            self.query_one(CommandBar).show_error("the incident is already resolved (R to reopen it)")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_command("resolve")

        self.app.push_screen(
            ConfirmDialog(f"Resolve {self.state.id} ({one_line(self.state.title)})? The clock stops.", yes="Resolve"),
            answered,
        )

    def action_reopen(self) -> None:
        assert self.state is not None
        if not self.state.resolved:
            self.query_one(CommandBar).show_error("the incident is not resolved")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_command("reopen")

        self.app.push_screen(
            ConfirmDialog(f"Reopen {self.state.id} ({one_line(self.state.title)})? Its clock runs again.", yes="Reopen"),
            answered,
        )

    def action_change_severity(self) -> None:
        state = self.state
        assert state is not None and state.playbook is not None

        def chosen(severity: str | None) -> None:
            if not severity or severity == state.severity:
                return

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self.run_command(f"sev {severity}")

            self.app.push_screen(
                ConfirmDialog(f"Change severity {state.severity} -> {severity}? Every deadline is re-derived.", yes="Change"),
                confirmed,
            )

        self.app.push_screen(SeverityDialog(state.playbook, state.severity), chosen)

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Every action of the console, by name, for ctrl+p."""
        yield SystemCommand("Command bar", "Type a command or a note", self.action_command_bar)
        yield SystemCommand("Add a note", "Write a note on the timeline", partial(self.action_prefill, "note "))
        yield SystemCommand("Notify the rung due", "Mark the escalation rung due now as notified", self.action_notify)
        yield SystemCommand("Acknowledge", "Mark the first notified rung as acknowledged", self.action_ack)
        yield SystemCommand("Next phase", "Move the incident to its next phase", self.action_next_phase)
        yield SystemCommand("Status: investigating", "Set the status", partial(self.run_command, "status investigating"))
        yield SystemCommand("Status: mitigating", "Set the status", partial(self.run_command, "status mitigating"))
        yield SystemCommand("Change severity", "Choose a new severity (asks first)", self.action_change_severity)
        yield SystemCommand("Set ETA", "Expected resolution time", partial(self.action_prefill, "eta "))
        yield SystemCommand("Set impact", "Who and what is affected", partial(self.action_prefill, "impact "))
        yield SystemCommand("Assign a role", "role ROLE NAME", partial(self.action_prefill, "role "))
        yield SystemCommand("Attach a runbook", "Add a runbook's steps to the checklist", partial(self.action_prefill, "runbook "))
        yield SystemCommand("Resolve incident", "Resolve it; the clock stops (asks first)", self.action_resolve)
        yield SystemCommand("Reopen incident", "Reopen a resolved incident (asks first)", self.action_reopen)
        for template in self._templates():
            yield SystemCommand(f"Copy {template.name}", "Copy the filled message to send", partial(self.copy_message, template.id))
        yield SystemCommand("Timeline order", "As recorded, or as it happened", self.action_timeline_order)
        yield SystemCommand("Incident browser", "Every incident: resume an open one, replay a resolved one", self.action_browser)
        yield SystemCommand("Help", "Keys and commands", self.action_help)

    # --- which keys the footer offers ----------------------------------------------------------

    def _typing(self) -> bool:
        """A field has the keyboard: single keys type into it, so the footer must not offer them."""
        focused = self.focused
        # An editable TextArea, said without importing TextArea (it is loaded when a template tab is first shown).
        return isinstance(focused, Input) or getattr(focused, "read_only", True) is False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reopen":
            return bool(self.state and self.state.resolved) and not self._typing()
        if self.state is not None and self.state.resolved and (
            action in self.OPEN_ONLY_ACTIONS or parameters == ("status ",)
        ):
            return False
        if (self._typing() or self.has_class("-too-small")) and action in SINGLE_KEY_ACTIONS:
            return False  # typing letters, or the panes are hidden: the footer offers ctrl+q alone
        return True

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The keys for the footer: at a narrow width, the ones in WIDE_ONLY_ACTIONS give their room up."""
        bindings = super().active_bindings
        if self.size.width >= ROOMY_FOOTER_WIDTH:
            return bindings
        return {key: active for key, active in bindings.items() if active.binding.action not in self.WIDE_ONLY_ACTIONS}

    # --- layout ------------------------------------------------------------------------------

    def on_resize(self) -> None:
        if self.unreadable:
            return
        width, height = self.size
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        self.set_class(small, "-too-small")
        roomy = width >= ROOMY_FOOTER_WIDTH
        keys = self.query_one(KeyBar)
        keys.compact = not roomy
        keys.show_command_palette = width >= PALETTE_KEY_WIDTH
        if (roomy, small) != self._laid_out_for:  # the keys in WIDE_ONLY_ACTIONS, or every single key, come or go
            self._laid_out_for = (roomy, small)
            self.refresh_bindings()
        self.set_class(width >= WIDE_WIDTH, "-wide")
        self.query_one(EscalationLadder).room = ladder_room(height, self.CHROME_ROWS)
        if small:
            self.set_focus(None)  # the panes are hidden: their keys must not act (nor show in the footer)
            self.query_one("#too-small", Static).update(
                f"warroom needs at least {MIN_WIDTH}x{MIN_HEIGHT}; this terminal is {width}x{height}. Enlarge it."
            )
        elif self.focused is None:
            self.call_after_refresh(self._focus_checklist)  # hiding the panes took the focus: give it back

    def _focus_checklist(self) -> None:
        if self.focused is None and not self.has_class("-too-small"):
            self.query_one(Checklist).focus()
