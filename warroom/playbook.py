"""The playbook: load a YAML playbook safely, check it strictly line by line, and hold it as frozen dataclasses."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Sequence, TypeVar

from warroom.clock import format_span, format_window, is_duration, parse_duration
from warroom.errors import WarroomError, quoted
from warroom.spelling import closest
from warroom.review import FILLS, ReviewSection
from warroom.text import control_in

# What a template may ask for, and what fills it (warroom.comms renders them).
PLACEHOLDERS: dict[str, str] = {
    "incident": "the incident id",
    "title": "the incident's title, its brief description",
    "severity": "the severity's id, as the playbook writes it",
    "severity_name": "the severity's name",
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

# Safe loading. A declared incident stores its playbook in its log, so a playbook is read whole and kept:
# a file past MAX_BYTES is refused unread, and YAML aliases (*name) may repeat at most MAX_ALIAS_VALUES
# values in all (an "alias bomb" of nine levels would otherwise expand to billions).
MAX_BYTES = 1_000_000
MAX_ALIAS_VALUES = 10_000
MAX_DEPTH = 64  # nesting: a playbook needs five levels
MAX_PROBLEMS = 50  # shown at once; past that, fixing the first ones is the next step

# Ids name entries in commands and in the log, and the console builds widget ids from them (as
# `tab-ID`): Textual's identifier characters, a letter or _ first.
ID_RULE = "ASCII letters, digits, - and _, starting with a letter or _, at most 64 characters"
_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}\Z")
_NUMBER = re.compile(r"[0-9]{1,9}\Z")  # ASCII digits, few enough for int()

# The keys each part of a playbook may hold; any other key is refused (a typo would silently do nothing).
_KEYS: dict[str, tuple[str, ...]] = {
    "playbook": ("name", "status_page", "default_severity", "severities", "phases", "contacts", "ladder", "templates",
                 "status_details", "runbooks", "review", "routes"),
    "severities": ("id", "name", "response_target", "update_every", "criteria"),
    "phases": ("id", "name", "window", "steps"),
    "window": ("start", "end"),
    "contacts": ("id", "name", "phone"),
    "ladder": ("id", "name", "window", "severities", "contacts"),
    "templates": ("id", "name", "text", "audience"),
    "runbooks": ("id", "name", "steps"),
    "review": ("title", "fill", "prompt", "level"),
    "routes": ("id", "match", "runbook", "declare"),
}
# A label name a route matches on (Prometheus's rule, which Grafana follows).
_LABEL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Who a template's message is for: `customers` marks the first external update in the review's metrics.
AUDIENCES = ("team", "customers")


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
        return "Immediate" if not self.response_target else format_span(self.response_target)


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
    audience: str = "team"  # one of AUDIENCES: the responders, or customers


@dataclass(frozen=True)
class Runbook:
    id: str
    name: str
    steps: tuple[str, ...]


@dataclass(frozen=True)
class Route:
    """Where `warroom receive` sends an alert whose labels hold every `match` pair (warroom.alerts routes)."""

    id: str
    match: tuple[tuple[str, str], ...]
    runbook: str = ""  # the open incident with this runbook attached; empty: any open incident
    declare: str = ""  # a severity id: with no open incident to take it, a firing alert declares one at it

    def matches(self, labels: dict[str, str]) -> bool:
        return all(labels.get(name) == value for name, value in self.match)


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
    # The id of the severity a new declaration starts on: `default_severity:`, else the first listed.
    default_severity: str = ""
    # The postmortem's outline (`review:`); empty: the bundled one (warroom.review.BUNDLED_REVIEW).
    review: tuple[ReviewSection, ...] = ()
    # Where received alerts go (`routes:`), tried in order; empty: the only open incident.
    routes: tuple[Route, ...] = ()

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
                f"  default:    {self.default_severity} (the severity a new declaration starts on)",
                f"  phases:     {len(self.phases)} with {steps} steps: "
                + ", ".join(f"{p.name} ({p.window})" for p in self.phases),
                "  ladder:     " + ", ".join(f"{r.name} ({r.window})" for r in self.ladder),
                "  templates:  " + ", ".join(t.name for t in self.templates),
                "  runbooks:   " + ", ".join(r.name for r in self.runbooks),
            ]
            + (["  routes:     " + ", ".join(r.id for r in self.routes)] if self.routes else [])
        )


def _find(items: Iterable[Any], item_id: str, what: str) -> Any:
    """By exact id: what the log stores (a person's reference goes through `lookup`)."""
    for item in items:
        if item.id == item_id:
            return item
    known = ", ".join(item.id for item in items)
    raise WarroomError(f"unknown {what} {quoted(item_id)}: expected one of {known}")


# --- finding an entry by what a person typed -------------------------------------------------------

Entry = TypeVar("Entry", Severity, Phase, Contact, Rung, Template, Runbook)


class NotFound(WarroomError):
    """A reference that names no entry of its kind."""


class Ambiguous(WarroomError):
    """A reference whose words fit several entries; `candidates` are they."""

    def __init__(self, message: str, candidates: Sequence[Any]) -> None:
        super().__init__(message)
        self.candidates = tuple(candidates)


def lookup(items: Sequence[Entry], reference: str, what: str, *, positions: bool = True, words: bool = True) -> Entry:
    """The entry a person means, tried in this order, the first that fits winning:

    1. its id exactly (`SEV-1`); 2. its id whatever the case (`sev-1`; ids are unique that way);
    3. its position, 1-based, for a number (`2`; an id wins over a position, so a log's old `2` still reads as
    the id); 4. its name whole, whatever the case; 5. words that all occur in its name (`exec`).
    Raises NotFound, or Ambiguous naming the candidates when words fit more than one."""
    ref = reference.strip()
    for item in items:
        if item.id == ref:
            return item
    folded = [item for item in items if item.id.lower() == ref.lower()]
    if len(folded) > 1:  # only a log's playbook from before ids were unique whatever their case
        raise Ambiguous(f"{quoted(ref)} matches {len(folded)} {what} ids ({', '.join(i.id for i in folded)}): give it exactly", folded)
    if folded:
        return folded[0]
    if positions and _NUMBER.match(ref) and 1 <= int(ref) <= len(items):
        return items[int(ref) - 1]
    typed = ref.lower().split()
    if words and typed:
        whole = [item for item in items if item.name.lower().split() == typed]
        if len(whole) == 1:
            return whole[0]
        found = [item for item in items if all(word in item.name.lower() for word in typed)]
        if len(found) == 1:
            return found[0]
        if found:
            listed = ", ".join(f"{item.id} ({item.name})" for item in found)
            raise Ambiguous(f"{quoted(ref)} matches {len(found)} {what}s: {listed}; give its id", found)
    raise NotFound(f"unknown {what} {quoted(ref)}: expected one of {', '.join(item.id for item in items)}")


# --- reading a file -----------------------------------------------------------------------------------


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
        with path.open("rb") as file:
            raw = file.read(MAX_BYTES + 1)  # no more: a device or a huge file is refused, not read whole
    except FileNotFoundError:
        raise PlaybookError([f"{source}: no such file: expected a YAML playbook"]) from None
    except IsADirectoryError:
        raise PlaybookError([f"{source}: is a folder: expected a YAML playbook file"]) from None
    except OSError as error:
        raise PlaybookError([f"{source}: cannot read it ({error.strerror})"]) from None
    if len(raw) > MAX_BYTES:
        raise PlaybookError([f"{source}: is larger than 1 MB: a playbook may hold at most {MAX_BYTES:,} bytes"])
    if b"\x00" in raw:
        raise PlaybookError([f"{source}:1: not a text file: expected a YAML playbook"])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise PlaybookError([f"{source}:{line}: not UTF-8 text: expected a YAML playbook"]) from None
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise PlaybookError([f"{source}:1: the file is empty: expected a YAML playbook with severities and phases"])
    document, problems = _read_yaml(text, source)
    return _validate(document, source, problems, strict=True)


def playbook_from_data(data: Any, source: str) -> Playbook:
    """Rebuild a playbook from the plain data an incident's log carries.

    Checked as it was when the incident was declared: the rules added since (no unknown keys, the id
    characters, ids unique whatever their case) are not applied, so that an older log still opens."""
    return _validate(data, source, [], strict=False)


# --- YAML with line numbers ---------------------------------------------------------------------


class _Map(dict):
    """A mapping that remembers the line of itself and of each key."""

    line: int = 0
    lines: dict[str, int]


class _Seq(list):
    """A sequence that remembers the line of itself and of each item."""

    line: int = 0
    lines: list[int]


_TAG = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP, _MERGE = _TAG + "str", _TAG + "seq", _TAG + "map", _TAG + "merge"


def _read_yaml(text: str, source: str) -> tuple[Any, list[tuple[int, str]]]:
    """The document as `_Map`, `_Seq` and scalars, and the problems noted while reading it (duplicate keys).

    libyaml composes the nodes (fast: a megabyte in about a fifth of a second); the aliases are counted on
    the nodes, where each is one shared node, before anything is built from them."""
    import yaml  # here, not at the top: the console and `warroom log` read playbooks from the log, as JSON

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise PlaybookError([f"{source}:1: the file is empty: expected a YAML playbook with severities and phases"])
        _check_size(root, source)
        builder = _Builder(loader)
        return builder.build(root), builder.problems
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        problem = _clip(_syntax_problem(error.problem or error.context or "unreadable YAML", mark, text))
        raise PlaybookError([f"{source}:{line}: YAML syntax error: {problem}"]) from None
    except yaml.YAMLError as error:
        raise PlaybookError([f"{source}:1: YAML syntax error: {_clip(str(error))}"]) from None
    finally:
        loader.dispose()


def _syntax_problem(problem: str, mark: Any, text: str) -> str:
    """libyaml's words, with the character it found where it says only 'character'."""
    if mark is None or "found character that" not in problem:
        return problem
    try:
        found = text.splitlines()[mark.line][mark.column]
    except IndexError:
        return problem
    problem = problem.replace("found character that", f"found character {found!r} that")
    return problem + (" (indent with spaces, not tabs)" if found == "\t" else "")


class _Refused(Exception):
    def __init__(self, node: Any, message: str) -> None:
        self.node, self.message = node, message


def _check_size(root: Any, source: str) -> None:
    """Refuse aliases that would repeat more than MAX_ALIAS_VALUES values, or loop, and nesting past MAX_DEPTH.

    An alias is the very node it names, so the document's expanded size is counted once per node."""
    from yaml import MappingNode, ScalarNode

    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: Any, depth: int) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        if isinstance(node, ScalarNode):
            total = 1
        else:
            if id(node) in open_nodes:
                raise _Refused(node, "an alias (*name) refers to the very value that holds it; expected aliases to finished values")
            if depth >= MAX_DEPTH:
                raise _Refused(node, f"nested more than {MAX_DEPTH} levels deep; expected a playbook's few levels")
            open_nodes.add(id(node))
            children = [part for pair in node.value for part in pair] if isinstance(node, MappingNode) else node.value
            total = 1 + sum(size(child, depth + 1) for child in children)
            open_nodes.discard(id(node))
        sizes[id(node)] = total
        return total

    try:
        expanded = size(root, 0)
    except _Refused as refused:
        raise PlaybookError([f"{source}:{refused.node.start_mark.line + 1}: {refused.message}"]) from None
    if expanded - len(sizes) <= MAX_ALIAS_VALUES:
        return
    line = root.start_mark.line + 1
    if isinstance(root, MappingNode) and root.value:  # the section that holds most of it
        key, _ = max(root.value, key=lambda pair: sizes[id(pair[1])])
        line = key.start_mark.line + 1
    raise PlaybookError([
        f"{source}:{line}: aliases (*name) here would repeat over {MAX_ALIAS_VALUES:,} values; "
        f"expected a playbook whose aliases repeat at most {MAX_ALIAS_VALUES:,} in all"
    ])


