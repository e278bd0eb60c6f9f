"""The `warroom` command: opens the console, and the scripting verbs (which never import Textual)."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import TYPE_CHECKING, Any, Iterator

import click

from warroom import __version__
from warroom.errors import WarroomError

# Each verb imports what it uses: `warroom --version` pays for click alone, `list` and `stats` never load the
# command parser or the signing code, and the scripting verbs never load Textual.
if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

    from warroom.clock import Clock
    from warroom.history import WrittenFold
    from warroom.incident import IncidentState
    from warroom.playbook import Playbook
    from warroom.store import Store

# The event kinds `warroom log` writes (warroom.events.NOTE and ALERT, spelled here so that --help needs no import).
NOTE, ALERT = "note", "alert"
KEY_VARIABLE = "WARROOM_SIGNING_KEY"  # warroom.checkpoint.KEY_VARIABLE, for --help


# Verbs that only read: they never create a database, and open an existing one without writing.
READING_VERBS = {"list", "show", "verify", "export", "stats", "watch", "replay", "followups"}
# Verbs that write to an incident already declared: a database that is not there yet has none.
EXISTING_ONLY_VERBS = {"log", "act", "sign"}


class Context:
    """What every verb needs: where the log is, which playbook, and the clock."""

    def __init__(self, db: str | None, playbook: str | None, clock: Clock | None = None) -> None:
        self.db_path = db
        self.playbook_path = playbook
        self._clock = clock
        self.verb: str | None = None  # the subcommand being run (None: the console)
        self.actor: str | None = None  # --actor: who every write is recorded as
        self._store: Store | None = None
        self.written: list[WrittenFold] = []  # folds a writer kept as it appended (history.bring_up_to_date)

    @property
    def clock(self) -> Clock:
        if self._clock is None:
            from warroom.clock import SystemClock

            self._clock = SystemClock()
        return self._clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self._clock = clock

    def db_file(self) -> Path:
        from pathlib import Path

        from warroom.store import default_db_path

        return Path(self.db_path).expanduser() if self.db_path else default_db_path()

    def store(self, *, readonly: bool = False) -> Store:
        if self._store is None:
            from warroom.store import Store

            readonly = readonly or self.verb in READING_VERBS
            path = self.db_file()
            if self.verb in ("list", "stats", "followups") and not path.exists():
                self._store = Store.empty(path, clock=self.clock)  # "No incidents", and no file made to say so
            else:
                create = not readonly and self.verb not in EXISTING_ONLY_VERBS
                self._store = Store(path, clock=self.clock, readonly=readonly, create=create, follow=self.verb == "watch")
            self._store.actor = self.actor
        return self._store

    def playbook(self) -> Playbook:
        from warroom.playbook import load_playbook

        return load_playbook(self.playbook_path)

    def close(self) -> None:
        if self._store is not None:
            from warroom import history

            with contextlib.suppress(Exception):  # caches: never what fails a verb that has done its work
                history.bring_up_to_date(self._store, self.written)
            self._store.close()


def say(text: str, *, nl: bool = True) -> None:
    """Text on standard output. At a terminal every control in it is shown, never obeyed (user text in a
    line was already made one line), in the terminal's own encoding with what it cannot show escaped
    (UTF-8 sent to a Latin-1 terminal would hold bytes 0x80-0x9f, its C1 controls). A pipe or a file gets
    the text as it is, in UTF-8, like every file warroom writes (an export re-imports as UTF-8)."""
    if nl:
        text += "\n"
    if _at_terminal():
        from warroom.text import for_terminal

        encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
        data = for_terminal(text, newlines=True).encode(encoding, "backslashreplace")
    else:
        data = text.encode("utf-8")
    click.echo(data, nl=False)


def say_json(value: Any) -> None:
    """JSON on standard output: every string kept exactly, no raw control (json_text)."""
    from warroom.text import json_text

    say(json_text(value, indent=2))


def _at_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):  # closed, or replaced by something that is not a file
        return False


def warn_unverified(problems: dict[str, str], most: int = 10) -> None:
    """A reader's line on standard error for each log that does not verify (what it shows is still shown)."""
    from warroom import history

    for incident_id, problem in list(problems.items())[:most]:
        complain(history.warning(problem, incident_id))
    if len(problems) > most:
        complain(f"LOG DOES NOT VERIFY: {len(problems) - most} more incidents; `warroom verify` checks every one")


def say_if_unverified(store: Store, incident_id: str) -> str | None:
    """One incident's reader: its line on standard error when its log does not verify; the line, or None."""
    from warroom import history

    problem = history.History(store).problem(store.incident(incident_id))
    if problem is None:
        return None
    line = history.warning(problem, incident_id)
    complain(line)
    return line


def one_line(text: Any) -> str:
    """warroom.text.one_line, loaded when a line is first said (not at start-up)."""
    from warroom.text import one_line as made_one_line

    return made_one_line(text)


