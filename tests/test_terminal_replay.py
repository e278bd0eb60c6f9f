"""The installed `warroom replay` and `warroom list` in a real terminal (tmux), on a log built by the CLI.

The replay is driven by keys (End, Home, the arrows, a speed), read back with capture-pane, and quit;
the database file must then be byte for byte what it was, with no -wal or -shm file left beside it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Callable

import pytest

pytestmark = pytest.mark.terminal

WARROOM = Path(sys.executable).parent / ("warroom.exe" if os.name == "nt" else "warroom")
DEADLINE = 15.0  # seconds to wait for the screen to show something (a loaded CI box is slow); never a timing check
WIDTH, HEIGHT = 120, 36
TITLE = "Queue stuck"

if shutil.which("tmux") is None:
    pytest.skip("tmux is not installed (apt-get install tmux): the real-terminal replay test needs it",
                allow_module_level=True)
if not WARROOM.exists():
    pytest.skip(f"no installed `warroom` next to {sys.executable}: `pip install .` first", allow_module_level=True)


def clean_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without COLUMNS/LINES (pytest-xdist workers export 80x24, and an app that
    finds them believes them over the real terminal) and without a display (no system clipboard)."""
    env = {**os.environ, **(extra or {})}
    for name in ("COLUMNS", "LINES", "DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(name, None)
    return env


class Terminal:
    """A private tmux server (its own socket, no user configuration) running one command in one window."""

    def __init__(self, tmp_path: Path) -> None:
        self.socket = f"warroom-replay-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.session = "replay"
        self.config = tmp_path / "tmux.conf"
        # remain-on-exit: the pane stays after the app quits, so that quitting can be seen; no escape delay;
        # exit-empty off: a session started right after the last one was killed found the server on its way out
        # ("server exited unexpectedly", once in a CI run); the fixture kills the server at the end.
        self.config.write_text("set -g remain-on-exit on\nset -g status off\nset -s escape-time 0\nset -s exit-empty off\n",
                               encoding="utf-8")

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["tmux", "-L", self.socket, "-f", str(self.config), *args], capture_output=True,
                              text=True, check=check, timeout=30, env=clean_environment())

    def start(self, command: list[str], env: dict[str, str]) -> None:
        variables = [part for name, value in env.items() for part in ("-e", f"{name}={value}")]
        self.run("new-session", "-d", "-s", self.session, "-x", str(WIDTH), "-y", str(HEIGHT), *variables,
                 " ".join(command))

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.session, *keys)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.session).stdout

    def header(self) -> str:
        """The top line, spaces collapsed."""
        lines = self.screen().splitlines()
        return " ".join(lines[0].split()) if lines else ""

    def scrubber(self) -> str:
        """The replay's scrubber line (the one that starts with REPLAY, above the footer)."""
        lines = [line for line in self.screen().splitlines() if line.strip().startswith("REPLAY") and "event" in line]
        return " ".join(lines[-1].split()) if lines else ""

    def wait_for(self, expected: str | Callable[[], bool], what: str = "") -> None:
        test = expected if callable(expected) else (lambda: expected in self.screen())
        deadline = time.monotonic() + DEADLINE
        while not test():
            if time.monotonic() > deadline:
                pytest.fail(f"the screen never showed {what or expected!r}; it shows:\n{self.screen()}")
            time.sleep(0.05)

    def wait_for_scrubber(self, ending: str) -> None:
        self.wait_for(lambda: self.scrubber().endswith(ending), f"a scrubber ending {ending!r}")

    def wait_until_quit(self) -> None:
        def dead() -> bool:
            result = self.run("list-panes", "-t", self.session, "-F", "#{pane_dead}", check=False)
            return result.stdout.strip() == "1"

        self.wait_for(dead, "the app quitting")

    def close(self) -> None:
        self.run("kill-server", check=False)


@pytest.fixture
def terminal(tmp_path: Path):
    term = Terminal(tmp_path)
    try:
        yield term
    finally:
        term.close()


