"""The reviewers' PR body rendered from marker data: human sizes, alt texts, before/after pinned to
commits, every note of the request, the preview link, the campaign's details in the site's time zone."""

from __future__ import annotations

from pathlib import Path

from lpublish.config import load_config
from lpublish.publish.request_body import human_bytes, parse_marker, render_body

SITE = Path(__file__).resolve().parents[2] / "site"


def test_human_sizes() -> None:
    assert human_bytes(8_198_000) == "8.2 MB"
    assert human_bytes(176_400) == "176 KB"
    assert human_bytes(999) == "999 B"


def test_body_shows_what_a_reviewer_decides_on() -> None:
    config = load_config(site=SITE)
    data = {
        "version": 1,
        "branch": "lpublish/hana/x",
        "commit": "c" * 40,
        "notes": ["Summer hero.", "Also the latte photo."],
        "note": "Summer hero.",
        "preview_url": "https://preview.example/pr-7/",
        "files": [
            {
                "path": "images/hero/hero.jpg",
                "slot": "hero",
                "width": 1920,
                "height": 800,
                "bytes": 176_400,
                "original_bytes": 8_198_000,
                "alt": 'Tea field "at dawn"',
                "commit": "a" * 40,
                "before": "images/hero/hero.jpg",
                "before_ref": "b" * 40,
                "findings": [],
            }
        ],
        "campaign": "winter",
        "campaign_info": {
            "title": "冬のティーフェア",
            "path": "campaigns/winter",
            "start": "2026-11-30T15:00:00+00:00",
            "end": None,
            "summary": "Warm teas.",
            "cta_label": "Shop",
            "cta_url": "https://shop.example/winter",
            "hero": "campaigns/winter/hero.jpg",
            "hero_alt": "Steam over a cup",
        },
    }
    body = render_body(config, data)
    assert "8.2 MB → 176 KB" in body
    assert 'Alt text: Tea field "at dawn"' in body
    assert "Summer hero." in body and "Also the latte photo." in body
    assert "<https://preview.example/pr-7/>" in body
    assert f"/raw/{'b' * 40}/images/hero/hero.jpg" in body  # before, at the commit it started from
    assert f"/raw/{'a' * 40}/images/hero/hero.jpg" in body  # after, pinned to its commit
    assert "/raw/lpublish/" not in body  # nothing points at the branch, which is deleted after merge
    assert "2026-12-01 00:00 (Asia/Tokyo)" in body
    assert "Shop → <https://shop.example/winter>" in body
    assert f"/raw/{'c' * 40}/campaigns/winter/hero.jpg" in body and "Steam over a cup" in body
    assert parse_marker(body) == data
