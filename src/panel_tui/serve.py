"""``panel-tui serve``: the app in a browser, through textual-serve, behind a secret token.

For staff with a browser and no SSH client: the host runs the app for them
(reached on the host itself or over an SSH tunnel). Each browser tab gets its
own app process, started by this server as the user who started the server,
so it acts as that user, exactly as ``panel-tui`` in their terminal would.

Protected the way Jupyter protects a local server: the server binds to
127.0.0.1 by default, and a secret token (``secrets.token_urlsafe``) is part of
the URL printed at start. Every request must carry it, in the URL (the first
page) or in the cookie that page sets (HttpOnly, SameSite=Strict: the page's
scripts, styles and websocket); anything else gets 403. The websocket, which
drives the app, also refuses an ``Origin`` other than the server's own, so a
page from elsewhere cannot open one with the cookie. Another user of the host
can reach the port but not the token, so cannot drive the app.
"""

from __future__ import annotations

import secrets
import shlex
import sys
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.server import Server

COOKIE = "panel-tui-token"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def app_command(db: str | None, as_login: str | None) -> str:
    """The shell command that starts one app for one browser tab (as this user)."""
    # -P: not the working directory first on sys.path (a planted panel_tui/ there would
    # run instead, as the service account when serve runs through it).
    words = [sys.executable, "-P", "-m", "panel_tui"]
    if db:
        words += ["--db", db]
    if as_login:
        words += ["--as", as_login]
    return shlex.join(words)


class TokenServer(Server):
    """textual-serve's server, every request checked for the token (see the module)."""

    def __init__(self, command: str, *, host: str, port: int, token: str, title: str) -> None:
        url_host = f"[{host}]" if ":" in host else host
        super().__init__(
            command, host=host, port=port, title=title, public_url=f"http://{url_host}:{port}"
        )
        self.token = token

    @property
    def url(self) -> str:
        return f"{self.public_url}/?token={self.token}"

    def _allowed(self, request: web.Request) -> bool:
        offered = request.query.get("token") or request.cookies.get(COOKIE) or ""
        return secrets.compare_digest(offered.encode(), self.token.encode())

    @web.middleware
    async def guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not self._allowed(request):
            raise web.HTTPForbidden(text="403: this panel-tui server needs its token in the URL\n")
        origin = request.headers.get("Origin")
        if origin is not None and urlsplit(origin).netloc != request.host:
            raise web.HTTPForbidden(text="403: a page from another site cannot use this server\n")
        response = await handler(request)
        if request.query.get("token"):
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="Strict", path="/")
        return response

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self.guard)
        return app

    async def on_startup(self, app: web.Application) -> None:
        self.console.print(f"panel-tui in a browser: {self.url}", highlight=False, soft_wrap=True)
        self.console.print(
            "Anyone with this URL acts as you: keep it private. Ctrl+C stops the server.",
            highlight=False,
        )


def serve(
    *, db: str | None, as_login: str | None, host: str, port: int, token: str | None = None
) -> int:
    """Run the server until Ctrl+C (or SIGTERM)."""
    server = TokenServer(
        app_command(db, as_login),
        host=host,
        port=port,
        token=token or secrets.token_urlsafe(32),
        title="panel-tui",
    )
    if host not in ("127.0.0.1", "localhost", "::1"):
        server.console.print(
            f"Warning: listening on {host}, not only this host: the token is all that "
            "protects the app (and it travels unencrypted over plain HTTP).",
            highlight=False,
        )
    server.serve()
    return 0
