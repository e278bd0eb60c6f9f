"""The incident clock pane: elapsed time in big digits, the response target, phase budget, ETA, next update."""

from __future__ import annotations

from datetime import datetime, timedelta

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Digits

from warroom import views
from warroom.clock import format_clock, format_duration, local_hm, utc_hm
from warroom.incident import IncidentState
from warroom.tui.widgets.live_line import LiveLine


def response_line(state: IncidentState, now: datetime) -> Content:
    response = views.response(state, now)
    label = f"Response target ({response.label})"
    if response.state == "pending":
        return Content.assemble(
            (label, "bold"), f": due {local_hm(response.due_at)}, ", (format_duration(response.remaining), "bold"), " left"
        )
    if response.state == "overdue":
        return Content.assemble(
            (f" RESPONSE OVERDUE by {format_duration(response.late_by)} ", "bold $text on $error"),
            f" due {local_hm(response.due_at)}: acknowledge (a)",
        )
    if response.state == "met":
        when = f"met at {local_hm(response.met_at)}" if response.met_at else "met"
        return Content.assemble((label, "bold"), ": ", (when, "bold $success"))
    late = format_duration(response.late_by, seconds=False)
    when = f" (acknowledged {local_hm(response.met_at)})" if response.met_at else ""
    return Content.assemble((label, "bold"), ": ", (f"missed by {late}", "bold $error"), when)


def phase_line(state: IncidentState, now: datetime) -> Content:
    phase = views.current_phase(state, now)
    total = len(state.playbook.phases) if state.playbook else 0
    head = Content.assemble(("Phase ", "bold"), f"{phase.number}/{total} ", (phase.phase.name, "bold"))
    if state.resolved or phase.remaining is None:
        return Content.assemble(head, f" ({phase.phase.window})")
    if phase.overdue:
        return Content.assemble(head, " ", (f"PAST WINDOW by {format_duration(-phase.remaining)}", "bold $error"))
    return Content.assemble(head, f": {format_duration(phase.remaining)} left of {phase.phase.window}")


def eta_and_update_line(state: IncidentState, now: datetime) -> Content:
    parts: list = [("ETA ", "bold")]
    if state.resolved:
        parts.append((f"was {local_hm(state.eta)}" if state.eta else "not set", "$text-muted"))
    elif state.eta is None:
        parts.append(("not set (e)", "$text-muted"))
    else:
        left = state.eta - now
        if left >= timedelta(0):
            parts.append(f"{local_hm(state.eta)} (in {format_duration(left, seconds=False)})")
        else:
            parts.append((f"{local_hm(state.eta)} (passed {format_duration(-left, seconds=False)} ago)", "bold $warning"))
    update = views.next_update(state, now)
    if update is not None:
        parts.append(("  ·  Update ", "bold"))
        if update.overdue:
            parts.append((f"OVERDUE by {format_duration(-update.remaining, seconds=False)}", "bold $error"))
            parts.append((" (copy one: y)", "$text-muted"))
        else:
            parts.append(f"due {local_hm(update.due_at)} (in {format_duration(update.remaining, seconds=False)})")
    return Content.assemble(*parts)


class IncidentClock(Vertical):
    """Elapsed time, large; the deadlines under it. The clock stops when the incident is resolved."""

    state: reactive[IncidentState | None] = reactive(None, repaint=False)  # the watchers redraw what changed
    now: reactive[datetime | None] = reactive(None, repaint=False)  # the watchers redraw what changed

    def compose(self) -> ComposeResult:
        yield Digits("0:00:00", id="elapsed")
        yield LiveLine(id="clock-started")
        yield LiveLine(id="clock-response")
        yield LiveLine(id="clock-phase")
        yield LiveLine(id="clock-eta")

    def on_mount(self) -> None:
        self.border_title = "Incident clock"
        self._refresh_view()

    def watch_state(self) -> None:
        self._refresh_view()

    def watch_now(self) -> None:
        self._refresh_view()

    def _set(self, widget_id: str, content: Content) -> None:
        self.query_one(f"#{widget_id}", LiveLine).show(content)

    def _refresh_view(self) -> None:
        state, now = self.state, self.now
        if state is None or now is None or not state.declared or not self.is_mounted:
            return
        assert state.started_at is not None
        digits = self.query_one("#elapsed", Digits)
        value = format_clock(views.elapsed(state, now))
        if digits.value != value:
            digits.update(value)
        started = Content.assemble(
            ("Started ", "bold"), f"{local_hm(state.started_at)} local · {utc_hm(state.started_at)} UTC",
            *((("  ·  ", ""), ("RESOLVED ", "bold $success"), f"{local_hm(state.resolved_at)}") if state.resolved_at else ()),
        )
        self._set("clock-started", started)
        self._set("clock-response", response_line(state, now))
        self._set("clock-phase", phase_line(state, now))
        self._set("clock-eta", eta_and_update_line(state, now))
        response = views.response(state, now)
        self.set_class(response.state == "overdue", "-overdue")
        self.set_class(state.resolved, "-resolved")
