"""The playbook loader: every problem is one `FILE:LINE: what is wrong` line; the bundled playbook is the seed, whole."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIVE_LEVEL_PLAYBOOK, REPO, SEED, SHARED_SEED, declaration_payload
from warroom import views
from warroom.cli import Context, cli
from warroom.clock import FakeClock
from warroom.commands import CommandError, parse
from warroom.incident import state_of
from warroom.playbook import PLACEHOLDERS, PlaybookError, Window, bundled_playbook_path, load_playbook
from warroom.store import Store

BUNDLED = (REPO / "playbook.yaml").read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    """The 1-based line where `needle` occurs, asserting it occurs exactly once."""
    hits = [number for number, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) == 1, f"{needle!r} occurs on lines {hits}"
    return hits[0]


def replaced(old: str, new: str, text: str = BUNDLED) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once in the playbook"
    return text.replace(old, new)


def problems_of(path: Path) -> list[str]:
    """The problems the loader reports; anything but a PlaybookError fails the test."""
    with pytest.raises(PlaybookError) as caught:
        load_playbook(path)
    assert type(caught.value) is PlaybookError
    assert str(caught.value) == "\n".join(caught.value.problems)
    return caught.value.problems


def write(tmp_path: Path, content: str | bytes, name: str = "playbook.yaml") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# --- every loader error: exactly one problem, at the exact line ---------------------------------------


def test_yaml_syntax_error(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\nseverities:\n  - id: P0\n    name: [Critical\nphases: []\n")
    [problem] = problems_of(path)
    # The flow list opened on line 4 is still open when line 5 starts a new key.
    assert problem.startswith(f"{path}:5: YAML syntax error: ")
    assert "expected ',' or ']'" in problem


def test_yaml_bad_indentation(tmp_path: Path) -> None:
    text = replaced("    update_every: 30m\n", "    update_every: 30m\n   criteria_typo: 1\n")
    path = write(tmp_path, text)
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:{line_of(text, 'criteria_typo')}: YAML syntax error")


def test_tab_indentation(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\nseverities:\n\t- id: P0\n")
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:3: YAML syntax error") and "'\\t'" in problem


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    assert problems_of(path) == [f"{path}:1: the file is empty: expected a YAML playbook with severities and phases"]


def test_whitespace_only_file(tmp_path: Path) -> None:
    path = write(tmp_path, "\n   \n\t\n")
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:1: the file is empty")


def test_comment_only_file(tmp_path: Path) -> None:
    path = write(tmp_path, "# my playbook\n\n   # to be written\n")
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:1: the file is empty")


def test_binary_file(tmp_path: Path) -> None:
    path = write(tmp_path, b"name: x\n\x00\x01\x02\xff binary")
    assert problems_of(path) == [f"{path}:1: not a text file: expected a YAML playbook"]


def test_not_utf8_file(tmp_path: Path) -> None:
    path = write(tmp_path, b"name: ok\nstatus_page: caf\xe9\n")
    assert problems_of(path) == [f"{path}:2: not UTF-8 text: expected a YAML playbook"]


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    # A missing file has no line to name: the file alone, and what was expected.
    assert problems_of(path) == [f"{path}: no such file: expected a YAML playbook"]


def test_folder(tmp_path: Path) -> None:
    assert problems_of(tmp_path) == [f"{tmp_path}: is a folder: expected a YAML playbook file"]


def test_document_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "- P0\n- P1\n")
    assert problems_of(path) == [f"{path}:1: the playbook must be a mapping of sections, got a list"]


def test_wrong_type_steps_is_a_number(tmp_path: Path) -> None:
    old = "    steps:\n      - Automated monitoring alerts\n      - Manual incident reporting\n" \
          "      - Initial triage and classification\n      - Incident commander assignment\n"
    text = replaced(old, "    steps: 5\n")
    path = write(tmp_path, text)
    assert problems_of(path) == [f"{path}:{line_of(text, 'steps: 5')}: phases[1].steps: expected a list, got the number 5"]


def test_wrong_type_severities_is_a_string(tmp_path: Path) -> None:
    text = "severities: a string\nphases:\n  - id: only\n    window: {start: 0m}\n"
    path = write(tmp_path, text)
    assert problems_of(path) == [f"{path}:1: playbook.severities: expected a list, got 'a string'"]


def test_wrong_type_window_is_text(tmp_path: Path) -> None:
    text = replaced("    window: {start: 15m, end: 30m}\n    steps:", "    window: 15-30 minutes\n    steps:")
    path = write(tmp_path, text)
    assert problems_of(path) == [
        f"{path}:{line_of(text, '15-30 minutes')}: phases[2].window: expected a mapping (key: value), got '15-30 minutes'"
    ]


def test_wrong_type_duration(tmp_path: Path) -> None:
    text = replaced("response_target: 4h", "response_target: soon")
    path = write(tmp_path, text)
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:{line_of(text, 'response_target: soon')}: severities[3].response_target: 'soon' is not a duration")
    assert "expected a number with a unit" in problem


def test_absurd_duration_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    text = replaced("response_target: 4h", "response_target: 99999999999d")
    path = write(tmp_path, text)
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:{line_of(text, '99999999999d')}: severities[3].response_target:")
    assert "too long" in problem


def test_missing_required_key(tmp_path: Path) -> None:
    text = replaced("    response_target: 1h\n", "")
    path = write(tmp_path, text)
    # Reported on the line where that severity's entry begins.
    assert problems_of(path) == [
        f"{path}:{line_of(text, 'id: P1')}: severities[2]: missing required key 'response_target'; expected a duration like 15m"
    ]


def test_missing_required_section(tmp_path: Path) -> None:
    text = "severities:\n  - {id: A, response_target: 1h, update_every: 1h}\n"
    path = write(tmp_path, text)
    assert problems_of(path) == [f"{path}:1: playbook: missing required key 'phases'; expected a list"]


def test_duplicate_id(tmp_path: Path) -> None:
    text = replaced("  - id: containment\n", "  - id: detection\n")
    path = write(tmp_path, text)
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if "id: detection" in line]
    assert len(lines) == 2
    assert problems_of(path) == [
        f"{path}:{lines[1]}: phases[2]: duplicate id 'detection' (first on line {lines[0]}); expected unique ids"
    ]


def test_rung_names_unknown_severity(tmp_path: Path) -> None:
    text = replaced("severities: [P0, P1]", "severities: [P0, P9]")
    path = write(tmp_path, text)
    assert problems_of(path) == [
        f"{path}:{line_of(text, '[P0, P9]')}: ladder[4].severities: unknown severity 'P9'; expected one of P0, P1, P2"
    ]


def test_window_that_ends_before_it_starts(tmp_path: Path) -> None:
    text = replaced("window: {start: 1h, end: 4h}", "window: {start: 1h, end: 30m}")
    path = write(tmp_path, text)
    assert problems_of(path) == [
        f"{path}:{line_of(text, 'start: 1h, end: 30m')}: phases[3].window: ends (30m) before it starts (1h); expected an end after the start"
    ]


def test_window_that_ends_as_it_starts(tmp_path: Path) -> None:
    text = replaced("window: {start: 30m, end: 1h}", "window: {start: 30m, end: 30m}")
    path = write(tmp_path, text)
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:{line_of(text, 'start: 30m, end: 30m')}: ladder[3].window: ends")


def test_template_placeholder_that_cannot_be_filled(tmp_path: Path) -> None:
    text = replaced("ETA: {eta}", "ETA: {foo}")
    path = write(tmp_path, text)
    [problem] = problems_of(path)
    # The line of the template's `text:` key (the block that holds the placeholder).
    text_line = max(n for n, line in enumerate(text.splitlines(), start=1) if n < line_of(text, "{foo}") and "text:" in line)
    assert problem.startswith(f"{path}:{text_line}: templates[1].text: placeholder {{foo}} cannot be filled; expected one of ")
    assert all("{" + name + "}" in problem for name in PLACEHOLDERS)


def test_template_broken_brace(tmp_path: Path) -> None:
    text = replaced("ETA: {eta}", "ETA: {eta")
    path = write(tmp_path, text)
    [problem] = problems_of(path)
    assert "templates[1].text: broken placeholder" in problem


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    text = replaced("    update_every: 30m\n", "    update_every: 30m\n    update_every: 20m\n")
    path = write(tmp_path, text)
    second = line_of(text, "update_every: 20m")
    first = second - 1
    assert problems_of(path) == [f"{path}:{second}: duplicate key 'update_every' (first on line {first})"]


def test_unknown_contact_and_section(tmp_path: Path) -> None:
    text = replaced("contacts: [secondary]", "contacts: [tertiary]") + "extras: 1\n"
    path = write(tmp_path, text)
    assert problems_of(path) == [
        f"{path}:{line_of(text, '[tertiary]')}: ladder[2].contacts: unknown contact 'tertiary'; expected one of primary, secondary, escalation",
        f"{path}:{line_of(text, 'extras: 1')}: unknown section `extras`; expected one of contacts, default_severity, ladder, "
        "name, phases, review, routes, runbooks, severities, status_details, status_page, templates",
    ]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = replaced("severities: [P0, P1]", "severities: [P7]")
    text = replaced("ETA: {eta}", "ETA: {when}", text)
    problems = problems_of(write(tmp_path, text))
    assert len(problems) == 2 and "P7" in problems[0] and "{when}" in problems[1]


# --- nothing but a PlaybookError, whatever the YAML says ---------------------------------------------

_BUNDLED_DATA = yaml.safe_load(BUNDLED)


def _paths(value: object, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, prefix + (index,))
    return found


_ALL_PATHS = _paths(_BUNDLED_DATA)
_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**12), st.floats(allow_nan=False), st.text(max_size=12),
    st.sampled_from(["0m", "15m", "immediate", "99999999999d", "-5m", "{foo}", "{title}", "P0", "P9", "{", "1h30m"]),
    st.lists(st.sampled_from(["P0", "P2", "x", "primary"]), max_size=3),
    st.dictionaries(st.sampled_from(["id", "start", "end", "name", "steps"]), st.sampled_from(["1h", "x", "0m"]), max_size=3),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutations=st.lists(st.tuples(st.sampled_from(_ALL_PATHS), _VALUES), min_size=1, max_size=3))
def test_a_mangled_playbook_gives_problems_never_a_crash(tmp_path: Path, mutations: list) -> None:
    import copy

    document = copy.deepcopy(_BUNDLED_DATA)
    for path, value in mutations:
        target = document
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation replaced a parent: nothing left at this path
    path = write(tmp_path, yaml.safe_dump(document, sort_keys=False))
    try:
        loaded = load_playbook(path)
    except PlaybookError as error:
        assert error.problems
        assert all(re.match(rf"{re.escape(str(path))}(:\d+)?: \S", problem) for problem in error.problems), error.problems
    else:
        assert loaded.severities and loaded.phases


# --- the bundled playbook is the seed, whole ------------------------------------------------------


def _seed_sections(text: str) -> dict[str, list[tuple[str, list[str]]]]:
    """The seed as {## section: [(### heading, [its lines])]}."""
    sections: dict[str, list[tuple[str, list[str]]]] = {}
    current: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("## "):
            current = sections.setdefault(line[3:].strip(), [])
        elif line.startswith("### "):
            current.append((line[4:].strip(), []))
        elif line.strip() and current:
            current[-1][1].append(line.strip())
    return sections


def _items(lines: list[str]) -> list[str]:
    return [re.sub(r"^(?:-|\d+\.)\s+", "", line) for line in lines if re.match(r"^(?:-|\d+\.)\s", line)]


def _span(text: str) -> timedelta:
    number, unit = re.fullmatch(r"(\d+)\s*(minutes?|min|hours?)", text.strip()).groups()
    return timedelta(minutes=int(number)) if unit.startswith("min") else timedelta(hours=int(number))


SEED_TEXT = SEED.read_text(encoding="utf-8")
SECTIONS = _seed_sections(SEED_TEXT)


def test_the_seed_copy_is_the_users_seed() -> None:
    if not SHARED_SEED.exists():
        pytest.skip(f"the shared seed {SHARED_SEED} is not here (a clean clone); the copy in tests/data stands in")
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()


def test_bundled_playbook_is_the_one_loaded_by_default() -> None:
    assert bundled_playbook_path().read_text(encoding="utf-8") == BUNDLED
    assert load_playbook() == load_playbook(REPO / "playbook.yaml")


def test_every_severity_with_its_criteria_and_target(playbook) -> None:
    seed = SECTIONS["Severity Levels"]
    assert len(seed) == 3 and [s.id for s in playbook.severities] == ["P0", "P1", "P2"]
    for (heading, lines), severity in zip(seed, playbook.severities):
        ident, name, target = re.fullmatch(r"(\S+) - (.+) \(Response: (.+)\)", heading).groups()
        assert (severity.id, severity.name) == (ident, name)
        assert severity.response_target == (timedelta(0) if target == "Immediate" else _span(target))
        assert severity.criteria == tuple(_items(lines))
        assert severity.update_every > timedelta(0)


def test_every_phase_with_its_window_and_steps(playbook) -> None:
    seed = SECTIONS["Response Procedures"]
    assert len(playbook.phases) == len(seed) == 3
    for (heading, lines), phase in zip(seed, playbook.phases):
        name, start, end, unit = re.fullmatch(r"\d+\. (.+) \((\d+)-(\d+) (minutes|hours)\)", heading).groups()
        assert phase.name == name
        assert phase.window == Window(_span(f"{start} {unit}"), _span(f"{end} {unit}"))
        assert phase.steps == tuple(_items(lines))


def test_every_rung_with_its_window_and_severities(playbook) -> None:
    (heading, lines), = [entry for entry in SECTIONS["Escalation Matrix"] if entry[0] == "Internal Escalation"]
    seed = _items(lines)
    assert len(playbook.ladder) == len(seed) == 4
    for text, rung in zip(seed, playbook.ladder):
        closed = re.fullmatch(r"(.+) \((\d+)-(\d+) min\)", text)
        if closed:
            name, start, end = closed.groups()
            assert rung.window == Window(timedelta(minutes=int(start)), timedelta(minutes=int(end)))
            assert rung.severities == ("P0", "P1", "P2")
        else:
            name, start, reached = re.fullmatch(r"(.+) \((\d+)\+ hour for (.+)\)", text).groups()
            assert rung.window == Window(timedelta(hours=int(start)), None)
            assert rung.severities == tuple(reached.split("/"))
        assert rung.name == name
    assert playbook.rung("ceo").severities == ("P0", "P1")


def test_the_three_contacts(playbook) -> None:
    (heading, lines), = [entry for entry in SECTIONS["Escalation Matrix"] if entry[0] == "Contact Information"]
    seed = [tuple(item.split(": ")) for item in _items(lines)]
    assert [(c.name, c.phone) for c in playbook.contacts] == seed
    assert {c.phone for rung in playbook.ladder for c in rung.contacts} == {phone for _, phone in seed}


def test_both_templates_with_named_placeholders(playbook) -> None:
    seed = SECTIONS["Communication Templates"]
    assert [t.name for t in playbook.templates] == [heading for heading, _ in seed]
    for (heading, lines), template in zip(seed, playbook.templates):
        body = [line for line in lines if not line.startswith("```")]
        ours = template.text.strip().splitlines()
        # Same words, with each [bracketed] blank of the seed a {named} placeholder here.
        assert [re.sub(r"\[[^\]]*\]", "<>", line) for line in body] == [re.sub(r"\{[a-z_]+\}", "<>", line) for line in ours]
        assert not re.search(r"\[[^\]]*\]", template.text)
    internal = playbook.template("internal").text
    for blank, placeholder in {"P0/P1/P2": "severity", "Brief Description": "title", "Systems/Users Affected": "impact",
                               "Investigating/Mitigating/Resolved": "status", "Expected Resolution Time": "eta"}.items():
        seed_line = next(line for line in SEED_TEXT.splitlines() if f"[{blank}]" in line)
        assert seed_line.replace(f"[{blank}]", "{" + placeholder + "}").split(":")[0] in internal
        assert "{" + placeholder + "}" in internal


def test_every_runbook_step(playbook) -> None:
    seed = SECTIONS["Runbooks"]
    assert [(r.name, r.steps) for r in playbook.runbooks] == [(heading, tuple(_items(lines))) for heading, lines in seed]
    assert [r.id for r in playbook.runbooks] == ["database", "api", "security"]


def test_status_details_cover_every_status(playbook) -> None:
    assert all(playbook.status_detail(status) for status in ("investigating", "mitigating", "resolved"))


def test_summary_names_what_the_playbook_holds(playbook) -> None:
    summary = playbook.summary()
    assert summary.splitlines()[0] == "Incident Response Playbook: OK"
    for needle in ("P0 Critical (response Immediate)", "P1 High (response 1h)", "P2 Medium (response 4h)",
                   "3 with 12 steps", "CEO (1h+)", "Internal Alert", "Security Incidents"):
        assert needle in summary


def test_playbook_is_frozen(playbook) -> None:
    with pytest.raises(AttributeError):
        playbook.severities[0].id = "P9"  # type: ignore[misc]


# --- another organisation's playbook works with YAML alone ----------------------------------------


def test_five_severities_five_phases_six_rungs(five_level_path: Path, tmp_path: Path) -> None:
    book = load_playbook(five_level_path)
    assert [s.id for s in book.severities] == ["SEV-1", "SEV-2", "SEV-3", "SEV-4", "SEV-5"]
    assert len(book.phases) == 5 and len(book.ladder) == 6
    assert book.rung("responder").severities == tuple(s.id for s in book.severities)  # no list: every severity

    clock = FakeClock()
    started = clock.now()
    with Store(tmp_path / "five.db", clock=clock) as store:
        incident = store.declare(declaration_payload(book, started, "SEV-2", "Payments fail", runbooks=["dns"])).incident

        def run(line: str) -> None:
            state = state_of(store.events(incident))
            action = parse(line, state, clock.now())
            store.append(incident, action.kind, action.payload)

        state = state_of(store.events(incident))
        assert views.response(state, started).due_at == started + timedelta(minutes=15)
        lists = views.checklists(state, started)
        assert [c.id for c in lists] == ["triage", "assess", "contain", "fix", "review", "dns"]
        assert [s.number for c in lists for s in c.steps] == list(range(1, 11))

        run("check 2")
        run("check 5.2")  # Review: Book the review
        run("check ttls")  # the dns runbook, by words
        clock.advance(minutes=16)
        for _ in range(4):
            run("phase next")
        with pytest.raises(CommandError, match="Review is the last phase"):
            parse("phase next", state_of(store.events(incident)), clock.now())
        state = state_of(store.events(incident))
        assert state.phase == "review" and [p for p, _ in state.phase_history] == ["triage", "assess", "contain", "fix", "review"]
        assert views.current_phase(state, clock.now()).remaining is None  # an open window
        assert {(ref, n) for (ref, n) in state.checked} == {("triage", 2), ("review", 2), ("dns", 2)}

        rungs = {r.rung.id: r for r in views.ladder(state, clock.now()).rungs}
        assert [rungs[r].state for r in ("responder", "lead", "manager", "director", "vp", "chief")] == [
            "due", "due", "due", "waiting", "waiting", "unreached"
        ]
        run("notify")  # the first rung due
        run("ack responder")
        run("sev sev-4")  # ids are matched without regard to case
        state = state_of(store.events(incident))
        assert state.severity == "SEV-4"
        rungs = {r.rung.id: r.state for r in views.ladder(state, clock.now()).rungs}
        assert rungs == {"responder": "acknowledged", "lead": "due", "manager": "unreached", "director": "unreached",
                         "vp": "unreached", "chief": "unreached"}
        assert views.response(state, clock.now()).due_at == started + timedelta(hours=8)
        assert views.next_update(state, clock.now()).due_at == started + timedelta(hours=4)
        run("resolve")
        assert state_of(store.events(incident)).resolved
        assert store.verify(incident) is None


def test_playbook_check_through_the_cli(tmp_path: Path, five_level_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(cli, ["playbook", "check", str(five_level_path)], obj=Context(str(tmp_path / "w.db"), None))
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.startswith("Five-level playbook: OK\n") and "SEV-5 Cosmetic (response 3d)" in ok.stdout

    text = replaced("severities: [P0, P1]", "severities: [P0, P9]")
    text = replaced("ETA: {eta}", "ETA: {foo}", text)
    bad = write(tmp_path, text, "bad.yaml")
    result = runner.invoke(cli, ["playbook", "check", str(bad)], obj=Context(str(tmp_path / "w.db"), None))
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and all(line.startswith(f"{bad}:") for line in lines)
    assert re.match(rf"{re.escape(str(bad))}:\d+: ladder\[4\]\.severities: unknown severity 'P9'", lines[0])
    assert "Traceback" not in result.output
    assert not (tmp_path / "w.db").exists()  # checking a playbook opens no database


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Ops\x1b]0;PWNED\x07"),
        ("status_page", "https://status.example\x9b31m"),
        ("phases[1].name", "Triage\u202eegairt"),
        ("phases[1].steps[1]", "Page \x1b[2J the team"),
        ("templates[1].text", "{title}\x1b[201~; touch /tmp/x"),
        ("contacts[1].phone", "+1 555\r0100"),
    ],
)
def test_a_control_character_in_a_playbook_is_one_line_naming_where(tmp_path, field, value):
    """A playbook's text reaches every screen and message: a control in it is refused at load, with its line."""
    document = yaml.safe_load(FIVE_LEVEL_PLAYBOOK)
    target, key = document, field.split(".")
    for part in key[:-1]:
        name, _, index = part.partition("[")
        target = target[name][int(index.rstrip("]")) - 1] if index else target[name]
    name, _, index = key[-1].partition("[")
    if index:
        target[name][int(index.rstrip("]")) - 1] = value
    else:
        target[name] = value
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=False), encoding="utf-8")
    with pytest.raises(PlaybookError) as raised:
        load_playbook(path)
    problems = str(raised.value).splitlines()
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:") and "holds the control character" in problems[0]
    assert "\x1b" not in problems[0] and "\x9b" not in problems[0] and "\r" not in problems[0]
