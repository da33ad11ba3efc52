"""Fixtures for the site build tests: a fast copy of the sample site (small images, few widths)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from lpublish.config import SiteConfig, load_config
from lpublish.site.build import BuildResult, build_site

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_SITE = REPO_ROOT / "site"
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
    shutil.copytree(
        SAMPLE_SITE, dest, ignore=shutil.ignore_patterns("dist", ".lpublish-cache", "__pycache__")
    )
    return dest


@pytest.fixture(scope="session")
def small_site_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site with small images and two variant widths, made once per test session."""
    site = copy_sample_site(tmp_path_factory.mktemp("small-site") / "site")
    shrink_images(site)
    toml = site / "lpublish.toml"
    text = toml.read_text(encoding="utf-8")
    text = text.replace("widths = [480, 960, 1440, 1920]", "widths = [120, 240]")
    text = text.replace("widths = [320, 640, 960]", "widths = [100, 200]")
    toml.write_text(text, encoding="utf-8")
    return site


@pytest.fixture
def site_dir(small_site_template: Path, tmp_path: Path) -> Path:
    """A private, changeable copy of the small sample site."""
    return Path(shutil.copytree(small_site_template, tmp_path / "site"))


def edit_config(site: Path, old: str, new: str) -> None:
    toml = site / "lpublish.toml"
    text = toml.read_text(encoding="utf-8")
    assert old in text, old
    toml.write_text(text.replace(old, new, 1), encoding="utf-8")


Builder = Callable[..., BuildResult]


@pytest.fixture
def build(site_dir: Path) -> Builder:
    """Build ``site_dir`` (or another site) at ``now`` into ``<site>/dist``; returns the result."""

    def run(
        now: str = "2026-11-23T10:00:00+09:00",
        *,
        site: Path | None = None,
        out: Path | None = None,
        preview: bool = False,
    ) -> BuildResult:
        config: SiteConfig = load_config(site=site or site_dir)
        return build_site(config, out, now=datetime.fromisoformat(now), preview=preview)

    return run
