"""The incident clock pane: elapsed time in big digits, the response target, phase budget, ETA, next update."""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Digits

from warroom import views
from warroom.clock import countdown, format_clock, format_duration, local_hm, utc_hm
from warroom.incident import IncidentState
from warroom.text import one_line
from warroom.tui.widgets.live_line import LiveLine


def response_pieces(state: IncidentState, now: datetime, *, hints: bool = True) -> list[Content]:
    """The response target: counting down, met, missed, or overdue (with what to do, where keys work)."""
    response = views.response(state, now)
    # Judged by the severity in force when someone responded: after P1 -> P0 the P1 target, said as such.
    judged = response.severity
    by = f"{judged.id}, " if judged is not None and judged.id != state.severity else ""
    label = Content.styled(f"Response target ({by}{response.label})", "bold")
    if response.state == "pending":
        return [Content.assemble(label, f": due {local_hm(response.due_at)},"),
                Content.assemble(" ", (countdown(response.remaining), "bold"), " left")]
    if response.state == "overdue":
        advice = "acknowledge (a)" if hints else "nobody has acknowledged yet"
        return [Content.styled(f" RESPONSE OVERDUE by {format_duration(response.late_by)} ", "bold $text on $error"),
                Content(f"  was due {local_hm(response.due_at)}; {advice}")]
    if response.state == "met":
        when = f"met at {local_hm(response.met_at)}" if response.met_at else "met"
        return [Content.assemble(label, ": ", (when, "bold $success"))]
    late = Content.assemble(label, ": ", (f"missed by {format_duration(response.late_by, seconds=False)}", "bold $error"))
    return [late, Content(f" (acknowledged {local_hm(response.met_at)})")] if response.met_at else [late]


def phase_pieces(state: IncidentState, now: datetime) -> list[Content]:
    phase = views.current_phase(state, now)
    total = len(state.playbook.phases) if state.playbook else 0
    head = Content.assemble(("Phase ", "bold"), f"{phase.number}/{total} ", (phase.phase.name, "bold"))
    if state.resolved or phase.remaining is None:
        return [head, Content(f" ({phase.phase.window})")]
    if phase.overdue:
        return [head, Content.styled(f" PAST WINDOW by {format_duration(-phase.remaining)}", "bold $error")]
    return [Content.assemble(head, ":"), Content(f" {countdown(phase.remaining)} left of {phase.phase.window}")]


def eta_and_update_pieces(state: IncidentState, now: datetime, *, hints: bool = True) -> list[Content]:
    if state.resolved:
        eta = Content.styled(f"was {local_hm(state.eta)}" if state.eta else "not set", "$text-muted")
    elif state.eta is None:
        eta = Content.styled("not set (e)" if hints else "not set", "$text-muted")
    else:
        left = state.eta - now
        if left >= timedelta(0):
            eta = Content(f"{local_hm(state.eta)} (in {format_duration(left, seconds=False)})")
        else:
            eta = Content.styled(f"{local_hm(state.eta)} (passed {format_duration(-left, seconds=False)} ago)", "bold $warning")
    pieces = [Content.assemble(("ETA ", "bold"), eta)]
    update = views.next_update(state, now)
    if update is not None:
        if update.overdue:
            late = Content.styled(f"OVERDUE by {format_duration(-update.remaining, seconds=False)}", "bold $error")
            pieces.append(Content.assemble(("  ·  Update ", "bold"), late, (" (copy one: y)" if hints else "", "$text-muted")))
        else:
            pieces.append(Content.assemble(
                ("  ·  Update ", "bold"), f"due {local_hm(update.due_at)} (in {format_duration(update.remaining, seconds=False)})"
            ))
    return pieces


def started_pieces(state: IncidentState) -> list[Content]:
    assert state.started_at is not None
    pieces = [Content.assemble(("Started ", "bold"), f"{local_hm(state.started_at)} local · {utc_hm(state.started_at)} UTC")]
    if state.resolved_at:
        pieces.append(Content.assemble(("  ·  RESOLVED ", "bold $success"), local_hm(state.resolved_at)))
    return pieces


