"""Rendering the site's pages: Jinja2 templates, Markdown pages and campaign pages.

Owns: ``PageInfo`` (one built page) and ``PageRenderer``: the template environment (autoescaped) with
the helpers templates call (``url``, ``asset``, ``picture``, ``alt``, the ``date_ja`` filter), the
pages of ``pages_dir`` (front matter + Markdown body), campaign pages as they should look at build time
(live, scheduled in a preview with a banner, ended per ``after_end``: hide / ended page / redirect), and
the page metadata (canonical and Open Graph URLs). Rendered HTML is collected in ``html``; files pages
reference go into the build's outputs through ``lpublish.site.build_sources.SiteFiles``, images through
``lpublish.site.build_images.Pictures``. Must not import UI libraries.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup, escape

from lpublish.config import SiteConfig
from lpublish.errors import ConfigError
from lpublish.findings import Finding, error
from lpublish.progress import check_cancel
from lpublish.site.build_images import Pictures
from lpublish.site.build_links import page_path_for, rel_url
from lpublish.site.build_sources import SiteFiles
from lpublish.site.campaigns import SLUG_RE, Campaign, campaign_state
from lpublish.site.images import RASTER_SUFFIXES
from lpublish.site.markdown import (
    MAX_NESTING,
    FrontMatterError,
    MarkdownTooDeep,
    render_markdown,
    split_front_matter,
)
from lpublish.site.page_files import safe_link

logger = logging.getLogger(__name__)


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

    def to_dict(self) -> dict[str, Any]:
        """The page in ``lpublish build --format json`` (the same fields for every adapter)."""
        return {name: getattr(self, name) for name in ("path", "url", "title", "kind", "weight", "state")}


def with_line(finding: Finding, line: int | None) -> Finding:
    """``finding`` pointing at ``line`` of its file."""
    return Finding(
        finding.code, finding.severity, finding.file, finding.field, finding.params, finding.fix, line
    )


class PageRenderer:
    """Renders one build's pages into ``html`` and ``pages``; problems go to ``findings``."""

    def __init__(
        self,
        config: SiteConfig,
        now: datetime,
        preview: bool,
        cancel: threading.Event | None,
        files: SiteFiles,
        pictures: Pictures,
    ) -> None:
        self.config = config
        self.root = config.root
        self.now = now
        self.preview = preview
        self.cancel = cancel
        self.files = files
        self.pictures = pictures
        self.findings = files.findings
        self.tz = ZoneInfo(config.site.timezone)
        self.base_url = config.site.base_url
        self.pages: list[PageInfo] = []
        self.html: dict[str, str] = {}
        self.current_page = ""
        self.current_file = ""
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
        env.globals.update(url=self._url, asset=self._asset, picture=self._picture, alt=self.files.alt)
        env.filters["date_ja"] = self._format_date
        return env

    def _url(self, target: str) -> str:
        return rel_url(self.current_page, target)

    def _asset_path(self, path: str | Path) -> str | None:
        return self.files.asset_path(path, self.current_file)

    def _asset(self, path: str | Path) -> str:
        """Copy a file into ``assets/`` under a content-hashed name; return its URL from this page."""
        out_path = self._asset_path(path)
        return self._url(out_path) if out_path else str(path)

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
        if self.files.is_refused(path):
            return Markup("")  # reported by the page-file check (page.file-*)
        found = self.files.site_rel(path)
        if found is None or not found[1].is_file():
            self.findings.append(error("build.file-missing", self.current_file, path=str(path)))
            return Markup("")
        rel, resolved = found
        text = alt if alt is not None else self.files.alt(resolved)
        if resolved.suffix.lower() not in RASTER_SUFFIXES:
            # vector or animated images are used as they are
            return Markup('<img src="{}" alt="{}" loading="lazy">').format(self._asset(resolved), text)
        return self.pictures.add(
            self.current_page, rel, resolved, alt=text, sizes=sizes, css_class=cls, eager=eager
        )

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
            self.findings.append(with_line(finding, exc.lineno))
            return
        except (jinja2.TemplateError, TypeError, ValueError, AttributeError) as exc:
            self.findings.append(error("build.template-error", source_file, error=f"{template}: {exc}"))
            return
        self.html[page_path] = html
        logger.debug("rendered %s from %s (%s)", page_path, source_file, template)

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
        found = self.files.site_rel(path)
        width = height = None
        if found is not None:
            try:
                from PIL import Image

                with Image.open(found[1]) as img:
                    width, height = img.size
            except Exception:  # size is optional metadata; a bad file is reported by `lpublish check`
                width = height = None
        text = alt or (self.files.alt(found[1]) if found else "")
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
            if self.files.blocked(source):
                continue  # a symbolic link out of the site: reported by source_symlinks
            rel = source.relative_to(pages_dir).as_posix()
            file = source.relative_to(self.root).as_posix()
            try:
                doc = split_front_matter(source.read_text(encoding="utf-8"))
            except FrontMatterError as exc:
                self.findings.append(
                    with_line(error("build.page-invalid", file, detail=exc.detail or exc.reason), exc.line)
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
            page_path = page_path_for(url_path)
            file = source.relative_to(self.root).as_posix()
            self.current_page, self.current_file = page_path, file
            hero = dict(meta.get("hero") or {}) if isinstance(meta.get("hero"), dict) else {}
            if "cta_url" in hero:
                hero["cta_url"] = safe_link(self.config, hero["cta_url"])
            if hero.get("image") and not hero.get("alt"):
                hero["alt"] = self.files.alt(hero["image"])
            products = []
            for product in meta.get("products") or []:
                if isinstance(product, dict):
                    item = dict(product)
                    if "url" in item:
                        item["url"] = safe_link(self.config, item["url"])
                    if item.get("image") and not item.get("alt"):
                        item["alt"] = self.files.alt(item["image"])
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
            if not SLUG_RE.match(c.slug) or "--" in c.slug or self.files.blocked(c.folder):
                # Checked here too, not only by `lpublish check`: the slug becomes an output path.
                self.findings.append(error("build.unsafe-path", str(c.source.name), path=c.slug))
                continue
            url_path = self._campaign_url(c)
            page_path = page_path_for(url_path)
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
            href = rel_url(page_path, target)
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
