"""The basics there is one of: content types, file hashes, byte sizes and slugs (issue 15, item 5)."""

from __future__ import annotations

import ast
import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lpublish.deploy.headers import headers_for
from lpublish.hashing import md5_file, sha256_bytes, sha256_file
from lpublish.media_types import CONTENT_TYPES, content_type_for
from lpublish.publish.request_body import human_bytes
from lpublish.publish.service import branch_name
from lpublish.site.campaigns import suggest_slug
from lpublish.text import slugify
from lpublish.units import format_bytes

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


# --- content types ---------------------------------------------------------------------------------


def test_one_content_type_table() -> None:
    # the cases deploy's own tests do not cover (tests/deploy/test_headers.py has the rest)
    assert content_type_for("FAVICON.ICO") == "image/vnd.microsoft.icon"
    assert content_type_for("old/page.htm") == "text/html; charset=utf-8"
    assert content_type_for("README") == "application/octet-stream"


def test_deploy_headers_use_the_same_table() -> None:
    for path in ("favicon.ico", "a/b/index.html", "assets/app.3f9a1c2b77.js", "x.unknown"):
        assert headers_for(path, []).content_type == content_type_for(path)


@given(
    st.lists(st.text(alphabet="ab.-_HTMLjsvgéア ", min_size=0, max_size=6), min_size=1, max_size=3).map(
        "/".join
    )
)
def test_the_suffix_is_the_one_a_path_object_sees(path: str) -> None:
    # content_type_for reads the suffix without a path object (it runs for every file of a deploy).
    suffix = PurePosixPath(path).suffix.lower() if path.rpartition("/")[2] else ""
    expected = CONTENT_TYPES.get(suffix, "application/octet-stream")
    assert content_type_for(path).split(";")[0] == expected


_LPUBLISH = Path(__file__).resolve().parent.parent / "lpublish"
_EXTENSION = re.compile(r"^\.?[a-z0-9]{1,12}$")
_MEDIA_TYPE = re.compile(r"^(text|image|audio|video|font|application)/[a-z0-9.+-]+")


def _own_content_type_guesses(tree: ast.AST) -> list[str]:
    """Where a module guesses a file's type itself: ``mimetypes`` used, or an extension -> type dict."""
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found += [f"line {node.lineno}: imports mimetypes" for n in names if n == "mimetypes"]
        elif isinstance(node, ast.Attribute) and node.attr in ("guess_type", "guess_extension"):
            found.append(f"line {node.lineno}: calls {node.attr}")
        elif isinstance(node, ast.Dict) and len(node.keys) >= 2:
            pairs = [
                (k.value, v.value)
                for k, v in zip(node.keys, node.values, strict=True)
                if isinstance(k, ast.Constant) and isinstance(v, ast.Constant)
            ]
            if len(pairs) == len(node.keys) and all(
                isinstance(k, str) and isinstance(v, str) and _EXTENSION.match(k) and _MEDIA_TYPE.match(v)
                for k, v in pairs
            ):
                found.append(f"line {node.lineno}: its own extension -> content type table")
    return found


