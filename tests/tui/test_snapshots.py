"""Snapshot tests of the main screens in English and Japanese at 80x24 and 120x40.

Deterministic by construction: the fixed site rules in tests/tui/data, nobody signed in, no clock,
no paths on screen. Update with ``pytest tests/tui/test_snapshots.py --snapshot-update`` after an
intended change and look at the report.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from lpublish.errors import ExternalError
from lpublish.tui.app import LpublishApp
from lpublish.tui.state import PendingImage
from tests.plugins.images import make_jpeg
from tests.plugins.screens import settle

SIZES = [(80, 24), (120, 40)]
LANGUAGES = ["en", "ja"]


async def _home(pilot: Pilot[Any]) -> None:
    await settle(pilot)


async def _images(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press("i")
    await settle(pilot)


async def _image(pilot: Pilot[Any]) -> None:
    await _images(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def _settings(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press("s")
    await settle(pilot)


async def _error(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    app = pilot.app
    assert isinstance(app, LpublishApp)
    app.show_error(ExternalError("tui.not_signed_in"))
    await settle(pilot)


SCREENS: dict[str, Callable[[Pilot[Any]], Any]] = {
    "home": _home,
    "images": _images,
    "image": _image,
    "settings": _settings,
    "error": _error,
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_screen(
    snap_compare: Any,
    signed_out_app: Callable[..., LpublishApp],
    screen: str,
    language: str,
    size: tuple[int, int],
) -> None:
    assert snap_compare(signed_out_app(language), terminal_size=size, run_before=SCREENS[screen])


# --- the designer's day (issue 12): review, campaign, findings and requests screens -------------------


async def _submit(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press("u")
    await settle(pilot)


async def _campaign(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press("c")
    await settle(pilot)


async def _findings(pilot: Pilot[Any]) -> None:
    """The hero slot with a 16:10 photo: the wrong shape, with the crop step offered."""
    await _image(pilot)
    pilot.app.screen.query_one("#path").focus()
    await pilot.press(*"photo 16x10.jpg", "enter")
    await settle(pilot)


async def _crop(pilot: Pilot[Any]) -> None:
    await _findings(pilot)
    pilot.app.screen.query_one("#crop").focus()
    await pilot.press("c")
    await settle(pilot)


def _steady(run: Callable[[Pilot[Any]], Any]) -> Callable[[Pilot[Any]], Any]:
    """``run``, then a cursor that does not blink (a focused field's blink made snapshots flaky)."""

    async def wrapped(pilot: Pilot[Any]) -> None:
        await run(pilot)
        from textual.widgets import Input, TextArea

        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        for area in pilot.app.screen.query(TextArea):
            area.cursor_blink = False
        await pilot.pause()

    return wrapped


DAY_SCREENS: dict[str, Callable[[Pilot[Any]], Any]] = {
    "submit": _steady(_submit),
    "campaign": _steady(_campaign),
    "findings": _steady(_findings),
    "crop": _steady(_crop),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("screen", sorted(DAY_SCREENS))
def test_day_screen(
    snap_compare: Any,
    signed_out_app: Callable[..., LpublishApp],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    screen: str,
    language: str,
    size: tuple[int, int],
) -> None:
    # Files are named relative to the working folder, so no temporary path shows on screen.
    monkeypatch.chdir(tmp_path)
    # make_jpeg is byte-for-byte deterministic (make_photo's grain is random: its thumbnail would vary).
    make_jpeg(tmp_path / "photo 16x10.jpg", (2560, 1600))
    hero = make_jpeg(tmp_path / "夏のバナー.jpg", (1920, 800))
    app = signed_out_app(language)
    if screen == "submit":
        app.work.add(
            PendingImage(
                "hero", hero, hero, alt="Iced tea on a summer table", replace="hero.jpg", name="hero.jpg"
            )
        )
        product = make_jpeg(tmp_path / "新商品_最終版(2).jpg", (900, 900))
        app.work.add(PendingImage("product", product, product, alt="", name="product-2.jpg"))
    assert snap_compare(app, terminal_size=size, run_before=DAY_SCREENS[screen])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("language", LANGUAGES)
def test_requests_screen(
    snap_compare: Any,
    practice_app: Callable[..., LpublishApp],
    tmp_path: Path,
    language: str,
    size: tuple[int, int],
) -> None:
    """The requests list with two requests from the practice forge (numbers, titles, states)."""
    from lpublish.publish import service
    from lpublish.publish.changeset import ChangeSet, ImageChange

    app = practice_app(language)
    session: Any = app.context.practice
    for title, width in (("Replace Top page hero banner", 1920), ("新商品の写真を追加", 900)):
        image = make_jpeg(tmp_path / f"{width}.jpg", (width, 800 if width == 1920 else 900))
        slot = "hero" if width == 1920 else "product"
        changeset = ChangeSet(title, images=[ImageChange(slot, image, "Tea")])
        service.submit(
            session.config,
            changeset,
            forge=session.forge_factory(session.config, session.token),
            token=session.token,
        )

    async def requests(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot, 5)

    assert snap_compare(app, terminal_size=size, run_before=requests)