class _Builder:
    """Plain values from the nodes: `_Map` and `_Seq` with their lines, strings as written, other scalars
    (numbers, yes/no, dates) as YAML reads them; duplicate keys noted as problems."""

    def __init__(self, loader: Any) -> None:
        from yaml import MappingNode, SequenceNode

        self.loader = loader
        self.problems: list[tuple[int, str]] = []
        self.nodes = (MappingNode, SequenceNode)

    def build(self, node: Any) -> Any:
        MappingNode, SequenceNode = self.nodes
        if node.tag == _STR:
            return node.value
        if node.tag == _SEQ and isinstance(node, SequenceNode):
            seq = _Seq(self.build(child) for child in node.value)
            seq.line = node.start_mark.line + 1
            seq.lines = [child.start_mark.line + 1 for child in node.value]
            return seq
        if node.tag == _MAP and isinstance(node, MappingNode):
            return self.mapping(node)
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError):  # a date that does not exist (2026-02-30): the text as written
            return node.value if isinstance(node.value, str) else str(node.value)

    def mapping(self, node: Any) -> _Map:
        if any(key.tag == _MERGE for key, _ in node.value):
            self.loader.flatten_mapping(node)
        result = _Map()
        result.line = node.start_mark.line + 1
        result.lines = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            key = self.build(key_node)
            if not isinstance(key, (str, int, float, bool)):
                self.problems.append((line, "a key must be a plain word"))
                continue
            key = str(key)
            if key in result:
                self.problems.append((line, f"duplicate key {quoted(key)} (first on line {result.lines[key]})"))
            result[key] = self.build(value_node)
            result.lines[key] = line
        return result


