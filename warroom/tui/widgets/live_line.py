"""A line of status text that is redrawn only when it changes, and laid out again only when its width does."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class LiveLine(Static):
    """A Static for text that a clock re-derives every second.

    `Static.update` lays the whole screen out again by default; a countdown that ticks from
    "14m 00s" to "13m 59s" keeps its width, so only the line itself needs drawing.
    """

    def __init__(self, content: Content | str = "", **kwargs) -> None:
        super().__init__(content, markup=False, **kwargs)
        self._shown: Content = Content(content) if isinstance(content, str) else content

    def show(self, content: Content | str) -> None:
        new = Content(content) if isinstance(content, str) else content
        if new.plain == self._shown.plain and new.spans == self._shown.spans:  # Content's == ignores styles
            return
        same_width = new.cell_length == self._shown.cell_length and new.plain.count("\n") == self._shown.plain.count("\n")
        self._shown = new
        self.update(new, layout=not same_width)
