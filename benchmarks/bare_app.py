"""The bare baseline for benchmarks/console.py: a Textual app with a Header, a Footer and a Static
that ticks once a second. Nothing of warroom is imported.

    python benchmarks/bare_app.py

Space bumps a counter on the Static (the baseline for "key press to screen redrawn"); ctrl+q quits.
The Static reads "BARE tick N  presses M", which is what console.py looks for on the screen.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Static


class BareApp(App):
    TITLE = "bare"
    BINDINGS = [Binding("space", "press", "Press")]

    def __init__(self) -> None:
        super().__init__()
        self.ticks = 0
        self.presses = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._text(), id="ticker")
        yield Footer()

    def on_mount(self) -> None:
        self.set_interval(1, self.tick)

    def _text(self) -> str:
        return f"BARE tick {self.ticks}  presses {self.presses}"

    def tick(self) -> None:
        self.ticks += 1
        self.query_one("#ticker", Static).update(self._text())

    def action_press(self) -> None:
        self.presses += 1
        self.query_one("#ticker", Static).update(self._text())


if __name__ == "__main__":
    BareApp().run()