# --- validation ---------------------------------------------------------------------------------


def _line_of(container: Any, key: str | int | None = None) -> int:
    if isinstance(container, _Map) and isinstance(key, str) and key in container.lines:
        return container.lines[key]
    if isinstance(container, _Seq) and isinstance(key, int) and key < len(container.lines):
        return container.lines[key]
    return getattr(container, "line", 0)


def _clip(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _key(key: str) -> str:
    return f"`{key}`" if len(key) <= 40 and key.isprintable() else quoted(key)


class _Checker:
    """Collects problems while the playbook is read, so that all of them are reported at once."""

    def __init__(self, source: str, problems: list[tuple[int, str]], strict: bool) -> None:
        self.source = source
        self.problems = problems
        self.strict = strict
        # Per mapping, the known keys its unknown keys look like: a typo is the one problem, and the
        # key it meant is then not also "missing".
        self.meant: dict[int, set[str]] = {}

    def problem(self, line: int, message: str) -> None:
        self.problems.append((line, message))

    def missing(self, parent: Any, key: str) -> bool:
        """Whether `key` is absent, said once: not when a typo of it is there (that line says it)."""
        return key in self.meant.get(id(parent), ())

    def keys(self, entry: dict, kind: str, where: str) -> None:
        """An unknown key at any level is a problem, with the key it was likely meant to be."""
        if not self.strict:
            return
        known = _KEYS[kind]
        for key in entry:
            if key in known:
                continue
            meant = closest(key, [k for k in known if k not in entry])
            prefix = f"{where}: unknown key" if where != "playbook" else "unknown section"
            if meant is not None:
                self.meant.setdefault(id(entry), set()).add(meant)
                self.problem(_line_of(entry, key), f"{prefix} {_key(key)}: did you mean `{meant}`?")
            else:
                self.problem(_line_of(entry, key), f"{prefix} {_key(key)}; expected one of {', '.join(sorted(known))}")

    def mapping(self, parent: Any, key: str | int, where: str, required: bool = True) -> dict | None:
        value = parent.get(key) if isinstance(parent, dict) else parent[key]
        if value is None:
            if required and not self.missing(parent, str(key)):
                self.problem(_line_of(parent, key), f"{where}: missing; expected a mapping")
            return None
        if not isinstance(value, dict):
            self.problem(_line_of(parent, key), f"{where}: expected a mapping (key: value), got {_kind(value)}")
            return None
        return value

    def sequence(self, parent: dict, key: str, where: str, required: bool = True) -> list | None:
        """The list under `key`: None when it is absent or not a list, so that nothing refers into it."""
        if key not in parent or parent[key] is None:
            if required and not self.missing(parent, key):
                self.problem(_line_of(parent), f"{where}: missing required key {key!r}; expected a list")
            return None
        value = parent[key]
        if not isinstance(value, list):
            self.problem(_line_of(parent, key), f"{where}.{key}: expected a list, got {_kind(value)}")
            return None
        if required and not value:
            self.problem(_line_of(parent, key), f"{where}.{key}: is empty; expected at least one entry")
        return value

    def text(self, parent: dict, key: str, where: str, required: bool = True, default: str = "") -> str:
        if key not in parent or parent[key] is None:
            if required and not self.missing(parent, key):
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

    def texts(self, parent: dict, key: str, where: str, required: bool = True) -> tuple[str, ...] | None:
        items = self.sequence(parent, key, where, required)
        if items is None:
            return None
        result = []
        for index, item in enumerate(items):
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                self.problem(_line_of(items, index), f"{where}.{key}[{index + 1}]: expected text, got {_kind(item)}")
            else:
                result.append(self.plain(str(item), _line_of(items, index), f"{where}.{key}[{index + 1}]"))
        return tuple(result)

    def duration(self, parent: dict, key: str, where: str, required: bool = True) -> timedelta | None:
        if key not in parent or parent[key] is None:
            if required and not self.missing(parent, key):
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
            self.problem(_line_of(parent, key), f"{where}.{key}: {quoted(value)} is too long; expected at most 365d")
            return None
        self.problem(
            _line_of(parent, key),
            f"{where}.{key}: {_kind(value)} is not a duration; expected a number with a unit like 90s, 15m, 1h30m, 3d, or immediate",
        )
        return None

    def window(self, parent: dict, where: str) -> Window | None:
        spec = self.mapping(parent, "window", f"{where}.window")
        if spec is None:
            return None
        self.keys(spec, "window", f"{where}.window")
        start = self.duration(spec, "start", f"{where}.window")
        end = self.duration(spec, "end", f"{where}.window", required=False)
        if start is None:
            return None
        if end is not None and end <= start:
            self.problem(
                _line_of(spec, "end"),
                f"{where}.window: ends ({format_span(end)}) before it starts "
                f"({format_span(start)}); expected an end after the start",
            )
            return None
        return Window(start, end)

    def ident(self, entry: dict, where: str, seen: dict[str, tuple[str, int]], named: set[str]) -> str | None:
        """The entry's id if it is a good one; whatever it is, it counts as named (a reference to it is no
        second problem)."""
        ident = self.text(entry, "id", where)
        if not ident:
            return None
        named.add(ident)
        line = _line_of(entry, "id")
        if self.strict and not _ID.match(ident):
            self.problem(line, f"{where}.id: {quoted(ident)} is not an id ({_why_not_an_id(ident)}); expected {ID_RULE}")
            return None
        fold = ident if not self.strict else ident.lower()
        if fold in seen:
            first, first_line = seen[fold]
            if first == ident:
                self.problem(line, f"{where}: duplicate id {quoted(ident)} (first on line {first_line}); expected unique ids")
            else:
                self.problem(
                    line,
                    f"{where}: id {quoted(ident)} differs only by case from {quoted(first)} (line {first_line}); "
                    "expected ids unique whatever their case",
                )
            return None
        seen[fold] = (ident, line)
        return ident

    def entries(self, document: dict, key: str, required: bool = True) -> Iterable[tuple[str, dict]]:
        """Each entry of a top-level list that is a mapping, with a name for messages (its unknown keys checked)."""
        for index, entry in enumerate(self.sequence(document, key, "playbook", required) or ()):
            where = f"{key}[{index + 1}]"
            if not isinstance(entry, dict):
                self.problem(_line_of(document[key], index), f"{where}: expected a mapping with an id, got {_kind(entry)}")
                continue
            self.keys(entry, key, where)
            yield where, entry

    def reference(self, line: int, where: str, what: str, name: str, named: set[str], known: Sequence[str]) -> None:
        """A name that must be one of a section's ids: said once, with the id it was likely meant to be."""
        if name in named:
            return
        meant = _meant_id(name, known)
        if meant is not None:
            self.problem(line, f"{where}: unknown {what} {quoted(name)}: did you mean `{meant}`?")
        else:
            self.problem(line, f"{where}: unknown {what} {quoted(name)}; expected one of {', '.join(known)}")


def _meant_id(name: str, known: Sequence[str]) -> str | None:
    """The id a reference was likely meant to be: the same but for case, or a slip in a longer id that
    leaves its numbers alone (SEV-6 is no typo of SEV-1, nor X9 of X0)."""
    same = [ident for ident in known if ident.lower() == name.lower()]
    if same:
        return same[0]
    meant = closest(name, known) if len(name) > 5 else None
    if meant is not None and re.sub(r"\D", "", meant) != re.sub(r"\D", "", name):
        return None
    return meant


def _why_not_an_id(ident: str) -> str:
    if len(ident) > 64:
        return f"{len(ident)} characters"
    if not re.match(r"[A-Za-z_]", ident):
        return f"it starts with {quoted(ident[0])}"
    bad = next(ch for ch in ident if not re.match(r"[A-Za-z0-9_-]", ch))
    return "it holds a space" if bad == " " else f"it holds {quoted(bad)}"


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no)"
    if isinstance(value, (int, float)):
        return f"the number {quoted(value, 30)}"
    return quoted(value)


