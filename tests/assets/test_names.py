"""Safe file names: always lowercase ASCII, never outside the slot folder, stable."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lpublish.assets.names import is_safe_filename, resolve_inside, safe_filename
from lpublish.errors import ContentError

SHA = "0123456789abcdef" * 4
# Names designers (and attackers) produce: any text, plus the pieces traversal tricks are made of.
tricky = st.lists(
    st.one_of(
        st.text(max_size=12),
        st.sampled_from(
            ["..", ".", "/", "\\", "%2e", "%2f", "%5c", "%252e", "C:", "\x00", "~", "夏", "ｶﾞ", " "]
        ),
    ),
    max_size=8,
).map("".join)
slots = st.text(alphabet=string.ascii_lowercase + string.digits + "-", min_size=1, max_size=20)
exts = st.sampled_from(["jpg", "png", "webp", "avif", "gif", "svg", "JPG", ".jpeg", "we/bp", ""])


@settings(max_examples=300, deadline=None)
@given(original=tricky, slot=slots, ext=exts)
def test_always_safe_ascii(original: str, slot: str, ext: str) -> None:
    name = safe_filename(original, slot, SHA, ext)
    assert name.isascii()
    assert name == name.lower()
    assert "/" not in name and "\\" not in name and ".." not in name
    assert not name.startswith(".")
    assert is_safe_filename(name), name


@settings(max_examples=200, deadline=None)
@given(original=tricky, slot=slots, ext=exts)
def test_stable(original: str, slot: str, ext: str) -> None:
    assert safe_filename(original, slot, SHA, ext) == safe_filename(original, slot, SHA, ext)
    # normalizing a normalized name changes nothing
    once = safe_filename(original, slot, SHA, ext)
    _stem, dot_ext = once.rsplit(".", 1)
    assert safe_filename(once, slot, SHA, dot_ext) == once


@settings(max_examples=200, deadline=None)
@given(original=tricky, slot=slots, ext=exts)
def test_never_escapes_the_folder(
    tmp_path_factory: pytest.TempPathFactory, original: str, slot: str, ext: str
) -> None:
    folder = tmp_path_factory.getbasetemp() / "slot"
    folder.mkdir(exist_ok=True)
    target = resolve_inside(folder, safe_filename(original, slot, SHA, ext))
    assert target.parent == folder.resolve()


@settings(max_examples=300, deadline=None)
@given(name=tricky)
def test_resolve_inside_refuses_or_stays_inside(tmp_path_factory: pytest.TempPathFactory, name: str) -> None:
    folder = tmp_path_factory.getbasetemp() / "slot2"
    folder.mkdir(exist_ok=True)
    try:
        target = resolve_inside(folder, name)
    except ContentError:
        return
    assert target.parent == folder.resolve()


@pytest.mark.parametrize(
    "name",
    [
        "../evil.jpg",
        "..",
        "/etc/passwd",
        "a/../../b.jpg",
        "..\\..\\evil.jpg",
        "%2e%2e%2fevil.jpg",
        "%252e%252e%252fevil.jpg",
        "..%5cevil.jpg",
        "C:evil.jpg",
        "evil\x00.jpg",
        ".hidden.jpg",
        "",
    ],
)
def test_traversal_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ContentError):
        resolve_inside(tmp_path, name)


def test_readable_results() -> None:
    assert safe_filename("My Summer Photo (1).JPG", "product", SHA, "jpg") == "my-summer-photo-1.jpg"
    assert safe_filename("夏のキャンペーン.jpg", "campaign-hero", SHA, "jpg") == "campaign-hero-01234567.jpg"
    assert safe_filename("商品A.png", "product", SHA, "png") == "a-01234567.png"
    assert safe_filename("Café crème.jpeg", "product", SHA, "jpeg") == "cafe-creme.jpg"
    assert safe_filename("../../etc/passwd", "product", SHA, "png") == "passwd.png"
    assert safe_filename("%2e%2e%2f%2e%2e%2fhero.png", "hero", SHA, "png") == "hero.png"
    assert safe_filename("photo.png", "product", SHA, "jpg") == "photo.jpg"  # real format wins
    assert safe_filename("con.png", "product", SHA, "png") == "con-01234567.png"


def test_different_japanese_names_do_not_collide() -> None:
    a = safe_filename("春.jpg", "product", "aa" * 32, "jpg")
    b = safe_filename("夏.jpg", "product", "bb" * 32, "jpg")
    assert a != b
