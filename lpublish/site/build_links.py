"""Links inside built pages: page-relative URLs, the internal link check and per-page weight.

Owns: ``rel_url`` (a site path as a URL relative to a page, so one build works at the site root, under a
preview prefix and from a folder), ``page_path_for`` (the output file of a site URL path),
``internal_target`` (which output file an internal URL in a page points at) and ``check_links_and_weight``
(every internal ``href``/``src``/``srcset`` resolves to a built file — ``build.broken-link`` — and each
page's weight: the HTML, its stylesheets and the largest candidate of each image, against the budget —
``build.page-budget``). Must not import UI libraries.
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Container, Mapping, Sequence
from html.parser import HTMLParser
from typing import Protocol
from urllib.parse import unquote, urlsplit

from lpublish.findings import Finding, error, warning

logger = logging.getLogger(__name__)


class _Sized(Protocol):
    size: int


class _Page(Protocol):
    path: str
    weight: int


def rel_url(page_path: str, target: str) -> str:
    """A URL for site path ``target`` relative to the page at output path ``page_path``.

    ``target`` is a site path: ``""`` is the top page, a trailing ``/`` a folder (served as its
    ``index.html``), anything else a file. A ``#fragment`` or ``?query`` is kept.
    """
    suffix = ""
    for mark in ("#", "?"):
        if mark in target:
            target, rest = target.split(mark, 1)
            suffix = mark + rest + suffix
            break
    target = target.lstrip("/")
    page_dir = posixpath.dirname(page_path) or "."
    is_dir = target == "" or target.endswith("/")
    rel = posixpath.relpath(target.rstrip("/") or ".", page_dir)
    if is_dir:
        rel = "./" if rel == "." else rel + "/"
    return rel + suffix


def page_path_for(url_path: str) -> str:
    """The output file for a site URL path: ``""`` -> ``index.html``, ``a/b/`` -> ``a/b/index.html``."""
    url_path = url_path.lstrip("/")
    if url_path == "" or url_path.endswith("/"):
        return url_path + "index.html"
    return url_path


def internal_target(
    page_path: str, url: str, base_url: str, outputs: Container[str], html: Container[str]
) -> str | None:
    """The output path an internal URL points at (``None`` for external or non-file URLs).

    ``outputs`` and ``html`` are the build's files and pages (to tell ``a/b`` the file from ``a/b/``).
    """
    url = url.strip()
    if not url or url.startswith(("#", "mailto:", "tel:", "data:")):
        return None
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        if not url.startswith(base_url):
            return None
        path = url[len(base_url) :]
        path = urlsplit(path).path
        joined = path
    else:
        if parts.path == "":
            return None  # "?query" or "#frag" only: the page itself
        if parts.path.startswith("/"):
            joined = parts.path.lstrip("/")
        else:
            joined = posixpath.normpath(posixpath.join(posixpath.dirname(page_path), parts.path))
            if joined == ".":
                joined = ""
            elif joined.startswith("../") or joined == "..":
                return joined  # escapes the site root: never resolves
            elif parts.path.endswith("/"):
                joined += "/"
    joined = unquote(joined)
    if joined == "" or joined.endswith("/"):
        return joined + "index.html"
    if joined not in outputs and joined not in html and (joined + "/index.html") in html:
        return joined + "/index.html"
    return joined


def check_links_and_weight(
    pages: Sequence[_Page],
    html: Mapping[str, str],
    outputs: Mapping[str, _Sized],
    *,
    base_url: str,
    budget: int,
) -> list[Finding]:
    """Check every page's internal links and set its ``weight``; findings for broken links and weight."""
    findings: list[Finding] = []
    for page in pages:
        text = html.get(page.path)
        if text is None:
            continue
        parser = _LinkParser()
        parser.feed(text)
        parser.close()
        weight = len(text.encode("utf-8"))
        seen_css: set[str] = set()
        for url, tag, attr in parser.links:
            target = internal_target(page.path, url, base_url, outputs, html)
            if target is None:
                continue
            if target not in outputs and target not in html:
                findings.append(error("build.broken-link", page.path, url=url, tag=tag, attr=attr))
            elif tag == "link" and target.endswith(".css") and target not in seen_css:
                seen_css.add(target)
                weight += outputs[target].size
        for group in parser.images:
            sizes = []
            for url in group:
                target = internal_target(page.path, url, base_url, outputs, html)
                if target is not None and target in outputs:
                    sizes.append(outputs[target].size)
            weight += max(sizes, default=0)
        page.weight = weight
        if weight > budget:
            findings.append(warning("build.page-budget", page.path, weight=weight, budget=budget))
    logger.info("checked the links of %d pages (%d problems)", len(pages), len(findings))
    return findings


class _LinkParser(HTMLParser):
    """Collects internal-link candidates and image groups (one ``<picture>`` or ``<img>`` each)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []
        self.images: list[list[str]] = []
        self._picture: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        urls: list[str] = []
        for attr in ("href", "src"):
            if attr in values:
                self.links.append((values[attr], tag, attr))
                urls.append(values[attr])
        if "srcset" in values:
            for candidate in values["srcset"].split(","):
                url = candidate.strip().split(" ")[0]
                if url:
                    self.links.append((url, tag, "srcset"))
                    urls.append(url)
        if tag == "picture":
            self._picture = []
        elif tag in ("source", "img") and self._picture is not None:
            self._picture.extend(urls)
        elif tag == "img":
            self.images.append(urls)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "picture" and self._picture is not None:
            self.images.append(self._picture)
            self._picture = None
