"""The alt.toml sidecar: round trip, deterministic output, safe quoting, clear errors."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lpublish.assets.alt import ALT_FILE, dump_alt_texts, read_alt_texts, write_alt_text
from lpublish.errors import ContentError


def test_missing_file_means_no_texts(tmp_path: Path) -> None:
    assert read_alt_texts(tmp_path) == {}


def test_write_is_sorted_and_stable(tmp_path: Path) -> None:
    write_alt_text(tmp_path, "b.jpg", "二つ目の写真")
    write_alt_text(tmp_path, "a.jpg", 'A "quoted" cup\\of tea')
    first = (tmp_path / ALT_FILE).read_bytes()
    write_alt_text(tmp_path, "a.jpg", 'A "quoted" cup\\of tea')
    assert (tmp_path / ALT_FILE).read_bytes() == first
    assert first.decode().splitlines() == [
        '"a.jpg" = "A \\"quoted\\" cup\\\\of tea"',
        '"b.jpg" = "二つ目の写真"',
    ]
    assert read_alt_texts(tmp_path) == {"a.jpg": 'A "quoted" cup\\of tea', "b.jpg": "二つ目の写真"}


def test_empty_alt_removes_entry(tmp_path: Path) -> None:
    write_alt_text(tmp_path, "a.jpg", "x")
    write_alt_text(tmp_path, "b.jpg", "y")
    write_alt_text(tmp_path, "a.jpg", "  ")
    assert read_alt_texts(tmp_path) == {"b.jpg": "y"}
    write_alt_text(tmp_path, "b.jpg", "")
    assert not (tmp_path / ALT_FILE).exists()


def test_reads_the_sample_site(sample_site: Path) -> None:
    # Only the campaign social images (a folder the lpublish generator reads) keep alt.toml.
    texts = read_alt_texts(sample_site / "images" / "og")
    assert "autumn-tea-2026.png" in texts


@pytest.mark.parametrize("content", ['"a.jpg" = ', '"a.jpg" = 3', "\xff\xfe"])
def test_invalid_file_is_a_content_error(tmp_path: Path, content: str) -> None:
    (tmp_path / ALT_FILE).write_bytes(content.encode("latin-1"))
    with pytest.raises(ContentError) as caught:
        read_alt_texts(tmp_path)
    assert "alt.toml" in caught.value.message


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=20), st.text(max_size=40), max_size=5))
def test_dump_round_trips(texts: dict[str, str]) -> None:
    assert tomllib.loads(dump_alt_texts(texts)) == texts
