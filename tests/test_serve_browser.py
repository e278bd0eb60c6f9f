"""`warroom serve` in headless Chromium (Debian's chromium, driven by Playwright): the wall shows the incident's title and
clocks, an alert received shows within 2 s, hostile alert text stays inert, the wall writes nothing, and the
console opens only for the token."""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import count_events, declaration_payload
from receiving import WARROOM, Receiver
from warroom.playbook import load_playbook
from warroom.store import Store

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright = pytest.importorskip("playwright.sync_api", reason="needs Playwright's Python package (pip install playwright)")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Chromium (apt-get install chromium; .ci/run does)"),
    pytest.mark.skipif(not WARROOM.exists(), reason=f"the installed warroom command is not at {WARROOM} (pip install -e .)"),
]

TOKEN = "console-token-for-the-browser-0123"
TITLE = "Checkout is down"

# xterm.js draws on a canvas: its text is read from the terminal's own buffer. textual-serve keeps the Terminal
# in `this.terminal` of an object the page does not expose, so the first assignment of that name is caught.
SCREEN_HOOK = """
Object.defineProperty(Object.prototype, 'terminal', {configurable: true, set(value) {
  window.__terminal = value;
  Object.defineProperty(this, 'terminal', {value, writable: true, configurable: true, enumerable: true});
}});
window.__screen = () => {
  const terminal = window.__terminal;
  if (!terminal) return '';
  const buffer = terminal.buffer.active, lines = [];
  for (let y = 0; y < terminal.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    lines.push(line ? line.translateToString(true) : '');
  }
  return lines.join('\\n');
};
"""


class Served:
    """`warroom serve` on a free port, its address read from the line it says on stderr."""

    def __init__(self, db: Path, *args: str) -> None:
        self.process = subprocess.Popen([str(WARROOM), "--db", str(db), "serve", "--listen", "127.0.0.1:0", *args],
                                        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                                        env={**os.environ, "TZ": "UTC"}, start_new_session=True)
        assert self.process.stderr is not None
        ready, _, _ = select.select([self.process.stderr], [], [], 20)
        line = self.process.stderr.readline().decode() if ready else ""
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if found is None:
            self.stop()
            raise AssertionError(f"warroom serve did not start: {line!r}")
        self.url = f"http://127.0.0.1:{found.group(1)}"

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # its own session: the wall processes it started too
                self.process.wait()


@pytest.fixture
def browser():
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


def open_screen(browser, url: str, expect: str, timeout_ms: int = 20_000):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.add_init_script(SCREEN_HOOK)
    page.goto(url)
    page.wait_for_function("text => window.__screen().includes(text)", arg=expect, timeout=timeout_ms)
    page.click(".textual-terminal")  # the keyboard goes to the terminal, as a person's click would send it
    return page


def test_the_wall_in_chromium_shows_the_incident_and_an_alert_within_2_s(browser, tmp_path: Path) -> None:
    db = tmp_path / "warroom.db"
    with Store(db) as store:
        incident = store.declare(declaration_payload(load_playbook(), store.clock.now(), title=TITLE)).incident
    served = Served(db)
    try:
        page = open_screen(browser, served.url + "/", TITLE)
        screen = page.evaluate("window.__screen()")
        assert "WATCH · read-only" in screen and incident in screen
        assert re.search(r"\d\d:\d\d UTC", screen)  # the header's clock
        assert "██" in screen  # the elapsed time in large digits
        assert re.search(r"Response target \(1h\): due \d\d:\d\d, \d+m left", screen)

        before = count_events(db)
        page.keyboard.type(":note from the wall\n")  # the wall has no command bar: nothing is written
        with Receiver(db) as receiver:
            hostile = "\x1b]0;PWNED-TITLE\x07\x1b[2J\x1b[31mDisk full\x1b[0m"
            body = {"labels": {"alertname": "DiskFull", "instance": hostile}, "annotations": {"summary": "db-1 at 97%"}}
            status, answer = receiver.post("/alerts", body)
            posted = time.monotonic()
            assert status == 200 and json.loads(answer)["stored"] == 1
            page.wait_for_function("() => window.__screen().includes('db-1 at 97%')", timeout=2_000)
        shown = time.monotonic() - posted
        screen = page.evaluate("window.__screen()")
        assert "1 alert · " in screen
        # The escape sequences arrive as visible text, never as a title or a cleared screen.
        assert "\\x1b]0;PWNED-TITLE\\x07" in screen and TITLE in screen
        assert "PWNED" not in page.title()
        assert count_events(db) == before + 1
        assert shown < 2
    finally:
        served.stop()


def test_the_console_is_served_only_for_the_token(browser, tmp_path: Path) -> None:
    db = tmp_path / "warroom.db"
    with Store(db) as store:
        store.declare(declaration_payload(load_playbook(), store.clock.now(), title=TITLE))
    no_token = Served(db)
    try:
        assert no_token.get("/console") == (404, "warroom: the console is served only with --token-file: the wall is at /\n")
    finally:
        no_token.stop()
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    served = Served(db, "--token-file", str(token_file))
    try:
        assert served.get("/console") == (401, "warroom: the console needs the bearer token: open /console?token=TOKEN once\n")
        assert served.get("/console?token=wrong-token-of-some-length")[0] == 401
        assert served.get("/console/ws")[0] == 401
        page = open_screen(browser, f"{served.url}/console?token={TOKEN}", "Incident clock")
        assert "WATCH" not in page.evaluate("window.__screen()")
        before = count_events(db)
        page.keyboard.type(":note typed in the browser\n")
        deadline = time.monotonic() + 10
        while count_events(db) == before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert count_events(db) == before + 1  # the console writes, as the person with the token
    finally:
        served.stop()