def complain(message: str) -> None:
    """One line on standard error: a line that names a file (FILE: or FILE:LINE:) stands alone, any other
    starts 'warroom: '. What it quotes of the user's input is shown, never obeyed."""
    line = one_line(message)
    click.echo(line if ":" in line.split(" ")[0] else f"warroom: {line}", err=True)


class WarroomGroup(click.Group):
    """Turns every error into one line on stderr and a non-zero exit: never a traceback."""

    def main(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.exceptions.NoArgsIsHelpError as error:
            click.echo(error.ctx.get_help() if error.ctx else str(error))
            sys.exit(2)
        except click.ClickException as error:
            hint = ""
            if isinstance(error, click.UsageError) and error.ctx is not None:
                hint = f" (see `{error.ctx.command_path} --help`)"
            click.echo(f"warroom: {one_line(error.format_message())}{hint}", err=True)
            sys.exit(error.exit_code)
        except click.exceptions.Abort:
            click.echo("warroom: aborted", err=True)
            sys.exit(130)
        except WarroomError as error:
            for line in str(error).splitlines() or [""]:  # a playbook's problems: one line each
                complain(line)
            sys.exit(error.exit_code)
        except KeyboardInterrupt:
            sys.exit(130)
        except BrokenPipeError:
            sys.stderr.close()  # the reader went away (`warroom list | head`): nothing more to say
            sys.exit(0)
        except Exception as error:
            sqlite3 = sys.modules.get("sqlite3")  # a database error: only a verb that loaded sqlite3 can raise one
            if sqlite3 is None or not isinstance(error, sqlite3.Error):
                raise
            click.echo(f"warroom: database error: {one_line(error)}", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


def _ctx(click_ctx: click.Context) -> Context:
    return click_ctx.find_object(Context)


@click.group(cls=WarroomGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", metavar="PATH", envvar="WARROOM_DB", help="The database file (default: your data folder; or WARROOM_DB).")
@click.option("--playbook", metavar="PATH", envvar="WARROOM_PLAYBOOK", help="The playbook for new incidents (default: the bundled one).")
@click.option("--actor", metavar="NAME", envvar="WARROOM_ACTOR",
              help="Who you are, as the log and the review name you (default: WARROOM_ACTOR, else your login name).")
@click.version_option(__version__, "--version", "-V", prog_name="warroom", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context, db: str | None, playbook: str | None, actor: str | None) -> None:
    """The incident commander's war-room console. With no command, open the console."""
    context = ctx.ensure_object(Context)
    # An option (or its environment variable) wins; otherwise keep what the caller's Context says.
    context.db_path = db or context.db_path
    context.playbook_path = playbook or context.playbook_path
    if actor is not None:
        from warroom.events import unstorable_text

        problem = unstorable_text(actor.strip(), "--actor") if actor.strip() else "--actor: expected a name, got nothing"
        if problem:
            raise WarroomError(problem)
        context.actor = actor.strip()
    context.verb = ctx.invoked_subcommand
    ctx.call_on_close(context.close)
    if ctx.invoked_subcommand is None:
        from warroom.tui.app import require_terminal, run_console  # the scripting verbs never pay for Textual

        require_terminal()  # before the store: a console that cannot start creates no database
        if context.playbook_path is not None:
            context.playbook()  # so is a bad playbook: its problems, and no database made to show them
        run_console(context.store(), context.playbook_path)


def main() -> None:
    cli(obj=Context(None, None))


# --- declaring and recording ----------------------------------------------------------------------


@cli.command()
@click.option("--severity", "-s", required=True, help="A severity id from the playbook (`warroom playbook check` lists them).")
@click.option("--title", "-t", required=True, help="A brief description: what is broken.")
@click.option("--impact", "-i", default="", help="Who and what is affected.")
@click.option("--runbook", "-r", "runbooks", multiple=True, help="Attach a runbook by id (repeatable).")
@click.option("--started-at", metavar="TIME", help="When it started, if before now (18:02, -20m, ISO-8601).")
@click.option("--detected-at", metavar="TIME", help="When it was detected (default: when it started).")
@click.option("--commander", help="The incident commander (default: --actor, WARROOM_ACTOR or your login name).")
@click.option("--drill", is_flag=True, help="An exercise: shown as DRILL everywhere and left out of `warroom stats`.")
@click.pass_context
def declare(
    ctx: click.Context, severity: str, title: str, impact: str, runbooks: tuple[str, ...], started_at: str | None,
    detected_at: str | None, commander: str | None, drill: bool,
) -> None:
    """Declare a new incident and print its id."""
    from warroom import events as kinds
    from warroom.commands import declaration
    from warroom.events import check_storable

    context = _ctx(ctx)
    playbook = context.playbook()
    now = context.clock.now()
    payload = declaration(
        playbook, now, severity, title, impact, runbooks, started_at, detected_at, commander or context.actor, drill=drill,
    )
    check_storable(kinds.DECLARED, payload)  # before the store opens: a refused declaration makes no database
    event = context.store().declare(payload)
    say(event.incident)


def _read_lines(stream: Any) -> Iterator[list[str]]:
    """Lines from a pipe, in batches of whatever has arrived: one transaction per batch."""
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):
        # Not backed by a file descriptor (an in-memory stream, as a test runner gives): read it whole.
        lines = [line.rstrip("\r\n") for line in stream.read().splitlines()]
        lines = [line for line in lines if line.strip()]
        if lines:
            yield lines
        return
    pending = b""
    while True:
        chunk = os.read(descriptor, 1 << 16)
        if not chunk:
            break
        pending += chunk
        *complete, pending = pending.split(b"\n")
        lines = [line.decode("utf-8", errors="replace").rstrip("\r") for line in complete]
        lines = [line for line in lines if line.strip()]
        if lines:
            yield lines
    if pending.strip():
        yield [pending.decode("utf-8", errors="replace").rstrip("\r")]


@cli.command()
@click.argument("incident")
@click.argument("text")
@click.option("--kind", type=click.Choice([NOTE, ALERT]), default=NOTE, show_default=True)
@click.option("--at", "at_text", metavar="TIME", help="When it happened, if before now.")
@click.pass_context
def log(ctx: click.Context, incident: str, text: str, kind: str, at_text: str | None) -> None:
    """Add a note or an alert; TEXT - reads one per line from standard input."""
    from warroom.clock import parse_past_time
    from warroom.events import check_storable

    context = _ctx(ctx)
    # Everything that can be checked without the log is checked before it is opened.
    at = parse_past_time(at_text, context.clock.now()) if at_text else None
    if text != "-":
        if not text.strip():
            raise WarroomError("the text is empty: expected what happened")
        check_storable(kind, {"text": text})
        store = context.store()
        store.append(store.find_incident(incident), kind, {"text": text}, at=at)
        return
    if sys.stdin is None or sys.stdin.isatty():
        raise WarroomError("TEXT is -, but nothing is piped in: expected lines on standard input")
    from warroom.history import WrittenFold

    store = context.store()
    incident_id = store.find_incident(incident)
    written = WrittenFold(store, incident_id)  # the fold cached at close without reading the lines back
    context.written.append(written)
    for batch in _read_lines(sys.stdin):
        written.take(store.append_many(incident_id, [(kind, {"text": line}, at) for line in batch]))


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("incident")
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
@click.option("--at", "at_text", metavar="TIME", help="When it happened, if before now (a scribe backfilling).")
@click.pass_context
def act(ctx: click.Context, incident: str, command: tuple[str, ...], at_text: str | None) -> None:
    """Run one console command on an incident, such as `status mitigating` or `check 3`."""
    from warroom import checkpoint
    from warroom.clock import parse_past_time
    from warroom.commands import CONSOLE_ONLY, CommandError, parse
    from warroom.incident import state_of

    context = _ctx(ctx)
    now = context.clock.now()
    at = parse_past_time(at_text, now) if at_text else None
    store = context.store()
    incident_id = store.find_incident(incident)
    state = state_of(store.events(incident_id))
    action = parse(" ".join(command), state, now)
    if action.kind in CONSOLE_ONLY:
        raise CommandError(f"`{action.kind}` works in the console, where there is a clipboard")
    event = store.append(incident_id, action.kind, action.payload, at=action.at or at)
    say(f"{incident_id}: {one_line(action.summary)}")
    unsigned = checkpoint.after_resolve(store, event, interactive=True)  # a key configured: resolving signs the log
    if unsigned:
        raise WarroomError(f"{incident_id}: {unsigned}", exit_code=1)


# --- reading ----------------------------------------------------------------------------------------


def _load(context: Context, incident: str, at_text: str | None = None) -> tuple[IncidentState, datetime]:
    from warroom.clock import parse_past_time
    from warroom.incident import state_as_of, state_of

    now = context.clock.now()
    # A state as of a time still to come is a guess, not a fact; and a bad time needs no database opened.
    when = parse_past_time(at_text, now, "--at") if at_text else None
    store = context.store()
    incident_id = store.find_incident(incident)
    events = store.events(incident_id)
    say_if_unverified(store, incident_id)
    if when is not None:
        return state_as_of(events, when), when
    return state_of(events), now


@cli.command()
@click.option("--open", "only_open", is_flag=True, help="Only those not done yet.")
@click.option("--json", "as_json", is_flag=True, help="One JSON array, for scripts.")
@click.pass_context
def followups(ctx: click.Context, only_open: bool, as_json: bool) -> None:
    """Every follow-up across incidents (`followup TEXT @owner due YYYY-MM-DD` records one), oldest first."""
    from warroom import history
    from warroom.clock import iso, local_hm
    from warroom.incident import FOLLOW_UP_KINDS, followups_of

    store = _ctx(ctx).store()
    rows = store.incidents()
    titles = {row.id: row.title for row in rows}
    by_incident: dict[str, list] = {}
    for event in store.events_of_kinds(FOLLOW_UP_KINDS):
        by_incident.setdefault(event.incident, []).append(event)
    known = history.History(store, many=True)
    warn_unverified(known.problems([row for row in rows if row.id in by_incident]))
    items = [
        (incident, item) for incident in sorted(by_incident, key=lambda i: min(e.at for e in by_incident[i]))
        for item in followups_of(by_incident[incident]) if not (only_open and item.done_at)
    ]
    if as_json:
        say_json([
            {"incident": incident, "incident_title": titles.get(incident, ""), "number": item.number, "text": item.text,
             "owner": item.owner or None, "due": item.due or None, "recorded_at": iso(item.at),
             "done_at": iso(item.done_at) if item.done_at else None}
            for incident, item in items
        ])
        return
    if not items:
        say("No open follow-ups." if only_open else "No follow-ups recorded.")
        return
    for incident, item in items:
        owner = item.owner or "NO OWNER"
        due = f"due {item.due}" if item.due else "no due date"
        done = f"done {local_hm(item.done_at)}" if item.done_at else "open"
        say(f"{incident}#{item.number}  {done:<11}  {owner:<12}  {due:<14}  {item.text}")


@cli.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="One JSON array, for scripts.")
@click.option("--status", type=click.Choice(["open", "investigating", "mitigating", "resolved"]), help="Only these.")
@click.option("--severity", help="Only this severity.")
@click.option("--search", metavar="WORDS", help="Only titles containing these words.")
@click.pass_context
def list_incidents(ctx: click.Context, as_json: bool, status: str | None, severity: str | None, search: str | None) -> None:
    """Every incident, newest first, and whether its log verifies (in a terminal: the incident browser)."""
    from warroom import history
    from warroom.clock import iso

    context = _ctx(ctx)
    store = context.store()
    if not as_json and _browse_in_terminal(context, store, status, severity, search):
        return
    now = context.clock.now()
    rows = []
    known = history.History(store, many=True)
    listed = []
    for row in store.incidents():
        if status and (row.status == "resolved" if status == "open" else row.status != status):
            continue
        if severity and row.severity.lower() != severity.lower():
            continue
        if search and not all(word in row.title.lower() for word in search.lower().split()):
            continue
        end = row.resolved_at or now
        rows.append(
            {
                "id": row.id,
                "severity": row.severity,
                "status": row.status,
                "title": row.title,
                "started_at": iso(row.started_at),
                "resolved_at": iso(row.resolved_at) if row.resolved_at else None,
                "duration_seconds": int((end - row.started_at).total_seconds()),
                "events": row.events,
                "verified": known.problem(row) is None,
                "drill": False,
            }
        )
        listed.append(row)
    drills = known.drills(listed)  # after problem(): from the folds it read
    for entry in rows:
        entry["drill"] = entry["id"] in drills
    warn_unverified({row["id"]: known.problem(store.incident(row["id"])) for row in rows if not row["verified"]})
    if as_json:
        say_json(rows)
        return
    if not rows:
        if status or severity or search:
            say("No incident matches.")
        else:
            say("No incidents yet. `warroom declare --severity ID --title ...` or `warroom` to declare one.")
        return
    from datetime import datetime

    from warroom.clock import format_duration

    lines = [f"{'ID':<8} {'SEV':<6} {'STATUS':<13} {'STARTED':<16} {'DURATION':>9}  {'LOG':<8} TITLE"]
    for row in rows:
        started = datetime.fromisoformat(row["started_at"].replace("Z", "+00:00")).astimezone().strftime("%Y-%m-%d %H:%M")
        lines.append(
            f"{one_line(row['id']):<8} {one_line(row['severity']):<6} {one_line(row['status']):<13} {started:<16} "
            f"{format_duration(row['duration_seconds'], seconds=False):>9}  {'ok' if row['verified'] else 'BROKEN':<8} "
            f"{'DRILL ' if row['drill'] else ''}{one_line(row['title'])}"
        )
    say("\n".join(lines))


def _browse_in_terminal(context: Context, store: Store, status: str | None, severity: str | None, search: str | None) -> bool:
    """At a terminal (both ends a TTY) `warroom list` is the incident browser, its filter filled from the options.

    A pipe or a script gets the table, and so does an empty database. False when the table is wanted.
    """
    if not (sys.stdin.isatty() and sys.stdout.isatty()) or not store.incidents():
        return False
    from warroom.store import Store
    from warroom.tui.app import run_console  # the table never pays for Textual
    from warroom.tui.screens.browser import filter_query

    # Its own writable store: resuming an open incident from the browser writes to its log. A log this
    # user cannot write gets the table instead.
    try:
        writable = Store(store.path, clock=context.clock, create=False)
    except WarroomError:
        return False
    with writable:
        run_console(writable, context.playbook_path, browse=filter_query(status, severity, search))
    return True


def _phase_note(seconds_left: int | None, resolved: bool) -> str:
    """After the phase's name in `show`: how long its window has left, or how far past it it is."""
    from warroom.clock import format_duration

    if resolved or seconds_left is None:
        return ""  # a resolved incident's clock has stopped; an open-ended window has no end
    if seconds_left < 0:
        return f" (past its window by {format_duration(-seconds_left)})"
    return f" ({format_duration(seconds_left)} left in its window)"


def state_summary(state: IncidentState, now: datetime) -> dict[str, Any]:
    """The state as JSON-ready data (`show --json`)."""
    from warroom import views
    from warroom.clock import iso

    assert state.started_at is not None
    response = views.response(state, now)
    phase = views.current_phase(state, now)
    ladder = views.ladder(state, now)
    update = views.next_update(state, now)

    def stamp(when: datetime | None) -> str | None:
        return iso(when) if when else None

    return {
        "id": state.id,
        "title": state.title,
        "severity": state.severity,
        "status": state.status,
        "impact": state.impact,
        "started_at": iso(state.started_at),
        "as_of": iso(now),
        "elapsed_seconds": int(views.elapsed(state, now).total_seconds()),
        "eta": stamp(state.eta),
        "roles": dict(state.roles),
        "response": {
            "target": response.label,
            "due_at": iso(response.due_at),
            "state": response.state,
            "met_at": stamp(response.met_at),
            "seconds_left": int(response.remaining.total_seconds()),
        },
        "phase": {
            "id": phase.phase.id,
            "name": phase.phase.name,
            "seconds_left": None if phase.remaining is None else int(phase.remaining.total_seconds()),
        },
        "checklists": [
            {"id": c.id, "name": c.name, "kind": c.kind, "done": c.done, "total": c.total, "past_window": c.past_window}
            for c in views.checklists(state, now)
        ],
        "ladder": [
            {
                "id": r.rung.id,
                "name": r.rung.name,
                "state": r.state,
                "due_at": iso(r.due_at),
                "notified_at": stamp(r.notified_at),
                "acknowledged_at": stamp(r.acknowledged_at),
            }
            for r in ladder.rungs
        ],
        "rungs_due": [r.rung.id for r in ladder.due],
        "next_rung": ladder.next.rung.id if ladder.next else None,
        "next_update_due": stamp(update.due_at) if update else None,
        "milestones": {name: stamp(when) for name, when in views.milestones(state)},
        "events": state.events,
        "alerts": state.alerts,
        "notes": state.notes,
        "drill": state.drill,
        "starred": sorted(state.starred),
        "followups": [
            {"number": f.number, "text": f.text, "owner": f.owner or None, "due": f.due or None, "done_at": stamp(f.done_at)}
            for f in state.followups
        ],
    }


@cli.command()
@click.argument("incident")
@click.option("--at", "at_text", metavar="TIME", help="The state as of TIME: what had happened by then.")
@click.option("--json", "as_json", is_flag=True, help="JSON, for scripts.")
@click.pass_context
def show(ctx: click.Context, incident: str, at_text: str | None, as_json: bool) -> None:
    """An incident's state now, or as of a time."""
    from warroom.clock import format_duration, local_hm

    state, now = _load(_ctx(ctx), incident, at_text)
    if not state.declared:
        raise WarroomError(f"{incident}: nothing had happened yet at {local_hm(now)}")
    summary = state_summary(state, now)
    if as_json:
        say_json(summary)
        return
    response = summary["response"]
    # Every name here is text from outside (the log, its playbook): each made one line.
    drill = "DRILL  " if state.drill else ""
    open_followups = sum(1 for f in state.followups if f.done_at is None)
    lines = [
        f"{drill}{one_line(state.id)}  {one_line(state.severity)}  {one_line(state.status.upper())}  {one_line(state.title)}",
        f"  elapsed    {format_duration(summary['elapsed_seconds'])} (started {local_hm(state.started_at)} local)",  # type: ignore[arg-type]
        f"  response   {one_line(response['target'])}: {response['state']}"
        + (f" at {local_hm(state.acknowledged_at)}" if state.acknowledged_at else f", {format_duration(response['seconds_left'])} left" if response['state'] == 'pending' else ""),
        f"  phase      {one_line(summary['phase']['name'])}{_phase_note(summary['phase']['seconds_left'], state.resolved)}",
        "  checklist  " + ", ".join(f"{one_line(c['name'])} {c['done']}/{c['total']}" for c in summary["checklists"]),
        "  ladder     " + ", ".join(f"{one_line(r['name'])}: {r['state']}" for r in summary["ladder"]),
        f"  impact     {one_line(state.impact) or '-'}",
        f"  eta        {local_hm(state.eta) if state.eta else '-'}",
        "  roles      " + ", ".join(f"{one_line(role)} {one_line(name)}" for role, name in state.roles.items()),
        f"  events     {state.events} ({state.alerts} alerts, {state.notes} notes)",
    ]
    if state.followups:
        lines.append(f"  follow-ups {len(state.followups)} ({open_followups} open: `warroom followups --open`)")
    say("\n".join(lines))


@cli.command()
@click.argument("incident")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "jsonl", "md", "csv"]), default="jsonl", show_default=True,
    help="jsonl or json: the log; md: the post-incident report; csv: the timeline.",
)
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of standard output.")
@click.pass_context
def export(ctx: click.Context, incident: str, fmt: str, output: str | None) -> None:
    """Export an incident's log (jsonl re-imports byte for byte), its report (md) or its timeline (csv)."""
    from pathlib import Path

    from warroom import checkpoint, report
    from warroom.incident import state_of
    from warroom.text import json_text

    context = _ctx(ctx)
    store = context.store()
    incident_id = store.find_incident(incident)
    events = store.events(incident_id)
    unverified = say_if_unverified(store, incident_id)
    if fmt == "jsonl":
        text = "".join(event.to_jsonl() + "\n" for event in events)
    elif fmt == "md":
        text = report.markdown_report(events, context.clock.now(), unverified=unverified)
    elif fmt == "csv":
        text = report.timeline_csv(events)
    else:
        state = state_of(events)
        document = {"incident": state_summary(state, context.clock.now()), "events": [e.to_record() for e in events]}
        text = json_text(document, indent=2) + "\n"
    write_output(text, output)
    try:  # FILE.checkpoint: the latest signed checkpoint, for `verify --checkpoint` to check the log against later
        checkpoint.write_beside(store, incident_id, output or "", lambda text, path: _write_whole(Path(path), text))
    except OSError as error:
        raise WarroomError(f"{output}.checkpoint: cannot write it ({error.strerror})") from None


