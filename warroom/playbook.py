"""The playbook: load a YAML playbook, validate it line by line, and hold it as frozen dataclasses."""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any, Iterable


from warroom.clock import format_window, is_duration, parse_duration
from warroom.errors import WarroomError
from warroom.text import control_in

# What a template may ask for, and what fills it (warroom.comms renders them).
PLACEHOLDERS: dict[str, str] = {
    "incident": "the incident id",
    "title": "the incident's title, its brief description",
    "severity": "the severity id, such as P1",
    "severity_name": "the severity's name, such as High",
    "status": "Investigating, Mitigating or Resolved",
    "status_detail": "the playbook's status_details sentence for the current status",
    "impact": "the systems and users affected",
    "eta": "the expected resolution time (local time and how long from now)",
    "elapsed": "how long the incident has run",
    "started": "when the incident started, local time",
    "started_utc": "when the incident started, UTC",
    "phase": "the current phase's name",
    "commander": "the incident commander",
    "next_update": "when the next status update is due (UTC)",
    "status_page": "the playbook's status_page",
    "updates": "where and when the next update comes: the status page and its time",
}
STATUSES = ("investigating", "mitigating", "resolved")
MAX_DURATION = timedelta(days=365)  # the longest response target, window or cadence a playbook may give


@dataclass(frozen=True)
class Window:
    """A span of incident time, counted from the incident's start; `end` None is open-ended."""

    start: timedelta
    end: timedelta | None = None

    def __str__(self) -> str:
        return format_window(self.start, self.end)


@dataclass(frozen=True)
class Severity:
    id: str
    name: str
    response_target: timedelta
    update_every: timedelta
    criteria: tuple[str, ...]

    @property
    def response_label(self) -> str:
        return "Immediate" if not self.response_target else format_window(self.response_target, None)[:-1]


@dataclass(frozen=True)
class Phase:
    id: str
    name: str
    window: Window
    steps: tuple[str, ...]


@dataclass(frozen=True)
class Contact:
    id: str
    name: str
    phone: str


@dataclass(frozen=True)
class Rung:
    """One level of the escalation ladder: who is woken, from when, at which severities."""

    id: str
    name: str
    window: Window
    severities: tuple[str, ...]
    contacts: tuple[Contact, ...]


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    text: str
    placeholders: tuple[str, ...]


@dataclass(frozen=True)
class Runbook:
    id: str
    name: str
    steps: tuple[str, ...]


@dataclass(frozen=True)
class Playbook:
    name: str
    status_page: str
    severities: tuple[Severity, ...]
    phases: tuple[Phase, ...]
    contacts: tuple[Contact, ...]
    ladder: tuple[Rung, ...]
    templates: tuple[Template, ...]
    status_details: tuple[tuple[str, str], ...]
    runbooks: tuple[Runbook, ...]
    # The validated document as plain data: a declared incident keeps it, so that its log carries
    # the very playbook it was run with.
    data: Any = None

    def severity(self, severity_id: str) -> Severity:
        return _find(self.severities, severity_id, "severity")

    def phase(self, phase_id: str) -> Phase:
        return _find(self.phases, phase_id, "phase")

    def rung(self, rung_id: str) -> Rung:
        return _find(self.ladder, rung_id, "rung")

    def runbook(self, runbook_id: str) -> Runbook:
        return _find(self.runbooks, runbook_id, "runbook")

    def template(self, template_id: str) -> Template:
        return _find(self.templates, template_id, "template")

    def status_detail(self, status: str) -> str:
        return dict(self.status_details).get(status, "")

    def summary(self) -> str:
        """A few lines saying what the playbook holds (`warroom playbook check`)."""
        steps = sum(len(p.steps) for p in self.phases)
        return "\n".join(
            [
                f"{self.name}: OK",
                "  severities: " + ", ".join(f"{s.id} {s.name} (response {s.response_label})" for s in self.severities),
                f"  phases:     {len(self.phases)} with {steps} steps: "
                + ", ".join(f"{p.name} ({p.window})" for p in self.phases),
                "  ladder:     " + ", ".join(f"{r.name} ({r.window})" for r in self.ladder),
                "  templates:  " + ", ".join(t.name for t in self.templates),
                "  runbooks:   " + ", ".join(r.name for r in self.runbooks),
            ]
        )


def _find(items: Iterable[Any], item_id: str, what: str) -> Any:
    for item in items:
        if item.id == item_id:
            return item
    known = ", ".join(item.id for item in items)
    raise WarroomError(f"unknown {what} {item_id!r}: expected one of {known}")


