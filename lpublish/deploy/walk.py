"""Walking a folder to deploy without leaving it: the one place deploy reads the local file tree.

Owns: ``walk_source`` — every file under the deployed folder as (site path, file, stat), sorted. Symbolic
links are followed only while they stay inside the folder (a link to ``/etc/passwd`` or
``/proc/self/environ`` would otherwise publish that file); a link out of it, a broken link, a loop, or a
file name that is not valid UTF-8 (it could not be an S3 key or a URL) refuses the whole deploy with a
``ContentError`` naming the path (exit 1) before anything is uploaded. Must not import UI libraries.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from lpublish.errors import ContentError


def _shown(path: str) -> str:
    return os.fsencode(path).decode("utf-8", "backslashreplace")


#: Undecodable bytes (kept by Python as lone surrogates) or control characters.
_BAD_NAME = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


def _bad_name(name: str) -> bool:
    return _BAD_NAME.search(name) is not None


def walk_source(
    source: Path,
    *,
    skip_top: frozenset[str] = frozenset(),
    excluded: Callable[[str], bool] | None = None,
) -> list[tuple[str, str, os.stat_result]]:
    """(posix site path, file path, its ``stat``) for every file under ``source``; ``skip_top`` names
    top-level folders that are not part of the site (``.lpublish``). ``excluded(rel)`` (``rel`` ends in
    ``/`` for a folder) drops files and folders that are never deployed; an excluded folder is not even
    entered, so a ``node_modules`` full of links never refuses a deploy."""
    root = os.path.realpath(source)
    inside = root.rstrip(os.sep) + os.sep
    found: list[tuple[str, str, os.stat_result]] = []

    # Paths are plain strings (folders are real paths: no links in them; a ``Path`` per file cost more
    # than the walk itself at 20,000 files on Python 3.11) and each file's ``stat`` is its directory
    # entry's own: one read per folder, one ``stat`` per file, and only links pay for ``realpath``.
    def walk(folder: str, rel_dir: str, ancestors: frozenset[str]) -> None:
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=_entry_name)
        except OSError as exc:
            error = exc.strerror or type(exc).__name__
            raise ContentError("security.deploy.unreadable", path=_shown(folder), error=error) from None
        for entry in entries:
            rel = f"{rel_dir}{entry.name}"
            if not rel_dir and entry.name in skip_top:
                continue
            if excluded is not None:
                is_dir = entry.is_dir(follow_symlinks=True)
                if excluded(rel + "/" if is_dir else rel):
                    continue
            if _bad_name(entry.name):
                raise ContentError("security.deploy.bad_name", path=_shown(rel))
            if entry.is_symlink():
                try:
                    real = os.path.realpath(entry.path, strict=True)
                except (OSError, RuntimeError):
                    raise ContentError("security.deploy.symlink_broken", path=_shown(rel)) from None
                if real != root and not real.startswith(inside):
                    raise ContentError("security.deploy.symlink_outside", path=_shown(rel), target=real)
                if os.path.isdir(real):
                    if real in ancestors:  # a link back up the tree: a loop
                        raise ContentError("security.deploy.symlink_broken", path=_shown(rel))
                    walk(real, rel + "/", ancestors | {real})
                elif os.path.isfile(real):
                    found.append((rel, entry.path, os.stat(real)))
                continue
            if entry.is_dir(follow_symlinks=False):
                walk(entry.path, rel + "/", ancestors | {entry.path})
            elif entry.is_file(follow_symlinks=False):
                found.append((rel, entry.path, entry.stat(follow_symlinks=False)))

    walk(root, "", frozenset({root}))
    return found


def _entry_name(entry: os.DirEntry[str]) -> str:
    return entry.name
