"""`warroom receive`: the HTTP receiver (aiohttp) for Alertmanager's and Grafana's webhooks and plain JSON alerts.

The event loop reads, authenticates and parses requests; one writer thread owns the store and commits. Requests
that arrive while it commits are taken together: routed, deduplicated (warroom.alerts.plan) and stored in order in
one transaction, begun before the log is read for repeats, and each answered once its alerts are committed (a
group commit: a storm of one-alert posts costs one fsync per batch, not per alert). If the database fails, the
group is tried again a request at a time: a request is stored whole or not at all. Every refusal is a 4xx (a
failing database a 5xx) with one line, and nothing of the refused request is written.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import queue
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from aiohttp import web

from warroom.alerts import MAX_BODY, SOURCES, AlertError, AlertLedger, Received, parse_body, plan
from warroom.clock import Clock
from warroom.errors import WarroomError
from warroom.playbook import Playbook
from warroom.store import Store
from warroom.text import one_line

ENDPOINTS = {"/alertmanager": "alertmanager", "/grafana": "grafana", "/alerts": "alerts"}
DEFAULT_LISTEN = "127.0.0.1:9095"
GROUP_MAX = 500  # requests committed together at most


def parse_listen(text: str, what: str = "--listen") -> tuple[str, int]:
    """HOST:PORT ([::1]:PORT for IPv6) into its parts; one line when it is not that."""
    host, _, port_text = text.strip().rpartition(":")
    host = host.strip("[]")
    if not host or not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise WarroomError(f"{what} {text!r}: expected HOST:PORT, such as 127.0.0.1:9095")
    return host, int(port_text)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name: it may resolve to anything


def read_token(path: str | None, what: str = "--token-file") -> str | None:
    """The bearer token in the file (its first line), or None without a file; one line when it has none."""
    if path is None:
        return None
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise WarroomError(f"{what} {path}: cannot read it ({getattr(error, 'strerror', None) or error})") from None
    token = text.strip().splitlines()[0].strip() if text.strip() else ""
    if len(token) < 16:
        raise WarroomError(f"{what} {path}: expected a token of at least 16 characters on its first line")
    return token


def token_problem(request: web.Request, token: str | None) -> str | None:
    """None when the request may pass: no token is asked for, or it carries the right one."""
    if token is None:
        return None
    given = request.headers.get("Authorization", "")
    scheme, _, credentials = given.partition(" ")
    if not given or scheme.lower() != "bearer":
        return "a bearer token is required: expected the header Authorization: Bearer TOKEN"
    if not hmac.compare_digest(credentials.strip().encode(), token.encode()):
        return "the bearer token is not the one this receiver was given"
    return None


def refuse(status: int, message: str, **headers: str) -> web.Response:
    return web.Response(status=status, text=f"warroom: {one_line(message)}\n", headers=headers)


@dataclass
class _Pending:
    alerts: list[Received]
    incident: str | None
    future: asyncio.Future
    loop: asyncio.AbstractEventLoop


class Writer(threading.Thread):
    """Owns the store: every read and write of the log happens in this one thread, in the order requests came."""

    def __init__(self, open_store: Callable[[], Store], playbook: Playbook, clock: Clock, actors: dict[str, str]) -> None:
        super().__init__(name="warroom-receive-writer", daemon=True)
        self.open_store = open_store
        self.playbook = playbook
        self.clock = clock
        self.actors = actors
        self.requests: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self.ready = threading.Event()
        self.failed: BaseException | None = None
        self._checkpoint: Callable[[], None] | None = None  # the last commit's checkpoint, run once nothing waits

    def _later(self, checkpoint: Callable[[], None]) -> bool:
        self._checkpoint = checkpoint
        return True

    def _next(self) -> _Pending | None:
        """The next request; when none is waiting, the commit's checkpoint first (its copy into the file and
        fsync would otherwise come between every batch and its answer, and double a storm's fsyncs)."""
        try:
            return self.requests.get_nowait()
        except queue.Empty:
            pass
        if self._checkpoint is not None:
            checkpoint, self._checkpoint = self._checkpoint, None
            checkpoint()
        return self.requests.get()

    def run(self) -> None:
        try:
            store = self.open_store()
            store.backfill_later = self._later
            ledger = AlertLedger(store)
            for row in store.open_incidents():  # the fold each open incident's alerts are deduplicated against
                ledger.folded(row.id)
        except BaseException as error:  # said by the main thread, as one line
            self.failed = error
            self.ready.set()
            return
        self.ready.set()
        try:
            while True:
                first = self._next()
                if first is None:
                    break
                group, stop = [first], False
                while len(group) < GROUP_MAX:
                    try:
                        item = self.requests.get_nowait()
                    except queue.Empty:
                        break
                    if item is None:
                        stop = True
                        break
                    group.append(item)
                self._commit(store, ledger, group)
                if stop:
                    break
        finally:
            store.close()

    def _commit(self, store: Store, ledger: AlertLedger, group: list[_Pending]) -> None:
        answers = self._attempt(store, ledger, group)
        if answers is None:  # the group's one transaction failed: each request alone, so only one that fails is refused
            answers = [answer for pending in group for answer in self._attempt(store, ledger, [pending]) or ()]
        for pending, answer in zip(group, answers):
            pending.loop.call_soon_threadsafe(_settle, pending.future, answer)

    def _attempt(self, store: Store, ledger: AlertLedger, group: list[_Pending]) -> list[Any] | None:
        """The requests routed, deduplicated and stored in one transaction (BEGIN IMMEDIATE before the log is read
        for repeats: another receiver on the file cannot store the same alert in between), and their answers; all
        of it or, when the database fails, none of it: then None for a group (to be tried a request at a time), or
        a request's refusal."""
        try:
            with store.transaction():
                results = plan([(p.alerts, p.incident) for p in group], store, self.playbook, ledger, self.clock.now(),
                               self.actors)
                merged: dict[tuple[str, str], list] = {}
                for pending, result in zip(group, results):
                    if isinstance(result, AlertError):
                        continue
                    actor = self.actors[pending.alerts[0].source] if pending.alerts else ""
                    for incident_id, items in result[0].items():
                        merged.setdefault((incident_id, actor), []).extend(items)
                appended = [store.append_many(incident_id, items, actor=actor) for (incident_id, actor), items in merged.items()]
        except Exception as error:
            ledger.rolled_back()
            if len(group) > 1:
                return None
            if isinstance(error, WarroomError):
                return [AlertError(f"nothing stored: {error}", 409)]
            # A database error: the client retries (Alertmanager does, on a 5xx).
            print(f"warroom receive: {one_line(type(error).__name__)}: {one_line(error)}", file=sys.stderr)
            return [AlertError(f"nothing stored: {one_line(error)}", 503)]
        ledger.committed()
        for events in appended:
            ledger.took(events)
        return [r if isinstance(r, AlertError) else r[1].to_json() for r in results]


