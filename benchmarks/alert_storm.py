"""Alert storm: 1,000 alerts a second for 60 s into a live incident, through `warroom receive` and through `warroom log -`,
with the console and a wall running in tmux; then `receive` taking batches as fast as it can.

Issue 15, Performance: "every alert committed and on screen within 1 s of its post (p95), none lost, the console's
key press to screen p95 still under 50 ms during the storm, resident memory under 150 MB; `receive` ingesting
batches at 5,000 alerts a second or more".

For each path, on a fresh temporary database with one incident declared:
  1. in a private tmux server at 120x40: the console (`warroom`), the wall (`warroom watch`) and the bare baseline
     app (bare_app.py), each until its first frame;
  2. the storm: every 10 ms a tick sends RATE/100 new alerts, each with a unique id, and records when (wall clock):
     - receive: one POST /alertmanager (Alertmanager's webhook v4 body, its own fingerprint and startsAt) per tick,
       sent without waiting for the one before (aiohttp client), plus one repeat of an alert already sent (it must
       not be stored: Alertmanager repeats a group's alerts in every notification);
     - log: the tick's alert lines written to the standard input of one `warroom log INC-1 - --kind alert`;
  3. meanwhile, every 50 ms, capture-pane of the console and of the wall: the wall's alert line reads "N alerts ·
     ... id=NNNNNN" and the console's clock pane "alert HH:MM ... id=NNNNNN"; alert k counts as on screen at the first
     capture that shows a count (wall) or a newest id (console) of k or more. And every ~0.7 s a Space to the console
     (the checklist's "N/12 done" moves) and to the bare app (its counter moves), alternately, each timed from
     send-keys to the first capture-pane that shows the change (console.py's method (d'));
  4. after the last tick: until every alert is in the log and the wall's count is the log's (or 30 s); then
     committed = recorded_at of each alert event minus its post time, from the log itself; VmHWM of the console,
     the wall and the ingesting process from /proc.
Then receive's batch rate: 2 clients posting 1,000 distinct alerts per request, BATCHES requests in all, into a
fresh incident (no screens); baseline in the same run: a bare aiohttp server that reads and parses the same bodies
and answers (the HTTP and JSON floor, no log). Each server's own CPU (utime + stime) over the timed posts too: alerts
per CPU second, which other work on the machine moves less than the rate.

    python benchmarks/alert_storm.py [--rate 1000] [--seconds 60] [--batches 50] [--only receive|log|batches]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import select
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
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
SOCKET = f"warroom-storm-{os.getpid()}"
TICK = 0.010
SCREEN_POLL = 0.050
TARGETS = {"committed_p95_s": 1.0, "on_screen_p95_s": 1.0, "key_p95_ms": 50, "rss_mb": 150, "batch_alerts_per_s": 5000}
ID = re.compile(r"id=(\d{6})")
WALL_COUNT = re.compile(r"([\d,]+) alerts? · ")


# --- tmux (as console.py drives it) ------------------------------------------------------------------


def tmux(*args: str, env: dict[str, str] | None = None, check: bool = True) -> str:
    done = subprocess.run(["tmux", "-L", SOCKET, "-f", "/dev/null", *args], capture_output=True, text=True, env=env)
    if check and done.returncode != 0:
        raise RuntimeError(f"tmux {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def capture(session: str) -> str:
    return tmux("capture-pane", "-p", "-t", session, check=False)


def app_pid(session: str) -> int:
    pane = int(tmux("list-panes", "-t", session, "-F", "#{pane_pid}").strip().splitlines()[0])
    for _ in range(200):
        if "python" in Path(f"/proc/{pane}/cmdline").read_bytes().decode(errors="replace").split("\0")[0]:
            return pane
        children = Path(f"/proc/{pane}/task/{pane}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.01)
    return pane


def wait_for_screen(session: str, markers: tuple[str, ...], timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        screen = capture(session)
        if all(marker in screen for marker in markers):
            return screen
        if time.monotonic() > deadline:
            raise RuntimeError(f"{session}: {markers} not on screen after {timeout} s:\n{screen}")
        time.sleep(0.02)


CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def vm_kb(pid: int) -> dict[str, int]:
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    except OSError:
        pass
    return values


# --- what is sent ------------------------------------------------------------------------------------


def am_alert(i: int, started: str) -> dict:
    return {"status": "firing", "labels": {"alertname": "S", "id": f"{i:06d}"}, "annotations": {"summary": f"id={i:06d}"},
            "startsAt": started, "endsAt": "0001-01-01T00:00:00Z", "fingerprint": f"{i:016x}"}


def am_body(alerts: list[dict]) -> bytes:
    return json.dumps({"version": "4", "status": "firing", "receiver": "warroom", "groupKey": "{}:{}", "groupLabels": {},
                       "commonLabels": {}, "commonAnnotations": {}, "externalURL": "", "truncatedAlerts": 0,
                       "alerts": alerts}).encode()


def now_rfc3339() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def start_receiver(warroom: str, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([warroom, "receive", "--listen", "127.0.0.1:0"], env=env, stderr=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    assert process.stderr is not None
    ready, _, _ = select.select([process.stderr], [], [], 30)
    line = process.stderr.readline().decode() if ready else ""
    found = re.search(r"http://127\.0\.0\.1:(\d+)", line)
    if not found:
        sys.exit(f"benchmark: warroom receive did not start: {line!r}")
    return process, f"http://127.0.0.1:{found.group(1)}"


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- one storm ------------------------------------------------------------------------------------------


class Storm:
    """Sends RATE alerts a second for SECONDS through one path, watching the screens and pressing keys meanwhile."""

    def __init__(self, path: str, rate: int, seconds: float, warroom: str, tmp: Path) -> None:
        self.path, self.rate, self.seconds, self.warroom = path, rate, seconds, warroom
        self.db = tmp / f"storm-{path}.db"
        self.env = bench_env(tmp, self.db)
        self.posted: dict[int, float] = {}  # alert id: wall-clock time it was sent
        self.sent = 0
        self.http_errors: list[str] = []
        self.console_seen: list[tuple[float, int]] = []  # (capture time, newest id on the console)
        self.wall_seen: list[tuple[float, int]] = []  # (capture time, the wall's count)
        self.keys: dict[str, list[float]] = {"console": [], "bare": []}
        self.done = threading.Event()

    def run(self) -> dict:
        done = subprocess.run([self.warroom, "declare", "-s", "P1", "-t", f"alert storm via {self.path}"], env=self.env,
                              capture_output=True, text=True, check=True)
        incident = done.stdout.strip()
        tmux("new-session", "-d", "-s", "keeper", "-x", str(WIDTH), "-y", str(HEIGHT), "sleep", "100000", env=self.env)
        tmux("set-option", "-g", "default-terminal", "tmux-256color")
        db_env = ["-e", f"WARROOM_DB={self.db}"]
        try:
            tmux("new-session", "-d", "-s", "console", "-x", str(WIDTH), "-y", str(HEIGHT), *db_env, self.warroom)
            tmux("new-session", "-d", "-s", "wall", "-x", str(WIDTH), "-y", str(HEIGHT), *db_env, self.warroom, "watch")
            tmux("new-session", "-d", "-s", "bare", "-x", str(WIDTH), "-y", str(HEIGHT), sys.executable, str(HERE / "bare_app.py"))
            wait_for_screen("console", (incident, "Checklist", "palette"))
            wait_for_screen("wall", (incident, "WATCH"))
            wait_for_screen("bare", ("BARE tick",))
            pids = {name: app_pid(name) for name in ("console", "wall", "bare")}
            time.sleep(2)
            if self.path == "receive":
                ingest, url = start_receiver(self.warroom, self.env)
            else:
                ingest = subprocess.Popen([self.warroom, "log", incident, "-", "--kind", "alert"], env=self.env,
                                          stdin=subprocess.PIPE, stderr=subprocess.PIPE)
                url = ""
            pids["ingest"] = ingest.pid
            pids["tmux"] = int(tmux("display-message", "-p", "-t", "keeper", "#{pid}").strip())
            cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
            bench_before = time.process_time()
            watchers = [threading.Thread(target=self.watch_screens, daemon=True),
                        threading.Thread(target=self.press_keys, daemon=True)]
            for thread in watchers:
                thread.start()
            started = time.monotonic()
            if self.path == "receive":
                asyncio.run(self.send_http(url))
            else:
                self.send_lines(ingest)
            sending = time.monotonic() - started
            cpu = {name: round(100 * (cpu_seconds(pid) - cpu_before[name]) / sending) for name, pid in pids.items()}
            cpu["benchmark"] = round(100 * (time.process_time() - bench_before) / sending)
            expected = self.sent
            settle_deadline = time.monotonic() + 30
            while time.monotonic() < settle_deadline:
                if self.logged(incident) >= expected and self.wall_seen and self.wall_seen[-1][1] >= expected:
                    break
                time.sleep(0.1)
            time.sleep(0.3)
            self.done.set()
            for thread in watchers:
                thread.join(timeout=15)
            memory = {name: vm_kb(pid) for name, pid in pids.items() if name != "tmux"}
            if self.path == "log":
                assert ingest.stdin is not None
                ingest.stdin.close()
                ingest.wait(timeout=60)
            else:
                stop_process(ingest)
        finally:
            subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)
        figures = self.figures(incident, sending, memory)
        figures["cpu_percent_of_a_core_while_sending"] = cpu
        return figures

    def logged(self, incident: str) -> int:
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        try:
            return conn.execute("SELECT COUNT(*) FROM events WHERE incident = ? AND kind = 'alert'", (incident,)).fetchone()[0]
        finally:
            conn.close()

    async def send_http(self, url: str) -> None:
        import aiohttp

        per_tick = max(1, self.rate // 100)
        ticks = int(self.seconds / TICK)
        pending: set[asyncio.Task] = set()
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

            async def post(body: bytes) -> None:
                try:
                    async with session.post(f"{url}/alertmanager", data=body,
                                            headers={"Content-Type": "application/json"}) as response:
                        text = await response.text()
                        if response.status != 200:
                            self.http_errors.append(f"{response.status} {text.strip()}")
                except aiohttp.ClientError as error:
                    self.http_errors.append(str(error))

            begin = time.monotonic()
            for tick in range(ticks):
                await asyncio.sleep(max(0.0, begin + tick * TICK - time.monotonic()))
                stamp = now_rfc3339()
                first = self.sent
                alerts = [am_alert(first + k, stamp) for k in range(per_tick)]
                if first:
                    alerts.append(am_alert(first - per_tick, stamp))  # a repeat: already sent, not to be stored again
                sent_at = time.time()
                for k in range(per_tick):
                    self.posted[first + k] = sent_at
                self.sent += per_tick
                task = asyncio.create_task(post(am_body(alerts)))
                pending.add(task)
                task.add_done_callback(pending.discard)
            await asyncio.gather(*pending)

    def send_lines(self, ingest: subprocess.Popen) -> None:
        assert ingest.stdin is not None
        per_tick = max(1, self.rate // 100)
        ticks = int(self.seconds / TICK)
        begin = time.monotonic()
        for tick in range(ticks):
            time.sleep(max(0.0, begin + tick * TICK - time.monotonic()))
            first = self.sent
            lines = "".join(f"storm id={first + k:06d}\n" for k in range(per_tick)).encode()
            sent_at = time.time()
            ingest.stdin.write(lines)
            ingest.stdin.flush()
            for k in range(per_tick):
                self.posted[first + k] = sent_at
            self.sent += per_tick

    def watch_screens(self) -> None:
        while not self.done.is_set():
            for session, seen in (("console", self.console_seen), ("wall", self.wall_seen)):
                screen = capture(session)
                at = time.time()
                if session == "wall":
                    counts = WALL_COUNT.findall(screen)
                    if counts:
                        seen.append((at, int(counts[0].replace(",", ""))))
                else:
                    border = [line for line in screen.splitlines() if " alert " in line and "id=" in line]
                    ids = [int(found) for line in border for found in ID.findall(line)]
                    if ids:
                        seen.append((at, max(ids)))
            time.sleep(SCREEN_POLL)

    def press_keys(self) -> None:
        time.sleep(1.0)
        turn = 0
        while not self.done.is_set():
            name = ("console", "bare")[turn % 2]
            turn += 1
            screen = capture(name)
            if name == "bare":
                found = re.search(r"presses (\d+)", screen)
                if not found:
                    continue
                changed = lambda text, was=int(found.group(1)): f"presses {was + 1}" in text  # noqa: E731
            else:
                found = re.search(r"\d+/\d+ done", screen)
                if not found:
                    continue
                changed = lambda text, was=found.group(0): re.search(r"\d+/\d+ done", text) and was not in text  # noqa: E731
            start = time.perf_counter()
            tmux("send-keys", "-t", name, "Space")
            while not changed(capture(name)):
                if time.perf_counter() - start > 10:
                    break
                time.sleep(0.002)  # capture-pane in a tight loop takes a core of this 2-core box from the screens
            else:
                if turn > 2:  # the first of each is a warm-up
                    self.keys[name].append(time.perf_counter() - start)
            time.sleep(0.7)

    def figures(self, incident: str, sending: float, memory: dict) -> dict:
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        rows = conn.execute("SELECT payload, recorded_at FROM events WHERE incident = ? AND kind = 'alert'", (incident,)).fetchall()
        conn.close()
        committed, ids = [], []
        for payload, recorded in rows:
            found = ID.search(payload)
            if not found:
                continue
            alert_id = int(found.group(1))
            ids.append(alert_id)
            recorded_at = datetime.fromisoformat(recorded.replace("Z", "+00:00")).timestamp()
            # recorded_at is stored to the millisecond (cut, not rounded): the post time is cut the same way, or a
            # commit within the post's millisecond would come out as a negative latency.
            posted = math.floor(self.posted.get(alert_id, recorded_at) * 1000) / 1000
            committed.append(recorded_at - posted)
        stored = len(set(ids))
        duplicates = len(ids) - stored

        def on_screen(seen: list[tuple[float, int]], by_count: bool) -> list[float]:
            """Per alert (in the order sent): the first capture whose count (or newest id) reached it, minus its post."""
            out, cursor = [], 0
            for alert_id in range(self.sent):
                needed = alert_id + 1 if by_count else alert_id
                while cursor < len(seen) and seen[cursor][1] < needed:
                    cursor += 1
                if cursor == len(seen):
                    break
                out.append(seen[cursor][0] - self.posted[alert_id])
            return out

        wall = on_screen(self.wall_seen, by_count=True)
        console = on_screen(self.console_seen, by_count=False)
        per_second = max(1, self.rate)

        def by_second(lags: list[float]) -> list[float]:
            """p95 of each second's alerts (in the order sent): where in the storm the screens fell behind."""
            return [round(percentile(lags[i:i + per_second], 95), 2) for i in range(0, len(lags), per_second)]
        return {
            "path": self.path, "rate_per_s": self.rate, "seconds": self.seconds, "sending_took_s": round(sending, 2),
            "sent": self.sent, "stored_distinct": stored, "stored_twice": duplicates, "lost": self.sent - stored,
            "http_errors": self.http_errors[:5], "http_error_count": len(self.http_errors),
            "committed_s": _seconds(committed),
            "wall_on_screen_s": _seconds(wall), "wall_shown_alerts": len(wall),
            "wall_final_count": self.wall_seen[-1][1] if self.wall_seen else 0,
            "console_on_screen_s": _seconds(console), "console_shown_alerts": len(console),
            "wall_p95_by_second": by_second(wall), "console_p95_by_second": by_second(console),
            "keys_during_storm": {name: summary_ms(times) if times else {} for name, times in self.keys.items()},
            "memory_mb": {name: {k: round(v / 1024, 1) for k, v in values.items()} for name, values in memory.items()},
        }


