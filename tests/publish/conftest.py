"""Helpers for the publish tests: real images for the sample site's slots, config and forge clients."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.plugins.images import make_jpeg


@pytest.fixture
def hero_jpeg(tmp_path: Path) -> Path:
    """A valid image for the sample site's ``hero`` slot (2400x1000, 12:5, JPEG)."""
    return make_jpeg(tmp_path / "designer" / "Summer Hero.jpg", (2400, 1000))


@pytest.fixture
def product_jpeg(tmp_path: Path) -> Path:
    """A valid image for the ``product`` slot (1000x1000 JPEG)."""
    return make_jpeg(tmp_path / "designer" / "抹茶ラテ.jpg", (1000, 1000), (40, 160, 90))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
