"""The installed `warroom` in a real terminal (tmux): declare, drive an incident by keys, check screen and log."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Callable

import pytest

from warroom import events as kinds
from warroom.store import Store

pytestmark = pytest.mark.terminal

DEADLINE = 15.0  # seconds to wait for the screen to show something (a loaded CI box is slow); never a timing check
TITLE = "Queue stuck"  # short: the 80-column header still has room for it


def installed_warroom() -> Path:
    """The `warroom` that pip installed next to this Python (not resolved: a venv's python is a symlink)."""
    script = Path(sys.executable).parent / ("warroom.exe" if os.name == "nt" else "warroom")
    if not script.exists():
        pytest.skip(f"no installed `warroom` next to {sys.executable}: `pip install .` first")
    return script


class Terminal:
    """One tmux server of our own (a unique socket), with one session running the console."""

    def __init__(self, tmux: str, socket: str, session: str) -> None:
        self.tmux, self.socket, self.session = tmux, socket, session

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [self.tmux, "-L", self.socket, *args], capture_output=True, text=True, check=check, timeout=30
        )

    def start(self, command: list[str], width: int, height: int, env: dict[str, str], config: Path) -> None:
        variables = [part for name, value in env.items() for part in ("-e", f"{name}={value}")]
        # Something in the test process sets COLUMNS=80 and LINES=24 in its C environment (not os.environ), the
        # tmux server inherits them, and Textual takes them over the pane's real size: unset for the command.
        self.run("-f", str(config), "new-session", "-d", "-s", self.session, "-x", str(width), "-y", str(height),
                 *variables, "env", "-u", "COLUMNS", "-u", "LINES", *command)
        size = self.run("display-message", "-p", "-t", self.session, "#{window_width}x#{window_height}").stdout.strip()
        assert size == f"{width}x{height}", f"tmux made a {size} window, not {width}x{height}"

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.session, *keys)

    def type(self, text: str) -> None:
        self.run("send-keys", "-t", self.session, "-l", text)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.session).stdout

    def footer(self) -> str:
        lines = self.screen().rstrip("\n").splitlines()
        return lines[-1] if lines else ""

    def pane_dead(self) -> bool:
        result = self.run("list-panes", "-t", self.session, "-F", "#{pane_dead}", check=False)
        return result.stdout.strip() == "1"

    def wait_for(self, expected: str | Callable[[str], bool], what: str = "") -> str:
        """Poll the screen until it shows `expected` (text, or a test of the whole screen)."""
        test = expected if callable(expected) else (lambda screen: expected in screen)
        deadline = time.monotonic() + DEADLINE
        while True:
            screen = self.screen()
            if test(screen):
                return screen
            if time.monotonic() > deadline:
                pytest.fail(f"the screen never showed {what or expected!r}; it shows:\n{screen}")
            time.sleep(0.1)

    def wait_for_panes(self) -> None:
        """Back in the panes (the footer lists the checklist's keys again), ready for single keys."""
        self.wait_for(lambda screen: "space Tick" in (screen.rstrip("\n").splitlines() or [""])[-1], "the panes' footer")

    def command(self, line: str) -> None:
        """`:` then the line then enter, as a person does: the bar must have the focus before the typing."""
        self.keys(":")
        self.wait_for(lambda screen: "space Tick" not in (screen.rstrip("\n").splitlines() or [""])[-1], "the command bar focused")
        self.type(line)
        self.keys("Enter")

    def kill(self) -> None:
        self.run("kill-session", "-t", self.session, check=False)
        self.run("kill-server", check=False)


@pytest.fixture
def terminal(tmp_path: Path):
    tmux = shutil.which("tmux")
    if tmux is None:
        pytest.skip("tmux is not on PATH: the real-terminal test needs it (.ci/run installs it with apt-get)")
    name = f"warroom-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    term = Terminal(tmux, socket=name, session=name)
    try:
        yield term
    finally:
        term.kill()


def wait_for_log(db: Path, predicate: Callable[[list], bool], what: str) -> list:
    """Poll the log (another process writes it) until the predicate holds; returns the events."""
    deadline = time.monotonic() + DEADLINE
    while True:
        events = []
        if db.exists():
            with Store(db, readonly=True) as store:
                events = [e for row in store.incidents() for e in store.events(row.id)]
        if predicate(events):
            return events
        if time.monotonic() > deadline:
            pytest.fail(f"the log never had {what}; it has {[(e.kind, e.payload) for e in events if e.kind != kinds.DECLARED]}")
        time.sleep(0.1)


