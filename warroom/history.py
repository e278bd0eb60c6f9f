"""Many logs read fast: whether each incident's log holds and its fold, from the store's caches plus what came since.

`list`, the browser, `stats`, `followups` and every reader of one log ask here. The store keeps two caches
beside the log (store._CACHES): the head up to which each chain was last checked (verified_heads) and each
incident's fold as of an event (summaries, written here). A reader checks and folds only the events after
them, so a year of history costs what its incidents cost, not its events. They are caches, not proofs:
whoever can edit the file can edit them too. The proof is a full `warroom verify` and a signed checkpoint.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields as dataclass_fields
from datetime import datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from warroom import __version__
from warroom import events as kinds
from warroom.errors import WarroomError
from warroom.events import Event
from warroom.incident import FollowUp, IncidentState, fold, happened_order, index_disagreement, state_of
from warroom.store import IncidentRow, Store

if TYPE_CHECKING:
    from warroom.playbook import Playbook

_FIELDS = tuple(f.name for f in dataclass_fields(IncidentState) if f.name != "playbook")
# A fold cached by another warroom (or another shape of the state) is not used: its fold may differ.
FOLD_STAMP = f"{__version__}:{','.join(_FIELDS)}"
_LAZY = "(read when wanted)"  # a cached fold's text not read yet (History._state_text)
_LISTED = ("status", "severity", "title", "started_at", "declared_at", "resolved_at")


def warning(problem: str, incident_id: str) -> str:
    """What every reader says, in one line, of a log that does not verify (it still shows what it can)."""
    return f"LOG DOES NOT VERIFY: {problem}; shown as it reads: `warroom verify {incident_id}` checks it"


# --- a state as text ---------------------------------------------------------------------------------


def _pack(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, tuple):
        return {"u": [_pack(item) for item in value]}
    if isinstance(value, FollowUp):
        return {"f": [_pack(getattr(value, f.name)) for f in dataclass_fields(FollowUp)]}
    if isinstance(value, Mapping):
        return {"m": [[_pack(key), _pack(item)] for key, item in value.items()]}
    if isinstance(value, list):
        return [_pack(item) for item in value]
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _unpacked(value: dict) -> Any:
    """json.loads' object_hook: each tagged object (inner ones first) back to what it was packed from."""
    if len(value) != 1:
        return value  # the state's fields
    if "t" in value:
        return _from_iso(value["t"])
    if "u" in value:
        return tuple(value["u"])
    if "m" in value:
        return dict(value["m"])
    if "f" in value:
        return FollowUp(*value["f"])
    raise ValueError(f"unknown tag {next(iter(value))!r}")


_from_iso = datetime.fromisoformat
_DECODER = json.JSONDecoder(object_hook=_unpacked)


def encode_state(state: IncidentState) -> str:
    """The fold as JSON, without its playbook (the declared event carries that; its digest is in the listing)."""
    return json.dumps({name: _pack(getattr(state, name)) for name in _FIELDS}, separators=(",", ":"))


def playbook_digest(text: str) -> str:
    """What a cached fold's listing says of the playbook it was folded with: the SHA-256 of the declared event's
    playbook, as SQLite's json_extract gives it (a reader checks one incident's text against it, then trusts it for
    the others with the same digest)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


_DEFAULTS = IncidentState()
# The type each field must have read back (None: a time or a pair, or nothing).
_TYPES = {
    name: None if getattr(_DEFAULTS, name) is None else dict if isinstance(getattr(_DEFAULTS, name), Mapping)
    else type(getattr(_DEFAULTS, name))
    for name in _FIELDS
}


def decode_state(text: str, playbook: Playbook | None) -> IncidentState:
    """A fold read back; ValueError when it is not one this warroom wrote (wrong fields or types)."""
    return as_state(read_state(text), playbook)


def read_state(text: str) -> dict[str, Any]:
    """A fold's fields read back and checked; ValueError when it is not one this warroom wrote (wrong fields or types)."""
    try:
        data = _DECODER.decode(text)
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        raise ValueError(f"not a cached state ({error})") from None
    if not isinstance(data, dict) or data.keys() != _TYPES.keys():
        raise ValueError("not a cached state (its fields differ)")
    for name, value in data.items():
        wanted = _TYPES[name]
        if wanted is None:
            if value is not None and type(value) not in (datetime, tuple):
                raise ValueError(f"not a cached state ({name})")
        elif type(value) is not wanted:
            raise ValueError(f"not a cached state ({name})")
    return data


