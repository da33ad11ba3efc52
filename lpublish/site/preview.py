"""The local preview server (``lpublish preview`` and the TUI): build, serve on 127.0.0.1, rebuild on change.

Owns: ``PreviewServer``. It builds the site with ``preview=True`` (scheduled campaigns included, with a
visible banner) into a private temporary folder, serves it with ``http.server.ThreadingHTTPServer`` in a
thread bound to 127.0.0.1 only (a preview may show unpublished campaigns, so it is never exposed to the
network), and rebuilds when a source file changes (``watchfiles``). Must not import UI libraries.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import tempfile
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from lpublish.config import SiteConfig
from lpublish.errors import ExternalError, LpublishError
from lpublish.progress import ProgressCallback, no_progress
from lpublish.site.build import CACHE_DIR, BuildResult, build_site

HOST = "127.0.0.1"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static file handler that does not print a log line per request (the TUI owns the terminal)."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def end_headers(self) -> None:
        # A preview must always show the latest build, never a cached copy.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class PreviewServer:
    """Serve a preview build of the site on 127.0.0.1 and rebuild it when its files change.

    ``start()`` builds once (raising ``LpublishError`` for an unusable site), starts the HTTP server
    and the watcher, and returns the URL. ``on_rebuild`` is called (from the watcher thread) after each
    rebuild with the result, or with the error when a rebuild failed; ``last_result`` / ``last_error``
    hold the latest outcome. ``stop()`` stops both threads and removes the temporary folder.
    ``cache_dir``: see ``build_site`` (pass the real site's ``.lpublish-cache`` when previewing a copy).
    """

    def __init__(
        self,
        config: SiteConfig,
        *,
        port: int = 0,
        now: datetime | None = None,
        watch: bool = True,
        on_rebuild: Callable[[BuildResult | None, LpublishError | None], None] | None = None,
        progress: ProgressCallback = no_progress,
        cache_dir: Path | None = None,
    ) -> None:
        self.config = config
        self.cache_dir = cache_dir
        self.port = port
        self.now = now
        self.watch = watch
        self.on_rebuild = on_rebuild
        self.progress = progress
        self.url = ""
        self.last_result: BuildResult | None = None
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

    @property
    def out_dir(self) -> Path | None:
        """Where the preview build lives (a private temporary folder)."""
        return self._dir / "site" if self._dir else None

    def rebuild(self) -> BuildResult:
        """Build the preview now (also called by the watcher). Serialised: one build at a time."""
        assert self.out_dir is not None, "start() first"
        with self._lock:
            try:
                result = build_site(
                    self.config,
                    self.out_dir,
                    now=self.now,
                    preview=True,
                    progress=self.progress,
                    cache_dir=self.cache_dir,
                )
            except LpublishError as exc:
                self.last_error = exc
                self._finished(None, exc)
                raise
            self.last_result, self.last_error = result, None
            self._finished(result, None)
            return result

    def _finished(self, result: BuildResult | None, exc: LpublishError | None) -> None:
        with self._changed:
            self.generation += 1
            self._changed.notify_all()
        if self.on_rebuild is not None:
            self.on_rebuild(result, exc)

    def wait_for_generation(self, generation: int, timeout: float) -> bool:
        """Block until ``generation`` rebuilds have finished (or ``timeout`` seconds passed)."""
        with self._changed:
            return self._changed.wait_for(lambda: self.generation >= generation, timeout)

    def start(self) -> str:
        """Build, start serving and watching; return the URL (``http://127.0.0.1:<port>/``)."""
        self._dir = Path(tempfile.mkdtemp(prefix="lpublish-preview-"))
        self.out_dir.mkdir()  # type: ignore[union-attr]
        try:
            self.rebuild()
            handler = functools.partial(_QuietHandler, directory=str(self.out_dir))
            try:
                self._server = _Server((HOST, self.port), handler)
            except OSError as exc:
                raise ExternalError(
                    "site.preview_failed", port=self.port, error=exc.strerror or str(exc)
                ) from None
        except BaseException:
            self._cleanup()
            raise
        port = self._server.server_address[1]
        self.url = f"http://{HOST}:{port}/"
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
        root = self.config.root
        ignored = (root / CACHE_DIR, root / self.config.site.out_dir, root / ".git")
        candidate = Path(path)
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
                try:
                    self.rebuild()
                except LpublishError:
                    continue  # reported through last_error / on_rebuild; keep watching
        except Exception as exc:  # the watcher must never take the preview down with a traceback
            self.last_error = LpublishError("site.watch_failed", error=type(exc).__name__)
        finally:
            self._watching.set()

    def stop(self) -> None:
        """Stop the server and the watcher and remove the temporary preview folder."""
        self._stop.set()
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
