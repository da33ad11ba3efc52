"""What is published and with which headers: excludes, a site's ``_headers`` file, content-hash names."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lpublish.deploy.headers import headers_for, is_hashed, parse_headers_file
from lpublish.site.own_files import DEFAULT_EXCLUDE, exclusion_rule, is_excluded, walk_exclusion_rule
from tests.plugins.cli import run_cli
from tests.plugins.s3 import bucket_objects, s3_client


@pytest.mark.parametrize(
    "name",
    [
        "_astro/about.B-4q4rIY.css",
        "assets/hero-image.DwIC_L_T.webp",
        "_astro/feature-banner.B9V9kqh7_Z1JFH2D.webp",
        "assets/index-BJt2fvoM.js".replace("-", "."),
        "css/theme.7a470a636a0363afef5c07e123c6a98670f48b515598050a3174e99f843453b3.css",
        "campaigns/spring/cover_hu3d03a01dcc18bc5be0e67db3d8d209a6_12345_300x0_resize_q75_box.jpg",
        "img/pYQaTnHqTl-300.jpeg",
        "assets/app.0123456789ab.css",
        "_next/static/chunks/pages/index.js",
    ],
)
def test_content_hashed_names_are_immutable(name: str) -> None:
    assert is_hashed(name)
    assert "immutable" in headers_for(name, []).cache_control


@pytest.mark.parametrize(
    "name",
    [
        "assets/img/bg-masthead.jpg",
        "js/jquery.min-full.js",
        "js/app.fallback.js",
        "img/hero-1200.jpg",
        "img/photo.deadbeef.jpg",
        "css/styles.Fallback.css",
        "favicon.ico",
    ],
)
def test_names_without_a_content_hash_are_revalidated(name: str) -> None:
    assert not is_hashed(name)
    cache = headers_for(name, []).cache_control
    assert "immutable" not in cache and "max-age=300" in cache


def test_headers_file_blocks_combine_like_netlify() -> None:
    rules = parse_headers_file(
        "# site headers\n/*\n  X-Frame-Options: DENY\n/assets/*\n  Cache-Control: public, max-age=600\n"
        "  X-Robots-Tag: noindex\nhttps://other.example/*\n  X-Other: 1\n/blog/:slug/\n  Link: </a>; rel=preload\n"
    )
    css = headers_for("assets/site.css", [], site_rules=rules)
    assert css.cache_control == "public, max-age=600"
    assert css.extra == {"X-Frame-Options": "DENY", "X-Robots-Tag": "noindex"}
    post = headers_for("blog/hello/index.html", [], site_rules=rules)
    assert post.extra == {"X-Frame-Options": "DENY", "Link": "</a>; rel=preload"}
    assert "X-Other" not in headers_for("index.html", [], site_rules=rules).extra


def test_default_excludes() -> None:
    for path in (
        ".git/HEAD",
        ".github/workflows/site-pr.yml",
        "lpublish.toml",
        ".lpublish-cache/x",
        "node_modules/a/b.js",
        "_headers",
    ):
        assert is_excluded(path, DEFAULT_EXCLUDE), path
    for path in ("index.html", "assets/git.png", "blog/_headers.html", "docs/_headers"):
        assert not is_excluded(path, DEFAULT_EXCLUDE), path
    assert not is_excluded(".well-known/security.txt", [*DEFAULT_EXCLUDE, "/.*", "!/.well-known/"])


def test_static_site_deploy_reads_headers_file_and_honours_excludes(
    make_fixture_site: Callable[..., Path],
    moto_server: str,
    s3_bucket: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = make_fixture_site("html")
    (root / "_headers").write_text("/assets/css/*\n  Cache-Control: public, max-age=60\n  X-Test: yes\n")
    (root / "private").mkdir()
    (root / "private/notes.html").write_text("<p>internal</p>")
    (root / "assets/css/styles.css.map").write_text("{}")
    (root / ".well-known").mkdir()
    (root / ".well-known/security.txt").write_text("Contact: mailto:security@ridgeline.example\n")
    config = root / "lpublish.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("exclude = []", 'exclude = ["private/"]'))
    code, _, err = run_cli(
        ["deploy", "--site", str(root), "--bucket", s3_bucket, "--exclude", "*.map", "-q"], capsys
    )
    assert code == 0, err
    objects = bucket_objects(moto_server, s3_bucket)
    assert "index.html" in objects and ".well-known/security.txt" in objects
    for hidden in (
        "_headers",
        "private/notes.html",
        "assets/css/styles.css.map",
        "lpublish.toml",
        ".git/HEAD",
    ):
        assert hidden not in objects
    head = s3_client(moto_server).head_object(Bucket=s3_bucket, Key="assets/css/styles.css")
    assert head["CacheControl"] == "public, max-age=60"
    assert (
        head["Metadata"].get("x-test") == "yes"
        or head["ResponseMetadata"]["HTTPHeaders"].get("x-test") == "yes"
    )


def test_static_site_never_publishes_a_link_to_a_file_outside_it(
    make_fixture_site: Callable[..., Path],
    tmp_path: Path,
    moto_server: str,
    s3_bucket: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = make_fixture_site("html")
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (root / "secret.txt").symlink_to(secret)
    out = tmp_path / "copy"
    # Refused, not skipped: a page linking to it would otherwise point at nothing (issue 13, item 2).
    code, _, err = run_cli(["build", "--site", str(root), "--out", str(out)], capsys)
    assert code == 1 and "secret.txt" in err, err
    assert not (out / "secret.txt").exists()
    code, _, err = run_cli(["deploy", "--site", str(root), "--bucket", s3_bucket, "-q"], capsys)
    assert code == 1 and "secret.txt" in err, err
    assert bucket_objects(moto_server, s3_bucket) == {}
    (root / "secret.txt").unlink()
    code, _, err = run_cli(["build", "--site", str(root), "--out", str(out)], capsys)
    assert code == 0, err
    assert (out / "index.html").is_file()
    assert not (out / "lpublish.toml").exists() and not (out / ".git").exists()
    code, _, err = run_cli(["deploy", "--site", str(root), "--bucket", s3_bucket, "-q"], capsys)
    assert code == 0, err
    assert "index.html" in bucket_objects(moto_server, s3_bucket)


def _one_pattern_at_a_time(path: str, patterns: list[str]) -> bool:
    """The exclude rule as documented, pattern by pattern (last match decides, ``!`` takes back)."""
    parts = path.strip("/").split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    result = False
    for raw in patterns:
        pattern = raw.strip()
        if not pattern:
            continue
        negated = pattern.startswith("!")
        body = pattern[1:] if negated else pattern
        anchored = body.startswith("/")
        body = body.strip("/") if body.endswith("/") else body.lstrip("/")
        candidates = parts if "/" not in body and not anchored else prefixes
        if negated == result and any(fnmatch.fnmatchcase(c, body) for c in candidates):
            result = not negated
    return result


_PATTERN_PIECES = [
    "*.map",
    "drafts/",
    "/private",
    "!/private/keep.txt",
    ".*",
    "!.well-known/",
    "a/*/c",
    "node_modules/",
    "!*.html",
    "*.htm?",
    "/b",
    "x[0-9]",
]
_PATH_PIECES = [
    "a",
    "b",
    "c",
    "x1",
    "drafts",
    "private",
    "keep.txt",
    ".well-known",
    ".env",
    "i.html",
    "s.map",
    "p.htmx",
    "node_modules",
]


@given(
    patterns=st.lists(st.sampled_from(_PATTERN_PIECES), max_size=8),
    path=st.lists(st.sampled_from(_PATH_PIECES), min_size=1, max_size=4).map("/".join),
    folder=st.booleans(),
)
def test_merged_exclude_rules_answer_like_one_pattern_at_a_time(
    patterns: list[str], path: str, folder: bool
) -> None:
    # The deploy walk asks with merged regexes (one per run of patterns); the answer must not change.
    asked = path + "/" if folder else path
    assert exclusion_rule(patterns)(asked) == _one_pattern_at_a_time(asked, patterns)


def _kept_by_a_walk(path: str, rule: Callable[[str], bool]) -> bool:
    """Whether a walk that asks about each folder before entering it reaches and keeps ``path``."""
    parts = path.split("/")
    folders = ["/".join(parts[:i]) + "/" for i in range(1, len(parts))]
    return not any(rule(folder) for folder in folders) and not rule(path)


@given(
    patterns=st.lists(st.sampled_from(_PATTERN_PIECES), max_size=8),
    path=st.lists(st.sampled_from(_PATH_PIECES), min_size=1, max_size=4).map("/".join),
)
def test_the_walk_rule_keeps_what_the_full_rule_keeps(patterns: list[str], path: str) -> None:
    # The deploy walk asks one name and one path per entry; what it publishes must not change.
    assert _kept_by_a_walk(path, walk_exclusion_rule(patterns)) == _kept_by_a_walk(
        path, exclusion_rule(patterns)
    )
