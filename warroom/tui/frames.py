"""Frames: a key's change drawn from the rows it changed, and the work put off until that frame is out."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.strip import Strip


class ChangedRowsCompositor(Compositor):
    """Textual's compositor, drawing a partial update from the rows that changed alone.

    Textual draws a partial update from the union of the regions that changed, and every widget whose clip (its
    container's region: the whole screen, for the panes) overlaps that union gives all of its lines to the
    update, which then keeps only the changed rows. Ticking a step changes three rows of the checklist (the
    step, its phase's count, the "N/M done" on the border), and that drew every line of every pane: most of a
    key press's frame. Here each run of changed rows is drawn on its own, each widget giving only the lines it
    has in those rows. What reaches the terminal is the same, byte for byte (tests/test_frames.py)."""

    def render_partial_update(self) -> ChopsUpdate | None:
        update_regions = self._dirty_regions.copy()
        self._dirty_regions.clear()
        if not update_regions:
            return None
        height = self.size.height
        spans = [span for span in self._regions_to_spans(update_regions) if 0 <= span[0] < height]
        if not spans:
            return None
        chops = [dict.fromkeys(cut_set[:-1]) for cut_set in self.cuts]
        for band in _bands(spans):
            drawn = self._render_chops(band, lambda y: True)
            for y in range(band.y, band.bottom):
                chops[y] = drawn[y]  # type: ignore[assignment]
        return ChopsUpdate(chops, spans, [cut_set[1:] for cut_set in self.cuts])  # type: ignore[arg-type]

    def _get_renders(self, crop: Region | None = None) -> Iterable[tuple[Region, Region, list[Strip]]]:
        if crop is None:
            yield from super()._get_renders(crop)
            return
        # A widget that has nothing in the band is not asked; one that has, gives the band's rows, across its whole
        # width (a chop starts where a widget does: a cut part-way along one would put its cells out of place).
        overlaps, top, height = crop.overlaps, crop.y, crop.height
        hidden = Region(crop.x, top, min(crop.width + 1, self.size.width - crop.x), height)
        for widget, (region, clip) in self.visible_widgets.items():
            shown = region.intersection(clip)
            if not overlaps(shown):
                continue
            clip = clip.intersection(Region(clip.x, top, clip.width, height))
            x, y, width, rows = region.intersection(clip)
            yield region, clip, widget.render_lines(Region(x - region.x, y - region.y, width, rows))
            if shown.contains_region(hidden):
                return  # painted front to back: what lies behind this widget in the band is never seen


def _bands(spans: list[tuple[int, int, int]]) -> Iterable[Region]:
    """The changed spans (row, x from, x to; by row) as bands of consecutive rows, each as wide as its spans."""
    band: list[int] | None = None  # first row, one past the last, left, right
    for y, x1, x2 in spans:
        if band is not None and y == band[1]:
            band[1], band[2], band[3] = y + 1, min(band[2], x1), max(band[3], x2)
        elif band is not None and y < band[1]:  # another span of a row already in the band
            band[2], band[3] = min(band[2], x1), max(band[3], x2)
        else:
            if band is not None:
                yield Region(band[2], band[0], band[3] - band[2], band[1] - band[0])
            band = [y, y + 1, x1, x2]
    if band is not None:
        yield Region(band[2], band[0], band[3] - band[2], band[1] - band[0])


def draw_changed_rows(screen: Screen) -> None:
    """Give a screen the compositor that draws a partial update from the changed rows alone (call in __init__)."""
    screen._compositor = ChangedRowsCompositor()


# Seconds at most. An idle writer takes a frame in ~0.1 ms (under load, up to ~1 ms); one still writing an earlier
# frame to a terminal that reads slowly (a laggy SSH link) is not waited for: each frame would hold the app up.
HAND_OVER_WAIT = 0.002


def hand_over(driver: Any) -> bool:
    """Step aside until the driver's writer thread has taken the frame just queued; False if there is none.

    Textual writes each frame from a thread of its own, which needs the GIL and a CPU to do it. The app's thread
    went on with whatever came next (the work put off until after the frame, the next message) and kept both:
    in tmux with capture-pane polling beside it (two cores, both busy) the write began 1.4-2.1 ms after the
    frame was made, ~0.3 ms on an idle machine. Waiting on the queue's own condition (notified as the writer takes each item)
    lets the writer run at once; its write goes on in the kernel with the GIL let go, and the app goes on."""
    queue = getattr(getattr(driver, "_writer_thread", None), "_queue", None)  # LinuxDriver's; headless has none
    if queue is None:
        return False
    with queue.not_full:  # queue.Queue notifies this each time its consumer takes an item
        queue.not_full.wait_for(lambda: not queue.queue, timeout=HAND_OVER_WAIT)
    return True


def after_the_frame(node: MessagePump, callback: Callable[[], object]) -> bool:
    """Run `callback` once the frame that is due is drawn; False when it cannot be scheduled (closing).

    Textual's call_after_refresh alone is not enough: it runs its callbacks at the screen's first idle, and that
    idle can come before a repaint already asked for (a pump counts its queue empty while it holds the next
    message it peeked at), so the work would land between the key and its frame. Scheduled from that first
    callback, the second is queued behind the repaint, and Textual runs it once the frame is out."""
    return node.call_after_refresh(node.call_after_refresh, callback)