def write_output(text: str, output: str | None) -> None:
    """Write the whole text or nothing: a file appears only once it is complete. Standard output at a
    terminal shows the controls in a report or timeline (json and jsonl have none left to show)."""
    if not output or output == "-":
        say(text, nl=False)
        return
    from pathlib import Path

    target = Path(output)
    if output.endswith(("/", os.sep)) or target.is_dir() or not target.name or target.name in (".", ".."):
        raise WarroomError(f"{output}: names a folder: expected the name of a file to write, like report.md")
    try:
        if target.exists() and not target.is_file():
            # A pipe or a device (-o /dev/stdout): written to, as a shell would; renaming a file over it
            # would replace the device itself.
            with open(target, "w", encoding="utf-8") as handle:
                handle.write(text)
            return
        _write_whole(target.resolve() if target.is_symlink() else target, text)  # through a link, keeping it
    except OSError as error:
        raise WarroomError(f"{output}: cannot write it ({error.strerror})") from None


def _write_whole(target: Path, text: str) -> None:
    """The text into a new file beside the target, then renamed over it. The new file has a name of its
    own (mkstemp: O_EXCL, never a file or link someone put there first, as a fixed name could be) and
    the target's mode, or a new file's."""
    import tempfile

    descriptor, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        if target.exists():
            mode = target.stat().st_mode & 0o7777
        else:
            mask = os.umask(0)
            os.umask(mask)
            mode = 0o666 & ~mask
        os.chmod(partial, mode)
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(partial)
        raise


