"""Real operating-system failures for tests: a read-only bind mount and a tiny tmpfs (a full disk).

As root (CI containers, this machine) these are real mounts, so the kernel returns EROFS and ENOSPC
exactly as on a read-only share or a full disk; without root a read-only folder falls back to
``chmod`` (which a non-root user cannot bypass) and a full disk cannot be made, so that test is skipped.
"""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def _mount(*args: str) -> bool:
    result = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    return result.returncode == 0


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    """``folder`` made read-only for the duration (bind mount + remount ro, or chmod for non-root)."""
    if os.geteuid() == 0:
        if not (_mount("--bind", str(folder), str(folder)) and _mount("-o", "remount,bind,ro", str(folder))):
            subprocess.run(["umount", str(folder)], check=False, capture_output=True)
            pytest.skip("mount is not permitted here")
        try:
            yield folder
        finally:
            subprocess.run(["umount", str(folder)], check=True)
        return
    modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")] if p.is_dir()}
    for path in modes:
        path.chmod(stat.S_IMODE(modes[path]) & ~0o222)
    try:
        yield folder
    finally:
        for path, mode in modes.items():
            path.chmod(stat.S_IMODE(mode))


@contextlib.contextmanager
def tiny_disk(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` (e.g. ``"64k"``) mounted on ``folder``: writes past it fail with ENOSPC."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not _mount("-t", "tmpfs", "-o", f"size={size},mode=0777", "tmpfs", str(folder)):
        pytest.skip("a small disk needs root (mount -t tmpfs)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def grow(folder: Path, size: str) -> None:
    """Give a ``tiny_disk`` more room (``mount -o remount,size=``), as freeing space would."""
    assert _mount("-o", f"remount,size={size}", str(folder))
