"""The site-adapter interface and what every adapter shares.

Owns: ``SiteAdapter`` (the one small interface: ``name``, ``output_dir()``, ``build(...)``,
``dev_server()``, ``watch_ignored()``, ``manifest_path()``), ``AdapterBuildResult`` (what a build
produced, in one JSON shape for every adapter), ``DevServer`` (how to start the site's own dev server),
and the output helpers: listing the built files and pages, writing a generator's build manifest
(``write_manifest``; the format is ``lpublish.site.build_manifest``'s, the same for every adapter), and
copying an output into ``--out DIR`` safely. Must not import UI libraries.
"""

from __future__ import annotations

import contextlib
import logging
import os
import posixpath
import re
import shutil
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from lpublish.config import SiteConfig
from lpublish.environment import Environment
from lpublish.errors import ContentError, UsageError
from lpublish.findings import Finding, Severity
from lpublish.progress import ProgressCallback, no_progress
from lpublish.site.build_manifest import MANIFEST_NAME, hash_files, write_build_manifest
from lpublish.site.build_result import BuildResult, PageInfo
from lpublish.site.own_files import DEFAULT_EXCLUDE, is_excluded

logger = logging.getLogger(__name__)

#: How many of the generator's last output lines a result (and a failure message) keeps.
TAIL_LINES = 30


@dataclass(frozen=True)
class DevServer:
    """The site's own dev server: the command (``{port}`` filled in) and the URL it answers on."""

    command: str
    url: str
    cwd: Path
    env: dict[str, str]


@dataclass
class AdapterBuildResult:
    """What one build produced, whichever adapter ran it.

    ``lpublish`` holds the full result when lpublish's own generator built the site (its pages, image
    variants and findings are richer); ``command`` and ``log_tail`` are set for the ``command`` adapter.
    ``generator_seconds`` is the time the generator itself ran (the rest is lpublish's overhead).
    """

    adapter: str
    out_dir: Path
    files: list[str] = field(default_factory=list)
    pages: list[PageInfo] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    command: str = ""
    log_tail: list[str] = field(default_factory=list)
    installed: bool = False
    seconds: float = 0.0
    generator_seconds: float = 0.0
    lpublish: BuildResult | None = None

    @property
    def ok(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """The ``build`` object of ``lpublish build --format json`` (same page fields for every adapter)."""
        if self.lpublish is not None:
            data = self.lpublish.to_dict()
        else:
            data = {
                "out_dir": str(self.out_dir),
                "pages": [p.to_dict() for p in self.pages],
                "files": len(self.files),
                "seconds": round(self.seconds, 3),
            }
        data["adapter"] = self.adapter
        data["command"] = self.command
        data["generator_seconds"] = round(self.generator_seconds, 3)
        data["log_tail"] = list(self.log_tail)
        return data


class SiteAdapter(ABC):
    """Builds and previews one site. Create with ``lpublish.site.adapters.adapter_for(config)``."""

    name: str = ""

    def __init__(self, config: SiteConfig, env: Environment | None = None) -> None:
        self.config = config
        # The environment generators and dev servers run in. Front ends pass theirs; without one the
        # adapter takes this process's environment once, here (a library caller has no other).
        self.environment = env if env is not None else Environment.from_os()

    @property
    def root(self) -> Path:
        return self.config.root

    @abstractmethod
    def output_dir(self) -> Path:
        """The folder a build without ``--out`` leaves the site in (what ``lpublish deploy`` publishes)."""

    @abstractmethod
    def build(
        self,
        out: Path | None = None,
        *,
        progress: ProgressCallback = no_progress,
        cancel: threading.Event | None = None,
        now: datetime | None = None,
        preview: bool = False,
    ) -> AdapterBuildResult:
        """Build into ``out`` (default ``output_dir()``). Raises ``LpublishError`` for a failed build."""

    def dev_server(self, port: int) -> DevServer | None:
        """The site's own dev server on ``port``, when the config names one."""
        return None

    def manifest_path(self, out: Path | None = None) -> Path:
        """Where the build manifest of a build into ``out`` (default: the output folder) is written."""
        return (out or self.output_dir()) / MANIFEST_NAME

    def watch_ignored(self) -> list[Path]:
        """Folders whose changes never need a rebuild (output, caches, dependencies)."""
        root = self.root
        return [root / ".git", root / ".lpublish-cache", root / "node_modules", self.output_dir()]

    def publish_exclude(self) -> list[str]:
        """Patterns never published from this adapter's output: built-ins plus ``[deploy] exclude``."""
        return [*DEFAULT_EXCLUDE, *self.config.deploy.exclude]


# --- output helpers ---------------------------------------------------------------------------------


def list_files(folder: Path, exclude: list[str]) -> list[str]:
    """Every file under ``folder`` (posix paths, sorted), without excluded ones and the build manifest.

    Symlinked folders are not entered; a link to a file outside ``folder`` refuses the build with a
    ``ContentError`` naming it (a link out of the output would publish the disk behind it, and skipping
    it quietly would leave a page pointing at nothing).
    """
    found: list[str] = []
    real_root = os.path.realpath(folder)
    for dirpath, dirnames, filenames in os.walk(folder):
        rel_dir = os.path.relpath(dirpath, folder).replace(os.sep, "/")
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not is_excluded(rel_dir + d + "/", exclude) and not os.path.islink(os.path.join(dirpath, d))
        )
        for name in sorted(filenames):
            rel = rel_dir + name
            if rel == MANIFEST_NAME or is_excluded(rel, exclude):
                continue
            full = os.path.join(dirpath, name)
            if os.path.islink(full) and not _inside(real_root, os.path.realpath(full)):
                raise ContentError("adapters.symlink_outside", path=rel, target=os.path.realpath(full))
            found.append(rel)
    return sorted(found)


