"""The Textual app: one factory builds it from a store, a playbook path and a clock (the CLI and tests)."""

from __future__ import annotations

import gc
import os
import sys
from functools import partial
from pathlib import Path
from time import monotonic
from typing import Iterable

from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme

from warroom.clock import Clock, SystemClock
from warroom.errors import WarroomError
from warroom.events import Event
from warroom.incident import held_if_heavy
from warroom.playbook import Playbook, load_playbook
from warroom.store import Store
from warroom.text import one_line
from warroom.tui import messages
from warroom.tui.clipboard import CopyResult, copy_text
from warroom.tui.frames import after_the_frame, hand_over
from warroom.tui.keys import answer_where_read

HIGH_CONTRAST = Theme(
    name="warroom-high-contrast",
    primary="#ffff00",
    secondary="#00ffff",
    accent="#00ffff",
    warning="#ffaf00",
    error="#ff3030",
    success="#00ff5f",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#1c1c1c",
    dark=True,
)


def styles_dir() -> Path:
    """The .tcss files: inside the installed package, or at the top of a source checkout."""
    packaged = Path(__file__).resolve().parent.parent / "styles"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "styles"


# The app's own pace for full garbage collections (see WarroomApp._collect_when_quiet).
NEVER = 1 << 30  # as the oldest generation's threshold: Python never starts a full collection itself
FULL_COLLECTION_DUE = 10  # middle-generation collections since the last full one: Python's own default pace
FULL_COLLECTION_OVERDUE = 10 * FULL_COLLECTION_DUE
QUIET_BEFORE_COLLECTING = 0.5  # seconds since the last key, click or scroll


