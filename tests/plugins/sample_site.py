"""The repository's sample site for tests: where it is, a clean copy of it (with a build cache when one
is given), and its images made small (AVIF encoding of full-size images is slow)."""

from __future__ import annotations

import shutil
from pathlib import Path

from PIL import Image

#: The sample site in this repository (what practice mode and most tests start from).
SAMPLE_SITE = Path(__file__).resolve().parents[2] / "site"
#: The generator's image cache in a site folder (what actions/cache restores in CI).
CACHE_NAME = ".lpublish-cache"
#: Never copied: build output, caches, and ``tools/`` (the script that drew the sample pictures).
_NOT_COPIED = shutil.ignore_patterns("dist", CACHE_NAME, "__pycache__", "tools")
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


def copy_sample_site(dest: Path, cache: Path | None = None) -> Path:
    """A writable copy of the sample site at ``dest``, without build output or caches; with a copy of
    ``cache`` (a build cache made earlier) as its build cache when given."""
    shutil.copytree(SAMPLE_SITE, dest, ignore=_NOT_COPIED)
    if cache is not None and cache.is_dir():
        shutil.copytree(cache, dest / CACHE_NAME)
    return dest


def small_sample_site(
    dest: Path, *, hero_widths: list[int], list_widths: list[int], formats: list[str] | None = None
) -> Path:
    """A copy of the sample site at ``dest`` that builds quickly: small images, the given variant widths
    (the hero's and the lists'), and optionally fewer formats."""
    site = copy_sample_site(dest)
    shrink_images(site)
    toml = site / "lpublish.toml"
    text = toml.read_text(encoding="utf-8")
    text = text.replace("widths = [480, 960, 1440, 1920]", f"widths = {hero_widths}")
    text = text.replace("widths = [320, 640, 960]", f"widths = {list_widths}")
    if formats is not None:
        text = text.replace(
            'formats = ["avif", "webp"]', "formats = [" + ", ".join(f'"{f}"' for f in formats) + "]"
        )
    toml.write_text(text, encoding="utf-8")
    return site
