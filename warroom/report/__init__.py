"""Looking back: the post-incident report (Markdown), the timeline as CSV, and metrics across incidents.

One module per output: `timeline` says each event in words and puts them in the order things
happened, `metrics` measures one incident and many, `markdown` writes the report, `spreadsheet` the
CSV; `times` says durations and clock times for all of them. Callers import from here.

The metrics load with the package; every other name from its module when first asked for (PEP 562):
`warroom stats` needs the metrics, not the Markdown writer and its review template.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# The metrics load with the package (`warroom stats` wants them; and the function `metrics` must win over the
# submodule of that name, which importing it later would leave in its place).
from warroom.report.metrics import (
    IncidentMetrics,
    PhaseRate,
    PhaseResult,
    Rate,
    SeverityStats,
    Spread,
    Stats,
    format_stats,
    metrics,
    percentile,
    phase_results,
    stats,
)

if TYPE_CHECKING:
    from warroom.report.markdown import markdown_report
    from warroom.report.spreadsheet import CSV_COLUMNS, timeline_csv
    from warroom.report.timeline import Entry, describe, walk
    from warroom.report.times import say
    from warroom.timeline import t_plus

# Each other name callers import from here, and the module it lives in.
_WHERE = {
    "markdown_report": "warroom.report.markdown",
    "CSV_COLUMNS": "warroom.report.spreadsheet",
    "timeline_csv": "warroom.report.spreadsheet",
    "Entry": "warroom.report.timeline",
    "describe": "warroom.report.timeline",
    "walk": "warroom.report.timeline",
    "say": "warroom.report.times",
    "t_plus": "warroom.timeline",
}

__all__ = sorted([
    *_WHERE, "IncidentMetrics", "PhaseRate", "PhaseResult", "Rate", "SeverityStats", "Spread", "Stats", "format_stats",
    "metrics", "percentile", "phase_results", "stats",
])


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # asked once: a plain attribute from then on
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
