"""The banner line of a screen whose incident's log does not verify: what it shows is the log as it reads."""

from __future__ import annotations

from textual.widgets import Static

from warroom.errors import WarroomError
from warroom.history import History, warning
from warroom.incident import IncidentState


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
        if not problem:
            self.display = False
            return None
        line = warning(problem, incident_id)
        self.update(line)
        self.display = True
        return line