@cli.command(name="import")
@click.argument("file", metavar="FILE")
@click.option("--allowed-signers", metavar="FILE", help="Check the signature of FILE.checkpoint, when there is one, against FILE (git's allowed_signers format).")
@click.option("--revoked", metavar="FILE", help="With --allowed-signers: refuse keys in FILE (a KRL or public keys, ssh-keygen -Y verify -r).")
@click.pass_context
def import_(ctx: click.Context, file: str, allowed_signers: str | None, revoked: str | None) -> None:
    """Import an exported jsonl log; refused whole unless every record is a sound event, every chain verifies and
    FILE.checkpoint beside it, if there is one, matches the log (and its signature, with --allowed-signers)."""
    from warroom import checkpoint
    from warroom.store import check_import

    context = _ctx(ctx)
    if revoked and not allowed_signers:
        raise WarroomError("--revoked needs --allowed-signers FILE: the keys to check signatures against")
    signers = checkpoint.Signers(allowed_signers, revoked) if allowed_signers else None
    records, lines = read_export(file)
    # Every record checked before the database is opened: a refused import creates no file and writes nothing.
    by_incident = check_import(records, file, lines, context.clock.now())
    unmatched = checkpoint.beside_import(file, by_incident, signers)
    if unmatched:
        raise WarroomError(f"{file}: refused, {unmatched}", exit_code=1)
    imported = context.store().import_records(records, file, lines)
    for incident_id in imported:
        say(f"imported {incident_id}")