def _placeholders(text: str) -> tuple[list[str], str | None]:
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as error:
        return [], str(error)
    return fields, None


def _validate(document: Any, source: str, loaded: list[tuple[int, str]], strict: bool) -> Playbook:
    problems = list(loaded)
    check = _Checker(source, problems, strict)
    if not isinstance(document, dict):
        check.problem(getattr(document, "line", 1), f"the playbook must be a mapping of sections, got {_kind(document)}")
        raise _error(source, problems)
    check.keys(document, "playbook", "playbook")

    name = check.text(document, "name", "playbook", required=False, default="Playbook")
    status_page = check.text(document, "status_page", "playbook", required=False)

    severities = []
    severity_ids: set[str] = set()  # every id given, good or not: a reference to a refused one is no second problem
    seen: dict[str, tuple[str, int]] = {}
    for where, entry in check.entries(document, "severities"):
        ident = check.ident(entry, where, seen, severity_ids)
        label = check.text(entry, "name", where, required=False, default=ident or "")
        target = check.duration(entry, "response_target", where)
        cadence = check.duration(entry, "update_every", where)
        criteria = check.texts(entry, "criteria", where, required=False) or ()
        if cadence is not None and cadence.total_seconds() <= 0:
            check.problem(_line_of(entry, "update_every"), f"{where}.update_every: expected a duration above zero")
        if ident and target is not None and cadence is not None:
            severities.append(Severity(ident, label, target, cadence, criteria))
    # No severities to name (the section missing, misspelt or empty): that is the one problem, and what
    # names a severity is not checked against nothing.
    severities_given = bool(severity_ids)
    listed_severities = sorted(severity_ids)

    default_severity = severities[0].id if severities else ""
    if document.get("default_severity") is not None:
        wanted = check.text(document, "default_severity", "playbook")
        if severities_given and wanted:
            line = _line_of(document, "default_severity")
            check.reference(line, "default_severity", "severity", wanted, severity_ids, listed_severities)
            default_severity = wanted if wanted in severity_ids else default_severity

    phases = []
    phase_ids: set[str] = set()
    seen = {}
    for where, entry in check.entries(document, "phases"):
        ident = check.ident(entry, where, seen, phase_ids)
        label = check.text(entry, "name", where, required=False, default=ident or "")
        window = check.window(entry, where)
        steps = check.texts(entry, "steps", where, required=False) or ()
        if ident and window:
            phases.append(Phase(ident, label, window, steps))

    contacts = []
    contact_ids: set[str] = set()
    seen = {}
    for where, entry in check.entries(document, "contacts", required=False):
        ident = check.ident(entry, where, seen, contact_ids)
        label = check.text(entry, "name", where, required=False, default=ident or "")
        phone = check.text(entry, "phone", where)
        if ident and phone:
            contacts.append(Contact(ident, label, phone))
    contact_by_id = {c.id: c for c in contacts}
    # A misspelt contacts section is its own line; the rungs that name contacts are then not checked.
    contacts_misspelt = check.missing(document, "contacts")
    no_contacts_said = False

    ladder = []
    rung_ids: set[str] = set()
    seen = {}
    for where, entry in check.entries(document, "ladder", required=False):
        ident = check.ident(entry, where, seen, rung_ids)
        label = check.text(entry, "name", where, required=False, default=ident or "")
        window = check.window(entry, where)
        reaches = check.texts(entry, "severities", where, required=False) or tuple(s.id for s in severities)
        if severities_given and "severities" in entry:
            for severity_id in reaches:
                check.reference(_line_of(entry, "severities"), f"{where}.severities", "severity", severity_id,
                                severity_ids, listed_severities)
        wanted = check.texts(entry, "contacts", where, required=False) or ()
        if wanted and not contact_ids and not contacts_misspelt:
            if not no_contacts_said:
                check.problem(_line_of(entry, "contacts"), f"{where}.contacts: names contacts, but the playbook has no contacts section")
                no_contacts_said = True
        elif wanted and not contacts_misspelt:
            for contact_id in wanted:
                check.reference(_line_of(entry, "contacts"), f"{where}.contacts", "contact", contact_id, contact_ids,
                                list(contact_by_id) or sorted(contact_ids))
        if ident and window:
            ladder.append(
                Rung(ident, label, window, reaches, tuple(contact_by_id[c] for c in wanted if c in contact_by_id))
            )

    templates = []
    template_ids: set[str] = set()
    seen = {}
    for where, entry in check.entries(document, "templates", required=False):
        ident = check.ident(entry, where, seen, template_ids)
        label = check.text(entry, "name", where, required=False, default=ident or "")
        text = check.text(entry, "text", where)
        fields, error = _placeholders(text)
        line = _line_of(entry, "text")
        if error:
            check.problem(line, f"{where}.text: broken placeholder ({error}); write {{name}}, and {{{{ for a brace")
        for field_name in dict.fromkeys(fields):
            if field_name not in PLACEHOLDERS:
                meant = closest(field_name, PLACEHOLDERS)
                if meant is not None:
                    check.problem(line, f"{where}.text: placeholder {{{_clip(field_name, 40)}}} cannot be filled: did you mean {{{meant}}}?")
                else:
                    check.problem(
                        line,
                        f"{where}.text: placeholder {{{_clip(field_name, 40)}}} cannot be filled; expected one of "
                        + ", ".join("{" + p + "}" for p in PLACEHOLDERS),
                    )
        audience = check.text(entry, "audience", where, required=False, default="team")
        if audience not in AUDIENCES:
            check.problem(_line_of(entry, "audience"), f"{where}.audience: {quoted(_clip(audience, 40))}: expected "
                          + " or ".join(AUDIENCES))
        if ident and text and not error:
            templates.append(Template(ident, label, text, tuple(dict.fromkeys(fields)), audience))

    status_details: list[tuple[str, str]] = []
    details = check.mapping(document, "status_details", "status_details", required=False) or {}
    for status, sentence in details.items():
        if status not in STATUSES:
            meant = closest(status, STATUSES)
            expected = f": did you mean `{meant}`?" if meant else f"; expected {', '.join(STATUSES)}"
            check.problem(_line_of(details, status), f"status_details: unknown status {quoted(status)}{expected}")
        elif not isinstance(sentence, str):
            check.problem(_line_of(details, status), f"status_details.{status}: expected text, got {_kind(sentence)}")
        else:
            status_details.append((status, check.plain(sentence, _line_of(details, status), f"status_details.{status}")))

    runbooks = []
    runbook_ids: set[str] = set()
    seen = {}
    for where, entry in check.entries(document, "runbooks", required=False):
        ident = check.ident(entry, where, seen, runbook_ids)
        label = check.text(entry, "name", where, required=False, default=ident or "")
        steps = check.texts(entry, "steps", where) or ()
        if ident:
            runbooks.append(Runbook(ident, label, steps))

    review = []
    for where, entry in check.entries(document, "review", required=False):
        title = check.text(entry, "title", where)
        fill = check.text(entry, "fill", where, required=False) or None
        prompt = check.text(entry, "prompt", where, required=False)
        level = entry.get("level", 2)
        if fill is not None and fill not in FILLS:
            meant = closest(fill, FILLS)
            hint = f": did you mean `{meant}`?" if meant else f"; expected one of {', '.join(FILLS)}"
            check.problem(_line_of(entry, "fill"), f"{where}.fill: warroom cannot fill {quoted(_clip(fill, 40))}{hint}")
        if level not in (2, 3) or isinstance(level, bool):
            check.problem(_line_of(entry, "level"), f"{where}.level: expected 2 (a section) or 3 (a part of the one before)")
        if title and not fill and not prompt and level == 3:
            check.problem(_line_of(entry), f"{where}: a part with neither fill nor prompt says nothing")
        if title:
            review.append(ReviewSection(title, fill, prompt, level if level in (2, 3) else 2))

    routes = []
    route_ids: set[str] = set()
    seen = {}
    for where, entry in check.entries(document, "routes", required=False):
        ident = check.ident(entry, where, seen, route_ids)
        match = check.mapping(entry, "match", f"{where}.match")
        pairs = []
        if match is not None and not match:
            check.problem(_line_of(entry, "match"), f"{where}.match: is empty; expected at least one label: value")
        for label, value in (match or {}).items():
            if not isinstance(label, str) or not _LABEL.match(label):
                check.problem(_line_of(match, label), f"{where}.match: {quoted(_clip(str(label), 40))} is not a label name; "
                              "expected letters, digits and _, not a digit first")
            elif isinstance(value, bool) or not isinstance(value, (str, int, float)):
                check.problem(_line_of(match, label), f"{where}.match.{label}: expected text, got {_kind(value)}")
            else:
                pairs.append((label, check.plain(str(value), _line_of(match, label), f"{where}.match.{label}")))
        runbook = check.text(entry, "runbook", where, required=False)
        if runbook:
            check.reference(_line_of(entry, "runbook"), f"{where}.runbook", "runbook", runbook, runbook_ids,
                            [r.id for r in runbooks] or sorted(runbook_ids))
        declare = check.text(entry, "declare", where, required=False)
        if declare and severities_given:
            check.reference(_line_of(entry, "declare"), f"{where}.declare", "severity", declare, severity_ids,
                            listed_severities)
        if ident and match:
            routes.append(Route(ident, tuple(pairs), runbook, declare))

    if problems:
        raise _error(source, problems)
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
        default_severity=default_severity,
        review=tuple(review),
        routes=tuple(routes),
    )


def _error(source: str, problems: list[tuple[int, str]]) -> PlaybookError:
    """The problems in the order of the file, each one short line; past MAX_PROBLEMS, a count of the rest."""
    ordered = sorted(problems, key=lambda problem: problem[0])
    lines = [f"{source}:{line}: {_clip(message)}" if line else f"{source}: {_clip(message)}" for line, message in ordered]
    if len(lines) > MAX_PROBLEMS:
        rest = len(lines) - MAX_PROBLEMS + 1
        lines = lines[: MAX_PROBLEMS - 1] + [f"{source}: and {rest:,} more problems; fix these and check again"]
    return PlaybookError(lines)


def _plain(value: Any) -> Any:
    """The document without line bookkeeping: plain dicts, lists and scalars (JSON-ready)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
