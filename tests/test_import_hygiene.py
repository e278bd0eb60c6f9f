"""The headless layers never import Textual, so the domain, scripts and monitoring run without a terminal UI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import warroom

PACKAGE = Path(warroom.__file__).resolve().parent
# The layers DESIGN.md names, then every other top-level module (the UI lives in warroom/tui/ only).
CORE = ["warroom.playbook", "warroom.events", "warroom.store", "warroom.incident", "warroom.views", "warroom.comms",
        "warroom.commands", "warroom.clock"]
# The report is a package: it and each of its modules (the CLI imports them only for export and stats).
REPORT = ["warroom.report"] + sorted(f"warroom.report.{path.stem}" for path in (PACKAGE / "report").glob("*.py") if path.stem != "__init__")
OTHERS = sorted(
    f"warroom.{path.stem}" for path in PACKAGE.glob("*.py") if path.stem not in ("__init__", "__main__") and f"warroom.{path.stem}" not in CORE
)


def modules_after_importing(names: list[str]) -> set[str]:
    code = "import sys\n" + "".join(f"import {name}\n" for name in names) + "print('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_core_layers_do_not_import_textual() -> None:
    assert len(REPORT) > 1, "warroom/report/ holds no modules"
    names = CORE + REPORT
    loaded = modules_after_importing(names)
    assert set(names) <= loaded
    assert "textual" not in loaded
    assert not any(name.startswith("textual.") or name.startswith("warroom.tui") for name in loaded)


def test_no_top_level_module_imports_textual() -> None:
    assert "warroom.cli" in OTHERS
    loaded = modules_after_importing(OTHERS)
    assert "textual" not in loaded and "warroom.tui" not in loaded


def test_the_check_can_fail() -> None:
    # The probe itself must see Textual when something does import it.
    assert "textual" in modules_after_importing(["textual"])