def read_export(file: str) -> tuple[list[dict[str, Any]], list[int]]:
    """The records of a jsonl export and the line each is on; one `FILE:LINE:` line for what is not one."""
    import json
    import stat

    try:
        with open(file, "rb") as handle:
            if stat.S_ISCHR(os.fstat(handle.fileno()).st_mode) or stat.S_ISBLK(os.fstat(handle.fileno()).st_mode):
                raise WarroomError(f"{file}: is a device, not a file: expected a jsonl export")  # /dev/zero never ends
            raw = handle.read()
    except FileNotFoundError:
        raise WarroomError(f"{file}: no such file") from None
    except IsADirectoryError:
        raise WarroomError(f"{file}: is a folder: expected a jsonl export") from None
    except OSError as error:  # no permission, a socket, a device...
        raise WarroomError(f"{file}: cannot read it ({error.strerror}): expected a jsonl export") from None
    records, lines = [], []
    for number, data in enumerate(raw.split(b"\n"), start=1):
        try:
            line = data.decode("utf-8")
        except UnicodeDecodeError:
            raise WarroomError(f"{file}:{number}: not UTF-8 text: expected a jsonl export") from None
        if not line.strip():
            continue
        try:
            record = json.loads(line, parse_constant=_no_constant)
        except json.JSONDecodeError as error:
            raise WarroomError(f"{file}:{number}: not JSON ({error.msg}): expected one exported event per line") from None
        except (ValueError, RecursionError) as error:  # NaN, a number of 5,000 digits, nesting 100,000 deep
            reason = "nested too deep" if isinstance(error, RecursionError) else str(error).split(":")[0].rstrip(".")
            raise WarroomError(f"{file}:{number}: not an export ({reason}): expected one exported event per line") from None
        if not isinstance(record, dict) or not isinstance(record.get("incident"), str):
            raise WarroomError(f"{file}:{number}: expected an exported event (an object with incident, seq, hash)")
        records.append(record)
        lines.append(number)
    if not records:
        raise WarroomError(f"{file}: holds no events: expected a jsonl export")
    return records, lines


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON has")


