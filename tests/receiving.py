"""A real `warroom receive` in a subprocess for the tests: started on a free port, posted to over HTTP, stopped."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

WARROOM = Path(sys.executable).parent / "warroom"


class Receiver:
    """`warroom --db DB receive --listen 127.0.0.1:0 ARGS`, its port read from the line it says on stderr."""

    def __init__(self, db: Path, *args: str, env: dict[str, str] | None = None, playbook: Path | None = None) -> None:
        command = [str(WARROOM), "--db", str(db)] + (["--playbook", str(playbook)] if playbook else [])
        self.process = subprocess.Popen(
            command + ["receive", "--listen", "127.0.0.1:0", *args], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})},
        )
        self.url = ""
        line = self._line(timeout=20)
        found = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        if found is None:
            self.stop()
            raise AssertionError(f"warroom receive did not start: {line!r} {self.stderr_rest()!r}")
        self.port = int(found.group(1))
        self.url = f"http://127.0.0.1:{self.port}"

    def _line(self, timeout: float) -> str:
        assert self.process.stderr is not None
        ready, _, _ = select.select([self.process.stderr], [], [], timeout)
        return self.process.stderr.readline().decode() if ready else ""

    def stderr_rest(self) -> str:
        assert self.process.stderr is not None
        if self.process.poll() is None:
            return ""
        return self.process.stderr.read().decode()

    def post(self, path: str, body: Any, token: str | None = None, raw: bytes | None = None) -> tuple[int, str]:
        data = raw if raw is not None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method="POST",
                                         headers={"Content-Type": "application/json"})
        if token is not None:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def __enter__(self) -> "Receiver":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_for(condition, timeout: float = 10.0, what: str = "the condition") -> Any:
    """Poll until `condition()` is truthy (the daemon under test delivers on its own schedule)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)
