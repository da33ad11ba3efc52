"""Item 1: every file a page references passes the image rules and lies in its folder or a slot folder.

Today's behaviour (before these rules): an SVG with a script, an .html file or a JPEG+HTML polyglot in
a campaign folder, referenced from the body, passed `check` and `build` and was published under
``assets/``; ``![x](/lpublish.toml)`` published any file of the site.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lpublish.config import load_config
from lpublish.site.page_files import check_page_content
from tests.plugins.cli import run_cli
from tests.plugins.results import result_of
from tests.security.conftest import CAMPAIGN, EVIL_HTML, EVIL_SVG, NOW, jpeg_bytes, polyglot_jpeg, write_body

#: (file written into the campaign folder, its bytes, the finding code `check` and `build` report)
CORPUS = [
    ("evil.svg", EVIL_SVG, "svg.script"),
    ("page.html", EVIL_HTML, "image.not-an-image"),
    ("photo.jpg", polyglot_jpeg(), "page.file-polyglot"),
    ("appended.jpg", jpeg_bytes() + EVIL_HTML, "image.trailing-data"),
    ("really-html.png", EVIL_HTML, "image.not-an-image"),
    ("jpeg-named.png", jpeg_bytes(), "page.file-wrong-type"),
]


def _published(site: Path) -> list[bytes]:
    return [p.read_bytes() for p in (site / "dist" / "assets").iterdir()]


@pytest.mark.parametrize(("name", "data", "code"), CORPUS, ids=[c[0] for c in CORPUS])
def test_hostile_body_file_is_refused_by_check_and_build(
    site: Path, name: str, data: bytes, code: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (site / CAMPAIGN / name).write_bytes(data)
    write_body(site, f"Look: ![picture]({name})")

    exit_code, out, _ = run_cli(["check", "--site", str(site), "--format", "json"], capsys)
    report = result_of(out)
    hits = [f for f in report["findings"] if f["code"] == code and f["file"] == f"{CAMPAIGN}/{name}"]
    assert exit_code == 1 and hits and hits[0]["severity"] == "error"

    exit_code, out, _ = run_cli(["build", "--site", str(site), "--now", NOW, "--format", "json"], capsys)
    assert exit_code == 1
    assert data not in _published(site)
    page = (site / "dist" / CAMPAIGN / "index.html").read_text(encoding="utf-8")
    assert "<script" not in page and "assets/" + name.rsplit(".", 1)[0] not in page


@pytest.mark.parametrize("reference", ["/lpublish.toml", "../../lpublish.toml", "/templates/base.html"])
def test_a_body_cannot_publish_other_files_of_the_site(
    site: Path, reference: str, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = (site / reference.lstrip("/").replace("../", "")).read_bytes()
    write_body(site, f"![x]({reference})")
    exit_code, out, _ = run_cli(["check", "--site", str(site), "--format", "json"], capsys)
    outside = [f for f in result_of(out)["findings"] if f["code"] == "page.file-outside"]
    assert exit_code == 1 and outside[0]["file"] == f"{CAMPAIGN}/index.md" and outside[0]["field"] == "body"
    exit_code, _, _ = run_cli(["build", "--site", str(site), "--now", NOW], capsys)
    assert exit_code == 1
    assert secret not in _published(site)


def test_page_front_matter_files_follow_the_same_rules(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (site / "images/products/evil.svg").write_bytes(EVIL_SVG)
    index = site / "pages/index.md"
    text = index.read_text(encoding="utf-8")
    text = text.replace("image: images/products/sencha-milky-way.jpg", "image: images/products/evil.svg")
    text = text.replace("og_image: images/og/default.jpg", "og_image: lpublish.toml")
    index.write_text(text, encoding="utf-8")
    content = check_page_content(load_config(site=site))
    codes = {(f.code, f.file, f.field) for f in content.findings}
    assert ("svg.script", "images/products/evil.svg", "") in codes
    assert ("page.file-outside", "pages/index.md", "og_image") in codes
    exit_code, _, _ = run_cli(["build", "--site", str(site), "--now", NOW], capsys)
    assert exit_code == 1
    published = _published(site)
    assert EVIL_SVG not in published and (site / "lpublish.toml").read_bytes() not in published


def test_clean_body_image_is_published_and_listed(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site / CAMPAIGN / "cup.jpg").write_bytes(jpeg_bytes())
    write_body(site, "![a cup](cup.jpg)")
    content = check_page_content(load_config(site=site))
    assert not [f for f in content.findings if f.is_error]
    listed = {(f.page, f.field, f.path) for f in content.files}
    assert (f"{CAMPAIGN}/index.md", "body", f"{CAMPAIGN}/cup.jpg") in listed
    assert (f"{CAMPAIGN}/index.md", "hero", f"{CAMPAIGN}/hero.jpg") in listed
    exit_code, _, _ = run_cli(["build", "--site", str(site), "--now", NOW], capsys)
    assert exit_code == 0
    assert jpeg_bytes() in _published(site)
