"""Bursts in a real terminal: tmux send-keys -l writes the whole text at once, as a paste or a laggy SSH link does.

Asserted on the log: nothing is recorded that the keys did not mean.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from test_terminal import Terminal, installed_warroom, kinds_of, terminal, wait_for_log  # noqa: F401
from warroom import events as kinds

pytestmark = pytest.mark.terminal


def start(terminal: Terminal, tmp_path: Path) -> Path:
    db = tmp_path / "warroom.db"
    config = tmp_path / "tmux.conf"
    config.write_text("set -g status off\nset -s escape-time 0\n", encoding="utf-8")
    env = {"WARROOM_DB": str(db), "TZ": "UTC", "XDG_DATA_HOME": str(tmp_path / "data")}
    terminal.start([str(installed_warroom())], 120, 40, env, config)
    return db


def test_a_whole_declare_form_and_a_note_in_one_write_each(terminal: Terminal, tmp_path: Path):
    db = start(terminal, tmp_path)
    terminal.wait_for("Title      what is broken")
    terminal.type("Queue stuck\tOrders are not shipped")  # title, tab, impact: one write
    terminal.keys("C-s")
    [declared] = wait_for_log(db, lambda events: len(events) == 1, "the declared event")
    assert declared.payload["title"] == "Queue stuck"
    assert declared.payload["impact"] == "Orders are not shipped"
    terminal.wait_for_panes()
    terminal.type(":note paste-1 from the runbook\r")  # the command bar's key, the note and enter: one write
    events = wait_for_log(db, lambda events: kinds.NOTE in kinds_of(events), "the note")
    terminal.type("smitigating\r")
    events = wait_for_log(db, lambda events: kinds.STATUS in kinds_of(events), "the status")
    terminal.wait_for_panes()
    assert [(e.kind, e.payload) for e in events[1:]] == [
        (kinds.NOTE, {"text": "paste-1 from the runbook"}),
        (kinds.STATUS, {"status": "mitigating"}),
    ]
