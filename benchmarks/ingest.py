"""Ingest: 100,000 alerts piped through `warroom log INC - --kind alert`, against raw sqlite3.

Issue 5, Performance: "ingesting them through `warroom log -` at 5,000 events per second or more".

Each repetition, on a fresh temporary database:
  1. `warroom declare` an incident, then spawn `warroom log INC-1 - --kind alert` and write 100,000
     generated alert lines to its standard input (one pipe, as a monitoring script would); the time
     runs from spawning the process until it exits (start-up and the final commit included);
  2. baseline, same run: raw sqlite3 inserting the very rows warroom wrote (read back beforehand)
     into a table of the same shape (warroom's own CREATE statements, indexes and triggers, WAL,
     synchronous=FULL), with executemany in one transaction;
  3. baseline B (for attribution): raw sqlite3 again, but building each row in Python the way the
     store must (canonical JSON payload, ISO times, SHA-256 chained to the previous row), still one
     executemany in one transaction;
then `warroom verify INC-1` (timed) and a count of the events and their sequence numbers.

Then a cProfile of one more `warroom log -` run of the same lines, to say where the time goes
(skip with --no-profile).

    python benchmarks/ingest.py [--events 100000] [--repeat 3] [--no-profile]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pstats
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
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

TARGET_EVENTS_PER_SECOND = 5000
COLUMNS = "incident, seq, kind, actor, payload, at, recorded_at, prev_hash, hash"


def alert_lines(count: int) -> bytes:
    """Alert lines as monitoring sends them: varied hosts, checks and values, about 80 bytes each."""
    checks = ("cpu_high", "disk_full", "http_5xx_rate", "latency_p99", "oom_killed", "replica_lag")
    lines = [
        f"[FIRING] {checks[i % len(checks)]} host=web-{i % 97:02d} region=eu-west-{i % 3 + 1} value={i % 100}% id={i:06d}"
        for i in range(count)
    ]
    return ("\n".join(lines) + "\n").encode()


def declare(warroom: str, env: dict[str, str]) -> str:
    done = subprocess.run([warroom, "declare", "-s", "P1", "-t", "ingest benchmark"], env=env, capture_output=True,
                          text=True, check=True)
    return done.stdout.strip()


def run_warroom_ingest(warroom: str, incident: str, data: bytes, env: dict[str, str]) -> float:
    start = time.perf_counter()
    process = subprocess.Popen([warroom, "log", incident, "-", "--kind", "alert"], env=env, stdin=subprocess.PIPE,
                               stderr=subprocess.PIPE, cwd=ROOT)
    _, err = process.communicate(data)
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        sys.exit(f"benchmark: warroom log - exited {process.returncode}: {err.decode(errors='replace')}")
    return seconds


def schema_of(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL "
            "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, name"
        ).fetchall()
    return [sql for (sql,) in rows]


def fresh_baseline_db(path: Path, schema: list[str], incident_row: tuple) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    for sql in schema:
        conn.execute(sql)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")  # as the store sets it
    conn.execute(f"INSERT INTO incidents VALUES ({', '.join('?' * len(incident_row))})", incident_row)
    return conn


def run_raw_baseline(path: Path, schema: list[str], incident_row: tuple, rows: list[tuple]) -> float:
    """The same rows, already built, executemany in one transaction."""
    start = time.perf_counter()
    conn = fresh_baseline_db(path, schema, incident_row)
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(f"INSERT INTO events ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - start


def run_hashing_baseline(path: Path, schema: list[str], incident_row: tuple, incident: str, lines: list[str],
                         first_seq: int, prev_hash: str) -> float:
    """Raw sqlite3, with each row built in Python as the store must: JSON, ISO times, a chained SHA-256."""
    start = time.perf_counter()
    conn = fresh_baseline_db(path, schema, incident_row)

    def rows():
        nonlocal prev_hash
        now = datetime.now(timezone.utc)
        stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
        for offset, line in enumerate(lines):
            seq = first_seq + offset
            payload = json.dumps({"text": line}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            material = json.dumps([incident, seq, "alert", "bench", payload, stamp, stamp, prev_hash],
                                  sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            digest = hashlib.sha256(material.encode()).hexdigest()
            yield (incident, seq, "alert", "bench", payload, stamp, stamp, prev_hash, digest)
            prev_hash = digest

    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(f"INSERT INTO events ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows())
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - start


def profile_ingest(warroom: str, data: bytes, tmp: Path, env: dict[str, str]) -> dict:
    """cProfile one `warroom log -` run (in a child process, so that it is the real command)."""
    db = tmp / "profile.db"
    env = dict(env, WARROOM_DB=str(db))
    incident = declare(warroom, env)
    out = tmp / "ingest.prof"
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(out), warroom, "log", incident, "-", "--kind", "alert"],
                          env=env, input=data, capture_output=True, cwd=ROOT)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"benchmark: profiled run failed: {done.stderr.decode(errors='replace')}")
    stats = pstats.Stats(str(out))
    total = stats.total_tt  # type: ignore[attr-defined]
    entries = []
    for (filename, line, function), (cc, nc, tt, ct, _) in stats.stats.items():  # type: ignore[attr-defined]
        short = filename.replace(str(ROOT) + "/", "")
        if "site-packages/" in short:
            short = short.split("site-packages/", 1)[1]
        entries.append({"function": f"{short}:{line}({function})", "calls": nc, "tottime_s": round(tt, 3),
                        "cumtime_s": round(ct, 3)})
    by_self = sorted(entries, key=lambda e: e["tottime_s"], reverse=True)[:12]
    interesting = ("warroom/", "sqlite3", "execute", "fetchone", "commit")
    by_cum = [e for e in sorted(entries, key=lambda e: e["cumtime_s"], reverse=True)
              if any(k in e["function"] for k in interesting)][:14]
    # The call sites that matter, as a share of the whole `warroom log` command (they overlap:
    # chain_hash includes one canonical_json; _append_locked includes all of the store's).
    wanted = [
        ("warroom/cli.py", "(log)", "cli.py:log (the whole command)"),
        ("warroom/store.py", "(_append_locked)", "store.py:Store._append_locked (per batch)"),
        ("warroom/store.py", "(login_name)", "store.py:login_name -> getpass.getuser (per batch)"),
        ("sqlite3.Connection", "executemany", "sqlite3 Connection.executemany (the batch's rows, once per batch)"),
        ("sqlite3.Connection", "'execute'", "sqlite3 Connection.execute (the head, the row id, the UPDATEs: per batch)"),
        ("warroom/store.py", "(_storable_json)", "store.py:_storable_json (the payload's JSON, once per event, checked)"),
        ("warroom/events.py", "(canonical_json)", "events.py:canonical_json (the payload's JSON)"),
        ("warroom/events.py", "(chain_hash)", "events.py:chain_hash (sha256 over the fields written out as JSON)"),
        ("warroom/clock.py", "(iso)", "clock.py:iso (recorded_at once a batch; `at` when it changes)"),
        ("warroom/clock.py", "(parse_iso)", "clock.py:parse_iso (the previous event's recorded_at)"),
        ("warroom/events.py", "(_decode_payload)", "events.py:_decode_payload (each Event appended, and each read back at close)"),
        ("warroom/store.py", "(_update_index)", "store.py:_update_index (status, severity and title events only)"),
        ("warroom/store.py", "(__exit__)", "store.py:_Transaction.__exit__ (COMMIT + fsync, per batch)"),
    ]
    whole = next((e["cumtime_s"] for e in entries if "warroom/cli.py" in e["function"] and "(log)" in e["function"]), total)
    hotspots = []
    for file_part, function_part, label in wanted:
        match = [e for e in entries if file_part in e["function"] and function_part in e["function"]]
        if match:
            best = max(match, key=lambda e: e["cumtime_s"])
            hotspots.append({"where": label, "calls": best["calls"], "cumtime_s": best["cumtime_s"],
                             "share_of_command": round(best["cumtime_s"] / whole, 3) if whole else None})
    return {"wall_s_under_profiler": round(wall, 2), "profiled_total_s": round(total, 2), "hotspots": hotspots,
            "top_self_time": by_self, "top_cumulative_warroom_and_sqlite": by_cum}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000, help="alert lines to pipe in (default 100000)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions, each on a fresh database (default 3)")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile run")
    parser.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                        help="first wait up to SECONDS for the 1-minute load average to drop under half the cores")
    options = parser.parse_args()
    wait_for_quiet(options.wait_quiet)

    info = machine()
    warroom = warroom_command()
    data = alert_lines(options.events)
    lines = data.decode().splitlines()
    runs: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="warroom-bench-") as folder:
        tmp = Path(folder)
        warm_env = bench_env(tmp, tmp / "warm.db")
        declare(warroom, warm_env)
        run_warroom_ingest(warroom, "INC-1", alert_lines(100), warm_env)  # compile and cache the bytecode first
        for repetition in range(options.repeat):
            db = tmp / f"ingest-{repetition}.db"
            env = bench_env(tmp, db)
            incident = declare(warroom, env)
            warroom_s = run_warroom_ingest(warroom, incident, data, env)

            with sqlite3.connect(db) as conn:
                rows = conn.execute(
                    f"SELECT {COLUMNS} FROM events WHERE incident = ? AND kind = 'alert' ORDER BY seq", (incident,)
                ).fetchall()
                incident_row = conn.execute("SELECT * FROM incidents WHERE id = ?", (incident,)).fetchone()
                count, low, high = conn.execute(
                    "SELECT COUNT(*), MIN(seq), MAX(seq) FROM events WHERE incident = ?", (incident,)
                ).fetchone()
                first_alert = conn.execute(
                    "SELECT seq, prev_hash FROM events WHERE incident = ? AND kind = 'alert' ORDER BY seq LIMIT 1", (incident,)
                ).fetchone()
                wal_syncs = conn.execute("PRAGMA journal_mode").fetchone()[0]
            schema = schema_of(db)
            raw_s = run_raw_baseline(tmp / f"raw-{repetition}.db", schema, incident_row, rows)
            hashing_s = run_hashing_baseline(tmp / f"hash-{repetition}.db", schema, incident_row, incident, lines,
                                             first_alert[0], first_alert[1])

            start = time.perf_counter()
            verified = subprocess.run([warroom, "verify", incident], env=env, capture_output=True, text=True)
            verify_s = time.perf_counter() - start
            runs.append({
                "warroom_s": round(warroom_s, 3),
                "warroom_events_per_s": round(options.events / warroom_s),
                "raw_sqlite_s": round(raw_s, 3),
                "raw_sqlite_events_per_s": round(options.events / raw_s),
                "sqlite_plus_python_hashing_s": round(hashing_s, 3),
                "sqlite_plus_python_hashing_events_per_s": round(options.events / hashing_s),
                "alerts_stored": len(rows),
                "events_in_incident": count,
                "seq_contiguous": (low, high) == (1, count),
                "journal_mode": wal_syncs,
                "verify_exit": verified.returncode,
                "verify_output": (verified.stdout or verified.stderr).strip(),
                "verify_s": round(verify_s, 3),
            })
        profile = None if options.no_profile else profile_ingest(warroom, data, tmp, bench_env(tmp))

    def median(key: str) -> float:
        return percentile([r[key] for r in runs], 50)

    warroom_rate = median("warroom_events_per_s")
    raw_rate = median("raw_sqlite_events_per_s")
    hashing_rate = median("sqlite_plus_python_hashing_events_per_s")
    all_ok = all(r["alerts_stored"] == options.events and r["seq_contiguous"] and r["verify_exit"] == 0 for r in runs)
    print(f"ingest of {options.events:,} alerts, {options.repeat} repetitions (fresh database each), "
          f"{info['cores']} cores, {info['date']}, "
          f"load average {' '.join(info['loadavg_at_start'])} at start, {' '.join(load_now())} at end")
    print(table(
        ["pipeline", "median s", "events/s (median)", "vs target 5,000/s"],
        [
            ["warroom log INC - --kind alert (pipe, whole process)", f"{median('warroom_s'):.2f}", f"{warroom_rate:,.0f}",
             verdict(warroom_rate >= TARGET_EVENTS_PER_SECOND)],
            ["baseline: raw sqlite3 executemany, 1 transaction", f"{median('raw_sqlite_s'):.2f}", f"{raw_rate:,.0f}", "-"],
            ["baseline B: + Python JSON/ISO/SHA-256 chain per row", f"{median('sqlite_plus_python_hashing_s'):.2f}",
             f"{hashing_rate:,.0f}", "-"],
        ],
    ))
    print(f"warroom is {raw_rate / warroom_rate:.1f}x slower than raw sqlite3 and {hashing_rate / warroom_rate:.1f}x "
          f"slower than sqlite3 + the same per-row hashing")
    last = runs[-1]
    print(f"verify: {last['verify_output']} (exit {last['verify_exit']}, {median('verify_s'):.2f} s median); "
          f"stored {last['alerts_stored']:,} alerts, {last['events_in_incident']:,} events, seq 1..n contiguous: "
          f"{last['seq_contiguous']}; every repetition complete and verified: {all_ok}")
    if profile:
        print(f"\ncProfile of one run ({profile['wall_s_under_profiler']} s under the profiler): where the time goes")
        print(table(["call site", "calls", "cumulative s", "share of the command"],
                    [[h["where"], h["calls"], h["cumtime_s"], f"{h['share_of_command']:.0%}"] for h in profile["hotspots"]]))
        print("\ntop self time:")
        print(table(["function", "calls", "self s", "cum s"],
                    [[e["function"], e["calls"], e["tottime_s"], e["cumtime_s"]] for e in profile["top_self_time"][:10]]))
        print("\nwarroom and sqlite3 call sites by cumulative time:")
        print(table(["function", "calls", "self s", "cum s"],
                    [[e["function"], e["calls"], e["tottime_s"], e["cumtime_s"]]
                     for e in profile["top_cumulative_warroom_and_sqlite"]]))
    write_results("ingest", {
        "benchmark": "ingest",
        "command": "python benchmarks/ingest.py " + " ".join(sys.argv[1:]),
        "machine": info,
        "loadavg_at_end": load_now(),
        "events": options.events,
        "target_events_per_s": TARGET_EVENTS_PER_SECOND,
        "median": {
            "warroom_events_per_s": warroom_rate,
            "raw_sqlite_events_per_s": raw_rate,
            "sqlite_plus_python_hashing_events_per_s": hashing_rate,
            "warroom_s": median("warroom_s"),
            "verify_s": median("verify_s"),
        },
        "target_met": warroom_rate >= TARGET_EVENTS_PER_SECOND,
        "all_complete_and_verified": all_ok,
        "runs": runs,
        "profile": profile,
    })
    if not all_ok:
        sys.exit("benchmark: an ingest run lost events or did not verify")


if __name__ == "__main__":
    main()
