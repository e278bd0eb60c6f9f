"""Each verb loads what it uses: `--version` only click, the readers of many logs neither the command parser,
the signing code nor the report writer (their start-up is most of what a year of history costs them)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from warroom.cli import Context, cli
from warroom.clock import FakeClock

# Run in a fresh interpreter: the verb, then which warroom (and textual) modules it had loaded.
PROBE = textwrap.dedent(
    """
    import json, sys
    from click.testing import CliRunner
    from warroom.cli import Context, cli
    result = CliRunner().invoke(cli, json.loads(sys.argv[2]), obj=Context(sys.argv[1], None))
    assert result.exit_code == 0, result.output + result.stderr
    print(json.dumps(sorted(name for name in sys.modules if name.startswith(("warroom", "textual")))))
    """
)


def loaded_by(db: Path, *args: str) -> set[str]:
    result = subprocess.run([sys.executable, "-c", PROBE, str(db), json.dumps(list(args))],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout))


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("imports") / "warroom.db"
    clock = FakeClock()

    def run(*args: str) -> None:
        result = CliRunner().invoke(cli, list(args), obj=Context(str(path), None, clock=clock))
        assert result.exit_code == 0, result.output

    run("declare", "-s", "P1", "-t", "Checkout is down")
    run("act", "INC-1", "followup fix the retry storm @sam due 2026-12-31")
    run("act", "INC-1", "resolve")
    return path


NEVER_FOR_READERS = {"warroom.commands", "warroom.checkpoint", "warroom.report.markdown", "warroom.comms", "textual"}


def test_version_loads_no_more_of_warroom_than_the_command_line(db: Path) -> None:
    assert loaded_by(db, "--version") == {"warroom", "warroom.cli", "warroom.errors"}


@pytest.mark.parametrize("verb", ["list", "stats", "followups"])
def test_the_readers_of_many_logs_load_neither_the_parser_the_signing_nor_the_report(db: Path, verb: str) -> None:
    loaded = loaded_by(db, verb, "--json")
    assert {"warroom.history", "warroom.store"} <= loaded  # the probe sees what a verb does load
    assert not loaded & NEVER_FOR_READERS, loaded & NEVER_FOR_READERS
    if verb != "stats":
        assert "warroom.report" not in loaded and "warroom.views" not in loaded


def test_the_probe_sees_what_a_verb_loads(db: Path) -> None:
    # The check can fail: exporting the report does load the report writer.
    assert "warroom.report.markdown" in loaded_by(db, "export", "INC-1", "--format", "md", "-o", str(db.parent / "r.md"))
