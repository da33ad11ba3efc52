"""Fixtures for the TUI tests: a fixed site and an app for it with nobody signed in (the practice world's
fixtures, which other areas use too, are in ``tests/plugins/practice_apps.py``)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from lpublish.config import SiteConfig, load_config
from lpublish.tui.app import LpublishApp
from lpublish.tui.context import TuiContext
from lpublish.tui.settings import TuiSettings

DATA = Path(__file__).parent / "data"


@pytest.fixture
def fixed_site(tmp_path: Path) -> Path:
    """A copy of the fixed snapshot site (rules only, no files): deterministic screens."""
    target = tmp_path / "fixed-site"
    shutil.copytree(DATA / "site", target)
    return target


@pytest.fixture
def fixed_config(fixed_site: Path) -> SiteConfig:
    return load_config(site=fixed_site)


@pytest.fixture
def signed_out_app(fixed_config: SiteConfig, tmp_path: Path) -> Callable[..., LpublishApp]:
    """An app for the fixed site with nobody signed in (no network at all)."""

    def make(language: str | None = None) -> LpublishApp:
        context = TuiContext(
            config=fixed_config, token_resolver=lambda _c: None, open_browser=False, start_dir=tmp_path
        )
        return LpublishApp(context, settings=TuiSettings(language=language))

    return make
