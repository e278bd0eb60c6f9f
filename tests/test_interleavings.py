"""Issue 12: the console, two scripts and `watch` write and read one incident in random interleavings; after
every step each view holds exactly what the log holds.

One example opens ONE console app and ONE wall (`warroom watch`, pinned to the incident or following the
latest declared) on the same SQLite file, each with its own connection as separate processes would have, and
two scripts, each its own `Store` opened once. Hypothesis draws the steps: the IC runs a command (valid often,
refused sometimes), a script appends (an alert, a note, a status, a batch, a backfilled note, or to a second
incident it declares), the fake clock moves, the console or the wall polls (`tick()`), the IC switches tab;
and a "burst": a script commits and the IC's command follows before any poll (the case 526e440 fixed).

After every step, read fresh from the file with a connection of the test's own:

- the console holds a prefix of the log: exactly the incident's events up to the last id it has seen, in
  recorded order, once each, in its log and in its timeline, and its `state` is their fold; right after a
  tick of its own, or its own append, that prefix is the whole log (what was committed before its own event
  is not skipped);
- a refused command recorded nothing; an accepted one exactly one event;
- the same for the wall, over the incident it follows (the latest declared, unpinned), whole after its tick;
- after their poll, the header's other open incidents (console and wall) are those whose logs say they are
  open; the Timeline tab's "N new alerts" counts the alerts the console took while another tab was shown.

Nothing sleeps: the screens' own half-second timers are paused; the tests tick by hand. The two apps run in
one event loop, each called inside its own Textual context (`acting_in`).

At the end, two races no interleaving of whole steps reaches: a commit between the two reads a view makes as it
opens (the console used to miss such an event, the wall to take it twice).
"""

from __future__ import annotations

import asyncio
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Iterator

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import TabbedContent

from conftest import START, declaration_payload
from warroom import events as kinds
from warroom.clock import FakeClock
from warroom.events import Event
from warroom.incident import state_of
from warroom.playbook import load_playbook
from warroom.store import Store
from warroom.tui.app import make_app
from warroom.tui.messages import OpenIncident
from warroom.tui.screens.console import ConsoleScreen
from warroom.tui.screens.watch import WatchScreen
from warroom.tui.widgets.header import IncidentHeader
from warroom.tui.widgets.timeline import Timeline

SIZE = (80, 24)  # an IC's laptop in tmux; a smaller screen also draws faster
PLAYBOOK = load_playbook()

# What the IC types: valid often (depending on the state), refused sometimes (a typo, a word that takes
# nothing after it, a step already done, a rung not notified, a phase past the last...).
IC_LINES = [
    "note rolling back the deploy",
    "db-2 looks healthy again",  # no command word: a note
    "status mitigating",
    "status investigating",
    "notify",
    "notify 2",
    "ack",
    "ack 1",
    "check 1",
    "check 2",
    "check 4",
    "uncheck 1",
    "phase next",
    "phase detection",
    "sev P0",
    "sev P2",
    "eta 30m",
    "eta none",
    "impact EU checkout",
    "role scribe Sam",
    "runbook database",
    "title Checkout is down again",
    "resolve",
    "reopen",
    "resolved the cache issue",  # refused: resolve takes nothing after it
    "stauts mitigating",  # refused: did you mean status?
]

TEMPLATE_TABS = [f"tab-{template.id}" for template in PLAYBOOK.templates]

script_actions = st.one_of(
    st.tuples(st.just("alert")),
    st.tuples(st.just("note")),
    st.tuples(st.just("status"), st.sampled_from(["investigating", "mitigating", "resolved"])),
    st.tuples(st.just("batch"), st.integers(2, 4)),
    st.tuples(st.just("backfill"), st.sampled_from([1, 3, 20])),  # minutes back: 20 can be before the declaration
    st.tuples(st.just("declare-other")),
    st.tuples(st.just("alert-other")),
    st.tuples(st.just("resolve-other")),
)
scripts = st.sampled_from("AB")

