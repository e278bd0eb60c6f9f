"""The installed `warroom` command, run as a user would: a real process, an empty folder, a pipe."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).parent / "warroom"


@pytest.fixture
def warroom(tmp_path: Path):
    if not SCRIPT.exists():
        pytest.skip(f"no installed `warroom` script next to {sys.executable} (install the project into this environment)")
    folder = tmp_path / "empty"
    folder.mkdir()
    env = {**os.environ, "WARROOM_DB": str(tmp_path / "data" / "warroom.db"), "XDG_DATA_HOME": str(tmp_path / "xdg")}
    env.pop("WARROOM_PLAYBOOK", None)

    def run(*args: str, input: str | None = None, db: Path | None = None, ok: bool = True) -> subprocess.CompletedProcess:
        run_env = dict(env, WARROOM_DB=str(db)) if db else env
        result = subprocess.run([str(SCRIPT), *args], cwd=folder, env=run_env, input=input, capture_output=True, text=True,
                                timeout=60)
        if ok:
            assert result.returncode == 0, result.stderr
            assert "Traceback" not in result.stderr
        return result

    run.folder = folder  # type: ignore[attr-defined]
    return run


def test_the_whole_flow_from_an_empty_folder(warroom, tmp_path: Path) -> None:
    from warroom import __version__

    assert warroom("--version").stdout == f"warroom {__version__}\n"
    check = warroom("playbook", "check")
    assert check.stdout.startswith("Incident Response Playbook: OK\n") and "3 with 12 steps" in check.stdout

    incident = warroom("declare", "--severity", "P1", "--title", "Checkout is down", "--runbook", "database").stdout.strip()
    assert incident == "INC-1"
    assert (tmp_path / "data" / "warroom.db").exists()
    assert oct((tmp_path / "data" / "warroom.db").stat().st_mode & 0o777) == "0o600"

    warroom("log", incident, "rolled back the 14:02 deploy")
    warroom("log", incident, "-", "--kind", "alert", input="p99 above 2s\nerror rate 7%\n\nerror rate 2%\n")
    assert warroom("act", incident, "status", "mitigating").stdout == f"{incident}: status: mitigating\n"
    warroom("act", incident, "--at", "-1m", "check", "connection", "pool")
    warroom("act", incident, "notify")

    listing = warroom("list").stdout.splitlines()
    assert listing[1].split()[:3] == [incident, "P1", "mitigating"]
    rows = json.loads(warroom("list", "--json").stdout)
    assert [(r["id"], r["events"], r["verified"]) for r in rows] == [(incident, 8, True)]

    state = json.loads(warroom("show", incident, "--json").stdout)
    assert (state["id"], state["title"], state["severity"], state["status"]) == (incident, "Checkout is down", "P1", "mitigating")
    assert isinstance(state["elapsed_seconds"], int) and state["started_at"].endswith("Z")
    assert (state["alerts"], state["notes"], state["events"]) == (3, 1, 8)
    assert [c["done"] for c in state["checklists"]] == [0, 0, 0, 1]
    assert "INC-1  P1  MITIGATING  Checkout is down" in warroom("show", incident).stdout

    exported = warroom("export", incident, "--format", "jsonl").stdout
    assert len(exported.splitlines()) == 8
    (warroom.folder / "incident.jsonl").write_text(exported, encoding="utf-8")
    other = tmp_path / "other" / "warroom.db"
    assert warroom("import", "incident.jsonl", db=other).stdout == f"imported {incident}\n"
    warroom("export", incident, "-o", "again.jsonl", db=other)
    assert (warroom.folder / "again.jsonl").read_bytes() == exported.encode("utf-8")
    assert warroom("verify").stdout == "ok: 1 incident, 8 events, every chain verifies\n"
    assert warroom("verify", incident, db=other).stdout == "ok: 1 incident, 8 events, every chain verifies\n"
    document = json.loads(warroom("export", incident, "--format", "json").stdout)
    assert document["incident"]["id"] == incident and len(document["events"]) == 8

    assert sorted(p.name for p in warroom.folder.iterdir()) == ["again.jsonl", "incident.jsonl"]  # nothing else left behind


def test_bad_input_is_one_line_from_the_installed_command(warroom) -> None:
    warroom("declare", "-s", "P2", "-t", "Search is slow")
    for args in (["log", "INC-9", "x"], ["log", "INC-1", "x", "--at", "tomorrow"], ["act", "INC-1", "status", "done"],
                 ["show", "INC-1", "--at", "2999-01-01T00:00Z"], ["import", "missing.jsonl"], ["declare", "-s", "P9", "-t", "x"]):
        result = warroom(*args, ok=False)
        assert result.returncode != 0, args
        assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr, (args, result.stderr)
    assert json.loads(warroom("list", "--json").stdout)[0]["events"] == 1


def test_python_dash_m_warroom(warroom) -> None:
    result = subprocess.run([sys.executable, "-m", "warroom", "--version"], capture_output=True, text=True, cwd=warroom.folder,
                            timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("warroom ")


def test_warroom_log_does_not_import_textual(warroom, tmp_path: Path) -> None:
    warroom("declare", "-s", "P1", "-t", "Checkout is down")
    # Through the CLI entry point in a fresh interpreter: the verb runs, and Textual was never loaded.
    code = textwrap.dedent(
        f"""
        import sys
        from click.testing import CliRunner
        from warroom.cli import Context, cli
        result = CliRunner().invoke(cli, ["log", "INC-1", "disk 97%", "--kind", "alert"], obj=Context({str(tmp_path / 'data' / 'warroom.db')!r}, None))
        assert result.exit_code == 0, result.output
        assert "textual" not in sys.modules, "warroom log imported textual"
        print("clean")
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=warroom.folder)
    assert result.returncode == 0 and result.stdout == "clean\n", result.stderr

    # And the installed script itself, as a monitoring job runs it: no textual module in its import trace.
    traced = subprocess.run([sys.executable, "-X", "importtime", str(SCRIPT), "log", "INC-1", "disk 98%", "--kind", "alert"],
                            capture_output=True, text=True, timeout=60, cwd=warroom.folder,
                            env={**os.environ, "WARROOM_DB": str(tmp_path / "data" / "warroom.db")})
    assert traced.returncode == 0, traced.stderr
    imported = [line.rsplit("|", 1)[-1].strip() for line in traced.stderr.splitlines() if line.startswith("import time:")]
    assert "warroom.cli" in imported
    assert not [name for name in imported if name == "textual" or name.startswith("textual.")]
    assert json.loads(warroom("list", "--json").stdout)[0]["events"] == 3