class PlaybookError(WarroomError):
    """Every problem found in a playbook, one `FILE:LINE: what is wrong` line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems), exit_code=2)
        self.problems = problems


def bundled_playbook_path() -> Path:
    """The playbook that ships with warroom (inside the wheel, or at the top of a source checkout)."""
    packaged = resources.files("warroom") / "data" / "playbook.yaml"
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "playbook.yaml"


def load_playbook(path: str | Path | None = None) -> Playbook:
    """Read and validate a playbook file; raise PlaybookError naming every problem."""
    path = Path(path) if path is not None else bundled_playbook_path()
    source = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PlaybookError([f"{source}: no such file: expected a YAML playbook"]) from None
    except IsADirectoryError:
        raise PlaybookError([f"{source}: is a folder: expected a YAML playbook file"]) from None
    except OSError as error:
        raise PlaybookError([f"{source}: cannot read it ({error.strerror})"]) from None
    if b"\x00" in raw:
        raise PlaybookError([f"{source}:1: not a text file: expected a YAML playbook"])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise PlaybookError([f"{source}:{line}: not UTF-8 text: expected a YAML playbook"]) from None
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise PlaybookError([f"{source}:1: the file is empty: expected a YAML playbook with severities and phases"])
    import yaml  # here, not at the top: the console and `warroom log` read playbooks from the log, as JSON

    loader = _line_loader()(text)
    try:
        document = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        problem = error.problem or error.context or "unreadable YAML"
        raise PlaybookError([f"{source}:{line}: YAML syntax error: {problem}"]) from None
    except yaml.YAMLError as error:
        raise PlaybookError([f"{source}:1: YAML syntax error: {error}"]) from None
    finally:
        loader.dispose()
    problems = [f"{source}:{line}: {message}" for line, message in loader.problems]
    return _validate(document, source, problems)


def playbook_from_data(data: Any, source: str) -> Playbook:
    """Rebuild a playbook from the plain data an incident's log carries."""
    return _validate(data, source, [])


# --- YAML with line numbers ---------------------------------------------------------------------


class _Map(dict):
    """A mapping that remembers the line of itself and of each key."""

    line: int = 0
    lines: dict[str, int]


class _Seq(list):
    """A sequence that remembers the line of itself and of each item."""

    line: int = 0
    lines: list[int]


@cache
def _line_loader() -> type:
    """PyYAML's safe loader, building `_Map` and `_Seq` and noting duplicate keys as problems."""
    import yaml

    class LineLoader(yaml.SafeLoader):
        def __init__(self, stream: str) -> None:
            super().__init__(stream)
            self.problems: list[tuple[int, str]] = []

    LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
    LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
    return LineLoader


def _construct_map(loader: Any, node: Any) -> _Map:
    loader.flatten_mapping(node)
    result = _Map()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, (str, int, float, bool)):
            loader.problems.append((line, "a key must be a plain word"))
            continue
        key = str(key)
        if key in result:
            loader.problems.append((line, f"duplicate key {key!r} (first on line {result.lines[key]})"))
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = line
    return result


def _construct_seq(loader: Any, node: Any) -> _Seq:
    result = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


# --- validation ---------------------------------------------------------------------------------


def _line_of(container: Any, key: str | int | None = None) -> int:
    if isinstance(container, _Map) and isinstance(key, str) and key in container.lines:
        return container.lines[key]
    if isinstance(container, _Seq) and isinstance(key, int) and key < len(container.lines):
        return container.lines[key]
    return getattr(container, "line", 0)


