"""The key bar: the keys that work now, one line at the foot of a screen, repainted as they change."""

from __future__ import annotations

from typing import NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget


class ShownKey(NamedTuple):
    """A key as the bar draws it: cells [start, end) of the line."""

    key: str  # the key's name, as a binding gives it ("question_mark")
    display: str  # as the bar shows it ("?")
    description: str
    enabled: bool
    start: int
    end: int


class KeyBar(Widget):
    """What Textual's Footer shows (the screen's keys, each with what it does, and ^p for the palette at the
    right), drawn as one line of text.

    The Footer mounts a widget per key, and mounts them all again whenever the keys change: every focus
    change, every state that turns a key on or off, 15-20 ms each time. At start-up the console's first
    frame waited for that. This bar repaints one line instead. It uses the Footer's theme variables, so it
    looks the same, and clicking a key presses it. Binding groups are drawn key by key.
    """

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--separator"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .key-bar--separator {
            color: $foreground 20%;
        }
    }
    """

    compact = reactive(False)
    """Less room around each key (a narrow terminal)."""
    show_command_palette = reactive(True)
    """Show ^p for the command palette at the right."""

    def __init__(self, *, compact: bool = False, show_command_palette: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(KeyBar.compact, compact)
        self.set_reactive(KeyBar.show_command_palette, show_command_palette)

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._keys_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _keys_changed(self, screen: Screen) -> None:
        self.refresh()

    # --- what is shown ---------------------------------------------------------------------------

    @property
    def shown(self) -> list[ShownKey]:
        """The keys on the line now, the palette's last; a key the width cuts off is left out."""
        return self._layout()[1]

    def _layout(self) -> tuple[Text, list[ShownKey]]:
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        active = self.screen.active_bindings
        width = self.size.width
        palette = Text()
        palette_key = None
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            found = active.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _, binding, enabled, _ = found
                palette.append("▏", self.get_component_rich_style("key-bar--separator"))
                start = palette.cell_len
                # Drawn compact at any width, a cell short of the edge: as the Footer does.
                self._append_key(palette, self.app.get_key_display(binding), binding.description, enabled,
                                 key_style, description_style, compact=True, gap=" ")
                palette_key = (binding, enabled, start, palette.cell_len)
        room = max(0, width - palette.cell_len)
        line = Text(no_wrap=True, end="")
        shown: list[ShownKey] = []
        actions: set[str] = set()
        for _, binding, enabled, _ in active.values():
            if not binding.show or binding.action in actions:
                continue  # a key for an action already shown: the Footer shows an action once
            actions.add(binding.action)
            start = line.cell_len
            display = self.app.get_key_display(binding)
            self._append_key(line, display, binding.description, enabled, key_style, description_style,
                             compact=self.compact, gap=" " if self.compact else "")
            if line.cell_len > room:
                line.truncate(start)
                break
            shown.append(ShownKey(binding.key, display, binding.description, enabled, start, line.cell_len))
        line.pad_right(room - line.cell_len)  # one run of blanks with a compact key's gap: as the Footer draws it
        if palette_key is not None:
            binding, enabled, start, end = palette_key
            shown.append(ShownKey(binding.key, self.app.get_key_display(binding), binding.description, enabled,
                                  room + start, room + end))
            line.append_text(palette)
        return line, shown

    @staticmethod
    def _append_key(line: Text, display: str, description: str, enabled: bool, key_style: Style,
                    description_style: Style, *, compact: bool, gap: str) -> None:
        start = line.cell_len
        if not description:
            line.append(display, key_style)
        elif compact:
            line.append(display, key_style)
            line.append(f" {description}", description_style)
        else:
            line.append(f" {display} ", key_style)
            line.append(f"{description} ", description_style)
        if not enabled:
            line.stylize("dim", start)
        line.append(gap)

    def render(self) -> Text:
        return self._layout()[0]

    # --- the mouse -------------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        for key in self.shown:
            if key.start <= event.x < key.end:
                if key.enabled:
                    self.app.simulate_key(key.key)
                else:
                    self.app.bell()
                return