steps = st.one_of(
    st.tuples(st.just("ic"), st.sampled_from(IC_LINES)),
    st.tuples(st.just("ic"), st.sampled_from(IC_LINES)),
    st.tuples(st.just("script"), scripts, script_actions),
    st.tuples(st.just("script"), scripts, script_actions),
    st.tuples(st.just("burst"), scripts, script_actions, st.sampled_from(IC_LINES)),
    st.tuples(st.just("burst"), scripts, script_actions, st.sampled_from(IC_LINES)),
    st.tuples(st.just("clock"), st.sampled_from([1, 5, 30, 60, 5 * 60, 20 * 60, 70 * 60])),
    st.tuples(st.just("tick"), st.sampled_from(["console", "watch"])),
    st.tuples(st.just("tab"), st.sampled_from(["timeline-tab", *TEMPLATE_TABS])),
)

# Up to 25 steps, the length drawn first: plain lists are mostly 0-4 steps long, and opening the two apps costs
# as much as a dozen steps.
runs = st.integers(0, 25).flatmap(lambda length: st.lists(steps, min_size=length, max_size=length))


@contextmanager
def acting_in(app: App) -> Iterator[None]:
    """Calls into one of the two apps from the test: `widget.app` is Textual's context variable, which the
    inner `run_test` set to the wall; without this the console would append through the wall's store."""
    with app._context():
        yield


def keys(events: list[Event]) -> list[tuple[str, int]]:
    return [(e.incident, e.seq) for e in events]


def gap(held: list[Event], expected: list[Event]) -> str:
    missing = [f"{e.seq} {e.kind} {e.payload.get('text', '')!r} by {e.actor}" for e in expected if e not in held]
    twice = [f"{k[1]}" for i, k in enumerate(keys(held)) if k in keys(held)[:i]]
    return f"missing: {missing or 'none'}; twice: {twice or 'none'}"


