"""Fixtures for the TUI tests: a fixed site, apps wired to local components, practice sessions."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lpublish.config import SiteConfig, load_config
from lpublish.sandbox.practice import PracticeSession
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


@pytest.fixture
def practice_session(tmp_path: Path, sample_site: Path) -> Iterator[PracticeSession]:
    """A real practice world: bare origin + clone of the sample site, local forge, live folder."""
    session = PracticeSession.start(source=sample_site, base_dir=tmp_path)
    try:
        yield session
    finally:
        session.stop()


@pytest.fixture
def practice_app(practice_session: PracticeSession, tmp_path: Path) -> Callable[..., LpublishApp]:
    """An app wired to the practice world, as ``lpublish practice`` does."""

    def make(language: str | None = None) -> LpublishApp:
        session = practice_session
        context = TuiContext(
            config=session.config,
            token=session.token,
            forge_factory=session.forge_factory,
            practice=session,
            open_browser=False,
            start_dir=tmp_path,
        )
        return LpublishApp(context, settings=TuiSettings(language=language))

    return make


@pytest.fixture
def anyio_backend() -> str:
    """Textual runs on asyncio; the async tests here run through anyio's pytest plugin."""
    return "asyncio"
