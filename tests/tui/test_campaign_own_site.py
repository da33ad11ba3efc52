"""The campaign form in practice mode on a Hugo site (``lpublish practice --site``): the page is the
site's own entry made from its archetype, and the simulated reviewer's merge publishes the page that
Hugo built to the practice live site."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import pytest
import yaml
from textual.widgets import Input

from lpublish.sandbox.practice import PracticeSession
from lpublish.tui.screens.campaign import CampaignScreen
from tests.plugins.campaign_sites import configure_campaign, hero_image, img_of
from tests.plugins.gitrepos import git_show
from tests.plugins.practice_apps import app_for
from tests.plugins.screens import settle
from tests.plugins.sites import fixture_site, git

pytestmark = pytest.mark.anyio


@pytest.fixture
def hugo_practice(tmp_path: Path) -> Iterator[PracticeSession]:
    site = fixture_site("hugo", tmp_path / "src")
    configure_campaign(site, "hugo")
    git(site, "commit", "-q", "-am", "campaign settings")
    session = PracticeSession.start(source=site, own_site=True, base_dir=tmp_path)
    try:
        yield session
    finally:
        session.stop()


async def test_campaign_form_on_a_hugo_site_makes_its_own_entry(
    hugo_practice: PracticeSession, tmp_path: Path
) -> None:
    session = hugo_practice
    hero = hero_image(tmp_path / "pick" / "lantern.jpg", session.site_dir)
    app = app_for(session, tmp_path, "en")
    start = (datetime.now(ZoneInfo("Asia/Tokyo")) - timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CampaignScreen)
        await pilot.press(*"Lantern Night")
        values = {
            "summary": "Coffee by lantern light.",
            "start": start,
            "cta_label": "Reserve",
            "cta_url": "/about/",
            "hero_alt": "Paper lanterns over the roastery",
        }
        for name, value in values.items():
            screen.query_one(f"#f-{name}", Input).value = value
        screen.images["hero"] = hero
        screen.check_picked("hero", hero)
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.work.campaign_fields is not None and app.work.campaign_fields["slug"] == "lantern-night"
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot, 8)
    pulls = session.forge.pulls(session.repo)
    assert len(pulls) == 1
    number, branch = pulls[0]["number"], pulls[0]["head"]["ref"]
    entry = git_show(session.bare, branch, "content/campaigns/lantern-night/index.md").decode()
    meta = yaml.safe_load(entry.split("---\n")[1])
    assert meta["title"] == "Lantern Night" and meta["image"] == "hero.jpg"
    assert meta["image_alt"] == "Paper lanterns over the roastery"
    assert "cta_label" in meta and meta["cta_url"] == "/about/"
    assert git_show(session.bare, branch, "content/campaigns/lantern-night/hero.jpg") == hero.read_bytes()

    live = session.merge_and_publish(number)
    page = urllib.request.urlopen(urljoin(live, "campaigns/lantern-night/"), timeout=30).read().decode()
    assert "<h1>Lantern Night</h1>" in page
    src, alt = img_of(page)
    assert alt == "Paper lanterns over the roastery"
    page_url = live + "campaigns/lantern-night/"
    image = urllib.request.urlopen(urljoin(page_url, src), timeout=30)
    assert image.read() == hero.read_bytes()