@dataclass
class Room:
    clock: FakeClock
    incident: str
    console_app: App
    watch_app: App
    console_pilot: Pilot
    watch_pilot: Pilot
    reader: Store
    scripts: dict[str, Store]
    pinned: bool
    declared: list[str] = field(default_factory=list)  # every incident, in the order declared
    numbered: int = 0
    left_timeline_at: int = 0  # the console's last event id when it showed another tab than the Timeline

    @property
    def console(self) -> ConsoleScreen:
        screen = self.console_app.screen
        assert isinstance(screen, ConsoleScreen)
        return screen

    @property
    def watch(self) -> WatchScreen:
        screen = self.watch_app.screen
        assert isinstance(screen, WatchScreen)
        return screen

    def text(self, what: str) -> str:
        self.numbered += 1
        return f"{what} {self.numbered}"

    def log(self, incident: str | None = None) -> list[Event]:
        return self.reader.events(incident or self.incident)

    def open_others(self, incident: str | None) -> tuple[str, ...]:
        """The other incidents whose logs say they are open, newest first (the index's order)."""
        return tuple(
            row.id for row in self.reader.incidents()
            if row.id != incident and not state_of(self.reader.events(row.id)).resolved
        )

    # --- the steps ----------------------------------------------------------------------------

    def script(self, name: str, action: tuple) -> None:
        store, now = self.scripts[name], self.clock.now()
        actor = f"script-{name}"
        others = [i for i in self.declared if i != self.incident]
        match action:
            case ("alert",):
                store.append(self.incident, kinds.ALERT, {"text": self.text(f"alert from {name}")}, actor=actor)
            case ("note",):
                store.append(self.incident, kinds.NOTE, {"text": self.text(f"note from {name}")}, actor=actor)
            case ("status", status):
                store.append(self.incident, kinds.STATUS, {"status": status}, actor=actor)
            case ("batch", size):
                items = [
                    (kinds.ALERT, {"text": self.text(f"burst alert from {name}")}, None),
                    (kinds.STATUS, {"status": "mitigating"}, None),
                    (kinds.NOTE, {"text": self.text(f"burst note from {name}")}, None),
                    (kinds.ALERT, {"text": self.text(f"late alert from {name}")}, now - timedelta(seconds=30)),
                ][:size]
                store.append_many(self.incident, items, actor=actor)
            case ("backfill", minutes):
                store.append(self.incident, kinds.NOTE, {"text": self.text(f"backfilled by {name}")}, actor=actor,
                             at=now - timedelta(minutes=minutes))
            case ("declare-other",):
                if len(self.declared) < 3:
                    payload = declaration_payload(PLAYBOOK, now, "P2", self.text("Search is slow"))
                    self.declared.append(store.declare(payload, actor=actor).incident)
            case ("alert-other",):
                if others:
                    store.append(others[-1], kinds.ALERT, {"text": self.text(f"elsewhere from {name}")}, actor=actor)
            case ("resolve-other",):
                open_ids = {row.id for row in self.reader.open_incidents()}
                still_open = [i for i in others if i in open_ids]
                if still_open:
                    store.append(still_open[0], kinds.RESOLVED, {}, actor=actor)
            case _:
                raise AssertionError(action)

    def ic(self, line: str) -> None:
        before = self.log()
        with acting_in(self.console_app):
            done = self.console.run_command(line)
            # A key's COMMIT may still be under way on the store's thread; no frame leaves before it is done
            # (WarroomApp._display), so the screen is compared with the log from there.
            assert self.console_app.store.settle() == ()
        after = self.log()
        if not done:
            assert keys(after) == keys(before), f"{line!r} was refused, yet recorded {keys(after)[len(before):]}"
            return
        assert len(after) == len(before) + 1, f"{line!r} recorded {len(after) - len(before)} events"
        assert self.console.last_event_id == after[-1].id
        # Its own event is on screen, and so is everything committed before it.
        self.check_console(caught_up=True)

    async def tab(self, pane: str) -> None:
        with acting_in(self.console_app):
            tabs = self.console.query_one(TabbedContent)
            if tabs.active == "timeline-tab" and pane != "timeline-tab":
                self.left_timeline_at = self.console.last_event_id
            tabs.active = pane
        # Until the console has heard the tab is shown (it clears the Timeline's count then, or makes the
        # template's editor): a pilot's pause would wait for the whole process to idle, 20 ms at least.
        for _ in range(200):
            if self.tab_settled(pane):
                break
            await asyncio.sleep(0)

    def tab_settled(self, pane: str) -> bool:
        with acting_in(self.console_app):
            if pane == "timeline-tab":
                return self.console.query_one(TabbedContent).get_tab(pane).label.plain == "Timeline"
            return bool(self.console.query(f"#editor-{pane.removeprefix('tab-')}"))

    @staticmethod
    async def settle() -> None:
        """Let both apps handle what is ready for them (data binding, redraws), as between two polls.

        (A pilot's pause waits for the process to idle, 20 ms at least: too slow for every step.)"""
        await asyncio.sleep(0)

    async def step(self, step: tuple) -> None:
        match step:
            case ("ic", line):
                self.ic(line)
            case ("script", name, action):
                self.script(name, action)
            case ("burst", name, action, line):
                self.script(name, action)  # committed; the console has not polled
                self.ic(line)
            case ("clock", seconds):
                self.clock.advance(seconds=seconds)
            case ("tick", "console"):
                with acting_in(self.console_app):
                    self.console.tick()
                self.check_console(caught_up=True)
            case ("tick", "watch"):
                with acting_in(self.watch_app):
                    self.watch.tick()
                self.check_watch(caught_up=True)
            case ("tab", pane):
                await self.tab(pane)
            case _:
                raise AssertionError(step)
        await self.settle()
        self.check_console(caught_up=False)
        self.check_watch(caught_up=False)

    # --- what must hold -------------------------------------------------------------------------

    def check_console(self, *, caught_up: bool) -> None:
        screen = self.console
        log = self.log()
        seen = [e for e in log if e.id <= screen.last_event_id]
        if caught_up:
            assert keys(seen) == keys(log), f"the console is behind the log after its poll or append: {gap(seen, log)}"
        held = screen.incident_log.events
        assert keys(held) == keys(seen), (
            f"the console's log is not the log up to event id {screen.last_event_id}: {gap(held, seen)}"
        )
        entries = screen.query_one(Timeline)._events  # the timeline's entries (the lines are drawn from them)
        assert keys(entries) == keys(seen), f"the console's timeline: not one entry per event: {gap(entries, seen)}"
        assert screen.state == state_of(seen), "the console's state is not the fold of the events it holds"
        others = getattr(screen.query_one(IncidentHeader), "others_open", None)  # (a console before 22b0d9b has none)
        if caught_up and others is not None:
            assert others == self.open_others(self.incident), "the header's other open incidents are not the log's"
        self.check_alert_count()

    def check_alert_count(self) -> None:
        """The Timeline tab counts the alerts the console took while another tab was shown, and no more."""
        screen = self.console
        if not hasattr(screen, "_unseen_alerts"):
            return  # a console from before 22b0d9b says nothing on the tab
        tabs = screen.query_one(TabbedContent)
        label = tabs.get_tab("timeline-tab").label.plain
        if tabs.active == "timeline-tab":
            assert label == "Timeline"
            return
        count = sum(1 for e in screen.incident_log.events if e.kind == kinds.ALERT and e.id > self.left_timeline_at)
        assert label == (f"Timeline · {count} new alert{'s' if count != 1 else ''}" if count else "Timeline")

    def check_watch(self, *, caught_up: bool) -> None:
        screen = self.watch
        if caught_up and not self.pinned:
            assert screen.incident_id == self.declared[-1], "the unpinned wall does not follow the latest declared"
        assert screen.incident_id is not None
        log = self.log(screen.incident_id)
        seen = [e for e in log if e.id <= screen.last_event_id]
        if caught_up:
            assert keys(seen) == keys(log), f"the wall is behind the log after its own poll: {gap(seen, log)}"
        held = screen.incident_log.events
        assert keys(held) == keys(seen), (
            f"the wall's log is not the log up to event id {screen.last_event_id}: {gap(held, seen)}"
        )
        entries = screen.query_one(Timeline)._events
        assert keys(entries) == keys(seen), f"the wall's timeline has not one entry per event: {gap(entries, seen)}"
        assert screen.state == state_of(seen), "the wall's state is not the fold of the events it holds"
        others = getattr(screen.query_one(IncidentHeader), "others_open", None)
        if caught_up and others is not None:
            assert others == self.open_others(screen.incident_id), "the wall's other open incidents are not the log's"


