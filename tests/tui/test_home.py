"""The home screen, the language switch (remembered), help and the error dialog."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from lpublish.errors import ConfigError
from lpublish.i18n import current_language
from lpublish.tui.app import LpublishApp
from lpublish.tui.context import TuiContext
from lpublish.tui.screens.error import ErrorDialog
from lpublish.tui.screens.home import HomeScreen
from lpublish.tui.settings import TuiSettings, load_settings, settings_path
from tests.plugins.screens import screen_text, settle

pytestmark = pytest.mark.anyio


async def test_home_shows_site_actions_and_sign_in(signed_out_app: Callable[..., LpublishApp]) -> None:
    app = signed_out_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "Hoshizora Tea" in text
        assert "Not signed in" in text
        assert "Sign in" in text
        for action in ("Replace or add images", "New campaign page", "My requests"):
            assert action in text


async def test_language_switch_is_remembered(signed_out_app: Callable[..., LpublishApp]) -> None:
    app = signed_out_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")  # settings
        await pilot.pause()
        await pilot.click("#lang-ja")
        await settle(pilot)
        assert current_language() == "ja"
        assert "設定" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "画像を差し替える・追加する" in screen_text(app)
    saved = settings_path(app.context.env)
    assert saved.is_file()
    assert load_settings(saved).language == "ja"


async def test_f2_switches_language_everywhere(signed_out_app: Callable[..., LpublishApp]) -> None:
    app = signed_out_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        text = screen_text(app)
        assert "サインインしていません" in text
        assert "Images" not in text


async def test_broken_config_shows_dialog_not_traceback(tmp_path: Path) -> None:
    (tmp_path / "lpublish.toml").write_text("[site]\nnmae = 'typo'\n", encoding="utf-8")
    context = TuiContext.from_site(tmp_path)
    assert isinstance(context.config_error, ConfigError)
    app = LpublishApp(context, settings=TuiSettings())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        text = screen_text(app)
        assert "lpublish.toml" in text
        assert "Traceback" not in text
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        # the actions that need a site explain the problem again instead of crashing
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, ErrorDialog)


async def test_help_and_escape_back(signed_out_app: Callable[..., LpublishApp]) -> None:
    app = signed_out_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert "How lpublish works" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_practice_from_home_switches_to_a_private_copy(
    signed_out_app: Callable[..., LpublishApp],
) -> None:
    app = signed_out_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot, 6)
        session = app.context.practice
        assert session is not None
        text = screen_text(app)
        assert "Practice mode" in text
        assert "Signed in as designer" in text
        root = session.root
        assert (root / "site" / "lpublish.toml").is_file()
    assert not root.exists()  # cleaned up when the app ended
