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

With --keys N it then presses space on the checklist N+1 times and sends ":note x" enter as one burst N+1
times (the first of each a warm-up), each key posted as the terminal driver posts one and timed until the
first frame after its event is committed, 50 ms apart; OUT.keys-space.prof and OUT.keys-note.prof profile
them, and OUT.json has each one's time (under the profiler), the bytes written to the terminal and frames
drawn meanwhile, and the refreshes and layouts (with the warroom caller) asked for per key.
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
    parser.add_argument("--keys", type=int, default=0,
                        help="then profile N key presses of each kind (space on the checklist; ':note x' enter as one burst)")
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

    key_layouts: dict[str, Counter] = {"space": Counter(), "note": Counter()}
    refreshed: dict[str, Counter] = {"space": Counter(), "note": Counter()}  # while keys are profiled: every refresh

    def counting_refresh(self, *regions, **kwargs):  # type: ignore[no-untyped-def]
        if phase["name"] == "keys" and sample:
            refreshed[sample["kind"]][f"{type(self).__name__}#{self.id}{' layout' if kwargs.get('layout') else ''}"] += 1
        if (phase["name"] == "idle" or (phase["name"] == "keys" and sample)) and kwargs.get("layout"):
            frames = traceback.extract_stack(limit=8)[:-1]
            caller = next((f"{f.filename.split('/warroom/', 1)[1]}:{f.name}" for f in reversed(frames)
                           if "/warroom/" in f.filename), "?")
            (key_layouts[sample["kind"]] if phase["name"] == "keys" else layouts)[
                f"{type(self).__name__}#{self.id} <- warroom/{caller}"] += 1
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
        elif phase["name"] == "keys":
            key_frame()

    def start_idle() -> None:
        phase["name"] = "idle"
        driver = app._driver
        write = driver.write

        def counting_write(data: str) -> None:
            if phase["name"] == "idle":  # not the key presses after it (--keys)
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
        facts["layout_refreshes_idle"] = dict(layouts.most_common())
        if options.keys:
            app.set_timer(1, start_keys)
        else:
            phase["name"] = "done"
            app.exit()

    # --- key presses: each posted as the terminal driver posts a key, until the first frame after its commit ---
    from textual import events

    keys_profilers = {"space": cProfile.Profile(), "note": cProfile.Profile()}
    samples: dict[str, list[dict]] = {"space": [], "note": []}
    sample: dict = {}

    def post(name: str, char: str | None) -> None:
        event = events.Key(name, char)
        event.set_sender(app)
        app._driver.send_message(event)

    def next_key() -> None:
        kind = "space" if len(samples["space"]) <= options.keys else "note"
        if kind == "note" and len(samples["note"]) > options.keys:
            stop_keys()
            return
        screen = app.screen
        sample.clear()
        sample.update(kind=kind, last=screen.last_event_id, bytes=0, frames=0, started=time.perf_counter())
        if samples[kind]:  # the first of each kind is a warm-up, not profiled
            keys_profilers[kind].enable()
        if kind == "space":
            post("space", " ")
        else:  # a burst, as tmux send-keys -l delivers it
            for char in ":note x":
                post({":": "colon", " ": "space"}.get(char, char), char)
            post("enter", "\r")

    def key_frame() -> None:
        if not sample:
            return
        sample["frames"] += 1
        if app.screen.last_event_id > sample["last"]:
            keys_profilers[sample["kind"]].disable()
            samples[sample.pop("kind")].append({"ms": (time.perf_counter() - sample["started"]) * 1000,
                                                "bytes": sample["bytes"], "frames": sample["frames"]})
            sample.clear()
            app.set_timer(0.05, next_key)

    def start_keys() -> None:
        phase["name"] = "keys"
        driver = app._driver
        write = driver.write

        def counting_write(data: str) -> None:
            if sample:
                sample["bytes"] += len(data.encode("utf-8", errors="replace"))
            write(data)

        driver.write = counting_write  # type: ignore[method-assign]
        app.screen.query_one("#checklist").focus()
        next_key()

    def stop_keys() -> None:
        phase["name"] = "done"
        for kind, keys_profiler in keys_profilers.items():
            keys_profiler.dump_stats(f"{options.out}.keys-{kind}.prof")
        for kind, rows in samples.items():
            rows.pop(0)  # the warm-up
        facts["keys"] = samples
        facts["keys_layouts"] = {kind: dict(counts.most_common()) for kind, counts in key_layouts.items()}
        facts["keys_refreshes_per_key"] = {kind: {k: round(v / (options.keys + 1), 2) for k, v in counts.most_common()}
                                           for kind, counts in refreshed.items()}
        app.exit()

    app.post_display_hook = post_display_hook  # type: ignore[method-assign]
    app.run()
    with open(f"{options.out}.json", "w") as handle:
        json.dump(facts, handle)


if __name__ == "__main__":
    main()
