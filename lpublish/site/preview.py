"""The local preview server (``lpublish preview`` and the TUI): build, serve on 127.0.0.1, rebuild on change.

Owns: ``PreviewServer`` and its HTTP handler. The site's adapter builds it: lpublish's generator with
``preview=True`` (scheduled campaigns included, with a visible banner), the site's own command, or nothing
for a static site. When ``[build] dev_command`` names the site's dev server, that is started instead
(on a free port, waited for until it answers); a dev server that never comes up is stopped, the reason is
reported (``dev_failure``) and the built folder is served instead. The built copy lives in a private
temporary folder, served by ``http.server.ThreadingHTTPServer`` in a thread bound to 127.0.0.1 only (a
preview may show unpublished campaigns, so it is never exposed to the network), and rebuilt when a source
file changes (``watchfiles``).

The handler answers only requests whose ``Host`` is this machine's loopback name with the port
(``127.0.0.1``, ``localhost``, ``[::1]``: a DNS-rebinding page cannot read the preview), never lists a
folder, and never serves a file through a symlink that leads out of the served folder. Must not import UI
libraries.
"""

from __future__ import annotations

import functools
import http.server
import logging
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from lpublish.config import SiteConfig
from lpublish.errors import ExternalError, LpublishError
from lpublish.i18n import t
from lpublish.media_types import content_type_for
from lpublish.progress import ProgressCallback, no_progress
from lpublish.site.adapters import AdapterBuildResult, LpublishAdapter, SiteAdapter, adapter_for, runner
from lpublish.site.build_result import BuildResult

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"
#: Loopback names a browser on this machine uses for the preview (the port is added per server).
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


