"""The real system clipboard: an X server of our own (Xvfb) and xclip, as on a desktop.

The console copies a template with `y`; xclip, a separate process, reads the clipboard back, and
what it reads must be the text the `copied` event recorded, byte for byte.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from datetime import timedelta

import pyperclip
import pytest

from conftest import declaration_payload
from warroom import events as kinds
from warroom.clock import iso
from warroom.tui.app import make_app
from warroom.tui.screens.console import ConsoleScreen
from warroom.tui.widgets.checklist import Checklist

pytestmark = [
    pytest.mark.usefixtures("utc_local_time"),
    pytest.mark.clipboard,
    pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed (apt-get install xvfb)"),
    pytest.mark.skipif(shutil.which("xclip") is None, reason="xclip is not installed (apt-get install xclip)"),
]

TITLE = "Checkout is down — café payments ✓"


@pytest.fixture
def x_display(monkeypatch: pytest.MonkeyPatch):
    """A private X server on a free display number (Xvfb picks it: -displayfd); DISPLAY points at it."""
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "640x480x24", "-nolisten", "tcp"],
        pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        number = b""
        deadline = time.monotonic() + 30
        while not number.endswith(b"\n"):
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail(f"Xvfb did not start (exit code {server.poll()})")
            chunk = os.read(read_end, 16)
            if not chunk:
                pytest.fail(f"Xvfb closed its display pipe without a number (exit code {server.poll()})")
            number += chunk
        display = f":{int(number)}"
        monkeypatch.setenv("DISPLAY", display)
        monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
        # pyperclip picks its mechanism once per process; make it look again, now that there is a display.
        monkeypatch.setattr(pyperclip, "copy", pyperclip.lazy_load_stub_copy)
        monkeypatch.setattr(pyperclip, "paste", pyperclip.lazy_load_stub_paste)
        yield display
    finally:
        os.close(read_end)
        server.kill()
        server.wait(timeout=10)


def read_clipboard(display: str) -> str:
    result = subprocess.run(
        ["xclip", "-selection", "clipboard", "-o"], env={**os.environ, "DISPLAY": display},
        capture_output=True, timeout=10, check=True,
    )
    return result.stdout.decode("utf-8")




async def test_y_puts_the_exact_text_on_the_x_clipboard(x_display, store, clock, playbook):
    incident = store.declare(declaration_payload(playbook, clock.now(), "P1", TITLE, impact="EU card payments fail")).incident
    store.append(incident, kinds.ETA, {"eta": iso(clock.now() + timedelta(hours=1))})  # nothing unfilled: y copies at once
    app = make_app(store, clock=clock)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        app.screen.query_one("#tabs").active = "tab-internal"
        app.screen.query_one(Checklist).focus()
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        on_screen = app.screen.query_one("#editor-internal").text

    copies = [e for e in store.events(incident) if e.kind == kinds.COPIED]
    assert len(copies) == 1
    payload = copies[0].payload
    assert payload["via"] == "clipboard"
    assert payload["text"] == on_screen
    assert TITLE in payload["text"]
    assert read_clipboard(x_display) == payload["text"]
    assert app.clipboard == ""  # the terminal's OSC 52 path was not used