@cli.command()
@click.argument("incident", required=False)
@click.option("--fix-index", is_flag=True, help="Rebuild from the log the incidents' listing rows that disagree with it.")
@click.option("--allowed-signers", metavar="FILE", help="Check every checkpoint's signature against FILE (git's allowed_signers format).")
@click.option("--revoked", metavar="FILE", help="With --allowed-signers: refuse keys in FILE (a KRL or public keys, ssh-keygen -Y verify -r).")
@click.option("--checkpoint", "checkpoint_files", metavar="FILE", multiple=True, help="Check the log against a checkpoint file (written beside an export); repeatable.")
@click.pass_context
def verify(
    ctx: click.Context, incident: str | None, fix_index: bool, allowed_signers: str | None, revoked: str | None,
    checkpoint_files: tuple[str, ...],
) -> None:
    """Re-check every event's chain and sequence, every signed checkpoint, and that the listing (the incidents
    table) says what the log says (exit 1 at the first that does not fit)."""
    from warroom import checkpoint
    from warroom.incident import index_disagreement, state_of
    from warroom.store import Store

    context = _ctx(ctx)
    if revoked and not allowed_signers:
        raise WarroomError("--revoked needs --allowed-signers FILE: the keys to check signatures against")
    signers = checkpoint.Signers(allowed_signers, revoked) if allowed_signers else None  # files read before the log
    external = checkpoint.read_checkpoints(checkpoint_files)
    store = context.store()
    ids = [store.find_incident(incident)] if incident else [row.id for row in store.incidents()]
    missing = checkpoint.unindexed(store) if not incident else None
    if missing:
        raise WarroomError(f"verify failed: {missing}", exit_code=1)
    for name, signed in external:
        if signed.incident not in ids:
            where = "the incidents table" if incident is None else f"what verify was asked to check ({ids[0]})"
            raise WarroomError(f"verify failed: {signed.incident}: {name} ({signed.said()}) names an incident not in {where}", exit_code=1)
    total, stale, verified = 0, [], checkpoint.Verified()
    for incident_id in ids:
        problem = checkpoint.log_problem(store, incident_id, signers, checkpoint.external_for(incident_id, external), verified)
        if problem:
            raise WarroomError(f"verify failed: {problem}", exit_code=1)
        row = store.incident(incident_id)
        total += row.events
        try:
            events = store.events(incident_id)
            disagreement = index_disagreement(row, state_of(events)) or checkpoint.index_times_disagreement(store, incident_id, events)
        except WarroomError as error:
            raise WarroomError(f"verify failed: {error}", exit_code=1) from None
        if disagreement:
            stale.append((incident_id, disagreement))
    if stale and not fix_index:
        more = f" (and {len(stale) - 1} more)" if len(stale) > 1 else ""
        raise WarroomError(
            f"verify failed: {stale[0][1]}{more}; `warroom verify --fix-index` rebuilds the index from the log", exit_code=1
        )
    if stale:
        # Its own writable store, as the browser's: verify reads, and only this repair writes.
        with Store(store.path, clock=context.clock, create=False) as writable:
            for incident_id, disagreement in stale:
                writable.rebuild_index(incident_id)
                left = index_disagreement(writable.incident(incident_id), state_of(writable.events(incident_id)))
                if left:
                    raise WarroomError(f"verify failed: {left} (rebuilding the index did not change that)", exit_code=1)
                say(f"rebuilt the index of {disagreement.replace(': the index says', ' from the log: it said', 1)}")
    say(f"ok: {len(ids)} incident{'s' if len(ids) != 1 else ''}, {total} events, every chain verifies")
    for line in checkpoint.closing_lines(verified, signers):
        say(line)


