"""Replay: the view at cursor k is the live view of the first k events, every control works, nothing is written."""

from __future__ import annotations

import hashlib
import os
import time
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from textual.widgets import Digits, Input, Static, TabbedContent, Tabs

from warroom import events as kinds
from warroom import views
from warroom.clock import FakeClock, format_clock
from warroom.commands import CommandError, parse
from warroom.incident import state_of
from warroom.replay import CHECKPOINT_EVERY, TICK, Moment, Replay, stops
from warroom.store import Store
from warroom.tui.app import make_app
from warroom.tui.screens.replay import JumpBar, ReplayScreen, ReplayTemplate
from warroom.tui.widgets.header import IncidentHeader
from warroom.tui.widgets.ladder import EscalationLadder
from warroom.tui.widgets.timeline import Timeline

from conftest import START, declaration_payload

LINES = [
    "a note", "status mitigating", "status investigating", "sev P0", "sev P2", "sev P1", "check 1", "check 6",
    "uncheck 1", "phase next", "notify", "ack", "eta 30m", "impact EU", "role scribe Sam", "resolve", "reopen",
]


@pytest.fixture(autouse=True)
def _utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


def scripted(store: Store, clock: FakeClock, playbook, steps: list[tuple[int, str, int]]) -> str:
    incident = store.declare(declaration_payload(playbook, clock.now())).incident
    for seconds, line, backfill in steps:
        clock.advance(seconds)
        state = state_of(store.events(incident))
        try:
            action = parse(line, state, clock.now())
        except CommandError:
            continue
        at = clock.now() - timedelta(seconds=backfill) if backfill else None
        store.append(incident, action.kind, action.payload, at=at)
    return incident


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(st.integers(0, 900), st.sampled_from(LINES), st.sampled_from([0, 0, 0, 120])), min_size=1, max_size=25
    )
)
def test_replay_at_cursor_k_is_the_live_view_of_the_first_k_events(tmp_path_factory, playbook, steps) -> None:
    clock = FakeClock(START)
    with Store(tmp_path_factory.mktemp("r") / "w.db", clock=clock) as store:
        incident = scripted(store, clock, playbook, steps)
        events = store.events(incident)
    replay = Replay(events)
    for k in range(1, len(events) + 1):
        live = state_of(events[:k])
        now = events[k - 1].recorded_at
        assert replay.state_after(k) == live
        assert views.ladder(replay.state_after(k), now) == views.ladder(live, now)
        assert views.response(replay.state_after(k), now) == views.response(live, now)
    # jumping backwards and forwards lands on the same states
    for k in reversed(range(1, len(events) + 1)):
        assert replay.state_after(k) == state_of(events[:k])


def test_checkpoints_make_far_jumps_exact(store: Store, clock: FakeClock, playbook) -> None:
    incident = store.declare(declaration_payload(playbook, clock.now())).incident
    for n in range(CHECKPOINT_EVERY * 2 + 7):
        clock.advance(1)
        store.append(incident, "alert", {"text": f"alert {n}"})
    events = store.events(incident)
    replay = Replay(events)
    for k in (len(events), 3, CHECKPOINT_EVERY + 1, CHECKPOINT_EVERY * 2, 1):
        assert replay.state_after(k) == state_of(events[:k])
    assert replay.state_after(len(events)).alerts == CHECKPOINT_EVERY * 2 + 7


