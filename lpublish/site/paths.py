"""Path containment for the site package: whether a path, links resolved, stays inside a folder."""

from __future__ import annotations

from pathlib import Path


def resolves_inside(root: Path, path: Path) -> bool:
    """Whether ``path``, with symbolic links and ``..`` resolved, is ``root`` or lies under it."""
    return path.resolve().is_relative_to(root.resolve())
