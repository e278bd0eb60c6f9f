"""A one-line field that never holds a control character: a paste's ESC[201~ or a CR is left out, not shown raw."""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input

from warroom.text import for_input


class PlainInput(Input):
    """Input, but every way text gets in (typing, a paste, a value set by code) goes through warroom.text.for_input.

    Textual's Input shows its value as it is: an ESC pasted into it would reach the terminal.
    """

    # The field's size is its CSS's, not its text's. Input sets `virtual_size` as each character comes in, and
    # Widget's reactive asks for a layout of the whole screen each time: a burst of ":note x" laid the console
    # out once per frame it took, 10-15 ms each. Only the scroll offsets need to follow (what that layout did).
    virtual_size = Reactive(Size(0, 0), layout=False)

    def watch_virtual_size(self, size: Size) -> None:
        self._scroll_update(size)

    def validate_value(self, value: str) -> str:
        return for_input(value)

    def insert_text_at_cursor(self, text: str) -> None:
        super().insert_text_at_cursor(for_input(text))

    def replace(self, text: str, start: int, end: int) -> None:
        super().replace(for_input(text), start, end)