class WarroomApp(App):
    """The war-room console."""

    CSS_PATH = [styles_dir() / "warroom.tcss"]
    TITLE = "warroom"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True, tooltip="quit (the incident stays open; `warroom` resumes it)"),
        Binding("T", "toggle_contrast", "High contrast", show=False, tooltip="high-contrast theme, for a wall screen"),
    ]

    def __init__(
        self, store: Store, *, playbook_path: str | Path | None = None, clock: Clock | None = None,
        incident_id: str | None = None, watch: bool = False, replay: bool = False, browse: str | None = None,
    ) -> None:
        super().__init__()
        self.browse_query = browse  # `warroom list` in a terminal: open on the browser, filtered so
        self.watch_only = watch
        self.replay_only = replay
        self.store = store
        store.backfill_later = partial(after_the_frame, self)  # a key's commit is on screen before its checkpoint runs
        self.playbook_path = playbook_path
        self.clock: Clock = clock or SystemClock()
        self.incident_id = incident_id
        self.freeze_after_first_frame = False  # run_console sets it: a test process keeps its collector as is
        self.problem = ""  # why the app ended early, for run_console to say
        self._last_input = monotonic()

    def _freeze_what_is_loaded(self) -> None:
        """The first screen is drawn, with the incident loaded: what exists now lives as long as the app."""
        gc.freeze()
        # Python would start a full collection after every tenth of the middle generation's, wherever that
        # falls, a key press included: the app starts them itself, between keys (_collect_when_quiet).
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, NEVER)
        gc.enable()
        # The panes' first renders (the timeline's lines, style caches) finish just after: freeze those too.
        self.set_timer(2, gc.freeze)
        self.set_interval(1, self._collect_when_quiet)

    def _display(self, screen: Screen, renderable: object) -> None:
        """No frame leaves before the events it shows are on disk: a key's COMMIT may still be under way on the
        store's thread (Store.append_behind), and this is the last moment before the terminal gets the frame. A
        COMMIT that failed holds the frame back; its writer builds the panes again from the log (on_failure).
        A frame that leaves goes to the terminal before the app does anything else (frames.hand_over)."""
        failed = self.store.settle()
        for committing in failed:
            if committing.on_failure is not None:
                self.call_later(committing.on_failure, committing)
        if failed:
            return
        super()._display(screen, renderable)  # type: ignore[arg-type]
        hand_over(self._driver)  # the frame goes to the terminal before anything that comes after it

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self._last_input = monotonic()
            if isinstance(event, events.Key) and await answer_where_read(self, event):
                return
        await super().on_event(event)

    def _collect_when_quiet(self) -> None:
        """A full collection once Python would have started one and nobody has touched a key for a moment (or,
        under a long run of keys, once ten times as much is waiting): its tens of milliseconds never delay a key."""
        waiting = gc.get_count()[2]  # collections of the middle generation since the last full one
        quiet = monotonic() - self._last_input >= QUIET_BEFORE_COLLECTING
        if waiting >= FULL_COLLECTION_DUE and quiet or waiting >= FULL_COLLECTION_OVERDUE:
            gc.collect()

    def on_mount(self) -> None:
        self.register_theme(HIGH_CONTRAST)
        self.theme = "textual-dark"
        # Not pushed from here: Textual holds every frame back while the app mounts, and a screen pushed now
        # would be composed and laid out inside that hold. Its first full frame is dropped, and the terminal
        # then gets only what changes after, pane by pane: a whole console shows 100-150 ms later.
        self.call_later(self._open_first_screen)

    def _open_first_screen(self) -> None:
        self.push_screen(self._first_screen())
        if self.freeze_after_first_frame:
            self.call_after_refresh(self._freeze_what_is_loaded)  # runs once the screen has drawn

    def _first_screen(self) -> Screen:
        """The incident browser, the wall, a replay, the open incident, a choice of them, or declaring."""
        if self.browse_query is not None:
            from warroom.tui.screens.browser import BrowserScreen

            return BrowserScreen(self.browse_query)
        if self.watch_only:
            from warroom.tui.screens.watch import WatchScreen

            self.theme = HIGH_CONTRAST.name  # a wall is read from across a room
            return WatchScreen(self.incident_id)
        if self.replay_only and self.incident_id:
            from warroom.tui.screens.replay import ReplayScreen

            return ReplayScreen(self.incident_id)
        if self.incident_id:
            return self._console(self.incident_id)
        open_incidents = self.store.open_incidents()
        if len(open_incidents) == 1:
            return self._console(open_incidents[0].id)
        if open_incidents:
            from warroom.tui.screens.picker import PickerScreen

            return PickerScreen(open_incidents)
        return self._declare_screen()

    # --- a log that cannot be read ---------------------------------------------------------------

    def read_log(self, screen: Screen, incident_id: str, *, follower: bool = False) -> list[Event] | None:
        """An incident's events for a screen about to show it; None, once arranged that the screen goes with one
        line, when its log cannot be read (a time an old warroom wrote that nothing reads back, say).

        `follower`: read a chunk at a time, each received alert kept as a follower keeps it (incident.held_if_heavy),
        so that a console opened on 60,000 of them never has them all in full, labels and all, at once."""
        try:
            if follower:
                return [event for chunk in self.store.event_chunks(incident_id) for event in held_if_heavy(chunk)]
            return self.store.events(incident_id)
        except WarroomError as error:
            self.call_later(self._cannot_show, screen, str(error))
            return None

    def _readable(self, incident_id: str) -> list[Event] | None:
        """Read before leaving the screen that asked (the browser, the picker): a log that cannot be read is said
        there, and the screen stays. The events go to the new screen, which then need not read them again."""
        try:
            return self.store.events(incident_id)
        except WarroomError as error:
            self.notify(one_line(str(error)), title="Cannot open", severity="error", markup=False)
            return None

    def _cannot_show(self, screen: Screen, problem: str) -> None:
        if len(self.screen_stack) <= 2:  # it was the first screen: warroom ends with the line
            self.problem = problem
            self.exit(return_code=1)
            return
        if self.screen is screen:
            self.pop_screen()
        self.notify(one_line(problem), title="Cannot open", severity="error", markup=False)

    # --- navigation: the screens post what they want (warroom.tui.messages); only the app moves them ---------

    def new_playbook(self) -> Playbook:
        return load_playbook(self.playbook_path)

    def show_declare(self, can_go_back: bool = False) -> None:
        self.push_screen(self._declare_screen(can_go_back))

    @on(messages.ShowDeclare)
    def _on_show_declare(self, message: messages.ShowDeclare) -> None:
        self.show_declare(message.can_go_back)

    @on(messages.OpenIncident)
    def _on_open_incident(self, message: messages.OpenIncident) -> None:
        """One console at a time: back to it if it is the incident asked for, else the new one takes its place."""
        from warroom.tui.screens.console import ConsoleScreen

        consoles = [screen for screen in self.screen_stack if isinstance(screen, ConsoleScreen)]
        if consoles and consoles[-1].incident_id == message.incident_id:
            while self.screen is not consoles[-1]:
                self.pop_screen()
            return
        events = self._readable(message.incident_id)
        if events is None:
            return
        while consoles and self.screen is not consoles[-1]:
            self.pop_screen()  # the browser (or picker) over the console goes: the console is replaced below
        self.open_incident(message.incident_id, events)

    @on(messages.ReplayIncident)
    def _on_replay_incident(self, message: messages.ReplayIncident) -> None:
        from warroom.tui.screens.replay import ReplayScreen

        events = self._readable(message.incident_id)
        if events is not None:
            self.push_screen(ReplayScreen(message.incident_id, events))

    @on(messages.ShowBrowser)
    def _on_show_browser(self) -> None:
        from warroom.tui.screens.browser import BrowserScreen

        self.push_screen(BrowserScreen())

    @on(messages.ShowHelp)
    def _on_show_help(self, message: messages.ShowHelp) -> None:
        from warroom.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(message.keys))

    @on(messages.GoBack)
    def _on_go_back(self) -> None:
        if len(self.screen_stack) > 2:  # the default screen, then the first one pushed
            self.pop_screen()
        else:
            self.exit()  # nothing to go back to (`warroom list`, `warroom replay`): warroom ends

    def _declare_screen(self, can_go_back: bool = False) -> Screen:
        from warroom.tui.screens.declare import DeclareScreen

        return DeclareScreen(self.new_playbook(), can_go_back=can_go_back)

    def open_incident(self, incident_id: str, events: list[Event] | None = None) -> None:
        console = self._console(incident_id, events)
        if len(self.screen_stack) > 1:
            self.switch_screen(console)
        else:
            self.push_screen(console)

    def _console(self, incident_id: str, events: list[Event] | None = None) -> Screen:
        from warroom.tui.screens.console import ConsoleScreen

        return ConsoleScreen(incident_id, events)

    # --- copying -------------------------------------------------------------------------------

    def copy_and_say(self, text: str) -> CopyResult | None:
        """Put text on the clipboard by the best path there is, every control character left out (so that a paste
        cannot end a bracketed paste or press enter); returns what was copied and how, or None after saying why not."""
        result = copy_text(text, self)
        if result.via is None:
            self.notify(f"Copy failed: {one_line(result.problem)}", severity="error", markup=False)
            return None
        return result

    # --- themes and the command palette --------------------------------------------------------

    def action_toggle_contrast(self) -> None:
        self.theme = "textual-dark" if self.theme == HIGH_CONTRAST.name else HIGH_CONTRAST.name

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("High contrast", "Toggle the high-contrast theme (for a wall screen)", self.action_toggle_contrast)
        yield SystemCommand("Declare a new incident", "Open the declare screen", partial(self.show_declare, True))
        commands = getattr(screen, "palette_commands", None)
        if commands is not None:
            yield from commands()


