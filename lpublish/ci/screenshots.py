"""Before/after screenshots of the pages a pull request changes, taken with headless Chromium.

Owns: ``changed_pages`` (the HTML pages of the preview build that are new, differ from the base build,
or load a local file that differs: a replaced image keeps its name, so the page's HTML alone would not
show the change), ``take_screenshots`` (serves both builds on 127.0.0.1, photographs each changed page
at desktop and phone widths with the system's Chromium into PNGs) and ``ScreenshotResult`` (what was
taken; ``lpublish screenshots`` writes it as the ``screenshots.json`` envelope, the status comment reads
it back through the same codec, ``lpublish.results.tool_codecs.SCREENSHOTS``). Problems
(no browser, no base build, a page Chromium could not photograph) are carried in the result, not raised.
The status comment shows the pictures from wherever the workflow publishes that folder (the preview
deploy: ``<preview URL>/__lpublish-screenshots/``; else a workflow artifact). Must not import UI
libraries.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import html
import logging
import posixpath
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from lpublish.errors import ExternalError, LpublishError

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
    #: The shot is scrolled to the page's first picture that changed (else it shows the page's top).
    at_change: bool = False


#: Why there are no (or not all) pictures (the status comment says so in plain words).
PROBLEMS = ("no-browser", "no-base", "failed")


@dataclass
class ScreenshotResult:
    shots: list[Shot] = field(default_factory=list)
    #: Changed pages beyond ``MAX_PAGES`` (listed, not photographed).
    skipped: list[str] = field(default_factory=list)
    #: One of ``PROBLEMS`` or empty.
    problem: str = ""
    #: Pages Chromium did not photograph (with ``problem == "failed"``).
    failed: list[str] = field(default_factory=list)


#: The file ``lpublish screenshots`` writes into ``--out``: the ``screenshots`` envelope
#: (``lpublish.results.tool_codecs.SCREENSHOTS``), read back by ``lpublish comment --screenshots``.
MANIFEST = "screenshots.json"


def page_url(path: str) -> str:
    """``about/index.html`` → ``/about/``; ``x.html`` → ``/x.html``."""
    if path == "index.html":
        return "/"
    if path.endswith("/index.html"):
        return "/" + path[: -len("index.html")]
    return "/" + path


class _References(HTMLParser):
    """The local files a page loads: images (``src``, ``srcset``, ``poster``), stylesheets, scripts,
    icons and ``url()`` in inline styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        #: The URLs each ``<img>``/``<video>`` shows, in document order (a ``<picture>``'s sources
        #: count for its ``<img>``): the browser's ``querySelectorAll("img, video")`` order.
        self.media: list[list[str]] = []
        self._picture: list[str] | None = None
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        urls = [values[name] for name in ("src", "poster", "data") if values.get(name)]
        for name in ("srcset", "imagesrcset"):
            urls += [c.split()[0] for c in values.get(name, "").split(",") if c.strip()]
        if tag == "link" and values.get("href"):
            urls.append(values["href"])
        urls += _css_urls(values.get("style", ""))
        self.urls += urls
        if tag == "picture":
            self._picture = []
        elif tag == "source" and self._picture is not None:
            self._picture += urls
        elif tag in ("img", "video"):
            self.media.append([*(self._picture or []), *urls])
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "picture":
            self._picture = None
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.urls += _css_urls(data)


