"""Where a secret ended up on disk: every file under a directory whose bytes contain it."""

from __future__ import annotations

from pathlib import Path


def files_containing(root: Path, secret: str) -> list[str]:
    """The files under ``root`` (symlinks not followed) whose bytes contain ``secret``."""
    hits = []
    needle = secret.encode()
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            try:
                if needle in path.read_bytes():
                    hits.append(str(path))
            except OSError:
                continue
    return hits
