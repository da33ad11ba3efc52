"""Campaign pages in a request: written from form values inside the workspace, or copied from a prepared
folder, and checked as they will be published (a bad link refuses the request)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lpublish.errors import ContentError
from lpublish.publish import service
from lpublish.publish.changeset import ChangeSet
from lpublish.publish.drafts import DraftStore
from lpublish.publish.request_body import parse_marker
from tests.plugins.forge import ForgeSite, config_for, forge_for
from tests.plugins.images import make_jpeg

FIELDS = {
    "title": "冬のティーフェア",
    "slug": "winter-tea-2026",
    "summary": "冬限定のブレンドをお届けします。",
    "start": "2026-12-01T00:00:00+09:00",
    "end": "2027-02-28T23:59:59+09:00",
    "hero_alt": "雪景色の中の湯気の立つティーカップ",
    "cta_label": "冬限定ブレンドを見る",
    "cta_url": "https://shop.hoshizora-tea.example/collections/winter-2026",
    "body": "## 冬の夜に\n\n温かいお茶をどうぞ。\n",
}


def test_campaign_from_form_values(forge_site: ForgeSite, tmp_path: Path) -> None:
    hero = make_jpeg(tmp_path / "winter.jpg", (1920, 1080), (230, 230, 240))
    changeset = ChangeSet("Winter fair", campaign_fields=dict(FIELDS), campaign_images={"hero": hero})
    result = service.submit(
        config_for(forge_site), changeset, forge=forge_for(forge_site), token=forge_site.token
    )
    files = forge_site.repo.origin_files(result.branch)
    assert "site/campaigns/winter-tea-2026/index.md" in files
    assert "site/campaigns/winter-tea-2026/hero.jpg" in files
    index = forge_site.repo.origin_show(result.branch, "site/campaigns/winter-tea-2026/index.md").decode()
    assert "冬のティーフェア" in index and "hero: hero.jpg" in index
    marker = parse_marker(forge_site.forge.pull(result.number)["body"])
    assert marker is not None and marker["campaign"] == "winter-tea-2026"
    body = forge_site.forge.pull(result.number)["body"]
    # A reviewer sees the campaign itself, not only its slug: title, dates in the site's time zone,
    # the button's text and link, and the hero with its alt text (pinned to the commit).
    assert "`site/campaigns/winter-tea-2026`" in body
    assert 'Campaign page "冬のティーフェア"' in body
    assert "2026-12-01 00:00 (Asia/Tokyo)" in body and "2027-02-28 23:59 (Asia/Tokyo)" in body
    assert "冬限定ブレンドを見る → <https://shop.hoshizora-tea.example/collections/winter-2026>" in body
    assert "雪景色の中の湯気の立つティーカップ" in body
    commit = forge_site.repo.git("rev-parse", result.branch, bare=True)
    assert marker["commit"] == commit
    assert f"/raw/{commit}/site/campaigns/winter-tea-2026/hero.jpg" in body


def test_prepared_campaign_folder_is_copied(forge_site: ForgeSite, tmp_path: Path) -> None:
    folder = tmp_path / "autumn-tea-2026"
    shutil.copytree(forge_site.site / "campaigns" / "autumn-tea-2026", folder)
    index = folder / "index.md"
    index.write_text(
        index.read_text(encoding="utf-8").replace("ゆっくりと。", "ゆっくりと、星を見ながら。"),
        encoding="utf-8",
    )
    result = service.submit(
        config_for(forge_site),
        ChangeSet("Autumn copy edit", campaign_dir=folder),
        forge=forge_for(forge_site),
        token=forge_site.token,
    )
    text = forge_site.repo.origin_show(result.branch, "site/campaigns/autumn-tea-2026/index.md").decode()
    assert "星を見ながら" in text


def test_campaign_with_a_foreign_link_is_refused_and_no_draft_is_left(
    forge_site: ForgeSite, tmp_path: Path
) -> None:
    folder = tmp_path / "autumn-tea-2026"
    shutil.copytree(forge_site.site / "campaigns" / "autumn-tea-2026", folder)
    index = folder / "index.md"
    index.write_text(
        index.read_text(encoding="utf-8").replace(
            "https://shop.hoshizora-tea.example/collections/autumn-2026", "https://phishing.example/login"
        ),
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as exc:
        service.submit(
            config_for(forge_site),
            ChangeSet("Bad link", campaign_dir=folder),
            forge=forge_for(forge_site),
            token=forge_site.token,
        )
    assert exc.value.exit_code == 1 and any("index.md" in d for d in exc.value.details)
    assert forge_site.forge.pulls() == []
    assert DraftStore().list() == []


def test_invalid_form_values_are_refused_up_front(forge_site: ForgeSite) -> None:
    fields = dict(FIELDS, cta_url="http://insecure.example/")
    with pytest.raises(ContentError):
        service.submit(
            config_for(forge_site),
            ChangeSet("Bad", campaign_fields=fields),
            forge=forge_for(forge_site),
            token=forge_site.token,
        )
    assert forge_site.forge.requests == []


def test_preview_copy_holds_the_campaign_as_the_request_places_it(
    forge_site: ForgeSite, tmp_path: Path
) -> None:
    """A prepared folder replaces the campaign's folder, in the preview as in the request: a file the
    designer renamed away is gone from both (the preview once merged it with the old folder)."""
    from lpublish.publish.place_change import stage_change

    folder = tmp_path / "autumn-tea-2026"
    shutil.copytree(forge_site.site / "campaigns" / "autumn-tea-2026", folder)
    (folder / "hero.jpg").rename(folder / "hero-autumn.jpg")
    index = folder / "index.md"
    index.write_text(
        index.read_text(encoding="utf-8").replace("hero: hero.jpg", "hero: hero-autumn.jpg"), encoding="utf-8"
    )
    config = config_for(forge_site)
    changeset = ChangeSet("Autumn hero renamed", campaign_dir=folder)
    staged = stage_change(config, changeset, tmp_path / "preview")
    previewed = sorted(p.name for p in (staged.site_dir / "campaigns" / "autumn-tea-2026").iterdir())
    assert previewed == ["hero-autumn.jpg", "index.md"]
    assert (
        forge_site.site / "campaigns" / "autumn-tea-2026" / "hero.jpg"
    ).is_file()  # the checkout: as it was
    result = service.submit(config, changeset, forge=forge_for(forge_site), token=forge_site.token)
    prefix = "site/campaigns/autumn-tea-2026/"
    sent = sorted(
        f.removeprefix(prefix) for f in forge_site.repo.origin_files(result.branch) if f.startswith(prefix)
    )
    assert sent == previewed
