"""The wall-screen follower: a read-only view of the live incident, readable from across a room."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Static

from warroom import events as kinds
from warroom import views
from warroom.clock import format_clock, format_duration
from warroom.errors import WarroomError
from warroom.events import Event
from warroom.incident import IncidentLog, IncidentState
from warroom.text import one_line
from warroom.tui.frames import draw_changed_rows
from warroom.tui.widgets.big_clock import BigClock
from warroom.tui.widgets.clock_pane import latest_alert_text, response_line
from warroom.tui.widgets.header import IncidentHeader
from warroom.tui.widgets.key_bar import KeyBar
from warroom.tui.widgets.timeline import Timeline
from warroom.tui.widgets.unverified import UnverifiedBanner


def ladder_line(state: IncidentState, now: datetime) -> Content:
    ladder = views.ladder(state, now)
    rung = ladder.to_page
    if rung is not None:
        numbers = "  ".join(one_line(c.phone) for c in rung.rung.contacts)
        also = [one_line(r.rung.name) for r in ladder.due[1:]]
        return Content.assemble(
            (f" ESCALATE: page {one_line(rung.rung.name)} ", "bold $text on $error"), f"  {numbers}",
            (f"  ·  also due: {', '.join(also)}" if also else "", "bold $error"),
        )
    reached = [r for r in ladder.rungs if r.state in ("notified", "acknowledged")]
    parts: list = []
    if reached:
        last = reached[-1]
        parts.append((f"{one_line(last.rung.name)} {last.state}", "bold $success" if last.state == "acknowledged" else "bold $warning"))
    if ladder.next is not None and ladder.next_in is not None:
        parts.append(f"{'  ·  ' if parts else ''}next: {one_line(ladder.next.rung.name)} in {format_duration(ladder.next_in)}")
    return Content.assemble(*parts) if parts else Content("")


class WatchScreen(Screen):
    """Follows one incident (or, unpinned, whichever was declared last) and never writes."""

    state: reactive[IncidentState | None] = reactive(None, repaint=False)  # the watchers redraw what changed
    now: reactive[datetime | None] = reactive(None, repaint=False)  # the watchers redraw what changed

    def __init__(self, incident_id: str | None) -> None:
        super().__init__()
        draw_changed_rows(self)
        self.pinned = incident_id is not None
        self.incident_id = incident_id
        self.incident_log = IncidentLog(())
        self.last_event_id = 0  # every event up to this id, of any incident, has been looked at
        self._held_up_to = 0  # the followed incident's events up to this id are in its log
        self._data_version = -1

    def compose(self) -> ComposeResult:
        yield IncidentHeader(id="header").data_bind(WatchScreen.state, WatchScreen.now)
        yield UnverifiedBanner()
        yield BigClock(id="big-clock")
        yield Static(id="watch-response", markup=False)
        yield Static(id="watch-ladder", markup=False)
        yield Static(id="watch-alert", markup=False)
        yield Static(id="watch-waiting", markup=False)
        yield Timeline(id="watch-timeline")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(IncidentHeader).mode = "WATCH · read-only"
        if self.incident_id is None:
            self.incident_id = self._latest_incident()
        self._load()
        self.set_interval(0.5, self.tick)

    def _latest_incident(self) -> str | None:
        rows = self.app.store.incidents()
        open_rows = [r for r in rows if r.status != "resolved"]
        return (open_rows or rows or [None])[0].id if (open_rows or rows) else None  # type: ignore[union-attr]

    def _load(self) -> None:
        store = self.app.store
        self._data_version = store.data_version()
        # Taken before the incident's events: one committed in between is then read again by the next tick
        # (and left out there, see _took), never missed.
        self.last_event_id = store.last_event_id()
        self.incident_log = self._read_log()
        events = self.incident_log.events  # as held: the timeline shows these same objects
        self._held_up_to = max((e.id for e in events), default=0)
        self.now = self.app.clock.now().replace(microsecond=0)
        self.state = self.incident_log.state if events else None
        if events and self.incident_id:
            self.query_one(UnverifiedBanner).check(self.incident_id, self.incident_log.state)
        timeline = self.query_one(Timeline)
        timeline.show_events(events, self.incident_log.state.playbook, self.incident_log.state.started_at)
        timeline.border_subtitle = ""  # the console's "(o)" key hint: nothing is typed on a wall
        self._show_other_incidents()
        self._draw()

    def _read_log(self) -> IncidentLog:
        """The followed incident's log, read a chunk at a time and held as the wall keeps it (incident.held): a
        wall opened on 60,000 received alerts never has them all in full, labels and all, at once."""
        if not self.incident_id:
            return IncidentLog(())
        try:
            return IncidentLog(event for chunk in self.app.store.event_chunks(self.incident_id) for event in chunk)
        except WarroomError:  # unreadable: read as every screen reads it, which says why and takes the wall away
            return IncidentLog(self.app.read_log(self, self.incident_id) or ())

    def _show_other_incidents(self) -> None:
        """The wall follows one incident; the header says which others are open too."""
        header = self.query_one(IncidentHeader)
        header.others_open = tuple(row.id for row in self.app.store.open_incidents() if row.id != self.incident_id)

    def tick(self) -> None:
        store = self.app.store
        version = store.data_version()
        if version != self._data_version:
            self._data_version = version
            fresh = store.events_after(self.last_event_id)
            if fresh:
                self.last_event_id = fresh[-1].id
                self._took(fresh)
            self._show_other_incidents()
        now = self.app.clock.now().replace(microsecond=0)
        if now != self.now:
            self.now = now
            self._draw()

    def _took(self, fresh: list[Event]) -> None:
        declared = [e for e in fresh if e.kind == kinds.DECLARED and e.incident != self.incident_id]
        if declared and not self.pinned:
            self.incident_id = declared[-1].incident  # a new incident: the wall follows it
            self.notify(f"New incident {self.incident_id}", severity="warning", markup=False)
            self._load()
            return
        mine = [e for e in fresh if e.incident == self.incident_id and e.id > self._held_up_to]
        if not mine:
            return
        self._held_up_to = mine[-1].id
        taken = self.incident_log.take(mine)  # as held: one copy of each event for the fold and the timeline
        self.state = self.incident_log.state
        self.query_one(Timeline).add_events(taken, self.state.playbook, self.state.started_at)
        self._draw()

    def _draw(self) -> None:
        state, now = self.state, self.now
        waiting = self.query_one("#watch-waiting", Static)
        if state is None or now is None or not state.declared:
            waiting.update("No incident yet: this screen follows the next one declared.")
            waiting.display = True
            return
        waiting.display = False
        self.query_one(BigClock).value = format_clock(views.elapsed(state, now))
        self.query_one("#watch-response", Static).update(response_line(state, now, hints=False))
        self.query_one("#watch-ladder", Static).update(ladder_line(state, now))
        alert = self.query_one("#watch-alert", Static)
        # The log's count: a repeat of a received alert was never stored (warroom.alerts), so it is not counted.
        counted = f"{state.alerts:,} alert{'s' if state.alerts != 1 else ''} · "
        latest = latest_alert_text(state, self.size.width - len(counted)).strip()
        alert.update(Content.styled(counted + latest, "bold $warning"))
        alert.display = state.last_alert is not None
        self.set_class(views.response(state, now).state == "overdue" or bool(views.ladder(state, now).due), "-alarm")
        self.set_class(state.resolved, "-resolved")
