"""The live console: the incident's panes, the command bar, alarms; every action appends an event."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from functools import partial
from typing import Iterable

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Container
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane

from warroom import events as kinds
from warroom import views
from warroom.commands import CommandError, parse
from warroom.errors import WarroomError
from warroom.events import Event
from warroom.incident import IncidentLog, IncidentState
from warroom.playbook import Template
from warroom.text import one_line
from warroom.tui.screens.dialogs import ConfirmDialog, SeverityDialog
from warroom.tui.widgets.checklist import Checklist
from warroom.tui.widgets.clock_pane import IncidentClock
from warroom.tui.widgets.command_bar import CommandBar, CommandInput
from warroom.tui.widgets.header import IncidentHeader
from warroom.tui.widgets.ladder import EscalationLadder
from warroom.tui.widgets.templates import TemplateEditor
from warroom.tui.widgets.timeline import Timeline

MIN_WIDTH, MIN_HEIGHT = 60, 20
WIDE_WIDTH = 150


class ConsoleScreen(Screen):
    """One incident, live. The screen holds the log and `now`; the panes bind to `state` and `now`."""

    BINDINGS = [
        Binding("colon", "command_bar", "Command", key_display=":"),
        Binding("n", "notify", "Notify"),
        Binding("a", "ack", "Ack"),
        Binding("p", "next_phase", "Next phase"),
        Binding("s", "prefill('status ')", "Status"),
        Binding("v", "change_severity", "Severity"),
        Binding("e", "prefill('eta ')", "ETA", show=False),
        Binding("i", "prefill('impact ')", "Impact", show=False),
        Binding("R", "resolve", "Resolve"),
        Binding("o", "timeline_order", "Order", show=False),
        Binding("y", "copy_message", "Copy message"),
        Binding("l", "browser", "Incidents", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
    ]

    state: reactive[IncidentState | None] = reactive(None)
    now: reactive[datetime | None] = reactive(None)

    def __init__(self, incident_id: str) -> None:
        super().__init__()
        self.incident_id = incident_id
        self.incident_log = IncidentLog(())
        self.last_event_id = 0
        self._alarmed_rungs: set[str] = set()
        self._alarmed_response = False
        self._data_version = -1

    # --- building ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # The log is read first: the template tabs come from the incident's own playbook.
        self.incident_log = IncidentLog(self.app.store.events(self.incident_id))
        yield IncidentHeader(id="header").data_bind(ConsoleScreen.state, ConsoleScreen.now)
        with Container(id="panes"):
            yield IncidentClock(id="clock").data_bind(ConsoleScreen.state, ConsoleScreen.now)
            yield EscalationLadder(id="ladder").data_bind(ConsoleScreen.state, ConsoleScreen.now)
            yield Checklist(id="checklist").data_bind(ConsoleScreen.state, ConsoleScreen.now)
            with TabbedContent(id="tabs"):
                with TabPane("Timeline", id="timeline-tab"):
                    yield Timeline(id="timeline")
                for template in self._templates():
                    with TabPane(one_line(template.name), id=f"tab-{template.id}"):
                        yield TemplateEditor(template, id=f"editor-{template.id}").data_bind(
                            ConsoleScreen.state, ConsoleScreen.now
                        )
        yield Static(id="too-small", markup=False)
        yield CommandBar(lambda: self.state, id="command-bar")
        yield Footer()

    def _templates(self) -> tuple[Template, ...]:
        playbook = self.incident_log.state.playbook
        return playbook.templates if playbook else ()

    def on_mount(self) -> None:
        events = self.incident_log.events
        self.last_event_id = max((e.id for e in events), default=0)
        self._data_version = self.app.store.data_version()
        self.now = self._clock_now()
        self.state = self.incident_log.state
        timeline = self.query_one(Timeline)
        timeline.show_events(self.incident_log.events, self.state.playbook, self.state.started_at)
        self.query_one(CommandBar).show_error("")
        self.query_one(Checklist).focus()
        self._ticker = self.set_interval(0.5, self.tick)
        self._check_alarms()

    def _clock_now(self) -> datetime:
        return self.app.clock.now().replace(microsecond=0)

    # --- time and other writers --------------------------------------------------------------

    def tick(self) -> None:
        """Twice a second: pick up events other processes wrote, and move the clock on a second."""
        self.pick_up_new_events()
        now = self._clock_now()
        if now != self.now:
            self.now = now
            self._check_alarms()

    def pick_up_new_events(self) -> None:
        """Read what other writers appended; costs one PRAGMA when nothing changed."""
        store = self.app.store
        version = store.data_version()
        if version == self._data_version:
            return
        self._data_version = version
        fresh = store.events_after(self.last_event_id, self.incident_id)
        if fresh:
            self._took(fresh)

    def _took(self, fresh: list[Event]) -> None:
        for event in fresh:
            self.incident_log.add(event)
            self.last_event_id = max(self.last_event_id, event.id)
        self.state = self.incident_log.state
        self.query_one(Timeline).add_events(fresh, self.state.playbook, self.state.started_at)
        self._check_alarms()

    def _check_alarms(self) -> None:
        """Shout once when a rung falls due unnotified, or the response target runs out."""
        state, now = self.state, self.now
        if state is None or now is None or not state.declared:
            return
        due = views.ladder(state, now).due
        fresh = [r for r in due if r.rung.id not in self._alarmed_rungs]
        self._alarmed_rungs = {r.rung.id for r in due}  # a rung notified and due again later shouts again
        if fresh:
            names = ", ".join(r.rung.name for r in fresh)
            numbers = "  ".join(c.phone for r in fresh for c in r.rung.contacts)
            self.app.bell()
            self.notify(f"{names} due now: call {numbers}, then n", title="Escalate", severity="error", timeout=10, markup=False)
        overdue = views.response(state, now).state == "overdue"
        if overdue and not self._alarmed_response:
            self.app.bell()
            self.notify("Response target overdue", severity="error", timeout=10, markup=False)
        self._alarmed_response = overdue

    # --- recording ---------------------------------------------------------------------------

    def record(self, kind: str, payload: dict) -> Event | None:
        """Append one event and show it; a failure is said in the command bar, never a crash."""
        try:
            event = self.app.store.append(self.incident_id, kind, payload)
        except (WarroomError, sqlite3.Error) as error:
            self.query_one(CommandBar).show_error(f"Not recorded: {error}")
            self.app.bell()
            return None
        self._took([event])
        return event

    def run_command(self, line: str) -> bool:
        """Run one line of the command language (the bar, keys and the palette all come here)."""
        assert self.state is not None and self.now is not None
        bar = self.query_one(CommandBar)
        try:
            action = parse(line, self.state, self.app.clock.now())
        except CommandError as error:
            bar.show_error(str(error))
            return False
        if action.kind == "copy":
            return self.copy_message(action.payload.get("template"))
        if self.record(action.kind, action.payload) is None:
            return False
        bar.show_error("")
        self.notify(one_line(action.summary), timeout=3, markup=False)
        return True

    @on(CommandBar.Submitted)
    def _on_command(self, message: CommandBar.Submitted) -> None:
        if self.run_command(message.line):
            self.query_one(CommandBar).clear()
            self.query_one(Checklist).focus()  # back to the panes, as vim leaves command mode

    @on(CommandBar.Left)
    def _on_left(self) -> None:
        self.query_one(CommandBar).show_error("")
        self.query_one(Checklist).focus()

    @on(Checklist.StepToggled)
    def _on_step(self, message: Checklist.StepToggled) -> None:
        self.run_command(f"{'check' if message.done else 'uncheck'} {message.number}")

    @on(EscalationLadder.Notified)
    def _on_notified(self, message: EscalationLadder.Notified) -> None:
        self.run_command(f"notify {message.rung}")

    @on(EscalationLadder.NumberCopied)
    def _on_number_copied(self, message: EscalationLadder.NumberCopied) -> None:
        rung = self.state.playbook.rung(message.rung) if self.state and self.state.playbook else None
        if rung is None or not rung.contacts:
            self.query_one(CommandBar).show_error("this rung has no contact number")
            return
        numbers = "  ".join(c.phone for c in rung.contacts)
        self._copy_and_record("contact", f"{rung.name} ({', '.join(c.name for c in rung.contacts)})", numbers)

    @on(EscalationLadder.Acknowledged)
    def _on_acknowledged(self, message: EscalationLadder.Acknowledged) -> None:
        self.run_command(f"ack {message.rung}")

    # --- copying -----------------------------------------------------------------------------

    def copy_message(self, template_id: str | None = None) -> bool:
        """Copy a template as it stands on screen (the tab shown, else the first) and record the exact text."""
        editors = list(self.query(TemplateEditor))
        if not editors:
            self.query_one(CommandBar).show_error("the playbook has no message templates")
            return False
        if template_id is None:
            active = self.query_one(TabbedContent).active
            template_id = next((e.template.id for e in editors if f"tab-{e.template.id}" == active), editors[0].template.id)
        editor = next(e for e in editors if e.template.id == template_id)
        self.query_one(TabbedContent).active = f"tab-{template_id}"
        return self._copy_and_record(template_id, editor.template.name, editor.text)

    def _copy_and_record(self, what: str, name: str, text: str) -> bool:
        via = self.app.copy_and_say(text)
        if via is None:
            return False
        self.record(kinds.COPIED, {"what": what, "name": name, "text": text, "via": via})
        where = "system clipboard" if via == "clipboard" else "terminal clipboard (OSC 52)"
        self.notify(f"Copied {name} to the {where}", timeout=4, markup=False)
        return True

    def action_copy_message(self) -> None:
        self.copy_message()

    # --- actions (keys and the command palette) ----------------------------------------------

    def action_command_bar(self) -> None:
        self.query_one(CommandInput).focus()

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
        from warroom.tui.screens.browser import BrowserScreen

        self.app.push_screen(BrowserScreen())

    def action_help(self) -> None:
        from warroom.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())

    def action_resolve(self) -> None:
        assert self.state is not None
        if self.state.resolved:
            self.query_one(CommandBar).show_error("the incident is already resolved (`reopen` to reopen it)")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_command("resolve")

        self.app.push_screen(
            ConfirmDialog(f"Resolve {self.state.id} ({one_line(self.state.title)})? The clock stops.", yes="Resolve"),
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
        yield SystemCommand("Reopen incident", "Reopen a resolved incident", partial(self.run_command, "reopen"))
        for template in self._templates():
            yield SystemCommand(f"Copy {template.name}", "Copy the filled message to send", partial(self.copy_message, template.id))
        yield SystemCommand("Timeline order", "As recorded, or as it happened", self.action_timeline_order)
        yield SystemCommand("Incident browser", "Every incident: resume an open one, replay a resolved one", self.action_browser)
        yield SystemCommand("Help", "Keys and commands", self.action_help)

    # --- layout ------------------------------------------------------------------------------

    def on_resize(self) -> None:
        width, height = self.size
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        self.set_class(small, "-too-small")
        self.set_class(width >= WIDE_WIDTH, "-wide")
        if small:
            self.query_one("#too-small", Static).update(
                f"warroom needs at least {MIN_WIDTH}x{MIN_HEIGHT}; this terminal is {width}x{height}. Enlarge it."
            )
        elif self.focused is None:
            self.call_after_refresh(self._focus_checklist)  # hiding the panes took the focus: give it back

    def _focus_checklist(self) -> None:
        if self.focused is None and not self.has_class("-too-small"):
            self.query_one(Checklist).focus()
