"""Against a real Prometheus Alertmanager (Debian's prometheus-alertmanager) whose webhook receiver is `warroom receive`:
alerts posted to its API v2 reach the incident with their labels and start time, a repeat adds nothing, a
resolution adds a resolved alert, and a silenced alert never arrives."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from conftest import declaration_payload
from receiving import WARROOM, Receiver, wait_for
from warroom import events as kinds
from warroom.playbook import load_playbook
from warroom.store import Store

ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")

pytestmark = [
    pytest.mark.alertmanager,
    pytest.mark.skipif(ALERTMANAGER is None, reason="needs Prometheus Alertmanager (apt-get install prometheus-alertmanager; .ci/run does)"),
    pytest.mark.skipif(not WARROOM.exists(), reason=f"the installed warroom command is not at {WARROOM} (pip install -e .)"),
]

TOKEN = "alertmanager-to-warroom-token-0123"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def config(receiver_url: str, token_file: Path) -> str:
    # One group for every alert (group_by job), notified at once and again on each change a second later: each
    # notification carries every alert of the group, so the alerts already delivered come again (the repeats).
    return f"""\
route:
  receiver: warroom
  group_by: [job]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: warroom
    webhook_configs:
      - url: {receiver_url}/alertmanager
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials_file: {token_file}
"""


class Alertmanager:
    def __init__(self, tmp_path: Path, receiver_url: str, token_file: Path) -> None:
        path = tmp_path / "alertmanager.yml"
        path.write_text(config(receiver_url, token_file))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (tmp_path / "alertmanager.log").open("wb")
        assert ALERTMANAGER is not None
        self.process = subprocess.Popen(
            [ALERTMANAGER, f"--config.file={path}", f"--storage.path={tmp_path / 'am-data'}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--cluster.listen-address=", "--log.level=warn"],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        wait_for(self.ready, 30, "Alertmanager to be ready")

    def ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"Alertmanager exited: {Path(self.log.name).read_text()}")
        try:
            with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def api(self, path: str, body: object) -> object:
        request = urllib.request.Request(f"{self.url}/api/v2/{path}", data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
            return json.loads(text) if text.strip() else None

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def alert(name: str, started: datetime, ended: datetime | None = None, **labels: str) -> dict:
    body = {"labels": {"alertname": name, "job": "node", "instance": "db-1:9100", **labels},
            "annotations": {"summary": f"{name} on db-1"}, "startsAt": started.isoformat().replace("+00:00", "Z"),
            "generatorURL": "http://prometheus.example/graph"}
    if ended is not None:
        body["endsAt"] = ended.isoformat().replace("+00:00", "Z")
    return body


def test_alertmanager_delivers_firing_repeats_resolutions_and_silences(tmp_path: Path) -> None:
    db = tmp_path / "warroom.db"
    with Store(db) as store:
        incident = store.declare(declaration_payload(load_playbook(), store.clock.now())).incident
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")

    def alerts() -> list:
        with Store(db, readonly=True) as reader:
            return [e for e in reader.events(incident) if e.kind == kinds.ALERT]

    def names(status: str) -> list[str]:
        return [e.payload["labels"]["alertname"] for e in alerts() if e.payload["status"] == status]

    started = (datetime.now(UTC) - timedelta(minutes=3)).replace(microsecond=250_000)
    with Receiver(db, "--token-file", str(token_file)) as receiver:
        manager = Alertmanager(tmp_path, receiver.url, token_file)
        try:
            manager.api("alerts", [alert("DiskFull", started, severity="critical")])
            first = wait_for(lambda: alerts(), 15, "the firing alert")[0]
            assert first.actor == "alertmanager" and first.payload["status"] == "firing"
            assert {"alertname": "DiskFull", "job": "node", "instance": "db-1:9100", "severity": "critical"} == first.payload["labels"]
            assert first.payload["annotations"] == {"summary": "DiskFull on db-1"}
            assert first.at == started.replace(microsecond=250_000)  # its own start time, to the millisecond
            assert len(first.payload["fingerprint"]) == 16

            # A silence first: its alert must never arrive, while the one posted with it does.
            manager.api("silences", {"matchers": [{"name": "alertname", "value": "Noisy", "isRegex": False, "isEqual": True}],
                                     "startsAt": datetime.now(UTC).isoformat(), "endsAt": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
                                     "createdBy": "test", "comment": "maintenance"})
            # The group's next notification carries DiskFull again (a repeat) with the new alerts.
            manager.api("alerts", [alert("DiskFull", started, severity="critical"), alert("Noisy", started), alert("Latency", started)])
            wait_for(lambda: "Latency" in names("firing"), 15, "the second alert")
            manager.api("alerts", [alert("DiskFull", started, datetime.now(UTC) - timedelta(seconds=1), severity="critical")])
            wait_for(lambda: names("resolved"), 15, "the resolution")
            # Two more group intervals: whatever comes again is a repeat and adds nothing.
            count = len(alerts())
            manager.api("alerts", [alert("Latency", started)])
            time.sleep(2.5)  # two group intervals of the daemon: time for a notification that must not add anything
            assert len(alerts()) == count
        finally:
            manager.stop()
    assert names("firing") == ["DiskFull", "Latency"]
    assert names("resolved") == ["DiskFull"]
    resolved = [e for e in alerts() if e.payload["status"] == "resolved"][0]
    assert resolved.payload["fingerprint"] == first.payload["fingerprint"] and "ends_at" in resolved.payload
    assert "Noisy" not in json.dumps([e.payload for e in alerts()])
