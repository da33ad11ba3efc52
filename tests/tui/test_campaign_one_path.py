"""The campaign form's Send and a hero replacement from the TUI take one path: the work's own draft is
the one saved, validated once (the campaign's fields and its hero image once each), placed once, and
no second draft is made. Counted with real spies (``tests.plugins.submit_counts``) from the Send key
press to the pull request on the local forge."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Input

from lpublish.tui.app import LpublishApp
from lpublish.tui.screens.campaign import CampaignScreen
from lpublish.tui.screens.images import ImageScreen
from lpublish.tui.screens.submit import SubmitScreen
from tests.plugins.gitrepos import git_show
from tests.plugins.images import make_jpeg
from tests.plugins.screens import settle
from tests.plugins.submit_counts import count_submit_steps

pytestmark = pytest.mark.anyio


async def test_campaign_send_validates_the_form_once(
    practice_app: Callable[..., LpublishApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hero = make_jpeg(tmp_path / "winter.jpg", (1600, 900))
    app = practice_app()
    session = app.context.practice
    assert session is not None
    calls = count_submit_steps(monkeypatch)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CampaignScreen)
        await pilot.press(*"Winter Tea Fair")
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
        screen.images["hero"] = hero
        screen.check_picked("hero", hero)
        await settle(pilot)
        await pilot.press("ctrl+s")  # Add: the form goes into the work (its draft)
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, SubmitScreen)
        calls.reset()
        await pilot.press("ctrl+s")  # Send
        await settle(pilot, 8)
    pulls = session.forge.pulls(session.repo)
    assert len(pulls) == 1
    branch = pulls[0]["head"]["ref"]
    assert (
        "title: Winter Tea Fair"
        in git_show(session.bare, branch, "campaigns/winter-tea-fair/index.md").decode()
    )
    assert calls["validate_changeset"] == 1
    assert calls["validate_campaign_fields:winter-tea-fair"] == 1
    assert calls[f"check_image:{hero.name}"] == 1
    assert calls["create"] == 0  # the work's draft is the one sent: no second draft
    assert calls["save:prepared"] == 1  # Send's one save (final title and note)
    assert calls["save:pushed"] == 1  # the pushed branch recorded
    assert calls["place_change"] == 1 and calls["write_campaign"] == 1


async def test_hero_replace_send_validates_once(
    practice_app: Callable[..., LpublishApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    image = make_jpeg(tmp_path / "summer banner.jpg", (1920, 800))
    app = practice_app()
    session = app.context.practice
    assert session is not None
    calls = count_submit_steps(monkeypatch)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        # Images → the hero slot (first) → the file's path → its alt text → Ctrl+S.
        await pilot.press("i")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ImageScreen)
        app.screen.query_one("#path").focus()
        await pilot.press(*str(image), "enter")
        await settle(pilot)
        app.screen.query_one("#alt").focus()
        await pilot.press(*"Iced tea", "ctrl+s")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, SubmitScreen)
        calls.reset()
        await pilot.press("ctrl+s")
        await settle(pilot, 8)
    (pull,) = session.forge.pulls(session.repo)
    assert git_show(session.bare, pull["head"]["ref"], "images/hero/hero.jpg") == image.read_bytes()
    assert calls.counts == {
        "validate_changeset": 1,
        "check_image:hero.jpg": 1,  # the draft keeps the file under the name it gets on the site
        "save:prepared": 1,
        "save:pushed": 1,
        "place_change": 1,
    }