@cli.command()
@click.argument("incident")
@click.option("--key", metavar="PATH", help=f"An SSH private key, or a public key whose private half is in ssh-agent (default: {KEY_VARIABLE}).")
@click.pass_context
def sign(ctx: click.Context, incident: str, key: str | None) -> None:
    """Sign the incident's log as it stands (its event count and head hash) with an SSH key, as a checkpoint event."""
    from warroom import checkpoint

    context = _ctx(ctx)
    store = context.store()
    event, signed = checkpoint.sign(store, store.find_incident(incident), key)
    say(f"{event.incident}: checkpoint at event {event.seq}, {signed.said()} ({signed.key}); head {signed.head}")


@cli.command()
@click.argument("incident", required=False)
@click.pass_context
def watch(ctx: click.Context, incident: str | None) -> None:
    """A read-only wall-screen view that follows the live incident (or the one named)."""
    from warroom.tui.app import require_terminal, run_console

    require_terminal()
    context = _ctx(ctx)
    store = context.store(readonly=True)
    incident_id = store.find_incident(incident) if incident else None
    run_console(store, incident_id=incident_id, watch=True)


@cli.command()
@click.option("--listen", default="127.0.0.1:9095", show_default=True, metavar="HOST:PORT", help="Where to listen.")
@click.option("--token-file", metavar="FILE", help="A bearer token every request must carry (required beyond loopback).")
@click.pass_context
def receive(ctx: click.Context, listen: str, token_file: str | None) -> None:
    """Take alerts over HTTP: Alertmanager's webhook at POST /alertmanager, Grafana's at POST /grafana, plain JSON
    at POST /alerts; each routed to an open incident (the playbook's routes:, else the only open one, else
    ?incident=ID) and stored once per firing and resolution."""
    from warroom import receive as receiver  # the server library only for this verb: `warroom log` starts as fast

    context = _ctx(ctx)
    playbook = context.playbook()
    path = context.db_file()
    from warroom.store import Store

    receiver.run(lambda: Store(path, clock=context.clock), playbook, context.clock, listen, token_file, context.actor)


