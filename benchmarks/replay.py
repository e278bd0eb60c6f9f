"""Replay and the post-incident report on one 100,000-event incident, against a bare Textual app and raw sqlite3.

Issue 5, Performance: "With one incident of 100,000 events (most of them alerts piped in through
`warroom log -`): ... replay's first frame in under 2 s; each step or jump under 50 ms (keep
snapshots of the fold so that a jump never refolds from the start); the Markdown export in under
3 s; resident memory under 200 MB throughout."

The incident, built once per run on a temporary database: `warroom declare -s P1 --started-at -20m`,
then 99,967 alerts (benchmarks/ingest.py's generator) piped in through `warroom log INC-1 - --kind
alert` in 32 stretches, and between the stretches what a room does meanwhile: 26 `warroom act`
commands (notify and ack three rungs, sev P0 and back to P1, check 12 steps, phase next twice, status
mitigating, eta 30m) and 6 copies of the message templates (`copy` is console-only, so these are
appended through the store exactly as the console records one: the template filled from the state
at that moment, via osc52), then `warroom act INC-1 resolve`. Exactly 100,000 events; nothing
backfilled; `warroom verify` must pass.

(a) First frame, in a real terminal: a private tmux server (`tmux -L`, no config, 120x40,
    tmux-256color, the helpers of benchmarks/console.py); each run is `tmux new-session` of
    `warroom replay INC-1`, then `capture-pane` every 10 ms until REPLAY, the four panes' titles,
    "paused" and the footer's "palette" are on the screen; time from just before new-session. The
    same rounds (rotating order, one warm-up) run the bare Textual app (benchmarks/bare_app.py, until
    "BARE tick 0" and "palette") and a raw sqlite3 read of the incident's 100,000 rows (`python -c`:
    connect read-only, the store's own SELECT of every column ... ORDER BY seq, fetchall), whole
    process. VmHWM of the replay process at its first frame. Then where start-up goes without a
    profiler: one child process timing each phase (imports, Store, Store.events, Replay() = the fold
    of every event for its checkpoints, ...), 3 times.
(b) In the same terminal: replay's first frame, then rounds of `send-keys` End, Left, Right, Home,
    then rounds of a jump to a time (g, "+SECONDS" of an event near the middle, Enter), each polling
    capture-pane until the timeline pane shows the cursor where the key sent it; then VmRSS and
    VmHWM of the replay process (VmHWM: its peak over the whole session).
(c) Each step or jump, in-process: `App.run_test(size=(120, 40))` on the same database, read-only
    and with the collector as `warroom replay` runs it. At P positions spread evenly over the
    incident: go there (untimed), then post (as a terminal driver does) Right, Left, End, Home, and
    a jump to a time (`g`, "+SECONDS" of another spread position typed into the jump bar, untimed; the
    timed key is Enter); each sample runs from posting the key to the first frame the compositor
    draws once the cursor is where the key sent it (App.post_display_hook); `pilot.pause()` between
    samples, untimed. The bare app's space (a Static's counter) is the baseline, in the same run.
    Full (generation 2) garbage collections inside each sample are counted.
(d) `warroom export INC-1 --format md -o FILE` and `--format csv -o FILE`, whole process, N rounds
    with a baseline in the same rounds: raw sqlite3 reading the same rows and writing them with
    csv.writer (`python -c`). Wall time and peak memory (ru_maxrss, = VmHWM) of each, taken by a
    small waiter process (see PEAK_WAITER).
Then, unless --no-profile: cProfile of replay's start-up to the first frame (this script with
--profile-child, in tmux), of each step or jump kind in-process (with the widgets that ask for a
layout during each), and of both exports.

`--rev REV` measures one commit exactly (a clean `git archive` of it, first on PYTHONPATH); without
it, the working tree (the editable install) is measured.

    python benchmarks/replay.py [--events 100000] [--runs 10] [--positions 100] [--tmux-samples 10]
                                [--export-runs 5] [--no-profile] [--rev REV] [--wait-quiet SECONDS]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import os
import pstats
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    HERE,
    ROOT,
    bench_env,
    load_now,
    machine,
    percentile,
    summary_ms,
    table,
    verdict,
    wait_for_quiet,
    warroom_command,
    write_results,
)

TARGETS = {"first_frame_ms": 2000, "step_ms": 50, "export_md_s": 3.0, "memory_mb": 200}
INCIDENT = "INC-1"
BARE_MARKERS = ("BARE tick 0", "palette")
SCRUBBER = re.compile(r"event (\d+)/(\d+)")

# What the room does while the alerts pour in: (share of the alerts piped in before it, command).
# `copy` is console-only: those are appended as the console records a copy (see COPY_SCRIPT).
PLAN: list[tuple[float, list[str]]] = [
    (0.002, ["notify", "oncall"]),
    (0.004, ["ack", "oncall"]),
    (0.010, ["check", "1"]),
    (0.020, ["copy", "internal"]),
    (0.030, ["check", "2"]),
    (0.050, ["sev", "P0"]),
    (0.052, ["notify", "manager"]),
    (0.060, ["ack", "manager"]),
    (0.080, ["check", "3"]),
    (0.100, ["check", "4"]),
    (0.120, ["copy", "customer"]),
    (0.150, ["phase", "next"]),
    (0.180, ["notify", "cto"]),
    (0.200, ["ack", "cto"]),
    (0.250, ["check", "5"]),
    (0.300, ["copy", "internal"]),
    (0.350, ["check", "6"]),
    (0.400, ["status", "mitigating"]),
    (0.420, ["eta", "30m"]),
    (0.450, ["copy", "customer"]),
    (0.500, ["check", "7"]),
    (0.550, ["check", "8"]),
    (0.600, ["phase", "next"]),
    (0.650, ["copy", "internal"]),
    (0.700, ["sev", "P1"]),
    (0.750, ["check", "9"]),
    (0.800, ["copy", "customer"]),
    (0.850, ["check", "10"]),
    (0.900, ["check", "11"]),
    (0.950, ["check", "12"]),
    (0.990, ["copy", "customer"]),
    (1.000, ["resolve"]),
]

# A copy, recorded as the console's ConsoleScreen._copy_and_record does (the template filled from the
# state at that moment, the exact text kept), through the installed warroom's own Store.
COPY_SCRIPT = """
import sys
from warroom import events as kinds
from warroom.comms import fill
from warroom.incident import state_of
from warroom.store import Store
incident, template_id = sys.argv[1], sys.argv[2]
store = Store()
state = state_of(store.events(incident))
template = next(t for t in state.playbook.templates if t.id == template_id)
text = fill(template, state, store.clock.now()).text
store.append(incident, kinds.COPIED, {"what": template.id, "name": template.name, "text": text, "via": "osc52"})
store.close()
"""

# Baselines: the store's own SELECT of every column of the incident's rows, read whole, read-only.
RAW_READ = """
import sqlite3, sys
conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
rows = conn.execute("SELECT %s FROM events WHERE incident = ? AND seq > ? ORDER BY seq", (sys.argv[2], 0)).fetchall()
assert len(rows) == int(sys.argv[3]), len(rows)
if len(sys.argv) > 4:
    import csv
    with open(sys.argv[4], "w", newline="") as out:
        csv.writer(out, lineterminator="\\n").writerows(rows)
"""

# Where replay's start-up goes, without a profiler: each phase timed in one child process.
PHASES_SCRIPT = """
import json, sys, time
def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
marks = []
t = time.perf_counter()
def mark(name):
    global t
    now = time.perf_counter()
    marks.append([name, round(now - t, 4), hwm()])
    t = time.perf_counter()
import warroom.tui.app
mark("import warroom.tui.app (Textual, sqlite-utils, yaml, warroom core)")
import warroom.tui.screens.replay
mark("import warroom.tui.screens.replay (its widgets)")
from warroom.store import Store
from warroom.replay import Replay
store = Store(readonly=True)
mark("Store(readonly=True): open, schema check")
events = store.events(sys.argv[1])
mark("Store.events: 100k rows -> Event (json.loads, 2 parse_iso each)")
replay = Replay(events)
mark("Replay(events): sort, then the fold of every event (IncidentLog.add), a checkpoint every 500")
state = replay.state_after(len(replay))
mark("Replay.state_after(len) (ReplayScreen.compose, for the playbook)")
state = replay.state_after(1)
mark("Replay.state_after(1) (the first go_to)")
from warroom.incident import state_of
state_of(events)
mark("diagnostic: incident.state_of(events) (the same fold again, on its own)")
print(json.dumps(marks))
"""


# --- the incident -----------------------------------------------------------------------------------


def build_database(db: Path, warroom: list[str], env: dict[str, str], total: int) -> dict:
    """The 100,000-event incident (see the module's docstring); returns what was built and how long it took."""
    from ingest import alert_lines  # the ingest benchmark's generator: varied hosts, checks and values

    run_env = dict(env, WARROOM_DB=str(db))
    alerts_total = total - 1 - len(PLAN)  # the declaration, the room's events (the last is the resolve)
    lines = alert_lines(alerts_total).decode().splitlines(keepends=True)
    started = time.perf_counter()
    subprocess.run([*warroom, "declare", "-s", "P1", "-t", "Checkout API returning 502s", "--started-at", "-20m",
                    "--impact", "EU customers cannot pay"], env=run_env, check=True, stdout=subprocess.DEVNULL)
    piped = 0
    act_s: list[float] = []
    for share, command in PLAN:
        upto = round(alerts_total * share)
        if upto > piped:
            subprocess.run([*warroom, "log", INCIDENT, "-", "--kind", "alert"], env=run_env, check=True,
                           input="".join(lines[piped:upto]).encode())
            piped = upto
        t0 = time.perf_counter()
        if command[0] == "copy":
            subprocess.run([sys.executable, "-c", COPY_SCRIPT, INCIDENT, command[1]], env=run_env, check=True,
                           cwd=db.parent)  # not the checkout: `python -c` puts its folder first on sys.path
        else:
            subprocess.run([*warroom, "act", INCIDENT, *command], env=run_env, check=True, stdout=subprocess.DEVNULL)
        act_s.append(time.perf_counter() - t0)
    build_s = time.perf_counter() - started
    with sqlite3.connect(db) as conn:
        count, low, high = conn.execute(
            "SELECT COUNT(*), MIN(seq), MAX(seq) FROM events WHERE incident = ?", (INCIDENT,)).fetchone()
        kinds = dict(conn.execute(
            "SELECT kind, COUNT(*) FROM events WHERE incident = ? GROUP BY kind ORDER BY 2 DESC", (INCIDENT,)).fetchall())
        backfilled = conn.execute("SELECT COUNT(*) FROM events WHERE incident = ? AND at != recorded_at",
                                  (INCIDENT,)).fetchone()[0]
        first, last = conn.execute("SELECT MIN(recorded_at), MAX(recorded_at) FROM events WHERE incident = ?",
                                   (INCIDENT,)).fetchone()
        status = conn.execute("SELECT status FROM incidents WHERE id = ?", (INCIDENT,)).fetchone()[0]
    verified = subprocess.run([*warroom, "verify", INCIDENT], env=run_env, capture_output=True, text=True)
    if count != total or (low, high) != (1, total) or verified.returncode != 0 or status != "resolved":
        sys.exit(f"benchmark: the incident has {count} events (seq {low}..{high}), status {status}, verify: "
                 f"{verified.stdout or verified.stderr}")
    return {
        "events": count, "kinds": kinds, "backfilled": backfilled, "status": status,
        "recorded_from": first, "recorded_to": last, "db_mb": round(db.stat().st_size / 2**20, 1),
        "build_s": round(build_s, 1), "act_or_copy_s_median": round(percentile(act_s, 50), 2),
        "act_or_copy_s_max": round(max(act_s), 2), "verify": verified.stdout.strip(),
    }


# --- (a) first frame, (b) keys and memory in tmux ---------------------------------------------------------


def status_mb(pid: int) -> dict[str, float]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = round(int(rest.split()[0]) / 1024, 1)
    return values


def run_raw_read(db: Path, total: int, env: dict[str, str], csv_out: Path | None = None) -> tuple[float, float]:
    """The raw sqlite3 baseline as a whole process: (wall seconds, peak memory MB)."""
    from warroom.store import EVENT_COLUMNS

    argv = [sys.executable, "-c", RAW_READ % EVENT_COLUMNS, str(db), INCIDENT, str(total)]
    if csv_out is not None:
        argv.append(str(csv_out))
    return timed_process(argv, env)


# wait4's ru_maxrss of a child of this (large) process counts the pages it had when it forked, so the
# peak of each timed command is taken by this small waiter instead: it forks and execs the command,
# times it from fork to exit (its own start-up not included) and writes "SECONDS PEAK_KB" to a file.
PEAK_WAITER = """
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
with open(sys.argv[1], "w") as out:
    out.write(f"{seconds} {usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def timed_process(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time of a whole process (fork to exit) and its peak resident memory in MB (VmHWM: ru_maxrss)."""
    with tempfile.TemporaryDirectory() as folder:
        facts = Path(folder) / "facts"
        done = subprocess.run([sys.executable, "-c", PEAK_WAITER, str(facts), *argv], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, cwd=folder)
        if done.returncode != 0:
            sys.exit(f"benchmark: {' '.join(argv[:4])} exited {done.returncode}: {done.stderr.decode(errors='replace')}")
        seconds, peak_kb = facts.read_text().split()
    return float(seconds), round(int(peak_kb) / 1024, 1)


def first_frames(con, programs: dict, db: Path, total: int, env: dict[str, str], runs: int) -> dict:
    """Rounds in rotating order (round -1 is a warm-up): each tmux program to its first frame, and the raw read."""
    names = [*programs, "raw sqlite3 read"]
    samples: dict[str, list[float]] = {name: [] for name in names}
    hwm: list[float] = []
    for round_ in range(-1, runs):
        order = names[round_ % len(names):] + names[: round_ % len(names)] if round_ >= 0 else names
        for name in order:
            if name == "raw sqlite3 read":
                seconds, _ = run_raw_read(db, total, env)
            else:
                argv, markers = programs[name]
                started = con.start("run", argv, db if name != "bare" else None)
                pid = con.app_pid("run")
                seen, _ = con.wait_for("run", markers)
                seconds = seen - started
                if name == "replay" and round_ >= 0:
                    hwm.append(status_mb(pid)["VmHWM"])
                con.stop("run", pid)
            if round_ >= 0:
                samples[name].append(seconds)
    return {"samples": samples, "replay_vm_hwm_mb_at_first_frame": hwm}


def scrubber_count(screen: str) -> int | None:
    found = SCRUBBER.search(screen)
    return int(found.group(1)) if found else None


def keys_in_tmux(con, argv: list[str], markers: tuple[str, ...], db: Path, middle: dict, samples: int) -> dict:
    """In the real terminal: send-keys, then capture-pane until the screen shows the cursor where the key sent it.

    The timeline pane, not the scrubber, says where the cursor is (up to 07c05e6 the scrubber's line was
    longer than the screen at any width, the bar taking all but 60 columns, and its last word, "K/100000",
    wrapped out of sight): at the end its last line is the resolution (one step back, it is gone); at the start
    it holds the declaration and no alert; after the jump, the alert `middle` names is on it (by its
    unique "id=NNNNNN") and the next one is not.

    The steps run before any jump: up to e549d27, once the jump dialog had closed, the first focusable
    widget (the tabs) had the focus and took Left and Right (`right_steps_after_a_jump` checks it).
    """
    con.start("keys", argv, db)
    pid = con.app_pid("keys")
    con.wait_for("keys", markers)
    at_first_frame = status_mb(pid)
    time.sleep(2)
    results: dict[str, list[float]] = {}

    def press(key: str, arrived, timeout: float = 30) -> float | None:
        start_time = time.perf_counter()
        con.tmux("send-keys", "-t", "keys", key)
        while True:
            text = con.capture("keys")
            if arrived(text):
                return time.perf_counter() - start_time
            if time.perf_counter() - start_time > timeout:
                if timeout < 30:
                    return None
                raise RuntimeError(f"replay: the screen did not change after {key}:\n{text}")

    at_end = lambda t: "resolved Resolved" in t  # noqa: E731
    at_start = lambda t: "Declared P1" in t and "[FIRING]" not in t  # noqa: E731
    for i in range(samples + 1):  # the first round is a warm-up
        timed = {"End (jump to the end)": press("End", at_end)}
        time.sleep(0.05)
        timed["Left (step back from the end)"] = press("Left", lambda t: not at_end(t) and "[FIRING]" in t)
        time.sleep(0.05)
        timed["Right (step forward to the end)"] = press("Right", at_end)
        time.sleep(0.05)
        timed["Home (jump to the start)"] = press("Home", at_start)
        time.sleep(0.05)
        if i:
            for key, seconds in timed.items():
                results.setdefault(key, []).append(seconds)
    here, after = middle["id_here"], middle["id_next"]
    for i in range(samples + 1):
        con.tmux("send-keys", "-t", "keys", "g")  # the jump question, then the middle event's offset (untimed)
        con.wait_for("keys", ("or +20m from the start",))  # the jump bar's placeholder (up to f9ba480: the dialog's text)
        con.tmux("send-keys", "-t", "keys", "-l", f"+{middle['offset_s']:.3f}s")
        time.sleep(0.05)
        seconds = press("Enter", lambda t: here in t and after not in t)
        if i:
            results.setdefault(f"jump to a time (Enter; to event {middle['count']:,})", []).append(seconds)
        time.sleep(0.05)
        press("Home", at_start)
        time.sleep(0.05)
    # Does Right still step once the jump question has closed? (At the start, one step shows the first alert.)
    stepped = press("Right", lambda t: "id=000000" in t, timeout=2) is not None
    footer = con.capture("keys").rstrip("\n").splitlines()[-1]
    memory = status_mb(pid)
    con.stop("keys", pid)
    return {"keys": {key: summary_ms(values) for key, values in results.items()},
            "right_steps_after_a_jump": stepped, "footer_after_a_jump": footer.strip(),
            "at_first_frame": at_first_frame, "at_end": memory, "middle": middle}


def middle_position(db: Path, share: float = 0.47) -> dict:
    """A jump target near the middle whose event and the next are alerts (their "id=NNNNNN" is unique)."""
    from bisect import bisect_right

    from warroom.clock import parse_iso

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT kind, payload, recorded_at FROM events WHERE incident = ? ORDER BY seq",
                            (INCIDENT,)).fetchall()
    recorded = [r[2] for r in rows]
    start = parse_iso(recorded[0])
    for target in range(round(len(rows) * share), len(rows)):
        when = recorded[target - 1]
        count = bisect_right(recorded, when)  # what Replay.count_at gives for that time (a whole batch shares it)
        if rows[count - 1][0] == "alert" and count < len(rows) and rows[count][0] == "alert":
            break
    else:
        sys.exit("benchmark: no two alerts in a row after the middle of the incident to step between")
    ident = lambda row: re.search(r"id=\d+", json.loads(row[1])["text"]).group(0)  # noqa: E731
    return {"count": count, "offset_s": (parse_iso(when) - start).total_seconds(),
            "id_here": ident(rows[count - 1]), "id_next": ident(rows[count])}