def keys(replay: Replay, when) -> set[str]:
    """The alarms the live console showed at `when`: the events recorded by then, the clock at `when`."""
    return {alarm.key for alarm in views.alarms(replay.state_at(when), when)}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(st.integers(0, 1500), st.sampled_from(LINES), st.sampled_from([0, 0, 0, 120])), min_size=1, max_size=20
    ),
    severity=st.sampled_from(["P0", "P1", "P2"]),
)
def test_moments_are_exactly_where_an_alarm_starts_showing(tmp_path_factory, playbook, steps, severity) -> None:
    clock = FakeClock(START)
    with Store(tmp_path_factory.mktemp("m") / "w.db", clock=clock) as store:
        incident = store.declare(declaration_payload(playbook, START, severity=severity)).incident
        for seconds, line, backfill in steps:
            clock.advance(seconds)
            try:
                action = parse(line, state_of(store.events(incident)), clock.now())
            except CommandError:
                continue
            store.append(incident, action.kind, action.payload, at=clock.now() - timedelta(seconds=backfill) if backfill else None)
        events = store.events(incident)
    replay = Replay(events)
    moments = replay.moments()
    assert [m.at for m in moments] == sorted(m.at for m in moments)
    for moment in moments:  # just before it the alarm was not showing; at it, it was
        assert replay.start <= moment.at <= replay.end
        assert moment.key not in keys(replay, moment.at - TICK)
        assert moment.key in keys(replay, moment.at)
    # And none is missed: here every event is recorded on a whole second and every window starts or ends on a
    # whole minute of the incident, so an alarm can only start showing at those instants or a microsecond after.
    samples = {e.recorded_at for e in events} | {
        START + timedelta(minutes=n) for n in range(int((replay.end - START).total_seconds() // 60) + 1)
    }
    samples = sorted(t for s in samples for t in (s - TICK, s, s + TICK) if replay.start <= t <= replay.end)
    for before, after in zip(samples, samples[1:]):
        for key in keys(replay, after) - keys(replay, before):
            assert any(m.key == key and before < m.at <= after for m in moments), (key, after)


def test_moments_of_a_long_log_take_a_handful_of_lookups(store: Store, clock: FakeClock, playbook) -> None:
    incident = store.declare(declaration_payload(playbook, clock.now())).incident
    for n in range(CHECKPOINT_EVERY * 3):
        clock.advance(2)
        store.append(incident, "alert", {"text": f"alert {n}"})
    replay = Replay(store.events(incident))
    looked = []
    state_after = replay.state_after
    replay.state_after = lambda count: looked.append(count) or state_after(count)  # type: ignore[method-assign]
    moments = replay.moments()
    assert len(looked) <= 4
    # Nobody did anything for 50 minutes: each rung fell due, both windows ended, and the update went overdue.
    assert [(m.at - START, m.label) for m in moments] == [
        (timedelta(0), "On-call Engineer due"),
        (timedelta(minutes=15), "Engineering Manager due"),
        (timedelta(minutes=15, microseconds=1), "Detection & Analysis window ended"),
        (timedelta(minutes=30), "CTO due"),
        (timedelta(minutes=30, microseconds=1), "Update due"),
    ]
    assert replay.moments() is moments  # computed once
    assert [(s.at - START, s.label) for s in stops(moments)] == [
        (timedelta(0), "On-call Engineer due"),
        (timedelta(minutes=15, microseconds=1), "Engineering Manager due; Detection & Analysis window ended"),
        (timedelta(minutes=30, microseconds=1), "CTO due; Update due"),
    ]


def test_a_raised_severity_is_a_moment_when_it_makes_the_response_overdue(store: Store, clock: FakeClock, playbook) -> None:
    incident = store.declare(declaration_payload(playbook, clock.now())).incident
    clock.advance(600)
    store.append(incident, kinds.NOTIFY, {"rung": "oncall"})
    clock.advance(120)
    store.append(incident, kinds.SEVERITY, {"severity": "P0"})  # immediate: overdue the moment it is raised
    replay = Replay(store.events(incident))
    assert Moment(START + timedelta(minutes=12), "response", "Response target overdue") in replay.moments()


@pytest.fixture
def recorded(tmp_path, playbook):
    """A resolved incident of nine events, its database closed (so its bytes can be compared)."""
    clock = FakeClock(START)
    path = tmp_path / "replay.db"
    with Store(path, clock=clock) as store:
        incident = scripted(
            store, clock, playbook,
            [(60, "note first look", 0), (300, "notify", 0), (120, "ack", 0), (600, "status mitigating", 0),
             (30, "check 1", 0), (900, "phase next", 0), (1200, "resolve", 0)],
        )
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path, incident, clock


async def test_replay_controls_and_the_database_is_untouched(recorded) -> None:
    path, incident, clock = recorded
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    store = Store(path, clock=clock, readonly=True)
    app = make_app(store, clock=clock, incident_id=incident, replay=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        events = screen.replay.events
        assert screen.count == 1 and screen.state.notes == 0
        assert "REPLAY" in str(screen.query_one("#scrubber").render())
        await pilot.press("right", "right")
        assert screen.count == 3 and screen.now == events[2].recorded_at
        assert screen.state.notified and not screen.state.acknowledged
        await pilot.press("left")
        assert screen.count == 2 and screen.state.notes == 1 and not screen.state.notified
        await pilot.press("end")
        assert screen.count == len(events) and screen.state.resolved
        await pilot.press("home")
        assert screen.count == 1
        await pilot.press("plus", "plus")
        assert screen.speed_index == 2
        await pilot.press("minus")
        assert screen.speed_index == 1
        screen.go_to_time(events[4].recorded_at + timedelta(seconds=5))
        assert screen.count == 5 and screen.state.status == "mitigating"
        assert screen.now == events[4].recorded_at + timedelta(seconds=5)
        await pilot.press("g")
        await pilot.pause()
        await pilot.press(*"+10m", "enter")
        await pilot.pause()
        assert screen.now == events[0].recorded_at + timedelta(minutes=10)
        assert screen.state.notified  # the page went out 6 minutes in
        await pilot.press("space")
        assert screen.playing
        await pilot.press("space")
        assert not screen.playing
    store.close()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert not os.path.exists(str(path) + "-journal")


# --- every control, checked on the screen -----------------------------------------------------------
# The incident below: declared 18:00, paged 18:06, acknowledged 18:08, the Customer message copied
# 18:10 and again 18:25, mitigating 18:20, a note backfilled at 18:30 for 18:12, resolved 18:40.

COPY_ONE = "We are looking into failed payments at checkout."
COPY_TWO = "Payments at checkout are recovering; next update 18:55."


@pytest.fixture(scope="module")
def story(tmp_path_factory, playbook):
    """Written once: every replay below opens it read-only (the first test checks that nothing is written)."""
    clock = FakeClock(START)
    path = tmp_path_factory.mktemp("story") / "story.db"
    with Store(path, clock=clock) as store:
        incident = store.declare(declaration_payload(playbook, START, title="Payments failing")).incident

        def at(minutes: int, kind: str, payload: dict, happened: int | None = None) -> None:
            clock.set(START + timedelta(minutes=minutes))
            store.append(incident, kind, payload, at=START + timedelta(minutes=happened) if happened is not None else None)

        at(6, kinds.NOTIFY, {"rung": "oncall"})
        at(8, kinds.ACK, {"rung": "oncall"})
        at(10, kinds.COPIED, {"what": "customer", "name": "Customer Communication", "text": COPY_ONE, "via": "osc52"})
        at(20, kinds.STATUS, {"status": "mitigating"})
        at(25, kinds.COPIED, {"what": "customer", "name": "Customer Communication", "text": COPY_TWO, "via": "clipboard"})
        at(30, kinds.NOTE, {"text": "the 5xx began at 18:12"}, happened=12)
        at(40, kinds.RESOLVED, {})
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path, incident


@pytest.fixture
async def replaying(story):
    """A replay of the story, open at 120x36; yields (app, pilot, screen, clock). The app clock is a week on."""
    path, incident = story
    clock = FakeClock(START + timedelta(days=7))
    with Store(path, clock=clock, readonly=True) as store:
        app = make_app(store, clock=clock, incident_id=incident, replay=True)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, ReplayScreen)
            yield app, pilot, app.screen, clock


def scrubber(screen: ReplayScreen) -> str:
    return " ".join(str(screen.query_one("#scrubber", Static).render()).split())


def elapsed(screen: ReplayScreen) -> str:
    return screen.query_one("#elapsed", Digits).value


def header(screen: ReplayScreen) -> str:
    return str(screen.query_one(IncidentHeader).render())


def timeline(screen: ReplayScreen) -> str:
    return " ".join(" ".join(strip.text.split()) for strip in screen.query_one(Timeline).lines)


def template(screen: ReplayScreen, template_id: str) -> tuple[str, str]:
    """A template tab's label line and its text."""
    pane = screen.query_one(f"#editor-{template_id}", ReplayTemplate)
    return " ".join(str(pane.query_one("#template-status", Static).render()).split()), pane.text


async def test_step_next_and_previous_move_one_event_and_stop_at_either_end(replaying) -> None:
    app, pilot, screen, clock = replaying
    await pilot.press("right")
    assert scrubber(screen).endswith("18:06:00 (+0:06:00) event 2/8")
    assert elapsed(screen) == "0:06:00"
    assert "Notified On-call Engineer" in timeline(screen)
    await pilot.press("right")
    assert scrubber(screen).endswith("18:08:00 (+0:08:00) event 3/8")
    assert "On-call Engineer acknowledged" in timeline(screen)
    await pilot.press("left")
    assert scrubber(screen).endswith("18:06:00 (+0:06:00) event 2/8")
    assert "acknowledged" not in timeline(screen)
    await pilot.press("left", "left", "left")
    assert scrubber(screen).endswith("event 1/8")
    await pilot.press("end", "right", "right")
    assert scrubber(screen).endswith("18:40:00 (+0:40:00) event 8/8")


async def test_replay_opens_at_the_declaration_and_home_and_end_jump_to_either_end(replaying) -> None:
    app, pilot, screen, clock = replaying
    assert header(screen).split()[0] == "REPLAY"
    assert scrubber(screen).startswith("REPLAY ❚❚ paused 1x")
    assert scrubber(screen).endswith("18:00:00 (+0:00:00) event 1/8")
    assert elapsed(screen) == "0:00:00"
    assert timeline(screen).count("T+") == 1 and "Declared P1: Payments failing" in timeline(screen)
    await pilot.press("end")
    assert scrubber(screen).endswith("18:40:00 (+0:40:00) event 8/8")
    assert "RESOLVED" in header(screen)
    assert elapsed(screen) == "0:40:00"
    assert "░" not in scrubber(screen)  # the bar is full
    await pilot.press("home")
    assert scrubber(screen).endswith("18:00:00 (+0:00:00) event 1/8")
    assert "INVESTIGATING" in header(screen)
    assert "█" not in scrubber(screen)  # the bar is empty
    assert elapsed(screen) == "0:00:00"


async def test_each_speed_plays_the_time_passed_times_itself_and_pause_stops(replaying) -> None:
    app, pilot, screen, clock = replaying
    shown = []
    for key in ("plus", "right_square_bracket", "plus", "plus"):
        await pilot.press(key)
        shown.append(scrubber(screen).split()[3])
    assert shown == ["10x", "60x", "600x", "600x"]
    shown = []
    for key in ("minus", "left_square_bracket", "minus", "minus"):
        await pilot.press(key)
        shown.append(scrubber(screen).split()[3])
    assert shown == ["60x", "10x", "1x", "1x"]
    for presses, speed in ((0, 1), (1, 10), (2, 60), (3, 600)):
        await pilot.press("home", *["plus"] * presses, "space")
        assert scrubber(screen).startswith(f"REPLAY ▶ playing {speed}x")
        clock.advance(0.5)
        screen._play_tick()  # the 0.1 s timer's work, without waiting for it
        await pilot.pause()
        moved = timedelta(seconds=0.5 * speed)
        assert screen.now == START + moved
        assert elapsed(screen) == format_clock(moved)
        await pilot.press("space")
        assert scrubber(screen).startswith(f"REPLAY ❚❚ paused {speed}x")
        clock.advance(0.5)
        screen._play_tick()
        assert screen.now == START + moved  # paused: time passing moves nothing
        await pilot.press("minus", "minus", "minus")
    await pilot.press("home", "space")
    clock.advance(3600)  # the laptop slept for an hour: play goes on from where it was, not an hour on
    screen._play_tick()
    assert START < screen.now <= START + timedelta(seconds=1)


async def test_play_passes_events_on_the_way_and_stops_at_the_end(replaying) -> None:
    app, pilot, screen, clock = replaying
    await pilot.press("plus", "plus", "plus", "space")  # 600x: 0.5 s is five minutes of the incident
    for seconds in (0.5, 0.5, 0.5, 0.5):  # 18:15: the manager rung falls due and the first phase window ends
        clock.advance(seconds)
        screen._play_tick()
    await pilot.pause()
    assert screen.now == START + timedelta(minutes=15, microseconds=1)  # play stopped there by itself
    assert scrubber(screen).startswith("REPLAY ❚❚ paused 600x")
    await pilot.press("space")
    for seconds in (0.5, 0.25):  # to 18:22:30
        clock.advance(seconds)
        screen._play_tick()
    await pilot.pause()
    assert scrubber(screen).endswith("18:22:30 (+0:22:30) event 5/8")
    assert elapsed(screen) == "0:22:30"
    assert "MITIGATING" in header(screen)
    await pilot.press("left")  # back from between two events: to the last one passed, mitigating at 18:20
    assert scrubber(screen).endswith("18:20:00 (+0:20:00) event 5/8")
    assert scrubber(screen).startswith("REPLAY ❚❚ paused 600x")  # a step stops play
    await pilot.press("space")
    for _ in range(10):
        clock.advance(0.5)
        screen._play_tick()
    await pilot.pause()
    assert scrubber(screen).startswith("REPLAY ❚❚ paused 600x")  # at 18:30 the CTO rung fell due: it stopped there
    assert scrubber(screen).endswith("18:30:00 (+0:30:00) event 7/8")
    await pilot.press("space")
    for _ in range(10):
        clock.advance(0.5)
        screen._play_tick()
    await pilot.pause()
    assert scrubber(screen).startswith("REPLAY ❚❚ paused 600x")  # it stopped by itself
    assert scrubber(screen).endswith("18:40:00 (+0:40:00) event 8/8")
    await pilot.press("space")  # play again from the end: from the start
    assert scrubber(screen).startswith("REPLAY ▶ playing 600x")
    assert scrubber(screen).endswith("event 1/8")


async def test_g_jumps_to_a_clock_time_of_the_incident_or_from_its_start_and_a_bad_time_says_why(replaying) -> None:
    app, pilot, screen, clock = replaying
    jump = screen.query_one(JumpBar)
    await pilot.press("g")
    assert jump.display and not screen.query_one("#scrubber").display  # the question takes the scrubber's row
    assert app.focused is jump.query_one(Input)
    await pilot.press(*"18:21", "enter")  # a week after the incident, 18:21 still means its 18:21
    assert not jump.display and app.focused is None
    assert scrubber(screen).endswith("18:21:00 (+0:21:00) event 5/8")
    assert elapsed(screen) == "0:21:00"
    # While the time is typed, the arrows, Home, End and space edit it: they do not move the cursor.
    await pilot.press("g", *"+9m", "home", "right", "delete", "space", "backspace", "7", "end", "left", "right")
    assert jump.query_one(Input).value == "+7m"
    assert screen.count == 5 and not screen.playing  # the cursor stayed at 18:21
    await pilot.press("enter")
    assert scrubber(screen).endswith("18:07:00 (+0:07:00) event 2/8")
    assert "Notified On-call Engineer" in timeline(screen) and "acknowledged" not in timeline(screen)
    # A bad time says why and keeps the question open; escape leaves the cursor where it was.
    await pilot.press("g", *"teatime", "enter")
    assert jump.display
    assert "bad time 'teatime'" in jump.problem and jump.query_one(Input).has_class("-invalid")
    await pilot.press("escape")
    assert not jump.display and screen.query_one("#scrubber").display
    assert app.screen is screen  # escape put the question away; it did not leave the replay
    assert scrubber(screen).endswith("18:07:00 (+0:07:00) event 2/8")


async def test_o_switches_the_timeline_to_happened_order_and_back(replaying) -> None:
    app, pilot, screen, clock = replaying
    tabs = screen.query_one("#tabs")
    await pilot.press("end")
    text = timeline(screen)
    assert text.index("Status: mitigating") < text.index("the 5xx began at 18:12")  # as recorded
    assert tabs.border_subtitle == "timeline: recorded order (o)"
    await pilot.press("o")
    text = timeline(screen)
    assert text.index("the 5xx began at 18:12") < text.index("Status: mitigating")  # as it happened
    assert tabs.border_subtitle == "timeline: happened order (o)"
    await pilot.press("left", "left")  # the cursor moves: the order stays
    assert screen.query_one(Timeline).order == "happened"
    await pilot.press("o")
    assert tabs.border_subtitle == "timeline: recorded order (o)"


async def test_the_timeline_ends_at_the_cursor_after_every_step_and_jump_in_a_long_log(tmp_path, playbook) -> None:
    clock = FakeClock(START)
    path = tmp_path / "long.db"
    with Store(path, clock=clock) as store:
        incident = store.declare(declaration_payload(playbook, START, title="Payments failing")).incident
        for n in range(1, 1201):  # more than the pane keeps (500) and more than a checkpoint (500)
            clock.advance(seconds=1)
            store.append(incident, kinds.ALERT, {"text": f"alert {n} of 1200"}, actor="prometheus")
    with Store(path, clock=FakeClock(START + timedelta(days=7)), readonly=True) as store:
        app = make_app(store, clock=store.clock, incident_id=incident, replay=True)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            screen = app.screen
            log = screen.query_one(Timeline)

            def last_shown() -> str:
                lines = [" ".join(log.render_line(y).text.split()) for y in range(log.scrollable_content_region.height)]
                return " ".join([line for line in lines if line][-2:])  # the last entry, wrapped or not

            await pilot.press("end")
            assert last_shown().endswith("alert 1200 of 1200 (prometheus)")
            await pilot.press("left", "left", "left")
            assert last_shown().endswith("alert 1197 of 1200 (prometheus)")
            await pilot.press("home")
            assert "Declared" in last_shown()
            for count in (700, 350, 1100, 2):  # far jumps, back and forth
                screen.go_to(count)
                await pilot.pause()
                assert last_shown().endswith(f"alert {count - 1} of 1200 (prometheus)")
            await pilot.press("right")
            assert last_shown().endswith("alert 2 of 1200 (prometheus)")


async def test_templates_show_what_was_copied_by_then_and_otherwise_the_filled_text(replaying) -> None:
    app, pilot, screen, clock = replaying
    await pilot.press("right", "right")  # 18:08: nothing copied yet
    label, text = template(screen, "customer")
    assert label == "not copied yet filled from the incident at 18:08:00"
    assert text.startswith("We are currently experiencing Payments failing.")
    await pilot.press("right")  # 18:10: the first copy
    assert template(screen, "customer") == ("copied 18:10:00 the text as it was sent", COPY_ONE)
    await pilot.press("right")  # 18:20: a status change does not touch what was sent
    assert template(screen, "customer") == ("copied 18:10:00 the text as it was sent", COPY_ONE)
    await pilot.press("right")  # 18:25: the second copy
    assert template(screen, "customer") == ("copied 18:25:00 the text as it was sent", COPY_TWO)
    await pilot.press("end")
    assert template(screen, "customer") == ("copied 18:25:00 the text as it was sent", COPY_TWO)
    await pilot.press("left", "left", "left")  # back to 18:20: the first copy again
    assert template(screen, "customer") == ("copied 18:10:00 the text as it was sent", COPY_ONE)
    label, text = template(screen, "internal")  # never copied: filled, as the live console would have shown it
    assert label == "not copied yet filled from the incident at 18:20:00"
    assert text.splitlines()[:3] == ["INCIDENT: P1 - Payments failing", "IMPACT: [impact]", "STATUS: Mitigating"]


async def test_escape_stays_t_goes_through_the_tabs_and_the_palette_has_every_control(replaying) -> None:
    app, pilot, screen, clock = replaying
    await pilot.press("escape")
    await pilot.pause()
    assert app.screen is screen
    names = [command.title for command in app.get_system_commands(screen)]
    for name in ("Play / pause", "Previous event", "Next event", "Jump to the start", "Jump to the end", "Faster",
                 "Slower", "Jump to a time", "Timeline order", "Next tab"):
        assert name in names
    tabs = screen.query_one("#tabs", TabbedContent)
    assert tabs.active == "timeline-tab"
    await pilot.press("t")
    assert tabs.active == "tab-internal"
    await pilot.press("t")
    assert tabs.active == "tab-customer"
    await pilot.press("t")
    assert tabs.active == "timeline-tab"
    screen.set_focus(tabs.query_one(Tabs))  # as a click on a tab does
    await pilot.press("right", "right", "end")
    assert tabs.active == "timeline-tab"
    assert scrubber(screen).endswith("event 8/8")
    await pilot.press("home")
    assert scrubber(screen).endswith("event 1/8")


# --- alarm moments: play stops on them, and , and . go to them ---------------------------------------
# Nobody acknowledges for an hour: declared P1 18:00, each rung paged a minute after it fell due, the
# phases moved on in time; at 19:00 the response target runs out and the CEO rung falls due together.


@pytest.fixture(scope="module")
def unanswered(tmp_path_factory, playbook):
    clock = FakeClock(START)
    path = tmp_path_factory.mktemp("unanswered") / "unanswered.db"
    with Store(path, clock=clock) as store:
        incident = store.declare(declaration_payload(playbook, START, title="Nobody answers")).incident

        def at(minutes: int, kind: str, payload: dict) -> None:
            clock.set(START + timedelta(minutes=minutes))
            store.append(incident, kind, payload)

        at(1, kinds.NOTIFY, {"rung": "oncall"})
        at(14, kinds.PHASE, {"phase": "containment"})
        at(16, kinds.NOTIFY, {"rung": "manager"})
        at(28, kinds.COPIED, {"what": "customer", "name": "Customer Communication", "text": COPY_ONE, "via": "osc52"})
        at(29, kinds.PHASE, {"phase": "recovery"})
        at(31, kinds.NOTIFY, {"rung": "cto"})
        at(62, kinds.NOTIFY, {"rung": "ceo"})
        at(70, kinds.ACK, {"rung": "ceo"})
        at(80, kinds.RESOLVED, {})
    return path, incident


@pytest.fixture
async def reviewing(unanswered):
    path, incident = unanswered
    clock = FakeClock(START + timedelta(days=7))
    with Store(path, clock=clock, readonly=True) as store:
        app = make_app(store, clock=clock, incident_id=incident, replay=True)
        notes: list[str] = []
        app.notify = lambda message, **kwargs: notes.append(message)  # type: ignore[method-assign]
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            yield app, pilot, app.screen, clock, notes


def clock_line(screen: ReplayScreen, part: str) -> str:
    return " ".join(str(screen.query_one(f"#clock-{part}", Static).render()).split())


def rung_text(screen: ReplayScreen, name: str) -> str:
    """The ladder's entry for one rung, on one line."""
    ladder = screen.query_one(EscalationLadder)
    prompts = [str(ladder.get_option_at_index(i).prompt) for i in range(ladder.option_count)]
    return " ".join(next(p for p in prompts if name in p.splitlines()[0]).split())


async def play_until_paused(pilot, screen: ReplayScreen, clock: FakeClock) -> None:
    await pilot.press("space")
    for _ in range(200):
        clock.advance(1)
        screen._play_tick()
        if not screen.playing:
            break
    await pilot.pause()


async def test_play_at_60x_stops_by_itself_at_each_alarm_moment_down_to_the_response_target(reviewing) -> None:
    app, pilot, screen, clock, notes = reviewing
    await pilot.press("plus", "plus")  # 60x: a second of play is a minute of the incident
    await play_until_paused(pilot, screen, clock)
    assert screen.now == START + timedelta(minutes=15)
    assert scrubber(screen).startswith("REPLAY ❚❚ paused 60x")
    assert scrubber(screen).endswith("18:15:00 (+0:15:00) event 3/10")
    assert notes[-1] == "Paused: Engineering Manager due at 18:15:00"
    assert "DUE NOW" in rung_text(screen, "Engineering Manager")
    await play_until_paused(pilot, screen, clock)  # space resumes, to the next moment
    assert screen.now == START + timedelta(minutes=30)
    assert notes[-1] == "Paused: CTO due at 18:30:00"
    assert "DUE NOW" in rung_text(screen, "CTO")
    await play_until_paused(pilot, screen, clock)
    assert screen.now == START + timedelta(minutes=58, microseconds=1)  # 30 minutes after the message went out
    assert notes[-1] == "Paused: Update due at 18:58:00"
    assert "Update OVERDUE" in clock_line(screen, "eta")
    await play_until_paused(pilot, screen, clock)
    assert screen.now == START + timedelta(hours=1)
    assert notes[-1] == "Paused: Response target overdue; CEO due at 19:00:00"
    assert scrubber(screen).endswith("19:00:00 (+1:00:00) event 7/10")
    assert clock_line(screen, "response").startswith("RESPONSE OVERDUE by 0s")
    assert "DUE NOW" in rung_text(screen, "CEO")
    assert "❚❚ paused" in scrubber(screen)
    await pilot.press("left")  # one instant earlier: a step back to the last event, nothing overdue yet
    assert clock_line(screen, "response").startswith("Response target (1h): due 19:00")
    await play_until_paused(pilot, screen, clock)  # from 18:31 it stops again at each moment, not past them
    assert screen.now == START + timedelta(minutes=58, microseconds=1)
    await play_until_paused(pilot, screen, clock)
    assert screen.now == START + timedelta(hours=1)
    await play_until_paused(pilot, screen, clock)  # nothing more falls due: play runs to the end
    assert scrubber(screen).endswith("19:20:00 (+1:20:00) event 10/10")


async def test_full_stop_and_comma_go_to_the_next_and_previous_alarm_moment(reviewing) -> None:
    app, pilot, screen, clock, notes = reviewing
    await pilot.press("comma")
    assert notes[-1] == "No earlier alarm moment" and screen.now == START
    seen = []
    for _ in range(4):
        await pilot.press("full_stop")
        seen.append((screen.now - START, notes[-1]))
    assert seen == [
        (timedelta(minutes=15), "Engineering Manager due at 18:15:00"),
        (timedelta(minutes=30), "CTO due at 18:30:00"),
        (timedelta(minutes=58, microseconds=1), "Update due at 18:58:00"),
        (timedelta(hours=1), "Response target overdue; CEO due at 19:00:00"),
    ]
    assert clock_line(screen, "response").startswith("RESPONSE OVERDUE")
    await pilot.press("full_stop")
    assert notes[-1] == "No later alarm moment" and screen.now == START + timedelta(hours=1)
    await pilot.press("comma", "comma")
    assert screen.now == START + timedelta(minutes=30) and "DUE NOW" in rung_text(screen, "CTO")
    await pilot.press("end", "comma")  # from the end, back to the last moment
    assert screen.now == START + timedelta(hours=1)
    await pilot.press("space", "full_stop")  # a jump stops play
    assert not screen.playing
    names = [command.title for command in app.get_system_commands(screen)]
    assert "Next alarm moment" in names and "Previous alarm moment" in names
    assert scrubber(screen).count("◆") == 5  # each stop marked on the bar
