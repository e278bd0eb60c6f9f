"""The `warroom` command's entry point: loads the command line with the garbage collector held off."""

from __future__ import annotations

import gc


def main() -> None:
    # Loading click, Textual and warroom makes several hundred thousand objects that all live as long as the
    # process: collecting while they load finds nothing and costs ~15% of the console's start-up.
    gc.disable()
    from warroom.cli import main as run

    gc.enable()
    run()
