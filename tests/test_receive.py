"""`warroom receive` over real HTTP: Grafana's documented webhook, plain JSON, deduplication from the log, routes,
and every bad request a 4xx with one line and nothing written."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import count_events, declaration_payload
from hostile import HOSTILE
from receiving import WARROOM, Receiver
from warroom import events as kinds
from warroom.events import payload_problem
from warroom.incident import state_of
from warroom.store import Store
from warroom.text import is_inert, one_line

if not WARROOM.exists():
    pytest.skip(f"the installed warroom command is not at {WARROOM} (pip install -e .)", allow_module_level=True)

# Grafana Alerting's webhook body, exactly as its documentation shows it ("Configure the webhook notifier").
GRAFANA = {
    "receiver": "My Super Webhook", "status": "firing", "orgId": 1,
    "alerts": [
        {"status": "firing", "labels": {"alertname": "High memory usage", "team": "blue", "zone": "us-1"},
         "annotations": {"description": "The system has high memory usage", "runbook_url": "https://myrunbook.com/runbook/1234",
                         "summary": "This alert was triggered for zone us-1"},
         "startsAt": "2021-10-12T09:51:03.157076+02:00", "endsAt": "0001-01-01T00:00:00Z",
         "generatorURL": "https://play.grafana.org/alerting/1afz29v7z/edit", "fingerprint": "c6eadffa33fcdf37",
         "silenceURL": "https://play.grafana.org/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DT2%2Cteam%3Dblue%2Czone%3Dus-1",
         "dashboardURL": "", "panelURL": "", "values": {"B": 44.23943737541908, "C": 1}},
        {"status": "firing", "labels": {"alertname": "High CPU usage", "team": "blue", "zone": "eu-1"},
         "annotations": {"description": "The system has high CPU usage", "runbook_url": "https://myrunbook.com/runbook/1234",
                         "summary": "This alert was triggered for zone eu-1"},
         "startsAt": "2021-10-12T09:56:03.157076+02:00", "endsAt": "0001-01-01T00:00:00Z",
         "generatorURL": "https://play.grafana.org/alerting/d1rdpdv7k/edit", "fingerprint": "bc97ff14869b13e3",
         "silenceURL": "https://play.grafana.org/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DT1%2Cteam%3Dblue%2Czone%3Deu-1",
         "dashboardURL": "", "panelURL": "", "values": {"B": 44.23943737541908, "C": 1}},
    ],
    "groupLabels": {}, "commonLabels": {"team": "blue"}, "commonAnnotations": {}, "externalURL": "https://play.grafana.org/",
    "version": "1", "groupKey": "{}:{}", "truncatedAlerts": 0, "title": "[FIRING:2]  (blue)", "state": "alerting",
    "message": "**Firing**\n\nLabels:\n - alertname = T2\n - team = blue\n - zone = us-1\n",
}


def alertmanager_body(*alerts: dict) -> dict:
    """Alertmanager's webhook body (payload version 4) around the alerts given."""
    return {"version": "4", "groupKey": "{}:{}", "truncatedAlerts": 0, "status": alerts[0]["status"] if alerts else "firing",
            "receiver": "warroom", "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {},
            "externalURL": "http://alertmanager:9093", "alerts": list(alerts)}


def am_alert(name: str = "DiskFull", status: str = "firing", fingerprint: str = "a1b2c3d4e5f60718", **labels: str) -> dict:
    return {"status": status, "labels": {"alertname": name, "instance": "db-1", **labels},
            "annotations": {"summary": "Disk 95% full"}, "startsAt": "2026-12-01T10:00:00.123456789Z",
            "endsAt": "2026-12-01T10:05:00Z" if status == "resolved" else "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus:9090/graph", "fingerprint": fingerprint}


def declare(db: Path, title: str = "Checkout is down", **extra) -> str:
    from warroom.playbook import load_playbook

    with Store(db) as store:
        return store.declare(declaration_payload(load_playbook(), store.clock.now(), title=title, **extra)).incident


def alerts_in(db: Path, incident: str) -> list:
    with Store(db, readonly=True) as store:
        return [e for e in store.events(incident) if e.kind == kinds.ALERT]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "warroom.db"


