"""The console's frames: a partial update drawn from the changed rows alone sends the terminal what Textual's own
compositor would, byte for byte, for what a commander does and for any set of changed regions."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest
from textual._compositor import Compositor
from textual.geometry import Region

from conftest import declaration_payload
from warroom import events as kinds
from warroom.playbook import load_playbook
from warroom.tui.app import make_app
from warroom.tui.frames import ChangedRowsCompositor
from warroom.tui.screens.console import ConsoleScreen

pytestmark = pytest.mark.usefixtures("utc_local_time")


class Compared(ChangedRowsCompositor):
    """Draws every partial update both ways: Textual's (from the union of the changed regions) and this one's."""

    def __init__(self) -> None:
        super().__init__()
        self.updates: list[tuple[object, object]] = []

    def render_partial_update(self):
        changed = set(self._dirty_regions)
        stock = Compositor.render_partial_update(self)
        self._dirty_regions.update(changed)
        ours = super().render_partial_update()
        self.updates.append((stock, ours))
        return ours


def sent(update, console) -> str:
    return "" if update is None else update.render_segments(console)


async def open_console(store, clock, playbook, size):
    severity = playbook.severities[1].id  # the bundled P1, or the organisation's SEV-2
    incident = store.declare(declaration_payload(playbook, clock.now() - timedelta(minutes=20), severity)).incident
    for i in range(30):
        store.append(incident, kinds.ALERT if i % 3 else kinds.NOTE, {"text": f"line {i} " + "word " * (i % 9)})
    app = make_app(store, clock=clock)
    return app, incident


SEV_PLAYBOOK = Path(__file__).parent / "data" / "sev-playbook.yaml"  # an organisation's own: five SEV-n levels


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
@pytest.mark.parametrize("own_playbook", [False, True], ids=["bundled playbook", "sev-playbook.yaml"])
async def test_what_a_commander_does_sends_what_textual_would(store, clock, playbook, size, own_playbook) -> None:
    if own_playbook:
        playbook = load_playbook(SEV_PLAYBOOK)
    app, _ = await open_console(store, clock, playbook, size)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConsoleScreen)
        screen._ticker.pause()
        compared = Compared()
        compared.__dict__.update({k: v for k, v in screen._compositor.__dict__.items() if k != "updates"})
        screen._compositor = compared
        for step in ("check 1", "note rolled back build 7", "uncheck 1", "status mitigating", "notify", "eta 30m"):
            assert screen.run_command(step), step
            await pilot.pause()
            await pilot.pause()
        for key in ("j", "j", "space", "k", "enter", "tab", "tab", ":", "x", "escape"):
            await pilot.press(key)
            await pilot.pause()
        for _ in range(3):
            clock.advance(seconds=61)
            screen.tick()
            await pilot.pause()
        screen.notify("a toast over the panes", timeout=30)
        await pilot.pause()
        await pilot.pause()
        assert len(compared.updates) >= 10
        partial = [(stock, ours) for stock, ours in compared.updates if stock is not None]
        assert partial, "no partial update was drawn"
        for stock, ours in compared.updates:
            assert sent(ours, app.console) == sent(stock, app.console)


async def test_any_changed_regions_send_what_textual_would(store, clock, playbook) -> None:
    app, _ = await open_console(store, clock, playbook, (120, 40))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen._ticker.pause()
        compositor = screen._compositor
        assert isinstance(compositor, ChangedRowsCompositor)
        width, height = compositor.size
        rng = random.Random(12)
        for _ in range(300):
            regions = set()
            for _ in range(rng.randint(1, 5)):  # as Textual marks them: on the screen
                x, y = rng.randrange(0, width), rng.randrange(0, height)
                regions.add(Region(x, y, rng.randint(1, width), rng.randint(1, 6)).intersection(compositor.size.region))
            compositor._dirty_regions.update(regions)
            stock = Compositor.render_partial_update(compositor)
            compositor._dirty_regions.update(regions)
            ours = compositor.render_partial_update()
            assert sent(ours, app.console) == sent(stock, app.console), regions
