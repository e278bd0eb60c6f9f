"""Time: the injectable clock, parsing of the times and durations people type, and how they read."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from warroom.errors import WarroomError, quoted

UTC = timezone.utc


class Clock(Protocol):
    """Anything that tells the time; the app holds one, tests hand it a FakeClock."""

    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FakeClock:
    """A clock that only moves when told to: tests never sleep for time to pass."""

    current: datetime = field(default_factory=lambda: datetime(2026, 11, 26, 14, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float = 0, **delta: float) -> datetime:
        self.current += timedelta(seconds=seconds, **delta)
        return self.current

    def set(self, when: datetime) -> None:
        self.current = when


# The years a time may have: the stored form has four digits of year, which keeps it sortable as text
# (the store and `verify` compare stored times as strings) and readable by datetime.fromisoformat.
EARLIEST_YEAR, LATEST_YEAR = 1000, 9999
_STORED = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\Z")
STORED_EXAMPLE = "2026-11-26T18:14:05.000Z"


def iso(when: datetime) -> str:
    """The stored form of a time: UTC ISO-8601 with milliseconds and a Z, always with four digits of year
    (strftime's %Y writes the year 500 as '500', which nothing reads back)."""
    when = when.astimezone(UTC)
    return (
        f"{when.year:04d}-{when.month:02d}-{when.day:02d}T{when.hour:02d}:{when.minute:02d}:{when.second:02d}."
        f"{when.microsecond // 1000:03d}Z"
    )


_EARLIEST = datetime(EARLIEST_YEAR, 1, 1, tzinfo=UTC)
# A day short of datetime's end: a stored time is shown in local time, up to 14 hours ahead of UTC.
_LATEST = datetime(LATEST_YEAR, 12, 30, 23, 59, 59, 999000, tzinfo=UTC)


def in_range(when: datetime) -> bool:
    """Whether the log can hold a time: a year from 1000 to 9999 (in UTC; the last day of 9999 is left
    out, so that any local time of it still exists)."""
    try:
        return _EARLIEST <= when.astimezone(UTC) <= _LATEST
    except (OverflowError, ValueError):  # a local time at the very edge of datetime's range
        return False


def check_in_range(when: datetime, what: str = "the time") -> datetime:
    """The time itself, or a WarroomError when the log could not hold it."""
    if not in_range(when):
        raise WarroomError(f"{what} is out of range: expected a year from {EARLIEST_YEAR} to {LATEST_YEAR}")
    return when


def stored_time_problem(text: Any) -> str | None:
    """None when `text` is a time exactly as the store writes it (and `iso` would write it again), else
    what is wrong with it: what an imported log or a payload must hold."""
    if not isinstance(text, str) or not _STORED.match(text):
        return f"expected a stored time like {STORED_EXAMPLE}, got {quoted(text)}"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return f"{quoted(text)} is not a date and time: expected one like {STORED_EXAMPLE}"
    if not in_range(when):
        return f"{quoted(text)} is out of range: expected a year from {EARLIEST_YEAR} to {LATEST_YEAR}"
    return None


def truncate_ms(when: datetime) -> datetime:
    """The time as it will read back from the log (stored times keep milliseconds)."""
    return when.replace(microsecond=when.microsecond // 1000 * 1000)


def parse_iso(text: str) -> datetime:
    """Read a stored time back (the inverse of `iso`)."""
    if text.endswith("Z"):  # what the store writes: already UTC
        return datetime.fromisoformat(text)
    return datetime.fromisoformat(text).astimezone(UTC)


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(d|h|m|s)", re.IGNORECASE)
_DURATION = re.compile(r"^\s*(?:\d+(?:\.\d+)?\s*[dhms]\s*)+$", re.IGNORECASE)
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text: str) -> timedelta:
    """'90s', '15m', '1h30m', '2d' as a timedelta; anything else is a WarroomError."""
    if not _DURATION.match(text or ""):
        raise WarroomError(f"bad duration {quoted(text)}: expected a number with a unit, like 90s, 15m, 1h30m")
    seconds = sum(float(n) * _UNIT_SECONDS[u.lower()] for n, u in _DURATION_PART.findall(text))
    try:
        return timedelta(seconds=seconds)
    except OverflowError:
        raise WarroomError(f"bad duration {quoted(text)}: too long; expected something like 90s, 15m, 1h30m") from None


def is_duration(text: str) -> bool:
    return bool(_DURATION.match(text or ""))


_CLOCK_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_AGO = re.compile(r"^(?:-\s*(.+)|(.+?)\s+ago)$", re.IGNORECASE)


def parse_time(text: str, now: datetime, *, future: bool = False) -> datetime:
    """A time as a person types it, in UTC.

    Accepted: 'now'; ISO-8601 ('2026-11-26T18:14', '2026-11-26 18:14:05Z', with an offset; without
    one it is local time); a clock time '18:14' (local; the most recent one that has passed, or with
    `future` the next one to come); '-10m' or '10m ago'; with `future`, a duration ('30m') from now.
    """
    try:
        when = _parse_time(text, now, future)
    except (OverflowError, ValueError):  # a date before year 1 or after 9999, as arithmetic finds it
        when = None
    if when is None or not in_range(when):  # the log holds years 1000-9999 only (see `iso`)
        raise WarroomError(
            f"bad time {quoted(text)}: out of range; expected a time near now (a year from {EARLIEST_YEAR} to {LATEST_YEAR})"
        ) from None
    return when


def _parse_time(text: str, now: datetime, future: bool) -> datetime:
    raw = (text or "").strip()
    if not raw:
        raise WarroomError("empty time: expected a time like 18:14, 2026-11-26T18:14, -10m or now")
    if raw.lower() == "now":
        return now
    ago = _AGO.match(raw)
    if ago and is_duration(ago.group(1) or ago.group(2)):
        return now - parse_duration(ago.group(1) or ago.group(2))
    if future and is_duration(raw):
        return now + parse_duration(raw)
    clock = _CLOCK_TIME.match(raw)
    if clock:
        hour, minute, second = int(clock.group(1)), int(clock.group(2)), int(clock.group(3) or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise WarroomError(f"bad time {quoted(text)}: hours run 0-23 and minutes 0-59")
        local_now = now.astimezone()
        candidate = local_now.replace(hour=hour, minute=minute, second=second, microsecond=0)
        if future and candidate <= local_now:
            candidate += timedelta(days=1)
        elif not future and candidate > local_now:
            candidate -= timedelta(days=1)
        return candidate.astimezone(UTC)
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        expected = "18:14, 2026-11-26T18:14, -10m, 10m ago or now"
        if future:
            expected = "30m, 1h30m, 18:14 or 2026-11-26T18:14"
        raise WarroomError(f"bad time {quoted(text)}: expected a time like {expected}") from None
    if parsed.tzinfo is None:
        parsed = parsed.astimezone()  # a time without an offset is the reader's local time
    return parsed.astimezone(UTC)


def parse_past_time(text: str, now: datetime, what: str = "--at") -> datetime:
    """A time that must not lie in the future (a backfilled fact, a start time)."""
    when = parse_time(text, now)
    if when > now + timedelta(seconds=1):
        raise WarroomError(f"{what} {quoted(text)} is in the future ({local_hm(when)}): facts can only be recorded for the past")
    return min(when, now)


def format_duration(delta: timedelta | float | None, *, seconds: bool = True) -> str:
    """A compact duration as the screen shows it: '45s', '12m 05s', '1h 02m', '2d 3h'."""
    if delta is None:
        return "-"
    total = int(delta.total_seconds() if isinstance(delta, timedelta) else delta)
    sign = "-" if total < 0 else ""
    total = abs(total)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours}h"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    if minutes:
        return f"{sign}{minutes}m {secs:02d}s" if seconds else f"{sign}{minutes}m"
    return f"{sign}{secs}s"  # under a minute, "0m" would say nothing


def countdown(left: timedelta) -> str:
    """A deadline on screen: minutes, and seconds only in the last two (a line that changes every second
    is redrawn every second)."""
    return format_duration(left, seconds=left < timedelta(minutes=2))


def format_clock(delta: timedelta) -> str:
    """Elapsed time as the big clock shows it: 'H:MM:SS' (hours grow past 24)."""
    total = max(0, int(delta.total_seconds()))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def format_span(delta: timedelta) -> str:
    """A span as a playbook writes it, largest unit first and nothing left out: '90s' reads '1m30s', 72 hours
    '3d', 70 minutes '1h10m'; zero is '0m'. What `parse_duration` reads back to the same span."""
    total = round(abs(delta.total_seconds()))
    sign = "-" if delta < timedelta(0) and total else ""
    parts = []
    for unit, seconds in _UNIT_SECONDS.items():
        count, total = divmod(total, seconds)
        if count:
            parts.append(f"{count}{unit}")
    return sign + ("".join(parts) or "0m")


def format_window(start: timedelta, end: timedelta | None) -> str:
    """A playbook window as people say it: '0-15m', '15-30m', '1-4h', '30m-1h', '1h-1h10m', '1h+'.

    Both ends share their unit when each is a whole number of the same one, and a start of zero is '0';
    otherwise each end is written in full (`format_span`)."""
    if end is None:
        return f"{format_span(start)}+"
    first, last = format_span(start), format_span(end)
    if start == timedelta(0):
        return f"0-{last}"
    if _single_unit(first) and _single_unit(last) and first[-1] == last[-1]:
        return f"{first[:-1]}-{last}"
    return f"{first}-{last}"


def _single_unit(span: str) -> bool:
    return span[:-1].isdigit()


def local_hm(when: datetime) -> str:
    """Local wall-clock time, HH:MM."""
    return when.astimezone().strftime("%H:%M")


def local_hms(when: datetime) -> str:
    return when.astimezone().strftime("%H:%M:%S")


def utc_hm(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%H:%M")
