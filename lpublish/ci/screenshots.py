"""Before/after screenshots of the pages a pull request changes, taken with headless Chromium.

Owns: ``changed_pages`` (the HTML pages that differ between the production build and the preview build,
or are new) and ``take_screenshots`` (serves both builds on 127.0.0.1, photographs each changed page at
desktop and phone widths with the system's Chromium, writes PNGs and a ``screenshots.json`` manifest).
The status comment shows them from wherever the workflow publishes that folder (the preview deploy:
``<preview URL>/__lpublish-screenshots/``). Must not import UI libraries.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import logging
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from lpublish.errors import UsageError

logger = logging.getLogger(__name__)

#: Desktop and phone widths (CSS pixels) and the window height of each shot.
WIDTHS = (1280, 390)
HEIGHT = {1280: 900, 390: 844}
#: The folder name the workflow publishes the shots under, inside the preview.
FOLDER = "__lpublish-screenshots"
MAX_PAGES = 10
#: Headless Chromium's windows are at least this wide; phones are shown in a frame of their width.
MIN_WINDOW = 500
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


@dataclass
class Shot:
    """One page at one width: file names of the before and after pictures (``before`` empty: new page)."""

    page: str
    width: int
    before: str
    after: str


@dataclass
class ScreenshotResult:
    shots: list[Shot] = field(default_factory=list)
    #: Changed pages beyond ``MAX_PAGES`` (listed, not photographed).
    skipped: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"version": 1, "shots": [asdict(s) for s in self.shots], "skipped": self.skipped}


def page_url(path: str) -> str:
    """``about/index.html`` → ``/about/``; ``x.html`` → ``/x.html``."""
    if path == "index.html":
        return "/"
    if path.endswith("/index.html"):
        return "/" + path[: -len("index.html")]
    return "/" + path


def changed_pages(before: Path, after: Path) -> list[str]:
    """Pages (relative POSIX paths of ``.html`` files) new or different in ``after``, sorted."""
    pages = []
    for page in sorted(after.rglob("*.html")):
        rel = page.relative_to(after).as_posix()
        if rel.startswith(FOLDER):
            continue
        old = before / rel
        if not old.is_file() or old.read_bytes() != page.read_bytes():
            pages.append(rel)
    return pages


def find_browser() -> str | None:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


FRAME_PATH = "/__lpublish-frame.html"


class _Quiet(SimpleHTTPRequestHandler):
    """The build's files, plus a page that shows one of them in a phone-wide frame (same origin)."""

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug(format, *args)

    def do_GET(self) -> None:
        if not self.path.startswith(FRAME_PATH + "?"):
            super().do_GET()
            return
        query = parse_qs(urlsplit(self.path).query)
        page = query.get("page", ["/"])[0]
        width = int(query.get("w", ["390"])[0])
        height = int(query.get("h", ["844"])[0])
        body = (
            "<!doctype html><body style='margin:0'>"
            f"<iframe src='{html.escape(page, quote=True)}' width='{width}' height='{height}' "
            "style='border:0;display:block'></iframe>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def _serve(folder: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _shoot(browser: str, url: str, width: int, target: Path, profile: Path) -> None:
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        f"--user-data-dir={profile}",
        f"--window-size={max(width, MIN_WINDOW)},{HEIGHT.get(width, 900)}",
        "--virtual-time-budget=5000",
        f"--screenshot={target}",
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if not target.is_file():
        raise UsageError("designer.screenshots.failed", page=url, error=(done.stderr or "")[-200:])
    if width < MIN_WINDOW:
        # The window was wider than the phone: keep only the phone-wide frame.
        from PIL import Image

        with Image.open(target) as image:
            cropped = image.crop((0, 0, width, min(image.height, HEIGHT.get(width, 844))))
        cropped.save(target)


def _name(page: str, width: int, side: str) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", page.lower().removesuffix(".html")).strip("-") or "index"
    short = hashlib.sha256(page.encode()).hexdigest()[:6]
    return f"{stem}-{short}-{width}-{side}.png"


def take_screenshots(
    before: Path,
    after: Path,
    out: Path,
    *,
    pages: list[str] | None = None,
    widths: tuple[int, ...] = WIDTHS,
    browser: str | None = None,
) -> ScreenshotResult:
    """Photograph ``pages`` (default: the changed ones) of both builds into ``out``.

    Phones narrower than the smallest headless window (``MIN_WINDOW``) are photographed in a frame of
    the phone's width (so media queries see the phone's width) and cropped to it.
    """
    browser = browser or find_browser()
    if browser is None:
        raise UsageError("designer.screenshots.no_browser")
    wanted = changed_pages(before, after) if pages is None else pages
    logger.info(
        "screenshots of %d page(s) at widths %s with %s (%d skipped over the limit)",
        min(len(wanted), MAX_PAGES),
        ", ".join(str(w) for w in widths),
        browser,
        max(0, len(wanted) - MAX_PAGES),
    )
    result = ScreenshotResult(skipped=wanted[MAX_PAGES:])
    out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="lpublish-shots-") as scratch,
        _serve(before) as before_url,
        _serve(after) as after_url,
    ):
        profile = Path(scratch) / "profile"
        for page in wanted[:MAX_PAGES]:
            for width in widths:
                shot = Shot(page, width, "", _name(page, width, "after"))
                logger.debug("screenshot %s at %d px", page, width)
                _shoot(browser, _framed(after_url, page, width), width, out / shot.after, profile)
                if (before / page).is_file():
                    shot.before = _name(page, width, "before")
                    _shoot(browser, _framed(before_url, page, width), width, out / shot.before, profile)
                result.shots.append(shot)
    (out / "screenshots.json").write_text(json.dumps(result.to_dict(), indent=2), encoding="utf-8")
    return result


def _framed(base: str, page: str, width: int) -> str:
    if width >= MIN_WINDOW:
        return base + page_url(page)
    query = urlencode({"page": page_url(page), "w": width, "h": HEIGHT.get(width, 844)})
    return f"{base}{FRAME_PATH}?{query}"