def make_app(
    store: Store, *, playbook_path: str | Path | None = None, clock: Clock | None = None, incident_id: str | None = None,
    watch: bool = False, replay: bool = False, browse: str | None = None,
) -> WarroomApp:
    """The one factory for the CLI and the tests."""
    if playbook_path is not None:
        load_playbook(playbook_path)  # a bad playbook is one clear line before the screen opens
    return WarroomApp(
        store, playbook_path=playbook_path, clock=clock, incident_id=incident_id, watch=watch, replay=replay, browse=browse
    )


def require_terminal() -> None:
    """The console, the wall and replay draw on a terminal and read its keys: without one, one line and exit 2.

    Textual would write its escape codes into the pipe and spin a core waiting for keys that never come."""
    if os.environ.get("TEXTUAL_DRIVER", "").startswith("textual.drivers.web_driver:"):
        return  # `warroom serve`: textual-serve runs it with Textual's web driver, its terminal a browser's
    try:
        interactive = sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):  # closed, or not a file at all
        interactive = False
    if not interactive:
        raise WarroomError(
            "the console needs a terminal (standard input and output); scripts use `warroom list`, `show`, "
            "`log`, `act` and `export`"
        )


def run_console(
    store: Store, playbook_path: str | Path | None = None, incident_id: str | None = None, watch: bool = False,
    replay: bool = False, browse: str | None = None,
) -> None:
    require_terminal()
    app = make_app(store, playbook_path=playbook_path, incident_id=incident_id, watch=watch, replay=replay, browse=browse)
    # No garbage collection until the first frame is on screen; then the loaded incident is frozen out of
    # the collector's reach, so that a full collection never walks a 10,000-event log between two key presses.
    app.freeze_after_first_frame = True
    threshold = gc.get_threshold()
    gc.disable()
    try:
        app.run()
    finally:
        gc.set_threshold(*threshold)
        gc.enable()
    if app.return_code:
        raise WarroomError(app.problem or "the console stopped with an error", exit_code=app.return_code)
