"""The playbook's routes: section, checked like the rest (FILE:LINE, the cause once), and what a route matches."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO
from warroom.playbook import PlaybookError, Route, load_playbook

BUNDLED = (REPO / "playbook.yaml").read_text()


def problems(tmp_path: Path, routes: str) -> list[str]:
    path = tmp_path / "routed.yaml"
    path.write_text(BUNDLED + routes)
    with pytest.raises(PlaybookError) as caught:
        load_playbook(path)
    return [line.replace(f"{path}:", "") for line in caught.value.problems]


def line_of(routes: str, text: str) -> int:
    return BUNDLED.count("\n") + routes.split(text)[0].count("\n") + 1


def test_routes_load_in_order_with_their_runbook_and_severity(tmp_path: Path) -> None:
    path = tmp_path / "routed.yaml"
    path.write_text(BUNDLED + "routes:\n  - id: db\n    match: {team: db, tier: \"1\"}\n    runbook: database\n"
                    "  - id: page\n    match: {severity: critical}\n    declare: P0\n")
    playbook = load_playbook(path)
    assert playbook.routes == (Route("db", (("team", "db"), ("tier", "1")), "database", ""),
                               Route("page", (("severity", "critical"),), "", "P0"))
    assert playbook.routes[0].matches({"team": "db", "tier": "1", "instance": "x"})
    assert not playbook.routes[0].matches({"team": "db"})
    assert "  routes:     db, page" in playbook.summary()
    assert load_playbook().routes == ()  # the bundled playbook routes nothing: the only open incident takes it


def test_every_problem_in_routes_is_one_line_at_its_line(tmp_path: Path) -> None:
    routes = ("routes:\n  - id: db\n    match: {team: db}\n    runbook: databse\n    declare: P7\n"
              "  - id: 9bad\n    match: {}\n  - id: other\n    match: {\"bad label\": x, ok: [1]}\n"
              "  - id: fine\n    match: {service: api}\n    extra: 1\n  - id: nomatch\n")
    assert problems(tmp_path, routes) == [
        f"{line_of(routes, 'runbook: databse')}: routes[1].runbook: unknown runbook 'databse': did you mean `database`?",
        f"{line_of(routes, 'declare: P7')}: routes[1].declare: unknown severity 'P7'; expected one of P0, P1, P2",
        f"{line_of(routes, 'id: 9bad')}: routes[2].id: '9bad' is not an id (it starts with '9'); expected ASCII letters, "
        "digits, - and _, starting with a letter or _, at most 64 characters",
        f"{line_of(routes, 'match: {}')}: routes[2].match: is empty; expected at least one label: value",
        f"{line_of(routes, 'bad label')}: routes[3].match: 'bad label' is not a label name; expected letters, digits and _, not a digit first",
        f"{line_of(routes, 'bad label')}: routes[3].match.ok: expected text, got a list",
        f"{line_of(routes, 'extra: 1')}: routes[4]: unknown key `extra`; expected one of declare, id, match, runbook",
        f"{line_of(routes, 'id: nomatch')}: routes[5].match: missing; expected a mapping",
    ]
