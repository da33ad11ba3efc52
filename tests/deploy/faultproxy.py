"""A small real HTTP proxy in front of moto that injects failures (5xx answers, connection resets).

Used by the fault tests: S3 behaves like a flaky network or an overloaded service for chosen requests.
"""

from __future__ import annotations

import http.client
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

#: (method, path, attempt) -> "500" | "503" | "403" | "reset" | "delete-errors" | None
FaultRule = Callable[[str, str, int], str | None]


class FaultProxy:
    def __init__(self, upstream: str, rule: FaultRule) -> None:
        self.upstream = urlparse(upstream)
        self.rule = rule
        self.attempts: dict[tuple[str, str], int] = {}
        self.faults: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # quiet
                return

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path_only = self.path.split("?")[0]
                with proxy._lock:
                    key = (self.command, path_only)
                    proxy.attempts[key] = proxy.attempts.get(key, 0) + 1
                    fault = proxy.rule(self.command, path_only, proxy.attempts[key])
                    if fault:
                        proxy.faults.append((self.command, path_only, fault))
                if fault == "reset":
                    self.close_connection = True
                    self.connection.close()
                    return
                if fault == "delete-errors":
                    # A 200 answer to DeleteObjects that refuses every key (S3 reports per-key errors so).
                    keys = re.findall(rb"<Key>(.*?)</Key>", body)
                    errors = b"".join(
                        b"<Error><Key>" + k + b"</Key><Code>AccessDenied</Code><Message>no</Message></Error>"
                        for k in keys
                    )
                    payload = b'<?xml version="1.0"?><DeleteResult>' + errors + b"</DeleteResult>"
                    self.send_response(200)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                if fault:
                    code = {"403": "AccessDenied"}.get(fault, "InternalError")
                    payload = (
                        f"<Error><Code>{code}</Code><Message>injected {fault}</Message></Error>".encode()
                    )
                    self.send_response(int(fault))
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                conn = http.client.HTTPConnection(proxy.upstream.netloc, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection",)}
                conn.request(self.command, self.path, body=body or None, headers=headers)
                response = conn.getresponse()
                data = response.read()
                self.send_response(response.status)
                for name, value in response.getheaders():
                    if name.lower() not in (
                        "transfer-encoding",
                        "connection",
                        "content-length",
                        "server",
                        "date",
                    ):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                conn.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> str:
        self.thread.start()
        # Bound to 127.0.0.1 above; server_port is the port the OS chose for port 0.
        return f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
