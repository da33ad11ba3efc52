"""My requests against the practice world: the list with plain-word states, withdraw, drafts, and the
simulated reviewer (approve, merge → build + deploy → the live page opens)."""

from __future__ import annotations

import io
import re
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from PIL import Image, ImageChops, ImageStat

from lpublish.publish.changeset import ChangeSet, ImageChange
from lpublish.tui.app import LpublishApp
from lpublish.tui.screens.confirm import ConfirmDialog
from lpublish.tui.screens.requests import RequestsScreen
from lpublish.tui.screens.submit import SubmitScreen
from tests.plugins.images import make_jpeg
from tests.plugins.screens import screen_text, settle

pytestmark = pytest.mark.anyio


def open_request(session: Any, image: Path, title: str = "Replace hero") -> int:
    """A request made the way the TUI makes it (through the publish core)."""
    from lpublish.publish.service import submit

    changeset = ChangeSet(title, images=[ImageChange("hero", image, "Tea", "hero.jpg")])
    result = submit(
        session.config,
        changeset,
        forge=session.forge_factory(session.config, session.token),
        token=session.token,
    )
    return result.number


async def test_requests_list_and_withdraw(practice_app: Callable[..., LpublishApp], tmp_path: Path) -> None:
    app = practice_app()
    session = app.context.practice
    assert session is not None
    number = open_request(session, make_jpeg(tmp_path / "a.jpg", (1920, 800)))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "My requests (1 open)" in screen_text(app)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, RequestsScreen)
        text = screen_text(app)
        assert f"#{number}" in text and "Replace hero" in text
        await pilot.press("o")
        assert app.opened_urls[-1].endswith(f"/pull/{number}")
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.click("#yes")
        await settle(pilot, 5)
        assert session.forge.pull(number, session.repo)["state"] == "closed"
        assert "closed" in screen_text(app)


async def test_resume_saved_draft(practice_app: Callable[..., LpublishApp], tmp_path: Path) -> None:
    from lpublish.publish.drafts import DraftStore

    app = practice_app()
    session = app.context.practice
    assert session is not None
    image = make_jpeg(tmp_path / "b.jpg", (1920, 800))
    changeset = ChangeSet("Saved earlier", images=[ImageChange("hero", image, "Tea", "hero.jpg")])
    DraftStore().create(changeset, repo=session.config.forge.repo, site=session.config.root)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert "Saved earlier" in screen_text(app)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, SubmitScreen)
        await pilot.press("ctrl+s")
        await settle(pilot, 8)
        pulls = session.forge.pulls(session.repo)
        assert [p["title"] for p in pulls] == ["Saved earlier"]
        assert DraftStore().list() == []


@pytest.mark.slow
async def test_practice_reviewer_approves_merges_and_page_goes_live(
    practice_app: Callable[..., LpublishApp], tmp_path: Path
) -> None:
    app = practice_app()
    session = app.context.practice
    assert session is not None
    image = make_jpeg(tmp_path / "c.jpg", (1920, 800))
    number = open_request(session, image)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot, 5)
        assert "approved" in screen_text(app)
        await pilot.press("m")
        await settle(pilot)
        # Merging is asked first (a stray "m" must not publish anything).
        assert isinstance(app.screen, ConfirmDialog)
        assert session.forge.pull(number, session.repo)["merged"] is False
        await pilot.click("#yes")
        await settle(pilot, 10)
        pull = session.forge.pull(number, session.repo)
        assert pull["merged"] is True
        assert app.opened_urls[-1] == session.live_url
        assert "live" in screen_text(app)
    # The live site serves the merged page: its hero is the designer's image, with their alt text.
    page = urllib.request.urlopen(session.live_url, timeout=10).read().decode()
    hero = re.search(r'<picture class="hero__image">.*?<img ([^>]*)>', page, re.DOTALL)
    assert hero is not None, page
    attributes = dict(re.findall(r'(\w+)="([^"]*)"', hero.group(1)))
    assert attributes["alt"] == "Tea"
    served = urllib.request.urlopen(urljoin(session.live_url, attributes["src"]), timeout=10).read()
    with Image.open(io.BytesIO(served)) as live, Image.open(image) as ours:
        assert live.size == ours.size == (1920, 800)
        # re-encoded by the build, so not byte-identical: the same picture, pixel for pixel, nearly
        difference = ImageStat.Stat(ImageChops.difference(live.convert("RGB"), ours.convert("RGB")))
        assert max(difference.mean) < 8, difference.mean
    assert (session.clone / "images" / "hero" / "hero.jpg").read_bytes() == image.read_bytes()
