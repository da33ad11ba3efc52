"""The designer's day (issue 12): nothing prepared is lost, typed text always arrives, letters typed
into fields are text, destructive actions ask, readable names, and an update of a request that went
away offers to send the files as a new request."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.widgets import Input, TextArea

from lpublish.publish.drafts import DraftStore
from lpublish.tui.app import LpublishApp, clean_stale_temp_dirs
from lpublish.tui.screens.campaign import CampaignScreen
from lpublish.tui.screens.confirm import ConfirmDialog
from lpublish.tui.screens.error import ErrorDialog
from lpublish.tui.screens.home import HomeScreen
from lpublish.tui.screens.images import ImageScreen
from lpublish.tui.screens.submit import SubmitScreen
from tests.plugins.gitrepos import git_show
from tests.plugins.images import make_jpeg
from tests.plugins.screens import screen_text, settle

pytestmark = pytest.mark.anyio


def burst(app: LpublishApp, text: str, *then: str) -> None:
    """Send keys the way a fast typist or an IME commit does: all queued before any is handled."""
    for char in text:
        app.post_message(events.Key(char, char))
    for key in then:
        app.post_message(events.Key(key, None))


async def open_slot(pilot: Any, index: int) -> ImageScreen:
    await pilot.press("i")
    await settle(pilot)
    for _ in range(index):
        await pilot.press("down")
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ImageScreen)
    return screen


async def choose(pilot: Any, screen: ImageScreen, image: Path) -> None:
    screen.query_one("#path", Input).focus()
    await pilot.press(*str(image), "enter")
    await settle(pilot)


async def test_typing_then_ctrl_s_keeps_every_character(
    signed_out_app: Callable[..., LpublishApp], tmp_path: Path
) -> None:
    image = make_jpeg(tmp_path / "新商品_最終版(2).jpg", (900, 900))
    app = signed_out_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        screen = await open_slot(pilot, 1)  # the product slot (free file names)
        await choose(pilot, screen, image)
        # A readable name is offered instead of a hash, and the screen says why it differs.
        assert screen.query_one("#name", Input).value == "product-2.jpg"
        assert "新商品_最終版(2).jpg" in screen_text(app)
        screen.query_one("#alt", Input).focus()
        burst(app, "赤いマリーゴールドの花のアップ", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        [item] = app.work.images
        assert item.alt == "赤いマリーゴールドの花のアップ"
        assert item.name == "product-2.jpg"
        await pilot.press("u")
        await settle(pilot)
        text = screen_text(app)
        assert "product-2.jpg" in text and "新商品_最終版(2).jpg" in text


async def test_ctrl_s_while_the_file_is_still_checked_is_not_dropped(
    signed_out_app: Callable[..., LpublishApp], tmp_path: Path
) -> None:
    """Under load the check of a just-chosen file is still running when the designer has typed the alt
    text and pressed Ctrl+S: the key is kept and the file added once its check is in."""
    image = make_jpeg(tmp_path / "big-product.jpg", (2000, 2000))
    app = signed_out_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        screen = await open_slot(pilot, 1)  # the product slot
        screen.select_file(image)  # the check runs in a worker from here
        screen.query_one("#alt", Input).focus()
        burst(app, "赤いマリーゴールドの花のアップ", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen), screen_text(app)
        [item] = app.work.images
        assert item.alt == "赤いマリーゴールドの花のアップ"
        assert item.source == image


async def test_review_screen_edits_alt_and_note_and_they_reach_the_request(
    practice_app: Callable[..., LpublishApp], tmp_path: Path
) -> None:
    image = make_jpeg(tmp_path / "banner.jpg", (1920, 800))
    app = practice_app()
    session = app.context.practice
    assert session is not None
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        screen = await open_slot(pilot, 0)
        await choose(pilot, screen, image)
        screen.query_one("#alt", Input).focus()
        await pilot.press(*"Tea")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, SubmitScreen)
        alt = review.query_one("#alt-0", Input)
        alt.focus()
        alt.value = ""
        await pilot.pause()
        note = review.query_one("#note", TextArea)
        note.focus()
        note.text = ""
        burst(app, "A ladybird on a green leaf with blue flowers")
        await settle(pilot)
        alt.focus()
        await pilot.pause()  # the field has focus before the designer types (as in a real terminal)
        burst(app, "Iced tea on a summer table")
        await pilot.press("ctrl+s")
        for _ in range(40):  # a wait for the request (a loaded machine takes longer), not a timing check
            await settle(pilot)
            if session.forge.pulls(session.repo):
                break
        assert session.forge.pulls(session.repo), screen_text(app)
        [pull] = session.forge.pulls(session.repo)
        # The hero is a key slot: its alt text goes where the page reads it (pages/index.md).
        page = git_show(session.bare, pull["head"]["ref"], "pages/index.md").decode()
        assert "  alt: Iced tea on a summer table" in page, page
        assert "A ladybird on a green leaf with blue flowers" in pull["body"]


async def test_added_image_survives_a_restart(
    signed_out_app: Callable[..., LpublishApp], tmp_path: Path
) -> None:
    image = make_jpeg(tmp_path / "hero.jpg", (1920, 800))
    app = signed_out_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        screen = await open_slot(pilot, 0)
        await choose(pilot, screen, image)
        screen.query_one("#alt", Input).focus()
        await pilot.press(*"Tea", "ctrl+s")
        await settle(pilot)
        # Quitting with unsent work asks first; "no" keeps the app open.
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "have not been sent yet" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
    image.unlink()  # the work does not depend on the designer's original file
    again = signed_out_app()
    async with again.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        assert "1 image(s) ready" in screen_text(again)
        [item] = again.work.images
        assert item.alt == "Tea" and item.slot == "hero" and item.publish.is_file()


async def test_clear_asks_and_removes_the_saved_work(
    signed_out_app: Callable[..., LpublishApp], tmp_path: Path
) -> None:
    image = make_jpeg(tmp_path / "hero.jpg", (1920, 800))
    app = signed_out_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        screen = await open_slot(pilot, 0)
        await choose(pilot, screen, image)
        screen.query_one("#alt", Input).focus()
        await pilot.press(*"Tea", "ctrl+s")
        await settle(pilot)
        assert len(DraftStore().list()) == 1
        await pilot.press("u")
        await settle(pilot)
        await pilot.click("#clear")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.click("#yes")
        await settle(pilot)
        assert app.work.empty and DraftStore().list() == []
        await pilot.press("u")  # nothing to send: it says so instead of doing nothing
        await settle(pilot)
        assert "Nothing prepared yet" in screen_text(app)


async def test_letters_typed_into_a_field_are_text(
    signed_out_app: Callable[..., LpublishApp], tmp_path: Path
) -> None:
    image = make_jpeg(tmp_path / "big.jpg", (1920, 800), quality=100)
    app = signed_out_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        screen = await open_slot(pilot, 0)
        await choose(pilot, screen, image)
        screen.query_one("#alt", Input).focus()
        await pilot.press(*"for o")
        await settle(pilot)
        assert screen.query_one("#alt", Input).value == "for o"
        assert app.screen is screen and screen.fixed is None  # no fix, no file picker


async def test_campaign_form_text_is_kept_across_a_restart(
    signed_out_app: Callable[..., LpublishApp],
) -> None:
    app = signed_out_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CampaignScreen)
        # opens at the top: the heading and the Title label are on screen
        text = screen_text(app)
        assert "New campaign page" in text and "\n Title " in text
        burst(app, "冬のお茶フェア")
        await settle(pilot)
    again = signed_out_app()
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert again.screen.query_one("#f-title", Input).value == "冬のお茶フェア"


async def test_update_of_a_merged_request_offers_a_new_request(
    practice_app: Callable[..., LpublishApp], tmp_path: Path
) -> None:
    first = make_jpeg(tmp_path / "first.jpg", (1920, 800))
    second = make_jpeg(tmp_path / "second.jpg", (900, 900))
    app = practice_app()
    session = app.context.practice
    assert session is not None
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        screen = await open_slot(pilot, 0)
        await choose(pilot, screen, first)
        screen.query_one("#alt", Input).focus()
        await pilot.press(*"Tea", "ctrl+s")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot, 8)
        [pull] = session.forge.pulls(session.repo)
        await pilot.click("#done")
        await settle(pilot)
        # The designer starts adding to the request; meanwhile the reviewer merges it.
        app.work.update_number = pull["number"]
        screen = await open_slot(pilot, 1)
        await choose(pilot, screen, second)
        screen.query_one("#alt", Input).focus()
        await pilot.press(*"Cup", "ctrl+s")
        await settle(pilot)
        session.forge.merge(pull["number"], repo=session.repo)
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot, 8)
        assert isinstance(app.screen, ErrorDialog)
        text = screen_text(app)
        assert "already published" in text and "lpublish submit" not in text
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SubmitScreen)
        assert len(DraftStore().list()) == 1  # the files are kept
        await pilot.press("n")
        await settle(pilot, 8)
        pulls = session.forge.pulls(session.repo)
        assert len(pulls) == 2
        new = max(pulls, key=lambda p: p["number"])
        assert new["state"] == "open" and "Cup" in new["body"]
        assert DraftStore().list() == []


def test_stale_temp_folders_are_removed_on_start(tmp_path: Path) -> None:
    dead = tmp_path / "lpublish-fixed-dead"
    dead.mkdir()
    (tmp_path / "lpublish-fixed-dead.pid").write_text("999999999", encoding="ascii")
    live = tmp_path / "lpublish-preview-live"
    live.mkdir()
    (tmp_path / "lpublish-preview-live.pid").write_text(str(__import__("os").getpid()), encoding="ascii")
    young = tmp_path / "lpublish-practice-young"
    young.mkdir()
    other = tmp_path / "not-ours"
    other.mkdir()
    removed = clean_stale_temp_dirs(tmp_path)
    assert removed == [dead]
    assert live.is_dir() and young.is_dir() and other.is_dir()
    # a practice folder from a crash two days ago goes too
    removed = clean_stale_temp_dirs(tmp_path, now=young.stat().st_mtime + 2 * 86400)
    assert young in removed and live.is_dir()


async def test_crop_step_makes_a_wrong_shape_usable(
    signed_out_app: Callable[..., LpublishApp], tmp_path: Path
) -> None:
    from PIL import Image

    from lpublish.tui.screens.crop import CropScreen

    image = make_jpeg(tmp_path / "moon 16x10.jpg", (2560, 1600))
    before = image.read_bytes()
    app = signed_out_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        screen = await open_slot(pilot, 0)  # the 12:5 hero
        await choose(pilot, screen, image)
        assert screen.check is not None and not screen.check.ok
        assert "Press C" in screen_text(app)
        screen.query_one("#crop").focus()
        await pilot.press("c")
        await settle(pilot)
        crop = app.screen
        assert isinstance(crop, CropScreen)
        assert "Keeps 2560x1066 of 2560x1600" in screen_text(app)
        await pilot.press("t")  # against the top edge, where the moon is
        assert crop.box.top == 0
        await pilot.press("down", "down")
        assert crop.box.top > 0
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert screen.cropped is not None
        with Image.open(screen.cropped.output) as cropped:
            assert cropped.size == (2560, 1066)  # never upscaled: only pixels removed
        assert image.read_bytes() == before  # the original is untouched
        # The cropped copy may still be too heavy: the one-key fix takes it from there.
        assert screen.check is not None
        if not screen.check.ok and screen.check.fixable:
            screen.query_one("#fix").focus()
            await pilot.press("f")
            await settle(pilot)
        assert screen.check is not None and screen.check.ok
        screen.query_one("#alt", Input).focus()
        await pilot.press(*"Moon over the tea field", "ctrl+s")
        await settle(pilot)
        [item] = app.work.images
        with Image.open(item.publish) as published:
            assert published.width / published.height == pytest.approx(12 / 5, rel=0.01)


def test_one_language_order(fixed_config: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """--lang, then the F2 choice, then LPUBLISH_LANG, then the locale (README and guides say so)."""
    from lpublish.i18n import current_language, set_language
    from lpublish.tui.context import TuiContext
    from lpublish.tui.settings import TuiSettings

    def start(saved: str | None) -> str:
        LpublishApp(TuiContext(config=fixed_config, open_browser=False), settings=TuiSettings(language=saved))
        return current_language()

    monkeypatch.setenv("LPUBLISH_LANG", "en")
    try:
        set_language(None)
        assert start("ja") == "ja"  # the designer's F2 choice beats the environment
        set_language(None)
        assert start(None) == "en"  # no choice saved: LPUBLISH_LANG
        set_language("en")  # what --lang en does
        assert start("ja") == "en"  # the command line beats everything
    finally:
        set_language(None)
