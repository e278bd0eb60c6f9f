"""`warroom serve` and `warroom receive` start up the one way (receive.serve_app): the line saying where, and a port
that is taken refused in one line. No browser: tests/test_serve_browser.py drives the wall in Chromium."""

from __future__ import annotations

import re
import select
import signal
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import declaration_payload
from receiving import WARROOM, Receiver
from warroom.playbook import load_playbook
from warroom.store import Store

pytestmark = pytest.mark.skipif(not WARROOM.exists(), reason=f"the installed warroom command is not at {WARROOM} (pip install -e .)")


def started(command: list[str]) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    assert process.stderr is not None
    ready, _, _ = select.select([process.stderr], [], [], 20)
    return process, process.stderr.readline().decode() if ready else ""


def stopped(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=20)


def test_serve_says_where_the_wall_is_answers_there_and_stops_on_sigterm(tmp_path: Path) -> None:
    db = tmp_path / "warroom.db"
    with Store(db) as store:
        store.declare(declaration_payload(load_playbook(), store.clock.now()))
    process, line = started([str(WARROOM), "--db", str(db), "serve", "--listen", "127.0.0.1:0"])
    try:
        found = re.fullmatch(r"warroom serve: the wall at http://127\.0\.0\.1:(\d+)/\n", line)
        assert found, line
        with urllib.request.urlopen(f"http://127.0.0.1:{found.group(1)}/", timeout=20) as page:
            assert page.status == 200 and b"warroom wall" in page.read()
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{found.group(1)}/console", timeout=20)
        assert refused.value.code == 404
        assert refused.value.read() == b"warroom: the console is served only with --token-file: the wall is at /\n"
    finally:
        assert stopped(process) == 0


def test_a_port_taken_already_is_one_line_for_serve_and_receive(tmp_path: Path) -> None:
    db = tmp_path / "warroom.db"
    with Store(db) as store:
        store.declare(declaration_payload(load_playbook(), store.clock.now()))
    with Receiver(db) as receiver:
        taken = f"127.0.0.1:{receiver.port}"
        for verb in ("serve", "receive"):
            result = subprocess.run([str(WARROOM), "--db", str(db), verb, "--listen", taken], capture_output=True, text=True,
                                    timeout=60)
            assert result.returncode != 0
            assert result.stderr.startswith(f"warroom: cannot listen on {taken}: ") and result.stderr.count("\n") == 1, result.stderr
