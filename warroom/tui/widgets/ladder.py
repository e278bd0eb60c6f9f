"""The escalation ladder pane: each rung's window and numbers, the one due now, the countdown to the next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from warroom import views
from warroom.clock import countdown, format_duration, local_hm
from warroom.incident import IncidentState
from warroom.text import one_line
from warroom.tui.widgets.hanging import WrappedOptionList, flow

STATE_TEXT = {
    "unreached": ("not at this severity", "$text-disabled"),
    "waiting": ("", "$text-muted"),
    "due": ("DUE NOW: notify (n)", "bold $text on $error"),
    "notified": ("notified", "bold $warning"),
    "acknowledged": ("acknowledged", "bold $success"),
}


# The help screen's words for n and a: the console's keys do the same (its bindings carry the same tooltip).
NOTIFY_HELP = "notify: the rung under the cursor in the ladder, else the rung due"
ACK_HELP = "acknowledge: the rung under the cursor in the ladder, else the first one notified"


class EscalationLadder(WrappedOptionList):
    """One rung per entry (two lines); n notifies and a acknowledges the rung under the cursor."""

    BINDINGS = [
        Binding("n", "notify", "Notify", tooltip=NOTIFY_HELP),
        Binding("a", "acknowledge", "Ack", tooltip=ACK_HELP),
        Binding("c", "copy_number", "Copy number", tooltip="in the ladder: copy the numbers of the rung under the cursor"),
    ]

    state: reactive[IncidentState | None] = reactive(None, repaint=False)  # the watchers redraw what changed
    now: reactive[datetime | None] = reactive(None, repaint=False)  # the watchers redraw what changed

    @dataclass
    class Notified(Message):
        ladder: "EscalationLadder"
        rung: str

    @dataclass
    class Acknowledged(Message):
        ladder: "EscalationLadder"
        rung: str

    @dataclass
    class NumberCopied(Message):
        ladder: "EscalationLadder"
        rung: str

    def __init__(self, *, hints: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.hints = hints  # the console's keys in the text; not in replay, where nothing is typed
        self._to_page: views.RungView | None = None  # who to page now, as of the last rebuild

    def on_mount(self) -> None:
        self.border_title = "Escalation ladder"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A resolved incident pages nobody: n and a leave the footer (c still copies a number)."""
        if action in ("notify", "acknowledge") and self.state is not None and self.state.resolved:
            return False
        return True

    def watch_state(self, old: IncidentState | None, new: IncidentState | None) -> None:
        if self.can_focus and (old is not None and old.resolved) != (new is not None and new.resolved):
            self.refresh_bindings()  # the footer shows n and a again, or no more (not in replay: nothing to press)
        self._rebuild()

    def watch_now(self) -> None:
        self._rebuild()

    def _rebuild(self) -> None:
        state, now = self.state, self.now
        if state is None or now is None or not state.declared:
            return
        ladder = views.ladder(state, now)
        self._to_page = ladder.to_page
        self._wrapped_at = width = self._wrap_width()
        options = [
            Option(self._rung(rung, state, now, width), id=f"rung:{rung.rung.id}") for rung in ladder.rungs
        ]
        # The countdown first: a narrow pane cuts the end of the subtitle, and the name matters less.
        if ladder.due:  # the alarm stays here until someone is notified
            if not self.hints:
                subtitle = "DUE NOW" if len(ladder.due) == 1 else f"{len(ladder.due)} DUE"
            else:
                subtitle = "DUE NOW: call, then press n" if len(ladder.due) == 1 else f"{len(ladder.due)} DUE: call, n for each"
        elif ladder.next is not None and ladder.next_in is not None:
            subtitle = f"next in {countdown(ladder.next_in)}: {one_line(ladder.next.rung.name)}"
        else:
            subtitle = ""
        self._show_subtitle(subtitle)
        self.set_class(bool(ladder.due), "-alarm")
        highlighted = self.highlighted
        if self._show_options(options) and options:
            self.highlighted = highlighted if highlighted is not None and highlighted < len(options) else 0

    def _rung(self, rung: views.RungView, state: IncidentState, now: datetime, width: int) -> Content:
        """Two lines (more if narrow): the rung and its window; its numbers and where it stands."""
        kind = rung.state
        if state.resolved and kind in ("due", "waiting"):
            kind = "closed"  # nobody is paged for a resolved incident
        dim = kind in ("unreached", "closed")
        name_style = "$text-disabled" if dim else ("bold $error" if kind == "due" else "bold")
        numbers = "  ".join(one_line(c.phone) for c in rung.rung.contacts) or "no number"
        status_text, status_style = STATE_TEXT.get(kind, ("", "$text-disabled"))
        if kind == "due" and not self.hints:
            status_text = "DUE NOW"
        if kind == "notified" and rung.notified_at:
            status_text = f"notified {local_hm(rung.notified_at)}, awaiting ack" + (" (a)" if self.hints else "")
        elif kind == "acknowledged" and rung.acknowledged_at:
            status_text = f"acknowledged {local_hm(rung.acknowledged_at)}"
        elif kind == "waiting":
            status_text = f"due in {format_duration(rung.due_at - now, seconds=False)}"
        elif kind == "closed":
            status_text = "not notified" if rung.state == "due" else "not reached"
        # The marker is on who to page now; with nobody to page, on the rung whose window the incident is in.
        page = self._to_page
        pointed = rung.rung.id == page.rung.id if page is not None else rung.current
        marker = "▶" if pointed and not state.resolved else " "
        faint = "$text-disabled" if dim else ""
        head = flow(
            Content.styled(f"{marker}{rung.number} ", name_style),
            [Content.styled(one_line(rung.rung.name), name_style), Content.styled(f"{rung.rung.window}", faint or "$text-muted")],
            width,
        )
        contact = flow(
            Content.styled("   ☎ ", faint),
            [Content.styled(numbers, faint), Content.styled(status_text, status_style)] if status_text else [Content.styled(numbers, faint)],
            width,
        )
        return Content("\n").join([head, contact])

    def _highlighted_rung(self) -> str | None:
        option = self.highlighted_option
        return option.id.split(":", 1)[1] if option is not None and option.id else None

    def action_notify(self) -> None:
        rung = self._highlighted_rung()
        if rung:
            self.post_message(self.Notified(self, rung))

    def action_acknowledge(self) -> None:
        rung = self._highlighted_rung()
        if rung:
            self.post_message(self.Acknowledged(self, rung))

    def action_copy_number(self) -> None:
        rung = self._highlighted_rung()
        if rung:
            self.post_message(self.NumberCopied(self, rung))

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
