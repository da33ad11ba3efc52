"""Snapshot tests of the main screens in English and Japanese at 80x24 and 120x40.

Deterministic by construction: the fixed site rules in tests/tui/data, nobody signed in, no clock,
no paths on screen. Update with ``pytest tests/tui/test_snapshots.py --snapshot-update`` after an
intended change and look at the report.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from lpublish.errors import ExternalError
from lpublish.tui.app import LpublishApp
from tests.tui.helpers import settle

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
    app: LpublishApp = pilot.app  # type: ignore[assignment]
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
