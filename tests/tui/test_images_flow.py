"""The designer's main flow against the practice world (real git, the local forge, real files):
add an image to the hero slot, review, submit; errors become dialogs and the draft is kept."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from lpublish.tui.app import LpublishApp
from lpublish.tui.screens.error import ErrorDialog
from lpublish.tui.screens.home import HomeScreen
from lpublish.tui.screens.images import ImageScreen
from lpublish.tui.screens.submit import SubmitScreen
from tests.plugins.gitrepos import git_show
from tests.plugins.images import make_jpeg, make_photo
from tests.plugins.screens import screen_text, settle

pytestmark = pytest.mark.anyio


def footer_text(app: LpublishApp) -> str:
    """The key hints at the bottom of the screen."""
    return screen_text(app).rstrip("\n").splitlines()[-1] + " "


async def add_hero(pilot: Any, image: Path, alt: str) -> None:
    """Keystrokes: Images → first slot (hero) → paste the path → alt text → Ctrl+S."""
    await pilot.press("i")
    await settle(pilot)
    await pilot.press("enter")  # the hero slot is first
    await settle(pilot)
    assert isinstance(pilot.app.screen, ImageScreen)
    pilot.app.screen.query_one("#path").focus()
    await pilot.press(*str(image), "enter")
    await settle(pilot)
    pilot.app.screen.query_one("#alt").focus()
    await pilot.press(*alt)
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_add_hero_image_and_submit(practice_app: Callable[..., LpublishApp], tmp_path: Path) -> None:
    image = make_jpeg(tmp_path / "summer banner.jpg", (1920, 800))
    app = practice_app()
    session = app.context.practice
    assert session is not None
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await add_hero(pilot, image, "Iced tea")
        assert isinstance(app.screen, HomeScreen)
        assert "1 image(s) ready" in screen_text(app)
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, SubmitScreen)
        text = screen_text(app)
        # The name on the site, and the designer's own file it comes from.
        assert "new hero.jpg replaces the current one" in text
        assert "from your file summer banner.jpg" in text
        await pilot.press("ctrl+s")
        await settle(pilot, 8)
        pulls = session.forge.pulls(session.repo)
        assert len(pulls) == 1
        pull = pulls[0]
        assert pull["title"] == "Replace Top page, main image"
        assert pull["html_url"] in screen_text(app)
        # the reviewers see the old hero next to the new one, and the alt text
        assert "| Before | After |" in pull["body"] and "Alt text: Iced tea" in pull["body"]
        branch = pull["head"]["ref"]
        assert git_show(session.bare, branch, "images/hero/hero.jpg") == image.read_bytes()
        # The alt text goes where the page reads it: the hero's alt key in pages/index.md.
        page = git_show(session.bare, branch, "pages/index.md").decode()
        assert "\n  alt: Iced tea\n" in page
        await pilot.click("#open")
        assert app.opened_urls == [pull["html_url"]]
        assert app.work.empty


async def test_forge_401_shows_dialog_and_keeps_draft(
    practice_app: Callable[..., LpublishApp], tmp_path: Path
) -> None:
    from lpublish.publish.drafts import DraftStore

    image = make_jpeg(tmp_path / "hero2.jpg", (1920, 800))
    app = practice_app()
    session = app.context.practice
    assert session is not None
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await add_hero(pilot, image, "Tea")
        await pilot.press("u")
        await settle(pilot)
        session.forge.revoke_token(session.token)
        await pilot.press("ctrl+s")
        await settle(pilot, 6)
        assert isinstance(app.screen, ErrorDialog)
        text = screen_text(app)
        assert "Your prepared work is kept" in text
        assert "Traceback" not in text
        drafts = DraftStore().list()
        assert len(drafts) == 1 and drafts[0].changeset.images[0].slot == "hero"
        assert session.forge.pulls(session.repo) == []
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SubmitScreen)  # the form is back, nothing lost
        assert len(app.work.images) == 1
        # Sign-in fixed: "try again" continues the same draft and opens the request.
        session.forge.add_user(session.login, session.token)
        await pilot.press("ctrl+s")
        await settle(pilot, 8)
        assert len(session.forge.pulls(session.repo)) == 1
        assert DraftStore().list() == []


async def test_cancel_before_sending_leaves_nothing(
    practice_app: Callable[..., LpublishApp], tmp_path: Path
) -> None:
    from lpublish.publish.drafts import DraftStore

    image = make_jpeg(tmp_path / "hero3.jpg", (1920, 800))
    app = practice_app()
    session = app.context.practice
    assert session is not None
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await add_hero(pilot, image, "Tea")
        await pilot.press("u")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SubmitScreen)
        stop = threading.Event()
        stop.set()  # the designer pressed Cancel before the first step finished
        screen.sending = True
        assert app.work.draft_id is not None  # the prepared work is a draft from the moment it was added
        screen.send(app.work.draft_id, stop)
        await settle(pilot)
        assert session.forge.pulls(session.repo) == []
        assert isinstance(app.screen, SubmitScreen)
        assert len(DraftStore().list()) == 1  # prepared work kept for later
        assert len(app.work.images) == 1


async def test_wrong_size_image_is_explained(
    practice_app: Callable[..., LpublishApp], tmp_path: Path
) -> None:
    image = make_jpeg(tmp_path / "small.jpg", (800, 600))
    app = practice_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ImageScreen)
        screen.select_file(image)
        await settle(pilot)
        assert screen.check is not None and not screen.check.ok
        text = screen_text(app)
        assert "800x600" in text
        assert "✗" in text
        await pilot.press("ctrl+s")  # cannot be added as it is
        await settle(pilot)
        assert isinstance(app.screen, ImageScreen)
        assert app.work.empty


async def test_one_key_fix_shows_before_after(
    practice_app: Callable[..., LpublishApp], tmp_path: Path
) -> None:
    image = make_photo(tmp_path / "large.jpg", (2400, 1000))
    app = practice_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ImageScreen)
        # Nothing chosen yet: nothing to fix, and the footer does not offer it.
        assert " Fix " not in footer_text(app)
        screen.select_file(image)
        await settle(pilot)
        assert screen.check is not None and not screen.check.ok and screen.check.fixable
        assert " Fix " in footer_text(app)  # the fix applies: its key is offered
        await pilot.press("f")
        await settle(pilot)
        assert screen.fixed is not None and screen.check.ok
        assert screen.fixed.output != image and image.stat().st_size == screen.fixed.before_bytes
        text = screen_text(app)
        assert "→" in text and "Your original file is unchanged" in text
        screen.query_one("#choose").focus()  # off the alt field, where letter keys are text anyway
        await pilot.pause()
        assert " Fix " not in footer_text(app)  # fixed: nothing left to fix
        await pilot.press("f")  # and the key does nothing
        await settle(pilot)
        assert screen.fixed is not None and screen.check.ok
        screen.query_one("#alt").focus()
        # the fixed copy is what goes into the change
        screen.query_one("#alt", Input).value = "Tea"
        await pilot.press("ctrl+s")
        await settle(pilot)
        # (a copy of it, saved in the draft store the moment it was added)
        assert app.work.images[0].publish.read_bytes() == screen.fixed.output.read_bytes()
        assert app.work.images[0].source == image


async def test_image_screen_shows_the_image_being_replaced(practice_app: Callable[..., LpublishApp]) -> None:
    """Issue 11: before choosing a file the designer sees what is on the site in that place now."""
    app = practice_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        await pilot.press("enter")  # the hero slot is first
        await settle(pilot, 3)
        assert isinstance(app.screen, ImageScreen)
        text = screen_text(app)
        assert "Now on the site: hero.jpg" in text, text
        # The half-block thumbnail of the current hero, not an empty box.
        thumb = app.screen.query_one("#thumb")
        assert "▀" in str(thumb.render())
