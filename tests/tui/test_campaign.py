"""The campaign form: live per-field validation, the slug suggested from the title, and a submitted
page that lands in the request's branch."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from lpublish.tui.app import LpublishApp
from lpublish.tui.screens.campaign import CampaignScreen
from tests.plugins.gitrepos import git_show
from tests.plugins.images import make_jpeg
from tests.plugins.screens import screen_text, settle

pytestmark = pytest.mark.anyio


async def test_campaign_form_validates_and_submits(
    practice_app: Callable[..., LpublishApp], tmp_path: Path
) -> None:
    hero = make_jpeg(tmp_path / "winter.jpg", (1600, 900))
    app = practice_app()
    session = app.context.practice
    assert session is not None
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CampaignScreen)
        await pilot.press(*"Winter Tea Fair")
        assert screen.query_one("#f-slug", Input).value == "winter-tea-fair"
        # a link to a host the site does not allow is explained under its field as you type
        screen.query_one("#f-cta_url", Input).value = "http://evil.example/x"
        await pilot.pause()
        assert str(screen.query_one("#e-cta_url", Static).render()).strip() != ""
        values = {
            "summary": "Warm teas for cold nights.",
            "start": "2026-12-01 10:00",
            "cta_label": "Shop now",
            "cta_url": "https://shop.hoshizora-tea.example/winter",
            "hero_alt": "A steaming pot of tea",
        }
        for name, value in values.items():
            screen.query_one(f"#f-{name}", Input).value = value
        await pilot.pause()
        assert str(screen.query_one("#e-cta_url", Static).render()).strip() == ""
        screen.images["hero"] = hero
        screen.check_picked("hero", hero)
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        # The form's values go into the work as they are; the request writes the page.
        assert app.work.campaign_fields is not None and app.work.campaign_fields["slug"] == "winter-tea-fair"
        await pilot.press("u")
        await settle(pilot)
        assert "Winter Tea Fair" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot, 8)
    pulls = session.forge.pulls(session.repo)
    assert len(pulls) == 1
    branch = pulls[0]["head"]["ref"]
    page = git_show(session.bare, branch, "campaigns/winter-tea-fair/index.md").decode()
    assert "title: Winter Tea Fair" in page
    assert git_show(session.bare, branch, "campaigns/winter-tea-fair/hero.jpg") == hero.read_bytes()
