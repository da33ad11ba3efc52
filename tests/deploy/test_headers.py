"""Per-path headers: the built-in content-type table, Cache-Control defaults and [[headers]] rules."""

from __future__ import annotations

import pytest

from lpublish.config.sections import HeaderRule
from lpublish.deploy.headers import headers_for, is_entry, is_hashed
from lpublish.media_types import content_type_for


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("index.html", "text/html; charset=utf-8"),
        ("a/b/style.CSS", "text/css; charset=utf-8"),
        ("app.js", "text/javascript; charset=utf-8"),
        ("data.json", "application/json; charset=utf-8"),
        ("sitemap.xml", "application/xml; charset=utf-8"),
        ("logo.svg", "image/svg+xml; charset=utf-8"),
        ("site.webmanifest", "application/manifest+json; charset=utf-8"),
        ("photo.jpeg", "image/jpeg"),
        ("photo.avif", "image/avif"),
        ("photo.webp", "image/webp"),
        ("font.woff2", "font/woff2"),
        ("favicon.ico", "image/vnd.microsoft.icon"),
        ("robots.txt", "text/plain; charset=utf-8"),
        ("_redirects", "application/octet-stream"),
        ("archive.unknownext", "application/octet-stream"),
    ],
)
def test_content_types_are_fixed_and_carry_charset_for_text(path: str, expected: str) -> None:
    assert content_type_for(path) == expected


def test_cache_control_defaults() -> None:
    assert "immutable" in headers_for("assets/app.0123456789ab.css", []).cache_control
    assert headers_for("index.html", []).cache_control == "public, max-age=0, must-revalidate"
    assert "immutable" not in headers_for("images/logo.svg", []).cache_control


def test_first_matching_rule_wins_and_defaults_fill_the_rest() -> None:
    rules = [
        HeaderRule(pattern="assets/*", cache_control="public, max-age=31536000, immutable"),
        HeaderRule(pattern="*.html", cache_control="no-cache", extra={"Content-Language": "ja"}),
        HeaderRule(pattern="*", cache_control="public, max-age=300"),
    ]
    assert headers_for("assets/x/app.css", rules).cache_control.endswith("immutable")
    page = headers_for("news/1/index.html", rules)
    assert page.cache_control == "no-cache"
    assert page.content_type == "text/html; charset=utf-8"
    assert page.extra == {"Content-Language": "ja"}
    assert headers_for("robots.txt", rules).cache_control == "public, max-age=300"


def test_fingerprint_changes_with_any_header() -> None:
    base = headers_for("a.html", [])
    other = headers_for("a.html", [HeaderRule(pattern="*.html", cache_control="no-store")])
    assert base.fingerprint() == headers_for("a.html", []).fingerprint()
    assert base.fingerprint() != other.fingerprint()


def test_hashed_and_entry_names() -> None:
    assert is_hashed("assets/app.0123456789ab.css")
    assert is_hashed("img/hero-3f9a1c2b77.webp")
    assert not is_hashed("images/photo1.png")
    assert is_entry("index.html") and is_entry("sitemap.xml") and is_entry("sitemap-ja.xml")
    assert is_entry("_redirects") and is_entry("robots.txt")
    assert not is_entry("assets/app.0123456789ab.css")