def test_grafana_webhook_as_documented_is_stored_with_labels_times_and_actor(db: Path) -> None:
    incident = declare(db)
    with Receiver(db) as receiver:
        status, body = receiver.post("/grafana", GRAFANA)
    assert status == 200 and json.loads(body)["stored"] == 2
    memory, cpu = alerts_in(db, incident)
    assert memory.actor == cpu.actor == "grafana"
    assert memory.payload["labels"] == {"alertname": "High memory usage", "team": "blue", "zone": "us-1"}
    assert memory.payload["annotations"]["summary"] == "This alert was triggered for zone us-1"
    assert memory.payload["fingerprint"] == "c6eadffa33fcdf37" and memory.payload["status"] == "firing"
    assert memory.payload["starts_at"] == "2021-10-12T07:51:03.157Z" and "ends_at" not in memory.payload
    assert memory.at.isoformat() == "2021-10-12T07:51:03.157000+00:00"  # the alert's own time, not the post's
    assert memory.payload["text"] == "FIRING High memory usage: This alert was triggered for zone us-1"
    state = state_of(Store(db, readonly=True).events(incident))
    assert state.alerts == 2


def test_a_repeat_is_not_stored_a_resolution_is_and_the_log_is_the_truth_across_restarts(db: Path) -> None:
    incident = declare(db)
    with Receiver(db) as receiver:
        assert json.loads(receiver.post("/alertmanager", alertmanager_body(am_alert()))[1])["stored"] == 1
        assert json.loads(receiver.post("/alertmanager", alertmanager_body(am_alert()))[1]) == {
            "stored": 0, "repeats": 1, "incidents": {}, "declared": []}
    # A new receiver folds the log again: the firing alert is still a repeat, its resolution is not.
    with Receiver(db) as receiver:
        assert json.loads(receiver.post("/alertmanager", alertmanager_body(am_alert()))[1])["repeats"] == 1
        both = alertmanager_body(am_alert(status="resolved"), am_alert(status="resolved"))
        assert json.loads(receiver.post("/alertmanager", both)[1]) == {
            "stored": 1, "repeats": 1, "incidents": {incident: 1}, "declared": []}
        assert json.loads(receiver.post("/alertmanager", alertmanager_body(am_alert()))[1])["stored"] == 1  # fired again
    stored = alerts_in(db, incident)
    assert [e.payload["status"] for e in stored] == ["firing", "resolved", "firing"]
    assert [e.actor for e in stored] == ["alertmanager"] * 3
    assert stored[1].payload["ends_at"] == "2026-12-01T10:05:00.000Z"


def test_a_repeat_written_by_another_receiver_meanwhile_is_still_a_repeat(db: Path) -> None:
    incident = declare(db)
    with Receiver(db) as first, Receiver(db) as second:
        assert json.loads(first.post("/alertmanager", alertmanager_body(am_alert()))[1])["stored"] == 1
        assert json.loads(second.post("/alertmanager", alertmanager_body(am_alert()))[1])["repeats"] == 1
    assert len(alerts_in(db, incident)) == 1


def test_plain_json_one_alert_or_a_batch_and_old_text_alerts_stay_valid(db: Path) -> None:
    incident = declare(db)
    with Receiver(db) as receiver:
        assert receiver.post("/alerts", {"text": "Queue depth 10k"})[0] == 200
        batch = [{"labels": {"alertname": "Lag", "shard": str(n)}, "status": "firing"} for n in range(50)]
        assert json.loads(receiver.post("/alerts", batch)[1])["stored"] == 50
        assert json.loads(receiver.post("/alerts", {"alerts": batch})[1])["repeats"] == 50
    stored = alerts_in(db, incident)
    assert stored[0].payload["text"] == "Queue depth 10k" and stored[0].actor == "monitoring"
    assert stored[1].payload["text"] == "FIRING Lag"
    assert payload_problem(kinds.ALERT, {"text": "piped in"}, None) is None
    assert payload_problem(kinds.ALERT, {"text": "x", "status": "pending"}, None) == "payload.status: expected firing or resolved, got 'pending'"


