"""A CloudFront stand-in that enforces the rules moto does not (owned by the deploy area).

A real HTTP proxy in front of moto's CloudFront. ``CreateInvalidation`` requests are checked the way AWS
checks them before they reach moto:

- a CallerReference sent again with *other* paths is refused with 409 ``InvalidationBatchAlreadyExists``
  (for ever, as on AWS); sent again with the same paths, the first answer is returned unchanged;
- every path must start with ``/``, be ASCII, have RFC 1738's unsafe characters percent-encoded, carry
  valid ``%XX`` escapes and use ``*`` only as the last character; otherwise 400 ``InvalidArgument``.

Everything else (GetInvalidation, distributions) goes to moto as it is. ``cloudfront_standin`` sets
``AWS_ENDPOINT_URL_CLOUDFRONT`` for the test and yields the proxy, which records what it saw.
"""

from __future__ import annotations

import http.client
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse
from xml.etree import ElementTree

import pytest

_NS = "{http://cloudfront.amazonaws.com/doc/2020-05-31/}"
_UNSAFE = set(' "<>#{}|\\^~[]`')
_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def path_problem(path: str) -> str | None:
    """Why CloudFront refuses ``path`` in an invalidation batch, or ``None``."""
    if not path.startswith("/"):
        return "must start with /"
    if any(ord(c) > 0x7E or ord(c) < 0x21 for c in path):
        return "non-ASCII or control character not URL-encoded"
    if any(c in _UNSAFE for c in path):
        return "unsafe character not URL-encoded"
    if _ESCAPE.search(path):
        return "bad % escape"
    if "*" in path[:-1]:
        return "* only at the end"
    return None


@dataclass
class CloudFrontStandIn:
    upstream: str
    batches: dict[tuple[str, str], tuple[list[str], int, bytes, list[tuple[str, str]]]] = field(
        default_factory=dict
    )
    #: (distribution, caller reference, paths, status answered)
    seen: list[tuple[str, str, list[str], int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        up = urlparse(self.upstream)
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def _send(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _error(self, status: int, code: str, message: str) -> None:
                body = (
                    f'<?xml version="1.0"?><ErrorResponse xmlns="{_NS[1:-1]}"><Error><Type>Sender</Type>'
                    f"<Code>{code}</Code><Message>{message}</Message></Error>"
                    "<RequestId>stand-in</RequestId></ErrorResponse>"
                ).encode()
                self._send(status, body, [("Content-Type", "text/xml")])

            def _forward(self, body: bytes) -> tuple[int, bytes, list[tuple[str, str]]]:
                conn = http.client.HTTPConnection(up.netloc, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                conn.request(self.command, self.path, body=body or None, headers=headers)
                response = conn.getresponse()
                data = response.read()
                kept = [
                    (k, v)
                    for k, v in response.getheaders()
                    if k.lower()
                    not in ("transfer-encoding", "connection", "content-length", "server", "date")
                ]
                conn.close()
                return response.status, data, kept

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                match = re.fullmatch(
                    r"/2020-05-31/distribution/([^/]+)/invalidation", self.path.split("?")[0]
                )
                if self.command != "POST" or match is None:
                    self._send(*self._forward(body))
                    return
                root = ElementTree.fromstring(body)
                paths = [p.text or "" for p in root.iter(f"{_NS}Path")]
                ref = root.findtext(f"{_NS}CallerReference") or ""
                key = (match.group(1), ref)
                with stand_in._lock:
                    problems = [p for p in paths if path_problem(p)]
                    if problems:
                        stand_in.seen.append((key[0], ref, paths, 400))
                        self._error(
                            400, "InvalidArgument", "Your request contains invalid invalidation paths."
                        )
                        return
                    known = stand_in.batches.get(key)
                    if known is not None:
                        if sorted(known[0]) != sorted(paths):
                            stand_in.seen.append((key[0], ref, paths, 409))
                            self._error(
                                409,
                                "InvalidationBatchAlreadyExists",
                                "The CallerReference you attempted to create the invalidation with is "
                                "already in use.",
                            )
                            return
                        stand_in.seen.append((key[0], ref, paths, known[1]))
                        self._send(known[1], known[2], known[3])
                        return
                    status, data, headers = self._forward(body)
                    if status < 300:
                        stand_in.batches[key] = (paths, status, data, headers)
                    stand_in.seen.append((key[0], ref, paths, status))
                self._send(status, data, headers)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        # Bound to 127.0.0.1 above; server_port is the port the OS chose for port 0.
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self) -> str:
        self.thread.start()
        return self.url

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def cloudfront_standin(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CloudFrontStandIn]:
    """The stand-in in front of moto, set as this test's CloudFront endpoint."""
    stand_in = CloudFrontStandIn(moto_server)
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDFRONT", stand_in.start())
    try:
        yield stand_in
    finally:
        stand_in.stop()
