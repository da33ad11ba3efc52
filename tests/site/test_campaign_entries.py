"""Writing a campaign entry for a site's own generator: the starter is filled round-trip (comments,
order and quoting kept), the entry goes where ``[campaign] entry`` says, the hero where the generator
finds it, and the form's rules still apply. Also ``LPUBLISH_FORGE_*`` environment overrides."""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path

import pytest

from lpublish.config import load_config
from lpublish.config.env import apply_environment
from lpublish.errors import ConfigError, ContentError
from lpublish.site.campaign_entry import place_entry
from tests.plugins.images import make_jpeg

FIELDS = {
    "title": "Winter tea fair",
    "slug": "winter-tea",
    "summary": "Warm blends for cold nights.",
    "start": "2026-12-01T10:00:00+09:00",
    "end": "2027-02-28T23:59:00+09:00",
    "hero_alt": "Steam over a cup",
    "cta_label": "Shop the blends",
    "cta_url": "/shop/",
    "body": "## Come in\n\nTea by the fire.\n",
}
NOW = datetime.fromisoformat("2026-11-20T09:30:00+09:00")


def site(tmp_path: Path, campaign: str, files: dict[str, str] | None = None) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    (root / "lpublish.toml").write_text(
        '[site]\nname = "Tea"\ntimezone = "Asia/Tokyo"\n\n[campaign]\n' + campaign, encoding="utf-8"
    )
    for rel, text in (files or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_toml_starter_keeps_its_comments_and_gets_real_dates(tmp_path: Path) -> None:
    starter = (
        "+++\n"
        "# Campaign pages: fill in every key.\n"
        'title = "{{ replace .Name "-" " " | title }}"\n'
        "date = {{ .Date }}\n"
        "draft = true  # the review request is the draft\n"
        'tags = ["campaign"]\n'
        "+++\n"
        "Placeholder text.\n"
    )
    root = site(
        tmp_path,
        'content_dir = "content/campaigns"\nstarter = "archetypes/campaigns.md"\n'
        'front_matter = { title = "title", start = "publishDate", end = "expiryDate", hero = "image" ,'
        ' hero_alt = "image_alt", summary = "description" }\n',
        {"archetypes/campaigns.md": starter},
    )
    hero = make_jpeg(tmp_path / "in" / "Winter.JPEG", (1600, 900))
    placed = place_entry(load_config(site=root), dict(FIELDS), {"hero": hero}, now=NOW)

    assert placed.entry == root / "content/campaigns/winter-tea/index.md"
    assert (placed.entry.parent / "hero.jpg").read_bytes() == hero.read_bytes()
    text = placed.entry.read_text(encoding="utf-8")
    assert text.splitlines()[:6] == [
        "+++",
        "# Campaign pages: fill in every key.",
        'title = "Winter tea fair"',
        "date = 2026-11-20T09:30:00+09:00",
        "draft = false  # the review request is the draft",
        'tags = ["campaign"]',
    ]
    front = tomllib.loads(text.split("+++\n")[1])
    assert front["publishDate"] == datetime.fromisoformat("2026-12-01T10:00:00+09:00")
    assert front["expiryDate"] == datetime.fromisoformat("2027-02-28T23:59:00+09:00")
    assert front["image"] == "hero.jpg" and front["image_alt"] == "Steam over a cup"
    # Fields the site does not map (the CTA) are not written; the form body replaces the placeholder.
    assert "cta" not in text and "Placeholder" not in text and text.endswith("Tea by the fire.\n")


def test_dated_file_entry_with_hero_in_a_published_folder(tmp_path: Path) -> None:
    root = site(
        tmp_path,
        'content_dir = "_posts"\nentry = "{date}-{slug}.md"\nlayout = "post"\n'
        'hero_dir = "assets/img/campaigns"\n',
    )
    hero = make_jpeg(tmp_path / "hero.jpg", (1600, 900))
    placed = place_entry(load_config(site=root), dict(FIELDS), {"hero": hero}, now=NOW)
    assert placed.entry == root / "_posts/2026-12-01-winter-tea.md"
    assert (root / "assets/img/campaigns/winter-tea.jpg").read_bytes() == hero.read_bytes()
    text = placed.entry.read_text(encoding="utf-8")
    assert text.startswith(
        "---\nlayout: post\ntitle: Winter tea fair\ndescription: Warm blends for cold nights.\n"
        "date: 2026-12-01T10:00:00+09:00\nimage: /assets/img/campaigns/winter-tea.jpg\n"
    )
    # The same slug again (another day) is refused: it would be a second page with the same name.
    with pytest.raises(ContentError) as exc:
        place_entry(load_config(site=root), dict(FIELDS, start="2026-12-05T00:00:00+09:00"), {}, now=NOW)
    assert any("winter-tea" in d for d in exc.value.details)


def test_relative_reference_for_astro_style_image_imports(tmp_path: Path) -> None:
    root = site(
        tmp_path,
        'content_dir = "src/content/campaigns"\nentry = "file"\nhero_dir = "src/assets/campaigns"\n'
        'hero_ref = "relative"\n',
    )
    hero = make_jpeg(tmp_path / "hero.jpg", (1600, 900))
    placed = place_entry(load_config(site=root), dict(FIELDS), {"hero": hero}, now=NOW)
    assert "image: ../../assets/campaigns/winter-tea.jpg\n" in placed.entry.read_text(encoding="utf-8")


def test_yaml_starter_comments_quotes_and_list_indent_are_kept(tmp_path: Path) -> None:
    starter = (
        "---\n"
        "# Shown on the campaign list\n"
        "title: 'Untitled'\n"
        "tags:\n"
        "  - campaign   # keep this tag\n"
        "  - seasonal\n"
        'description: ""\n'
        "---\n"
    )
    root = site(
        tmp_path,
        'content_dir = "src/campaigns"\nentry = "file"\nstarter = "src/campaigns/_starter.md"\n'
        'hero_dir = "public/img"\n',
        {"src/campaigns/_starter.md": starter},
    )
    placed = place_entry(load_config(site=root), dict(FIELDS), {}, now=NOW)
    lines = placed.entry.read_text(encoding="utf-8").splitlines()
    assert lines[:7] == [
        "---",
        "# Shown on the campaign list",
        "title: 'Winter tea fair'",
        "tags:",
        "  - campaign   # keep this tag",
        "  - seasonal",
        'description: "Warm blends for cold nights."',
    ]


@pytest.mark.parametrize(
    ("field", "value", "code_text"),
    [
        ("title", "<script>alert(1)</script>", "contains HTML"),
        ("body", "Hello {% include secrets.html %}", "template code"),
        ("cta_url", "javascript:alert(1)", "javascript"),
        ("cta_url", "https://phishing.example/", "phishing.example"),
    ],
)
def test_the_forms_rules_and_the_generator_rules_refuse(
    tmp_path: Path, field: str, value: str, code_text: str
) -> None:
    root = site(
        tmp_path, 'content_dir = "_posts"\nentry = "file"\nhero_dir = "img"\nlink_hosts = ["shop.example"]\n'
    )
    with pytest.raises(ContentError) as exc:
        place_entry(load_config(site=root), dict(FIELDS, **{field: value}), {}, now=NOW)
    assert any(code_text in d for d in exc.value.details), exc.value.details
    assert not (root / "_posts").exists()


def test_file_entries_need_a_hero_folder(tmp_path: Path) -> None:
    root = site(tmp_path, 'content_dir = "_posts"\nentry = "file"\n')
    with pytest.raises(ConfigError):
        load_config(site=root)


def test_forge_settings_from_the_environment(tmp_path: Path) -> None:
    root = site(tmp_path, "")
    config = apply_environment(
        load_config(site=root),
        {"LPUBLISH_FORGE_REPO": "practice/site", "LPUBLISH_FORGE_API_URL": "http://127.0.0.1:1"},
    )
    assert config.forge.repo == "practice/site" and config.forge.api_url == "http://127.0.0.1:1"
    assert "practice" not in (root / "lpublish.toml").read_text(encoding="utf-8")
    with pytest.raises(ConfigError):
        apply_environment(load_config(site=root), {"LPUBLISH_FORGE_REPO": "not a repo"})


def test_the_hero_must_meet_the_campaign_hero_slot(tmp_path: Path) -> None:
    root = site(
        tmp_path,
        'content_dir = "content/campaigns"\nhero_slot = "campaign-hero"\nsocial_slot = "campaign-hero"\n\n'
        '[slots.campaign-hero]\nlabel = { en = "Campaign hero", ja = "キャンペーン画像" }\n'
        'path = "content/campaigns"\nmin_width = 1600\nmin_height = 900\nformats = ["jpeg"]\n',
    )
    small = make_jpeg(tmp_path / "small.jpg", (800, 450))
    with pytest.raises(ContentError) as exc:
        place_entry(load_config(site=root), dict(FIELDS), {"hero": small}, now=NOW)
    assert any("1600" in d for d in exc.value.details), exc.value.details
    assert not (root / "content/campaigns/winter-tea").exists()
