"""Fixtures for the site build tests: a fast copy of the sample site (small images, few widths)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from lpublish.config import SiteConfig, load_config
from lpublish.site.build import build_site
from lpublish.site.build_result import BuildResult
from tests.plugins.sample_site import small_sample_site


@pytest.fixture(scope="session")
def small_site_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site with small images and two variant widths, made once per test session."""
    site = small_sample_site(
        tmp_path_factory.mktemp("small-site") / "site", hero_widths=[120, 240], list_widths=[100, 200]
    )
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