@pytest.fixture
def logged(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A resolved P1 of six events, written by `warroom declare`, `act` and `log` into a fresh database."""
    folder = tmp_path / "data"
    folder.mkdir()
    db = folder / "warroom.db"
    env = {"WARROOM_DB": str(db), "TZ": "UTC", "XDG_DATA_HOME": str(tmp_path / "xdg")}
    full = clean_environment(env)

    def warroom(*args: str) -> str:
        result = subprocess.run([str(WARROOM), *args], capture_output=True, text=True, env=full, timeout=60)
        assert result.returncode == 0, f"warroom {' '.join(args)}: {result.stderr}"
        return result.stdout.strip()

    assert warroom("declare", "--severity", "P1", "--title", TITLE, "--started-at", "-30m") == "INC-1"
    warroom("act", "INC-1", "notify")
    warroom("act", "INC-1", "ack")
    warroom("log", "INC-1", "restarted the consumer")
    warroom("act", "INC-1", "status", "mitigating")
    warroom("act", "INC-1", "resolve")
    return db, env


def fingerprint(db: Path) -> tuple[str, list[str]]:
    """The database's bytes, and every file in its folder."""
    return hashlib.sha256(db.read_bytes()).hexdigest(), sorted(os.listdir(db.parent))


def test_replay_and_the_browser_in_a_real_terminal_leave_the_file_untouched(terminal: Terminal, logged) -> None:
    db, env = logged
    before = fingerprint(db)
    assert before[1] == ["warroom.db"]
    terminal.start([str(WARROOM), "replay", "INC-1"], env)

    terminal.wait_for_scrubber("event 1/6")
    terminal.wait_for(lambda: terminal.header().startswith("REPLAY P1 High INVESTIGATING INC-1 Queue stuck"), "the header")
    screen = terminal.screen()
    assert "Escalation ladder" in screen and "Checklist" in screen
    assert "T+0:30:00" in screen  # the declaration, thirty minutes after the start given
    assert terminal.scrubber().startswith("REPLAY ❚❚ paused 1x")

    terminal.keys("End")
    terminal.wait_for_scrubber("event 6/6")
    terminal.wait_for(lambda: "RESOLVED" in terminal.header(), "RESOLVED in the header")
    terminal.wait_for("restarted the consumer")

    terminal.keys("Home")
    terminal.wait_for_scrubber("event 1/6")
    terminal.wait_for(lambda: "INVESTIGATING" in terminal.header(), "INVESTIGATING again")
    terminal.wait_for(lambda: "restarted the consumer" not in terminal.screen(), "the note gone")

    terminal.keys("Right", "Right")
    terminal.wait_for_scrubber("event 3/6")
    terminal.wait_for("acknowledged")  # in the ladder and the timeline
    terminal.keys("Left")
    terminal.wait_for_scrubber("event 2/6")
    terminal.wait_for(lambda: "acknowledged" not in terminal.screen(), "the acknowledgement gone")
    assert "Notified On-call Engineer" in terminal.screen()
    terminal.keys("Right", "Right", "Right")
    terminal.wait_for_scrubber("event 5/6")
    terminal.wait_for(lambda: "MITIGATING" in terminal.header(), "MITIGATING in the header")

    terminal.keys("+", "+")
    terminal.wait_for(lambda: terminal.scrubber().startswith("REPLAY ❚❚ paused 60x"), "60x")

    terminal.keys("C-q")
    terminal.wait_until_quit()
    assert fingerprint(db) == before  # not one byte written, and no -wal or -shm left behind

    # `warroom list` in a terminal is the browser, its filter filled from the options; enter replays.
    terminal.run("kill-session", "-t", terminal.session)
    terminal.start([str(WARROOM), "list", "--status", "resolved"], env)
    terminal.wait_for("1 of 1 shown")
    assert "status:resolved" in terminal.screen()  # the filter, filled from --status
    row = next(line for line in terminal.screen().splitlines() if "INC-1" in line)
    row = row[row.index("INC-1"):]  # from the id on: the list's border comes before it
    assert row.split()[:3] == ["INC-1", "P1", "resolved"] and "log ok" in row and TITLE in row

    terminal.keys("Enter")
    terminal.wait_for_scrubber("event 1/6")
    terminal.keys("End")
    terminal.wait_for_scrubber("event 6/6")
    terminal.keys("Escape")
    terminal.wait_for("1 of 1 shown")
    terminal.keys("Escape")  # the browser was the whole app: escape quits
    terminal.wait_until_quit()
    assert fingerprint(db) == before
