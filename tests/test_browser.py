"""The incident browser: every incident with its columns, filters, opening (resume or replay), a broken log."""

from __future__ import annotations

import json
import sqlite3
from itertools import product

import pytest
from click.testing import CliRunner
from textual.widgets import Input, OptionList, Static

from warroom import events as kinds
from warroom.cli import Context, cli
from warroom.clock import FakeClock
from warroom.playbook import Playbook
from warroom.store import Store
from warroom.tui.app import make_app
from warroom.tui.screens.browser import BrowserScreen, filter_query, matches
from warroom.tui.screens.console import ConsoleScreen
from warroom.tui.screens.replay import ReplayScreen

from conftest import declaration_payload

SIZE = (160, 40)


pytestmark = pytest.mark.usefixtures("utc_local_time")


@pytest.fixture
def incidents(store: Store, clock: FakeClock, playbook: Playbook) -> dict[str, str]:
    """INC-1 resolved after 40 minutes; INC-2 open (investigating); INC-3 open (mitigating). Now is 19:15."""

    def declare(severity: str, title: str) -> str:
        return store.declare(declaration_payload(playbook, clock.now(), severity, title)).incident

    checkout = declare("P1", "Checkout is down")  # 18:00
    clock.advance(minutes=40)
    store.append(checkout, kinds.RESOLVED, {})
    clock.advance(minutes=20)
    search = declare("P2", "Search is slow")  # 19:00
    clock.advance(minutes=5)
    payments = declare("P0", "Payments failing at checkout")  # 19:05
    store.append(payments, kinds.STATUS, {"status": "mitigating"})
    clock.advance(minutes=10)
    return {"checkout": checkout, "search": search, "payments": payments}


def rows(app) -> list[str]:
    """The browser's lines as shown, spaces collapsed."""
    listing = app.screen.query_one(OptionList)
    return [" ".join(str(listing.get_option_at_index(i).prompt).split()) for i in range(listing.option_count)]


def shown_ids(app) -> list[str]:
    listing = app.screen.query_one(OptionList)
    return [option.id for option in listing.options if option.id]


async def type_filter(pilot, text: str) -> None:
    field = pilot.app.screen.query_one(Input)
    field.value = ""
    await pilot.press(*text)
    await pilot.pause()


async def test_every_incident_with_severity_title_status_start_duration_and_log(store, clock, incidents):
    app = make_app(store, clock=clock, browse="")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        assert rows(app) == [
            "INC-3 P0 mitigating 2026-11-26 19:05 10m log ok Payments failing at checkout (resume)",
            "INC-2 P2 investigating 2026-11-26 19:00 15m log ok Search is slow (resume)",
            "INC-1 P1 resolved 2026-11-26 18:00 40m log ok Checkout is down (replay)",
        ]
        columns = str(app.screen.query_one("#browser-columns", Static).render())
        assert columns.split() == ["ID", "SEV", "STATUS", "STARTED", "DURATION", "LOG", "TITLE"]
        assert "3 of 3 shown" in str(app.screen.query_one("#picker-title", Static).render())
        await pilot.resize_terminal(80, 24)  # narrow: two lines an incident, the title first, no column heads
        await pilot.pause()
        assert rows(app) == [
            "INC-3 P0 Payments failing at checkout (resume) mitigating, started 2026-11-26 19:05, 10m, log ok",
            "INC-2 P2 Search is slow (resume) investigating, started 2026-11-26 19:00, 15m, log ok",
            "INC-1 P1 Checkout is down (replay) resolved, started 2026-11-26 18:00, 40m, log ok",
        ]
        assert not app.screen.query_one("#browser-columns").display


FILTERS = [
    ("status:open", ["INC-3", "INC-2"]),
    ("status:resolved", ["INC-1"]),
    ("status:mitigating", ["INC-3"]),
    ("status:investigating", ["INC-2"]),
    ("sev:p0", ["INC-3"]),
    ("sev:P1", ["INC-1"]),
    ("checkout", ["INC-3", "INC-1"]),
    ("CHECKOUT down", ["INC-1"]),
    ("checkout status:open", ["INC-3"]),
    ("status:resolved sev:p2", []),
    ("", ["INC-3", "INC-2", "INC-1"]),
]


async def test_typing_filters_by_status_severity_and_words_of_the_title(store, clock, incidents):
    app = make_app(store, clock=clock, browse="")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_filter(pilot, "checkout status:open")  # typed key by key once; the rest set the field's value
        assert shown_ids(app) == ["INC-3"]
        for query, expected in FILTERS:
            app.screen.query_one(Input).value = query
            await pilot.pause()
            assert shown_ids(app) == expected, query
            title = str(app.screen.query_one("#picker-title", Static).render())
            assert f"{len(expected)} of 3 shown" in title, query
            if not expected:
                assert rows(app) == ["No incident matches this filter."]


async def test_the_filter_starts_filled_from_the_list_options(store, clock, incidents):
    query = filter_query(status="open", severity="P2", search="search")
    assert query == "status:open sev:P2 search"
    app = make_app(store, clock=clock, browse=query)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.query_one(Input).value == query
        assert shown_ids(app) == ["INC-2"]


