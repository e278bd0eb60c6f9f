"""Reading a body's alerts (alerts.parse_body): each problem names its alert and field, whichever alert of a batch it
is in, and times shared by a batch's alerts read as each alert's own."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from warroom.alerts import AlertError, parse_body


def body(*alerts: dict) -> bytes:
    return json.dumps({"version": "4", "alerts": list(alerts)}).encode()


def alert(n: int, **fields) -> dict:
    return {"status": "firing", "labels": {"alertname": "Disk", "instance": f"db-{n}"}, "annotations": {"summary": "full"},
            "startsAt": "2026-12-01T10:00:00.5Z", "endsAt": "0001-01-01T00:00:00Z", "fingerprint": f"f{n}", **fields}


@pytest.mark.parametrize(
    ("third", "said"),
    [
        ({"labels": {"ok": "x", "bad": 1}}, "alerts[3].labels.bad: expected text, got the number 1"),
        ({"annotations": {"summary": "x" * 4097}}, "alerts[3].annotations.summary: 4,097 characters: expected at most 4,096"),
        ({"annotations": ["x"]}, "alerts[3].annotations: expected an object of name: text, got a list"),
        ({"startsAt": "2026-12-01T10:00:00.5"}, "alerts[3].startsAt: '2026-12-01T10:00:00.5': expected an RFC 3339 time"),
        ({"endsAt": 5}, "alerts[3].endsAt: expected an RFC 3339 time, got the number 5"),
        ({"startsAt": "2026-13-01T10:00:00Z"}, "alerts[3].startsAt: '2026-13-01T10:00:00Z' is not a date and time"),
        ({"fingerprint": ""}, "alerts[3].fingerprint: expected text of 1 to 128 characters"),
    ],
    ids=["label-not-text", "annotation-too-long", "annotations-not-object", "time-no-zone", "time-not-text", "no-such-date",
         "empty-fingerprint"],
)
def test_a_problem_in_the_third_alert_of_a_batch_names_it(third: dict, said: str) -> None:
    with pytest.raises(AlertError) as refused:
        parse_body(body(alert(1), alert(2), alert(3, **third)), "alertmanager")
    assert str(refused.value).startswith(said)


def test_alerts_that_share_their_times_each_have_them() -> None:
    one, two, resolved = parse_body(body(alert(1), alert(2), alert(3, status="resolved", endsAt="2026-12-01T10:00:00.5Z")),
                                    "alertmanager")
    started = datetime(2026, 12, 1, 10, 0, 0, 500000, tzinfo=timezone.utc)
    assert one.starts_at == two.starts_at == resolved.starts_at == resolved.ends_at == started
    assert one.ends_at is None and two.ends_at is None  # Go's zero time, and a firing alert has no end yet
    assert one.labels == {"alertname": "Disk", "instance": "db-1"} and one.text == "FIRING Disk db-1: full"