def test_no_module_guesses_content_types_on_its_own() -> None:
    offenders = {
        str(path.relative_to(_LPUBLISH)): where
        for path in sorted(_LPUBLISH.rglob("*.py"))
        if path.name != "media_types.py"
        and (where := _own_content_type_guesses(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert offenders == {}


@pytest.mark.parametrize(
    "source",
    [
        "import mimetypes\nmimetypes.guess_type('a.png')",
        "from mimetypes import guess_type",
        "TYPES = {'jpg': 'image/jpeg', 'svg': 'image/svg+xml'}",
        "TYPES = {'.ico': 'image/x-icon', '.html': 'text/html; charset=utf-8'}",
    ],
)
def test_the_guess_finder_sees_each_kind(source: str) -> None:
    assert _own_content_type_guesses(ast.parse(source)) != []


def test_the_guess_finder_leaves_other_dicts_alone() -> None:
    assert _own_content_type_guesses(ast.parse("H = {'Accept': 'application/json', 'x': 'y'}")) == []


# --- file hashes -----------------------------------------------------------------------------------


def test_file_hashes_match_hashlib_over_several_blocks(tmp_path: Path) -> None:
    data = bytes(range(256)) * 12_000  # ~3 MB: more than one read block
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest() == sha256_bytes(data)
    assert md5_file(path) == hashlib.md5(data, usedforsecurity=False).hexdigest()


def test_hashing_a_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        sha256_file(tmp_path / "gone.jpg")


# --- byte sizes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (999, "999 B"),
        (1_000, "1 KB"),
        (176_400, "176 KB"),
        (820_000, "820 KB"),
        (999_499, "999 KB"),
        (999_999, "1.0 MB"),  # not "1000 KB"
        (1_500_000, "1.5 MB"),
        (8_198_000, "8.2 MB"),
        (999_960_000, "1.0 GB"),
        (1_340_000_000, "1.3 GB"),
    ],
)
def test_sizes_in_decimal_units(size: int, text: str) -> None:
    assert format_bytes(size) == text


def test_the_pull_request_body_says_sizes_the_same_way() -> None:
    assert human_bytes(8_198_000) == format_bytes(8_198_000)
    assert human_bytes(None) == "—"


@given(st.integers(min_value=0, max_value=10**15))
def test_a_size_never_shows_four_digits_before_the_unit(size: int) -> None:
    number, unit = format_bytes(size).split(" ")
    assert unit in {"B", "KB", "MB", "GB", "TB"}
    assert float(number) < 1000 or unit == "TB"


# --- slugs -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Autumn Tea Fair 2026!", "autumn-tea-fair-2026"),
        ("Café  Crème", "cafe-creme"),
        ("ＳＡＬＥ　２０２６", "sale-2026"),  # full-width letters, digits and space
        ("星空 Tea 2026", "tea-2026"),
        ("hero.image", "hero-image"),
        ("--a__b--", "a-b"),
    ],
)
def test_slug_rule(text: str, slug: str) -> None:
    assert slugify(text, fallback="x") == slug


def test_a_japanese_only_title_gets_a_stable_distinct_fallback() -> None:
    first = slugify("秋の夜長のティーフェア", fallback="campaign")
    assert re.fullmatch(r"campaign-[0-9a-f]{6}", first)
    assert first == slugify("秋の夜長のティーフェア", fallback="campaign")
    assert first != slugify("冬の贈り物", fallback="campaign")


def test_a_cut_slug_never_ends_in_a_dash() -> None:
    assert slugify("a" * 39 + " b", fallback="x", max_length=40) == "a" * 39


@given(st.text(max_size=120), st.integers(min_value=1, max_value=80))
def test_every_slug_is_safe_for_urls_branches_and_files(text: str, limit: int) -> None:
    slug = slugify(text, fallback="item", max_length=limit)
    assert SLUG.match(slug), slug
    assert len(slug) <= max(limit, len("item-") + 6)


def test_the_rule_at_its_uses() -> None:
    # campaign folders (what the campaign form suggests)
    assert suggest_slug("Autumn Tea Fair 2026!") == "autumn-tea-fair-2026"
    assert suggest_slug("秋の夜長のティーフェア").startswith("campaign-")
    # branch names: two Japanese titles on one day no longer share "…-request", "…-request-2"
    day = datetime(2026, 12, 1, tzinfo=UTC)
    one = branch_name("hana", "新しいヒーロー画像", set(), day)
    two = branch_name("hana", "冬の商品写真", set(), day)
    assert one.startswith("lpublish/hana/20261201-request-") and one != two
    assert branch_name("hana", "New summer hero", set(), day) == "lpublish/hana/20261201-new-summer-hero"