# --- (c) each step or jump, in-process ----------------------------------------------------------------


def steps_in_process(db: Path, positions: int, profile_positions: int, width: int, height: int) -> dict:
    """App.run_test + posted keys; the time from posting the key to the first frame with the cursor moved."""
    from textual import events
    from textual.widgets import Input

    from bare_app import BareApp
    from warroom.store import Store
    from warroom.tui.app import make_app
    from warroom.tui.screens.replay import ReplayScreen

    try:  # the jump question: a bar in the replay screen; up to f9ba480, a dialog (a screen of its own) over it
        from warroom.tui.screens.replay import JumpBar
    except ImportError:
        JumpBar = None
        from warroom.tui.screens.replay import JumpDialog

    results: dict = {}
    gc_pauses: list[tuple[float, int, float]] = []  # (when it ended, generation, seconds)
    gc_started = [0.0]

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            gc_started[0] = time.perf_counter()
        else:
            gc_pauses.append((time.perf_counter(), info["generation"], time.perf_counter() - gc_started[0]))

    class FrameClock:
        """Resolves a future at the first frame drawn once `done()` holds."""

        def __init__(self, app) -> None:
            self.waiting: tuple | None = None
            self.profiler: cProfile.Profile | None = None
            app.post_display_hook = self.frame

        def frame(self) -> None:
            if self.waiting and not self.waiting[1].done() and self.waiting[0]():
                if self.profiler is not None:
                    self.profiler.disable()
                self.waiting[1].set_result(time.perf_counter())

        async def sample(self, trigger, done, profiler: cProfile.Profile | None = None) -> tuple[float, float]:
            future = asyncio.get_running_loop().create_future()
            self.waiting = (done, future)
            self.profiler = profiler
            collections_before = len(gc_pauses)
            if profiler is not None:
                profiler.enable()
            start_time = time.perf_counter()
            trigger()
            frame = await asyncio.wait_for(future, 30)
            self.waiting = None
            self.profiler = None
            full_gc = sum(d for t, g, d in gc_pauses[collections_before:] if g == 2 and t <= frame)
            return frame - start_time, full_gc

    def key(app, name: str, char: str | None = None) -> None:
        event = events.Key(name, char)
        event.set_sender(app)
        app._driver.send_message(event)  # the path a real terminal driver's key takes

    def row(times: list[float], full_gc: list[float], **extra) -> dict:
        out = {**summary_ms(times), **extra}
        hit = [g for g in full_gc if g > 0]
        out["under_50ms"] = sum(1 for t in times if t < 0.050)
        out["samples_with_full_gc"] = len(hit)
        out["full_gc_median_ms"] = round(percentile([g * 1000 for g in hit], 50), 1) if hit else 0.0
        return out

    async def replay_app() -> None:
        store = Store(db, readonly=True)
        app = make_app(store, incident_id=INCIDENT, replay=True)
        as_the_command = hasattr(app, "freeze_after_first_frame")
        if as_the_command:
            # As `warroom replay` starts it (warroom.tui.app.run_console, from 7e0977d on): no collection until
            # the first frame, then everything loaded frozen out of the collector's reach.
            app.freeze_after_first_frame = True
            gc.disable()
        results["_gc"] = "frozen after the first frame, as run_console does" if as_the_command else \
            "as Python's defaults (this commit's run_console leaves the collector alone)"
        try:
            await run(app)
        finally:
            gc.enable()
            gc.unfreeze()
        store.close()

    async def run(app) -> None:
        async with app.run_test(size=(width, height)) as pilot:
            for _ in range(3000):
                if isinstance(app.screen, ReplayScreen) and app.screen.count >= 1:
                    break
                await pilot.pause(0.01)
            screen = app.screen
            assert isinstance(screen, ReplayScreen), f"replay did not open: {app.screen!r}"
            await pilot.pause(1)
            replay = screen.replay
            total = len(replay)
            clock = FrameClock(app)
            spots = [2 + round(i * (total - 3) / (positions - 1)) for i in range(positions)]
            times: dict[str, list[float]] = {}
            collections: dict[str, list[float]] = {}
            profilers: dict[str, cProfile.Profile] = {}
            focused_after_jump: Counter = Counter()

            async def one(name: str, trigger, done, profile: bool) -> None:
                profiler = profilers.setdefault(name, cProfile.Profile()) if profile else None
                counting["action"] = name if profile else None
                seconds, full_gc = await clock.sample(trigger, done, profiler)
                counting["action"] = None
                if not profile:
                    times.setdefault(name, []).append(seconds)
                    collections.setdefault(name, []).append(full_gc)
                await pilot.pause()  # let it settle (untimed), as between a person's key presses

            async def round_at(index: int, p: int, profile: bool = False) -> None:
                screen.go_to(p)
                await pilot.pause()
                await one("→ (step to the next event)", lambda: key(app, "right"), lambda: screen.count == p + 1, profile)
                await one("← (step to the previous event)", lambda: key(app, "left"), lambda: screen.count == p, profile)
                await one("End (jump to the end)", lambda: key(app, "end"), lambda: screen.count == total, profile)
                await one("Home (jump to the start)", lambda: key(app, "home"), lambda: screen.count == 1, profile)
                q = spots[(index * 37 + 11) % len(spots)]  # another spread position
                offset = (replay.events[q - 1].recorded_at - replay.start).total_seconds()
                when = replay.start + (replay.events[q - 1].recorded_at - replay.start)
                expected = replay.count_at(when)
                key(app, "g")

                def asking() -> Input | None:
                    if JumpBar is None:
                        return app.screen.query_one(Input) if isinstance(app.screen, JumpDialog) else None
                    field = screen.query_one(JumpBar).query_one(Input)
                    return field if app.focused is field else None

                for _ in range(500):
                    if asking() is not None:
                        break
                    await pilot.pause(0.01)
                field = asking()
                assert field is not None, "g did not ask for a time"
                field.value = f"+{offset:.3f}s"
                await pilot.pause()
                await one("jump to a time (g, +SECONDS, Enter)", lambda: key(app, "enter", "\r"),
                          lambda: app.screen is screen and screen.count == expected and screen.now == when, profile)
                # Once the question has closed, Textual's auto-focus may have given a pane the focus (and with
                # it Left and Right): note it, and clear it (untimed) so that the next round's keys reach the screen.
                focused_after_jump[type(app.focused).__name__ if app.focused else "nothing"] += 1
                if app.focused is not None:
                    screen.set_focus(None)
                    await pilot.pause()

            await round_at(0, spots[len(spots) // 2])  # warm-up, not kept
            times.clear()
            collections.clear()
            for index, p in enumerate(spots):
                await round_at(index, p)
            for index in range(profile_positions):
                await round_at(index, spots[(index * len(spots)) // max(1, profile_positions)], profile=True)
            for name, values in times.items():
                results[name] = row(values, collections[name])
            results["_positions"] = {"count": len(spots), "first": spots[0], "last": spots[-1], "events": total,
                                     "focused_after_jump": dict(focused_after_jump),
                                     "gc_frozen_objects": gc.get_freeze_count(),
                                     "gc_tracked_objects_not_frozen": len(gc.get_objects())}
            results["_profiles"] = {name: profile_rows(pstats.Stats(p), profile_positions) for name, p in profilers.items()}

    async def bare_app(samples: int) -> None:
        app = BareApp()
        async with app.run_test(size=(width, height)) as pilot:
            await pilot.pause(1)
            clock = FrameClock(app)
            frames, collections = [], []
            for i in range(samples + 1):
                last = app.presses
                frame, full_gc = await clock.sample(lambda: key(app, "space", " "), lambda: app.presses > last)
                if i:
                    frames.append(frame)
                    collections.append(full_gc)
                await pilot.pause()
            results["bare: space bumps the Static's counter"] = row(frames, collections)

    # In the profiled rounds only (it costs a stack walk each): which widgets ask for a layout
    # (`refresh(layout=True)`, a reflow of the whole screen) during each key, and from which warroom function.
    from textual.widget import Widget

    counting: dict = {"action": None}
    layouts: dict[str, Counter] = {}
    refresh = Widget.refresh

    def counting_refresh(self, *regions, **kwargs):  # type: ignore[no-untyped-def]
        if counting["action"] and kwargs.get("layout"):
            frames = traceback.extract_stack(limit=12)[:-1]
            caller = next((f"{f.filename.split('/warroom/', 1)[1]}:{f.name}" for f in reversed(frames)
                           if "/warroom/" in f.filename), "?")
            layouts.setdefault(counting["action"], Counter())[f"{type(self).__name__}#{self.id} <- warroom/{caller}"] += 1
        return refresh(self, *regions, **kwargs)

    Widget.refresh = counting_refresh  # type: ignore[method-assign]
    gc.callbacks.append(on_gc)
    try:
        asyncio.run(bare_app(positions))
        asyncio.run(replay_app())
    finally:
        gc.callbacks.remove(on_gc)
        Widget.refresh = refresh  # type: ignore[method-assign]
    if profile_positions:
        results["_layouts"] = {name: {k: round(v / profile_positions, 1) for k, v in counter.most_common(8)}
                               for name, counter in layouts.items()}
    return results


def short_name(filename: str) -> str:
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1]
    if "/warroom/" in filename:
        return "warroom/" + filename.split("/warroom/", 1)[1]
    if filename.startswith(str(ROOT)):
        return filename[len(str(ROOT)) + 1:]
    return filename.rsplit("/", 1)[-1] if "/" in filename else filename


def profile_rows(stats: pstats.Stats, divide_by: int = 1, count: int = 14) -> list[dict]:
    """The costliest warroom, Textual and Rich functions by cumulative time (per sample when divide_by > 1)."""
    rows = []
    for (filename, line, function), (_, calls, self_s, cum_s, _) in stats.stats.items():  # type: ignore[attr-defined]
        name = short_name(filename)
        if not name.startswith(("warroom/", "textual/", "rich/")) or function in ("<module>",):
            continue
        rows.append({"function": f"{name}:{line}({function})", "calls": round(calls / divide_by, 1),
                     "cum_ms": round(cum_s * 1000 / divide_by, 2), "self_ms": round(self_s * 1000 / divide_by, 2)})
    wanted = sorted(rows, key=lambda r: r["cum_ms"], reverse=True)
    # the event loop's own frames wrap everything; keep the ones that say where the time goes
    boring = ("_process_messages", "_dispatch_message", "_on_message", "on_event", "_forward_event", "post_message",
              "_process_messages_loop", "_message_loop", "_invoke", "invoke", "_post_message", "run_action",
              "_dispatch_action", "_check_bindings", "check_bindings", "_key", "_on_key", "dispatch_key",
              "handle_key", "simulate_key", "_run_action", "call_later", "_pre_process", "process_messages")
    return [r for r in wanted if not r["function"].endswith(tuple(f"({b})" for b in boring))][:count]


# --- (d) the exports ----------------------------------------------------------------------------------


def exports(warroom: list[str], db: Path, total: int, env: dict[str, str], tmp: Path, runs: int) -> dict:
    run_env = dict(env, WARROOM_DB=str(db))
    cases = {
        "warroom export --format md -o FILE": [*warroom, "export", INCIDENT, "--format", "md", "-o", str(tmp / "report.md")],
        "warroom export --format csv -o FILE": [*warroom, "export", INCIDENT, "--format", "csv", "-o", str(tmp / "timeline.csv")],
        "baseline: raw sqlite3 read + csv.writer of the rows (python -c)": None,
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    peaks: dict[str, list[float]] = {name: [] for name in cases}
    names = list(cases)
    for round_ in range(-1, runs):
        order = names[round_ % len(names):] + names[: round_ % len(names)] if round_ >= 0 else names
        for name in order:
            argv = cases[name]
            if argv is None:
                seconds, peak = run_raw_read(db, total, run_env, tmp / "raw.csv")
            else:
                seconds, peak = timed_process(argv, run_env)
            if round_ >= 0:
                samples[name].append(seconds)
                peaks[name].append(peak)
    report = (tmp / "report.md").read_text()
    timeline = report.split("## Timeline", 1)[1].split("## Communications", 1)[0]
    csv_lines = (tmp / "timeline.csv").read_text().count("\n")
    check = {
        "md_bytes": len(report.encode()),
        "md_sections": [line for line in report.splitlines() if line.startswith("## ")],
        "md_timeline_rows": sum(1 for line in timeline.splitlines() if line.startswith("| ")) - 2,
        "csv_bytes": (tmp / "timeline.csv").stat().st_size,
        "csv_lines": csv_lines,
    }
    return {
        "runs": {name: {**summary_ms(values), "peak_mb_max": max(peaks[name])} for name, values in samples.items()},
        "check": check,
    }


# --- where the time goes ---------------------------------------------------------------------------------


def profile_child(stem: str) -> None:
    """--profile-child: replay's start-up to its first frame under cProfile, in the real terminal (tmux runs this)."""
    started = time.perf_counter()
    profiler = cProfile.Profile()
    profiler.enable()
    from warroom.store import Store
    from warroom.tui.app import make_app
    from warroom.tui.screens.replay import ReplayScreen

    app = make_app(Store(readonly=True), incident_id=INCIDENT, replay=True)
    if hasattr(app, "freeze_after_first_frame"):  # as run_console starts it, from 7e0977d on
        app.freeze_after_first_frame = True
        gc.disable()
    facts: dict = {}

    def post_display_hook() -> None:
        if "first_frame_s" not in facts and isinstance(app.screen, ReplayScreen) and app.screen.count >= 1:
            profiler.disable()
            facts["first_frame_s"] = time.perf_counter() - started
            profiler.dump_stats(f"{stem}.prof")
            app.exit()

    app.post_display_hook = post_display_hook  # type: ignore[method-assign]
    app.run()
    Path(f"{stem}.json").write_text(json.dumps(facts))


def profile_startup(con, db: Path, tmp: Path) -> dict:
    stem = tmp / "profile-replay"
    con.start("prof", [sys.executable, str(Path(__file__).resolve()), "--profile-child", str(stem)], db)
    pid = con.app_pid("prof")
    deadline = time.perf_counter() + 300
    while not Path(f"{stem}.json").exists() and time.perf_counter() < deadline:
        time.sleep(0.2)
    con.stop("prof", pid)
    facts = json.loads(Path(f"{stem}.json").read_text())
    stats = pstats.Stats(f"{stem}.prof")
    entries = stats.stats  # type: ignore[attr-defined]

    def cumulative(file_end: str, function: str) -> tuple[float, int]:
        found = [(v[3], v[1]) for (f, _, fn), v in entries.items() if f.endswith(file_end) and fn == function]
        return max(found, default=(0.0, 0))

    phases = [  # they overlap: the fold runs inside Replay(), which runs inside compose
        ("import warroom.tui.app (Textual, sqlite-utils, yaml, warroom core)", "warroom/tui/app.py", "<module>"),
        ("import warroom.tui.screens.replay (its widgets)", "warroom/tui/screens/replay.py", "<module>"),
        ("ReplayScreen.compose (reads the log, builds the Replay, then the widgets)", "warroom/tui/screens/replay.py", "compose"),
        ("  Store.events (rows -> Event)", "warroom/store.py", "events"),
        ("    Event.from_row (json.loads, 2 parse_iso per row)", "warroom/events.py", "from_row"),
        ("  Replay.__init__ (sort, fold every event, checkpoints)", "warroom/replay.py", "__init__"),
        ("    IncidentLog.add (per event)", "warroom/incident.py", "add"),
        ("      incident.apply (per event)", "warroom/incident.py", "apply"),
        ("        dataclasses.replace (1-2 per event)", "dataclasses.py", "replace"),
        ("  Replay.state_after", "warroom/replay.py", "state_after"),
        ("ReplayScreen.on_mount", "warroom/tui/screens/replay.py", "on_mount"),
        ("  ReplayScreen.go_to", "warroom/tui/screens/replay.py", "go_to"),
        ("  Timeline.show_events", "warroom/tui/widgets/timeline.py", "show_events"),
        ("Textual: CSS applied to the widgets (Stylesheet.apply)", "textual/css/stylesheet.py", "apply"),
        ("Textual: the first full frame (Compositor.render_full_update)", "textual/_compositor.py", "render_full_update"),
    ]
    rows = []
    for label, file_end, function in phases:
        seconds, calls = cumulative(file_end, function)
        rows.append({"phase": label, "calls": calls, "cum_s": round(seconds, 3)})
    by_self = sorted(((short_name(f) + f":{line}({fn})", v[1], v[2], v[3]) for (f, line, fn), v in entries.items()),
                     key=lambda r: r[2], reverse=True)[:12]
    return {
        "first_frame_s_under_profiler": round(facts["first_frame_s"], 2),
        "profiled_total_s": round(stats.total_tt, 2),  # type: ignore[attr-defined]
        "phases": rows,
        "top_self": [{"function": f, "calls": c, "self_s": round(s, 3), "cum_s": round(cu, 3)} for f, c, s, cu in by_self],
    }


def script_of(warroom: list[str]) -> list[str]:
    """The command without the interpreter, for `python -m cProfile SCRIPT ARGS`."""
    return warroom[1:] if warroom[0] == sys.executable else warroom


def profile_exports(warroom: list[str], db: Path, tmp: Path, env: dict[str, str]) -> dict:
    out = {}
    run_env = dict(env, WARROOM_DB=str(db))
    for fmt in ("md", "csv"):
        stats_path = tmp / f"export-{fmt}.prof"
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "cProfile", "-o", str(stats_path), *script_of(warroom), "export", INCIDENT, "--format",
                        fmt, "-o", str(tmp / f"profiled.{fmt}")], env=run_env, check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        stats = pstats.Stats(str(stats_path))
        entries = stats.stats  # type: ignore[attr-defined]
        rows = []
        for (filename, line, function), (_, calls, self_s, cum_s, _) in entries.items():
            name = short_name(filename)
            rows.append({"function": f"{name}:{line}({function})", "calls": calls, "self_s": round(self_s, 3),
                         "cum_s": round(cum_s, 3)})
        warroom_rows = [r for r in sorted(rows, key=lambda r: r["cum_s"], reverse=True)
                        if r["function"].startswith("warroom/") and "(<module>)" not in r["function"]][:14]
        out[fmt] = {
            "wall_s_under_profiler": round(wall, 2),
            "profiled_total_s": round(stats.total_tt, 2),  # type: ignore[attr-defined]
            "top_cumulative_warroom": warroom_rows,
            "top_self": sorted(rows, key=lambda r: r["self_s"], reverse=True)[:12],
        }
    return out


def measured_source(rev: str | None, tmp: Path, env: dict[str, str]) -> dict:
    """What warroom is measured: the working tree (the editable install), or a clean archive of one commit.

    Other people edit the working tree while benchmarks run; `--rev` measures a commit exactly: `git
    archive` of its warroom/, styles/ and playbook.yaml into the temporary folder, first on PYTHONPATH
    for every child (the installed `warroom` command imports from there) and on sys.path here.
    """
    if rev is None:
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "warroom", "styles",
                                "playbook.yaml"], capture_output=True, text=True, cwd=ROOT).stdout.split("\n")
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
        modified = [line[3:] for line in dirty if line.strip()]
        return {"what": f"the working tree at {commit}" + (f" with {len(modified)} files modified" if modified else ""),
                "commit": commit, "modified": modified, "command": [warroom_command()]}
    commit = subprocess.run(["git", "rev-parse", "--short", rev], capture_output=True, text=True, cwd=ROOT,
                            check=True).stdout.strip()
    src = tmp / "src"
    src.mkdir()
    archive = subprocess.run(["git", "archive", commit, "warroom", "styles", "playbook.yaml"], capture_output=True,
                             cwd=ROOT, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
    env["PYTHONPATH"] = str(src) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    sys.path.insert(0, str(src))
    for name in [m for m in sys.modules if m == "warroom" or m.startswith("warroom.")]:
        del sys.modules[name]
    check = subprocess.run([sys.executable, "-c", "import warroom.cli, warroom.tui.app; print(warroom.__file__)"],
                           env=env, capture_output=True, text=True, cwd=tmp)
    if check.returncode != 0 or not check.stdout.startswith(str(src)):
        sys.exit(f"benchmark: warroom at {commit} does not import from {src}: {check.stdout}{check.stderr}")
    # The commit's own entry point (the installed script follows the working tree's pyproject), from a
    # file in the temporary folder, so that no checkout is first on sys.path.
    import tomllib

    project = tomllib.loads(subprocess.run(["git", "show", f"{commit}:pyproject.toml"], capture_output=True, text=True,
                                           cwd=ROOT, check=True).stdout)
    module, function = project["project"]["scripts"]["warroom"].split(":")
    launcher = tmp / "warroom_at_commit.py"
    launcher.write_text(f"import sys\nfrom {module} import {function}\nsys.argv[0] = 'warroom'\nsys.exit({function}())\n")
    return {"what": f"commit {commit} (clean git archive)", "commit": commit, "modified": [],
            "command": [sys.executable, str(launcher)]}


# --- main ---------------------------------------------------------------------------------------------


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--profile-child":
        profile_child(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000, help="events in the incident (default 100000)")
    parser.add_argument("--runs", type=int, default=10, help="first-frame runs of each program (default 10)")
    parser.add_argument("--positions", type=int, default=100,
                        help="in-process positions spread over the incident; one sample of each key at each (default 100)")
    parser.add_argument("--tmux-samples", type=int, default=10, help="real-terminal rounds of End/Home/Right/Left (default 10)")
    parser.add_argument("--export-runs", type=int, default=5, help="runs of each export (default 5)")
    parser.add_argument("--profile-positions", type=int, default=10, help="positions profiled in-process (default 10)")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile runs")
    parser.add_argument("--rev", metavar="REV",
                        help="measure this commit (e.g. HEAD): a clean `git archive` of its warroom, styles and playbook, "
                             "put first on PYTHONPATH, instead of the working tree as it stands")
    parser.add_argument("--db", metavar="PATH", help="(development) use this already built database instead of building one")
    parser.add_argument("--keep-db", metavar="PATH", help="(development) copy the built database here")
    parser.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                        help="first wait up to SECONDS for the 1-minute load average to drop under half the cores")
    options = parser.parse_args()
    if not shutil.which("tmux"):
        sys.exit("benchmark: tmux is not installed (apt-get install tmux)")
    import console as con  # the tmux helpers of benchmarks/console.py (its own private server socket)

    with tempfile.TemporaryDirectory(prefix="warroom-bench-") as folder:
        tmp = Path(folder)
        env = bench_env(tmp)
        env.pop("WARROOM_DB", None)
        env.pop("TMUX", None)
        source = measured_source(options.rev, tmp, env)
        warroom = source["command"]
        db = tmp / "100k.db"
        # warm the bytecode cache (warroom, Textual) before anything is timed
        warm = dict(env, WARROOM_DB=str(tmp / "warm.db"))
        subprocess.run([*warroom, "declare", "-s", "P1", "-t", "warm-up"], env=warm, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([*warroom, "export", INCIDENT, "--format", "md"], env=warm, check=True, stdout=subprocess.DEVNULL)
        if options.db:
            shutil.copyfile(options.db, db)
            print(f"using the database {options.db} (not built in this run)", flush=True)
            built = {"reused": options.db}
        else:
            print(f"building the {options.events:,}-event incident (warroom log - and warroom act) ...", flush=True)
            built = build_database(db, warroom, env, options.events)
            if options.keep_db:
                shutil.copyfile(db, options.keep_db)
            print(f"  built in {built['build_s']} s: {built['kinds']}", flush=True)
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            total = conn.execute("SELECT COUNT(*) FROM events WHERE incident = ?", (INCIDENT,)).fetchone()[0]

        wait_for_quiet(options.wait_quiet)
        info = machine()
        info["measured"] = source

        # in-process raw read, for scale (no interpreter start-up)
        from warroom.store import EVENT_COLUMNS

        raw_in_process = []
        for _ in range(5):
            start = time.perf_counter()
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                rows = conn.execute(f"SELECT {EVENT_COLUMNS} FROM events WHERE incident = ? AND seq > ? ORDER BY seq",
                                    (INCIDENT, 0)).fetchall()
            raw_in_process.append(time.perf_counter() - start)
            del rows

        # (not the scrubber's "event 1/100000": it wraps out of sight, see keys_in_tmux)
        replay_markers = ("REPLAY", "Incident clock", "Escalation ladder", "Checklist", "Timeline", "paused", "palette")
        programs = {
            "bare": ([sys.executable, str(HERE / "bare_app.py")], BARE_MARKERS),
            "replay": ([*warroom, "replay", INCIDENT], replay_markers),
        }
        phases_runs = []
        con.kill_server()
        con.start_server(env)
        try:
            print(f"(a) first frame, {options.runs} rounds ...", flush=True)
            frames = first_frames(con, programs, db, total, dict(env, WARROOM_DB=str(db)), options.runs)
            print("(a) start-up phases in a child process, 3 runs ...", flush=True)
            for _ in range(3):
                done = subprocess.run([sys.executable, "-c", PHASES_SCRIPT, INCIDENT], env=dict(env, WARROOM_DB=str(db)),
                                      capture_output=True, text=True, check=True, cwd=tmp)
                phases_runs.append(json.loads(done.stdout))
            print(f"(b) keys in tmux, {options.tmux_samples} rounds, and memory ...", flush=True)
            tmux_keys = keys_in_tmux(con, programs["replay"][0], replay_markers, db, middle_position(db),
                                     options.tmux_samples)
            startup_profile = None
            if not options.no_profile:
                print("profiling replay's start-up (cProfile, in tmux) ...", flush=True)
                startup_profile = profile_startup(con, db, tmp)
        finally:
            con.kill_server()
        print(f"(c) each step or jump in-process, {options.positions} positions ...", flush=True)
        steps = steps_in_process(db, options.positions, 0 if options.no_profile else options.profile_positions,
                                 con.WIDTH, con.HEIGHT)
        print(f"(d) exports, {options.export_runs} runs each ...", flush=True)
        exported = exports(warroom, db, total, env, tmp, options.export_runs)
        export_profile = None if options.no_profile else profile_exports(warroom, db, tmp, env)

    # --- report ---
    first = {name: summary_ms(values) for name, values in frames["samples"].items()}
    bare_ms = first["bare"]["median_ms"]
    raw_ms = first["raw sqlite3 read"]["median_ms"]
    replay_first = first["replay"]
    phase_names = [name for name, _, _ in phases_runs[0]]
    phases = [{"phase": name,
               "median_s": round(percentile([run[i][1] for run in phases_runs], 50), 3),
               "vm_hwm_mb_after": max(run[i][2] for run in phases_runs)} for i, name in enumerate(phase_names)]
    positions = steps.pop("_positions")
    steps_gc = steps.pop("_gc")
    step_profiles = steps.pop("_profiles", {})
    step_layouts = steps.pop("_layouts", {})
    export_runs = exported["runs"]
    md = export_runs["warroom export --format md -o FILE"]
    csv_row = export_runs["warroom export --format csv -o FILE"]
    replay_hwm = max([tmux_keys["at_end"]["VmHWM"], *frames["replay_vm_hwm_mb_at_first_frame"]])
    step_rows = {k: v for k, v in steps.items() if not k.startswith("bare")}
    verdicts = {
        "first_frame_under_2s": replay_first["median_ms"] < TARGETS["first_frame_ms"],
        "every_step_or_jump_p95_under_50ms": all(v["p95_ms"] < TARGETS["step_ms"] for v in step_rows.values()),
        "export_md_under_3s": md["median_ms"] / 1000 < TARGETS["export_md_s"],
        "export_csv_under_3s": csv_row["median_ms"] / 1000 < TARGETS["export_md_s"],
        "replay_memory_under_200mb": replay_hwm < TARGETS["memory_mb"],
        "export_memory_under_200mb": max(md["peak_mb_max"], csv_row["peak_mb_max"]) < TARGETS["memory_mb"],
    }

    print(f"\nreplay and export of one {total:,}-event incident, tmux {con.WIDTH}x{con.HEIGHT}, {info['cores']} cores, "
          f"{info['date']}, warroom from {source['what']}, "
          f"load average {' '.join(info['loadavg_at_start'])} at start, {' '.join(load_now())} at end")
    if "kinds" in built:
        print(f"the incident: {built['kinds']}; {built['backfilled']} backfilled; built in {built['build_s']} s")
    print("\n(a) time to first frame (process start until the screen shows it; capture-pane every 10 ms)")
    print(table(["program", "runs", "median ms", "p95 ms", "vs bare", "vs raw read", "target"], [
        [name, s["n"], f"{s['median_ms']:.0f}", f"{s['p95_ms']:.0f}", f"{s['median_ms'] / bare_ms:.2f}x",
         f"{s['median_ms'] / raw_ms:.2f}x",
         f"< 2 s: {verdict(s['median_ms'] < TARGETS['first_frame_ms'])}" if name == "replay" else "-"]
        for name, s in first.items()
    ]))
    print(f"raw sqlite3 read in-process (no interpreter start): {percentile(raw_in_process, 50) * 1000:.0f} ms median; "
          f"replay's VmHWM at its first frame: {max(frames['replay_vm_hwm_mb_at_first_frame'])} MB (max of runs)")
    print("\nwhere replay's start-up goes (one child process, no profiler, median of 3):")
    print(table(["phase", "s", "VmHWM MB after"], [[p["phase"], f"{p['median_s']:.3f}", p["vm_hwm_mb_after"]]
                                                     for p in phases]))
    print(f"\n(b) in the real terminal: send-keys until the timeline pane shows the cursor moved, "
          f"{options.tmux_samples} rounds")
    print(table(["key", "median ms", "p95 ms", "max ms"], [
        [k, f"{v['median_ms']:.0f}", f"{v['p95_ms']:.0f}", f"{v['max_ms']:.0f}"] for k, v in tmux_keys["keys"].items()]))
    print(f"after a jump, Right still steps: {tmux_keys['right_steps_after_a_jump']}; footer then: "
          f"{tmux_keys['footer_after_a_jump']!r}")
    print(f"replay process memory: at first frame VmRSS {tmux_keys['at_first_frame']['VmRSS']} MB, VmHWM "
          f"{tmux_keys['at_first_frame']['VmHWM']} MB; after the keys VmRSS {tmux_keys['at_end']['VmRSS']} MB, "
          f"VmHWM {tmux_keys['at_end']['VmHWM']} MB (target < 200 MB: {verdict(replay_hwm < TARGETS['memory_mb'])})")
    print(f"\n(c) each step or jump, in-process (App.run_test {con.WIDTH}x{con.HEIGHT}), {positions['count']} positions from "
          f"event {positions['first']:,} to {positions['last']:,} of {positions['events']:,}: key posted -> first frame")
    print(table(["action", "samples", "p50 ms", "p95 ms", "max ms", "< 50 ms", "full GC in sample", "target p95 < 50 ms"], [
        [name, r["n"], f"{r['median_ms']:.1f}", f"{r['p95_ms']:.1f}", f"{r['max_ms']:.1f}", f"{r['under_50ms']}/{r['n']}",
         f"{r['samples_with_full_gc']} (median {r['full_gc_median_ms']} ms)",
         "-" if name.startswith("bare") else verdict(r["p95_ms"] < TARGETS["step_ms"])]
        for name, r in steps.items()
    ]))
    print(f"focused once the jump question had closed: {positions['focused_after_jump']}; garbage collector: {steps_gc} "
          f"({positions['gc_frozen_objects']:,} objects frozen, {positions['gc_tracked_objects_not_frozen']:,} tracked "
          "at the end)")
    print(f"\n(d) exports, {options.export_runs} runs each (whole process)")
    print(table(["command", "median s", "p95 s", "max s", "peak memory MB", "target"], [
        [name, f"{r['median_ms'] / 1000:.2f}", f"{r['p95_ms'] / 1000:.2f}", f"{r['max_ms'] / 1000:.2f}", r["peak_mb_max"],
         "-" if name.startswith("baseline") else
         f"< 3 s: {verdict(r['median_ms'] / 1000 < TARGETS['export_md_s'])}; < 200 MB: "
         f"{verdict(r['peak_mb_max'] < TARGETS['memory_mb'])}"]
        for name, r in export_runs.items()
    ]))
    print(f"report: {exported['check']['md_bytes']:,} bytes, {exported['check']['md_timeline_rows']:,} timeline rows, "
          f"sections {', '.join(s[3:] for s in exported['check']['md_sections'])}; csv: {exported['check']['csv_lines']:,} lines")
    if startup_profile:
        print(f"\nreplay start-up under cProfile (first frame {startup_profile['first_frame_s_under_profiler']} s there):")
        print(table(["phase (cumulative, overlapping)", "calls", "s"],
                    [[p["phase"], p["calls"], p["cum_s"]] for p in startup_profile["phases"]]))
    for name, rows in step_profiles.items():
        print(f"\n{name}, per sample under cProfile:")
        print(table(["function", "calls", "cum ms", "self ms"],
                    [[r["function"], r["calls"], r["cum_ms"], r["self_ms"]] for r in rows[:10]]))
        for widget, rate in step_layouts.get(name, {}).items():
            print(f"    layout requests per sample: {rate:4.1f}  {widget}")
    if export_profile:
        for fmt, prof in export_profile.items():
            print(f"\nexport --format {fmt} under cProfile ({prof['wall_s_under_profiler']} s):")
            print(table(["function", "calls", "cum s", "self s"],
                        [[r["function"], r["calls"], r["cum_s"], r["self_s"]] for r in prof["top_cumulative_warroom"][:10]]))
    print("\nverdicts: " + ", ".join(f"{k}: {verdict(v)}" for k, v in verdicts.items()))

    write_results("replay", {
        "benchmark": "replay",
        "command": "python benchmarks/replay.py " + " ".join(sys.argv[1:]),
        "machine": info,
        "loadavg_at_end": load_now(),
        "terminal": f"tmux {subprocess.run(['tmux', '-V'], capture_output=True, text=True).stdout.strip()}, "
                    f"{con.WIDTH}x{con.HEIGHT}, TERM=tmux-256color",
        "targets": TARGETS,
        "incident": built,
        "first_frame": first,
        "first_frame_ratio": {"vs_bare": round(replay_first["median_ms"] / bare_ms, 2),
                              "vs_raw_sqlite3_read": round(replay_first["median_ms"] / raw_ms, 2)},
        "raw_sqlite3_read_in_process_ms": round(percentile(raw_in_process, 50) * 1000, 1),
        "replay_vm_hwm_mb_at_first_frame": frames["replay_vm_hwm_mb_at_first_frame"],
        "startup_phases": phases,
        "keys_tmux": tmux_keys,
        "steps_in_process": steps,
        "steps_positions": positions,
        "steps_garbage_collector": steps_gc,
        "exports": exported,
        "profiles": {"startup": startup_profile, "steps": step_profiles, "steps_layout_requests_per_sample": step_layouts,
                     "exports": export_profile},
        "verdicts": verdicts,
    })


if __name__ == "__main__":
    main()
