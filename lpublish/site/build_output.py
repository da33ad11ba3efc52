"""Writing a build into its output folder: only what changed, atomically, with the manifest last.

Owns: ``Output`` (one file of the build: bytes, or a file to copy, with its hash and size), refusing
output folders where writing or deleting would harm the site (``check_out_dir``), dropping output paths
that would land outside the folder (``drop_unsafe_outputs``), and ``write_outputs``: new and changed
files written through a temporary file, stale files of the previous build deleted, the build manifest
(``lpublish.site.build_manifest``) written before (provisionally) and after. Must not import UI
libraries.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from lpublish.config import SiteConfig
from lpublish.errors import UsageError, os_failure
from lpublish.findings import Finding, error
from lpublish.progress import check_cancel
from lpublish.site.build_manifest import (
    MANIFEST_NAME,
    BuiltFile,
    read_build_manifest,
    temporary_path,
    write_build_manifest,
)
from lpublish.site.page_files import safe_output_path
from lpublish.site.paths import resolves_inside

logger = logging.getLogger(__name__)


@dataclass
class Output:
    """A file of the build: bytes to write, or a file to copy (with its known hash)."""

    data: bytes | None = None
    source: Path | None = None
    sha256: str = ""
    size: int = 0


def _resolved(path: Path) -> Path:
    """``path.resolve()``, or the plain absolute path when a link loop makes it unresolvable."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return Path(os.path.normpath(path.absolute()))


def check_out_dir(config: SiteConfig, out: Path) -> None:
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
        leftover = temporary_path(out / MANIFEST_NAME)
        if leftover.is_file():
            leftover.unlink()
        if any(out.iterdir()):
            raise UsageError("site.out_not_empty", path=str(out))


def drop_unsafe_outputs(out: Path, outputs: dict[str, Output]) -> list[Finding]:
    """Check every output path on its own and drop those that would land outside ``out``."""
    findings = []
    for path in sorted(outputs):
        if not safe_output_path(out, path):
            del outputs[path]
            findings.append(error("build.unsafe-path", path.encode("unicode_escape").decode(), path=path))
    return findings


def write_outputs(
    out: Path, outputs: dict[str, Output], cancel: threading.Event | None = None
) -> tuple[list[str], list[str]]:
    """Write new/changed files, delete files the previous build made that are gone now, manifest.

    Returns (written, deleted) output paths. A failure half-way (disk full, permissions) removes the
    temporary file it was writing, so the next build is not blocked by it.
    """
    try:
        return _write(out, outputs, cancel)
    except BaseException as exc:
        for leftover in out.rglob(".*.tmp") if out.is_dir() else ():
            with contextlib.suppress(OSError):
                leftover.unlink()
        if isinstance(exc, OSError):
            # A failed write() names no file: say which folder could not be written.
            raise os_failure(exc, path=exc.filename or out) from None
        raise


def _unchanged(out: Path, path: str, item: Output, previous: BuiltFile | None) -> bool:
    if previous is None or previous.sha256 != item.sha256:
        return False
    try:
        stat = (out / path).stat()
    except OSError:
        return False
    return stat.st_size == item.size and previous.matches(stat)


def _write(
    out: Path, outputs: dict[str, Output], cancel: threading.Event | None
) -> tuple[list[str], list[str]]:
    previous = read_build_manifest(out) or {}
    out.mkdir(parents=True, exist_ok=True)
    manifest = out / MANIFEST_NAME
    changed = [
        path for path in sorted(outputs) if not _unchanged(out, path, outputs[path], previous.get(path))
    ]
    if changed:
        # Record what is about to be written first: if the build is cancelled or crashes halfway,
        # the next build still knows these files are its own (it rewrites and cleans them up).
        provisional = dict(previous)
        provisional.update({path: BuiltFile("", -1) for path in changed})
        write_build_manifest(manifest, provisional)
    logger.info("writing %d of %d files to %s", len(changed), len(outputs), out)
    written: list[str] = []
    for path in changed:
        check_cancel(cancel)
        item = outputs[path]
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = temporary_path(target)
        if item.data is not None:
            tmp.write_bytes(item.data)
        elif item.source is not None:
            tmp.write_bytes(item.source.read_bytes())
        os.replace(tmp, target)
        logger.debug("wrote %s", path)
        written.append(path)
    deleted: list[str] = []
    for path in sorted(set(previous) - set(outputs)):
        target = out / path
        if target.is_file() and resolves_inside(out, target):
            target.unlink()
            logger.debug("deleted %s (no longer built)", path)
            deleted.append(path)
            _remove_empty_parents(target.parent, out)
    write_build_manifest(
        manifest, {path: BuiltFile(item.sha256, item.size) for path, item in outputs.items()}
    )
    return written, deleted


def _remove_empty_parents(folder: Path, stop: Path) -> None:
    while folder != stop and resolves_inside(stop, folder):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
