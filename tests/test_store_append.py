"""The store's batch append path (one executemany, each payload put in JSON once) and its batch read give exactly
what the one-at-a-time forms give: the same hashes, row ids, refusals and events."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom import events as kinds
from warroom.errors import WarroomError
from warroom.events import Event, canonical_json, chain_hash, events_from_rows
from warroom.store import EVENT_COLUMNS, Store

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)  # anything UTF-8 holds: controls, quotes, \, emoji


@settings(deadline=None, max_examples=300)
@given(st.lists(TEXT, min_size=7, max_size=7), st.integers(min_value=0, max_value=2**62))
def test_the_chain_hash_is_the_sha256_of_the_canonical_json_of_the_fields(texts: list[str], seq: int) -> None:
    incident, kind, actor, payload_json, at, recorded_at, prev_hash = texts
    listed = json.dumps([incident, seq, kind, actor, payload_json, at, recorded_at, prev_hash], sort_keys=True,
                        separators=(",", ":"), ensure_ascii=False)
    assert chain_hash(incident, seq, kind, actor, payload_json, at, recorded_at, prev_hash) == \
        hashlib.sha256(listed.encode("utf-8")).hexdigest()


def test_a_field_an_edited_file_holds_is_hashed_as_it_reads() -> None:
    """A seq of 5.0 or a NULL (an edit behind the program's back) does not hash as the 5 or the text it replaced."""
    fields = ("INC-1", "alert", "a", "{}", "t", "t", "0" * 64)
    assert chain_hash(fields[0], 5.0, *fields[1:]) != chain_hash(fields[0], 5, *fields[1:])  # type: ignore[arg-type]
    assert chain_hash(fields[0], 5, None, *fields[2:]) == hashlib.sha256(  # type: ignore[arg-type]
        canonical_json(["INC-1", 5, None, "a", "{}", "t", "t", "0" * 64]).encode()).hexdigest()


def test_a_batch_appends_as_its_events_one_at_a_time_would(store: Store, declare, clock, tmp_path: Path) -> None:
    incident = declare()
    start = clock.now()
    items = [
        (kinds.ALERT, {"text": "disk 95%", "status": "firing", "labels": {"alertname": "Disk", "é": "\"q\"\\\n"}},
         start - timedelta(minutes=3)),
        (kinds.NOTE, {"text": "looking"}, None),
        (kinds.STATUS, {"status": "mitigating"}, None),
        (kinds.ALERT, {"text": "again", "starts_at": "2026-11-26T13:57:00.000Z"}, start - timedelta(minutes=3)),
        (kinds.TITLE, {"title": "Disk full"}, start - timedelta(minutes=1)),
        (kinds.STATUS, {"status": "investigating"}, start - timedelta(minutes=2)),  # backfilled: the index is read from the log
        (kinds.NOTE, {"text": "🔥 tab\tand \x1b[31m"}, start),
    ]
    appended = store.append_many(incident, items, actor="alertmanager")
    assert appended == store.events(incident)[1:]  # what append returns is what the log reads back
    row_ids = [row[0] for row in store.conn.execute("SELECT id FROM events WHERE incident = ? AND seq > 1 ORDER BY seq",
                                                    (incident,))]
    assert [event.id for event in appended] == row_ids and row_ids == list(range(row_ids[0], row_ids[0] + len(items)))
    assert store.verify(incident) is None
    # The listing columns moved with the statuses and the title in the batch, as single appends move them (the
    # backfilled status happened before the other: mitigating stands).
    assert store.incident(incident).status == "mitigating" and store.incident(incident).title == "Disk full"
    # Appended one at a time into a second file, the same facts chain to the same hashes (the clock stands still).
    other = Store(tmp_path / "other.db", clock=clock)
    other_incident = other.declare(store.events(incident)[0].payload, at=store.events(incident)[0].at,
                                   actor=store.events(incident)[0].actor)
    assert other_incident.hash == store.events(incident)[0].hash
    singly = [other.append(other_incident.incident, kind, payload, actor="alertmanager", at=at) for kind, payload, at in items]
    assert [e.hash for e in singly] == [e.hash for e in appended]
    other.close()


@pytest.mark.parametrize(
    ("payload", "said"),
    [
        ({"text": "caf\udce9"}, "the alert event's text is not UTF-8 text (the byte \\xe9 at character 4): expected UTF-8 text"),
        ({"text": "x", "labels": {"k\ud800": "v"}}, "the alert event's labels (a key) is not UTF-8 text"),
        ({"text": "x", "starts_at": "yesterday"}, "the alert event's starts_at: expected a stored time like"),
        (["not", "an", "object"], "the alert event's payload is a list: expected an object"),
    ],
    ids=["surrogate-value", "surrogate-key", "bad-time", "not-an-object"],
)
def test_a_batch_with_one_unstorable_payload_stores_none_of_it(store: Store, declare, payload, said: str) -> None:
    incident = declare()
    before = len(store.events(incident))
    with pytest.raises(WarroomError) as refused:
        store.append_many(incident, [(kinds.ALERT, {"text": "fine"}, None), (kinds.ALERT, payload, None)])
    assert str(refused.value).startswith(said)
    assert len(store.events(incident)) == before


def test_a_transaction_holds_several_writes_and_a_failed_inner_one_leaves_nothing(store: Store, declare, playbook, clock) -> None:
    from conftest import declaration_payload

    first = declare()
    before = store.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.append(first, kinds.NOTE, {"text": "kept only with the rest"})
            store.declare(declaration_payload(playbook, clock.now(), title="Second"))
            raise RuntimeError("the request failed")
    assert store.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == before
    assert [row.id for row in store.incidents()] == [first]
    with store.transaction():
        store.append(first, kinds.NOTE, {"text": "one"})
        with pytest.raises(WarroomError):
            store.append_many(first, [(kinds.NOTE, {"text": "two"}, None), (kinds.NOTE, {"text": "caf\udce9"}, None)])
        store.append(first, kinds.NOTE, {"text": "three"})
    assert [e.payload["text"] for e in store.events(first)[1:]] == ["one", "three"]
    assert store.verify(first) is None


def test_rows_read_together_are_the_events_each_row_reads_as(store: Store, declare, clock, db_path: Path) -> None:
    incident = declare()
    store.append_many(incident, [(kinds.ALERT, {"text": f"a{n}"}, clock.now() - timedelta(seconds=n // 2)) for n in range(6)],
                      actor="alertmanager")
    clock.advance(5)
    store.append(incident, kinds.NOTE, {"text": "n"})
    rows = store.conn.execute(f"SELECT {EVENT_COLUMNS} FROM events ORDER BY id").fetchall()
    read = events_from_rows(rows)
    assert read == [Event.from_row(row) for row in rows]
    assert all(a.prev_hash is b.hash for a, b in zip(read[1:], read))  # one string, not two equal ones
    assert read[1].recorded_at is read[2].recorded_at  # a batch's one recorded_at, read once


def test_an_unreadable_time_is_the_same_one_line_read_together(db_path: Path, store: Store, declare) -> None:
    incident = declare()
    store.append(incident, kinds.NOTE, {"text": "x"})
    conn = sqlite3.connect(db_path)
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("UPDATE events SET at = '500-01-01T00:00:00.000Z' WHERE seq = 2")
    conn.commit()
    conn.close()
    rows = Store(db_path, readonly=True).conn.execute(f"SELECT {EVENT_COLUMNS} FROM events ORDER BY id").fetchall()
    with pytest.raises(WarroomError) as together:
        events_from_rows(rows)
    with pytest.raises(WarroomError) as alone:
        Event.from_row(rows[1])
    assert str(together.value) == str(alone.value) and "its time is unreadable" in str(together.value)
