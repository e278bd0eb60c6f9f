"""The live console in a real terminal (tmux), against a bare Textual app, in the same run.

Issue 3, Performance: "Measured in a real terminal (tmux) against a bare Textual app with a Header, a
Footer and a Static ticking once a second, in the same run: time to first frame within 1.5x of the
bare app; CPU while the console sits idle with its clocks running within 2x of the bare app's;
resident memory under 100 MB; from a key press to the event committed and the screen redrawn under
50 ms at the 95th percentile with a 10,000-event incident loaded."

The programs: `bare` is benchmarks/bare_app.py (Header, Footer, a Static ticking once a second);
`console` is the installed `warroom` on a database with one open incident (just declared);
`console 10k` is the same with an incident of exactly 10,000 events (declared, 4,998 alerts and 4,998
notes piped in through `warroom log -`, then `act` status / check / notify).

(a) First frame: a private tmux server (`tmux -L`, no config, 120x40, TERM tmux-256color); each run
    starts the program in a new detached session and polls `capture-pane` every 10 ms until the
    expected text is on the screen (bare: "BARE tick 0" and the footer's "palette"; console: "INC-1",
    "Checklist", "Timeline" and "palette"); time from just before `tmux new-session` until then.
    Runs interleave the programs, a warm-up run of each first (bytecode cached).
(b) Idle CPU: each program alone in tmux, first frame, 5 s to settle, then utime+stime from
    /proc/PID/stat of the app process (the pane's process, or its child) over 30 s; also the tmux
    server's CPU over the same 30 s (the cost of drawing what the app writes) and the bytes the app
    wrote (/proc/PID/io wchar).
(c) Memory: VmRSS and VmHWM from /proc/PID/status at the end of (b).
(d) Key press to event committed and screen redrawn, in-process with App.run_test(size=(120, 40))
    and Pilot on a copy of the 10,000-event database, 200 samples each: the key is posted as a
    terminal driver posts it, and the sample ends at the first frame the compositor draws after the
    event was committed (Textual's post_display_hook); the commit time is taken too:
      console 10k, space on the checklist (ticks / unticks step 1: a `check` or `uncheck` event)
      console 10k, screen.run_command("note ...") (a `note` event)
      bare, space (bumps a counter on the Static; no database)
    plus the plain Pilot round trips (`pilot.press` or `run_command`, then `pilot.pause()`), which
    include Pilot's own idle waits of 20 ms and more, for both. And the same in the real terminal:
    both programs at once, each in its own session, the presses alternating between them (a busy moment
    of the machine falls on both alike); `tmux send-keys Space`, then polling capture-pane until the
    step's box flips (console 10k) or the counter moves (bare); 100 samples each; that resolution is
    the polling loop (a few ms).
Then, unless --no-profile: benchmarks/profile_console.py in tmux under cProfile for each console
(start-up to first frame, then 10 s idle), to say where the time goes; with --profile-keys N, then N
presses of space and N bursts of ":note x" enter on the 10k console, each posted as the terminal driver
posts a key and timed to the first frame after its commit, with the bytes that frame wrote to the
terminal and the refreshes and layouts it asked for (results/console-keys-space.prof, -note.prof).

    python benchmarks/console.py [--runs 10] [--idle 30] [--samples 200] [--tmux-samples 100] [--no-profile]
                                 [--profile-keys 50]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    HERE,
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

WIDTH, HEIGHT = 120, 40
SOCKET = f"warroom-bench-{os.getpid()}"
CLK_TCK = os.sysconf("SC_CLK_TCK")
POLL = 0.010
TARGETS = {"first_frame_ratio": 1.5, "idle_cpu_ratio": 2.0, "rss_mb": 100, "key_p95_ms": 50, "key_tmux_p95_ratio": 1.5}
BARE_MARKERS = ("BARE tick 0", "palette")
CONSOLE_MARKERS = ("INC-1", "Checklist", "Timeline", "palette")


# --- tmux -----------------------------------------------------------------------------------------


def tmux(*args: str, env: dict[str, str] | None = None, check: bool = True) -> str:
    done = subprocess.run(["tmux", "-L", SOCKET, "-f", "/dev/null", *args], capture_output=True, text=True, env=env)
    if check and done.returncode != 0:
        raise RuntimeError(f"tmux {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def capture(session: str) -> str:
    return tmux("capture-pane", "-p", "-t", session, check=False)


def start_server(env: dict[str, str]) -> None:
    tmux("new-session", "-d", "-s", "keeper", "-x", str(WIDTH), "-y", str(HEIGHT), "sleep", "100000", env=env)
    tmux("set-option", "-g", "default-terminal", "tmux-256color")
    tmux("set-option", "-g", "default-size", f"{WIDTH}x{HEIGHT}")
    tmux("set-option", "-g", "remain-on-exit", "off")


def kill_server() -> None:
    subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)


def server_pid() -> int:
    return int(tmux("display-message", "-p", "-t", "keeper", "#{pid}").strip())


def app_pid(session: str) -> int:
    """The app's process: the pane's own process, or (when a shell runs it) that process's child."""
    pane = int(tmux("list-panes", "-t", session, "-F", "#{pane_pid}").strip().splitlines()[0])
    for _ in range(100):
        if "python" in Path(f"/proc/{pane}/cmdline").read_bytes().decode(errors="replace").split("\0")[0]:
            return pane
        children = Path(f"/proc/{pane}/task/{pane}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.01)
    return pane


def start(session: str, argv: list[str], db: Path | None) -> float:
    extra = ["-e", f"WARROOM_DB={db}"] if db else []
    start_time = time.perf_counter()
    tmux("new-session", "-d", "-s", session, "-x", str(WIDTH), "-y", str(HEIGHT), *extra, *argv)
    return start_time


def wait_for(session: str, markers: tuple[str, ...], timeout: float = 60.0) -> tuple[float, str]:
    """Poll capture-pane every 10 ms until every marker is on the screen; returns (when, screen)."""
    deadline = time.perf_counter() + timeout
    next_poll = time.perf_counter()
    while True:
        screen = capture(session)
        now = time.perf_counter()
        if all(marker in screen for marker in markers):
            return now, screen
        if now > deadline:
            raise RuntimeError(f"{session}: {markers} not on screen after {timeout} s; the screen:\n{screen}")
        next_poll += POLL
        time.sleep(max(0.0, next_poll - time.perf_counter()))


def stop(session: str, pid: int | None = None) -> None:
    tmux("kill-session", "-t", session, check=False)
    if pid:
        for _ in range(500):
            if not Path(f"/proc/{pid}").exists():
                return
            time.sleep(0.01)


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat(5))


