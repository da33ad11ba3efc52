"""The ``lpublish`` adapter: lpublish's own generator (Jinja2 templates, Markdown, responsive images).

Owns: ``LpublishAdapter``, a thin wrapper over ``lpublish.site.build.build_site`` so the sample site and
every site set up before adapters existed keep building exactly as before. Must not import UI libraries.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from pathlib import Path

from lpublish.progress import ProgressCallback, no_progress
from lpublish.site.adapters.base import AdapterBuildResult, SiteAdapter
from lpublish.site.build_result import CACHE_DIR


class LpublishAdapter(SiteAdapter):
    name = "lpublish"

    #: The image-variant cache of ``build_site`` (a staging copy passes the real site's).
    cache_dir: Path | None = None

    def output_dir(self) -> Path:
        return self.config.site_path(self.config.site.out_dir)

    def watch_ignored(self) -> list[Path]:
        return [*super().watch_ignored(), self.root / CACHE_DIR]

    def build(
        self,
        out: Path | None = None,
        *,
        progress: ProgressCallback = no_progress,
        cancel: threading.Event | None = None,
        now: datetime | None = None,
        preview: bool = False,
    ) -> AdapterBuildResult:
        started = time.monotonic()
        # Imported here: reading ``output_dir()`` (every deploy does) must not load the generator.
        from lpublish.site.build import build_site

        result = build_site(
            self.config,
            out,
            now=now,
            preview=preview,
            progress=progress,
            cancel=cancel,
            cache_dir=self.cache_dir,
        )
        seconds = time.monotonic() - started
        return AdapterBuildResult(
            adapter=self.name,
            out_dir=result.out_dir,
            pages=result.pages,
            findings=list(result.findings),
            seconds=seconds,
            generator_seconds=seconds,
            lpublish=result,
        )