def as_state(data: dict[str, Any], playbook: Playbook | None) -> IncidentState:
    """read_state's fields with their playbook, as a state."""
    data["playbook"] = playbook
    state = object.__new__(IncidentState)  # as the fold makes each state (incident._evolve): no __init__ per field
    object.__setattr__(state, "__dict__", data)
    return state


def listing_of(state: IncidentState) -> dict[str, Any]:
    """What the index (the incidents table) should say, as the fold says it."""
    listed: dict[str, Any] = {"stamp": FOLD_STAMP}
    for name in _LISTED:
        value = getattr(state, name)
        listed[name] = value.isoformat() if isinstance(value, datetime) else value
    listed["drill"] = bool(state.drill)  # not the index's: what `list` and the browser mark (History.drills)
    return listed


def _digest_of(listed: dict[str, Any]) -> str | None:
    digest = listed.get("playbook")  # its playbook's digest (playbook_digest), in folds cached since listings said it
    return digest if isinstance(digest, str) else None


def _as_state(listed: dict[str, Any]) -> SimpleNamespace:
    """A listing in the shape index_disagreement compares (times as times)."""
    values = {}
    for name in _LISTED:
        value = listed.get(name)
        values[name] = datetime.fromisoformat(value) if name.endswith("_at") and isinstance(value, str) else value
    return SimpleNamespace(**values)


# --- reading many logs -------------------------------------------------------------------------------


