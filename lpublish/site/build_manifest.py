"""The build manifest: which files a build left in its output folder, with their content hashes.

Owns: the manifest's name (``MANIFEST_NAME`` = ``.lpublish-build.json``) and version, ``BuiltFile``
(one entry), reading it (``read_build_manifest`` for an output folder, ``read_manifest_file`` for a copy
kept elsewhere, e.g. by ``lpublish ci schedule``), writing it atomically (``write_build_manifest``) and
hashing a generator's output into entries (``hash_files``). Every adapter writes the same shape; deploy
reuses its hashes instead of hashing the output again. Must not import UI libraries.

On disk: ``{"version": 1, "files": [{"path", "size", "sha256"}, ...]}``, sorted, byte-identical for the
same output (no time stamps inside: the build is deterministic). Freshness comes from the manifest's own
modification time instead: it is written after every file of the build, so a file changed later (a hand
edit of ``dist/``, a half-finished copy) is newer than the manifest and its entry no longer counts.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

from lpublish.hashing import sha256_file

logger = logging.getLogger(__name__)

MANIFEST_NAME = ".lpublish-build.json"
MANIFEST_VERSION = 1


class BuiltFile(NamedTuple):
    """One file of a build: its SHA-256 (hex), size, and the newest ``st_mtime_ns`` it may have.

    ``mtime_ns`` is the manifest's own modification time when read from disk (``0`` for an entry not
    read from disk). ``sha256 == ""`` / ``size == -1`` marks a file a build was about to write when it
    stopped: the folder still knows it as the build's own, but its hash is unknown.
    """

    sha256: str
    size: int
    mtime_ns: int = 0

    def matches(self, stat: os.stat_result) -> bool:
        """Whether the file on disk (its ``stat``) is still the one this entry describes."""
        return bool(self.sha256) and stat.st_size == self.size and stat.st_mtime_ns <= self.mtime_ns


def temporary_path(target: Path) -> Path:
    """Where a file is written before it replaces ``target`` (``.<name>.tmp`` next to it)."""
    return target.with_name(f".{target.name}.tmp")


def read_manifest_file(path: Path) -> dict[str, BuiltFile] | None:
    """The entries of the manifest file at ``path`` by output path; ``None`` when absent or unreadable."""
    try:
        mtime_ns = path.stat().st_mtime_ns
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, list):
        return None
    entries: dict[str, BuiltFile] = {}
    for item in files:
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            continue
        size, sha256 = item.get("size"), item.get("sha256")
        entries[item["path"]] = BuiltFile(
            sha256 if isinstance(sha256, str) else "",
            size if isinstance(size, int) and not isinstance(size, bool) else -1,
            mtime_ns,
        )
    logger.debug("read %d entries from %s", len(entries), path)
    return entries


def read_build_manifest(out: Path) -> dict[str, BuiltFile] | None:
    """The manifest a build left in the output folder ``out`` (``None`` when there is none)."""
    return read_manifest_file(out / MANIFEST_NAME)


def manifest_text(files: Mapping[str, BuiltFile]) -> str:
    """The manifest's JSON for ``files`` (sorted, one entry per file, stable bytes)."""
    entries = [
        {"path": path, "size": files[path].size, "sha256": files[path].sha256} for path in sorted(files)
    ]
    body = json.dumps(
        {"version": MANIFEST_VERSION, "files": entries}, ensure_ascii=False, indent=1, sort_keys=True
    )
    return body + "\n"


def write_build_manifest(target: Path, files: Mapping[str, BuiltFile], *, always: bool = False) -> bool:
    """Write the manifest for ``files`` to ``target`` atomically; ``False`` when it already said that.

    An unchanged manifest is left as it is, time stamp included (lpublish's incremental build that wrote
    nothing touches nothing). ``always=True`` rewrites it anyway: after a generator rewrote every file
    (same bytes, new time stamps) the manifest must be newer than them to count as fresh.
    """
    text = manifest_text(files)
    try:
        if not always and target.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_path(target)
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
    logger.info("wrote the build manifest %s (%d files)", target, len(files))
    return True


def hash_files(out: Path, files: Iterable[str]) -> dict[str, BuiltFile]:
    """Entries for ``files`` (posix paths relative to ``out``), hashed from disk."""
    entries: dict[str, BuiltFile] = {}
    for rel in files:
        full = out / rel
        entries[rel] = BuiltFile(sha256_file(full), full.stat().st_size)
    return entries