def _seconds(values: list[float]) -> dict:
    if not values:
        return {}
    return {"n": len(values), "median": round(percentile(values, 50), 3), "p95": round(percentile(values, 95), 3),
            "max": round(max(values), 3)}


# --- batches ----------------------------------------------------------------------------------------------

BARE_SERVER = """
import json, sys
from aiohttp import web
async def take(request):
    body = json.loads(await request.read())
    return web.json_response({"stored": len(body["alerts"])})
app = web.Application(client_max_size=16 * 1024 * 1024)
app.router.add_post("/alertmanager", take)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=lambda *a: print("listening", flush=True, file=sys.stderr), access_log=None)
"""


async def post_batches(url: str, bodies: list[bytes], clients: int = 2) -> tuple[float, list[str]]:
    import aiohttp

    errors: list[str] = []
    queue = list(bodies)

    async def client(session: aiohttp.ClientSession) -> None:
        while queue:
            body = queue.pop()
            async with session.post(f"{url}/alertmanager", data=body, headers={"Content-Type": "application/json"}) as response:
                text = await response.text()
                if response.status != 200:
                    errors.append(f"{response.status} {text.strip()}")

    async with aiohttp.ClientSession() as session:
        start = time.perf_counter()
        await asyncio.gather(*(client(session) for _ in range(clients)))
        return time.perf_counter() - start, errors