class History:
    """One reader's view of many incidents: each one's problem (or None) and its state, from the caches when
    they still fit the log, and what it found remembered (written by a store that can write, at save_caches)."""

    def __init__(self, store: Store, *, many: bool = False) -> None:
        """`many`: a reader of every incident (list, stats, the browser): their caches read in one query first."""
        self.store = store
        self.many = many
        self._playbook_texts: dict[str, str | None] | None = None
        self._playbooks: dict[str, Playbook] = {}
        self._by_digest: dict[str, Playbook] = {}  # a cached fold's playbook digest: the playbook, once checked
        self._listings: dict[str, dict[str, Any]] = {}
        self._states: dict[str, IncidentState] = {}
        self._problems: dict[str, str | None] = {}
        self._schema = store.conn.execute("PRAGMA schema_version").fetchone()[0]
        self._known: dict[str, tuple] | None = None  # Store.cached_heads: every incident's caches in one query
        self._summaries: dict[str, tuple | None] = {}  # _summary_of each incident's cached_heads row, parsed once
        self._state_texts: dict[str, str] | None = None
        self._written: dict[str, IncidentState] = {}  # wrote(): a writer's own fold of what it appended

    def wrote(self, incident_id: str, state: IncidentState) -> None:
        """The fold of the incident's whole log as a writer kept it while appending (WrittenFold): used at its close
        when nobody appended after it, instead of reading back what it has just written."""
        self._written[incident_id] = state

    def known(self, incident_id: str) -> tuple | None:
        if not self.many:
            return None
        if self._known is None:
            self._known = self.store.cached_heads()
        return self._known.get(incident_id)

    def problem(self, row: IncidentRow, state: IncidentState | None = None) -> str | None:
        """Why the incident's log cannot be trusted, in one line; None when it holds. The chain from its verified
        head on (Store.check), its checkpoints when events were checked anew, then the index against the fold
        (`state`, when the caller has just folded the whole log: the console, replay)."""
        if state is not None:
            self._states[row.id] = state
            self._listings[row.id] = listing_of(state)
        if row.id in self._problems:
            return self._problems[row.id]
        problem = row.problem
        if problem is None:
            problem, head = self.store.check(row.id, self.known(row.id), self._schema)
            if problem is None and head is not None:
                from warroom import checkpoint  # only when events were checked anew: not on a reader's usual path

                problem = checkpoint.log_problem(self.store, row.id, chain_checked=True)
                if problem is None:
                    self.store.remember_verified(row.id, head)
        if problem is None:
            try:
                problem = index_disagreement(row, _as_state(self.listing(row.id)))  # type: ignore[arg-type]
            except WarroomError as error:
                problem = str(error)
        self._problems[row.id] = problem
        return problem

    def problems(self, rows: list[IncidentRow]) -> dict[str, str]:
        """The incidents among `rows` that cannot be trusted, each with its problem."""
        found = {row.id: self.problem(row) for row in rows}
        return {ident: problem for ident, problem in found.items() if problem}

    def drills(self, rows: list[IncidentRow]) -> set[str]:
        """Which of `rows` (each asked about with problem() first) were declared as drills: from their cached folds'
        listings, else (a log that does not verify, or a fold cached before listings said it) the store's query of
        every incident's first event."""
        found = set()
        for row in rows:
            listed = self._listings.get(row.id)
            if listed is None or self._problems.get(row.id) or not isinstance(listed.get("drill"), bool):
                return self.store.drills()
            if listed["drill"]:
                found.add(row.id)
        return found

    def listing(self, incident_id: str) -> dict[str, Any]:
        if incident_id not in self._listings:
            self._bring_up_to_date(incident_id)
        return self._listings[incident_id]

    def state(self, incident_id: str) -> IncidentState:
        """The fold of the incident's log: the cached one and the events after it, or (no cache that fits, or a
        log that does not verify, which is folded as it reads) every event."""
        if incident_id in self._states:
            return self._states[incident_id]
        if self._problems.get(incident_id):
            return state_of(self.store.events(incident_id))
        self._bring_up_to_date(incident_id, want_state=True)
        return self._states[incident_id]

    def _bring_up_to_date(self, incident_id: str, *, want_state: bool = False) -> None:
        store = self.store
        known = None if incident_id in store.appended_to else self.known(incident_id)
        if known is not None:
            head: tuple | None = known[:2]
            if incident_id not in self._summaries:  # its listing for problem(), then its state for state(): parsed once
                self._summaries[incident_id] = self._summary_of(incident_id, known)
            cached = self._summaries[incident_id]
        else:
            head = store.conn.execute("SELECT last_seq, head_hash FROM incidents WHERE id = ?", (incident_id,)).fetchone()
            cached = self._usable_summary(incident_id)
        if cached is not None and head is not None and (cached[0], cached[1]) == tuple(head):
            self._listings[incident_id] = cached[2]
            if want_state:
                state = self._decoded(incident_id, cached[3], _digest_of(cached[2]))
                if state is not None:
                    self._states[incident_id] = state
                    return
            else:
                return
        state = None
        written = self._written.get(incident_id)
        if written is not None and head is not None and written.last_seq == head[0]:
            state = written  # the writer's fold reaches the head: nothing came between or after its appends
        elif cached is not None:
            state = self._decoded(incident_id, cached[3], _digest_of(cached[2]))
            if state is not None:
                state = _extended(state, store.events(incident_id, after_seq=cached[0]))
        if state is None:
            state = state_of(store.events(incident_id))
        self._states[incident_id] = state
        listed = listing_of(state)
        self._listings[incident_id] = listed
        if not store.readonly:
            digest = self._playbook_digest(incident_id)
            if digest is not None:
                listed["playbook"] = digest  # an older warroom reads the listing without it
        last = store.conn.execute(
            "SELECT seq, hash FROM events WHERE incident = ? ORDER BY seq DESC LIMIT 1", (incident_id,)
        ).fetchone()
        if not store.readonly and last is not None and last[0] == state.last_seq:
            store.remember_summary(
                incident_id, last[0], last[1], self._schema, json.dumps(listed, separators=(",", ":")), encode_state(state)
            )

    def _summary_of(self, incident_id: str, known: tuple) -> tuple[int, str, dict, str] | None:
        """_usable_summary from cached_heads' row (the state's text read with every other one, once)."""
        seq, digest, schema, event_hash, listing = known[7:12]
        if seq is None or schema != self._schema or event_hash != digest:
            return None
        listed = _cached_listing(listing)
        return None if listed is None else (seq, digest, listed, _LAZY)

    def _state_text(self, incident_id: str, text: str) -> str:
        if text is not _LAZY:
            return text
        if self._state_texts is None:
            self._state_texts = dict(self.store.conn.execute("SELECT incident, state FROM summaries"))
        return self._state_texts.get(incident_id, "")

    def _usable_summary(self, incident_id: str) -> tuple[int, str, dict, str] | None:
        """The cached fold, while its event still has the hash it was folded at, under the same schema cookie
        and by this warroom's fold: (seq, hash, listing, state text)."""
        cached = self.store.summary(incident_id)
        if cached is None:
            return None
        seq, digest, schema, listing, state = cached
        if schema != self._schema:
            return None
        listed = _cached_listing(listing)
        if listed is None:
            return None
        row = self.store.conn.execute("SELECT hash FROM events WHERE incident = ? AND seq = ?", (incident_id, seq)).fetchone()
        if row is None or row[0] != digest:
            return None
        return seq, digest, listed, state

    def _decoded(self, incident_id: str, text: str, digest: str | None = None) -> IncidentState | None:
        try:
            data = read_state(self._state_text(incident_id, text))
        except ValueError:
            return None
        playbook = self._playbook(incident_id, digest)
        if playbook is None:
            return None
        return as_state(data, playbook)

    def _own_playbook_text(self, incident_id: str) -> str | None:
        """The playbook the incident's one declared event carries, as text (None: none, or declared twice)."""
        rows = self.store.conn.execute(
            "SELECT json_extract(payload, '$.playbook') FROM events WHERE kind = ? AND incident = ?",
            (kinds.DECLARED, incident_id),
        ).fetchall()
        return rows[0][0] if len(rows) == 1 and isinstance(rows[0][0], str) else None

    def _playbook_digest(self, incident_id: str) -> str | None:
        text = self._own_playbook_text(incident_id)
        return None if text is None else playbook_digest(text)

    def _playbook(self, incident_id: str, digest: str | None = None) -> Playbook | None:
        """The playbook the incident's one declared event carries (parsed once per distinct playbook). A cached fold's
        digest of it: the first incident with that digest has its own text read and checked against it; the others
        with the same digest share that playbook, and no reader of many folds reads every declared event."""
        if digest is not None:
            found = self._by_digest.get(digest)
            if found is not None:
                return found
            text = self._own_playbook_text(incident_id)
            if text is not None and playbook_digest(text) == digest:
                found = self._parsed(incident_id, text)
                if found is not None:
                    self._by_digest[digest] = found
                    return found
        if self._playbook_texts is None and self._known is None:  # one incident (a verb that wrote): its own only
            return self._parsed(incident_id, self._own_playbook_text(incident_id))
        if self._playbook_texts is None:
            texts: dict[str, str | None] = {}
            rows = self.store.conn.execute(
                "SELECT incident, json_extract(payload, '$.playbook') FROM events WHERE kind = ?", (kinds.DECLARED,)
            )
            for ident, text in rows:
                texts[ident] = None if ident in texts else text  # declared twice: fold it whole
            self._playbook_texts = texts
        return self._parsed(incident_id, self._playbook_texts.get(incident_id))

    def _parsed(self, incident_id: str, text: str | None) -> Playbook | None:
        if text is None:
            return None
        if text not in self._playbooks:
            from warroom.playbook import playbook_from_data  # a fold read back (stats), not a listing (list)

            try:
                self._playbooks[text] = playbook_from_data(json.loads(text), f"the playbook in {incident_id}'s log")
            except (WarroomError, ValueError):
                return None
        return self._playbooks[text]


