"""Shared pytest fixtures (practice apps): a real practice world and the TUI wired to it.

``practice_session`` is a started ``PracticeSession`` (bare origin + clone of the sample site, the local
forge, a live folder; stopped after the test); ``practice_app`` makes an ``LpublishApp`` wired to it, as
``lpublish practice`` does (``app_for`` does that for a practice world of another site);
``anyio_backend`` runs the async Textual tests on asyncio. Used by the TUI tests and by the security
tests that look at the designer's screens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lpublish.sandbox.practice import PracticeSession
from lpublish.tui.app import LpublishApp
from lpublish.tui.context import TuiContext
from lpublish.tui.settings import TuiSettings


def app_for(session: PracticeSession, start_dir: Path, language: str | None = None) -> LpublishApp:
    """An app wired to a practice world (any site's), as ``lpublish practice`` does."""
    context = TuiContext(
        config=session.config,
        token=session.token,
        forge_factory=session.forge_factory,
        practice=session,
        open_browser=False,
        start_dir=start_dir,
    )
    return LpublishApp(context, settings=TuiSettings(language=language))


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
        return app_for(practice_session, tmp_path, language)

    return make


@pytest.fixture
def anyio_backend() -> str:
    """Textual runs on asyncio; the async tests here run through anyio's pytest plugin."""
    return "asyncio"
