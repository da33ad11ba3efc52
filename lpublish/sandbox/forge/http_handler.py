"""The local forge's HTTP request handler (stdlib ``http.server``).

Owns: turning an HTTP/1.1 request into ``LocalForge.handle(method, path, headers, body)`` and its
:class:`Response` back into bytes: chunked bodies read, a server bug answered with 500 instead of a hung
client, the ``x-ratelimit-*`` headers GitHub sends with every API answer, the request record tests
read, and one DEBUG log line per request (method, path, status; never a header or a query, which may
hold a token).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

from lpublish.sandbox.forge.git_http import read_body
from lpublish.sandbox.forge.responses import RATE_LIMIT, Response, error

logger = logging.getLogger(__name__)

#: ``LocalForge.handle``: (method, path with query, headers with lower-case names, body) -> answer.
Handle = Callable[[str, str, dict[str, str], bytes], Response]


def make_handler(
    handle: Callable[[], Handle], requests: list[tuple[str, str, int]]
) -> type[BaseHTTPRequestHandler]:
    """A handler class answering with ``handle()`` (looked up per request, so tests may wrap it) and
    recording ``(method, path, status)`` in ``requests``."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "LocalForge/1.0"

        def log_message(self, format: str, *args: Any) -> None:
            """Silence the default stderr log (it would show the request line); see ``_serve``."""

        def _serve(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            body = read_body(self.rfile, headers)
            path = urlsplit(self.path).path
            try:
                response = handle()(self.command, self.path, headers, body)
            except Exception as exc:  # a server bug must answer 500, not hang the client
                logger.debug("%s %s failed", self.command, path, exc_info=True)
                response = error(500, f"Server Error: {type(exc).__name__}")
            with contextlib.suppress(Exception):
                requests.append((self.command, path, response.status))
            logger.debug("%s %s -> %d", self.command, path, response.status)
            self.send_response(response.status)
            if response.status != 204:
                self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            if not self.path.startswith("/login/") and ".git/" not in self.path:
                self._rate_limit_headers(response)
            for key, value in response.headers.items():
                if key.lower().startswith("x-ratelimit-"):
                    continue
                self.send_header(key, value)
            self.end_headers()
            if self.command != "HEAD" and response.status != 204:
                self.wfile.write(response.body)

        def _rate_limit_headers(self, response: Response) -> None:
            # GitHub sends the primary quota with every API answer; an injected "rate-limit" fault
            # says 0 remaining.
            self.send_header("x-ratelimit-limit", str(RATE_LIMIT))
            self.send_header(
                "x-ratelimit-remaining", response.headers.get("x-ratelimit-remaining", str(RATE_LIMIT - 1))
            )
            self.send_header("x-ratelimit-reset", str(int(time.time()) + 3600))
            self.send_header("x-ratelimit-resource", "core")

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _serve

    return Handler