def batches(warroom: str, tmp: Path, count: int, size: int = 1000) -> dict:
    stamp = now_rfc3339()
    bodies = [am_body([am_alert(b * size + k, stamp) for k in range(size)]) for b in range(count)]
    db = tmp / "batches.db"
    env = bench_env(tmp, db)
    results: dict = {"batches": count, "alerts_per_batch": size, "clients": 2}
    # warroom receive, into an incident with no screens.
    subprocess.run([warroom, "declare", "-s", "P1", "-t", "batch benchmark"], env=env, capture_output=True, check=True)
    receiver, url = start_receiver(warroom, env)
    try:
        asyncio.run(post_batches(url, bodies[:2]))  # warm-up (2,000 alerts, counted in the log but not timed)
        cpu = cpu_seconds(receiver.pid)
        seconds, errors = asyncio.run(post_batches(url, bodies[2:]))
        cpu = cpu_seconds(receiver.pid) - cpu  # the receiver's own CPU: a figure a loaded machine moves less
        hwm = vm_kb(receiver.pid)
    finally:
        stop_process(receiver)
    timed = (count - 2) * size
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    stored = conn.execute("SELECT COUNT(*) FROM events WHERE kind = 'alert'").fetchone()[0]
    conn.close()
    results["receive"] = {"seconds": round(seconds, 3), "alerts_per_s": round(timed / seconds), "errors": errors[:3],
                          "cpu_s": round(cpu, 2), "alerts_per_cpu_s": round(timed / cpu) if cpu else None,
                          "stored": stored, "expected": count * size, "memory_mb": {k: round(v / 1024, 1) for k, v in hwm.items()}}
    # The bare aiohttp server: reads and parses each body and answers, nothing stored.
    port = 20000 + os.getpid() % 20000
    bare = subprocess.Popen([sys.executable, "-c", BARE_SERVER, str(port)], stderr=subprocess.PIPE, env=env)
    assert bare.stderr is not None
    select.select([bare.stderr], [], [], 30)
    bare.stderr.readline()
    try:
        url = f"http://127.0.0.1:{port}"
        asyncio.run(post_batches(url, bodies[:2]))
        cpu = cpu_seconds(bare.pid)
        seconds, errors = asyncio.run(post_batches(url, bodies[2:]))
        cpu = cpu_seconds(bare.pid) - cpu
    finally:
        stop_process(bare)
    results["bare_http"] = {"seconds": round(seconds, 3), "alerts_per_s": round(timed / seconds), "errors": errors[:3],
                            "cpu_s": round(cpu, 2), "alerts_per_cpu_s": round(timed / cpu) if cpu else None}
    return results


