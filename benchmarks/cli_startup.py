"""Start-up of the scripting verbs: `warroom log INC TEXT` and `warroom --version`, against bare python.

Issue 2 item 6: "The scripting verbs do not import Textual, so that a monitoring script calling
`warroom log` pays a small start-up (measure it)."

Measures, in one run and interleaved (every round runs every case once, in a rotating order, so that
background load hits all cases alike), the wall time from spawning the process until it exits:

    python -c pass                       the floor: the interpreter alone
    python -c "import textual.app"       what `warroom log` would pay on top if it imported Textual
    warroom --version                    click and warroom.cli alone (each verb imports what it uses)
    warroom log INC-1 "text"             the real thing: open the database, append one event, commit

on a temporary database, with a warm bytecode cache (as after `pip install`); plus `warroom log` with
no bytecode for warroom's own modules (PYTHONDONTWRITEBYTECODE=1 on an editable checkout that has no
__pycache__, the way this sandbox runs it). Then confirms that `warroom log` imports no Textual (nor
Rich) module, two ways: `python -X importtime` and a dump of `sys.modules` at exit.

    python benchmarks/cli_startup.py [--runs 20]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    ROOT,
    bench_env,
    load_now,
    machine,
    percentile,
    summary_ms,
    table,
    wait_for_quiet,
    warroom_command,
    write_results,
)

GUI_PACKAGES = ("textual", "rich")


def run_timed(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"benchmark: {' '.join(args)} exited {done.returncode}: {done.stderr.decode(errors='replace')}")
    return seconds


def importtime_report(warroom: str, env: dict[str, str]) -> dict:
    """`python -X importtime` of the installed `warroom log`: GUI modules (should be none) and the heaviest imports."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", warroom, "log", "INC-1", "importtime check"],
        env=env, capture_output=True, text=True, cwd=ROOT,
    )
    modules: list[str] = []
    top_level: list[tuple[int, str]] = []
    pattern = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")
    for line in done.stderr.splitlines():
        match = pattern.match(line)
        if not match:
            continue
        cumulative, indent, name = int(match.group(2)), len(match.group(3)), match.group(4)
        modules.append(name)
        if indent == 1:  # imported by the entry script itself (or by site at start-up)
            top_level.append((cumulative, name))
    heaviest = sorted(top_level, reverse=True)[:6]
    return {
        "exit_code": done.returncode,
        "modules_imported": len(modules),
        "gui_modules": sorted(m for m in modules if m.split(".")[0] in GUI_PACKAGES),
        "heaviest_top_level_imports_ms": [{"module": name, "cumulative_ms": round(us / 1000, 1)} for us, name in heaviest],
        "heaviest_imports_ms": _heaviest_self(done.stderr),
    }