_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)|@import\s+(["'])([^"']+)\3""")


def _css_urls(text: str) -> list[str]:
    return [m.group(2) or m.group(4) for m in _CSS_URL.finditer(text)]


def _local(base_rel: str, url: str) -> str | None:
    """``url`` as a path relative to the build's root (``None``: another site, a data URL, a fragment)."""
    parts = urlsplit(url.strip())
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = unquote(parts.path)
    joined = path.lstrip("/") if path.startswith("/") else posixpath.join(posixpath.dirname(base_rel), path)
    normal = posixpath.normpath(joined)
    return None if normal.startswith("..") else normal


def _differs(before: Path, after: Path, rel: str) -> bool:
    old, new = before / rel, after / rel
    if not new.is_file():
        return False
    return not old.is_file() or old.read_bytes() != new.read_bytes()


def _parse(out: Path, rel: str) -> _References:
    parser = _References()
    try:
        text = (out / rel).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return parser
    if rel.endswith(".css"):
        parser.urls = _css_urls(text)
    else:
        with contextlib.suppress(AssertionError, ValueError):  # a broken page still counts
            parser.feed(text)
    return parser


def _locals(rel: str, urls: list[str]) -> list[str]:
    return [local for url in urls if (local := _local(rel, url)) is not None]


class _Changes:
    """Which files of ``after`` differ from ``before`` (a stylesheet also when a file it loads does)."""

    def __init__(self, before: Path, after: Path) -> None:
        self.before, self.after = before, after
        self._differs: dict[str, bool] = {}

    def changed(self, rel: str, depth: int = 0) -> bool:
        if rel not in self._differs:
            self._differs[rel] = _differs(self.before, self.after, rel)
            if not self._differs[rel] and rel.endswith(".css") and depth < 2:
                loads = _locals(rel, _parse(self.after, rel).urls)
                self._differs[rel] = any(self.changed(ref, depth + 1) for ref in loads)
        return self._differs[rel]

    def page_changed(self, rel: str) -> bool:
        return self.changed(rel) or any(
            self.changed(ref) for ref in _locals(rel, _parse(self.after, rel).urls)
        )

    def focus(self, rel: str) -> int:
        """The index of the page's first picture or video showing a changed file (-1: none)."""
        for index, urls in enumerate(_parse(self.after, rel).media):
            if any(self.changed(ref) for ref in _locals(rel, urls)):
                return index
        return -1


def changed_pages(before: Path, after: Path) -> list[str]:
    """Pages (relative POSIX paths of ``.html`` files) of ``after`` that look different, sorted: new
    pages, pages whose HTML differs, and pages that load a local file (an image, a stylesheet, or a file
    a stylesheet loads) that differs from ``before``'s."""
    changes = _Changes(before, after)
    pages = []
    for page in sorted(after.rglob("*.html")):
        rel = page.relative_to(after).as_posix()
        if not rel.startswith(FOLDER) and changes.page_changed(rel):
            pages.append(rel)
    return pages


def find_browser() -> str | None:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


FRAME_PATH = "/__lpublish-frame.html"


#: ``loading="lazy"`` in a page served for a shot. Pictures below the fold load only once scrolled to,
#: and the shot could be taken before they arrived (seen in CI: before == after). Served eager, every
#: picture is part of the page's load event.
_LAZY = re.compile(rb"""(<(?:img|iframe)\b[^>]*?\sloading\s*=\s*)(["']?)lazy\2(?=[\s/>])""", re.IGNORECASE)


#: Each picture decoded with the paint that shows it (not later, off the main thread): the shot is
#: taken at the first paint after the page loaded, and a picture still decoding would be missing.
_IMG = re.compile(rb"<img(?=[\s/>])", re.IGNORECASE)


class _Quiet(SimpleHTTPRequestHandler):
    """The build's files, its pages with eager pictures decoded with the paint and (``?focus=N``)
    scrolled to their ``N``-th picture or video, plus a page that shows one of them in a phone-wide frame
    (same origin) for widths the headless window cannot be."""

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug(format, *args)

    def do_GET(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        if not self.path.startswith(FRAME_PATH + "?"):
            built = self._page_file()
            if built is None:
                super().do_GET()
                return
            # The page scrolls itself to the ``focus``-th picture or video; ``instant``, because a site's
            # ``scroll-behavior: smooth`` would still be animating at the top when the shot is taken.
            body = _IMG.sub(rb'<img decoding="sync"', _LAZY.sub(rb'\1"eager"', built.read_bytes()))
            focus = int(query.get("focus", ["-1"])[0])
            if focus >= 0:
                # At once (the pictures carry their sizes, so the layout holds) and again at load.
                body += (
                    "<script>(function(){function go(){var e=document.querySelectorAll('img, video')"
                    f"[{focus}];if(e){{e.scrollIntoView({{block:'center',behavior:'instant'}});}}}}go();"
                    "addEventListener('load',go);})();</script>"
                ).encode()
            self._send(body)
            return
        page = query.get("page", ["/"])[0]
        width = int(query.get("w", ["390"])[0])
        height = int(query.get("h", ["844"])[0])
        body = (
            "<!doctype html><body style='margin:0;overflow:hidden'>"
            f"<iframe id='f' src='{html.escape(page, quote=True)}' width='{width}' height='{height}' "
            "style='border:0;display:block'></iframe>"
        ).encode()
        self._send(body)

    def _page_file(self) -> Path | None:
        """The built HTML file a request names (a folder's ``index.html``), else ``None``."""
        request_path = urlsplit(self.path).path
        local = Path(self.translate_path(self.path))
        if local.is_dir():
            if not request_path.endswith("/"):
                return None  # the handler's own redirect to the folder's URL
            local = local / "index.html"
        return local if local.suffix.lower() in (".html", ".htm") and local.is_file() else None

    def _send(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serve_build(folder: Path) -> Iterator[str]:
    """Serve the build ``folder`` on loopback for the shots (pages with eager pictures, the frame page)."""
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
        raise ExternalError("designer.screenshots.failed", page=url, error=(done.stderr or "")[-200:])
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
    the phone's width (so media queries see the phone's width) and cropped to it. Without a browser or
    without the base build the result says so (``problem``) and holds no pictures; a page Chromium
    cannot photograph is listed in ``failed`` and the others are still taken.
    """
    if not before.is_dir():
        logger.info("no base build at %s: no before/after pictures", before)
        return ScreenshotResult(problem="no-base")
    browser = browser or find_browser()
    wanted = changed_pages(before, after) if pages is None else pages
    logger.info("%d changed page(s) between %s and %s", len(wanted), before, after)
    if browser is None:
        logger.info("no Chromium or Chrome found: no pictures")
        return ScreenshotResult(skipped=wanted, problem="no-browser")
    result = ScreenshotResult(skipped=wanted[MAX_PAGES:])
    changes = _Changes(before, after)
    out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="lpublish-shots-") as scratch,
        serve_build(before) as before_url,
        serve_build(after) as after_url,
    ):
        profile = Path(scratch) / "profile"
        for page in wanted[:MAX_PAGES]:
            # A replaced picture below the fold: both shots scroll to it (the same element of the page).
            focus = changes.focus(page)
            for width in widths:
                shot = Shot(page, width, "", _name(page, width, "after"), at_change=focus >= 0)
                try:
                    logger.info("photographing %s at %d px", page, width)
                    url = _framed(after_url, page, width, focus)
                    _shoot(browser, url, width, out / shot.after, profile)
                    if (before / page).is_file():
                        shot.before = _name(page, width, "before")
                        url = _framed(before_url, page, width, focus)
                        _shoot(browser, url, width, out / shot.before, profile)
                except (LpublishError, OSError, subprocess.SubprocessError) as problem:
                    logger.warning("no picture of %s at %d px: %s", page, width, problem)
                    result.problem = "failed"
                    if page not in result.failed:
                        result.failed.append(page)
                    continue
                result.shots.append(shot)
    return result


def _framed(base: str, page: str, width: int, focus: int = -1) -> str:
    """The address to photograph: the page itself, or — to scroll to picture ``focus``, or when the
    window cannot be as narrow as a phone — the page (asked to scroll) in a frame of the shot's size."""
    target = page_url(page) + (f"?{urlencode({'focus': focus})}" if focus >= 0 else "")
    if width >= MIN_WINDOW and focus < 0:
        return base + target
    query = urlencode({"page": target, "w": width, "h": HEIGHT.get(width, 844)})
    return f"{base}{FRAME_PATH}?{query}"
