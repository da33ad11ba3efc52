"""Helpers for the publish tests: real images for the sample site's slots, config and forge clients."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from lpublish.config import SiteConfig, load_config
from lpublish.publish.github import GitHubForge
from tests.plugins.forge import ForgeSite


def make_jpeg(path: Path, size: tuple[int, int], colour: tuple[int, int, int] = (200, 120, 40)) -> Path:
    """A real JPEG with some structure (so it is not a trivially tiny file)."""
    img = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(img)
    step = max(size) // 12
    for i in range(0, max(size), step):
        draw.line([(i, 0), (0, i)], fill=(255 - colour[0], 90, 200), width=6)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, "JPEG", quality=80)
    return path


@pytest.fixture
def hero_jpeg(tmp_path: Path) -> Path:
    """A valid image for the sample site's ``hero`` slot (2400x1000, 12:5, JPEG)."""
    return make_jpeg(tmp_path / "designer" / "Summer Hero.jpg", (2400, 1000))


@pytest.fixture
def product_jpeg(tmp_path: Path) -> Path:
    """A valid image for the ``product`` slot (1000x1000 JPEG)."""
    return make_jpeg(tmp_path / "designer" / "抹茶ラテ.jpg", (1000, 1000), (40, 160, 90))


def config_for(site: ForgeSite) -> SiteConfig:
    return load_config(site=site.site)


def forge_for(site: ForgeSite, token: str | None = None) -> GitHubForge:
    return GitHubForge(site.url, "acme/lp", token or site.token)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
