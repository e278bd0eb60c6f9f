"""Hostile text against the installed `warroom` in a real terminal (tmux) and a real clipboard (Xvfb + xclip).

The pane's raw output is recorded with pipe-pane: no control character from the incident's text may be
in it, the pane's title and tmux's paste buffers must not change, and a copied message pasted into a
real shell (bash, bracketed paste) must not run anything.
"""

from __future__ import annotations

import base64
import shutil
import time
from datetime import timedelta
from pathlib import Path

import pytest

from hostile import HOSTILE
from test_clipboard import read_clipboard, x_display  # noqa: F401  (x_display is a fixture)
from test_terminal import DEADLINE, Terminal, installed_warroom, terminal  # noqa: F401  (terminal is a fixture)
from warroom import events as kinds
from warroom.clock import iso
from warroom.commands import declaration
from warroom.playbook import load_playbook
from warroom.store import Store

pytestmark = pytest.mark.terminal

CONFIG = "set -g status off\nset -g set-clipboard on\nset -g allow-rename on\nset -g remain-on-exit on\n"


def control_runs(value: str) -> list[bytes]:
    """Each control character of the text with what stands around it, as the bytes a raw write would send
    (with context enough that Textual's own sequences, such as ESC[0m, never match)."""
    runs = []
    for index, ch in enumerate(value):
        if ord(ch) < 0x20 and ch not in "\n\t" or 0x7F <= ord(ch) <= 0x9F or ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
            runs.append(value[max(0, index - 3) : index + 10].encode("utf-8"))
    return runs


def hostile_db(db: Path, tmp_path: Path, title: str) -> str:
    playbook = load_playbook()
    with Store(db) as store:  # the real clock: the console's
        payload = declaration(playbook, store.clock.now(), playbook.severities[-1].id, title, HOSTILE["c1-csi"], ())
        incident = store.declare(payload, actor="ic").incident
        for name, value in HOSTILE.items():
            store.append(incident, kinds.ALERT if "csv" in name else kinds.NOTE, {"text": value}, actor="script")
        store.append(incident, kinds.ROLE, {"role": "scribe", "name": HOSTILE["clear-screen"]})
        store.append(incident, kinds.ETA, {"eta": iso(store.clock.now() + timedelta(hours=1))})  # copies go at once
    return incident


