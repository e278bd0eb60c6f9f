"""The banner line of a screen whose incident's log does not verify: what it shows is the log as it reads."""

from __future__ import annotations

from textual.widgets import Static

from warroom.errors import WarroomError
from warroom.history import History, warning
from warroom.incident import IncidentState
from warroom.tui.frames import after_the_frame


class UnverifiedBanner(Static):
    """Hidden while the log holds; one line naming the incident, its first problem and `warroom verify ID`."""

    def __init__(self) -> None:
        super().__init__(id="log-unverified", markup=False)

    def check(self, incident_id: str, state: IncidentState) -> str | None:
        """Check the log (from its verified head; the index against `state`, the fold just made) and show the
        line if it does not hold; returns the line."""
        store = self.app.store
        try:
            problem = History(store).problem(store.incident(incident_id), state)
        except WarroomError as error:
            problem = str(error)
        # What had to be checked anew (a log copied or restored: its caches no longer fit) is written for the next
        # start once this frame is out, not only at close: a console whose terminal goes (an SSH link dropped, a
        # tmux pane killed) never closes its store, and every start after would check the whole log again.
        after_the_frame(self, store.save_caches)
        if not problem:
            self.display = False
            return None
        line = warning(problem, incident_id)
        self.update(line)
        self.display = True
        return line
