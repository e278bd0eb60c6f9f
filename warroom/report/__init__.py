"""Looking back: the post-incident report (Markdown), the timeline as CSV, and metrics across incidents.

One module per output: `timeline` says each event in words and puts them in the order things
happened, `metrics` measures one incident and many, `markdown` writes the report, `spreadsheet` the
CSV; `times` says durations and clock times for all of them. Callers import from here.
"""

from __future__ import annotations

from warroom.report.markdown import markdown_report
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
from warroom.report.spreadsheet import CSV_COLUMNS, timeline_csv
from warroom.report.timeline import Entry, describe, walk
from warroom.report.times import say
from warroom.timeline import t_plus

__all__ = [
    "CSV_COLUMNS", "Entry", "IncidentMetrics", "PhaseRate", "PhaseResult", "Rate", "SeverityStats", "Spread", "Stats",
    "describe", "format_stats", "markdown_report", "metrics", "percentile",
    "phase_results", "say", "stats", "t_plus", "timeline_csv", "walk",
]
