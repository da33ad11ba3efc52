"""The static site build (``lpublish build``): pages, campaigns, responsive images, sitemap, manifest.

Owns: ``build_site`` and ``BuildResult``/``PageInfo``; rendering Jinja2 templates (autoescaped) with the
helpers templates call (``url``, ``asset``, ``picture``, ``alt``); campaign scheduling on the built site
(``after_end``: hide / ended page / redirect); ``sitemap.xml`` and ``robots.txt``; the internal link
check and per-page weight; writing only changed files and the manifest ``<out>/.lpublish-build.json``.
Must not import UI libraries.

Every URL inside a page is relative to that page, so the same build works at the site root, under a
per-pull-request preview prefix and from a plain folder. Only canonical / Open Graph URLs are absolute
(they must be, and they name the production site from ``[site] base_url``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import mimetypes
import os
import posixpath
import re
import threading
import time
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape as xml_escape
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup, escape

from lpublish.config import SiteConfig
from lpublish.errors import ConfigError, UsageError, os_failure
from lpublish.findings import Finding, Severity, error, warning
from lpublish.progress import ProgressCallback, ProgressEvent, check_cancel, no_progress
from lpublish.site.campaigns import SLUG_RE, Campaign, campaign_state, load_campaigns
from lpublish.site.images import (
    RASTER_SUFFIXES,
    ImageRequest,
    ResponsiveImage,
    VariantCache,
    VariantSettings,
    cache_path,
    generate_variants,
    safe_stem,
)
from lpublish.site.markdown import (
    MAX_NESTING,
    FrontMatterError,
    MarkdownTooDeep,
    render_markdown,
    split_front_matter,
)
from lpublish.site.page_files import (
    check_page_content,
    safe_link,
    safe_output_path,
    source_symlinks,
    unsafe_name,
)

MANIFEST_NAME = ".lpublish-build.json"
CACHE_DIR = ".lpublish-cache"
MANIFEST_VERSION = 1
_PLACEHOLDER = re.compile(r"<!--lpublish:picture:(\d+)-->")
_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".avif": "image/avif",
    ".webp": "image/webp",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".webmanifest": "application/manifest+json",
}


def content_type(path: str) -> str:
    """The Content-Type a built file is served with (fixed table first, then ``mimetypes``)."""
    suffix = posixpath.splitext(path)[1].lower()
    if suffix in _CONTENT_TYPES:
        return _CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path)
    return guessed or "application/octet-stream"


@dataclass
class PageInfo:
    """One built HTML page: output path (posix, relative to ``out``), site URL path, title, weight."""

    path: str
    url: str
    title: str
    kind: str
    weight: int = 0
    noindex: bool = False
    #: For campaign pages: scheduled | live | ended (what the page shows at build time).
    state: str = ""


@dataclass
class BuildResult:
    """What a build produced: pages, every finding, image variants generated vs reused from cache."""

    out_dir: Path
    pages: list[PageInfo] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    generated: int = 0
    reused: int = 0
    #: Output files written (new or changed) and deleted (stale) by this build.
    written: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    files: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "out_dir": str(self.out_dir),
            "pages": [
                {
                    "path": p.path,
                    "url": p.url,
                    "title": p.title,
                    "kind": p.kind,
                    "weight": p.weight,
                    "state": p.state,
                }
                for p in self.pages
            ],
            "images_generated": self.generated,
            "images_reused": self.reused,
            "files": self.files,
            "written": len(self.written),
            "deleted": len(self.deleted),
            "seconds": round(self.seconds, 3),
        }


# --- output collection ----------------------------------------------------------------------------


@dataclass
class _Output:
    """A file of the build: bytes to write, or a file to copy (with its known hash)."""

    data: bytes | None = None
    source: Path | None = None
    sha256: str = ""
    size: int = 0


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _rel_url(page_path: str, target: str) -> str:
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


def _page_path_for(url_path: str) -> str:
    """The output file for a site URL path: ``""`` -> ``index.html``, ``a/b/`` -> ``a/b/index.html``."""
    url_path = url_path.lstrip("/")
    if url_path == "" or url_path.endswith("/"):
        return url_path + "index.html"
    return url_path


class _Builder:
    """One build run. Collects outputs and findings; renders pages; resolves images; writes."""

    def __init__(
        self,
        config: SiteConfig,
        out: Path,
        now: datetime,
        preview: bool,
        progress: ProgressCallback,
        cancel: threading.Event | None,
        cache_dir: Path,
    ) -> None:
        self.config = config
        self.cache_dir = cache_dir
        self.root = config.root
        self.out = out
        self.now = now
        self.preview = preview
        self.progress = progress
        self.cancel = cancel
        self.tz = ZoneInfo(config.site.timezone)
        self.base_url = config.site.base_url
        self.outputs: dict[str, _Output] = {}
        self.findings: list[Finding] = []
        self.pages: list[PageInfo] = []
        self.html: dict[str, str] = {}
        self.image_requests: dict[str, ImageRequest] = {}
        self.pictures: list[tuple[str, str, str, str, str, bool]] = []
        self.asset_cache: dict[str, str] = {}
        self.alt_cache: dict[Path, dict[str, str]] = {}
        self.current_page = ""
        self.current_file = ""
        #: Files a page references that failed the page-file rules (never published), and symbolic
        #: links in the sources that must not be followed (see ``lpublish.site.page_files``).
        self.refused: set[Path] = set()
        self.blocked_links: list[Path] = []
        self.env = self._environment()

    # -- templates ------------------------------------------------------------------------------

    def _environment(self) -> jinja2.Environment:
        templates = self.config.site_path(self.config.site.templates_dir)
        if not templates.is_dir():
            raise ConfigError("site.templates_missing", path=str(templates))
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(templates)),
            autoescape=True,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.globals.update(url=self._url, asset=self._asset, picture=self._picture, alt=self._alt)
        env.filters["date_ja"] = self._format_date
        return env

    def _url(self, target: str) -> str:
        return _rel_url(self.current_page, target)

    def _site_rel(self, path: str | Path) -> tuple[str, Path] | None:
        """A site-relative posix path and the file for an image/asset reference, if it is inside the site."""
        candidate = path if isinstance(path, Path) else self.root / str(path).lstrip("/")
        try:
            resolved = candidate.resolve()
            rel = resolved.relative_to(self.root).as_posix()
        except (OSError, ValueError):
            return None
        return rel, resolved

    def _asset(self, path: str | Path) -> str:
        """Copy a file into ``assets/`` under a content-hashed name; return its URL from this page."""
        out_path = self._asset_path(path)
        return self._url(out_path) if out_path else str(path)

    def _blocked(self, path: Path) -> bool:
        """Whether ``path`` is, or lies under, a symbolic link the build must not follow."""
        absolute = Path(os.path.normpath(path.absolute()))
        return any(absolute == link or link in absolute.parents for link in self.blocked_links)

    def _is_refused(self, path: str | Path) -> bool:
        candidate = path if isinstance(path, Path) else self.root / str(path).lstrip("/")
        if self._blocked(candidate):
            return True
        try:
            resolved = candidate.resolve()
        except (OSError, RuntimeError):
            return True
        return resolved in self.refused or Path(os.path.normpath(candidate.absolute())) in self.refused

    def _asset_path(self, path: str | Path) -> str | None:
        if self._is_refused(path):
            return None  # reported by the page-file check (page.file-*)
        found = self._site_rel(path)
        if found is None or not found[1].is_file():
            self.findings.append(error("build.file-missing", self.current_file, path=str(path)))
            return None
        rel, resolved = found
        if rel not in self.asset_cache:
            data = resolved.read_bytes()
            sha = _sha(data)
            out_path = f"assets/{safe_stem(resolved)}.{sha[:12]}{resolved.suffix.lower()}"
            self.outputs[out_path] = _Output(data=data, sha256=sha, size=len(data))
            self.asset_cache[rel] = out_path
        return self.asset_cache[rel]

    def _alt(self, path: str | Path, default: str = "") -> str:
        """Alt text for an image from its folder's ``alt.toml`` (the assets contract), else ``default``."""
        found = self._site_rel(path)
        if found is None:
            return default
        folder = found[1].parent
        if folder not in self.alt_cache:
            try:
                with (folder / "alt.toml").open("rb") as fh:
                    data = tomllib.load(fh)
                self.alt_cache[folder] = {str(k): str(v) for k, v in data.items() if isinstance(v, str)}
            except (OSError, tomllib.TOMLDecodeError):
                self.alt_cache[folder] = {}
        return self.alt_cache[folder].get(found[1].name, default)

    def _slot_for(self, rel: str) -> str | None:
        """The slot whose folder holds ``rel`` (deepest folder wins)."""
        best: tuple[int, str] | None = None
        for name, slot in self.config.slots.items():
            folder = slot.path.strip("/")
            if rel.startswith(folder + "/") and (best is None or len(folder) > best[0]):
                best = (len(folder), name)
        return best[1] if best else None

    def _stem(self, rel: str, slot_name: str | None) -> str:
        """Output name stem: the file's name, prefixed by its folder when that folder is not the slot's
        own (``campaigns/autumn-tea-2026/hero.jpg`` -> ``autumn-tea-2026-hero``), so names stay readable."""
        path = Path(rel)
        stem = safe_stem(path)
        slot = self.config.slots.get(slot_name) if slot_name else None
        parent = path.parent.as_posix()
        if parent not in ("", ".") and (slot is None or slot.path.strip("/") != parent):
            stem = f"{safe_stem(Path(path.parent.name))}-{stem}"
        return stem

    def _picture(
        self,
        path: str | Path | None,
        alt: str | None = None,
        sizes: str = "100vw",
        cls: str = "",
        eager: bool | None = None,
    ) -> Markup:
        """Template helper: a responsive ``<picture>`` (filled in after the variants are encoded)."""
        if not path:
            return Markup("")
        if self._is_refused(path):
            return Markup("")  # reported by the page-file check (page.file-*)
        found = self._site_rel(path)
        if found is None or not found[1].is_file():
            self.findings.append(error("build.file-missing", self.current_file, path=str(path)))
            return Markup("")
        rel, resolved = found
        if resolved.suffix.lower() not in RASTER_SUFFIXES:
            # vector or animated images are used as they are
            text = alt if alt is not None else self._alt(resolved)
            return Markup('<img src="{}" alt="{}" loading="lazy">').format(self._asset(resolved), text)
        slot_name = self._slot_for(rel)
        slot = self.config.slots.get(slot_name) if slot_name else None
        widths = tuple(slot.widths if slot and slot.widths else self.config.build.widths)
        self.image_requests.setdefault(
            rel,
            ImageRequest(resolved, rel, widths, tuple(self.config.build.formats), self._stem(rel, slot_name)),
        )
        if eager is None:
            eager = bool(slot and slot.above_fold)
        text = alt if alt is not None else self._alt(resolved)
        self.pictures.append((self.current_page, rel, text, sizes, cls, eager))
        return Markup(f"<!--lpublish:picture:{len(self.pictures) - 1}-->")

    def _format_date(self, moment: datetime | None) -> str:
        if moment is None:
            return ""
        local = moment.astimezone(self.tz)
        text = f"{local.year}年{local.month}月{local.day}日"
        if (local.hour, local.minute) not in ((0, 0), (23, 59)):
            text += f" {local.hour}:{local.minute:02d}"
        return text

    def _period(self, c: Campaign) -> str:
        start = self._format_date(c.start)
        return f"{start} 〜 {self._format_date(c.end)}" if c.end else f"{start} 〜"

    # -- content --------------------------------------------------------------------------------

    def _render(self, template: str, page_path: str, source_file: str, context: dict[str, Any]) -> None:
        self.current_page = page_path
        self.current_file = source_file
        try:
            html = self.env.get_template(template).render(**context)
        except jinja2.TemplateNotFound as exc:
            self.findings.append(error("build.template-missing", source_file, template=str(exc.name)))
            return
        except jinja2.TemplateSyntaxError as exc:
            finding = error("build.template-error", exc.filename or template, error=exc.message or str(exc))
            self.findings.append(_with_line(finding, exc.lineno))
            return
        except (jinja2.TemplateError, TypeError, ValueError, AttributeError) as exc:
            self.findings.append(error("build.template-error", source_file, error=f"{template}: {exc}"))
            return
        self.html[page_path] = html

    def _page_meta(self, **kw: Any) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "title": "",
            "description": "",
            "canonical": "",
            "url": "",
            "lang": self.config.site.default_language,
            "kind": "page",
            "noindex": False,
            "og_image": "",
            "og_image_alt": "",
            "og_image_width": None,
            "og_image_height": None,
            "banner": None,
            "banner_start": "",
            "banner_end": "",
            "heading": "",
        }
        meta.update(kw)
        return meta

    def _og(self, path: str | Path | None, alt: str = "") -> dict[str, Any]:
        if not path:
            return {}
        out_path = self._asset_path(path)
        if out_path is None:
            return {}
        found = self._site_rel(path)
        width = height = None
        if found is not None:
            try:
                from PIL import Image

                with Image.open(found[1]) as img:
                    width, height = img.size
            except Exception:  # size is optional metadata; a bad file is reported by `lpublish check`
                width = height = None
        text = alt or (self._alt(found[1]) if found else "")
        return {
            "og_image": self.base_url + out_path,
            "og_image_alt": text,
            "og_image_width": width,
            "og_image_height": height,
        }

    def _body_html(self, body: str, folder: Path) -> Markup:
        """Safe HTML for a Markdown body, with site-root links made page-relative and images copied."""
        try:
            html = render_markdown(body)
        except MarkdownTooDeep:
            # Refuse rather than publish a page with part of its text missing.
            finding = error("markdown.too-deep", self.current_file, field="body", limit=MAX_NESTING // 2)
            self.findings.append(finding)
            return Markup("")

        def fix(match: re.Match[str]) -> str:
            attr, url = match.group(1), match.group(2)
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or url.startswith("#"):
                return match.group(0)
            if attr == "src":
                target = self.root / url.lstrip("/") if url.startswith("/") else folder / unquote(parts.path)
                out_path = self._asset_path(target)
                return f'{attr}="{self._url(out_path)}"' if out_path else match.group(0)
            if url.startswith("/"):
                return f'{attr}="{self._url(url)}"'
            return match.group(0)

        return Markup(re.sub(r'\b(href|src)="([^"]*)"', fix, html))

    def load_pages(self) -> list[tuple[str, dict[str, Any], str, Path]]:
        """Pages from ``pages_dir``: (url path, front matter, body, source file)."""
        pages_dir = self.config.site_path(self.config.site.pages_dir)
        found: list[tuple[str, dict[str, Any], str, Path]] = []
        if not pages_dir.is_dir():
            return found
        for source in sorted(pages_dir.rglob("*.md")):
            if self._blocked(source):
                continue  # a symbolic link out of the site: reported by source_symlinks
            rel = source.relative_to(pages_dir).as_posix()
            file = source.relative_to(self.root).as_posix()
            try:
                doc = split_front_matter(source.read_text(encoding="utf-8"))
            except FrontMatterError as exc:
                self.findings.append(
                    _with_line(error("build.page-invalid", file, detail=exc.detail or exc.reason), exc.line)
                )
                continue
            except (OSError, UnicodeDecodeError):
                self.findings.append(error("build.page-invalid", file, detail="unreadable"))
                continue
            stem = rel[: -len(".md")]
            if stem == "index":
                url_path = ""
            elif stem.endswith("/index"):
                url_path = stem[: -len("index")]
            else:
                url_path = stem + "/"
            found.append((url_path, doc.meta, doc.body, source))
        return found

    def campaign_items(self, campaigns: list[Campaign]) -> list[dict[str, Any]]:
        """Campaign cards for the top page: live ones (and scheduled ones in a preview), newest first."""
        items = []
        for c in sorted(campaigns, key=lambda c: (c.start, c.slug), reverse=True):
            state = campaign_state(c, self.now)
            if state == "live" or (state == "scheduled" and self.preview):
                items.append(
                    {
                        "slug": c.slug,
                        "title": c.title,
                        "summary": c.summary,
                        "url": self._url(self._campaign_url(c)),
                        "hero": c.hero,
                        "hero_alt": c.hero_alt,
                        "state": state,
                        "period": self._period(c),
                        "start": c.start,
                        "end": c.end,
                    }
                )
        return items

    def _campaign_url(self, c: Campaign) -> str:
        return f"{self.config.site.campaigns_dir.strip('/')}/{c.slug}/"

    def render_pages(self, campaigns: list[Campaign]) -> None:
        for url_path, meta, body, source in self.load_pages():
            page_path = _page_path_for(url_path)
            file = source.relative_to(self.root).as_posix()
            self.current_page, self.current_file = page_path, file
            hero = dict(meta.get("hero") or {}) if isinstance(meta.get("hero"), dict) else {}
            if "cta_url" in hero:
                hero["cta_url"] = safe_link(self.config, hero["cta_url"])
            if hero.get("image") and not hero.get("alt"):
                hero["alt"] = self._alt(hero["image"])
            products = []
            for product in meta.get("products") or []:
                if isinstance(product, dict):
                    item = dict(product)
                    if "url" in item:
                        item["url"] = safe_link(self.config, item["url"])
                    if item.get("image") and not item.get("alt"):
                        item["alt"] = self._alt(item["image"])
                    products.append(item)
            noindex = meta.get("noindex") is True
            page = self._page_meta(
                title=str(meta.get("title") or self.config.site.name),
                description=str(meta.get("description") or ""),
                canonical=self.base_url + url_path,
                url=url_path,
                kind="home" if url_path == "" else "page",
                noindex=noindex,
                lang=str(meta.get("lang") or self.config.site.default_language),
                heading=str(meta.get("heading") or ""),
                **self._og(meta.get("og_image"), str(meta.get("og_image_alt") or "")),
            )
            context = {
                "site": self._site_context(),
                "page": page,
                "meta": meta,
                "hero": hero,
                "products": products,
                "body_html": self._body_html(body, source.parent) if body.strip() else Markup(""),
                "campaigns": self.campaign_items(campaigns),
            }
            template = str(meta.get("template") or ("index.html" if url_path == "" else "page.html"))
            self._render(template, page_path, file, context)
            self.pages.append(
                PageInfo(page_path, "/" + url_path, page["title"], page["kind"], noindex=noindex)
            )

    def _site_context(self) -> dict[str, Any]:
        return {
            "name": self.config.site.name,
            "base_url": self.base_url,
            "lang": self.config.site.default_language,
            "preview": self.preview,
        }

    def render_campaigns(self, campaigns: list[Campaign]) -> None:
        settings = self.config.campaign
        for c in campaigns:
            check_cancel(self.cancel)
            state = campaign_state(c, self.now)
            if not SLUG_RE.match(c.slug) or "--" in c.slug or self._blocked(c.folder):
                # Checked here too, not only by `lpublish check`: the slug becomes an output path.
                self.findings.append(error("build.unsafe-path", str(c.source.name), path=c.slug))
                continue
            url_path = self._campaign_url(c)
            page_path = _page_path_for(url_path)
            file = (
                c.source.relative_to(self.root).as_posix()
                if c.source.is_relative_to(self.root)
                else str(c.source)
            )
            self.current_page, self.current_file = page_path, file
            if state == "scheduled" and not self.preview:
                continue
            if state == "ended" and settings.after_end == "hide":
                continue
            if c.cta_url and safe_link(self.config, c.cta_url) == "":
                c = dataclasses.replace(c, cta_url="")  # refused by the URL rule: never published
            common = {"site": self._site_context(), "campaign": c, "period": self._period(c), "state": state}
            if state == "ended" and settings.after_end == "redirect":
                self._redirect_page(c, page_path, url_path)
                self.pages.append(
                    PageInfo(page_path, "/" + url_path, c.title, "redirect", noindex=True, state=state)
                )
                continue
            if state == "ended":
                page = self._page_meta(
                    title=c.title,
                    description=c.summary,
                    canonical=self.base_url + url_path,
                    url=url_path,
                    kind="ended",
                    noindex=True,
                )
                self._render(settings.ended_template, page_path, file, {**common, "page": page})
                self.pages.append(
                    PageInfo(page_path, "/" + url_path, c.title, "ended", noindex=True, state=state)
                )
                continue
            page = self._page_meta(
                title=c.title,
                description=c.summary,
                canonical=self.base_url + url_path,
                url=url_path,
                kind="campaign",
                noindex=c.noindex or state == "scheduled",
                banner="scheduled" if state == "scheduled" else None,
                banner_start=self._format_date(c.start),
                banner_end=self._format_date(c.end),
                **(self._og(c.og_image) or self._og(c.hero, c.hero_alt)),
            )
            context = {**common, "page": page, "body_html": self._body_html(c.body, c.folder)}
            self._render(settings.template, page_path, file, context)
            self.pages.append(
                PageInfo(page_path, "/" + url_path, c.title, "campaign", noindex=page["noindex"], state=state)
            )

    def _redirect_page(self, c: Campaign, page_path: str, url_path: str) -> None:
        """An ended campaign's URL as a redirect: meta refresh + canonical, for static hosting."""
        target = self.config.campaign.redirect_url or "/"
        parts = urlsplit(target)
        if parts.scheme or parts.netloc:
            href, canonical = target, target
        else:
            href = _rel_url(page_path, target)
            canonical = self.base_url + target.lstrip("/")
        attr = escape  # the same escaping the templates get
        html = (
            "<!doctype html>\n"
            f'<html lang="{attr(self.config.site.default_language)}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{attr(c.title)}</title>\n"
            '<meta name="robots" content="noindex">\n'
            f'<meta http-equiv="refresh" content="0; url={attr(href)}">\n'
            f'<link rel="canonical" href="{attr(canonical)}">\n</head>\n<body>\n'
            f'<p><a href="{attr(href)}">{attr(c.title)}</a></p>\n</body>\n</html>\n'
        )
        self.html[page_path] = html

    def copy_static(self) -> None:
        static = self.config.site_path(self.config.site.static_dir)
        if not static.is_dir():
            return
        for path in _walk_files(static):
            rel = path.relative_to(static).as_posix()
            if any(part.startswith(".") for part in rel.split("/")) or self._blocked(path):
                continue
            if unsafe_name(rel):
                self.findings.append(error("file.bad-name", _shown(self.root, path)))
                continue
            if not path.is_file():
                continue
            if rel in ("robots.txt", "sitemap.xml", MANIFEST_NAME):
                continue  # generated by the build
            self.outputs[rel] = _Output(source=path, sha256=_file_sha(path), size=path.stat().st_size)

    # -- images ---------------------------------------------------------------------------------

    def resolve_pictures(self) -> tuple[int, int]:
        cache_dir = self.cache_dir
        cache = VariantCache(cache_dir)
        build = self.config.build
        settings = VariantSettings(
            jpeg_quality=build.jpeg_quality,
            webp_quality=build.webp_quality,
            avif_quality=build.avif_quality,
            workers=build.workers,
            max_pixels=self.config.site.max_pixels,
        )
        images, failures, generated, reused = generate_variants(
            list(self.image_requests.values()), cache, settings, progress=self.progress, cancel=self.cancel
        )
        for rel, reason in sorted(failures.items()):
            self.findings.append(error("build.image-unreadable", rel, reason=reason))
        for image in images.values():
            for v in image.variants:
                self.outputs[v.path] = _Output(
                    source=cache_path(cache_dir, v.key, v.format), sha256=v.sha256, size=v.size
                )
        # Drop variants of images that were replaced or deleted, so the cache does not grow forever.
        # Previews never prune: they may run on a changed copy of the site sharing the real cache.
        if not self.preview:
            cache.prune({rel: image.sha256 for rel, image in images.items()}, self.root)
        cache.save()
        for page_path, html in list(self.html.items()):
            self.html[page_path] = _PLACEHOLDER.sub(
                lambda m: self._picture_html(images, int(m.group(1))), html
            )
        return generated, reused

    def _picture_html(self, images: dict[str, ResponsiveImage], index: int) -> str:
        page_path, rel, alt, sizes, cls, eager = self.pictures[index]
        image = images.get(rel)
        if image is None or not image.variants:
            return ""
        return image.html(lambda p: _rel_url(page_path, p), alt=alt, sizes=sizes, css_class=cls, eager=eager)

    # -- generated files --------------------------------------------------------------------------

    def sitemap_and_robots(self) -> None:
        urls = sorted(self.base_url + p.url.lstrip("/") for p in self.pages if not p.noindex)
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
        ]
        lines += [f"  <url><loc>{xml_escape(u)}</loc></url>" for u in urls]
        lines.append("</urlset>")
        self._text("sitemap.xml", "\n".join(lines) + "\n")
        if self.preview:
            robots = "# Local preview: not for search engines.\nUser-agent: *\nDisallow: /\n"
        else:
            robots = f"User-agent: *\nAllow: /\n\nSitemap: {self.base_url}sitemap.xml\n"
        self._text("robots.txt", robots)

    def _text(self, path: str, text: str) -> None:
        data = text.encode("utf-8")
        self.outputs[path] = _Output(data=data, sha256=_sha(data), size=len(data))

    def finish_pages(self) -> None:
        for page_path, html in sorted(self.html.items()):
            self._text(page_path, html)

    # -- checks -------------------------------------------------------------------------------------

    def check_links_and_weight(self) -> None:
        budget = self.config.build.page_budget_bytes
        for page in self.pages:
            html = self.html.get(page.path)
            if html is None:
                continue
            parser = _LinkParser()
            parser.feed(html)
            parser.close()
            weight = len(html.encode("utf-8"))
            seen_css: set[str] = set()
            for url, tag, attr in parser.links:
                target = self._internal_target(page.path, url)
                if target is None:
                    continue
                if target not in self.outputs and target not in self.html:
                    self.findings.append(error("build.broken-link", page.path, url=url, tag=tag, attr=attr))
                elif tag == "link" and target.endswith(".css") and target not in seen_css:
                    seen_css.add(target)
                    weight += self.outputs[target].size
            for group in parser.images:
                sizes = []
                for url in group:
                    target = self._internal_target(page.path, url)
                    if target is not None and target in self.outputs:
                        sizes.append(self.outputs[target].size)
                weight += max(sizes, default=0)
            page.weight = weight
            if weight > budget:
                self.findings.append(warning("build.page-budget", page.path, weight=weight, budget=budget))

    def _internal_target(self, page_path: str, url: str) -> str | None:
        """The output path an internal URL points at (``None`` for external or non-file URLs)."""
        url = url.strip()
        if not url or url.startswith(("#", "mailto:", "tel:", "data:")):
            return None
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            if not url.startswith(self.base_url):
                return None
            path = url[len(self.base_url) :]
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
        if joined not in self.outputs and joined not in self.html and (joined + "/index.html") in self.html:
            return joined + "/index.html"
        return joined

    # -- writing --------------------------------------------------------------------------------

    def _write_manifest(self, files: list[dict[str, Any]]) -> None:
        text = json.dumps(
            {"version": MANIFEST_VERSION, "files": files}, ensure_ascii=False, indent=1, sort_keys=True
        )
        text += "\n"
        manifest_path = self.out / MANIFEST_NAME
        try:
            if manifest_path.read_text(encoding="utf-8") == text:
                return  # unchanged: keep the file (and its time stamp) as it is
        except OSError:
            pass
        tmp = manifest_path.with_name(f".{MANIFEST_NAME}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, manifest_path)

    def drop_unsafe_outputs(self) -> None:
        """Every output path is checked on its own: nothing is written outside ``out``."""
        for path in sorted(self.outputs):
            if not safe_output_path(self.out, path):
                del self.outputs[path]
                self.findings.append(
                    error("build.unsafe-path", path.encode("unicode_escape").decode(), path=path)
                )

    def write(self) -> tuple[list[str], list[str]]:
        """Write new/changed files, delete files the previous build made that are gone now, manifest.

        A failure half-way (disk full, permissions) removes the temporary file it was writing, so the
        next build is not blocked by it.
        """
        try:
            return self._write()
        except BaseException as exc:
            for leftover in self.out.rglob(".*.tmp") if self.out.is_dir() else ():
                with contextlib.suppress(OSError):
                    leftover.unlink()
            if isinstance(exc, OSError):
                # A failed write() names no file: say which folder could not be written.
                raise os_failure(exc, path=exc.filename or self.out) from None
            raise

    def _write(self) -> tuple[list[str], list[str]]:
        previous = _read_manifest(self.out)
        self.out.mkdir(parents=True, exist_ok=True)
        changed = [
            path
            for path in sorted(self.outputs)
            if (prev := previous.get(path)) is None
            or prev.get("sha256") != self.outputs[path].sha256
            or _size(self.out / path) != self.outputs[path].size
        ]
        if changed:
            # Record what is about to be written first: if the build is cancelled or crashes halfway,
            # the next build still knows these files are its own (it rewrites and cleans them up).
            provisional = dict(previous)
            provisional.update({path: {"path": path, "size": -1, "sha256": ""} for path in changed})
            self._write_manifest(sorted(provisional.values(), key=lambda f: str(f["path"])))
        written: list[str] = []
        for path in changed:
            check_cancel(self.cancel)
            item = self.outputs[path]
            target = self.out / path
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.tmp")
            if item.data is not None:
                tmp.write_bytes(item.data)
            elif item.source is not None:
                tmp.write_bytes(item.source.read_bytes())
            os.replace(tmp, target)
            written.append(path)
        deleted: list[str] = []
        for path in sorted(set(previous) - set(self.outputs)):
            target = self.out / path
            if target.is_file() and _inside(self.out, target):
                target.unlink()
                deleted.append(path)
                _remove_empty_parents(target.parent, self.out)
        self._write_manifest(
            [
                {
                    "path": path,
                    "size": self.outputs[path].size,
                    "sha256": self.outputs[path].sha256,
                    "content_type": content_type(path),
                }
                for path in sorted(self.outputs)
            ]
        )
        return written, deleted


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


def _walk_files(folder: Path) -> list[Path]:
    """Files and symbolic links under ``folder``, sorted, without following links to folders."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames.sort()
        base = Path(dirpath)
        found.extend(base / name for name in filenames)
        found.extend(base / name for name in dirnames if (base / name).is_symlink())
    return sorted(found)


def _shown(root: Path, path: Path) -> str:
    """A path for a message, with undecodable bytes of a file name shown as escapes."""
    try:
        text = path.relative_to(root).as_posix()
    except ValueError:
        text = str(path)
    return os.fsencode(text).decode("utf-8", "backslashreplace")


def _with_line(finding: Finding, line: int | None) -> Finding:
    return Finding(
        finding.code, finding.severity, finding.file, finding.field, finding.params, finding.fix, line
    )


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


def _inside(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def _remove_empty_parents(folder: Path, stop: Path) -> None:
    while folder != stop and _inside(stop, folder):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _read_manifest(out: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
        return {str(f["path"]): f for f in data.get("files", []) if isinstance(f, dict) and "path" in f}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def _resolved(path: Path) -> Path:
    """``path.resolve()``, or the plain absolute path when a link loop makes it unresolvable."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return Path(os.path.normpath(path.absolute()))


def _check_out_dir(config: SiteConfig, out: Path) -> None:
    """Refuse output folders where writing or deleting would harm the site's sources or other files."""
    root = config.root.resolve()
    out = _resolved(out)
    sources = [
        _resolved(config.site_path(d))
        for d in (
            config.site.templates_dir,
            config.site.static_dir,
            config.site.pages_dir,
            config.site.campaigns_dir,
            config.site.images_dir,
        )
    ]
    if out == root or root.is_relative_to(out) or any(out == s or out.is_relative_to(s) for s in sources):
        raise UsageError("site.out_unsafe", path=str(out))
    if out.exists() and not out.is_dir():
        raise UsageError("site.out_unsafe", path=str(out))
    if out.is_dir() and not (out / MANIFEST_NAME).is_file():
        # A build that failed before its manifest existed may have left its temporary manifest: that
        # is lpublish's own file, not someone else's, and must not block the next build.
        leftover = out / f".{MANIFEST_NAME}.tmp"
        if leftover.is_file():
            leftover.unlink()
        if any(out.iterdir()):
            raise UsageError("site.out_not_empty", path=str(out))


def parse_now(value: str, config: SiteConfig) -> datetime:
    """``--now`` as an aware datetime (a naive value is in the site's time zone)."""
    text = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError("site.bad_now", value=value) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(config.site.timezone))
    return moment