def test_several_open_incidents_take_an_alert_only_when_named_or_routed(db: Path, tmp_path: Path) -> None:
    first = declare(db, "Checkout is down")
    second = declare(db, "Database slow", runbooks=["database"])
    playbook = tmp_path / "routed.yaml"
    playbook.write_text((Path(__file__).parent.parent / "playbook.yaml").read_text()
                        + "routes:\n  - id: db\n    match: {team: db}\n    runbook: database\n")
    before = count_events(db)
    with Receiver(db) as receiver:
        status, body = receiver.post("/alertmanager", alertmanager_body(am_alert()))
        assert status == 409 and body == f"warroom: 2 incidents are open ({second}, {first}): post with ?incident=ID or add a route\n"
        assert count_events(db) == before
        assert receiver.post(f"/alertmanager?incident={first}", alertmanager_body(am_alert()))[0] == 200
    with Receiver(db, playbook=playbook) as receiver:
        body = json.loads(receiver.post("/alertmanager", alertmanager_body(am_alert("Slow", fingerprint="f2", team="db")))[1])
        assert body["incidents"] == {second: 1}
        # A resolution goes where its alert is firing, whatever routes say.
        resolved = am_alert(status="resolved")
        assert json.loads(receiver.post("/alertmanager", alertmanager_body(resolved))[1])["incidents"] == {first: 1}


def test_a_route_declares_an_incident_from_a_firing_alert_once(db: Path, tmp_path: Path) -> None:
    playbook = tmp_path / "declaring.yaml"
    playbook.write_text((Path(__file__).parent.parent / "playbook.yaml").read_text()
                        + "routes:\n  - id: page\n    match: {severity: critical}\n    runbook: database\n    declare: P0\n")
    with Receiver(db, playbook=playbook) as receiver:
        resolved_first = alertmanager_body(am_alert(status="resolved", severity="critical"))
        status, body = receiver.post("/alertmanager", resolved_first)
        assert status == 409 and "route page: no open incident with the runbook database attached" in body
        assert count_events(db) == 0
        two = alertmanager_body(am_alert(severity="critical"), am_alert("Replica", fingerprint="ff01", severity="critical"))
        answer = json.loads(receiver.post("/alertmanager", two)[1])
        assert len(answer["declared"]) == 1 and answer["stored"] == 2
        again = json.loads(receiver.post("/alertmanager", alertmanager_body(am_alert("Third", fingerprint="ff02", severity="critical")))[1])
        assert again["declared"] == [] and list(again["incidents"]) == answer["declared"]
    with Store(db, readonly=True) as store:
        state = state_of(store.events(answer["declared"][0]))
    assert state.severity == "P0" and state.runbooks == ("database",) and state.alerts == 3
    assert state.title == "DiskFull db-1: Disk 95% full"
    assert state.started_at.isoformat().startswith("2026-12-01T10:00:00.123")


@pytest.mark.parametrize(
    ("path", "raw", "status", "line"),
    [
        ("/alertmanager", b'{"version": "4", "alerts": [', 400, "warroom: the body is not JSON: Expecting value at line 1 column 29\n"),
        ("/alertmanager", b"[" * 100_000, 400, "warroom: the body is not JSON warroom reads: nested too deep\n"),
        ("/alertmanager", b'{"version": "3", "alerts": []}', 400, "warroom: version '3': expected Alertmanager's webhook payload version 4\n"),
        ("/grafana", b'{"alerts": {"a": 1}}', 400, "warroom: alerts: expected a list, got an object\n"),
        ("/alerts", b'{"labels": {"a": 1}}', 400, "warroom: alerts[1].labels.a: expected text, got the number 1\n"),
        ("/alerts", b'{"text": "x", "startsAt": "yesterday"}', 400,
         "warroom: alerts[1].startsAt: 'yesterday': expected an RFC 3339 time like 2026-12-01T18:04:05.123Z\n"),
        ("/alerts", b'[{"text": "fine"}, {"status": "burning", "text": "x"}]', 400,
         "warroom: alerts[2].status: 'burning': expected firing or resolved\n"),
        ("/alerts", b"\xff\xfe", 400, "warroom: the body is not UTF-8 text: expected JSON\n"),
        ("/alerts?incident=INC-99", b'{"text": "x"}', 404, None),
        ("/nowhere", b'{"text": "x"}', 404, "warroom: no such endpoint /nowhere: expected POST /alertmanager, /grafana, /alerts\n"),
    ],
    ids=["truncated", "deep", "version", "alerts-not-list", "label-not-text", "bad-time", "bad-status-in-batch", "not-utf8",
         "unknown-incident", "unknown-path"],
)
def test_a_bad_request_is_a_4xx_with_one_line_and_writes_nothing(db: Path, path: str, raw: bytes, status: int, line: str | None) -> None:
    declare(db)
    before = count_events(db)
    with Receiver(db) as receiver:
        got, body = receiver.post(path, None, raw=raw)
        assert receiver.post("/alerts", {"text": "still alive"})[0] == 200  # and the receiver goes on
    assert got == status
    assert body.endswith("\n") and body.count("\n") == 1 and body.startswith("warroom: ")
    if line is not None:
        assert body == line
    else:
        assert "no incident 'INC-99'" in body
    assert count_events(db) == before + 1