def test_the_browser_filter_agrees_with_the_list_table(store, clock, incidents, db_path):
    """`warroom list --status/--severity/--search` and the browser it opens in a terminal pick the same incidents."""
    runner = CliRunner()
    listed = store.incidents()
    for status, severity, search in product((None, "open", "investigating", "mitigating", "resolved"), (None, "P0", "p1"),
                                            (None, "checkout", "is")):
        args = ["list", "--json"]
        args += ["--status", status] if status else []
        args += ["--severity", severity] if severity else []
        args += ["--search", search] if search else []
        result = runner.invoke(cli, args, obj=Context(str(db_path), None, clock=clock))
        assert result.exit_code == 0, result.output
        table = [row["id"] for row in json.loads(result.stdout)]
        query = filter_query(status, severity, search)
        assert [row.id for row in listed if matches(row, query)] == table, (status, severity, search)


def test_list_without_a_terminal_prints_the_table(store, clock, incidents, db_path, monkeypatch):
    def no_browser(*args, **kwargs):
        raise AssertionError("the browser opened without a terminal")

    monkeypatch.setattr("warroom.tui.app.run_console", no_browser)
    result = CliRunner().invoke(cli, ["list", "--status", "open"], obj=Context(str(db_path), None, clock=clock))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["ID", "SEV", "STATUS"]
    assert [line.split()[0] for line in lines[1:]] == ["INC-3", "INC-2"]


async def test_enter_on_an_open_incident_resumes_it_in_the_console(store, clock, incidents):
    app = make_app(store, clock=clock, browse="search")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        assert app.screen.incident_id == incidents["search"]
        assert "Search is slow" in str(app.screen.query_one("#header").render())
        assert "REPLAY" not in str(app.screen.query_one("#header").render())
        assert len(app.screen_stack) == 2  # the browser made way for the console


async def test_down_then_enter_opens_the_highlighted_incident(store, clock, incidents):
    app = make_app(store, clock=clock, browse="status:open")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen) and app.screen.incident_id == incidents["search"]


async def test_enter_on_a_resolved_incident_replays_it_and_escape_comes_back(store, clock, incidents):
    app = make_app(store, clock=clock, browse="status:resolved")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReplayScreen)
        assert app.screen.incident_id == incidents["checkout"]
        assert "REPLAY" in str(app.screen.query_one("#header").render())
        assert "Checkout is down" in str(app.screen.query_one("#header").render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        assert app.screen.query_one(Input).value == "status:resolved"  # the filter as it was
        await pilot.press("escape")  # opened by `warroom list`: nothing to go back to
        await pilot.pause()
    assert app.return_code == 0


async def test_from_the_console_opening_another_open_incident_replaces_the_console(store, clock, incidents):
    app = make_app(store, clock=clock, incident_id=incidents["search"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        await type_filter(pilot, "payments")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        assert app.screen.incident_id == incidents["payments"]
        assert "MITIGATING" in str(app.screen.query_one("#header").render())
        assert [type(s).__name__ for s in app.screen_stack[1:]] == ["ConsoleScreen"]  # one console, not two
        # Back in the browser, the incident already on screen is simply returned to.
        console = app.screen
        await pilot.press("l")
        await pilot.pause()
        await type_filter(pilot, "payments")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is console


async def test_from_the_console_l_opens_the_browser_a_resolved_incident_replays_and_escape_walks_back(
    store, clock, incidents
):
    app = make_app(store, clock=clock, incident_id=incidents["search"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        console = app.screen
        assert isinstance(console, ConsoleScreen)
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        assert shown_ids(app) == ["INC-3", "INC-2", "INC-1"]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is console
        await pilot.press("l")
        await pilot.pause()
        app.screen.query_one(Input).value = "status:resolved"
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReplayScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is console


async def test_a_tampered_log_shows_as_broken(store, clock, incidents, db_path):
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("UPDATE events SET actor = 'mallory' WHERE incident = ? AND seq = 1", (incidents["search"],))
    conn.close()
    app = make_app(store, clock=clock, browse="")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        by_id = {line.split()[0]: line for line in rows(app)}
        assert "LOG BROKEN" in by_id["INC-2"] and "log ok" not in by_id["INC-2"]
        assert "log ok" in by_id["INC-1"] and "log ok" in by_id["INC-3"]


async def test_an_empty_database_says_so(store, clock):
    app = make_app(store, clock=clock, browse="")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert shown_ids(app) == []
        assert rows(app) == ["No incidents yet: ctrl+p, Declare a new incident."]
        await pilot.press("enter")  # nothing to open: nothing happens
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)



async def test_more_incidents_than_the_screen_holds_are_all_listed_in_order_and_a_filter_typed_meanwhile_wins(
    store, clock, playbook
):
    # The first screenful is laid out for the first frame, the rest right after it: all of them, once, in order.
    made = [store.declare(declaration_payload(playbook, clock.now(), "P2", f"Disk full on db-{n}")).incident
            for n in range(130)]
    newest_first = list(reversed(made))
    app = make_app(store, clock=clock, browse="")
    async with app.run_test(size=(160, 20)) as pilot:
        await pilot.pause()
        assert shown_ids(app) == newest_first
        assert app.screen.query_one(OptionList).styles.overflow_y == "scroll"
        # A filter set before the rest of the list is added: only what it matches, never the rest of the old list.
        app.screen.query_one(Input).value = "db-12"
        app.screen.query_one(Input).value = ""
        app.screen.query_one(Input).value = "db-1"
        await pilot.pause()
        await pilot.pause()
        wanted = [ident for ident, n in zip(newest_first, reversed(range(130))) if "db-1" in f"db-{n}"]
        assert shown_ids(app) == wanted and len(wanted) == 41
        app.screen.query_one(Input).value = ""
        await pilot.pause()
        await pilot.pause()
        assert shown_ids(app) == newest_first
