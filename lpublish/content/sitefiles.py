"""The files of a site as the content model sees them: which exist, and the text of those it reads.

Owns: ``SiteFiles`` (the small interface), ``DirFiles`` (a folder on disk, skipping what is not the
site's own source: ``.git``, ``node_modules``, build output, ``[build] source_ignore``) and
``skip_patterns`` (those rules for a config). A git-backed implementation lives with the publish
workspace, which may be a sparse checkout. Must not import UI libraries.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from lpublish.config import SiteConfig

#: Folders that never hold the site's own source.
ALWAYS_SKIP = (".git", "node_modules", ".lpublish-cache", "__pycache__", ".venv", "_site", ".jekyll-cache")


class SiteFiles(Protocol):
    """Site-relative POSIX paths of the site's files, and a way to read one as text."""

    def paths(self) -> set[str]: ...

    def read_text(self, rel: str) -> str | None: ...


def _build_value(config: SiteConfig, name: str, default: object) -> object:
    # ``[build]`` keys from the site-adapter contract; older configs have none of them.
    return getattr(config.build, name, default)


def public_dirs(config: SiteConfig) -> list[str]:
    """Folders the generator publishes at the site root, in lookup order."""
    found = _build_value(config, "public_dirs", None)
    dirs = [str(d).strip("/") or "." for d in found] if isinstance(found, list) and found else ["."]
    if _build_value(config, "adapter", "lpublish") == "lpublish":
        # lpublish's generator also publishes ``[site] static_dir`` at the site root.
        static = config.site.static_dir.strip("/")
        if static and static not in dirs:
            dirs.append(static)
    return dirs


def output_dirs(config: SiteConfig) -> list[str]:
    """Folders the build writes (never source)."""
    outs = {config.site.out_dir.strip("/")}
    output = _build_value(config, "output", "")
    if isinstance(output, str) and output.strip("/"):
        outs.add(output.strip("/"))
    return sorted(o for o in outs if o and o != ".")


def skip_patterns(config: SiteConfig) -> list[str]:
    """Glob patterns (site-relative) of files that are not the site's own source."""
    patterns = [f"{name}/*" for name in ALWAYS_SKIP] + [f"*/{name}/*" for name in ALWAYS_SKIP]
    patterns += [f"{out}/*" for out in output_dirs(config)]
    # lpublish's own files: its docs name images (slot tables) but are never a page of the site.
    patterns += [".lpublish*", "*/.lpublish*", "lpublish.toml", "docs/lpublish*.md", "*/docs/lpublish*.md"]
    ignore = _build_value(config, "source_ignore", [])
    if isinstance(ignore, list):
        for pattern in ignore:
            text = str(pattern).strip("/")
            patterns.append(text)
            if not text.endswith("*"):
                patterns.append(text + "/*")
    return patterns


def is_skipped(rel: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(rel, p) for p in patterns)


class DirFiles:
    """The site's files on disk under ``root`` (symlinked folders are not followed)."""

    def __init__(self, root: Path, patterns: list[str]) -> None:
        self.root = root
        self.patterns = patterns
        self._paths: set[str] | None = None

    @classmethod
    def for_config(cls, config: SiteConfig, root: Path | None = None) -> DirFiles:
        return cls(root or config.root, skip_patterns(config))

    def paths(self) -> set[str]:
        if self._paths is None:
            found: set[str] = set()
            for folder, dirs, files in os.walk(self.root):
                rel_dir = Path(folder).relative_to(self.root).as_posix()
                prefix = "" if rel_dir == "." else rel_dir + "/"
                dirs[:] = sorted(
                    d
                    for d in dirs
                    if d not in ALWAYS_SKIP and not is_skipped(prefix + d + "/", self.patterns)
                )
                for name in files:
                    rel = prefix + name
                    if not is_skipped(rel, self.patterns):
                        found.add(rel)
            self._paths = found
        return self._paths

    def read_text(self, rel: str) -> str | None:
        try:
            return (self.root / rel).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def exists(self, rel: str) -> bool:
        return rel in self.paths() or (self.root / rel).is_file()