def build_site(
    config: SiteConfig,
    out: Path | None = None,
    *,
    now: datetime | None = None,
    preview: bool = False,
    progress: ProgressCallback = no_progress,
    cancel: threading.Event | None = None,
    cache_dir: Path | None = None,
) -> BuildResult:
    """Build the site into ``out`` (default ``<root>/<site.out_dir>``) as it should look at ``now``.

    ``preview=True`` also renders scheduled campaigns, with a visible "scheduled" banner, lists them on
    the top page, and writes a robots.txt that keeps search engines out. ``cache_dir`` is the image
    variant cache (default ``<root>/.lpublish-cache``); it is keyed by content, so a temporary copy of
    the site (a TUI preview) can share the real site's cache and skip re-encoding. Every problem is a finding in
    the result (the build still writes what it can); raises ``UsageError``/``ConfigError`` only for an
    unusable output folder or templates folder, ``CancelledError`` when cancelled.
    """
    started = time.monotonic()
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(config.site.timezone))
    target = (out or config.site_path(config.site.out_dir)).resolve()
    _check_out_dir(config, target)
    builder = _Builder(
        config, target, moment, preview, progress, cancel, cache_dir or config.root / CACHE_DIR
    )
    progress(ProgressEvent("site.progress.pages"))
    campaigns, campaign_findings = load_campaigns(config)
    builder.findings.extend(campaign_findings)
    links = source_symlinks(config)
    builder.findings.extend(f for f in links if f.is_error)
    builder.blocked_links = [Path(os.path.normpath(config.root / f.file)) for f in links if f.is_error]
    content = check_page_content(config, campaigns)
    builder.findings.extend(content.findings)
    builder.refused = content.refused
    builder.copy_static()
    builder.render_pages(campaigns)
    builder.render_campaigns(campaigns)
    check_cancel(cancel)
    generated, reused = builder.resolve_pictures()
    check_cancel(cancel)
    builder.finish_pages()
    builder.sitemap_and_robots()
    builder.check_links_and_weight()
    builder.drop_unsafe_outputs()
    progress(ProgressEvent("site.progress.writing"))
    written, deleted = builder.write()
    builder.pages.sort(key=lambda p: p.url)
    return BuildResult(
        out_dir=target,
        pages=builder.pages,
        findings=builder.findings,
        generated=generated,
        reused=reused,
        written=written,
        deleted=deleted,
        files=len(builder.outputs),
        seconds=time.monotonic() - started,
    )