def _heaviest_self(stderr: str) -> list[dict]:
    rows = []
    for line in stderr.splitlines():
        match = re.match(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            rows.append((int(match.group(1)), match.group(4)))
    return [{"module": name, "self_ms": round(us / 1000, 1)} for us, name in sorted(rows, reverse=True)[:8]]


def sys_modules_report(warroom: str, env: dict[str, str]) -> dict:
    """Run the installed entry script in-process (runpy) and list sys.modules when it exits."""
    code = (
        "import sys, runpy, json\n"
        f"sys.argv = [{warroom!r}, 'log', 'INC-1', 'sys.modules check']\n"
        "code = 0\n"
        "try:\n"
        f"    runpy.run_path({warroom!r}, run_name='__main__')\n"
        "except SystemExit as exit:\n"
        "    code = exit.code\n"
        f"gui = sorted(m for m in sys.modules if m.split('.')[0] in {GUI_PACKAGES!r})\n"
        "print(json.dumps({'exit_code': code, 'gui_modules': gui, 'modules_loaded': len(sys.modules)}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        sys.exit(f"benchmark: sys.modules check failed: {done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


BREAKDOWN = """
import json, sys, time
marks = [("start", time.perf_counter())]
import click
marks.append(("import click", time.perf_counter()))
import yaml
marks.append(("import yaml", time.perf_counter()))
import sqlite_utils
marks.append(("import sqlite_utils", time.perf_counter()))
import warroom.cli
marks.append(("import warroom.cli (the command line alone: each verb imports what it uses)", time.perf_counter()))
import warroom.store, warroom.history
marks.append(("import warroom.store, warroom.history (what `log` loads: events, playbook, clock, text, incident)", time.perf_counter()))
from sqlite_utils.plugins import ensure_plugins_loaded
ensure_plugins_loaded()
marks.append(("sqlite_utils plugin scan (importlib.metadata entry points, in Store())", time.perf_counter()))
from warroom.store import Store
store = Store(sys.argv[1])
marks.append(("Store(path): open, schema check, WAL", time.perf_counter()))
store.append("INC-1", "note", {"text": "breakdown"})
marks.append(("append one event (one transaction, fsync)", time.perf_counter()))
store.close()
print(json.dumps([(b[0], b[1] - a[1]) for a, b in zip(marks, marks[1:])]))
"""


def breakdown(db: Path, env: dict[str, str], runs: int) -> list[dict]:
    """Where `warroom log`'s time goes after the interpreter is up: the median of each phase over `runs` runs."""
    phases: dict[str, list[float]] = {}
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", BREAKDOWN, str(db)], env=env, capture_output=True, text=True, cwd=ROOT)
        if done.returncode != 0:
            sys.exit(f"benchmark: breakdown failed: {done.stderr}")
        for name, seconds in json.loads(done.stdout):
            phases.setdefault(name, []).append(seconds)
    return [{"phase": name, "median_ms": round(percentile(values, 50) * 1000, 1)} for name, values in phases.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs of each case (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs of each case first (default 3)")
    parser.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                        help="first wait up to SECONDS for the 1-minute load average to drop under half the cores")
    options = parser.parse_args()
    wait_for_quiet(options.wait_quiet)

    info = machine()
    warroom = warroom_command()
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="warroom-bench-") as folder:
        tmp = Path(folder)
        db = tmp / "bench.db"
        env = bench_env(tmp, db)
        cold_env = bench_env(tmp, db, bytecode_cache=False)
        subprocess.run([warroom, "declare", "-s", "P1", "-t", "start-up benchmark"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        cases = [
            ("python -c pass", [py, "-c", "pass"], env),
            ('python -c "import textual.app"', [py, "-c", "import textual.app"], env),
            ("warroom --version", [warroom, "--version"], env),
            ("warroom log INC-1 TEXT", [warroom, "log", "INC-1", "disk 91% on db-2"], env),
            ("warroom log INC-1 TEXT (no .pyc for warroom)", [warroom, "log", "INC-1", "disk 91% on db-2"], cold_env),
        ]
        for _ in range(options.warmup):
            for _, args, case_env in cases:
                run_timed(args, case_env)
        samples: dict[str, list[float]] = {name: [] for name, _, _ in cases}
        for round_ in range(options.runs):
            order = cases[round_ % len(cases):] + cases[: round_ % len(cases)]
            for name, args, case_env in order:
                samples[name].append(run_timed(args, case_env))
        importtime = importtime_report(warroom, env)
        modules = sys_modules_report(warroom, env)
        phases = breakdown(db, env, options.runs)
        logged = subprocess.run([warroom, "verify"], env=env, capture_output=True, text=True)

    results = {name: summary_ms(values) for name, values in samples.items()}
    floor = results["python -c pass"]["median_ms"]
    textual_import = results['python -c "import textual.app"']["median_ms"]
    log_median = results["warroom log INC-1 TEXT"]["median_ms"]
    rows = []
    for name, stats in results.items():
        rows.append([name, options.runs, f"{stats['median_ms']:.1f}", f"{stats['p95_ms']:.1f}",
                     f"{stats['median_ms'] - floor:+.1f}"])
    print(f"warroom CLI start-up, {options.runs} runs each (interleaved), {info['cores']} cores, {info['date']}, "
          f"load average {' '.join(info['loadavg_at_start'])} at start, {' '.join(load_now())} at end")
    print(table(["command", "runs", "median ms", "p95 ms", "vs python -c pass"], rows))
    textual_free = not importtime["gui_modules"] and not modules["gui_modules"]
    print(f"\n`warroom log` imports Textual/Rich: {'no' if textual_free else 'YES: ' + ', '.join(modules['gui_modules'][:5])}"
          f" (-X importtime: {importtime['modules_imported']} modules, none from {'/'.join(GUI_PACKAGES)}"
          f"{'' if not importtime['gui_modules'] else ' -- FOUND ' + str(len(importtime['gui_modules']))}; "
          f"sys.modules at exit: {modules['modules_loaded']} modules)")
    print("heaviest imports of `warroom log` (cumulative, -X importtime):",
          ", ".join(f"{r['module']} {r['cumulative_ms']} ms" for r in importtime["heaviest_top_level_imports_ms"]))
    print(f"`warroom log` costs {log_median - floor:.0f} ms over bare python; importing textual.app alone costs "
          f"{textual_import - floor:.0f} ms over bare python")
    print("\nwhere `warroom log` spends its time after the interpreter is up (median of in-process phases):")
    print(table(["phase", "median ms"], [[p["phase"], f"{p['median_ms']:.1f}"] for p in phases]))
    print(f"log verifies after the runs: {logged.stdout.strip() or logged.stderr.strip()}")
    write_results("cli_startup", {
        "benchmark": "cli_startup",
        "command": "python benchmarks/cli_startup.py " + " ".join(sys.argv[1:]),
        "machine": info,
        "loadavg_at_end": load_now(),
        "runs": options.runs,
        "warmup_runs": options.warmup,
        "results": results,
        "warroom_log_over_bare_python_ms": round(log_median - floor, 1),
        "textual_app_import_over_bare_python_ms": round(textual_import - floor, 1),
        "warroom_log_imports_textual": not textual_free,
        "phases": phases,
        "importtime": importtime,
        "sys_modules": modules,
        "verify": logged.stdout.strip(),
    })


if __name__ == "__main__":
    main()
