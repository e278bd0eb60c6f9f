"""A log declared before the loader's id rule (issue 13) opens: its template ids may hold spaces, dots or accents
(`status page`, `slack.update`, `état`), which Textual refuses as widget ids; the console and replay name their
tabs through warroom.tui.ids, and every template still shows, copies and records its own id."""

from __future__ import annotations

import copy

import pytest
import yaml

from conftest import REPO, declaration_payload
from warroom import events as kinds
from warroom.playbook import playbook_from_data
from warroom.store import Store
from warroom.tui.app import make_app
from warroom.tui.ids import widget_id

OLD_IDS = ["status page", "slack.update", "état"]
SIZE = (120, 40)


pytestmark = pytest.mark.usefixtures("utc_local_time", "no_display")


@pytest.fixture
def old_incident(store: Store, clock) -> str:
    """An incident whose log carries a playbook with template ids from before the id rule."""
    data = yaml.safe_load((REPO / "playbook.yaml").read_text())
    first = data["templates"][0]
    data["templates"] = [  # every placeholder one the state fills, so the first copy goes
        dict(copy.deepcopy(first), id=ident, name=f"Message {n}", text="{severity}: {title}") for n, ident in enumerate(OLD_IDS, 1)
    ]
    book = playbook_from_data(data, "an older log")
    assert [t.id for t in book.templates] == OLD_IDS  # the lenient reading keeps them, as it keeps the log readable
    return store.declare(declaration_payload(book, clock.now(), title="Old log")).incident


def test_widget_ids_are_valid_and_distinct_for_any_id() -> None:
    from textual.dom import check_identifiers

    ids = ["internal", "status page", "slack.update", "état", "-x", "1st", "_ok", "status-page", "status_page", ""]
    made = [widget_id("tab", ident) for ident in ids]
    check_identifiers("id", *made)  # raises on any id Textual refuses
    assert len(set(made)) == len(ids)
    assert widget_id("tab", "internal") == "tab-internal"  # today's ids are spelled as they always were


async def test_the_console_opens_an_old_log_and_copies_each_template(store: Store, clock, old_incident: str) -> None:
    app = make_app(store, clock=clock, incident_id=old_incident)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tabs = app.screen.query_one("#tabs")
        for ident in OLD_IDS:
            tabs.active = widget_id("tab", ident)
            await pilot.pause()
            assert app.screen.copy_message(), f"copying {ident!r} failed"
            await pilot.pause()
        assert app.screen.run_command("copy status page")
        await pilot.pause()
    copied = [e.payload["what"] for e in store.events(old_incident) if e.kind == kinds.COPIED]
    assert copied == [*OLD_IDS, "status page"]


async def test_replay_opens_an_old_log(store: Store, clock, old_incident: str) -> None:
    store.append(old_incident, kinds.NOTE, {"text": "later"})
    app = make_app(store, clock=clock, incident_id=old_incident, replay=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for ident in OLD_IDS:
            assert app.screen.query(f"#{widget_id('tab', ident)}"), f"no tab for {ident!r}"
        await pilot.press("end")
        await pilot.pause()
