"""A clock in the largest block digits that fit the space it is given (for a wall screen)."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

# 3x5 glyphs; each pixel is drawn two cells wide so that it comes out about square.
GLYPHS = {
    "0": ("###", "# #", "# #", "# #", "###"),
    "1": (" # ", "## ", " # ", " # ", "###"),
    "2": ("###", "  #", "###", "#  ", "###"),
    "3": ("###", "  #", "###", "  #", "###"),
    "4": ("# #", "# #", "###", "  #", "  #"),
    "5": ("###", "#  ", "###", "  #", "###"),
    "6": ("###", "#  ", "###", "# #", "###"),
    "7": ("###", "  #", "  #", "  #", "  #"),
    "8": ("###", "# #", "###", "# #", "###"),
    "9": ("###", "# #", "###", "  #", "###"),
    ":": (" ", "#", " ", "#", " "),
    "-": ("   ", "   ", "###", "   ", "   "),
}


def block_lines(text: str, scale: int) -> list[str]:
    """The text in block digits, each pixel `2*scale` cells wide and `scale` rows tall."""
    rows = []
    for row in range(5):
        pixels = " ".join(GLYPHS.get(ch, GLYPHS["-"])[row] for ch in text)
        line = "".join(("█" if p == "#" else " ") * (2 * scale) for p in pixels)
        rows.extend([line] * scale)
    return rows


def fitting_scale(text: str, width: int, height: int) -> int:
    pixels_wide = sum(len(GLYPHS.get(ch, GLYPHS["-"])[0]) for ch in text) + max(0, len(text) - 1)
    return max(1, min(width // max(1, 2 * pixels_wide), height // 5))


class BigClock(Widget):
    """Shows `value` (such as 1:23:45) as large as the widget's size allows."""

    value: reactive[str] = reactive("0:00:00", layout=False)

    def render(self) -> Content:
        width, height = self.size
        scale = fitting_scale(self.value, width, height)
        return Content("\n".join(block_lines(self.value, scale)))