async def scenario(steps: list[tuple], pinned: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "warroom.db"
        clock = FakeClock(START)
        with Store(db, clock=clock) as console_store:
            incident = console_store.declare(declaration_payload(PLAYBOOK, clock.now()), actor="ic").incident
            with (
                Store(db, clock=clock) as script_a,
                Store(db, clock=clock) as script_b,
                Store(db, clock=clock, readonly=True) as wall_store,  # `warroom watch` opens it read-only
                Store(db, clock=clock, readonly=True) as reader,
            ):
                console_app = make_app(console_store, clock=clock, incident_id=incident)
                watch_app = make_app(wall_store, clock=clock, incident_id=incident if pinned else None, watch=True)
                async with console_app.run_test(size=SIZE) as console_pilot:
                    await console_pilot.pause()
                    async with watch_app.run_test(size=SIZE) as watch_pilot:
                        await watch_pilot.pause()
                        room = Room(clock, incident, console_app, watch_app, console_pilot, watch_pilot, reader,
                                    {"A": script_a, "B": script_b}, pinned, declared=[incident])
                        # Only the test's ticks: a timer's poll at a random moment would hide the interleavings.
                        room.console._ticker.pause()
                        for timer in list(room.watch._timers):
                            timer.pause()
                        room.check_console(caught_up=True)
                        room.check_watch(caught_up=True)
                        for step in steps:
                            await room.step(step)
                        # In the end, one poll each and both show the whole log.
                        await room.step(("tick", "console"))
                        await room.step(("tick", "watch"))


# About a second an example (two apps open, then up to 25 steps), so 20 of them; the explain phase is left out
# (its report names lines of the test's machinery). The autouse fixture that isolates the data folder is function
# scoped: harmless here, each example makes its own database in a folder of its own.
@settings(
    max_examples=20, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(steps=runs, pinned=st.booleans())
# What the generated runs shrink to on c6d284b (before 526e440), kept so that it is tried first, every time: a
# script's alert, then the IC's note before the console polls (the console jumped to its own event's id).
@example(steps=[("script", "A", ("alert",)), ("ic", "note rolling back the deploy")], pinned=False)
def test_every_interleaving_leaves_the_console_and_the_wall_at_the_fold_of_the_log(steps, pinned):
    asyncio.run(scenario(steps, pinned))


# --- the moment a view opens: a commit between its reads ------------------------------------------------------
# Another process's commit lands between two statements of the view: modelled by wrapping the view's store so
# that a script commits right after the first read returns.


@pytest.mark.parametrize("opened", ["directly", "from the browser"])
async def test_an_event_committed_while_the_console_opens_is_picked_up(
    store, clock, db_path, playbook, monkeypatch, opened
):
    first = store.declare(declaration_payload(playbook, clock.now())).incident
    target = first
    if opened == "from the browser":
        target = store.declare(declaration_payload(playbook, clock.now(), "P2", "Search is slow")).incident
    with Store(db_path, clock=clock) as script:
        committed: list[Event] = []
        read = store.events

        chunks = store.event_chunks

        def read_then_another_commits(incident_id: str, **kwargs) -> list[Event]:
            events = read(incident_id, **kwargs)
            if incident_id == target and not committed:  # another process commits just after the read
                committed.append(script.append(target, kinds.ALERT, {"text": "5xx above 20%"}, actor="alertmanager"))
            return events

        def chunks_then_another_commits(incident_id: str, **kwargs):  # the console reads its log a chunk at a time
            yield from chunks(incident_id, **kwargs)
            if incident_id == target and not committed:
                committed.append(script.append(target, kinds.ALERT, {"text": "5xx above 20%"}, actor="alertmanager"))

        def commit_after_reads() -> None:
            monkeypatch.setattr(store, "events", read_then_another_commits)
            monkeypatch.setattr(store, "event_chunks", chunks_then_another_commits)

        app = make_app(store, clock=clock, incident_id=first)
        if opened == "directly":
            commit_after_reads()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            if opened == "from the browser":
                commit_after_reads()
                app.post_message(OpenIncident(target))
                await pilot.pause()
            monkeypatch.setattr(store, "events", read)
            monkeypatch.setattr(store, "event_chunks", chunks)
            screen = app.screen
            assert isinstance(screen, ConsoleScreen) and screen.incident_id == target and committed
            screen._ticker.pause()
            screen.tick()
            screen.tick()
            log = store.events(target)
            assert keys(screen.query_one(Timeline)._events) == keys(log), gap(screen.query_one(Timeline)._events, log)
            assert screen.state == state_of(log)


async def test_an_event_committed_while_the_wall_loads_is_taken_once(store, clock, db_path, playbook, monkeypatch):
    incident = store.declare(declaration_payload(playbook, clock.now())).incident
    with Store(db_path, clock=clock) as script, Store(db_path, clock=clock, readonly=True) as wall:
        committed: list[Event] = []
        last_id = wall.last_event_id

        def last_id_then_another_commits() -> int:
            value = last_id()
            if not committed:  # another process commits between the two reads
                committed.append(script.append(incident, kinds.ALERT, {"text": "disk 95% on db-2"}, actor="alertmanager"))
            return value

        monkeypatch.setattr(wall, "last_event_id", last_id_then_another_commits)
        app = make_app(wall, clock=clock, incident_id=incident, watch=True)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, WatchScreen) and committed
            for timer in list(screen._timers):
                timer.pause()
            script.append(incident, kinds.NOTE, {"text": "failing over"}, actor="dba")
            screen.tick()
            log = store.events(incident)
            assert keys(screen.incident_log.events) == keys(log), gap(screen.incident_log.events, log)
            assert keys(screen.query_one(Timeline)._events) == keys(log)
            assert screen.state == state_of(log)
