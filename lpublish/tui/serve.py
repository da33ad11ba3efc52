"""Browser mode (``lpublish serve``): the TUI in a web page via textual-serve, locked down.

Owns: ``SecretServer`` and ``serve``. textual-serve has no authentication and no Origin check and starts
one app process per websocket, so:

- it binds to 127.0.0.1 only and answers only requests whose ``Host`` is this loopback address and port
  (a DNS-rebinding page on ``evil.example`` gets 403);
- the long-lived secret is a cookie (``HttpOnly``, ``SameSite=Strict``) and appears in no URL and no
  command line. The browser is opened on a *one-time* URL ``/open/<ticket>`` that sets the cookie and
  redirects to the app; the ticket works once and only for ``TICKET_SECONDS``, so seeing it in ``ps``
  (browsers are started with the URL in their argv) or in the terminal afterwards gives nothing;
- every other route (page, static files, the websocket, downloads) needs the cookie, and a websocket
  upgrade must come from this page's origin.

File picking in the page happens on the machine running ``lpublish serve``.
"""

from __future__ import annotations

import hmac
import secrets
import shlex
import socket
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.server import Server

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
TEMPLATES = Path(__file__).parent / "serve_templates"

COOKIE = "lpublish_session"
#: Where the app lives (fixed: the secret is the cookie, not the path).
APP_PREFIX = "/app/"
#: How long the one-time link may wait to be opened.
TICKET_SECONDS = 300.0


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class SecretServer(Server):
    """textual-serve's server behind a session cookie handed out once, a Host check and an Origin check."""

    def __init__(
        self, command: str, *, port: int, secret: str | None = None, title: str = "lpublish"
    ) -> None:
        self.secret = secret or secrets.token_urlsafe(32)
        self._ticket: str | None = secrets.token_urlsafe(24)
        self._ticket_expires = time.monotonic() + TICKET_SECONDS
        self._ticket_lock = threading.Lock()
        self.port = port
        super().__init__(
            command,
            host="127.0.0.1",
            port=port,
            title=title,
            public_url=f"http://127.0.0.1:{port}",
            # Our copy of the page loads no web font from the internet (textual-serve's does).
            templates_path=TEMPLATES,
        )

    @property
    def url(self) -> str:
        """The one-time address to open (contains only the ticket, never the session secret)."""
        return f"{self.public_url}/open/{self._ticket or 'used'}"

    @property
    def app_url(self) -> str:
        return f"{self.public_url}{APP_PREFIX}"

    def take_ticket(self, ticket: str) -> bool:
        """Whether ``ticket`` is the unused, unexpired one-time ticket; it is used up either way."""
        with self._ticket_lock:
            wanted = self._ticket
            if wanted is None or time.monotonic() > self._ticket_expires:
                return False
            if not hmac.compare_digest(ticket.encode(), wanted.encode()):
                return False
            self._ticket = None
            return True

    def host_allowed(self, request: web.Request) -> bool:
        """Only this loopback address and port: a rebinding name resolving to 127.0.0.1 is refused."""
        return request.host in (f"127.0.0.1:{self.port}", f"localhost:{self.port}")

    def allowed(self, request: web.Request) -> bool:
        """The session cookie is present and right, and a websocket upgrade comes from this origin."""
        if not self.host_allowed(request):
            return False
        cookie = request.cookies.get(COOKIE, "")
        if not cookie or not hmac.compare_digest(cookie.encode(), self.secret.encode()):
            return False
        if request.headers.get("Upgrade", "").lower() == "websocket":
            origin = request.headers.get("Origin")
            if origin is not None:
                got = urlsplit(origin)
                if (got.scheme, got.netloc) not in self.origins():
                    return False
        return True

    async def handle_open(self, request: web.Request) -> web.StreamResponse:
        if not self.host_allowed(request) or not self.take_ticket(request.match_info["ticket"]):
            return web.Response(status=403, text="This link was already used or has expired.\n")
        response = web.Response(status=303, headers={"Location": APP_PREFIX})
        response.set_cookie(COOKIE, self.secret, httponly=True, samesite="Strict", path="/")
        # Keep the ticket out of any later Referer.
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    def origins(self) -> set[tuple[str, str]]:
        """Where this page may be opened from: 127.0.0.1 and ``localhost`` on our port (same machine)."""
        port = urlsplit(self.public_url).port
        return {("http", f"127.0.0.1:{port}"), ("http", f"localhost:{port}")}

    async def _make_app(self) -> web.Application:
        inner = await super()._make_app()

        @web.middleware
        async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
            if request.path.startswith("/open/"):
                return await handler(request)
            if not self.allowed(request):
                return web.Response(status=403, text="Forbidden\n")
            response = await handler(request)
            response.headers.setdefault("Referrer-Policy", "no-referrer")
            return response

        root = web.Application(middlewares=[guard])
        root.router.add_get("/open/{ticket}", self.handle_open)
        root.add_subapp(APP_PREFIX, inner)
        return root

    async def on_startup(self, app: web.Application) -> None:
        self.console.print(f"lpublish: {self.url}")
        self.console.print("This link works once. Press Ctrl+C to stop.")


def app_command(site: Path | None, lang: str | None) -> str:
    """The command textual-serve runs for each browser tab (this Python, this site)."""
    args = [sys.executable, "-m", "lpublish"]
    if lang:
        args += ["--lang", lang]
    args.append("tui")
    if site is not None:
        args += ["--site", str(site.resolve())]
    return shlex.join(args)


def serve(
    site: Path | None = None, *, port: int = 0, lang: str | None = None, open_browser: bool = True
) -> None:
    """Serve the TUI on 127.0.0.1 until Ctrl+C."""
    server = SecretServer(app_command(site, lang), port=port or free_port())
    if open_browser:
        threading.Thread(target=_open_when_ready, args=(server.url, server.port), daemon=True).start()
    server.serve()


def _open_when_ready(url: str, port: int, timeout: float = 30.0) -> None:
    """Start the browser once the server accepts connections (a one-time link must not be wasted on a
    "connection refused" page). Only the ticket is in the browser's command line, never the secret."""
    import webbrowser

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.1)
    webbrowser.open(url)