# --- the report ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=int, default=1000, help="alerts a second (default 1000)")
    parser.add_argument("--seconds", type=float, default=60, help="length of each storm (default 60)")
    parser.add_argument("--batches", type=int, default=50, help="requests of 1,000 alerts for the batch rate (default 50)")
    parser.add_argument("--only", choices=("receive", "log", "batches"), help="one part alone")
    parser.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS")
    args = parser.parse_args()
    if subprocess.run(["tmux", "-V"], capture_output=True).returncode != 0 and args.only != "batches":
        sys.exit("benchmark: needs tmux (apt-get install tmux)")
    wait_for_quiet(args.wait_quiet)
    warroom = warroom_command()
    facts = machine()
    results: dict = {"machine": facts, "command": " ".join([Path(sys.executable).name, *sys.argv]), "targets": TARGETS}
    with tempfile.TemporaryDirectory(prefix="warroom-storm-") as folder:
        tmp = Path(folder)
        # Warm-up: compile warroom's modules into the private cache, as a pip install would have.
        subprocess.run([warroom, "--version"], env=bench_env(tmp), capture_output=True)
        for path in ("receive", "log"):
            if args.only in (None, path):
                print(f"storm through {path}: {args.rate}/s for {args.seconds:g} s ...", flush=True)
                results[path] = Storm(path, args.rate, args.seconds, warroom, tmp).run()
        if args.only in (None, "batches"):
            print(f"batches: {args.batches} x 1,000 alerts ...", flush=True)
            results["batches"] = batches(warroom, tmp, args.batches)
    facts["loadavg_at_end"] = load_now()
    print(report(results))
    print(f"\nwritten to {write_results('alert_storm', results)}")


