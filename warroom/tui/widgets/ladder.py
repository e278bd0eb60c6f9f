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
from warroom.clock import format_duration, local_hm
from warroom.incident import IncidentState
from warroom.text import one_line

STATE_TEXT = {
    "unreached": ("not at this severity", "$text-disabled"),
    "waiting": ("", "$text-muted"),
    "due": ("DUE NOW: notify (n)", "bold $text on $error"),
    "notified": ("notified", "bold $warning"),
    "acknowledged": ("acknowledged", "bold $success"),
}


class EscalationLadder(OptionList):
    """One rung per entry (two lines); n notifies and a acknowledges the rung under the cursor."""

    BINDINGS = [
        Binding("n", "notify", "Notify rung"),
        Binding("a", "acknowledge", "Ack rung"),
        Binding("c", "copy_number", "Copy number"),
    ]

    state: reactive[IncidentState | None] = reactive(None)
    now: reactive[datetime | None] = reactive(None)

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

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._shown_options: tuple = ()

    def on_mount(self) -> None:
        self.border_title = "Escalation ladder"

    def watch_state(self) -> None:
        self._rebuild()

    def watch_now(self) -> None:
        self._rebuild()

    def _rebuild(self) -> None:
        state, now = self.state, self.now
        if state is None or now is None or not state.declared:
            return
        ladder = views.ladder(state, now)
        options = [Option(self._rung(rung, ladder, now), id=f"rung:{rung.rung.id}") for rung in ladder.rungs]
        if ladder.next is not None and ladder.next_in is not None:
            subtitle = f"next: {ladder.next.rung.name} in {format_duration(ladder.next_in)}"
        elif ladder.due:
            subtitle = f"{len(ladder.due)} due now"
        else:
            subtitle = ""
        self.border_subtitle = subtitle
        self.set_class(bool(ladder.due), "-alarm")
        signature = tuple((o.id, o.prompt) for o in options)
        if signature == self._shown_options:
            return
        self._shown_options = signature
        highlighted = self.highlighted
        self.set_options(options)
        if options:
            self.highlighted = highlighted if highlighted is not None and highlighted < len(options) else 0

    def _rung(self, rung: views.RungView, ladder: views.LadderView, now: datetime) -> Content:
        dim = rung.state == "unreached"
        name_style = "$text-disabled" if dim else ("bold $error" if rung.state == "due" else "bold")
        numbers = "  ".join(c.phone for c in rung.rung.contacts) or "no number"
        status_text, status_style = STATE_TEXT[rung.state]
        if rung.state == "notified" and rung.notified_at:
            status_text = f"notified {local_hm(rung.notified_at)}, awaiting ack (a)"
        elif rung.state == "acknowledged" and rung.acknowledged_at:
            status_text = f"acknowledged {local_hm(rung.acknowledged_at)}"
        elif rung.state == "waiting":
            status_text = f"due in {format_duration(rung.due_at - now, seconds=False)}"
        marker = "▶" if rung.current else " "
        return Content.assemble(
            (f"{marker}{rung.number} ", name_style),
            (one_line(rung.rung.name), name_style),
            (f"  {rung.rung.window}", "$text-disabled" if dim else "$text-muted"),
            "\n",
            (f"   ☎ {numbers}  ", "$text-disabled" if dim else ""),
            (status_text, status_style),
        )

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