def test_an_oversized_body_is_413_whether_its_length_is_said_or_not(db: Path) -> None:
    declare(db)
    before = count_events(db)
    big = json.dumps({"text": "x" * 100, "labels": {f"l{n}": "v" * 4000 for n in range(150)}}).encode()
    huge = b'{"text": "' + b"x" * (9 * 1024 * 1024) + b'"}'
    with Receiver(db) as receiver:
        status, body = receiver.post("/alerts", None, raw=huge)
        assert status == 413 and body == "warroom: the body is 9,437,196 bytes: expected at most 8,388,608\n"
        chunked = subprocess.run(
            ["curl", "-s", "-o", "-", "-w", "%{http_code}", "-H", "Transfer-Encoding: chunked", "--data-binary", "@-",
             f"{receiver.url}/alerts"], input=huge, capture_output=True, timeout=30,
        ) if Path("/usr/bin/curl").exists() else None
        assert receiver.post("/alerts", None, raw=big)[0] == 200  # under the limit: stored
    if chunked is not None:
        assert chunked.stdout.endswith(b"413") and chunked.stdout.count(b"\n") == 1
    assert count_events(db) == before + 1


def test_a_token_is_required_when_given_and_beyond_loopback(db: Path, tmp_path: Path) -> None:
    declare(db)
    token_file = tmp_path / "token"
    token_file.write_text("s3cret-token-for-the-receiver\n")
    before = count_events(db)
    with Receiver(db, "--token-file", str(token_file)) as receiver:
        missing = receiver.post("/alerts", {"text": "x"})
        wrong = receiver.post("/alerts", {"text": "x"}, token="not-the-token-at-all")
        assert count_events(db) == before
        right = receiver.post("/alerts", {"text": "x"}, token="s3cret-token-for-the-receiver")
    assert missing == (401, "warroom: a bearer token is required: expected the header Authorization: Bearer TOKEN\n")
    assert wrong == (401, "warroom: the bearer token is not the one this receiver was given\n")
    assert right[0] == 200 and count_events(db) == before + 1
    beyond = subprocess.run([str(WARROOM), "--db", str(db), "receive", "--listen", "0.0.0.0:0"], capture_output=True,
                            text=True, timeout=30)
    assert beyond.returncode == 2 and beyond.stderr == (
        "warroom: --listen 0.0.0.0:0: beyond loopback every request must carry a bearer token: give --token-file FILE\n")
    token_file.write_text("short\n")
    short = subprocess.run([str(WARROOM), "--db", str(db), "receive", "--token-file", str(token_file)], capture_output=True,
                           text=True, timeout=30)
    assert short.returncode == 2 and short.stderr.count("\n") == 1 and "at least 16 characters" in short.stderr


def test_hostile_label_text_is_stored_exactly_and_shown_inert(db: Path) -> None:
    incident = declare(db)
    hostile = {name: text for name, text in HOSTILE.items() if "\ud800" not in text}
    alerts = [am_alert("Evil", fingerprint=f"f{n}", note=text) | {"annotations": {"summary": text}}
              for n, text in enumerate(hostile.values())]
    with Receiver(db) as receiver:
        assert receiver.post("/alertmanager", alertmanager_body(*alerts))[0] == 200
    stored = alerts_in(db, incident)
    assert [e.payload["labels"]["note"] for e in stored] == list(hostile.values())  # every byte kept
    for event in stored:
        assert is_inert(one_line(event.payload["text"]))  # what every pane, the wall and the CLI show


def test_receive_without_a_database_for_a_route_to_write_says_so(tmp_path: Path) -> None:
    db = tmp_path / "fresh.db"
    with Receiver(db) as receiver:
        status, body = receiver.post("/alerts", {"text": "x"})
    assert status == 409 and body == "warroom: no open incident to take the alert: declare one, add a route, or post with ?incident=ID\n"
    assert count_events(db) == 0


def test_the_receiver_is_not_imported_by_the_scripting_verbs() -> None:
    code = "import sys; import warroom.cli; print('aiohttp' in sys.modules, 'warroom.receive' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout == "False False\n"