def report(results: dict) -> str:
    lines = []
    rows = []
    for path in ("receive", "log"):
        storm = results.get(path)
        if not storm:
            continue
        worst_rss = max((m.get("VmHWM", 0) for name, m in storm["memory_mb"].items() if name != "bare"), default=0)
        console_keys = storm["keys_during_storm"]["console"]
        bare_keys = storm["keys_during_storm"]["bare"]
        rows.append([
            path, f"{storm['sent']:,}", f"{storm['lost']:,}", f"{storm['stored_twice']:,}",
            f"{storm['committed_s'].get('p95', '-')} s", f"{storm['wall_on_screen_s'].get('p95', '-')} s",
            f"{storm['console_on_screen_s'].get('p95', '-')} s",
            f"{console_keys.get('p95_ms', '-')} ms (bare {bare_keys.get('p95_ms', '-')})",
            " / ".join(f"{name} {m.get('VmHWM', '-')}" for name, m in storm["memory_mb"].items() if name != "bare"),
            verdict(storm["lost"] == 0 and storm["committed_s"].get("p95", 9) <= 1 and storm["wall_on_screen_s"].get("p95", 9) <= 1
                    and storm["console_on_screen_s"].get("p95", 9) <= 1 and console_keys.get("p95_ms", 999) < 50 and worst_rss < 150),
        ])
    if rows:
        lines.append(table(["storm via", "sent", "lost", "stored twice", "committed p95", "wall p95", "console p95",
                            "console key p95", "VmHWM MB (console / wall / ingest)", "targets"], rows))
    if "batches" in results:
        batch = results["batches"]
        lines.append("")
        per_cpu = {name: f"{batch[name]['alerts_per_cpu_s']:,}" if batch[name].get("alerts_per_cpu_s") else "-"
                   for name in ("receive", "bare_http")}
        lines.append(table(["batches of 1,000 (2 clients)", "alerts/s", "seconds", "server CPU s", "alerts per CPU s",
                            "stored / expected"], [
            ["warroom receive", f"{batch['receive']['alerts_per_s']:,}", batch["receive"]["seconds"],
             batch["receive"].get("cpu_s", "-"), per_cpu["receive"],
             f"{batch['receive']['stored']:,} / {batch['receive']['expected']:,}"],
            ["bare aiohttp (parse, no log)", f"{batch['bare_http']['alerts_per_s']:,}", batch["bare_http"]["seconds"],
             batch["bare_http"].get("cpu_s", "-"), per_cpu["bare_http"], "-"],
        ]))
        lines.append(f"receive >= {TARGETS['batch_alerts_per_s']:,} alerts/s: {verdict(batch['receive']['alerts_per_s'] >= TARGETS['batch_alerts_per_s'])}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
