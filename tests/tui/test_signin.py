"""Sign-in with the device flow against the local forge: the code in large type, the browser link,
and a refused sign-in explained in a dialog (no keyring is needed for that path)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.widgets import Label

from lpublish.tui.app import LpublishApp
from lpublish.tui.screens.error import ErrorDialog
from lpublish.tui.screens.signin import SignInScreen
from tests.plugins.screens import screen_text, settle

pytestmark = pytest.mark.anyio


async def test_device_code_shown_then_denied_sign_in_explained(
    practice_app: Callable[..., LpublishApp],
) -> None:
    app = practice_app()
    session = app.context.practice
    assert session is not None
    session.config.forge = session.config.forge.model_copy(update={"client_id": "practice-app"})
    session.forge.add_oauth_app("practice-app")
    session.forge.set_device_policy(None, pending=1, outcome="deny", interval=1)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.push_screen(SignInScreen())
        for _ in range(50):  # wait for the code to arrive from the forge
            await pilot.pause(0.05)
            if isinstance(app.screen, SignInScreen) and app.screen.device is not None:
                break
        screen = app.screen
        assert isinstance(screen, SignInScreen) and screen.device is not None
        code = screen.device.user_code
        assert str(screen.query_one("#device-code", Label).render()) == " ".join(code)
        assert "Open the browser" in screen_text(app)
        await pilot.click("#open-browser")
        assert app.opened_urls[-1] == screen.device.verification_uri
        await settle(pilot, 4)
        assert isinstance(app.screen, ErrorDialog)
        assert "Traceback" not in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert "Sign-in did not finish" in screen_text(app)
