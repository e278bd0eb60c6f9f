"""The timeline's entries are drawn without Rich wrapping each line again: exactly the segments Rich's render_lines gives."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.segment import Segment

from warroom import events as kinds
from warroom.events import Event
from warroom.tui.widgets.timeline import timeline_line

START = datetime(2026, 11, 26, 18, 0, tzinfo=timezone.utc)

pytestmark = pytest.mark.usefixtures("utc_local_time")


def event(kind: str, text: str, actor: str, late: int, back: int) -> Event:
    at = START + timedelta(seconds=late)
    return Event("INC-1", 7, kind, actor, {"text": text, "status": "mitigating", "phase": "containment"}, at,
                 at + timedelta(seconds=back), "", "", 7)


def rich_lines(entry, width: int) -> list[list[Segment]]:
    console = Console(width=200, color_system="truecolor", force_terminal=True, legacy_windows=False)
    return console.render_lines(entry, console.options.update_width(width), pad=True)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from([kinds.ALERT, kinds.NOTE, kinds.STATUS, kinds.DECLARED, kinds.COPIED, "future-kind"]),
    text=st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200),
    actor=st.sampled_from(["", "alertmanager", "Dana 東京", "\x1b]0;x\x07"]),
    late=st.integers(-600, 20_000),
    back=st.sampled_from([0, 1, 5, 3600]),
    width=st.integers(1, 160),
)
def test_an_entry_is_drawn_as_rich_draws_it(kind, text, actor, late, back, width) -> None:
    entry = timeline_line(event(kind, text, actor, late, back), None, START)
    console = Console(width=200, color_system="truecolor", force_terminal=True, legacy_windows=False)
    assert entry.drawn(console, width) == rich_lines(entry, width)
