"""`warroom serve`: the wall screen (`warroom watch`) in a browser through textual-serve, read-only; the console only with a token.

Each browser tab gets its own `warroom watch` process (textual-serve runs it with Textual's web driver and relays
its output to xterm.js), reading the log read-only like any wall. /console runs the console itself, and only for a
browser that showed the bearer token (--token-file): once, as ?token= or an Authorization header, after which a
cookie holding the token's hash, for this path alone and this site alone, opens its websocket.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import shlex
import sys
from pathlib import Path
from typing import Any, Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web

from warroom.errors import WarroomError
from warroom.receive import parse_listen, read_token, refuse, serve_app

DEFAULT_LISTEN = "127.0.0.1:8000"
MAX_SESSIONS = 16  # browser tabs at once: each is a process
COOKIE = "warroom-console"


def commands(db: Path, playbook: str | None, actor: str | None) -> tuple[str, str]:
    """The wall's command and the console's, for textual-serve to run per browser tab."""
    base = [sys.executable, "-m", "warroom", "--db", str(db)]
    console = base + (["--playbook", playbook] if playbook else []) + (["--actor", actor] if actor else [])
    return shlex.join(base + ["watch"]), shlex.join(console)


def make_app(wall_command: str, console_command: str, token: str | None) -> web.Application:
    import aiohttp_jinja2
    import jinja2
    from textual_serve.server import Server

    wall, console = Server(wall_command, title="warroom wall"), Server(console_command, title="warroom console")
    for server in (wall, console):
        server.debug = False  # set by Server.serve(), which warroom does not call: it runs its own site
    sessions: set[asyncio.Task] = set()  # each tab's websocket handler: ended first when the server stops
    cookie_value = hashlib.sha256(f"warroom-console:{token}".encode()).hexdigest() if token else ""

    def page(server: Any, websocket_path: str) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def index(request: web.Request) -> web.StreamResponse:
            scheme = "wss" if request.secure else "ws"
            context = {
                "font_size": _font_size(request.query.get("fontsize")),
                "app_websocket_url": f"{scheme}://{request.host}{websocket_path}",
                "config": {"static": {"url": "/static/"}},
                "application": {"name": server.title},
            }
            return aiohttp_jinja2.render_template("app_index.html", request, context)

        return index

    def session(server: Any) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def websocket(request: web.Request) -> web.StreamResponse:
            if len(sessions) >= MAX_SESSIONS:
                return refuse(503, f"{MAX_SESSIONS} screens are open already: close one")
            task = asyncio.current_task()
            assert task is not None
            sessions.add(task)
            try:
                return await server.handle_websocket(request)
            finally:
                sessions.discard(task)

        return websocket

    def console_allowed(request: web.Request) -> str | None:
        """None when this browser showed the token; else why not."""
        if token is None:
            return "the console is served only with --token-file: the wall is at /"
        given = request.query.get("token") or request.headers.get("Authorization", "").partition(" ")[2].strip()
        if given and hmac.compare_digest(given.encode(), token.encode()):
            return None
        if hmac.compare_digest(request.cookies.get(COOKIE, "").encode(), cookie_value.encode()):
            return None
        return "the console needs the bearer token: open /console?token=TOKEN once"

    console_page = page(console, "/console/ws")
    console_session = session(console)

    async def console_index(request: web.Request) -> web.StreamResponse:
        problem = console_allowed(request)
        if problem:
            return refuse(404 if token is None else 401, problem)
        response = await console_page(request)
        response.set_cookie(COOKIE, cookie_value, path="/console", httponly=True, samesite="Strict", secure=request.secure)
        return response

    async def console_websocket(request: web.Request) -> web.StreamResponse:
        problem = console_allowed(request)
        if problem:
            return refuse(404 if token is None else 401, problem)
        origin = request.headers.get("Origin")
        if origin and urlsplit(origin).netloc != request.host:  # another site's page driving this browser's console
            return refuse(403, f"a console opened from another site ({origin}) is refused")
        return await console_session(request)

    async def end_sessions(app: web.Application) -> None:
        # Each tab's handler, cancelled, closes its websocket and quits its screen's process; aiohttp would
        # otherwise wait for browsers to hang up.
        for task in list(sessions):
            task.cancel()
        await asyncio.gather(*sessions, return_exceptions=True)

    app = web.Application()
    app.on_shutdown.append(end_sessions)
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(wall.templates_path))
    app.add_routes([
        web.get("/", page(wall, "/ws")),
        web.get("/ws", session(wall)),
        web.get("/console", console_index),
        web.get("/console/ws", console_websocket),
        web.static("/static", wall.statics_path),
    ])
    return app


def _font_size(text: str | None) -> int:
    return int(text) if text and text.isdigit() and 6 <= int(text) <= 64 else 16


def run(db: Path, playbook: str | None, actor: str | None, listen: str, token_file: str | None) -> None:
    """Serve until SIGINT or SIGTERM; one line on stderr says where."""
    host, port = parse_listen(listen)
    token = read_token(token_file)
    if not db.exists():
        raise WarroomError(f"{db}: no database there yet: declare an incident first (the wall only reads)")
    wall_command, console_command = commands(db, playbook, actor)
    app = make_app(wall_command, console_command, token)
    asyncio.run(serve_app(app, host, port, lambda bound: _listening_line(host, bound, token is not None)))


def _listening_line(host: str, port: int, with_console: bool) -> str:
    shown = f"[{host}]" if ":" in host else host
    console = f"; the console at http://{shown}:{port}/console?token=..." if with_console else ""
    return f"warroom serve: the wall at http://{shown}:{port}/{console}"
