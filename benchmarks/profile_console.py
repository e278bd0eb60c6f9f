"""Profile the console in a real terminal: start-up to the first frame, then N seconds idle.

Used by benchmarks/console.py (which runs it inside tmux); can also be run by hand in a terminal:

    WARROOM_DB=/path/to.db python benchmarks/profile_console.py --out /tmp/prof --idle 20

Builds the app exactly as bare `warroom` does (warroom.tui.app.make_app on the open incident) and
runs it with the real terminal driver, under cProfile. Writes OUT.startup.prof (from before the
`warroom.tui.app` import until the first frame that shows the console with its incident) and
OUT.idle.prof (the next IDLE seconds, nobody touching a key), then quits. Also counts, while idle,
the frames drawn, the bytes written to the terminal, and which widgets asked for a layout
(`refresh(layout=True)`: a reflow of the whole screen), with the warroom function that asked; all
in OUT.json.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import time
import traceback
from collections import Counter

started = time.perf_counter()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--idle", type=float, default=20)
    options = parser.parse_args()

    profiler = cProfile.Profile()  # start-up
    idle_profiler = cProfile.Profile()  # idle, separately
    profiler.enable()
    from warroom.store import Store
    from warroom.tui.app import make_app
    from warroom.tui.screens.console import ConsoleScreen

    from textual.widget import Widget

    app = make_app(Store())
    facts: dict = {"frames_idle": 0, "bytes_idle": 0}
    phase = {"name": "startup"}
    layouts: Counter = Counter()
    refresh = Widget.refresh

    def counting_refresh(self, *regions, **kwargs):  # type: ignore[no-untyped-def]
        if phase["name"] == "idle" and kwargs.get("layout"):
            frames = traceback.extract_stack(limit=8)[:-1]
            caller = next((f"{f.filename.split('/warroom/', 1)[1]}:{f.name}" for f in reversed(frames)
                           if "/warroom/" in f.filename), "?")
            layouts[f"{type(self).__name__}#{self.id} <- warroom/{caller}"] += 1
        return refresh(self, *regions, **kwargs)

    Widget.refresh = counting_refresh  # type: ignore[method-assign]

    def post_display_hook() -> None:
        if phase["name"] == "startup":
            if isinstance(app.screen, ConsoleScreen) and app.screen.state is not None:
                profiler.disable()
                facts["first_frame_s"] = time.perf_counter() - started
                profiler.dump_stats(f"{options.out}.startup.prof")
                phase["name"] = "settle"
                app.set_timer(2, start_idle)
        elif phase["name"] == "idle":
            facts["frames_idle"] += 1

    def start_idle() -> None:
        phase["name"] = "idle"
        driver = app._driver
        write = driver.write

        def counting_write(data: str) -> None:
            facts["bytes_idle"] += len(data.encode("utf-8", errors="replace"))
            write(data)

        driver.write = counting_write  # type: ignore[method-assign]
        idle_profiler.enable()
        facts["idle_started"] = time.perf_counter()
        app.set_timer(options.idle, stop_idle)

    def stop_idle() -> None:
        idle_profiler.disable()
        facts["idle_s"] = time.perf_counter() - facts.pop("idle_started")
        idle_profiler.dump_stats(f"{options.out}.idle.prof")
        phase["name"] = "done"
        facts["layout_refreshes_idle"] = dict(layouts.most_common())
        app.exit()

    app.post_display_hook = post_display_hook  # type: ignore[method-assign]
    app.run()
    with open(f"{options.out}.json", "w") as handle:
        json.dump(facts, handle)


if __name__ == "__main__":
    main()