def _settle(future: asyncio.Future, answer: Any) -> None:
    if not future.done():  # the client may have gone
        future.set_result(answer)


def make_app(writer: Writer, token: str | None) -> web.Application:
    """The receiver's routes; every answer but a stored batch's is one line of text."""

    async def receive(request: web.Request) -> web.StreamResponse:
        if request.path == "/healthz" and request.method in ("GET", "HEAD"):
            return web.Response(text="ok\n")
        endpoint = ENDPOINTS.get(request.path.rstrip("/") or "/")
        if endpoint is None:
            return refuse(404, f"no such endpoint {request.path}: expected POST {', '.join(ENDPOINTS)}")
        if request.method != "POST":
            return refuse(405, f"{request.method} {request.path}: expected POST", Allow="POST")
        problem = token_problem(request, token)
        if problem:
            return refuse(401, problem, **{"WWW-Authenticate": 'Bearer realm="warroom"'})
        if request.content_length is not None and request.content_length > MAX_BODY:
            return refuse(413, f"the body is {request.content_length:,} bytes: expected at most {MAX_BODY:,}")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return refuse(413, f"the body is over {MAX_BODY:,} bytes: expected at most {MAX_BODY:,}")
        try:
            alerts = parse_body(body, endpoint)
        except AlertError as error:
            return refuse(error.status, str(error))
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        writer.requests.put(_Pending(alerts, request.query.get("incident"), future, loop))
        answer = await future
        if isinstance(answer, AlertError):
            return refuse(answer.status, str(answer))
        return web.json_response(answer)

    @web.middleware
    async def one_line_errors(request: web.Request, handler: Callable) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPException as error:
            return refuse(error.status, error.reason)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # never a traceback to the client
            print(f"warroom receive: {one_line(type(error).__name__)}: {one_line(error)}", file=sys.stderr)
            return refuse(500, "the receiver failed on this request; nothing was stored")

    app = web.Application(client_max_size=MAX_BODY + 1, middlewares=[one_line_errors])
    app.router.add_route("*", "/{tail:.*}", receive)
    return app


def run(open_store: Callable[[], Store], playbook: Playbook, clock: Clock, listen: str, token_file: str | None,
        actor: str | None) -> None:
    """Serve until SIGINT or SIGTERM, committing what is received; one line on stderr says where it listens."""
    host, port = parse_listen(listen)
    token = read_token(token_file)
    if token is None and not is_loopback(host):
        raise WarroomError(f"--listen {listen}: beyond loopback every request must carry a bearer token: give --token-file FILE")
    actors = {source: source for source in SOURCES.values()}  # each source records its events as itself
    if actor:
        actors["monitoring"] = actor  # plain JSON alerts are recorded as --actor when given (a script's name)
    writer = Writer(open_store, playbook, clock, actors)
    writer.start()
    writer.ready.wait()
    if writer.failed is not None:
        raise writer.failed
    try:
        asyncio.run(serve_app(make_app(writer, token), host, port, lambda bound: _listening_line(host, bound, token is not None)))
    finally:
        writer.requests.put(None)
        writer.join(timeout=30)


def _listening_line(host: str, port: int, with_token: bool) -> str:
    shown = f"[{host}]" if ":" in host else host
    return (f"warroom receive: listening on http://{shown}:{port} (POST {', '.join(ENDPOINTS)})"
            f"{'; a bearer token is required' if with_token else ''}")


async def serve_app(app: web.Application, host: str, port: int, said: Callable[[int], str]) -> None:
    """Run an aiohttp app on HOST:PORT until SIGINT or SIGTERM (`warroom receive`, `warroom serve`): once it
    listens, the line `said(bound port)` on stderr (port 0 binds a free one, which tests read from that line);
    a port it cannot take is one line. What is in flight is answered before it returns."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port, reuse_address=True)
    try:
        await site.start()
    except OSError as error:
        await runner.cleanup()
        raise WarroomError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    bound = site._server.sockets[0].getsockname()[1] if site._server and site._server.sockets else port  # type: ignore[union-attr]
    print(said(bound), file=sys.stderr, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
