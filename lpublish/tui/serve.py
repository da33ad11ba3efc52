"""Browser mode (``lpublish serve``): the TUI in a web page via textual-serve, locked down.

Owns: ``SecretServer`` and ``serve``. textual-serve has no authentication and no Origin check and starts
one app process per websocket, so: it binds to 127.0.0.1 only; every route (page, static files, the
websocket, downloads) lives under a random secret path prefix (``/<secret>/``), and a middleware refuses
anything else with 403; websocket upgrades must also come from the same origin. File picking in the
page happens on the machine running ``lpublish serve``.
"""

from __future__ import annotations

import hmac
import secrets
import shlex
import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.server import Server

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
TEMPLATES = Path(__file__).parent / "serve_templates"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class SecretServer(Server):
    """textual-serve's server with every route behind ``/<secret>/`` and an Origin check."""

    def __init__(
        self, command: str, *, port: int, secret: str | None = None, title: str = "lpublish"
    ) -> None:
        self.secret = secret or secrets.token_urlsafe(24)
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
        """The page to open (contains the secret: treat it like a password)."""
        return f"{self.public_url}/{self.secret}/"

    def allowed(self, request: web.Request) -> bool:
        """The path carries the secret, and a websocket upgrade comes from this page's origin."""
        parts = request.path.split("/", 2)
        if len(parts) < 3 or not hmac.compare_digest(parts[1].encode(), self.secret.encode()):
            return False
        if request.headers.get("Upgrade", "").lower() == "websocket":
            origin = request.headers.get("Origin")
            if origin is not None:
                got = urlsplit(origin)
                if (got.scheme, got.netloc) not in self.origins():
                    return False
        return True

    def origins(self) -> set[tuple[str, str]]:
        """Where this page may be opened from: 127.0.0.1 and ``localhost`` on our port (same machine)."""
        port = urlsplit(self.public_url).port
        return {("http", f"127.0.0.1:{port}"), ("http", f"localhost:{port}")}

    async def _make_app(self) -> web.Application:
        inner = await super()._make_app()

        @web.middleware
        async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
            if not self.allowed(request):
                return web.Response(status=403, text="Forbidden\n")
            return await handler(request)

        root = web.Application(middlewares=[guard])
        root.add_subapp(f"/{self.secret}/", inner)
        return root

    async def on_startup(self, app: web.Application) -> None:
        self.console.print(f"lpublish: {self.url}")
        self.console.print("Press Ctrl+C to stop.")


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
        import webbrowser

        webbrowser.open(server.url)
    server.serve()
