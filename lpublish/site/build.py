"""The static site build (``lpublish build``): the public API and the order of the steps.

Owns: ``build_site`` and ``BuildResult``, ``parse_now`` (``--now``), and the order a build runs in:
check the output folder, load campaigns and check the sources, copy static files, render pages and
campaigns, encode responsive images, add sitemap and robots, check links and page weight, write. Each
step lives in its own module: ``build_pages`` (templates, pages, campaigns), ``build_sources`` (the
site's files as pages reference them), ``build_images`` (``<picture>``), ``build_static`` (static
folder, sitemap, robots), ``build_links`` (relative URLs, link check, weight), ``build_output`` (writing
the output folder) and ``build_manifest`` (``<out>/.lpublish-build.json``). Must not import UI
libraries.

Every URL inside a page is relative to that page, so the same build works at the site root, under a
per-pull-request preview prefix and from a plain folder. Only canonical / Open Graph URLs are absolute
(they must be, and they name the production site from ``[site] base_url``).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from lpublish.config import SiteConfig
from lpublish.errors import UsageError
from lpublish.findings import Finding, Severity
from lpublish.progress import ProgressCallback, ProgressEvent, check_cancel, no_progress
from lpublish.site.build_images import Pictures
from lpublish.site.build_links import check_links_and_weight
from lpublish.site.build_output import Output, check_out_dir, drop_unsafe_outputs, write_outputs
from lpublish.site.build_pages import PageInfo, PageRenderer
from lpublish.site.build_sources import SiteFiles
from lpublish.site.build_static import copy_static, sitemap_and_robots, text_output
from lpublish.site.campaigns import load_campaigns
from lpublish.site.page_files import check_page_content, source_symlinks

logger = logging.getLogger(__name__)

#: The image variant cache, under the site root (keyed by content: previews of a copy may share it).
CACHE_DIR = ".lpublish-cache"


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
            "pages": [p.to_dict() for p in self.pages],
            "images_generated": self.generated,
            "images_reused": self.reused,
            "files": self.files,
            "written": len(self.written),
            "deleted": len(self.deleted),
            "seconds": round(self.seconds, 3),
        }


# --- output collection ----------------------------------------------------------------------------


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
    check_out_dir(config, target)
    logger.info(
        "building %s into %s (at %s%s)",
        config.root,
        target,
        moment.isoformat(),
        ", preview" if preview else "",
    )
    outputs: dict[str, Output] = {}
    findings: list[Finding] = []
    files = SiteFiles(config.root, outputs, findings)
    pictures = Pictures(config, cache_dir or config.root / CACHE_DIR)
    renderer = PageRenderer(config, moment, preview, cancel, files, pictures)
    progress(ProgressEvent("site.progress.pages"))
    campaigns, campaign_findings = load_campaigns(config)
    findings.extend(campaign_findings)
    links = source_symlinks(config)
    findings.extend(f for f in links if f.is_error)
    files.blocked_links = [Path(os.path.normpath(config.root / f.file)) for f in links if f.is_error]
    content = check_page_content(config, campaigns)
    findings.extend(content.findings)
    files.refused = content.refused
    findings.extend(copy_static(config, outputs, files.blocked))
    renderer.render_pages(campaigns)
    renderer.render_campaigns(campaigns)
    logger.info("rendered %d pages", len(renderer.pages))
    check_cancel(cancel)
    image_findings, generated, reused = pictures.resolve(
        renderer.html, outputs, preview=preview, progress=progress, cancel=cancel
    )
    findings.extend(image_findings)
    check_cancel(cancel)
    for page_path, html in sorted(renderer.html.items()):
        outputs[page_path] = text_output(html)
    sitemap_and_robots(outputs, renderer.pages, base_url=config.site.base_url, preview=preview)
    findings.extend(
        check_links_and_weight(
            renderer.pages,
            renderer.html,
            outputs,
            base_url=config.site.base_url,
            budget=config.build.page_budget_bytes,
        )
    )
    findings.extend(drop_unsafe_outputs(target, outputs))
    progress(ProgressEvent("site.progress.writing"))
    written, deleted = write_outputs(target, outputs, cancel)
    pages = sorted(renderer.pages, key=lambda p: p.url)
    result = BuildResult(
        out_dir=target,
        pages=pages,
        findings=findings,
        generated=generated,
        reused=reused,
        written=written,
        deleted=deleted,
        files=len(outputs),
        seconds=time.monotonic() - started,
    )
    logger.info(
        "build done: %d files (%d written, %d deleted), %d findings",
        result.files,
        len(written),
        len(deleted),
        len(findings),
    )
    return result
