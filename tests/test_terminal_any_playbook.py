"""An organisation's own playbook in a real terminal (tmux), from declare to resolve, at 80x24 and 160x48.

tests/data/sev-playbook.yaml shares no name or count with the bundled one (SEV-1..SEV-5 with SEV-3 the
default, five phases, six rungs, three templates with dashes and underscores in their ids). The walkthrough
drives the installed `warroom` by keys and checks the screen, then the log.
"""

from __future__ import annotations

import os
import subprocess
import json
from pathlib import Path

import pytest

from warroom import events as kinds
from test_terminal import Terminal, installed_warroom, kinds_of, terminal, wait_for_log  # noqa: F401 (a fixture)

pytestmark = pytest.mark.terminal

PLAYBOOK = Path(__file__).parent / "data" / "sev-playbook.yaml"
TITLE = "Queue backlog"


def row_of(screen: str, text: str) -> int:
    return next(y for y, line in enumerate(screen.splitlines()) if text in line)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_an_organisations_own_playbook_runs_a_whole_incident(terminal: Terminal, tmp_path: Path, size: tuple[int, int]):
    warroom = installed_warroom()
    db = tmp_path / "warroom.db"
    env = {"WARROOM_DB": str(db), "WARROOM_PLAYBOOK": str(PLAYBOOK), "TZ": "UTC", "XDG_DATA_HOME": str(tmp_path / "data")}
    config = tmp_path / "tmux.conf"
    config.write_text("set -g remain-on-exit on\nset -g status off\n", encoding="utf-8")
    width, height = size
    terminal.start([str(warroom)], width, height, env, config)

    # The declare screen: every level of this playbook in view, and the fields under them.
    screen = terminal.wait_for("Title      what is broken")
    for level in ("SEV-1 Outage", "SEV-2 Major", "SEV-3 Degraded", "SEV-4 Minor", "SEV-5 Cosmetic"):
        assert level in screen, screen
    terminal.type(TITLE)
    terminal.keys("C-s")
    terminal.wait_for(lambda s: all(p in s.splitlines()[0] for p in ("SEV-3 Degraded", TITLE)), "the header, SEV-3")
    [declared] = wait_for_log(db, lambda events: len(events) == 1, "the declaration")
    assert declared.payload["severity"] == "SEV-3"  # the playbook's default_severity
    incident = declared.incident
    terminal.wait_for_panes()
    # The command bar's examples, once the escalation toast that may cover them at 80 columns has gone.
    screen = terminal.wait_for("sev SEV-1", "the command bar's examples in the playbook's words")
    assert "P0" not in screen and "P1" not in screen  # no bundled word anywhere (the command bar's examples too)
    assert "Triage" in screen and "Confirm the alert is real" in screen  # the current phase's steps

    terminal.keys("Space")
    terminal.wait_for("[x]  1.")
    terminal.keys("n")
    terminal.wait_for("awaiting ack")
    terminal.keys("a")
    events = wait_for_log(db, lambda events: kinds_of(events)[-1:] == [kinds.ACK], "the ack")
    assert events[-1].payload == {"rung": "sre-primary"}

    terminal.command("sev sev-1")  # another case: the playbook's own id is what is recorded
    terminal.wait_for("SEV-1 Outage")
    terminal.wait_for_panes()
    terminal.command("notify team_lead")
    terminal.wait_for_panes()
    terminal.command("copy status_page")
    terminal.wait_for_panes()
    terminal.command("phase root_cause")
    terminal.wait_for("Phase 3/5 Diagnose")
    terminal.wait_for_panes()
    screen = terminal.screen()
    # The current phase's steps are on screen, the timeline keeps entries, the ladder stays within its rows.
    assert "Collect traces from the" in screen, screen
    assert row_of(screen, "Checklist") <= height - 10, screen

    terminal.keys("R")
    terminal.wait_for(f"Resolve {incident}")
    terminal.keys("y")
    terminal.wait_for(lambda s: "RESOLVED" in s.splitlines()[0], "RESOLVED in the header")
    events = wait_for_log(db, lambda events: kinds_of(events)[-1:] == [kinds.RESOLVED], "the resolve")
    assert kinds_of(events) == [
        kinds.DECLARED, kinds.CHECK, kinds.NOTIFY, kinds.ACK, kinds.SEVERITY, kinds.NOTIFY, kinds.COPIED,
        kinds.PHASE, kinds.RESOLVED,
    ]
    assert events[4].payload["severity"] == "SEV-1"
    assert events[5].payload == {"rung": "team_lead"}
    assert events[6].payload["what"] == "status_page"
    assert events[7].payload == {"phase": "root_cause"}

    shown = subprocess.run([str(warroom), "show", "--json", incident], capture_output=True, text=True,
                           env={**os.environ, **env}, timeout=60)
    assert shown.returncode == 0, shown.stderr
    summary = json.loads(shown.stdout)
    assert summary["status"] == "resolved" and summary["severity"] == "SEV-1"
    assert summary["phase"]["id"] == "root_cause"
