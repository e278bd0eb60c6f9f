"""The template editor pane: a message template filled from the live state, editable, ready to copy."""

from __future__ import annotations

import re
from datetime import datetime

from rich.style import Style
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import TextArea
from textual.widgets.text_area import TextAreaTheme

from warroom.comms import FilledTemplate, fill
from warroom.incident import IncidentState
from warroom.playbook import Template
from warroom.text import for_clipboard, for_terminal
from warroom.tui.ids import widget_id
from warroom.tui.messages import BackToPanes
from warroom.tui.widgets.live_line import LiveLine

UNFILLED_THEME = TextAreaTheme(
    name="warroom-template", syntax_styles={"unfilled": Style(bold=True, color="black", bgcolor="yellow")}
)


class TemplateText(TextArea):
    """A TextArea that marks the placeholders nothing has filled yet, such as [eta], and never hands the
    terminal a control character: loaded text shows them as escapes, a paste leaves them out. Escape gives
    the keyboard back to the panes (where y copies)."""

    BINDINGS = [Binding("escape", "leave", "Leave the editor", tooltip="leave the editor: back to the panes, where y copies")]

    unfilled: tuple[str, ...] = ()  # a class default: TextArea builds highlights inside its own __init__

    def __init__(self, **kwargs) -> None:
        super().__init__(soft_wrap=True, show_line_numbers=False, **kwargs)
        self.register_theme(UNFILLED_THEME)
        self.theme = UNFILLED_THEME.name

    def load_text(self, text: str) -> None:
        # A filled template holds none (comms.fill); a message copied in an older or imported log may.
        super().load_text(for_terminal(text, newlines=True, tabs=True))

    def _replace_via_keyboard(self, insert: str, start, end):  # type: ignore[no-untyped-def]
        # Typed keys never carry a control; a paste may (an alert copied from a terminal, ESC[201~ inside).
        return super()._replace_via_keyboard(for_clipboard(insert).text, start, end)

    def action_leave(self) -> None:
        self.post_message(BackToPanes())

    def _build_highlight_map(self) -> None:
        super()._build_highlight_map()
        if not self.unfilled:
            return
        pattern = re.compile(r"\[(?:%s)\]" % "|".join(re.escape(name) for name in self.unfilled))
        for row in range(self.document.line_count):
            line = self.document.get_line(row)
            for match in pattern.finditer(line):
                start = len(line[: match.start()].encode("utf-8"))  # highlights count bytes
                end = len(line[: match.end()].encode("utf-8"))
                self._highlights[row].append((start, end, "unfilled"))


class TemplateEditor(Vertical):
    """Re-filled whenever the live state changes, until the commander edits it; ctrl+r re-fills."""

    BINDINGS = [Binding("ctrl+r", "refill", "Re-fill")]

    state: reactive[IncidentState | None] = reactive(None, repaint=False)  # the watchers redraw what changed
    now: reactive[datetime | None] = reactive(None, repaint=False)  # the watchers redraw what changed

    def __init__(self, template: Template, **kwargs) -> None:
        super().__init__(**kwargs)
        self.template = template
        self.edited = False
        self._filled: FilledTemplate | None = None

    def compose(self) -> ComposeResult:
        yield LiveLine(id="template-status", classes="template-status")
        yield TemplateText(id=widget_id("template", self.template.id), classes="template-text")

    @property
    def text(self) -> str:
        """What a copy sends: the text on screen, edits included."""
        return self.query_one(TemplateText).text

    def on_mount(self) -> None:
        self._refill()

    def watch_state(self) -> None:
        self._refill()

    def watch_now(self) -> None:
        self._refill()

    def _refill(self) -> None:
        state, now = self.state, self.now
        if state is None or now is None or not state.declared or not self.is_mounted:
            return
        filled = fill(self.template, state, now)
        area = self.query_one(TemplateText)
        if not self.edited and area.text != filled.text:
            self._filled = filled
            area.unfilled = tuple(name for _, _, name in filled.unfilled)
            area.load_text(filled.text)
        elif self._filled is None:
            self._filled = filled
        self._show_status(filled)

    def _show_status(self, filled: FilledTemplate) -> None:
        parts: list = []
        if self.edited:
            parts.append(("edited by you", "bold $warning"))
            parts.append(": no longer follows the incident (ctrl+r re-fills)  ")
        else:
            parts.append(("filled from the live incident", "$success"))
            parts.append("  ")
        if filled.removed and not self.edited:
            plural = "s" if filled.removed != 1 else ""
            parts.append((f"{filled.removed} control character{plural} left out of the incident's text", "bold $warning"))
            parts.append("  ")
        missing = sorted({name for _, _, name in filled.unfilled})
        if missing and not self.edited:
            parts.append((f"unfilled: {', '.join(missing)}", "bold $text on $warning-darken-2"))
            parts.append("  ")
        # In the editor y types: the way to copy from here is out first.
        parts.append(("escape, then y copies" if self.query_one(TemplateText).has_focus else "y copies", "$text-muted"))
        self.query_one("#template-status", LiveLine).show(Content.assemble(*parts))

    def on_descendant_focus(self) -> None:
        self._refill()  # the status line's hint: "escape, then y copies"

    def on_descendant_blur(self) -> None:
        self._refill()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if self._filled is not None and event.text_area.text != self._filled.text and not self.edited:
            self.edited = True
            event.text_area.unfilled = ()
            self._refill()

    def action_refill(self) -> None:
        self.edited = False
        self._filled = None
        self.query_one(TemplateText).load_text("")
        self._refill()
