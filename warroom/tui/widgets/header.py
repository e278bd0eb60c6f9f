"""The top line: which incident, its severity badge, status and title, and the wall clock."""

from __future__ import annotations

from datetime import datetime

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from warroom.clock import local_hms, utc_hm
from warroom.incident import IncidentState
from warroom.text import one_line

STATUS_STYLE = {"investigating": "bold $warning", "mitigating": "bold $accent", "resolved": "bold $success"}


def severity_badge(state: IncidentState) -> tuple[str, str]:
    """The severity as a badge; the most severe level of the playbook is the loudest."""
    assert state.playbook is not None
    ids = [s.id for s in state.playbook.severities]
    rank = ids.index(state.severity) if state.severity in ids else len(ids)
    style = "bold $text on $error" if rank == 0 else "bold $text on $warning-darken-1" if rank == 1 else "bold $text on $primary"
    name = state.playbook.severity(state.severity).name if state.severity in ids else ""
    return f" {state.severity} {name} ", style


class IncidentHeader(Static):
    """WARROOM · INC-3 · [P1 High] · INVESTIGATING · the title ·········· 14:05:12 local / 13:05 UTC"""

    state: reactive[IncidentState | None] = reactive(None)
    now: reactive[datetime | None] = reactive(None)
    mode: reactive[str] = reactive("LIVE")

    def render(self) -> Content:
        if self.state is None or not self.state.declared or self.now is None:
            return Content.assemble((" WARROOM ", "bold reverse"))
        state = self.state
        badge, badge_style = severity_badge(state)
        mode_style = "bold $text on $error" if self.mode != "LIVE" else "bold $text on $success-darken-2"
        left = Content.assemble(
            (f" {self.mode} ", mode_style),
            " ",
            (state.id, "bold"),
            " ",
            (badge, badge_style),
            " ",
            (state.status.upper(), STATUS_STYLE.get(state.status, "bold")),
            "  ",
        )
        right = Content(f"{local_hms(self.now)} · {utc_hm(self.now)} UTC ")
        room = self.size.width - left.cell_length - right.cell_length - 1
        title = one_line(state.title)
        if len(title) > room:
            title = title[: max(0, room - 1)] + "…" if room > 1 else ""
        left = Content.assemble(left, (title, "bold"))
        gap = max(1, self.size.width - left.cell_length - right.cell_length)
        return Content.assemble(left, " " * gap, right)