def _cached_listing(text: str) -> dict[str, Any] | None:
    """A cached fold's listing, when this warroom's fold wrote it (FOLD_STAMP); else None (fold again)."""
    try:
        listed = json.loads(text)
    except ValueError:
        return None
    return listed if isinstance(listed, dict) and listed.get("stamp") == FOLD_STAMP else None


def _extended(state: IncidentState, fresh: list[Event]) -> IncidentState | None:
    """The cached fold with the events after it on top, when that is the fold of the whole log: each happened
    no earlier than everything folded (a backfilled fact, or a second declaration, needs the whole log)."""
    if not fresh:
        return state
    if any(e.kind == kinds.DECLARED for e in fresh) or (state.last_at is not None and min(e.at for e in fresh) < state.last_at):
        return None
    return fold(happened_order(fresh), state)


class WrittenFold:
    """A writer's fold of one incident, kept as it appends (`warroom log -`: a storm of alerts), so that caching the
    fold at its close need not read back every event it has just written. It gives up (None) at anything it
    cannot fold on top: a backfilled event, or a gap in the seqs (another writer appended in between)."""

    def __init__(self, store: Store, incident_id: str) -> None:
        self.incident_id = incident_id
        self.state: IncidentState | None = None
        if store.caches and not store.readonly:
            try:
                self.state = History(store).state(incident_id)
            except WarroomError:
                self.state = None

    def take(self, appended: list[Event]) -> None:
        state = self.state
        if state is None or not appended:
            return
        if appended[0].seq != state.last_seq + 1 or any(b.seq != a.seq + 1 for a, b in zip(appended, appended[1:])):
            self.state = None
            return
        self.state = _extended(state, appended)


def bring_up_to_date(store: Store, written: Iterable[WrittenFold] = ()) -> None:
    """Before a store that wrote closes: the folds of the incidents it wrote to, cached as of their heads (reading
    only the events after each one's cached fold, or none when a WrittenFold kept up), so that `stats` and `list`
    need not read them."""
    if store.readonly or not store.caches or not store.appended_to:
        return
    history = History(store)
    for kept in written:
        if kept.state is not None:
            history.wrote(kept.incident_id, kept.state)
    for incident_id in sorted(store.appended_to):
        try:
            history.listing(incident_id)
        except WarroomError:
            continue  # a log that cannot be read: nothing to cache
