"""The top line: severity badge, status, which incident and as much of its title as fits, and the wall clock."""

from __future__ import annotations

from datetime import datetime

from rich.cells import cell_len
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from warroom.clock import local_hm, utc_hm
from warroom.incident import IncidentState
from warroom.text import one_line

STATUS_STYLE = {
    "investigating": "bold $warning",
    "mitigating": "bold $accent",
    "resolved": "bold $text on $success-darken-2",
}


def severity_badge(state: IncidentState, *, with_name: bool = True) -> tuple[str, str]:
    """The severity as a badge; the most severe level of the playbook is the loudest."""
    assert state.playbook is not None
    ids = [s.id for s in state.playbook.severities]
    rank = ids.index(state.severity) if state.severity in ids else len(ids)
    style = "bold $text on $error" if rank == 0 else "bold $text on $warning-darken-1" if rank == 1 else "bold $text on $primary"
    name = one_line(state.playbook.severity(state.severity).name) if state.severity in ids and with_name else ""
    return f" {state.severity} {name} " if name else f" {state.severity} ", style


def _shown(state: IncidentState) -> tuple:
    """What of a state the header shows (`render` reads nothing else of it)."""
    return state.playbook, state.severity, state.status, state.id, state.title, state.drill


class IncidentHeader(Static):
    """ LIVE  SEV-2 High  INVESTIGATING  INC-3  the title ···················· 14:05:12 · 13:05 UTC

    `mode` says which screen this is: LIVE (the console), or the wall screen's or replay's own words. A
    resolved incident is not live: RESOLVED stands in the status's place and the LIVE badge goes.
    """

    state: reactive[IncidentState | None] = reactive(None, repaint=False)  # watch_state repaints when the line changes
    now: reactive[datetime | None] = reactive(None, repaint=False)  # watch_now repaints when the minute changes
    mode: reactive[str] = reactive("LIVE")
    others_open: reactive[tuple[str, ...]] = reactive(())  # the other open incidents: never out of sight

    def watch_state(self, old: IncidentState | None, new: IncidentState | None) -> None:
        # A repaint of this line widens every frame's update from the panes to the top of the screen (every pane
        # in between is drawn again): only when what it shows changed, not for each note or tick.
        if old is None or new is None or _shown(old) != _shown(new):
            self.refresh()

    def watch_now(self, old: datetime | None, new: datetime | None) -> None:
        # The header shows hours and minutes (the big clock has the seconds): no repaint for the other 59 ticks.
        if old is None or new is None or old.replace(second=0, microsecond=0) != new.replace(second=0, microsecond=0):
            self.refresh()

    def _left(self, state: IncidentState, *, with_name: bool, with_live: bool = True) -> Content:
        badge, badge_style = severity_badge(state, with_name=with_name)
        parts: list = []
        if state.drill:  # never mistaken for the real thing: first, whatever else is left out for room
            parts += [(" DRILL ", "bold $text on $accent"), " "]
        if self.mode != "LIVE":
            parts += [(f" {self.mode} ", "bold $text on $error"), " "]
        elif with_live and not state.resolved:
            parts += [(" LIVE ", "bold $text on $success-darken-2"), " "]
        status = state.status.upper()
        parts += [
            (badge, badge_style),
            " ",
            (f" {status} " if state.resolved else status, STATUS_STYLE.get(state.status, "bold")),
            "  ",
            (state.id, "bold"),
            "  ",
        ]
        if self.others_open:
            others = self.others_open
            parts += [(f" +{len(others)} open: {', '.join(others[:2])}{'…' if len(others) > 2 else ''} ",
                       "bold $text on $warning-darken-2"), "  "]
        return Content.assemble(*parts)

    def render(self) -> Content:
        if self.state is None or not self.state.declared or self.now is None:
            return Content.assemble((" WARROOM ", "bold reverse"))
        state, width = self.state, self.size.width
        title = one_line(state.title)
        title_cells = cell_len(title)  # a CJK character takes two cells, a combining mark none
        clocks = (f"{local_hm(self.now)} · {utc_hm(self.now)} UTC ", f"{local_hm(self.now)} ", "")  # the big clock has the seconds
        # Severity, status and the incident always; then the whole title if it fits, giving up the UTC
        # time, the LIVE badge, the local time, then the severity's name for it; else as much title as fits.
        layouts = [
            (True, True, clocks[0]), (True, True, clocks[1]), (True, False, clocks[1]), (True, False, clocks[2]),
            (False, False, clocks[2]),
        ]
        chosen = None
        for with_name, with_live, clock in layouts:
            left = self._left(state, with_name=with_name, with_live=with_live)
            if left.cell_length + title_cells + len(clock) + 1 <= width:
                chosen = (left, clock)
                break
        if chosen is None:
            left, clock = self._left(state, with_name=True, with_live=False), ""
            room = width - left.cell_length
            if room < 8:  # very narrow: the short badge leaves a few more cells
                left = self._left(state, with_name=False, with_live=False)
                room = width - left.cell_length
            title = Content(title).truncate(max(0, room), ellipsis=True).plain
        else:
            left, clock = chosen
        line = Content.assemble(left, (title, "bold"))
        gap = max(1, width - line.cell_length - len(clock))
        return Content.assemble(line, " " * gap, clock) if clock else line