def kinds_of(events: list) -> list[str]:
    return [event.kind for event in events]


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_an_incident_run_in_a_real_terminal(terminal: Terminal, tmp_path: Path, size: tuple[int, int]):
    warroom = installed_warroom()
    db = tmp_path / "warroom.db"
    env = {"WARROOM_DB": str(db), "TZ": "UTC", "XDG_DATA_HOME": str(tmp_path / "data")}
    config = tmp_path / "tmux.conf"
    config.write_text("set -g remain-on-exit on\nset -g status off\n", encoding="utf-8")  # keep the pane to see it quit
    width, height = size
    terminal.start([str(warroom)], width, height, env, config)

    # No incident yet: the declare screen, with the title field focused (P1 chosen by default).
    terminal.wait_for("Title      what is broken")  # the title field has the focus
    terminal.type(TITLE)
    terminal.keys("C-s")  # at once: ctrl+s must not overtake the characters still on their way to the field
    header = terminal.wait_for(
        lambda screen: all(part in screen.splitlines()[0] for part in ("INVESTIGATING", "P1 High", TITLE)), "the header"
    ).splitlines()[0]
    assert len(header.rstrip()) >= width - 1, f"the console is not drawn {width} wide: {header!r}"  # the clock at the right
    terminal.wait_for(lambda screen: "Escalation ladder" in screen and "Checklist" in screen, "the panes")
    [declared] = wait_for_log(db, lambda events: len(events) == 1, "the declared event")
    assert declared.kind == kinds.DECLARED
    assert declared.payload["title"] == TITLE
    assert declared.payload["severity"] == "P1"
    incident = declared.incident
    terminal.wait_for_panes()
    # The keys that matter are on the bottom line, whole, at 80 columns too.
    footer = terminal.footer()
    for key in ("R Resolve", "v Sev", "? Help", "^q Quit"):
        assert key in footer, footer

    terminal.keys("Space")  # tick the step under the cursor
    terminal.wait_for("[x]  1.")
    wait_for_log(db, lambda events: kinds_of(events)[-1:] == [kinds.CHECK], "the check")

    terminal.keys("n")
    terminal.wait_for("awaiting ack")
    terminal.keys("a")
    terminal.wait_for("met at")
    events = wait_for_log(db, lambda events: kinds_of(events)[-2:] == [kinds.NOTIFY, kinds.ACK], "notify then ack")
    assert events[-1].payload == {"rung": "oncall"}

    terminal.command("impact EU card payments fail")
    terminal.wait_for("EU card payments fail")  # the timeline line (it may wrap after "Impact:")
    terminal.wait_for_panes()

    terminal.command("status mitigating")
    terminal.wait_for("MITIGATING")
    terminal.wait_for_panes()

    terminal.command("sev P0")
    terminal.wait_for("P0 Critical")
    terminal.wait_for_panes()

    terminal.command("Restarted the [bold]consumer[/bold]")  # a note, shown literally
    terminal.wait_for("[bold]consumer")
    terminal.wait_for_panes()

    before = len(wait_for_log(db, lambda events: kinds_of(events)[-1:] == [kinds.NOTE], "the note"))
    terminal.command("sev P9")
    terminal.wait_for("unknown severity 'P9'")
    terminal.keys("Escape")
    terminal.wait_for_panes()
    assert "unknown severity" not in terminal.screen()

    terminal.keys("p")
    terminal.wait_for("Phase 2/3 Containment")

    terminal.keys("R")
    terminal.wait_for(f"Resolve {incident}")
    terminal.keys("y")
    terminal.wait_for(lambda screen: "RESOLVED" in screen.splitlines()[0], "RESOLVED in the header")
    assert "LIVE" not in terminal.screen().splitlines()[0]
    terminal.wait_for(lambda screen: "R Reopen" in (screen.rstrip("\n").splitlines() or [""])[-1], "Reopen in the footer")
    assert not any(key in terminal.footer() for key in ("Resolve", "Notify", "Ack", "Phase")), terminal.footer()
    events = wait_for_log(db, lambda events: kinds_of(events)[-1:] == [kinds.RESOLVED], "the resolve")
    assert len(events) == before + 2  # the bad command wrote nothing: the phase and the resolve came after
    assert kinds_of(events) == [
        kinds.DECLARED, kinds.CHECK, kinds.NOTIFY, kinds.ACK, kinds.IMPACT, kinds.STATUS, kinds.SEVERITY, kinds.NOTE,
        kinds.PHASE, kinds.RESOLVED,
    ]
    assert events[4].payload == {"impact": "EU card payments fail"}
    assert events[7].payload == {"text": "Restarted the [bold]consumer[/bold]"}

    terminal.keys("C-q")
    deadline = time.monotonic() + DEADLINE
    while not terminal.pane_dead():
        if time.monotonic() > deadline:
            pytest.fail(f"ctrl+q did not quit; the screen shows:\n{terminal.screen()}")
        time.sleep(0.1)

    # The log, as scripts read it.
    shown = subprocess.run(
        [str(warroom), "show", "--json", incident], capture_output=True, text=True, env={**os.environ, **env}, timeout=60
    )
    assert shown.returncode == 0, shown.stderr
    summary = json.loads(shown.stdout)
    assert summary["status"] == "resolved"
    assert summary["severity"] == "P0"
    assert summary["phase"]["id"] == "containment"
    assert summary["notes"] == 1
    assert summary["checklists"][0]["done"] == 1
    oncall = next(rung for rung in summary["ladder"] if rung["id"] == "oncall")
    assert oncall["state"] == "acknowledged"
    verified = subprocess.run(
        [str(warroom), "verify", incident], capture_output=True, text=True, env={**os.environ, **env}, timeout=60
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_quitting_leaves_the_incident_open_and_a_restart_resumes_it(terminal: Terminal, tmp_path: Path):
    warroom = installed_warroom()
    db = tmp_path / "warroom.db"
    env = {"WARROOM_DB": str(db), "TZ": "UTC", "XDG_DATA_HOME": str(tmp_path / "data")}
    declared = subprocess.run(
        [str(warroom), "declare", "--severity", "P2", "--title", "Search slow", "--started-at", "-20m"],
        capture_output=True, text=True, env={**os.environ, **env}, timeout=60,
    )
    assert declared.returncode == 0, declared.stderr
    config = tmp_path / "tmux.conf"
    config.write_text("set -g remain-on-exit on\nset -g status off\n", encoding="utf-8")
    terminal.start([str(warroom)], 100, 30, env, config)
    terminal.wait_for(lambda screen: "Search slow" in screen and "P2 Medium" in screen, "the incident resumed")
    terminal.wait_for("not at this severity")  # the CEO rung is never reached at P2
    terminal.wait_for("PAST WINDOW")  # 20 minutes in, Detection's 15 minutes are over
    terminal.wait_for("T+0:20:00")  # the declared line: the clock counts from the start typed, not the declaring
    terminal.keys("C-q")
    deadline = time.monotonic() + DEADLINE
    while not terminal.pane_dead():
        if time.monotonic() > deadline:
            pytest.fail(f"ctrl+q did not quit; the screen shows:\n{terminal.screen()}")
        time.sleep(0.1)
    with Store(db, readonly=True) as store:
        [row] = store.open_incidents()
        assert kinds_of(store.events(row.id)) == [kinds.DECLARED]


def test_the_first_frame_shows_the_whole_console(terminal: Terminal, tmp_path: Path):
    """No console built pane by pane: the first frame the terminal gets has every pane, the timeline's entries
    and the keys. (Pushed inside Textual's start-up batch, its first full frame was dropped and the panes
    came in one at a time as they repainted, the header and the clock last.)"""
    warroom = installed_warroom()
    db = tmp_path / "warroom.db"
    env = {"WARROOM_DB": str(db), "TZ": "UTC", "XDG_DATA_HOME": str(tmp_path / "data")}
    declared = subprocess.run(
        [str(warroom), "declare", "--severity", "P1", "--title", TITLE, "--started-at", "-5m"],
        capture_output=True, text=True, env={**os.environ, **env}, timeout=60,
    )
    assert declared.returncode == 0, declared.stderr
    config = tmp_path / "tmux.conf"
    config.write_text("set -g status off\n", encoding="utf-8")
    terminal.start([str(warroom)], 120, 40, env, config)
    deadline = time.monotonic() + DEADLINE
    while True:  # a frame is written top to bottom: once the bottom line is there, the whole first frame is
        screen = terminal.screen()
        lines = screen.rstrip("\n").splitlines()
        if len(lines) >= 40 and lines[39].strip():
            break
        if time.monotonic() > deadline:
            pytest.fail(f"the console never drew its bottom line; the screen shows:\n{screen}")
        time.sleep(0.005)
    for part, what in [(TITLE, "the header"), ("Started", "the clock"), ("Escalation ladder", "the ladder"),
                       ("Checklist", "the checklist"), ("T+0:05:00 declared", "the timeline's entry"),
                       ("space Tick", "the keys"), ("^p palette", "the palette key")]:
        assert part in screen, f"the first frame has no {what} ({part!r}); it shows:\n{screen}"
    assert len(lines[0].rstrip()) >= 119 and lines[39].rstrip().endswith("^p palette"), f"not 120x40:\n{screen}"
