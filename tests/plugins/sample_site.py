"""The repository's sample site for tests: where it is, a clean copy of it, and its images made small
(AVIF encoding of full-size images is slow)."""

from __future__ import annotations

import shutil
from pathlib import Path

from PIL import Image

#: The sample site in this repository (what practice mode and most tests start from).
SAMPLE_SITE = Path(__file__).resolve().parents[2] / "site"
RASTER = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}


def shrink_images(root: Path, max_width: int = 240) -> None:
    """Re-save every raster image smaller, same format and aspect (AVIF encoding of full-size images is slow)."""
    for path in sorted(root.rglob("*")):
        fmt = RASTER.get(path.suffix.lower())
        if fmt is None or ".lpublish-cache" in path.parts or "dist" in path.parts:
            continue
        with Image.open(path) as img:
            img.load()
            small = img.convert("RGB")
        small.thumbnail((max_width, max_width * 4))
        small.save(path, fmt, quality=80) if fmt != "PNG" else small.save(path, fmt)


def copy_sample_site(dest: Path) -> Path:
    """A copy of the sample site at ``dest``, without build output or caches."""
    shutil.copytree(
        SAMPLE_SITE, dest, ignore=shutil.ignore_patterns("dist", ".lpublish-cache", "__pycache__")
    )
    return dest
