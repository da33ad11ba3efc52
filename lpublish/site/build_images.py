"""Responsive images in built pages: collecting what templates ask for, then filling in ``<picture>``.

Owns: ``Pictures``. While pages render, each ``picture(...)`` call in a template is recorded (which
source image, its slot's widths, alt text, ``sizes``, eager or lazy) and a placeholder comment is put in
the page; once every page is rendered, ``resolve`` encodes the variants in one batch (the content-keyed
cache of ``lpublish.site.images``), adds them to the build's outputs, prunes stale cache entries and
replaces each placeholder by its ``<picture>`` markup. Must not import UI libraries.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from lpublish.config import SiteConfig
from lpublish.findings import Finding, error
from lpublish.progress import ProgressCallback
from lpublish.site.build_links import rel_url
from lpublish.site.build_output import Output
from lpublish.site.images import (
    ImageRequest,
    ResponsiveImage,
    VariantCache,
    VariantSettings,
    cache_path,
    generate_variants,
    safe_stem,
)

logger = logging.getLogger(__name__)

_PLACEHOLDER = re.compile(r"<!--lpublish:picture:(\d+)-->")


@dataclass(frozen=True)
class _Use:
    """One ``picture(...)`` call: on which page, which image, and how it is shown."""

    page_path: str
    rel: str
    alt: str
    sizes: str
    css_class: str
    eager: bool


class Pictures:
    """The responsive images one build uses (see the module docstring)."""

    def __init__(self, config: SiteConfig, cache_dir: Path) -> None:
        self.config = config
        self.cache_dir = cache_dir
        self.requests: dict[str, ImageRequest] = {}
        self.uses: list[_Use] = []

    def slot_for(self, rel: str) -> str | None:
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

    def add(
        self,
        page_path: str,
        rel: str,
        source: Path,
        *,
        alt: str,
        sizes: str,
        css_class: str,
        eager: bool | None,
    ) -> Markup:
        """Record one use of the raster image ``source`` (site path ``rel``); its placeholder markup.

        ``eager=None`` loads the image eagerly when its slot is above the fold.
        """
        slot_name = self.slot_for(rel)
        slot = self.config.slots.get(slot_name) if slot_name else None
        widths = tuple(slot.widths if slot and slot.widths else self.config.build.widths)
        self.requests.setdefault(
            rel,
            ImageRequest(source, rel, widths, tuple(self.config.build.formats), self._stem(rel, slot_name)),
        )
        if eager is None:
            eager = bool(slot and slot.above_fold)
        self.uses.append(_Use(page_path, rel, alt, sizes, css_class, eager))
        return Markup(f"<!--lpublish:picture:{len(self.uses) - 1}-->")

    def resolve(
        self,
        html: dict[str, str],
        outputs: dict[str, Output],
        *,
        preview: bool,
        progress: ProgressCallback,
        cancel: threading.Event | None,
    ) -> tuple[list[Finding], int, int]:
        """Encode (or reuse) every variant, add them to ``outputs``, fill in the pages' placeholders.

        Returns (findings, variants generated, variants reused from the cache).
        """
        cache = VariantCache(self.cache_dir)
        build = self.config.build
        settings = VariantSettings(
            jpeg_quality=build.jpeg_quality,
            webp_quality=build.webp_quality,
            avif_quality=build.avif_quality,
            workers=build.workers,
            max_pixels=self.config.site.max_pixels,
        )
        logger.info("preparing responsive images for %d source images", len(self.requests))
        images, failures, generated, reused = generate_variants(
            list(self.requests.values()), cache, settings, progress=progress, cancel=cancel
        )
        findings = [
            error("build.image-unreadable", rel, reason=reason) for rel, reason in sorted(failures.items())
        ]
        for image in images.values():
            for v in image.variants:
                outputs[v.path] = Output(
                    source=cache_path(self.cache_dir, v.key, v.format), sha256=v.sha256, size=v.size
                )
        # Drop variants of images that were replaced or deleted, so the cache does not grow forever.
        # Previews never prune: they may run on a changed copy of the site sharing the real cache.
        if not preview:
            cache.prune({rel: image.sha256 for rel, image in images.items()}, self.config.root)
        cache.save()
        logger.info("images: %d variants encoded, %d reused from the cache", generated, reused)
        for page_path, text in list(html.items()):
            html[page_path] = _PLACEHOLDER.sub(lambda m: self._html(images, int(m.group(1))), text)
        return findings, generated, reused

    def _html(self, images: dict[str, ResponsiveImage], index: int) -> str:
        use = self.uses[index]
        image = images.get(use.rel)
        if image is None or not image.variants:
            return ""
        return image.html(
            lambda p: rel_url(use.page_path, p),
            alt=use.alt,
            sizes=use.sizes,
            css_class=use.css_class,
            eager=use.eager,
        )