class _Checker:
    """Collects problems while the playbook is read, so that all of them are reported at once."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems

    def problem(self, line: int, message: str) -> None:
        self.problems.append(f"{self.source}:{line}: {message}" if line else f"{self.source}: {message}")

    def mapping(self, parent: Any, key: str | int, where: str, required: bool = True) -> dict | None:
        value = parent.get(key) if isinstance(parent, dict) else parent[key]
        if value is None:
            if required:
                self.problem(_line_of(parent, key), f"{where}: missing; expected a mapping")
            return None
        if not isinstance(value, dict):
            self.problem(_line_of(parent, key), f"{where}: expected a mapping (key: value), got {_kind(value)}")
            return None
        return value

    def sequence(self, parent: dict, key: str, where: str, required: bool = True) -> list:
        if key not in parent or parent[key] is None:
            if required:
                self.problem(_line_of(parent), f"{where}: missing required key {key!r}; expected a list")
            return []
        value = parent[key]
        if not isinstance(value, list):
            self.problem(_line_of(parent, key), f"{where}.{key}: expected a list, got {_kind(value)}")
            return []
        if required and not value:
            self.problem(_line_of(parent, key), f"{where}.{key}: is empty; expected at least one entry")
        return value

    def text(self, parent: dict, key: str, where: str, required: bool = True, default: str = "") -> str:
        if key not in parent or parent[key] is None:
            if required:
                self.problem(_line_of(parent), f"{where}: missing required key {key!r}; expected text")
            return default
        value = parent[key]
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.problem(_line_of(parent, key), f"{where}.{key}: expected text, got {_kind(value)}")
            return default
        return self.plain(str(value), _line_of(parent, key), f"{where}.{key}")

    def plain(self, value: str, line: int, where: str) -> str:
        """Text a terminal can show as it is: a playbook's names, steps and templates reach every screen.

        The value is kept even when refused, so that nothing which names it cascades into more problems."""
        control = control_in(value)
        if control is not None:
            self.problem(line, f"{where}: holds the control character {control}; expected plain text")
        return value

    def texts(self, parent: dict, key: str, where: str, required: bool = True) -> tuple[str, ...]:
        items = self.sequence(parent, key, where, required)
        result = []
        for index, item in enumerate(items):
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                self.problem(_line_of(items, index), f"{where}.{key}[{index + 1}]: expected text, got {_kind(item)}")
            else:
                result.append(self.plain(str(item), _line_of(items, index), f"{where}.{key}[{index + 1}]"))
        return tuple(result)

    def duration(self, parent: dict, key: str, where: str, required: bool = True) -> timedelta | None:
        if key not in parent or parent[key] is None:
            if required:
                self.problem(_line_of(parent), f"{where}: missing required key {key!r}; expected a duration like 15m")
            return None
        value = parent[key]
        if value == 0 or (isinstance(value, str) and value.strip().lower() == "immediate"):
            return timedelta(0)
        if isinstance(value, str) and is_duration(value):
            try:
                parsed = parse_duration(value)
            except WarroomError:
                parsed = None
            # Deadlines are added to real dates: a span past a year is a typo, and past ~8000 years a crash.
            if parsed is not None and parsed <= MAX_DURATION:
                return parsed
            self.problem(_line_of(parent, key), f"{where}.{key}: {value!r} is too long; expected at most 365d")
            return None
        self.problem(
            _line_of(parent, key),
            f"{where}.{key}: {value!r} is not a duration; expected a number with a unit like 90s, 15m, 1h30m, or immediate",
        )
        return None

    def window(self, parent: dict, where: str) -> Window | None:
        spec = self.mapping(parent, "window", f"{where}.window")
        if spec is None:
            return None
        start = self.duration(spec, "start", f"{where}.window")
        end = self.duration(spec, "end", f"{where}.window", required=False)
        if start is None:
            return None
        if end is not None and end <= start:
            self.problem(
                _line_of(spec, "end"),
                f"{where}.window: ends ({format_window(end, None)[:-1]}) before it starts "
                f"({format_window(start, None)[:-1]}); expected an end after the start",
            )
            return None
        return Window(start, end)

    def ident(self, entry: dict, where: str, seen: dict[str, int]) -> str | None:
        ident = self.text(entry, "id", where)
        if not ident:
            return None
        line = _line_of(entry, "id")
        if ident in seen:
            self.problem(line, f"{where}: duplicate id {ident!r} (first on line {seen[ident]}); expected unique ids")
            return None
        seen[ident] = line
        return ident

    def entries(self, document: dict, key: str, required: bool = True) -> Iterable[tuple[str, dict, dict[str, int]]]:
        """Each entry of a top-level list that is a mapping, with a name for messages."""
        seen: dict[str, int] = {}
        items = self.sequence(document, key, "playbook", required)
        for index, entry in enumerate(items):
            where = f"{key}[{index + 1}]"
            if not isinstance(entry, dict):
                self.problem(_line_of(items, index), f"{where}: expected a mapping with an id, got {_kind(entry)}")
                continue
            yield where, entry, seen


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return f"{value!r}"


def _placeholders(text: str) -> tuple[list[str], str | None]:
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as error:
        return [], str(error)
    return fields, None


def _validate(document: Any, source: str, problems: list[str]) -> Playbook:
    check = _Checker(source, problems)
    if not isinstance(document, dict):
        check.problem(getattr(document, "line", 1), f"the playbook must be a mapping of sections, got {_kind(document)}")
        raise PlaybookError(problems)

    name = check.text(document, "name", "playbook", required=False, default="Playbook")
    status_page = check.text(document, "status_page", "playbook", required=False)

    severities = []
    severity_ids: set[str] = set()
    for where, entry, seen in check.entries(document, "severities"):
        ident = check.ident(entry, where, seen)
        severity_ids.update(seen)
        label = check.text(entry, "name", where, required=False, default=ident or "")
        target = check.duration(entry, "response_target", where)
        cadence = check.duration(entry, "update_every", where)
        criteria = check.texts(entry, "criteria", where, required=False)
        if cadence is not None and cadence.total_seconds() <= 0:
            check.problem(_line_of(entry, "update_every"), f"{where}.update_every: expected a duration above zero")
        if ident and target is not None and cadence is not None:
            severities.append(Severity(ident, label, target, cadence, criteria))

    phases = []
    for where, entry, seen in check.entries(document, "phases"):
        ident = check.ident(entry, where, seen)
        label = check.text(entry, "name", where, required=False, default=ident or "")
        window = check.window(entry, where)
        steps = check.texts(entry, "steps", where, required=False)
        if ident and window:
            phases.append(Phase(ident, label, window, steps))

    contacts = []
    for where, entry, seen in check.entries(document, "contacts", required=False):
        ident = check.ident(entry, where, seen)
        label = check.text(entry, "name", where, required=False, default=ident or "")
        phone = check.text(entry, "phone", where)
        if ident and phone:
            contacts.append(Contact(ident, label, phone))
    contact_by_id = {c.id: c for c in contacts}

    ladder = []
    for where, entry, seen in check.entries(document, "ladder", required=False):
        ident = check.ident(entry, where, seen)
        label = check.text(entry, "name", where, required=False, default=ident or "")
        window = check.window(entry, where)
        reaches = check.texts(entry, "severities", where, required=False) or tuple(s.id for s in severities)
        for severity_id in reaches:
            if severity_id not in severity_ids and "severities" in entry:
                check.problem(
                    _line_of(entry, "severities"),
                    f"{where}.severities: unknown severity {severity_id!r}; expected one of {', '.join(sorted(severity_ids))}",
                )
        wanted = check.texts(entry, "contacts", where, required=False)
        for contact_id in wanted:
            if contact_id not in contact_by_id:
                known = ", ".join(contact_by_id) or "none are defined under contacts"
                check.problem(_line_of(entry, "contacts"), f"{where}.contacts: unknown contact {contact_id!r}; expected one of {known}")
        if ident and window:
            ladder.append(
                Rung(ident, label, window, reaches, tuple(contact_by_id[c] for c in wanted if c in contact_by_id))
            )

    templates = []
    for where, entry, seen in check.entries(document, "templates", required=False):
        ident = check.ident(entry, where, seen)
        label = check.text(entry, "name", where, required=False, default=ident or "")
        text = check.text(entry, "text", where)
        fields, error = _placeholders(text)
        line = _line_of(entry, "text")
        if error:
            check.problem(line, f"{where}.text: broken placeholder ({error}); write {{name}}, and {{{{ for a brace")
        for field_name in fields:
            if field_name not in PLACEHOLDERS:
                check.problem(
                    line,
                    f"{where}.text: placeholder {{{field_name}}} cannot be filled; expected one of "
                    + ", ".join("{" + p + "}" for p in PLACEHOLDERS),
                )
        if ident and text and not error:
            templates.append(Template(ident, label, text, tuple(dict.fromkeys(fields))))

    status_details: list[tuple[str, str]] = []
    details = check.mapping(document, "status_details", "status_details", required=False) or {}
    for status, sentence in details.items():
        if status not in STATUSES:
            check.problem(_line_of(details, status), f"status_details: unknown status {status!r}; expected {', '.join(STATUSES)}")
        elif not isinstance(sentence, str):
            check.problem(_line_of(details, status), f"status_details.{status}: expected text, got {_kind(sentence)}")
        else:
            status_details.append((status, check.plain(sentence, _line_of(details, status), f"status_details.{status}")))

    runbooks = []
    for where, entry, seen in check.entries(document, "runbooks", required=False):
        ident = check.ident(entry, where, seen)
        label = check.text(entry, "name", where, required=False, default=ident or "")
        steps = check.texts(entry, "steps", where)
        if ident:
            runbooks.append(Runbook(ident, label, steps))

    known = {"name", "status_page", "severities", "phases", "contacts", "ladder", "templates", "status_details", "runbooks"}
    for key in document:
        if key not in known:
            check.problem(_line_of(document, key), f"unknown section {key!r}; expected one of {', '.join(sorted(known))}")

    if problems:
        raise PlaybookError(problems)
    return Playbook(
        name=name,
        status_page=status_page,
        severities=tuple(severities),
        phases=tuple(phases),
        contacts=tuple(contacts),
        ladder=tuple(ladder),
        templates=tuple(templates),
        status_details=tuple(status_details),
        runbooks=tuple(runbooks),
        data=_plain(document),
    )


def _plain(value: Any) -> Any:
    """The document without line bookkeeping: plain dicts, lists and scalars (JSON-ready)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