def line(pieces: list[Content], width: int = 0) -> Content:
    """The pieces joined as they are (each brings its own separator); given a width, a piece that does
    not fit starts a new line, without its separator, so that no phrase is ever cut in two."""
    if width <= 0:
        return Content("").join(pieces)
    lines: list[Content] = []
    current = Content("")
    for piece in pieces:
        if current.cell_length and current.cell_length + piece.cell_length > width:
            lines.append(current)
            piece = piece[len(piece.plain) - len(piece.plain.lstrip(" ·")):]  # "  ·  Update" -> "Update"
            current = piece
        else:
            current = current + piece
    lines.append(current)
    wrapped = [part for text in lines for part in (text.wrap(width) if text.cell_length > width else [text])]
    return Content("\n").join(wrapped)


def response_line(state: IncidentState, now: datetime, *, hints: bool = True) -> Content:
    return line(response_pieces(state, now, hints=hints))


def phase_line(state: IncidentState, now: datetime) -> Content:
    return line(phase_pieces(state, now))


def eta_and_update_line(state: IncidentState, now: datetime, *, hints: bool = True) -> Content:
    return line(eta_and_update_pieces(state, now, hints=hints))


def latest_alert_text(state: IncidentState, width: int) -> str:
    """ alert 18:04 Disk full on db-1 …  for the pane's bottom border: the latest alert, wherever the eyes are."""
    if state.last_alert is None or width < 12:
        return ""
    at, text = state.last_alert
    shown = f" alert {local_hm(at)} {one_line(text)} "
    return shown if cell_len(shown) <= width else Content(shown).truncate(width - 1, ellipsis=True).plain + " "


class IncidentClock(Vertical):
    """Elapsed time, large; the deadlines under it. The clock stops when the incident is resolved.

    `hints=False` (replay, the wall screen) leaves out the console's keys, such as "acknowledge (a)".
    """

    state: reactive[IncidentState | None] = reactive(None, repaint=False)  # the watchers redraw what changed
    now: reactive[datetime | None] = reactive(None, repaint=False)  # the watchers redraw what changed

    def __init__(self, *, hints: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.hints = hints
        self._alert_shown = ""
        self._drawn_for: tuple | None = None  # what the lines were last derived from (see _derived_from)

    def compose(self) -> ComposeResult:
        yield Digits("0:00:00", id="elapsed")
        yield LiveLine(id="clock-started")
        yield LiveLine(id="clock-response")
        yield LiveLine(id="clock-phase")
        yield LiveLine(id="clock-eta")

    def on_mount(self) -> None:
        self.border_title = "Incident clock"
        self._refresh_view()

    def _show_latest_alert(self, state: IncidentState, width: int) -> None:
        text = latest_alert_text(state, width - 2)
        if text != self._alert_shown:  # Textual repaints the pane on every border_subtitle assignment
            self._alert_shown = text
            self.border_subtitle = Content.styled(text, "bold $warning") if text else ""

    def on_resize(self) -> None:
        self._refresh_view()  # the lines wrap between their pieces at the pane's width

    def watch_state(self) -> None:
        self._refresh_view()

    def watch_now(self) -> None:
        self._refresh_view()

    @staticmethod
    def _derived_from(state: IncidentState, now: datetime, width: int) -> tuple:
        """Everything the digits and the lines read (views.elapsed, response, current_phase, next_update and the
        pieces above): a state that differs in nothing here (a tick, an alert, a note) leaves them as they are."""
        return (now, width, state.playbook, state.started_at, state.resolved_at, state.status, state.severity,
                state.severity_history, state.acknowledged_at, state.phase, state.eta, state.last_update_at)

    def _refresh_view(self) -> None:
        state, now = self.state, self.now
        if state is None or now is None or not state.declared or not self.is_mounted:
            return
        width = self.content_size.width
        self._show_latest_alert(state, width)
        derived_from = self._derived_from(state, now, width)
        if derived_from == self._drawn_for:
            return
        self._drawn_for = derived_from
        digits = self.query_one("#elapsed", Digits)
        value = format_clock(views.elapsed(state, now))
        if digits.value != value:
            digits.update(value)
        for widget_id, pieces in (
            ("clock-started", started_pieces(state)),
            ("clock-response", response_pieces(state, now, hints=self.hints)),
            ("clock-phase", phase_pieces(state, now)),
            ("clock-eta", eta_and_update_pieces(state, now, hints=self.hints)),
        ):
            self.query_one(f"#{widget_id}", LiveLine).show(line(pieces, width))
        # On the widgets that change colour: a class on the pane would restyle every line in it.
        overdue = views.response(state, now).state == "overdue"
        self.set_class(overdue, "-overdue")
        digits.set_class(overdue, "-overdue")
        digits.set_class(state.resolved, "-resolved")
