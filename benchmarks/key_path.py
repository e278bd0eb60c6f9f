"""Where a key press's time goes in the real terminal: the bare app and the console, each timed inside.

    python benchmarks/key_path.py [--samples 100]

console.py's (d') measures from outside (tmux send-keys, then capture-pane until the screen changes). This
runs the same presses, alternating between the bare app (bare_app.py) and the console on the same
10,000-event incident, with each program started under a tracer (this file, `--traced`) that notes, on the
machine's monotonic clock (the one time.perf_counter reads in every process), when the key was read from
the terminal, when each frame was made and when Textual's writer thread began to write it. It splits each
press into:

    send-keys    the `tmux send-keys` process, until the key is read by the app's input thread
    key->frame   the key read, until the app has made the frame that shows it (App._display returns)
    frame->write until the writer thread begins to write that frame to the terminal
    write->seen  until the capture-pane that shows the change returns

The tracer patches three names of Textual's (LinuxDriver.process_message, App._display, the writer thread's
file): a look inside, not a figure for the README's table, which is console.py's.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TRACE_OUT = "WARROOM_KEY_PATH_OUT"  # where a traced program writes its marks (JSON), at exit


# --- inside the program under test ---------------------------------------------------------------


def traced(program: list[str]) -> None:
    """Run `program` (the bare app's script, or `warroom`) with marks at the key's way to the terminal."""
    import atexit
    import runpy

    from textual.app import App
    from textual.drivers import _writer_thread
    from textual.drivers.linux_driver import LinuxDriver
    from textual.events import Key

    marks: list[tuple[str, float]] = []
    read = LinuxDriver.process_message

    def process_message(self, message):
        if isinstance(message, Key):
            marks.append(("key", time.perf_counter()))
        return read(self, message)

    display = App._display

    def _display(self, screen, renderable):
        result = display(self, screen, renderable)
        marks.append(("frame", time.perf_counter()))
        return result

    run = _writer_thread.WriterThread.run

    def writer_run(self):
        file, write = self._file, self._file.write

        class Noted:  # the file, its writes noted as they begin
            def write(self, text):
                marks.append(("write", time.perf_counter()))
                return write(text)

            def __getattr__(self, name):
                return getattr(file, name)

        self._file = Noted()
        return run(self)

    LinuxDriver.process_message = process_message
    App._display = _display
    _writer_thread.WriterThread.run = writer_run
    atexit.register(lambda: Path(os.environ[TRACE_OUT]).write_text(json.dumps(marks)))
    if program[0].endswith(".py"):
        sys.argv = program
        runpy.run_path(program[0], run_name="__main__")
    else:
        from warroom.launch import main

        sys.argv = ["warroom", *program[1:]]
        main()


# --- the driver ----------------------------------------------------------------------------------


def presses(samples: int) -> dict[str, dict]:
    import console as bench
    from _common import bench_env, percentile, warroom_command

    warroom = warroom_command()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        env = bench_env(tmp)
        env.pop("WARROOM_DB", None)
        env.pop("TMUX", None)
        _, big = bench.make_databases(tmp, warroom, env)
        programs = {"bare": ([str(HERE / "bare_app.py")], None, bench.BARE_MARKERS),
                    "console 10k": ([warroom], big, bench.CONSOLE_MARKERS)}
        outs = {name: tmp / f"marks-{index}.json" for index, name in enumerate(programs)}
        bench.kill_server()
        bench.start_server(env)
        sent: dict[str, list[tuple[float, float]]] = {name: [] for name in programs}
        try:
            for index, (name, (program, db, markers)) in enumerate(programs.items()):
                argv = ["env", f"{TRACE_OUT}={outs[name]}", sys.executable, str(Path(__file__).resolve()), "--traced",
                        "--", *program]
                bench.start(f"path-{index}", argv, db)
            for index, (name, (_, _, markers)) in enumerate(programs.items()):
                bench.wait_for(f"path-{index}", markers)
            time.sleep(2)
            for i in range(samples + 1):
                for index, name in enumerate(programs):
                    session = f"path-{index}"
                    screen = bench.capture(session)
                    if name == "bare":
                        was = re.search(r"presses (\d+)", screen).group(1)  # type: ignore[union-attr]
                        changed = lambda text, was=was: f"presses {int(was) + 1}" in text  # noqa: E731
                    else:
                        was = re.search(r"\d+/\d+ done", screen).group(0)  # type: ignore[union-attr]
                        changed = lambda text, was=was: bool(re.search(r"\d+/\d+ done", text)) and was not in text  # noqa: E731
                    start_time = time.perf_counter()
                    bench.tmux("send-keys", "-t", session, "Space")
                    while not changed(bench.capture(session)):
                        if time.perf_counter() - start_time > 10:
                            raise RuntimeError(f"{name}: the screen did not change after a key press")
                    if i:  # the first press is a warm-up
                        sent[name].append((start_time, time.perf_counter()))
                    time.sleep(0.05)
            for index in range(len(programs)):
                bench.tmux("send-keys", "-t", f"path-{index}", "C-q")
            for name in programs:
                for _ in range(300):
                    if outs[name].exists():
                        break
                    time.sleep(0.01)
        finally:
            bench.kill_server()
        results = {}
        for name in programs:
            marks = json.loads(outs[name].read_text())
            parts: dict[str, list[float]] = {"send-keys": [], "key->frame": [], "frame->write": [], "write->seen": [],
                                             "total": []}
            for start_time, seen in sent[name]:
                key = next(t for label, t in marks if label == "key" and t > start_time)
                frame = next(t for label, t in marks if label == "frame" and t > key)
                # The writer may begin before the frame's mark is noted (it is queued first): the first write after the key.
                write = next(t for label, t in marks if label == "write" and t > key)
                for part, span in (("send-keys", key - start_time), ("key->frame", frame - key),
                                   ("frame->write", max(0.0, write - frame)), ("write->seen", seen - write),
                                   ("total", seen - start_time)):
                    parts[part].append(span * 1000)
            results[name] = {part: {"median_ms": round(percentile(values, 50), 2), "p95_ms": round(percentile(values, 95), 2)}
                             for part, values in parts.items()}
        return results


def main() -> None:
    if "--traced" in sys.argv:
        traced(sys.argv[sys.argv.index("--") + 1:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=100, help="presses of each program (default 100)")
    args = parser.parse_args()
    results = presses(args.samples)
    parts = list(next(iter(results.values())))
    print("| program | " + " | ".join(f"{part} p50 / p95 ms" for part in parts) + " |")
    print("|---" * (len(parts) + 1) + "|")
    for name, row in results.items():
        print(f"| {name} | " + " | ".join(f"{row[p]['median_ms']} / {row[p]['p95_ms']}" for p in parts) + " |")
    bare, console = results["bare"]["total"], results["console 10k"]["total"]
    print(f"\ntotal, console vs bare: p50 {console['median_ms'] / bare['median_ms']:.2f}x, "
          f"p95 {console['p95_ms'] / bare['p95_ms']:.2f}x")


if __name__ == "__main__":
    main()