def status_kb(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM", "Threads"):
            values[key] = int(rest.split()[0])
    return values


def written_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("wchar:"):
            return int(line.split()[1])
    return 0


# --- the databases --------------------------------------------------------------------------------


def make_databases(tmp: Path, warroom: str, env: dict[str, str]) -> tuple[Path, Path]:
    small, big = tmp / "small.db", tmp / "10k.db"
    for db in (small, big):
        run_env = dict(env, WARROOM_DB=str(db))
        subprocess.run([warroom, "declare", "-s", "P1", "-t", "Checkout API returning 502s", "--started-at", "-20m",
                        "--impact", "EU customers cannot pay"], env=run_env, check=True, stdout=subprocess.DEVNULL)
    run_env = dict(env, WARROOM_DB=str(big))
    alerts = "".join(f"[FIRING] http_5xx_rate host=web-{i % 97:02d} value={i % 100}% id={i:05d}\n" for i in range(4998))
    notes = "".join(f"checked dashboard {i}: error rate still {i % 40}%, rollback candidate build {i % 7}\n"
                    for i in range(4998))
    subprocess.run([warroom, "log", "INC-1", "-", "--kind", "alert"], env=run_env, input=alerts.encode(), check=True)
    subprocess.run([warroom, "log", "INC-1", "-"], env=run_env, input=notes.encode(), check=True)
    for command in (["status", "mitigating"], ["check", "1"], ["notify"]):
        subprocess.run([warroom, "act", "INC-1", *command], env=run_env, check=True, stdout=subprocess.DEVNULL)
    with sqlite3.connect(big) as conn:
        count = conn.execute("SELECT COUNT(*) FROM events WHERE incident = 'INC-1'").fetchone()[0]
    if count != 10_000:
        sys.exit(f"benchmark: the big incident has {count} events, expected 10,000")
    return small, big


# --- (a), (b), (c) -------------------------------------------------------------------------------


def first_frames(programs: dict, runs: int) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {name: [] for name in programs}
    names = list(programs)
    for round_ in range(-1, runs):  # round -1 is the warm-up (compiles and caches the bytecode)
        order = names[round_ % len(names):] + names[: round_ % len(names)] if round_ >= 0 else names
        for name in order:
            argv, db, markers = programs[name]
            started = start("run", argv, db)
            pid = app_pid("run")
            seen, _ = wait_for("run", markers)
            stop("run", pid)
            if round_ >= 0:
                samples[name].append(seen - started)
    return samples


def idle(programs: dict, seconds: float, settle: float) -> dict[str, dict]:
    results = {}
    tmux_pid = server_pid()
    for name, (argv, db, markers) in programs.items():
        start("idle", argv, db)
        pid = app_pid("idle")
        wait_for("idle", markers)
        time.sleep(settle)
        ticks0, server0, bytes0, t0 = cpu_ticks(pid), cpu_ticks(tmux_pid), written_bytes(pid), time.perf_counter()
        time.sleep(seconds)
        ticks1, server1, bytes1, t1 = cpu_ticks(pid), cpu_ticks(tmux_pid), written_bytes(pid), time.perf_counter()
        memory = status_kb(pid)
        screen = capture("idle")
        stop("idle", pid)
        elapsed = t1 - t0
        results[name] = {
            "seconds": round(elapsed, 2),
            "cpu_percent_of_one_core": round((ticks1 - ticks0) / CLK_TCK / elapsed * 100, 3),
            "cpu_ticks": ticks1 - ticks0,
            "tmux_server_cpu_percent": round((server1 - server0) / CLK_TCK / elapsed * 100, 3),
            "bytes_written_per_s": round((bytes1 - bytes0) / elapsed),
            "vm_rss_mb": round(memory["VmRSS"] / 1024, 1),
            "vm_hwm_mb": round(memory["VmHWM"] / 1024, 1),
            "threads": memory["Threads"],
            "screen_at_end_first_line": screen.splitlines()[0] if screen else "",
        }
    return results


# --- (d) -----------------------------------------------------------------------------------------


def key_latency_in_process(db: Path, samples: int) -> dict[str, dict]:
    """App.run_test + Pilot: the console on a copy of the 10k database, and the bare app.

    The primary measure hooks the frames: a sample runs from posting the key (the way a terminal
    driver posts it) until the first frame composed after the event was committed (the app's
    post_display_hook, which Textual calls after every compositor update, headless or not). The
    secondary measure is the plain Pilot round trip, `pilot.press` / `run_command` then
    `pilot.pause()`, which includes Pilot's own idle detection (sleeps of 20 ms: at least 20 ms per
    pause and 40 ms per press), so it shows the same differences on a higher floor.
    """
    from textual import events
    from textual.pilot import Pilot

    from bare_app import BareApp
    from warroom import store as store_module
    from warroom.store import Store
    from warroom.tui.app import make_app
    from warroom.tui.screens.console import ConsoleScreen

    results: dict[str, dict] = {}

    gc_pauses: list[tuple[float, int, float]] = []  # (when it ended, generation, seconds)
    gc_started: list[float] = [0.0]

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            gc_started[0] = time.perf_counter()
        else:
            gc_pauses.append((time.perf_counter(), info["generation"], time.perf_counter() - gc_started[0]))

    gc.callbacks.append(on_gc)

    class FrameClock:
        """Resolves a future at the first frame drawn once `done()` holds."""

        def __init__(self, app) -> None:
            self.waiting: tuple | None = None
            self.full_gc: list[float] = []  # per sample: seconds spent in generation-2 collections
            app.post_display_hook = self.frame

        def frame(self) -> None:
            if self.waiting and not self.waiting[1].done() and self.waiting[0]():
                self.waiting[1].set_result(time.perf_counter())

        async def sample(self, trigger, done, commits: list[float] | None = None) -> tuple[float, float | None]:
            future = asyncio.get_running_loop().create_future()
            self.waiting = (done, future)
            seen = len(commits) if commits is not None else 0
            collections_before = len(gc_pauses)
            start_time = time.perf_counter()
            trigger()
            frame = await asyncio.wait_for(future, 10)
            self.waiting = None
            self.full_gc.append(sum(d for t, g, d in gc_pauses[collections_before:] if g == 2 and t <= frame))
            commit = commits[seen] - start_time if commits is not None and len(commits) > seen else None
            return frame - start_time, commit

    def key(app, name: str, char: str | None) -> None:
        event = events.Key(name, char)
        event.set_sender(app)
        app._driver.send_message(event)  # the path a real terminal driver's key takes

    async def round_trips(pilot: Pilot, action, count: int) -> list[float]:
        times = []
        for i in range(count):
            start_time = time.perf_counter()
            await action(i)
            await pilot.pause()
            times.append(time.perf_counter() - start_time)
        return times

    def row(times: list[float], commits: list[float] | None = None, full_gc: list[float] | None = None, **extra) -> dict:
        out = {**summary_ms(times), **extra}
        if full_gc is not None:
            hit = [g for g in full_gc if g > 0]
            out["samples_with_full_gc"] = len(hit)
            out["full_gc_median_ms"] = round(percentile([g * 1000 for g in hit], 50), 1) if hit else 0.0
        if commits:
            out["commit_p50_ms"] = round(percentile([c * 1000 for c in commits], 50), 2)
            out["commit_p95_ms"] = round(percentile([c * 1000 for c in commits], 95), 2)
        return out

    async def console() -> None:
        store = Store(db)
        before = store.incident("INC-1").events
        commits: list[float] = []
        commit = store_module._commit

        def timed_commit(conn) -> None:  # the store's COMMIT, with the time it returned (on disk): a key's runs on
            commit(conn)                 # the store's thread (Store.append_behind), a typed line's inline
            commits.append(time.perf_counter())

        store_module._commit = timed_commit
        app = make_app(store)
        # As `warroom` starts it (warroom.tui.app.run_console): no collection until the first frame, then the
        # loaded incident frozen out of the collector's reach.
        app.freeze_after_first_frame = True
        gc.disable()
        async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
            for _ in range(1000):
                if isinstance(app.screen, ConsoleScreen) and app.screen.state is not None:
                    break
                await pilot.pause(0.01)
            screen = app.screen
            assert isinstance(screen, ConsoleScreen), f"the console did not open: {app.screen!r}"
            await pilot.pause(1)
            clock = FrameClock(app)

            async def measure(name: str, trigger) -> None:
                count_before = store.incident("INC-1").events
                frames, commit_times = [], []
                clock.full_gc = []
                for i in range(samples + 1):  # the first is a warm-up
                    last = screen.last_event_id
                    frame, commit = await clock.sample(lambda: trigger(i), lambda: screen.last_event_id > last, commits)
                    if i:
                        frames.append(frame)
                        commit_times.append(commit)
                    await pilot.pause()  # let it settle (untimed), as between a person's key presses
                added = store.incident("INC-1").events - count_before
                results[name] = row(frames, commit_times, clock.full_gc[1:], events_committed=added,
                                    events_expected=samples + 1)

            await measure("console 10k: space on the checklist (tick/untick the step under the cursor)", lambda i: key(app, "space", " "))
            await measure("console 10k: screen.run_command('note ...')",
                          lambda i: screen.run_command(f"note latency sample {i}"))

            async def press(_: int) -> None:
                await pilot.press("space")

            async def note(i: int) -> None:
                screen.run_command(f"note pilot sample {i}")

            count_before = store.incident("INC-1").events
            results["pilot: console 10k, pilot.press('space') + pilot.pause()"] = row(
                await round_trips(pilot, press, samples), pilot=True)
            results["pilot: console 10k, run_command('note ...') + pilot.pause()"] = row(
                await round_trips(pilot, note, samples), pilot=True)
            added = store.incident("INC-1").events - count_before
            results["pilot: console 10k, pilot.press('space') + pilot.pause()"].update(
                events_committed=added, events_expected=2 * samples)

            last = store.events("INC-1")[-1]
            results["_check"] = {"events_before": before, "events_after": store.incident("INC-1").events,
                                 "last_event": f"{last.kind} {last.payload}"}
        store.close()
        gc.enable()
        gc.unfreeze()

    async def bare() -> None:
        app = BareApp()
        async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
            await pilot.pause(1)
            clock = FrameClock(app)
            frames = []
            for i in range(samples + 1):
                last = app.presses
                frame, _ = await clock.sample(lambda: key(app, "space", " "), lambda: app.presses > last)
                if i:
                    frames.append(frame)
                await pilot.pause()
            results["bare: space bumps the Static's counter"] = row(frames, full_gc=clock.full_gc[1:],
                                                                    presses_seen=app.presses)

            async def press(_: int) -> None:
                await pilot.press("space")

            async def bump(_: int) -> None:
                app.action_press()

            results["pilot: bare, pilot.press('space') + pilot.pause()"] = row(await round_trips(pilot, press, samples),
                                                                               pilot=True)
            results["pilot: bare, action_press() + pilot.pause()"] = row(await round_trips(pilot, bump, samples),
                                                                         pilot=True)

    asyncio.run(bare())
    asyncio.run(console())
    gc.callbacks.remove(on_gc)
    return results


def key_latency_in_tmux(programs: dict, samples: int) -> dict[str, dict]:
    """Real terminal: send-keys Space, poll the screen as fast as capture-pane allows until it changes.

    The programs run at once, each in its own session, and the presses alternate between them: a busy moment
    of the machine falls on all of them alike, where one program's block of presses after another's would
    compare two different moments (on this two-core machine the ratio of two such blocks moved by 0.3 between
    runs of the same code)."""
    names = list(programs)
    for name in names:
        argv, db, _ = programs[name]
        start(f"keys-{names.index(name)}", argv, db)
    pids = {name: app_pid(f"keys-{names.index(name)}") for name in names}
    for name in names:
        wait_for(f"keys-{names.index(name)}", programs[name][2])
    time.sleep(2)
    times: dict[str, list[float]] = {name: [] for name in names}
    for i in range(samples + 1):
        for name in names:
            session = f"keys-{names.index(name)}"
            screen = capture(session)
            if "BARE" in screen:
                before = next(line for line in screen.splitlines() if "BARE tick" in line).split("presses")[1].strip()
                changed = lambda text, was=before: f"presses {int(was) + 1}" in text  # noqa: E731
            else:  # space ticks or unticks the step under the cursor: the checklist's "N/12 done" moves
                done = re.search(r"(\d+)/\d+ done", screen)
                assert done, f"{name}: no 'N/M done' on the screen:\n{screen}"
                changed = lambda text, was=done.group(0): re.search(r"\d+/\d+ done", text) and was not in text  # noqa: E731
            start_time = time.perf_counter()
            tmux("send-keys", "-t", session, "Space")
            while True:
                text = capture(session)
                if changed(text):
                    break
                if time.perf_counter() - start_time > 10:
                    raise RuntimeError(f"{name}: the screen did not change after a key press:\n{text}")
            if i:  # the first press is a warm-up
                times[name].append(time.perf_counter() - start_time)
            time.sleep(0.05)
    for name in names:
        stop(f"keys-{names.index(name)}", pids[name])
    return {name: summary_ms(values) for name, values in times.items()}


# --- where the time goes ---------------------------------------------------------------------------


def profile(programs: dict, tmp: Path, idle_seconds: float, keys: int = 0) -> dict[str, dict]:
    """benchmarks/profile_console.py in tmux for each console: cProfile of start-up and of idle; with `keys`,
    then of that many key presses of each kind on the 10k incident (written to results/console-keys-*.prof)."""
    import pstats

    out: dict[str, dict] = {}
    for name in ("console", "console 10k"):
        _, db, _ = programs[name]
        stem = tmp / f"profile-{name.replace(' ', '-')}"
        extra = ["--keys", str(keys)] if keys and name == "console 10k" else []
        start("prof", [sys.executable, str(HERE / "profile_console.py"), "--out", str(stem), "--idle", str(idle_seconds),
                       *extra], db)
        pid = app_pid("prof")
        deadline = time.perf_counter() + 120 + (keys * 2 if extra else 0)
        while not Path(f"{stem}.json").exists() and time.perf_counter() < deadline:
            time.sleep(0.2)
        stop("prof", pid)
        facts = json.loads(Path(f"{stem}.json").read_text())

        def top(path: str, count: int, pattern: str) -> list[dict]:
            stats = pstats.Stats(path).stats  # type: ignore[attr-defined]
            rows = []
            for (filename, line, function), (_, calls, self_s, cum_s, _) in stats.items():
                if pattern in filename and function != "<module>":
                    short = filename.split(pattern, 1)[1] if pattern == "/warroom/" else filename.rsplit("/", 1)[1]
                    label = f"warroom/{short}" if pattern == "/warroom/" else f"textual/{short}"
                    rows.append({"function": f"{label}:{function}", "calls": calls, "cum_s": round(cum_s, 3)})
            return sorted(rows, key=lambda r: r["cum_s"], reverse=True)[:count]

        startup_total = pstats.Stats(f"{stem}.startup.prof").total_tt  # type: ignore[attr-defined]
        startup_stats = pstats.Stats(f"{stem}.startup.prof").stats  # type: ignore[attr-defined]

        def cumulative(file_end: str, function: str) -> float:
            values = [v[3] for (f, _, fn), v in startup_stats.items() if f.endswith(file_end) and fn == function]
            return round(max(values, default=0.0), 3)

        phases = {  # they overlap: the fold runs inside compose, the imports nest
            "import warroom.tui.app (Textual and warroom's core)": cumulative("warroom/tui/app.py", "<module>"),
            "import warroom.tui.screens.console (its widgets)": cumulative("warroom/tui/screens/console.py", "<module>"),
            "ConsoleScreen.compose (reads the log and folds it, then the widgets)": cumulative("warroom/tui/screens/console.py", "compose"),
            "  Store.events (rows -> Event: json.loads, parse_iso)": cumulative("warroom/store.py", "events"),
            "  incident.state_of (the fold: one state per event)": cumulative("warroom/incident.py", "state_of"),
            "ConsoleScreen.on_mount": cumulative("warroom/tui/screens/console.py", "on_mount"),
            "Timeline._draw (wraps the latest entries until the pane is full)": cumulative("warroom/tui/widgets/timeline.py", "_draw"),
            "Textual: CSS applied to the widgets (Stylesheet.apply)": cumulative("textual/css/stylesheet.py", "apply"),
            "Textual: the first full frame (Compositor.render_full_update)": cumulative("textual/_compositor.py", "render_full_update"),
        }
        if extra:
            out["keys"] = key_profile(facts, stem, top)
        out[name] = {
            "first_frame_s_under_profiler": round(facts["first_frame_s"], 2),
            "startup_profiled_s": round(startup_total, 2),
            "startup_phases_s": phases,
            "startup_top_warroom": top(f"{stem}.startup.prof", 10, "/warroom/"),
            "idle_s": round(facts["idle_s"], 1),
            "idle_frames_per_s": round(facts["frames_idle"] / facts["idle_s"], 2),
            "idle_bytes_to_terminal_per_s": round(facts["bytes_idle"] / facts["idle_s"]),
            "idle_layout_refreshes_per_s": {k: round(v / facts["idle_s"], 2) for k, v in facts["layout_refreshes_idle"].items()},
            "idle_top_textual": [r for r in top(f"{stem}.idle.prof", 40, "/textual/")
                                 if r["function"].split(":")[-1] in ("_on_timer_update", "_refresh_layout", "reflow",
                                                                      "render_full_update", "render_partial_update",
                                                                      "_display", "render_segments")][:7],
        }
    return out


def key_profile(facts: dict, stem: Path, top) -> dict[str, dict]:
    """What profile_console.py --keys found, per kind of key press: its times under the profiler, the bytes and
    frames it sent to the terminal, the refreshes and layouts it asked for, and the warroom functions it ran."""
    summary = {}
    for kind, rows in facts["keys"].items():
        kept = HERE / "results" / f"console-keys-{kind}.prof"
        shutil.copyfile(f"{stem}.keys-{kind}.prof", kept)
        summary[kind] = {
            **summary_ms([r["ms"] / 1000 for r in rows]),
            "bytes_to_terminal_median": percentile([r["bytes"] for r in rows], 50),
            "frames_median": percentile([r["frames"] for r in rows], 50),
            "refreshes_per_key": facts["keys_refreshes_per_key"][kind],
            "layouts": facts["keys_layouts"][kind],
            "top_warroom": top(str(kept), 12, "/warroom/"),
            "prof": str(kept.relative_to(HERE.parent)),
        }
    return summary


# --- main ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="first-frame runs of each program (default 10)")
    parser.add_argument("--idle", type=float, default=30, help="seconds of idle CPU measurement per program (default 30)")
    parser.add_argument("--settle", type=float, default=5, help="seconds after the first frame before measuring idle")
    parser.add_argument("--samples", type=int, default=200, help="in-process key-press samples (default 200)")
    parser.add_argument("--tmux-samples", type=int, default=100, help="real-terminal key-press samples (default 100)")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile runs of start-up and idle")
    parser.add_argument("--profile-idle", type=float, default=10, help="seconds of idle to profile (default 10)")
    parser.add_argument("--profile-keys", type=int, default=0, metavar="N",
                        help="also profile N presses of space and N of ':note x' enter in tmux on the 10k incident "
                             "(benchmarks/results/console-keys-space.prof and -note.prof)")
    parser.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                        help="first wait up to SECONDS for the 1-minute load average to drop under half the cores")
    options = parser.parse_args()
    wait_for_quiet(options.wait_quiet)
    if not shutil.which("tmux"):
        sys.exit("benchmark: tmux is not installed (apt-get install tmux)")

    info = machine()
    warroom = warroom_command()
    with tempfile.TemporaryDirectory(prefix="warroom-bench-") as folder:
        tmp = Path(folder)
        env = bench_env(tmp)
        env.pop("WARROOM_DB", None)
        env.pop("TMUX", None)
        small, big = make_databases(tmp, warroom, env)
        bare = [sys.executable, str(HERE / "bare_app.py")]
        programs = {
            "bare": (bare, None, BARE_MARKERS),
            "console": ([warroom], small, CONSOLE_MARKERS),
            "console 10k": ([warroom], big, CONSOLE_MARKERS),
        }
        kill_server()
        start_server(env)
        try:
            print(f"(a) first frame, {options.runs} runs each ...", flush=True)
            frames = first_frames(programs, options.runs)
            print(f"(b, c) idle CPU and memory, {options.idle:.0f} s each ...", flush=True)
            idle_results = idle(programs, options.idle, options.settle)
            print(f"(d) key press to screen in tmux, {options.tmux_samples} samples each ...", flush=True)
            keys_tmux = key_latency_in_tmux({"bare": programs["bare"], "console 10k": programs["console 10k"]},
                                            options.tmux_samples)
            profiles = {}
            if not options.no_profile:
                print(f"profiling start-up and {options.profile_idle:.0f} s idle (cProfile, in tmux) ...", flush=True)
                profiles = profile(programs, tmp, options.profile_idle, options.profile_keys)
        finally:
            kill_server()
        copy = tmp / "keys.db"
        with sqlite3.connect(big) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        print(f"(d) key press to event committed and redrawn, in-process (Pilot), {options.samples} samples ...", flush=True)
        keys = key_latency_in_process(copy, options.samples)

    first = {name: summary_ms(values) for name, values in frames.items()}
    bare_first = first["bare"]["median_ms"]
    bare_cpu = idle_results["bare"]["cpu_percent_of_one_core"]
    check = keys.pop("_check")
    key_target = keys["console 10k: space on the checklist (tick/untick the step under the cursor)"]["p95_ms"]
    bare_key_p95 = keys_tmux["bare"]["p95_ms"]
    key_tmux_ratio = keys_tmux["console 10k"]["p95_ms"] / bare_key_p95

    print(f"\nwarroom console vs a bare Textual app, tmux {WIDTH}x{HEIGHT}, {info['cores']} cores, {info['date']}, "
          f"load average {' '.join(info['loadavg_at_start'])} at start, {' '.join(load_now())} at end")
    print("\n(a) time to first frame (process start until capture-pane shows it; polled every 10 ms)")
    print(table(["program", "runs", "median ms", "p95 ms", "vs bare (median)", "target"], [
        [name, s["n"], f"{s['median_ms']:.0f}", f"{s['p95_ms']:.0f}", f"{s['median_ms'] / bare_first:.2f}x",
         "-" if name == "bare" else f"<= 1.5x: {verdict(s['median_ms'] / bare_first <= TARGETS['first_frame_ratio'])}"]
        for name, s in first.items()
    ]))
    print(f"\n(b) idle CPU over {options.idle:.0f} s with the clocks running; (c) memory")
    print(table(["program", "CPU % of a core", "vs bare", "tmux server CPU %", "bytes written/s", "VmRSS MB", "VmHWM MB",
                 "targets"], [
        [name, f"{r['cpu_percent_of_one_core']:.2f}",
         f"{r['cpu_percent_of_one_core'] / bare_cpu:.1f}x" if bare_cpu else "-",
         f"{r['tmux_server_cpu_percent']:.2f}", f"{r['bytes_written_per_s']:,}", f"{r['vm_rss_mb']:.1f}", f"{r['vm_hwm_mb']:.1f}",
         "-" if name == "bare" else
         f"CPU <= 2x: {verdict(bare_cpu > 0 and r['cpu_percent_of_one_core'] / bare_cpu <= TARGETS['idle_cpu_ratio'])}; "
         f"RSS < 100 MB: {verdict(r['vm_hwm_mb'] < TARGETS['rss_mb'])}"]
        for name, r in idle_results.items()
    ]))
    primary = {k: v for k, v in keys.items() if not v.get("pilot")}
    pilot_rows = {k: v for k, v in keys.items() if v.get("pilot")}
    print(f"\n(d) key press -> event committed -> next frame composed, in-process (App.run_test, {WIDTH}x{HEIGHT}), "
          "10,000-event incident")
    print(table(["action", "samples", "p50 ms", "p95 ms", "max ms", "commit p50/p95 ms", "full GC in sample",
                 "events", "target p95 < 50 ms"], [
        [name, r["n"], f"{r['median_ms']:.1f}", f"{r['p95_ms']:.1f}", f"{r['max_ms']:.1f}",
         f"{r['commit_p50_ms']:.1f} / {r['commit_p95_ms']:.1f}" if "commit_p50_ms" in r else "-",
         f"{r['samples_with_full_gc']} (median {r['full_gc_median_ms']} ms)" if "samples_with_full_gc" in r else "-",
         f"{r['events_committed']}/{r['events_expected']}" if "events_committed" in r else "-",
         "-" if name.startswith(("bare", "diagnostic")) else verdict(r["p95_ms"] < TARGETS["key_p95_ms"])]
        for name, r in primary.items()
    ]))
    print("\n(d) Pilot round trips (each includes Pilot's idle waits: >= 20 ms per pause, >= 40 ms per press)")
    print(table(["action", "samples", "p50 ms", "p95 ms", "max ms"], [
        [name.removeprefix("pilot: "), r["n"], f"{r['median_ms']:.1f}", f"{r['p95_ms']:.1f}", f"{r['max_ms']:.1f}"]
        for name, r in pilot_rows.items()
    ]))
    print("\n(d') the same in the real terminal: tmux send-keys Space until capture-pane shows the change (presses alternating)")
    print(table(["program", "samples", "p50 ms", "p95 ms", "max ms", "p95 vs bare", "target (#12) <= 1.5x"], [
        [name, r["n"], f"{r['median_ms']:.1f}", f"{r['p95_ms']:.1f}", f"{r['max_ms']:.1f}", f"{r['p95_ms'] / bare_key_p95:.2f}x",
         "-" if name == "bare" else verdict(r["p95_ms"] / bare_key_p95 <= TARGETS["key_tmux_p95_ratio"])]
        for name, r in keys_tmux.items()
    ]))
    keys_profile = profiles.pop("keys", None)
    for name, prof in profiles.items():
        print(f"\nwhere the time goes, {name} (cProfile; first frame {prof['first_frame_s_under_profiler']} s under the "
              f"profiler):")
        print(table(["start-up phase (cumulative, overlapping)", "s"],
                    [[k, v] for k, v in prof["startup_phases_s"].items()]))
        print(table(["start-up: warroom function", "calls", "cumulative s"],
                    [[r["function"], r["calls"], r["cum_s"]] for r in prof["startup_top_warroom"][:6]]))
        print(f"idle: {prof['idle_frames_per_s']} frames/s, {prof['idle_bytes_to_terminal_per_s']:,} bytes/s to the terminal; "
              "layout refreshes (each reflows the whole screen) per second:")
        for widget, rate in prof["idle_layout_refreshes_per_s"].items():
            print(f"    {rate:5.2f}/s  {widget}")
        print("  " + ", ".join(f"{r['function']} x{r['calls']} {r['cum_s']} s" for r in prof["idle_top_textual"])
              + f" (of {prof['idle_s']} s)")
    if keys_profile:
        print("\nkey presses under the profiler, console 10k in tmux (profile_console.py --keys):")
        print(table(["key", "samples", "p50 ms", "p95 ms", "bytes to the terminal", "frames", "layouts", "profile"], [
            [kind, r["n"], f"{r['median_ms']:.1f}", f"{r['p95_ms']:.1f}", f"{r['bytes_to_terminal_median']:,.0f}",
             f"{r['frames_median']:.0f}", sum(r["layouts"].values()), r["prof"]] for kind, r in keys_profile.items()
        ]))
        for kind, r in keys_profile.items():
            print(f"  {kind}: " + ", ".join(f"{f['function']} {f['cum_s']} s" for f in r["top_warroom"][:6]))
    write_results("console", {
        "benchmark": "console",
        "command": "python benchmarks/console.py " + " ".join(sys.argv[1:]),
        "machine": info,
        "loadavg_at_end": load_now(),
        "terminal": f"tmux {subprocess.run(['tmux', '-V'], capture_output=True, text=True).stdout.strip()}, "
                    f"{WIDTH}x{HEIGHT}, TERM=tmux-256color",
        "targets": TARGETS,
        "first_frame": first,
        "first_frame_ratio_vs_bare": {name: round(s["median_ms"] / bare_first, 2) for name, s in first.items()},
        "idle": idle_results,
        "idle_cpu_ratio_vs_bare": {name: round(r["cpu_percent_of_one_core"] / bare_cpu, 2) if bare_cpu else None
                                   for name, r in idle_results.items()},
        "key_latency_in_process": keys,
        "key_latency_in_process_check": check,
        "key_latency_tmux": keys_tmux,
        "key_latency_tmux_p95_ratio_vs_bare": round(key_tmux_ratio, 2),
        "profiles": profiles,
        "key_profile": keys_profile,
        "verdicts": {
            "first_frame_console_within_1_5x": first["console"]["median_ms"] / bare_first <= 1.5,
            "first_frame_console_10k_within_1_5x": first["console 10k"]["median_ms"] / bare_first <= 1.5,
            "idle_cpu_console_10k_within_2x": bool(bare_cpu) and idle_results["console 10k"]["cpu_percent_of_one_core"] / bare_cpu <= 2,
            "idle_cpu_console_within_2x": bool(bare_cpu) and idle_results["console"]["cpu_percent_of_one_core"] / bare_cpu <= 2,
            "rss_console_10k_under_100mb": idle_results["console 10k"]["vm_hwm_mb"] < 100,
            "key_p95_under_50ms": key_target < 50,
            "key_tmux_p95_within_1_5x_bare": key_tmux_ratio <= TARGETS["key_tmux_p95_ratio"],
        },
    })


if __name__ == "__main__":
    main()
