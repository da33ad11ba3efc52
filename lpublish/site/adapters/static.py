"""The ``static`` adapter: no build, a folder of the repository is published as it is.

Owns: ``StaticAdapter``. A "build" checks the folder (``[build] source``) exists and holds files, lists
its pages and writes the build manifest into ``.lpublish-cache/`` (never into the person's folder); with
``--out DIR`` the publishable files are copied there. Besides the built-in excludes, dot-files other than
``.well-known/`` and the usual repository files (package manifests, lockfiles, README, licence) are not
published from a repository root. Must not import UI libraries.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from pathlib import Path

from lpublish.errors import ContentError
from lpublish.progress import ProgressCallback, ProgressEvent, no_progress
from lpublish.site.adapters.base import (
    AdapterBuildResult,
    SiteAdapter,
    check_out_target,
    copy_output,
    list_files,
    scan_pages,
    write_manifest,
)
from lpublish.site.build_manifest import MANIFEST_NAME
from lpublish.site.build_result import CACHE_DIR

logger = logging.getLogger(__name__)

#: Repository files that are not part of a hand-written site (only excluded at the published root).
REPO_FILES = (
    "/.*",
    "!/.well-known/",
    "/package.json",
    "/package-lock.json",
    "/yarn.lock",
    "/pnpm-lock.yaml",
    "/Gemfile",
    "/Gemfile.lock",
    "/README*",
    "/LICENSE*",
    "/Makefile",
    "/docs/lpublish.md",
    "/docs/lpublish-setup.md",
)


class StaticAdapter(SiteAdapter):
    name = "static"

    def output_dir(self) -> Path:
        return self.config.site_path(self.config.build.source)

    def manifest_path(self, out: Path | None = None) -> Path:
        if out is not None:
            return out / MANIFEST_NAME
        return self.root / CACHE_DIR / "static-build.json"

    def publish_exclude(self) -> list[str]:
        at_root = self.output_dir().resolve() == self.root.resolve()
        return [*super().publish_exclude(), *(REPO_FILES if at_root else ())]

    def build(
        self,
        out: Path | None = None,
        *,
        progress: ProgressCallback = no_progress,
        cancel: threading.Event | None = None,
        now: datetime | None = None,
        preview: bool = False,
        install: bool = False,
    ) -> AdapterBuildResult:
        started = time.monotonic()
        source = self.output_dir().resolve()
        if not source.is_dir():
            raise ContentError("adapters.static_missing", source=self.config.build.source)
        target = check_out_target(self.config, out, protect=[source]) if out is not None else None
        files = list_files(source, self.publish_exclude())
        if not files:
            raise ContentError("adapters.static_empty", source=self.config.build.source)
        logger.info("static site: %d publishable files in %s", len(files), source)
        final = source
        if target is not None:
            progress(ProgressEvent("adapters.progress.copy", detail=str(target)))
            copy_output(source, target, files)
            final = target
        write_manifest(final, files, self.manifest_path(target))
        return AdapterBuildResult(
            adapter=self.name,
            out_dir=final,
            files=files,
            pages=scan_pages(final, files),
            seconds=time.monotonic() - started,
        )