class _SafeHandler(http.server.SimpleHTTPRequestHandler):
    """Static files from one folder: loopback ``Host`` only, no folder listings, no symlink escapes."""

    allowed_hosts: frozenset[str] = frozenset()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the TUI owns the terminal: no log line per request

    def end_headers(self) -> None:
        # A preview must always show the latest build, never a cached copy.
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").strip().lower()
        return host in self.allowed_hosts

    def send_head(self) -> Any:
        if not self._host_ok():
            body = t("adapters.preview.bad_host").encode("utf-8")
            self.send_response(421, "Misdirected Request")
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return None
        path = self.translate_path(self.path)
        root = os.path.realpath(self.directory)
        real = os.path.realpath(path)
        if real != root and not real.startswith(root + os.sep):
            return self._not_found()  # a symlink (or anything else) leading out of the served folder
        if os.path.isdir(path) and self.path.split("?", 1)[0].endswith("/"):
            index = os.path.join(path, "index.html")
            real_index = os.path.realpath(index)
            if not os.path.isfile(index) or not real_index.startswith(root + os.sep):
                return self._not_found()
        return super().send_head()

    def list_directory(self, path: Any) -> Any:
        return self._not_found()

    def guess_type(self, path: Any) -> str:
        # lpublish's one table, not the OS ``mimetypes`` database: the preview serves each file with
        # the type the deploy will give it (``.avif``/``.webp`` are missing from older databases).
        return content_type_for(os.fspath(path))

    def _not_found(self) -> Any:
        page = os.path.join(self.directory, "404.html")
        body = b"Not found\n"
        ctype = "text/plain; charset=utf-8"
        if os.path.isfile(page) and os.path.realpath(page).startswith(
            os.path.realpath(self.directory) + os.sep
        ):
            with open(page, "rb") as fh:
                body, ctype = fh.read(), content_type_for(page)
        self.send_response(404)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return None


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now (for the site's dev server)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def handler_for(directory: Path, port: int) -> Callable[..., _SafeHandler]:
    """The request handler class serving ``directory`` for a server listening on ``port``."""
    hosts = frozenset(f"{name}:{port}" for name in LOOPBACK_NAMES)
    handler = type("PreviewHandler", (_SafeHandler,), {"allowed_hosts": hosts})
    return functools.partial(handler, directory=str(directory))


class PreviewServer:
    """Serve a preview of the site on 127.0.0.1 and rebuild it when its files change.

    ``start()`` builds once (raising ``LpublishError`` for an unusable site), starts the HTTP server
    and the watcher, and returns the URL; with a dev server configured (and ``dev=True``) it starts that
    instead and returns its URL. ``on_rebuild`` is called (from the watcher thread) after each rebuild
    with the result, or with the error when a rebuild failed; ``last_result`` / ``last_error`` hold the
    latest outcome. ``on_status`` gets plain messages (dev server starting / failed). ``stop()`` stops
    everything and removes the temporary folder. ``cache_dir``: the lpublish generator's image cache
    (pass the real site's ``.lpublish-cache`` when previewing a copy).
    """

    def __init__(
        self,
        config: SiteConfig,
        *,
        port: int = 0,
        now: datetime | None = None,
        watch: bool = True,
        on_rebuild: Callable[[AdapterBuildResult | None, LpublishError | None], None] | None = None,
        progress: ProgressCallback = no_progress,
        cache_dir: Path | None = None,
        dev: bool = True,
        dev_wait: float = 60.0,
        on_status: Callable[[str], None] | None = None,
    ) -> None:
        self.config = config
        self.adapter: SiteAdapter = adapter_for(config)
        if isinstance(self.adapter, LpublishAdapter):
            self.adapter.cache_dir = cache_dir
        self.cache_dir = cache_dir
        self.port = port
        self.now = now
        self.watch = watch
        self.on_rebuild = on_rebuild
        self.on_status = on_status
        self.progress = progress
        self.dev = dev
        self.dev_wait = dev_wait
        self.url = ""
        #: ``"dev"`` when the site's dev server is shown, ``"built"`` when the built folder is served.
        self.mode = ""
        #: Why the dev server was not used (empty when it was, or when there is none).
        self.dev_failure = ""
        self.last_build: AdapterBuildResult | None = None
        self.last_error: LpublishError | None = None
        #: Increments after every finished rebuild (tests and the TUI wait on it).
        self.generation = 0
        self._changed = threading.Condition()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._watching = threading.Event()
        self._server: _Server | None = None
        self._threads: list[threading.Thread] = []
        self._dir: Path | None = None
        self._dev_process: subprocess.Popen[bytes] | None = None
        self.dev_log: deque[str] = deque(maxlen=50)

    @property
    def last_result(self) -> BuildResult | AdapterBuildResult | None:
        """The latest build: lpublish's full ``BuildResult`` for its generator, else the adapter's result."""
        if self.last_build is None:
            return None
        return self.last_build.lpublish or self.last_build

    @property
    def out_dir(self) -> Path | None:
        """Where the preview build lives (a private temporary folder)."""
        return self._dir / "site" if self._dir else None

    def _status(self, message: str) -> None:
        logger.info("%s", message)
        if self.on_status is not None:
            self.on_status(message)

    def rebuild(self) -> AdapterBuildResult:
        """Build the preview now (also called by the watcher). Serialised: one build at a time."""
        assert self.out_dir is not None, "start() first"
        with self._lock:
            try:
                result = self.adapter.build(self.out_dir, now=self.now, preview=True, progress=self.progress)
            except LpublishError as exc:
                self.last_error = exc
                self._finished(None, exc)
                raise
            self.last_build, self.last_error = result, None
            self._finished(result, None)
            return result

    def _finished(self, result: AdapterBuildResult | None, exc: LpublishError | None) -> None:
        with self._changed:
            self.generation += 1
            self._changed.notify_all()
        if self.on_rebuild is not None:
            self.on_rebuild(result, exc)

    def wait_for_generation(self, generation: int, timeout: float) -> bool:
        """Block until ``generation`` rebuilds have finished (or ``timeout`` seconds passed)."""
        with self._changed:
            return self._changed.wait_for(lambda: self.generation >= generation, timeout)

    # -- the site's own dev server ----------------------------------------------------------------------

    def _start_dev(self) -> str | None:
        """Start the dev server and wait until it answers; its URL, or ``None`` (``dev_failure`` says why)."""
        spec = self.adapter.dev_server(self.port or free_port())
        if spec is None:
            return None
        missing = runner.missing_tool(spec.command, cwd=spec.cwd, env=spec.env)
        if missing:
            self.dev_failure = t("adapters.preview.dev_missing", tool=missing)
            self._status(t("adapters.preview.dev_failed", reason=self.dev_failure))
            return None
        self._status(t("adapters.preview.dev_starting", command=spec.command))
        process = subprocess.Popen(
            runner.shell_argv(spec.command),
            cwd=spec.cwd,
            env=spec.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._dev_process = process

        def pump() -> None:
            assert process.stdout is not None
            for raw in iter(process.stdout.readline, b""):
                self.dev_log.append(raw.decode("utf-8", errors="replace").rstrip())

        reader = threading.Thread(target=pump, name="lpublish-dev-output", daemon=True)
        reader.start()
        self._threads.append(reader)
        deadline = time.monotonic() + self.dev_wait
        while time.monotonic() < deadline and not self._stop.is_set():
            code = process.poll()
            if code is not None:
                self.dev_failure = t("adapters.preview.dev_exited", code=code)
                break
            if _answers(spec.url):
                logger.info("preview: the site's dev server answers at %s", spec.url)
                return spec.url
            time.sleep(0.25)
        else:
            self.dev_failure = t("adapters.preview.dev_timeout", url=spec.url, seconds=int(self.dev_wait))
        self._stop_dev()
        self._status(t("adapters.preview.dev_failed", reason=self.dev_failure))
        return None

    def _stop_dev(self) -> None:
        process, self._dev_process = self._dev_process, None
        if process is not None and process.poll() is None:
            runner.kill(process)

    # -- serving the built folder -----------------------------------------------------------------------

    def start(self) -> str:
        """Start the dev server, or build and serve; return the URL (``http://127.0.0.1:<port>/``)."""
        if self.dev:
            url = self._start_dev()
            if url is not None:
                self.url, self.mode = url, "dev"
                return url
        self._dir = Path(tempfile.mkdtemp(prefix="lpublish-preview-"))
        self.out_dir.mkdir()  # type: ignore[union-attr]
        try:
            self.rebuild()
            try:
                self._server = _Server((HOST, self.port), handler_for(self.out_dir, 0))  # type: ignore[arg-type]
            except OSError as exc:
                raise ExternalError(
                    "site.preview_failed", port=self.port, error=exc.strerror or str(exc)
                ) from None
        except BaseException:
            self._cleanup()
            raise
        port = self._server.server_address[1]
        self._server.RequestHandlerClass = handler_for(self.out_dir, port)  # type: ignore[arg-type]
        self.url = f"http://{HOST}:{port}/"
        self.mode = "built"
        logger.info("preview of %s built in %s, served at %s", self.config.root, self.out_dir, self.url)
        serve = threading.Thread(target=self._server.serve_forever, name="lpublish-preview-http", daemon=True)
        serve.start()
        self._threads.append(serve)
        if self.watch:
            watcher = threading.Thread(target=self._watch, name="lpublish-preview-watch", daemon=True)
            watcher.start()
            self._threads.append(watcher)
            self._watching.wait(timeout=10)
        return self.url

    def _ignored(self, path: str) -> bool:
        candidate = Path(path)
        ignored = [p.resolve() if p.exists() else p for p in self.adapter.watch_ignored()]
        return any(
            candidate == i or candidate.is_relative_to(i) for i in ignored
        ) or candidate.name.startswith((".", "~"))

    def _watch(self) -> None:
        from watchfiles import watch

        def keep(change: Any, path: str) -> bool:
            return not self._ignored(path)

        try:
            # yield_on_timeout: the first (empty) yield tells us the OS watch is in place, so a change
            # made right after start() returns is never missed.
            for changes in watch(
                self.config.root,
                watch_filter=keep,
                stop_event=self._stop,
                debounce=300,
                rust_timeout=200,
                yield_on_timeout=True,
            ):
                self._watching.set()
                if self._stop.is_set():
                    return
                if not changes:
                    continue
                logger.info("preview: %d change(s) in the site, rebuilding", len(changes))
                for _change, path in sorted(changes, key=lambda c: c[1]):
                    logger.debug("preview: changed %s", path)
                try:
                    self.rebuild()
                except LpublishError:
                    continue  # reported through last_error / on_rebuild; keep watching
        except Exception as exc:  # the watcher must never take the preview down with a traceback
            self.last_error = LpublishError("site.watch_failed", error=type(exc).__name__)
        finally:
            self._watching.set()

    def serve_until(self, stop: threading.Event) -> None:
        """Block until ``stop`` is set (or the dev server exits)."""
        while not stop.is_set():
            if self.mode == "dev" and self._dev_process is not None and self._dev_process.poll() is not None:
                return
            time.sleep(0.2)

    def stop(self) -> None:
        """Stop the server, the dev server and the watcher, and remove the temporary preview folder."""
        self._stop.set()
        self._stop_dev()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()
        self._cleanup()

    def _cleanup(self) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self) -> PreviewServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _answers(url: str) -> bool:
    """Whether an HTTP server answers at ``url`` (any status below 500 counts as up)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status) < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except (OSError, ValueError):
        return False
