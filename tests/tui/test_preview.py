"""Preview of the pending change: a copy of the site with the change applied is built and served on
127.0.0.1, and the page that opens shows the new image."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from lpublish.tui.app import LpublishApp
from lpublish.tui.state import PendingImage
from tests.plugins.images import make_jpeg
from tests.plugins.screens import screen_text, settle

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


async def test_preview_serves_the_site_with_the_new_hero(
    practice_app: Callable[..., LpublishApp], tmp_path: Path
) -> None:
    image = make_jpeg(tmp_path / "preview-hero.jpg", (1920, 800))
    app = practice_app()
    app.work.add(PendingImage("hero", image, image, alt="Preview tea", replace="hero.jpg"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("ctrl+p")
        for _ in range(20):
            await settle(pilot)
            if app.opened_urls:
                break
        assert app.opened_urls, "the preview did not open"
        url = app.opened_urls[-1]
        assert url.startswith("http://127.0.0.1:")
        page = urllib.request.urlopen(url, timeout=10).read().decode()
        assert "Preview tea" in page  # the new image's alt text is on the page
        assert not app.work.empty  # previewing never sends or clears anything
        text = screen_text(app)
        assert url in text.replace("\n", "") or url.rstrip("/") in text  # stays on the review screen
        assert "Opened in your browser" not in text  # --no-browser: nothing was opened
        first = app.preview_servers[0]
        await pilot.press("ctrl+p")  # a second preview replaces the first: one server per session
        for _ in range(20):
            await settle(pilot)
            if len(app.opened_urls) > 1:
                break
        assert len(app.preview_servers) == 1 and app.preview_servers[0] is not first
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(url, timeout=5)
    assert app.preview_servers == []  # stopped when the app ended