@cli.command()
@click.option("--listen", default="127.0.0.1:8000", show_default=True, metavar="HOST:PORT", help="Where to listen.")
@click.option("--token-file", metavar="FILE", help="A bearer token that opens the console at /console (without it, only the wall).")
@click.pass_context
def serve(ctx: click.Context, listen: str, token_file: str | None) -> None:
    """The wall screen (`watch`) in a browser, read-only, at /; the console at /console only with --token-file."""
    from warroom import serve as serving  # the server library only for this verb

    context = _ctx(ctx)
    path = context.db_file()
    serving.run(path, context.playbook_path, context.actor, listen, token_file)


@cli.command()
@click.argument("incident")
@click.pass_context
def replay(ctx: click.Context, incident: str) -> None:
    """Replay an incident as the room saw it: read-only, play/pause, 1x-600x, step, jump."""
    from warroom.tui.app import require_terminal, run_console

    require_terminal()
    context = _ctx(ctx)
    store = context.store(readonly=True)
    incident_id = store.find_incident(incident)
    run_console(store, incident_id=incident_id, replay=True)


@cli.group()
def playbook() -> None:
    """Work with playbooks."""


@playbook.command("check")
@click.argument("path", required=False)
@click.pass_context
def playbook_check(ctx: click.Context, path: str | None) -> None:
    """Validate a playbook (default: the one warroom would use) and summarise it."""
    from warroom.playbook import load_playbook

    loaded = load_playbook(path or _ctx(ctx).playbook_path)
    say(loaded.summary())


# --- metrics across incidents -----------------------------------------------------------------------


@cli.command()
@click.option("--since", "since_text", metavar="DATE", help="Only incidents that started on or after DATE (2026-11-01, -30d).")
@click.option("--json", "as_json", is_flag=True, help="JSON, for scripts.")
@click.pass_context
def stats(ctx: click.Context, since_text: str | None, as_json: bool) -> None:
    """Per severity: how many incidents, how fast they were acknowledged, mitigated and resolved, and
    how often the response target and each phase window were met."""
    from warroom import history, report
    from warroom.clock import parse_time

    context = _ctx(ctx)
    now = context.clock.now()
    since = None
    if since_text is not None:
        try:
            since = parse_time(since_text, now)
        except WarroomError:
            raise WarroomError(
                f"bad --since date {since_text!r}: expected a date like 2026-11-01, a time like 2026-11-01T09:00, or -30d"
            ) from None
    store = context.store()
    chosen = [row for row in store.incidents() if since is None or row.started_at >= since]
    known = history.History(store, many=True)
    warn_unverified(known.problems(chosen))
    states = [known.state(row.id) for row in chosen]
    result = report.stats(states, now, since)
    if as_json:
        say_json(result.to_json())
    else:
        say(report.format_stats(result))