def _inside(root: str, path: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def write_manifest(out: Path, files: list[str], manifest: Path | None = None) -> Path:
    """Hash ``files`` in ``out`` and write their build manifest (default ``<out>/.lpublish-build.json``)."""
    target = manifest or out / MANIFEST_NAME
    write_build_manifest(target, hash_files(out, files), always=True)
    return target


class _PageScan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self._in_title = False
        self.refs: list[str] = []
        self.noindex = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "title":
            self._in_title = True
        elif tag in ("img", "script", "source") and values.get("src"):
            self.refs.append(values["src"] or "")
        elif tag == "link" and "stylesheet" in (values.get("rel") or "") and values.get("href"):
            self.refs.append(values["href"] or "")
        elif tag == "meta" and (values.get("name") or "").lower() == "robots":
            self.noindex = "noindex" in (values.get("content") or "").lower()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def _url_for(path: str) -> str:
    if path == "index.html":
        return "/"
    if path.endswith("/index.html"):
        return "/" + path[: -len("index.html")]
    return "/" + path


def scan_pages(out: Path, files: list[str]) -> list[PageInfo]:
    """The HTML pages among ``files``: URL, title and weight (the page plus the local files it loads)."""
    known = set(files)
    pages = []
    for rel in files:
        if not rel.endswith((".html", ".htm")):
            continue
        full = out / rel
        try:
            text = full.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        scan = _PageScan()
        with contextlib.suppress(AssertionError, ValueError):  # a broken page still counts
            scan.feed(text)
        weight = full.stat().st_size
        seen: set[str] = set()
        for ref in scan.refs:
            parts = urlsplit(ref)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            joined = (
                parts.path.lstrip("/")
                if parts.path.startswith("/")
                else posixpath.join(posixpath.dirname(rel), parts.path)
            )
            target = posixpath.normpath(unquote(joined))
            if target in known and target not in seen:
                seen.add(target)
                weight += (out / target).stat().st_size
        title = re.sub(r"\s+", " ", scan.title).strip()
        pages.append(
            PageInfo(
                path=rel, url=_url_for(rel), title=title, kind="page", weight=weight, noindex=scan.noindex
            )
        )
    return sorted(pages, key=lambda p: p.url)


def check_out_target(config: SiteConfig, out: Path, *, protect: list[Path]) -> Path:
    """``--out DIR`` must not be the site, hold it, or sit in a folder the site's sources live in."""
    root = config.root.resolve()
    out = out.resolve()
    if out == root or root.is_relative_to(out) or any(out == p or out.is_relative_to(p) for p in protect):
        raise UsageError("site.out_unsafe", path=str(out))
    if out.exists() and not out.is_dir():
        raise UsageError("site.out_unsafe", path=str(out))
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST_NAME).is_file():
        raise UsageError("site.out_not_empty", path=str(out))
    return out


def copy_output(source: Path, out: Path, files: list[str]) -> None:
    """Make ``out`` hold exactly ``files`` from ``source`` (files from an earlier build there are removed)."""
    logger.info("copying %d built files from %s to %s", len(files), source, out)
    if out.exists():
        for child in out.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    out.mkdir(parents=True, exist_ok=True)
    for rel in files:
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / rel, target)


#: Never copied into a staging copy of the site (VCS, dependencies, caches).
STAGING_SKIP = (".git", "node_modules", ".lpublish-cache", "__pycache__", ".astro", ".jekyll-cache", ".next")


def staging_copy(config: SiteConfig, dest: Path) -> Path:
    """A throwaway copy of the site at ``dest`` for previewing a pending change (the checkout stays as is).

    Build output, caches and ``.git`` are left out; ``node_modules`` is linked, not copied (a Node site
    builds in the copy without reinstalling).
    """
    root = config.root
    adapter_output = {
        "lpublish": config.site.out_dir,
        "command": config.build.output,
        "static": "",
    }[config.build.adapter].strip("/")

    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = {n for n in names if n in STAGING_SKIP}
        if adapter_output and Path(folder).resolve() == root.resolve():
            skipped |= {n for n in names if n == adapter_output.split("/", 1)[0]}
        return skipped

    logger.info("copying the site %s to %s for a preview", root, dest)
    shutil.copytree(root, dest, ignore=ignore, symlinks=True)
    modules = root / "node_modules"
    if modules.exists():
        (dest / "node_modules").symlink_to(modules.resolve(), target_is_directory=True)
    return dest
