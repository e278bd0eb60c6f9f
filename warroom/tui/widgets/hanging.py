"""Hanging indents for option lists: a prefix, then text whose wrapped lines start under its first character."""

from __future__ import annotations

from typing import Callable

from rich.cells import cell_len
from textual.content import Content
from textual.geometry import Region
from textual.strip import Strip
from textual.style import Style
from textual.visual import Padding, visualize
from textual.widgets import OptionList
from textual.widgets.option_list import Option

MIN_ROOM = 12  # narrower than this, a hanging indent wastes more than it tidies


def hanging(prefix: Content, text: Content, width: int) -> Content:
    """`prefix` then `text`, the text wrapped to `width` with every line after the first indented under it."""
    room = width - prefix.cell_length
    if width <= 0 or room < MIN_ROOM or text.cell_length <= room:
        return prefix + text
    lines = text.wrap(room)
    indent = Content(" " * prefix.cell_length)
    return Content("\n").join([prefix + lines[0], *(indent + line for line in lines[1:])])


def flow(prefix: Content, pieces: list[Content], width: int, gap: str = "  ") -> Content:
    """`prefix` then the pieces, `gap` apart; a piece that does not fit on the line starts the next one
    (under the first piece), so that "PAST WINDOW" or "awaiting ack (a)" is never split in two."""
    room = width - prefix.cell_length
    joined = Content(gap).join(pieces)
    if width <= 0 or room < MIN_ROOM or joined.cell_length <= room:
        return prefix + joined
    lines: list[Content] = []
    line = Content("")
    for piece in pieces:
        if not line.cell_length:
            line = piece
        elif line.cell_length + len(gap) + piece.cell_length <= room:
            line = line + gap + piece
        else:
            lines.append(line)
            line = piece
    lines.append(line)
    wrapped = [part for line in lines for part in (line.wrap(room) if line.cell_length > room else [line])]
    indent = Content(" " * prefix.cell_length)
    return Content("\n").join([prefix + wrapped[0], *(indent + line for line in wrapped[1:])])


class WrappedOptionList(OptionList):
    """An option list whose prompts are wrapped to its width by the subclass's `_rebuild` (called again when
    the width changes), and are set again only when they change, as is its subtitle (the checklist and
    the ladder re-derive every second). Each row is drawn once for the prompt it shows (`_drawn_row`), so a
    subclass can draw ahead the rows a key would bring."""

    _rebuild: Callable[[], None]  # each subclass builds its options from (state, now)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._shown_options: tuple = ()
        self._shown_subtitle: str | None = None
        self._wrapped_at = 0
        self._drawn: dict[tuple, tuple[Content, list[Strip]]] = {}  # see _drawn_row

    def on_resize(self) -> None:
        if self._wrap_width() != self._wrapped_at:
            self._shown_options = ()  # wrapped for another width: draw again
            self._rebuild()

    def _wrap_width(self) -> int:
        """The width a line gets, the scrollbar's room kept back (it comes and goes as the list grows)."""
        return max(0, self.content_region.width - self.styles.scrollbar_size_vertical)

    def _show_options(self, options: list[Option]) -> bool:
        """Set these options unless they are the ones shown; says whether it did."""
        signature = tuple((o.id, o.prompt) for o in options)
        if signature == self._shown_options:
            return False
        shown, self._shown_options = self._shown_options, signature
        if not self._replace_prompts(shown, signature):
            self.set_options(options)
        self._keep_drawn({id(prompt) for _, prompt in signature})
        return True

    def _get_option_render(self, option: Option, style: Style) -> list[Strip]:
        if option._divider:  # not in these lists; Textual's own way, should one come
            return super()._get_option_render(option, style)
        return self._drawn_row(option.prompt, self._option_to_index[option], style)

    def _drawn_row(self, prompt: Content, index: int, style: Style) -> list[Strip]:
        """A row's strips, drawn as OptionList draws an option, and kept by the prompt object they show rather
        than by the Option (Textual's cache), whose prompt `_replace_prompts` changes: rows drawn before the key
        that shows them are found by the prompt that key's rebuild takes (tests/test_draw_ahead.py checks they are
        the strips Textual would draw)."""
        width = self.scrollable_content_region.width - self._get_left_gutter_width()
        padding = self.get_component_styles("option-list--option").padding
        key = (id(prompt), index, style, width, padding)
        drawn = self._drawn.get(key)
        if drawn is not None and drawn[0] is prompt:
            return drawn[1]
        visual = visualize(self, prompt, markup=self._markup)
        if padding:
            visual = Padding(visual, padding)
        meta = {"option": index}
        strips = [strip.extend_cell_length(width, style.rich_style).apply_meta(meta)
                  for strip in visual.to_strips(self, visual, width, None, style)]
        self._drawn[key] = (prompt, strips)
        return strips

    def _keep_drawn(self, prompts: set[int]) -> None:
        """Forget the rows drawn for prompts no longer shown or about to be (by id)."""
        self._drawn = {key: drawn for key, drawn in self._drawn.items() if key[0] in prompts}

    def _clear_caches(self) -> None:
        self._drawn.clear()  # whenever Textual forgets its renderings (a resize, an option removed), these too
        super()._clear_caches()

    def _replace_prompts(self, shown: tuple, signature: tuple) -> bool:
        """The same options, some with new text of the same height (a step ticked, a countdown moved on): only
        their lines are drawn again. `set_options` drops every option's rendering and repaints the whole pane
        (a tick drew all of the checklist, ~1/4 of the key press). False when only set_options will do."""
        if not shown or len(shown) != len(signature) or self.option_count != len(signature) or not self.size:
            return False
        changed = [index for index, (old, new) in enumerate(zip(shown, signature)) if old != new]
        if any(shown[index][0] != signature[index][0] for index in changed):
            return False  # other options (a phase opened or closed)
        heights = self._heights
        width = self.scrollable_content_region.width - self._get_left_gutter_width()
        padding = self.get_component_styles("option-list--option").padding.width
        for index in changed:
            option = self.get_option_at_index(index)
            option._set_prompt(signature[index][1])
            if self._height(option, width - padding) != heights[index]:
                return False  # the lines below move: everything is drawn again
        self._option_render_cache.clear()  # the lines on screen stay drawn (Textual's own cache of each row)
        for index in changed:
            self.refresh_lines(self._index_to_line[index], heights[index])
        return True

    def _height(self, option: Option, room: int) -> int:
        """The rows a prompt takes: its lines, when each fits (the prompts come wrapped), else as Textual wraps it."""
        prompt = option.prompt
        if isinstance(prompt, Content):
            lines = prompt.plain.split("\n")
            if all(cell_len(line) <= room for line in lines):
                return len(lines)
        return self._get_visual(option).get_height(self.styles, room)

    def _show_subtitle(self, subtitle: str) -> None:
        """Set the border's subtitle unless it is the one shown. Setting `border_subtitle` repaints the whole
        pane; the subtitle is on the bottom border, so only that row is drawn again (the lists are re-derived
        every second, and "2/12 done" changes with every tick)."""
        if subtitle == self._shown_subtitle:
            return
        self._shown_subtitle = subtitle
        outer = self.outer_size
        if not outer or self._border_subtitle is None:
            self.border_subtitle = subtitle
            return
        self._border_subtitle = self.render_str(subtitle).expand_tabs(4).split()[0]  # as Widget.border_subtitle does
        offset = self.content_offset
        self.refresh(Region(-offset.x, outer.height - 1 - offset.y, outer.width, 1))  # regions are given from the content's corner
