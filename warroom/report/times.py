"""How the review says times: durations in words, local and UTC clock times, the zone's name (incident time is warroom.timeline.t_plus)."""

from __future__ import annotations

from datetime import datetime, timedelta

import humanize

from warroom.clock import UTC


def say(delta: timedelta | float | None) -> str:
    """A duration the way people say it: '4 minutes and 10 seconds', '1 hour and 52 minutes'.

    Under an hour it is exact to the second; from an hour on, to the minute. Both cut, never round, as the
    clocks (T+0:05:13, the console's digits) do: one rule, so "5 minutes and 13 seconds" is T+0:05:13.
    """
    if delta is None:
        return "-"
    seconds = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
    seconds = int(abs(seconds))
    if seconds >= 3600:
        return humanize.precisedelta(timedelta(minutes=seconds // 60), minimum_unit="minutes", format="%0.0f")
    return humanize.precisedelta(timedelta(seconds=seconds), minimum_unit="seconds", format="%0.0f")


def zone_name(when: datetime) -> str:
    """The local zone's name at that moment ('CET'), or its offset when it has none ('UTC+05:30')."""
    local = when.astimezone()
    name = local.strftime("%Z")
    if not name or name[0] in "+-":
        offset = local.strftime("%z")
        name = f"UTC{offset[:3]}:{offset[3:]}" if offset else "local"
    return name


def local_time(when: datetime, *, date: bool = False, zone: bool = False) -> str:
    local = when.astimezone()
    text = local.strftime("%Y-%m-%d %H:%M:%S" if date else "%H:%M:%S")
    return f"{text} {zone_name(when)}" if zone else text


def utc_time(when: datetime, *, date: bool = True) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S" if date else "%H:%M:%S")
