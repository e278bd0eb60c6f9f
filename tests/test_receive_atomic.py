"""`warroom receive` writes a request all or nothing, and two receivers on one file never both store the same alert."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import REPO, count_events
from receiving import WARROOM, Receiver
from test_receive import alertmanager_body, alerts_in, am_alert, declare
from warroom.alerts import SOURCES, AlertLedger, parse_body
from warroom.clock import SystemClock
from warroom.playbook import load_playbook
from warroom.receive import Writer, _Pending
from warroom.store import Store

if not WARROOM.exists():
    pytest.skip(f"the installed warroom command is not at {WARROOM} (pip install -e .)", allow_module_level=True)

ROUTES = ("routes:\n  - id: web\n    match: {team: web}\n    runbook: api\n"
          "  - id: db\n    match: {team: db}\n    runbook: database\n"
          "  - id: breach\n    match: {team: sec}\n    runbook: security\n    declare: P0\n")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "warroom.db"


def incidents_in(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT COUNT(*) FROM incidents").fetchone()[0]
    finally:
        conn.close()


def test_a_request_whose_second_incident_cannot_be_written_stores_nothing(db: Path, tmp_path: Path) -> None:
    web = declare(db, "Checkout is slow", runbooks=["api"])
    data = declare(db, "Database slow", runbooks=["database"])
    playbook = tmp_path / "routed.yaml"
    playbook.write_text((REPO / "playbook.yaml").read_text() + ROUTES)
    # The database refuses the second incident's rows (as a full disk or a read-only moment would, mid-request).
    conn = sqlite3.connect(db)
    conn.execute(f"CREATE TRIGGER refuse_second BEFORE INSERT ON events WHEN NEW.incident = '{data}' "
                 "BEGIN SELECT RAISE(ABORT, 'the disk is full'); END")
    conn.commit()
    before, incidents = count_events(db), incidents_in(db)
    # In order: an alert that declares an incident (route breach), one for the first incident, one for the second.
    body = alertmanager_body(am_alert("Breach", fingerprint="f0", team="sec"), am_alert("Slow", fingerprint="f1", team="web"),
                             am_alert("Locks", fingerprint="f2", team="db"))
    with Receiver(db, playbook=playbook) as receiver:
        status, answer = receiver.post("/alertmanager", body)
        assert status == 503 and answer == "warroom: nothing stored: the disk is full\n"
        assert count_events(db) == before and incidents_in(db) == incidents  # neither the declaration nor web's alert
        conn.execute("DROP TRIGGER refuse_second")
        conn.commit()
        # The same request again: all of it is stored now (nothing of the failed one was taken as stored).
        status, answer = receiver.post("/alertmanager", body)
        assert status == 200, answer
        stored = json.loads(answer)
    conn.close()
    assert stored["stored"] == 3 and stored["repeats"] == 0 and len(stored["declared"]) == 1
    assert stored["incidents"] == {stored["declared"][0]: 1, web: 1, data: 1}
    assert [e.payload["fingerprint"] for e in alerts_in(db, web)] == ["f1"]
    assert [e.payload["fingerprint"] for e in alerts_in(db, data)] == ["f2"]
    verified = subprocess.run([str(WARROOM), "--db", str(db), "verify"], capture_output=True, text=True, timeout=60)
    assert verified.returncode == 0 and verified.stdout.startswith("ok: 3 incidents"), verified.stdout + verified.stderr


class _Answers:
    """Stands in for the event loop a request waits on: keeps the answer the writer settles it with."""

    def __init__(self) -> None:
        self.answers: list = []

    def call_soon_threadsafe(self, settle, future, answer) -> None:
        self.answers.append(answer)


def test_two_receivers_deciding_at_once_store_an_alert_once(db: Path) -> None:
    """Each receiver's write waits (up to 0.4 s) for the other to reach its own write: a receiver that read the
    log for repeats before taking the write lock would find the alert new in both, and both would store it."""
    incident = declare(db)
    meeting: list[threading.Barrier] = []

    class Meeting(Store):
        def append_many(self, *args, **kwargs):
            try:
                meeting[-1].wait(timeout=0.4)
            except threading.BrokenBarrierError:
                pass  # the other receiver is waiting for the write lock this one holds
            return super().append_many(*args, **kwargs)

    clock, playbook = SystemClock(), load_playbook()
    writers = []
    for _ in range(2):
        store = Meeting(db, clock=clock)
        ledger = AlertLedger(store)
        ledger.folded(incident)
        writers.append((Writer(lambda: store, playbook, clock, {s: s for s in SOURCES.values()}), store, ledger, _Answers()))

    def post(writer, store, ledger, answers, body: bytes) -> None:
        writer._commit(store, ledger, [_Pending(parse_body(body, "alertmanager"), None, None, answers)])  # type: ignore[arg-type]

    rounds = 4
    with ThreadPoolExecutor(2) as pool:
        for n in range(rounds):
            meeting.append(threading.Barrier(2))
            body = json.dumps(alertmanager_body(am_alert(fingerprint=f"race{n}"))).encode()
            list(pool.map(lambda w: post(*w, body), writers))
    for _, store, _, _ in writers:
        store.close()
    fingerprints = [e.payload["fingerprint"] for e in alerts_in(db, incident)]
    assert fingerprints == [f"race{n}" for n in range(rounds)]
    answers = [a for _, _, _, said in writers for a in said.answers]
    assert sorted((a["stored"], a["repeats"]) for a in answers) == [(0, 1)] * rounds + [(1, 0)] * rounds


def test_two_receiver_processes_posted_the_same_alerts_store_each_once(db: Path) -> None:
    incident = declare(db)
    rounds = 40
    with Receiver(db) as one, Receiver(db) as other, ThreadPoolExecutor(2) as pool:
        for n in range(rounds):
            body = alertmanager_body(am_alert(fingerprint=f"both{n}"))
            answers = list(pool.map(lambda receiver: receiver.post("/alertmanager", body), (one, other)))
            assert [status for status, _ in answers] == [200, 200]
            assert sorted(json.loads(text)["stored"] for _, text in answers) == [0, 1]
    assert [e.payload["fingerprint"] for e in alerts_in(db, incident)] == [f"both{n}" for n in range(rounds)]


def test_requests_committed_together_are_tried_alone_when_one_cannot_be_written(db: Path) -> None:
    fine = declare(db, "Checkout is slow")
    broken = declare(db, "Database slow")
    conn = sqlite3.connect(db)
    conn.execute(f"CREATE TRIGGER refuse_broken BEFORE INSERT ON events WHEN NEW.incident = '{broken}' "
                 "BEGIN SELECT RAISE(ABORT, 'the disk is full'); END")
    conn.commit()
    conn.close()
    clock = SystemClock()
    store = Store(db, clock=clock)
    ledger = AlertLedger(store)
    answers = _Answers()
    writer = Writer(lambda: store, load_playbook(), clock, {s: s for s in SOURCES.values()})
    group = [_Pending(parse_body(json.dumps(alertmanager_body(am_alert(fingerprint=f"g{n}"))).encode(), "alertmanager"),
                      incident, None, answers)  # type: ignore[arg-type]
             for n, incident in enumerate((fine, broken, fine))]
    writer._commit(store, ledger, group)
    store.close()
    first, refused, third = answers.answers
    assert first["incidents"] == {fine: 1} and third["incidents"] == {fine: 1}
    assert refused.status == 503 and str(refused) == "nothing stored: the disk is full"
    assert [e.payload["fingerprint"] for e in alerts_in(db, fine)] == ["g0", "g2"]
    assert alerts_in(db, broken) == []
