"""Campaign model: loading, validation findings, scheduling, slugs and writing new campaigns."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image

from lpublish.config import SiteConfig, load_config
from lpublish.errors import ContentError
from lpublish.findings import Finding, Severity
from lpublish.site.campaigns import (
    campaign_state,
    check_campaign_form,
    load_campaigns,
    suggest_slug,
    validate_campaign_fields,
    write_campaign,
)
from tests.plugins.sample_site import SAMPLE_SITE, copy_sample_site
from tests.site.conftest import edit_config

JST = timezone(timedelta(hours=9))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """The sample site without its images (campaign tests need no pixels)."""
    return copy_sample_site(tmp_path / "site")


def config_of(site: Path) -> SiteConfig:
    return load_config(site=site)


def write_index(site: Path, slug: str, front: str, body: str = "Body text.\n") -> Path:
    folder = site / "campaigns" / slug
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "index.md"
    path.write_text(f"---\n{front}---\n\n{body}", encoding="utf-8")
    return path


GOOD = (
    "title: Winter Tea\n"
    "slug: winter-tea\n"
    "summary: Warm winter blends.\n"
    "start: 2026-12-01 10:00\n"
    "end: 2026-12-31T23:59:59+09:00\n"
    "cta_label: Shop\n"
    "cta_url: https://shop.hoshizora-tea.example/winter\n"
)


def codes(findings: list[Finding]) -> list[str]:
    return sorted(f.code for f in findings)


def test_sample_site_campaigns_load_cleanly() -> None:
    campaigns, findings = load_campaigns(load_config(site=SAMPLE_SITE))
    assert findings == []
    assert [c.slug for c in campaigns] == ["summer-iced-2026", "autumn-tea-2026"]
    autumn = campaigns[1]
    assert autumn.start == datetime(2026, 10, 1, tzinfo=JST)
    assert autumn.hero is not None and autumn.hero.name == "hero.jpg"
    assert autumn.og_image is not None and autumn.og_image.parent.name == "og"
    assert autumn.hero_alt and not autumn.noindex


def test_naive_times_use_site_timezone(site: Path) -> None:
    write_index(site, "winter-tea", GOOD)
    campaigns, findings = load_campaigns(config_of(site))
    winter = next(c for c in campaigns if c.slug == "winter-tea")
    assert findings == []
    assert winter.start == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 10:00 in Asia/Tokyo


def test_state_boundaries(site: Path) -> None:
    write_index(site, "winter-tea", GOOD)
    winter = next(c for c in load_campaigns(config_of(site))[0] if c.slug == "winter-tea")
    assert campaign_state(winter, winter.start - timedelta(seconds=1)) == "scheduled"
    assert campaign_state(winter, winter.start) == "live"
    assert winter.end is not None
    assert campaign_state(winter, winter.end - timedelta(seconds=1)) == "live"
    assert campaign_state(winter, winter.end) == "ended"
    with pytest.raises(ValueError):
        campaign_state(winter, datetime(2026, 12, 5))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("slug: winter-tea", "slug: Winter_Tea"), "campaign.slug-invalid"),
        (("slug: winter-tea", "slug: other-name"), "campaign.slug-mismatch"),
        (("end: 2026-12-31T23:59:59+09:00", "end: 2026-11-01"), "campaign.end-before-start"),
        (("end: 2026-12-31T23:59:59+09:00", "end: next tuesday"), "campaign.date-invalid"),
        (
            ("https://shop.hoshizora-tea.example/winter", "http://shop.hoshizora-tea.example/winter"),
            "campaign.url-scheme",
        ),
        (("https://shop.hoshizora-tea.example/winter", "https://evil.example/winter"), "campaign.url-host"),
        (("https://shop.hoshizora-tea.example/winter", "javascript:alert(1)"), "campaign.url-scheme"),
        (("title: Winter Tea", "title: " + "冬" * 61), "campaign.title-too-long"),
        (("summary: Warm winter blends.", "summary: " + "a" * 121), "campaign.summary-too-long"),
        (("cta_label: Shop\n", ""), "campaign.field-missing"),
        (("cta_label: Shop", "cta_lable: Shop"), "campaign.unknown-field"),
        (
            ("slug: winter-tea\n", "slug: winter-tea\nhero: nothere.jpg\nhero_alt: x\n"),
            "campaign.image-missing",
        ),
        (
            ("slug: winter-tea\n", "slug: winter-tea\nhero: ../../../etc/passwd\nhero_alt: x\n"),
            "campaign.image-outside",
        ),
        (("noindex", "noindex"), None),
    ],
)
def test_validation_codes(site: Path, change: tuple[str, str], expected: str | None) -> None:
    front = GOOD.replace(*change)
    if expected is None:
        front = GOOD + "noindex: true\n"
    path = write_index(site, "winter-tea", front)
    _, findings = load_campaigns(config_of(site))
    mine = [f for f in findings if f.file == "campaigns/winter-tea/index.md"]
    if expected is None:
        assert mine == []
        return
    assert expected in codes(mine)
    finding = next(f for f in mine if f.code == expected)
    assert finding.message and finding.message != expected  # a translated message exists
    assert finding.line is not None and 1 <= finding.line <= len(path.read_text().splitlines())


def test_unknown_field_suggests_the_right_name(site: Path) -> None:
    write_index(site, "winter-tea", GOOD.replace("cta_label: Shop", "cta_lable: Shop"))
    _, findings = load_campaigns(config_of(site))
    unknown = next(f for f in findings if f.code == "campaign.unknown-field")
    assert unknown.severity is Severity.WARNING
    assert "cta_label" in unknown.message
    assert unknown.line == 7


def test_http_allowed_when_configured(site: Path) -> None:
    edit_config(site, "allow_http = false", "allow_http = true")
    write_index(site, "winter-tea", GOOD.replace("https://shop", "http://shop"))
    _, findings = load_campaigns(config_of(site))
    assert findings == []


def test_relative_and_internal_links_are_fine(site: Path) -> None:
    body = "[top](/) [other](../autumn-tea-2026/) [mail](mailto:tea@hoshizora-tea.example)\n"
    write_index(site, "winter-tea", GOOD.replace("https://shop.hoshizora-tea.example/winter", "/"), body)
    _, findings = load_campaigns(config_of(site))
    assert findings == []


def test_body_links_checked_against_allowlist_with_line(site: Path) -> None:
    body = "Intro.\n\nSee [this](https://evil.example/) now.\n"
    path = write_index(site, "winter-tea", GOOD, body)
    _, findings = load_campaigns(config_of(site))
    host = next(f for f in findings if f.code == "campaign.url-host")
    assert host.field == "body"
    assert host.line is not None  # the finding points at the line in the file
    assert path.read_text(encoding="utf-8").splitlines()[host.line - 1].startswith("See [this]")


def test_front_matter_yaml_error_has_line_number(site: Path) -> None:
    path = write_index(site, "winter-tea", GOOD.replace("summary: Warm winter blends.", 'summary: "unclosed'))
    campaigns, findings = load_campaigns(config_of(site))
    bad = next(f for f in findings if f.file.endswith("winter-tea/index.md"))
    assert bad.code == "campaign.front-matter-invalid"
    assert bad.line is not None and 4 <= bad.line <= len(path.read_text().splitlines())
    assert all(c.slug != "winter-tea" for c in campaigns)


def test_missing_front_matter(site: Path) -> None:
    folder = site / "campaigns" / "plain"
    folder.mkdir()
    (folder / "index.md").write_text("# Just markdown\n", encoding="utf-8")
    _, findings = load_campaigns(config_of(site))
    assert [f.code for f in findings] == ["campaign.front-matter-missing"]


def test_duplicate_slug_reported_once(site: Path) -> None:
    write_index(site, "winter-tea", GOOD)
    config = config_of(site)
    taken = {"winter-tea"}
    fields = {
        "title": "x",
        "slug": "winter-tea",
        "summary": "s",
        "start": "2026-12-01",
        "cta_label": "a",
        "cta_url": "/",
    }
    assert codes(validate_campaign_fields(config, fields, taken_slugs=taken)) == ["campaign.slug-duplicate"]


def test_validate_fields_for_the_form(site: Path) -> None:
    config = config_of(site)
    assert codes(validate_campaign_fields(config, {})) == sorted(["campaign.field-missing"] * 6)
    fields = {
        "title": "冬のお茶",
        "slug": "winter-tea",
        "summary": "あたたかい冬のブレンド",
        "start": datetime(2026, 12, 1, tzinfo=JST),
        "end": "2026-12-31",
        "cta_label": "見る",
        "cta_url": "https://shop.hoshizora-tea.example/",
        "body": "本文",
    }
    assert validate_campaign_fields(config, fields) == []


def test_suggest_slug() -> None:
    assert suggest_slug("Autumn Tea Fair 2026!") == "autumn-tea-fair-2026"
    assert suggest_slug("Café  Crème") == "cafe-creme"
    japanese = suggest_slug("秋の夜長のティーフェア")
    assert japanese.startswith("campaign-") and japanese == suggest_slug("秋の夜長のティーフェア")
    assert suggest_slug("星空 Tea 2026") == "tea-2026"


def test_write_campaign_round_trip(site: Path, tmp_path: Path) -> None:
    # Images that meet the campaign-hero and og slots: the form is checked before it is written.
    hero = tmp_path / "Winter Hero.JPEG"
    Image.new("RGB", (1600, 900), (200, 220, 240)).save(hero, "JPEG")
    og = tmp_path / "share.png"
    Image.new("RGB", (1200, 630), (20, 30, 60)).save(og, "PNG")
    fields = {
        "title": "冬のお茶フェア",
        "slug": "winter-tea",
        "summary": "あたたかい冬のブレンド。",
        "start": datetime(2026, 12, 1, 10, 0, tzinfo=JST),
        "end": "2026-12-31T23:59:59+09:00",
        "hero_alt": "雪の中のカップ",
        "cta_label": "見る",
        "cta_url": "https://shop.hoshizora-tea.example/winter",
        "body": "## 冬の夜に\n\nあたたかいお茶をどうぞ。",
        "noindex": False,
    }
    checked = check_campaign_form(config_of(site), fields, {"hero": hero, "og_image": og})
    assert checked.problems == []
    folder = write_campaign(config_of(site), checked)
    assert folder == (site / "campaigns" / "winter-tea").resolve()
    assert (folder / "hero.jpg").read_bytes() == hero.read_bytes()
    assert (site / "images/og/winter-tea.png").read_bytes() == og.read_bytes()
    text = (folder / "index.md").read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: 冬のお茶フェア\nslug: winter-tea\n")
    assert "noindex" not in text
    campaigns, findings = load_campaigns(config_of(site))
    assert findings == []
    winter = next(c for c in campaigns if c.slug == "winter-tea")
    assert winter.start == datetime(2026, 12, 1, 10, 0, tzinfo=JST)
    assert winter.hero == folder / "hero.jpg"
    assert winter.og_image == (site / "images/og/winter-tea.png").resolve()
    assert "あたたかいお茶をどうぞ。" in winter.body


def test_write_campaign_into_other_root(site: Path, tmp_path: Path) -> None:
    worktree = tmp_path / "worktree"
    shutil.copytree(site, worktree)
    fields = {
        "title": "Winter",
        "slug": "winter-tea",
        "summary": "s",
        "start": "2026-12-01",
        "cta_label": "Go",
        "cta_url": "/",
    }
    folder = write_campaign(
        config_of(site), check_campaign_form(config_of(site), fields, {}), dest_root=worktree
    )
    assert folder == (worktree / "campaigns" / "winter-tea").resolve()
    assert not (site / "campaigns" / "winter-tea").exists()


def test_write_campaign_refuses_bad_fields(site: Path) -> None:
    with pytest.raises(ContentError) as raised:
        write_campaign(
            config_of(site), check_campaign_form(config_of(site), {"title": "x", "slug": "../escape"}, {})
        )
    # every problem listed: the four missing fields and the slug
    assert len(raised.value.details) == 5 and any("../escape" in d for d in raised.value.details)
    assert not (site / "escape").exists()


def test_check_campaigns_checks_images_against_their_slots(site: Path) -> None:
    config = config_of(site)
    from lpublish.site.campaigns import check_campaigns

    assert check_campaigns(config) == []
    # a hero far too small for the campaign-hero slot (1600x900 minimum)
    Image.new("RGB", (320, 180), (200, 100, 50)).save(site / "campaigns/autumn-tea-2026/hero.jpg", "JPEG")
    findings = check_campaigns(config)
    assert any(
        f.file == "campaigns/autumn-tea-2026/hero.jpg" and f.severity is Severity.ERROR for f in findings
    )
