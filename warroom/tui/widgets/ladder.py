"""The escalation ladder pane: each rung's window and numbers, the one due now, the countdown to the next."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual.binding import Binding
from textual.content import Content
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


# How the line under a short ladder counts the rungs it leaves out, by state: (in full, when the line is short of room).
HIDDEN_WORDS = {
    "due": ("due", "due"),
    "notified": ("notified", "notified"),
    "acknowledged": ("acknowledged", "acked"),
    "waiting": ("later", "later"),
    "unreached": ("not at this severity", "n/a"),
}
HIDDEN_WORDS_RESOLVED = {**HIDDEN_WORDS, "due": ("not notified", "not notified"), "waiting": ("not reached", "not reached")}


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
    # The lines the screen can give the list (it keeps rows for the checklist and the timeline); None: all it needs.
    # When the whole ladder does not fit, it shows the rungs that matter now and counts the rest; focused, all.
    room: reactive[int | None] = reactive(None, repaint=False)

    def __init__(
        self,
        *,
        hints: bool = True,
        on_notify: Callable[[str], object] | None = None,
        on_acknowledge: Callable[[str], object] | None = None,
        on_copy_number: Callable[[str], object] | None = None,
        **kwargs,
    ) -> None:
        """`on_notify`, `on_acknowledge`, `on_copy_number`: the screen's, called with the rung under the cursor. Called,
        not posted as messages: a key is answered as it is read (warroom.tui.keys), and a message would be answered
        after the screen's shortcuts read after it ("np" recorded the phase move before the notify). None: the
        key does nothing (the replay's ladder, where nothing is typed)."""
        super().__init__(**kwargs)
        self._on_rung = {"notify": on_notify, "acknowledge": on_acknowledge, "copy_number": on_copy_number}
        self.hints = hints  # the console's keys in the text; not in replay, where nothing is typed
        self._to_page: views.RungView | None = None  # who to page now, as of the last rebuild
        self._built_for: tuple | None = None  # (the playbook, what of the state and now the last rebuild read)

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

    def watch_room(self, room: int | None) -> None:
        self.styles.max_height = None if room is None else room + 2  # and its border (the stylesheet's may not be applied yet)
        self._rebuild()

    def on_focus(self) -> None:
        self._rebuild()  # every rung, to move through (the list scrolls)

    def on_blur(self) -> None:
        self._rebuild()

    def _rebuild(self) -> None:
        state, now = self.state, self.now
        if state is None or now is None or not state.declared:
            return
        # What the ladder reads of a state: a tick, a note or an alert changes none of it, and the rebuild below
        # (every rung's text, wrapped) was a quarter of a key press's work on a long incident.
        focused = self.is_attached and self.screen.focused is self
        key = (state.severity, state.status, state.started_at, state.notified, state.acknowledged, now,
               self._wrap_width(), self.room, focused, self.hints)
        if self._built_for is not None and self._built_for[0] is state.playbook and self._built_for[1] == key:
            return
        self._built_for = (state.playbook, key)
        ladder = views.ladder(state, now)
        self._to_page = ladder.to_page
        self._wrapped_at = width = self._wrap_width()
        prompts = {rung.rung.id: self._rung(rung, state, now, width) for rung in ladder.rungs}
        shown = self._fitting(ladder, prompts)
        options = [Option(prompts[rung.rung.id], id=f"rung:{rung.rung.id}") for rung in ladder.rungs if rung in shown]
        if len(shown) < len(ladder.rungs):
            hidden = [rung for rung in ladder.rungs if rung not in shown]
            options.append(Option(self._more(hidden, state, width), disabled=True))
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
        highlighted = self._highlighted_rung()
        if self._show_options(options) and options:
            ids = [option.id for option in options]
            self.highlighted = ids.index(f"rung:{highlighted}") if f"rung:{highlighted}" in ids else 0

    def _fitting(self, ladder: views.LadderView, prompts: dict[str, Content]) -> list[views.RungView]:
        """The rungs to show: all when they fit the room (or the list has the focus, and scrolls); else the ones
        that matter now, most urgent first, as many as fit with a line that counts the rest."""
        lines = {rung.rung.id: len(prompts[rung.rung.id].split("\n")) for rung in ladder.rungs}
        focused = self.is_attached and self.screen.focused is self  # (has_focus is set after on_focus runs)
        if self.room is None or focused or sum(lines.values()) <= self.room:
            return list(ladder.rungs)
        shown: list[views.RungView] = []
        left = self.room - 1  # the line that says what is left out
        for rung in ladder.by_urgency():
            if lines[rung.rung.id] > left:
                break  # in order of urgency: never a later rung in place of a more urgent one
            shown.append(rung)
            left -= lines[rung.rung.id]
        return shown

    def _more(self, hidden: list[views.RungView], state: IncidentState, width: int) -> Content:
        """'+3 more: 2 acknowledged, 1 later' for the rungs a short pane leaves out, on one line."""
        words = dict(HIDDEN_WORDS_RESOLVED if state.resolved else HIDDEN_WORDS)
        counts: dict[str, int] = {}
        for rung in hidden:
            counts[rung.state] = counts.get(rung.state, 0) + 1
        style = "bold $error" if "due" in counts and not state.resolved else "$text-muted"
        for short in (False, True):
            told = ", ".join(f"{count} {words[kind][short]}" for kind, count in counts.items())
            line = f" +{len(hidden)} more: {told}"
            if Content(line).cell_length <= width:
                return Content.styled(line, style)
        return Content.styled(f" +{len(hidden)} more (tab here to see all)"[:width], style)

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
        self._answer("notify")

    def action_acknowledge(self) -> None:
        self._answer("acknowledge")

    def action_copy_number(self) -> None:
        self._answer("copy_number")

    def _answer(self, action: str) -> None:
        rung, answer = self._highlighted_rung(), self._on_rung[action]
        if rung and answer is not None:
            answer(rung)

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
