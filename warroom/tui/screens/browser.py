"""The incident browser: every incident, filtered as you type; open one to resume it or replay it."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from warroom.clock import format_duration
from warroom.history import History
from warroom.store import IncidentRow
from warroom.text import one_line
from warroom.tui.messages import GoBack, OpenIncident, ReplayIncident
from warroom.tui.widgets.key_bar import KeyBar
from warroom.tui.widgets.plain_input import PlainInput

STATUSES = ("open", "investigating", "mitigating", "resolved")
COLUMNS = f"{'ID':<8} {'SEV':<6} {'STATUS':<13} {'STARTED':<16} {'DURATION':>8}  {'LOG':<10} TITLE"
WIDE_WIDTH = 110  # narrower than this, each incident takes two lines (title first) and the column heads go


def filter_query(status: str | None = None, severity: str | None = None, search: str | None = None) -> str:
    """The browser's filter line for `warroom list`'s options (--status, --severity, --search)."""
    parts = [f"status:{status}" if status else "", f"sev:{severity}" if severity else "", search or ""]
    return " ".join(part.strip() for part in parts if part and part.strip())


def matches(row: IncidentRow, query: str) -> bool:
    """Words search the title; `status:open` (not resolved), `status:resolved`, `sev:ID` (a severity id) filter."""
    for word in query.lower().split():
        if word.startswith("status:"):
            wanted = word.split(":", 1)[1]
            if (row.status == "resolved") if wanted == "open" else not row.status.startswith(wanted):
                return False
        elif word.startswith(("sev:", "severity:")):
            if row.severity.lower() != word.split(":", 1)[1]:
                return False
        elif word not in row.title.lower():
            return False
    return True


def started_text(when: datetime) -> str:
    """The start in local time, with the date: last week's incident must not read as today's."""
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


class BrowserScreen(Screen):
    """Every incident with its severity, status, start, duration and whether its log verifies."""

    CSS = """
    BrowserScreen #browser-columns {
        padding: 0 2;
    }
    BrowserScreen #incidents {
        height: 1fr;
    }
    """

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("down", "move(1)", "Down", show=False),
        Binding("up", "move(-1)", "Up", show=False),
        Binding("enter", "open", "Open (resume or replay)"),
    ]

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.query_text = query
        self.rows: list[IncidentRow] = []
        self.verified: dict[str, bool] = {}
        self.drills: set[str] = set()
        self._shown_for: tuple[str, bool] | None = None  # (filter, wide) the list was last built for
        self._filling = 0  # which _show the options still to be added after the first frame belong to

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static(id="picker-title", markup=False)
            yield PlainInput(
                value=self.query_text, placeholder=self._filters(),
                id="browser-filter",
            )
            yield Static(Content.styled(COLUMNS, "bold $text-muted"), id="browser-columns")
            yield OptionList(id="incidents")
        yield KeyBar()

    def on_mount(self) -> None:
        store = self.app.store
        self.rows = store.incidents()
        known = History(store, many=True)  # each log from its verified head and cached fold: not 1,000,000 events read
        self.verified = {row.id: known.problem(row) is None for row in self.rows}
        store.save_caches()  # what it had to check anew, for the next reader (nothing when read-only)
        self.drills = known.drills(self.rows)  # from the folds just read: not every first event's payload
        self.query_one(Input).placeholder = self._filters()
        self._show(self.query_text)
        self.query_one(Input).focus()

    def _row(self, row: IncidentRow, now: datetime, wide: bool) -> Content:
        """One incident: a line of columns on a wide screen, two lines (title first) on a narrow one."""
        verified = self.verified[row.id]
        duration = format_duration((row.resolved_at or now) - row.started_at, seconds=False)
        log = ("log ok" if verified else "LOG BROKEN", "$success" if verified else "bold $text on $error")
        action = ("  (replay)" if row.status == "resolved" else "  (resume)", "$text-muted")
        drill = ("DRILL ", "bold $accent") if row.id in self.drills else ""
        if wide:
            return Content.assemble(
                (f"{row.id:<8}", "bold"),
                (f" {one_line(row.severity):<6}", "bold $warning"),
                f" {row.status:<13} {started_text(row.started_at):<16} {duration:>8}  ",
                log,
                " " * (11 - len(log[0])),
                drill,
                one_line(row.title),
                action,
            )
        return Content.assemble(
            (f"{row.id:<8}", "bold"),
            (f" {one_line(row.severity):<6} ", "bold $warning"),
            drill,
            (one_line(row.title), "bold"),
            action,
            f"\n{'':<8} {row.status}, started {started_text(row.started_at)}, {duration}, ",
            log,
        )

    def _show(self, query: str) -> None:
        now = self.app.clock.now()
        wide = self.size.width >= WIDE_WIDTH
        self._shown_for = (query, wide)
        self.query_one("#browser-columns", Static).display = wide
        chosen = [row for row in self.rows if matches(row, query)]
        listing = self.query_one(OptionList)
        highlighted = listing.highlighted_option.id if listing.highlighted_option is not None else None
        # More lines than the screen has: the scrollbar from the start, or a thousand incidents are wrapped at
        # the full width, then all again when their own length brings the scrollbar in (~40 ms of the first frame).
        listing.styles.overflow_y = "scroll" if len(chosen) * (1 if wide else 2) > self.app.size.height else "auto"
        ids = [row.id for row in chosen]
        at = ids.index(highlighted) if highlighted in ids else 0
        # What the screen shows (and the highlighted one) now; the rest once that is drawn: each option is laid out
        # (wrapped to the width) as it is added, and a year of incidents would hold the first frame back.
        first = max(2 * self.app.size.height, at + 1)
        self._filling += 1
        listing.set_options(Option(self._row(row, now, wide), id=row.id) for row in chosen[:first])
        if len(chosen) > first:
            self.call_after_refresh(self._add_rest, self._filling, chosen[first:], now, wide)
        if chosen:
            listing.highlighted = at
        elif self.rows:
            listing.add_option(Option(Content.styled("No incident matches this filter.", "$text-muted"), disabled=True))
        else:
            listing.add_option(
                Option(Content.styled("No incidents yet: ctrl+p, Declare a new incident.", "$text-muted"), disabled=True)
            )
        self.query_one("#picker-title", Static).update(
            f"Incidents: {len(chosen)} of {len(self.rows)} shown. Type to filter: {self._filters()}. "
            "Enter resumes an open one or replays a resolved one."
        )

    def _add_rest(self, filling: int, rows: list[IncidentRow], now: datetime, wide: bool) -> None:
        if filling == self._filling and self.is_mounted:  # not when the list was built again meanwhile (a key typed)
            self.query_one(OptionList).add_options(Option(self._row(row, now, wide), id=row.id) for row in rows)

    def _filters(self) -> str:
        """What the filter takes, the severity written as the latest incident's (the log's ids, not a guess)."""
        example = one_line(self.rows[0].severity) if self.rows else "ID"
        return f"words of the title, status:open, status:resolved, sev:{example}"

    def on_resize(self) -> None:
        # Only when the rows' shape changes (wide or narrow): a thousand incidents take ~100 ms to lay out again.
        if self.is_mounted and self.rows and self._shown_for != (self.query_text, self.size.width >= WIDE_WIDTH):
            self._show(self.query_text)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_text = event.value
        if self._shown_for is None or self._shown_for[0] != event.value:  # the field filled as it mounts: shown already
            self._show(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_open()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.open_incident(event.option.id)

    def action_move(self, delta: int) -> None:
        listing = self.query_one(OptionList)
        if delta > 0:
            listing.action_cursor_down()
        else:
            listing.action_cursor_up()

    def action_open(self) -> None:
        option = self.query_one(OptionList).highlighted_option
        if option is not None and not option.disabled:
            self.open_incident(option.id)

    def open_incident(self, incident_id: str | None) -> None:
        """An open incident is resumed in the console; a resolved one is replayed (escape comes back here)."""
        row = next((r for r in self.rows if r.id == incident_id), None)
        if row is None:
            return
        self.post_message(ReplayIncident(row.id) if row.status == "resolved" else OpenIncident(row.id))

    def action_back(self) -> None:
        self.post_message(GoBack())  # opened by `warroom list` itself, there is nothing under it: warroom ends
