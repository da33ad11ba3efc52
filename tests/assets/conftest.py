"""Fixtures for the asset tests: a small test site (config + slot folders) in ``tmp_path``."""

from __future__ import annotations

from pathlib import Path

import pytest

from lpublish.config import SiteConfig, parse_config
from tests.plugins.image_corpus import TEST_CONFIG


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    """A site folder holding the test ``lpublish.toml`` and empty slot folders."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "lpublish.toml").write_text(TEST_CONFIG, encoding="utf-8")
    for folder in ("photo", "hero", "banner", "logo"):
        (root / "images" / folder).mkdir(parents=True)
    return root


@pytest.fixture
def config(site_dir: Path) -> SiteConfig:
    path = site_dir / "lpublish.toml"
    return parse_config(path.read_text(encoding="utf-8"), path)


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """Where the designer's candidate files are (outside the site)."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder
