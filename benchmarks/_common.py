"""Helpers shared by the benchmark scripts (statistics, machine facts, tables, JSON results).

Not a benchmark itself. Each `benchmarks/NAME.py` imports this from its own folder, so every script
runs as `python benchmarks/NAME.py` from the top of the checkout, with the project's virtual
environment's python (the one that has warroom and textual installed).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Sequence

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) with linear interpolation between ranks (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    """Median, p95, min and max of durations given in seconds, in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "median_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "min_ms": round(min(ms), 2),
        "max_ms": round(max(ms), 2),
    }


def warroom_command() -> str:
    """The installed `warroom` next to this python (the venv's), else the one on PATH."""
    beside = Path(sys.executable).parent / "warroom"
    if beside.exists():
        return str(beside)
    found = shutil.which("warroom")
    if not found:
        sys.exit("benchmarks: no installed `warroom` command; run with the project's venv python")
    return found


def bench_env(tmp: Path, db: Path | None = None, *, bytecode_cache: bool = True) -> dict[str, str]:
    """The environment for the programs under test.

    With `bytecode_cache`, compiled modules go to a private cache in `tmp` (PYTHONPYCACHEPREFIX), so
    after a warm-up run every program starts as it would from a normal `pip install` (which writes
    .pyc files), whatever PYTHONDONTWRITEBYTECODE says in the caller's shell, and nothing is written
    into the checkout.
    """
    env = dict(os.environ)
    env.pop("WARROOM_PLAYBOOK", None)
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    if db is not None:
        env["WARROOM_DB"] = str(db)
    return env


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _run(args: list[str]) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine() -> dict[str, Any]:
    """What the numbers were measured on: date, CPU, load, versions, the commit (and whether it was dirty)."""
    model = next(
        (line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines() if line.startswith("model name")),
        platform.processor() or "unknown",
    )
    mem_kb = next((int(line.split()[1]) for line in _read("/proc/meminfo").splitlines() if line.startswith("MemTotal")), 0)
    try:
        from importlib.metadata import version

        textual_version = version("textual")
        warroom_version = version("warroom")
    except Exception:  # noqa: BLE001 - facts for a report, never fatal
        textual_version = warroom_version = "unknown"
    dirty = _run(["git", "status", "--porcelain", "--untracked-files=no", "--", "warroom", "styles", "playbook.yaml"])
    return {
        "date": datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "cpu": model,
        "memory_mb": mem_kb // 1024,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "textual": textual_version,
        "warroom": warroom_version,
        "commit": _run(["git", "rev-parse", "--short", "HEAD"]),
        "warroom_sources_modified_since_commit": bool(dirty),
        "loadavg_at_start": _read("/proc/loadavg").split()[:3],
    }


def load_now() -> list[str]:
    return _read("/proc/loadavg").split()[:3]


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A small fixed-width table (also valid Markdown)."""
    rows = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    out = [line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out.extend(line(r) for r in rows)
    return "\n".join(out)


def write_results(name: str, data: dict[str, Any]) -> Path:
    """benchmarks/results/NAME.json, written whole (a .tmp first, then renamed)."""
    RESULTS.mkdir(exist_ok=True)
    target = RESULTS / f"{name}.json"
    partial = RESULTS / f"{name}.json.tmp"
    partial.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    partial.replace(target)
    return target


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


class Stopwatch:
    def __enter__(self) -> "Stopwatch":
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start


def wait_for_quiet(limit_s: float, threshold: float | None = None) -> None:
    """Wait (up to limit_s) until the 1-minute load average is under `threshold` (default: half the cores)."""
    if limit_s <= 0:
        return
    threshold = threshold if threshold is not None else (os.cpu_count() or 1) / 2
    deadline = time.monotonic() + limit_s
    while float(load_now()[0]) >= threshold and time.monotonic() < deadline:
        time.sleep(5)
    print(f"(load average {' '.join(load_now())}; waited for < {threshold})", flush=True)
