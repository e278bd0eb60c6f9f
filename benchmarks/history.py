"""A year of history: 1,000 incidents and 1,000,000 events in one file; list, stats, followups, the browser.

Issue 14, Performance: "with a year of history in one file (1,000 incidents, 1,000,000 events),
`warroom list`, the browser's first frame, `stats` and `followups` each under 300 ms: their cost grows
with the incidents, not the events [...] The 100,000-event report stays under 3 s", against a raw
`sqlite3` count of the events in the same run.

The files are built once through the Store API (its connection with synchronous=OFF: no fsync per commit) (declare, append_many, the console's commands parsed by
warroom.commands) and kept in a cache folder (--cache, default the system's temp folder), then reused:

  - year.db: 1,000 incidents of 1,000 events each (declared, 990 alerts and notes in two batches,
    notify, ack, status mitigating, a checklist step, a follow-up with an owner and a due date, a third
    of them done, resolved; every 50th a drill), a year apart from first to last;
  - report.db: one incident of exactly 100,000 events (99,990 alerts in batches of 1,000, the same
    commands, resolved).

Closing the builder's store brings each incident's cached fold up to date (history.bring_up_to_date,
as every `warroom` verb that wrote does when it ends), so the year is measured as warroom leaves it.

Measured, each --repeat times, in rotating order, median and max:
  - raw: `sqlite3 year.db "SELECT count(*) FROM events"` (the sqlite3 shell, a process each), and
    `warroom --version`: the command's own start-up, which every verb pays before it reads anything;
  - `warroom list --json`, `warroom stats --json`, `warroom followups --json` (a process each, wall time);
  - the browser's first frame: in a child process, from opening the store and make_app to the first frame
    the compositor draws with the incident list in it (Textual's App.run_test, in-process, 160x48; the app's
    post_display_hook, called after every compositor update, so Pilot's 20 ms idle waits are not counted;
    Textual imported before the clock starts);
  - the console's first frame on an incident just declared in (a copy of) the year, against the same in a
    file holding that one incident only (in-process, the same way);
  - `warroom export INC-1 --format md -o FILE` of report.db's 100,000 events.

With --before PATH (a checkout of an older warroom, e.g. `git worktree add /tmp/before HEAD~N`), list,
stats and followups are also run once with PYTHONPATH=PATH on the same files, for the "before" column.

    python benchmarks/history.py [--repeat 5] [--cache DIR] [--before PATH] [--wait-quiet SECONDS]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    ROOT,
    bench_env,
    load_now,
    machine,
    percentile,
    table,
    verdict,
    wait_for_quiet,
    warroom_command,
    write_results,
)

TARGET_MS = 300
REPORT_TARGET_S = 3.0
BUILD_VERSION = "4"  # bump when what is built (or what its caches hold) changes: the cached files are rebuilt
YEAR_START = datetime(2025, 12, 1, tzinfo=timezone.utc)


def _commands(number: int) -> list[tuple[float, str]]:
    """(minutes after the start, a console command) for incident `number`."""
    done = [(50.0, "followup done 1")] if number % 3 == 0 else []
    return [
        (2.0, "notify"), (5.0, "ack"), (12.0, "check 1"), (20.0, "status mitigating"),
        (30.0, f"followup fix the retry storm of incident {number} @sam due 2026-12-31"), (45.0, "resolve"), *done,
    ]


def build(path: Path, incidents: int, per_incident: int, batch: int) -> None:
    """Incidents of `per_incident` events each through the Store API, the way the console and `warroom log -` write."""
    from warroom.clock import FakeClock
    from warroom.commands import declaration, parse
    from warroom.history import bring_up_to_date
    from warroom.incident import IncidentLog
    from warroom.playbook import load_playbook
    from warroom.store import Store

    playbook = load_playbook(None)
    severities = [s.id for s in playbook.severities]
    clock = FakeClock(YEAR_START)
    partial = path.with_suffix(".partial")
    for leftover in partial.parent.glob(partial.name + "*"):
        leftover.unlink()
    spacing = timedelta(days=365) / max(1, incidents)
    started = time.perf_counter()
    with Store(partial, clock=clock) as store:
        store.conn.execute("PRAGMA synchronous = OFF")  # a file for measuring, not a record: no fsync per commit
        for number in range(1, incidents + 1):
            start = YEAR_START + spacing * (number - 1)
            clock.set(start)
            payload = declaration(
                playbook, start, severities[number % len(severities)], f"Checkout errors, week {number}",
                "EU customers", drill=number % 50 == 0,
            )
            log = IncidentLog([store.declare(payload)])
            incident = log.events[0].incident
            script = _commands(number)
            fill = per_incident - 1 - len(script)
            made = 0
            minute = 1.0
            while made < fill:
                count = min(batch, fill - made)
                clock.set(start + timedelta(minutes=minute))
                items = [
                    ("alert" if (made + i) % 5 else "note", {"text": f"[FIRING] http_5xx_rate host=web-{(made + i) % 97:02d} value={i % 100}%"}, None)
                    for i in range(count)
                ]
                store.append_many(incident, items)
                made += count
                minute += 0.5
            for at_minute, command in script:
                clock.set(start + timedelta(minutes=max(at_minute, minute)))
                action = parse(command, log.state, clock.now())
                log.add(store.append(incident, action.kind, action.payload, at=action.at))
            if number % 100 == 0:
                print(f"  built {number} incidents ({time.perf_counter() - started:.0f} s)", flush=True)
        bring_up_to_date(store)
    partial.replace(path)
    for suffix in ("-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)


def cached(cache: Path, name: str, incidents: int, per_incident: int, batch: int) -> Path:
    path = cache / f"{name}-v{BUILD_VERSION}-{incidents}x{per_incident}.db"
    if not path.exists():
        print(f"building {path} ({incidents} incidents of {per_incident} events; once)", flush=True)
        started = time.perf_counter()
        build(path, incidents, per_incident, batch)
        print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    return path


def timed(args: list[str], env: dict[str, str], cwd: Path | str = ROOT) -> float:
    started = time.perf_counter()
    result = subprocess.run(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed: {result.stderr.decode(errors='replace')}")
    return seconds


FIRST_FRAME = r'''
import asyncio, sys, time
from textual.widgets import OptionList
import textual.app
from warroom.store import Store
from warroom.tui.app import make_app

path, mode, incident = sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None

def shown(app):
    screen = app.screen
    if mode == "browser":
        return type(screen).__name__ == "BrowserScreen" and screen.is_mounted and screen.query_one(OptionList).option_count > 0
    return type(screen).__name__ == "ConsoleScreen" and screen.is_mounted and screen.state is not None

async def main():
    started = time.perf_counter()
    drawn = []
    store = Store(path, create=False)
    app = make_app(store, browse="" if mode == "browser" else None, incident_id=incident)

    def frame():  # Textual calls it after every compositor update: the first frame that shows it ends the sample
        if not drawn and shown(app):
            drawn.append(time.perf_counter() - started)

    app.post_display_hook = frame
    async with app.run_test(size=(160, 48)) as pilot:
        while not drawn:
            await pilot.pause()
    store.close()
    print(drawn[0])

asyncio.run(main())
'''


def first_frame(path: Path, mode: str, env: dict[str, str], incident: str | None = None) -> float:
    args = [sys.executable, "-c", FIRST_FRAME, str(path), mode] + ([incident] if incident else [])
    result = subprocess.run(args, env=env, capture_output=True, text=True, cwd=ROOT)
    if result.returncode != 0:
        sys.exit(f"first frame ({mode}) failed: {result.stderr}")
    return float(result.stdout.strip().splitlines()[-1])


def declared_copy(source: Path | None, folder: Path, env: dict[str, str]) -> tuple[Path, str]:
    """A copy of `source` (or a new file) with one incident declared just now: the console's fresh incident."""
    target = folder / f"fresh-{time.monotonic_ns()}.db"
    if source is not None:
        shutil.copyfile(source, target)
    out = subprocess.run(
        [warroom_command(), "--db", str(target), "declare", "-s", "P1", "-t", "Fresh incident", "--started-at", "-20m"],
        env=env, capture_output=True, text=True, check=True,
    )
    return target, out.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "warroom-bench-history")
    parser.add_argument("--incidents", type=int, default=1000)
    parser.add_argument("--events-per-incident", type=int, default=1000)
    parser.add_argument("--report-events", type=int, default=100_000)
    parser.add_argument("--before", metavar="PATH", help="also run list, stats and followups once with PYTHONPATH=PATH")
    parser.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS")
    options = parser.parse_args()
    options.cache.mkdir(parents=True, exist_ok=True)
    year = cached(options.cache, "year", options.incidents, options.events_per_incident, 500)
    report_db = cached(options.cache, "report", 1, options.report_events, 1000)
    wait_for_quiet(options.wait_quiet)
    facts = machine()
    tmp = Path(tempfile.mkdtemp(prefix="warroom-history-"))
    try:
        env = bench_env(tmp, year)
        command = warroom_command()
        events = subprocess.run(["sqlite3", str(year), "SELECT count(*) FROM events"], capture_output=True, text=True, check=True)
        print(f"{year}: {events.stdout.strip()} events, {year.stat().st_size / 1e6:.0f} MB", flush=True)
        cases = {
            "raw sqlite3 count(*)": lambda: timed(["sqlite3", str(year), "SELECT count(*) FROM events"], env),
            "warroom --version (start-up alone)": lambda: timed([command, "--version"], env),
            "warroom list --json": lambda: timed([command, "list", "--json"], env),
            "warroom stats --json": lambda: timed([command, "stats", "--json"], env),
            "warroom followups --json": lambda: timed([command, "followups", "--json"], env),
            "browser first frame (in-process)": lambda: first_frame(year, "browser", env),
        }
        for case in cases.values():  # warm-up: the page cache and the bytecode cache, as after a first run
            case()
        times: dict[str, list[float]] = {name: [] for name in cases}
        names = list(cases)
        for round_number in range(options.repeat):
            for name in names[round_number % len(names):] + names[: round_number % len(names)]:
                times[name].append(cases[name]())
        fresh_times: dict[str, list[float]] = {"console first frame, fresh incident in the year": [],
                                               "console first frame, fresh incident alone": []}
        for _ in range(options.repeat):
            for label, source in (("in the year", year), ("alone", None)):
                copy, incident = declared_copy(source, tmp, env)
                fresh_times[f"console first frame, fresh incident {label}"].append(first_frame(copy, "console", env, incident))
                for leftover in tmp.glob(copy.name + "*"):
                    leftover.unlink()
        report_env = bench_env(tmp, report_db)
        out = tmp / "report.md"
        report_times = [timed([command, "export", "INC-1", "--format", "md", "-o", str(out)], report_env) for _ in range(options.repeat)]
        before: dict[str, float] = {}
        if options.before:
            before_env = dict(env, PYTHONPATH=options.before)
            for verb in ("list", "stats", "followups"):
                # From the older checkout's folder: `python -m` looks there first (from this one it found this warroom).
                before[f"warroom {verb} --json"] = timed([sys.executable, "-m", "warroom", verb, "--json"], before_env, options.before)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    rows, results = [], {}
    for name, values in {**times, **fresh_times}.items():
        median = percentile(values, 50) * 1000
        target = TARGET_MS if name.startswith(("warroom", "browser")) else None
        results[name] = {"median_ms": round(median, 1), "max_ms": round(max(values) * 1000, 1), "runs": len(values),
                         "before_ms": round(before[name] * 1000, 1) if name in before else None}
        rows.append([name, f"{median:.0f}", f"{max(values) * 1000:.0f}",
                     f"{before[name] * 1000:.0f}" if name in before else "", f"< {target}" if target else "",
                     verdict(median < target) if target else ""])
    report_median = percentile(report_times, 50)
    results["export --format md, 100,000 events"] = {"median_ms": round(report_median * 1000, 1),
                                                     "max_ms": round(max(report_times) * 1000, 1), "runs": len(report_times)}
    rows.append(["export --format md, 100,000 events", f"{report_median * 1000:.0f}", f"{max(report_times) * 1000:.0f}", "",
                 f"< {REPORT_TARGET_S * 1000:.0f}", verdict(report_median < REPORT_TARGET_S)])
    print(table(["what", "median ms", "max ms", "before ms", "target", "verdict"], rows))
    facts["loadavg_at_end"] = load_now()
    path = write_results("history", {"machine": facts, "files": {"year": str(year), "report": str(report_db)},
                                     "results": results, "command": " ".join(sys.argv)})
    print(f"written {path}")


if __name__ == "__main__":
    main()