def wait_until(test, what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not test():
        if time.monotonic() > deadline:
            pytest.fail(f"never: {what}")
        time.sleep(0.1)


def test_the_terminal_obeys_nothing_from_the_incident(terminal: Terminal, tmp_path: Path):
    warroom = installed_warroom()
    db = tmp_path / "warroom.db"
    title = HOSTILE["osc0-title"] + HOSTILE["osc52-clipboard"] + HOSTILE["leave-alt-screen"]
    incident = hostile_db(db, tmp_path, title)
    config = tmp_path / "tmux.conf"
    config.write_text(CONFIG, encoding="utf-8")
    raw = tmp_path / "pane.raw"
    env = {"WARROOM_DB": str(db), "TZ": "UTC", "XDG_DATA_HOME": str(tmp_path / "data"), "TERM": "xterm-256color"}
    # A shell first, so the raw output is recorded from the console's very first byte.
    terminal.start(["sh", "-c", f"sleep 0.5; exec {warroom}"], 160, 48, env, config)
    terminal.run("pipe-pane", "-o", "-t", terminal.session, f"cat >> {raw}")
    pane_title = terminal.run("display-message", "-p", "-t", terminal.session, "#{pane_title}").stdout
    terminal.wait_for("PWNED-TITLE", "the title, shown")
    terminal.wait_for_panes()
    screen = terminal.screen()
    assert "\\x1b]0;PWNED-TITLE" in screen  # the escape is shown as text, not obeyed
    # The message template tab, filled from the hostile title, and copied (OSC 52 here: no display).
    template = load_playbook().templates[0]
    terminal.command(f"copy {template.id}")
    terminal.wait_for("with OSC 52", "the copy's toast")
    terminal.wait_for_panes()
    terminal.keys("l")  # the incident browser lists the title too
    terminal.wait_for("Incidents", "the browser")
    terminal.keys("Escape")
    terminal.wait_for_panes()
    terminal.keys("question_mark")
    terminal.keys("Escape")
    terminal.wait_for_panes()
    terminal.keys("C-q")
    wait_until(terminal.pane_dead, "the console quit")
    time.sleep(0.3)  # pipe-pane's cat writes what it has

    output = raw.read_bytes()
    assert b"PWNED-TITLE" in output.replace(b"\x1b[", b"")  # the title really was drawn
    for name, value in {**HOSTILE, "title": title}.items():
        for run in control_runs(value):
            assert run not in output, f"{name}: {run!r} reached the terminal raw"
    assert b"\xc2\x9b" not in output and b"\xc2\x9d" not in output and b"\xc2\x90" not in output  # no C1 at all
    assert b"\xe2\x80\xae" not in output  # no bidi override
    assert terminal.run("display-message", "-p", "-t", terminal.session, "#{pane_title}", check=False).stdout in (pane_title, "")
    # tmux's buffers hold only what warroom meant to copy: the message, with no control character in it.
    buffers = terminal.run("list-buffers", "-F", "#{buffer_name}", check=False).stdout.split()
    assert buffers, "the copy reached tmux over OSC 52"
    for name in buffers:
        content = terminal.run("show-buffer", "-b", name, check=False).stdout
        assert "\x1b" not in content and "PWNED-CLIP" not in content
        assert base64.b64decode("UFdORUQtQ0xJUA==").decode() not in content
    [copied] = [e for e in Store(db, readonly=True).events(incident) if e.kind == kinds.COPIED]
    assert copied.payload["via"] == "osc52" and "\x1b" not in copied.payload["text"]


@pytest.mark.clipboard
@pytest.mark.skipif(shutil.which("Xvfb") is None or shutil.which("xclip") is None, reason="needs Xvfb and xclip (apt-get)")
@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash to paste into")
def test_a_copied_message_pasted_into_a_shell_runs_nothing(terminal: Terminal, tmp_path: Path, x_display: str):
    warroom = installed_warroom()
    db = tmp_path / "warroom.db"
    touched = tmp_path / "pwned"
    # The end of a bracketed paste, then a command: on a clipboard that kept the ESC, bash runs `touch`.
    title = f"Checkout down\x1b[201~; touch {touched}; echo "
    hostile_db(db, tmp_path, title)
    config = tmp_path / "tmux.conf"
    config.write_text("set -g status off\n", encoding="utf-8")
    env = {"WARROOM_DB": str(db), "TZ": "UTC", "XDG_DATA_HOME": str(tmp_path / "data"), "DISPLAY": x_display}
    terminal.start([str(warroom)], 160, 48, env, config)
    terminal.wait_for_panes()
    template = next(t for t in load_playbook().templates if "{title}" in t.text)
    terminal.command(f"copy {template.id}")
    terminal.wait_for("system clipboard", "the copy's toast")
    clipboard = read_clipboard(x_display)
    assert "Checkout down[201~; touch" in clipboard and "\x1b" not in clipboard and "\r" not in clipboard

    # Paste it into a real shell, the way a terminal does (bracketed, since bash asks for it).
    shell = f"{terminal.session}-shell"
    terminal.run("new-session", "-d", "-s", shell, "-x", "200", "-y", "50", "env", "-i", f"HOME={tmp_path}",
                 "PS1=ready$ ", "TERM=xterm-256color", "bash", "--norc", "--noprofile", "-i")
    deadline = time.monotonic() + DEADLINE
    while "ready$" not in terminal.run("capture-pane", "-p", "-t", shell).stdout:
        assert time.monotonic() < deadline, "bash never showed its prompt"
        time.sleep(0.1)
    terminal.run("set-buffer", "-b", "fromx", clipboard)
    terminal.run("paste-buffer", "-p", "-b", "fromx", "-t", shell)
    time.sleep(1.0)  # a real shell, not a clock: give it the time to run what it would run
    assert not touched.exists(), "the pasted message ran a command"
    screen = terminal.run("capture-pane", "-p", "-t", shell).stdout
    assert "touch" in screen  # the text is there, waiting at the prompt, not run
    terminal.run("kill-session", "-t", shell, check=False)
