"""Before/after screenshots of the pages a change touches, with headless Chromium, and the comment's
section that shows them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from lpublish.ci.comment import RenderContext, render_status
from lpublish.ci.inputs import StatusInputs
from lpublish.ci.screenshots import changed_pages, find_browser, take_screenshots
from tests.plugins.pixels import rgb

pytestmark = pytest.mark.skipif(find_browser() is None, reason="chromium is not installed")

PAGE = """<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width">
<style>body{{margin:0;background:{colour}}} .box{{width:100%;height:200px;background:{box}}}
@media (max-width: 600px) {{ .box {{ background: rgb(0, 0, 255); }} }}</style></head>
<body><div class="box"></div><p>{text}</p></body></html>"""


def site(root: Path, colour: str, text: str, *, extra: bool = False) -> Path:
    root.mkdir()
    (root / "index.html").write_text(
        PAGE.format(colour=colour, box="rgb(255, 0, 0)", text=text), encoding="utf-8"
    )
    (root / "about").mkdir()
    (root / "about" / "index.html").write_text(PAGE.format(colour="white", box="red", text="same"), "utf-8")
    if extra:
        (root / "new.html").write_text(PAGE.format(colour="white", box="green", text="new"), "utf-8")
    return root


def test_changed_pages_are_photographed_before_and_after(tmp_path: Path) -> None:
    before = site(tmp_path / "prod", "white", "old")
    after = site(tmp_path / "preview", "rgb(0, 128, 0)", "new", extra=True)
    assert changed_pages(before, after) == ["index.html", "new.html"]
    out = tmp_path / "shots"
    result = take_screenshots(before, after, out)
    assert {(s.page, s.width) for s in result.shots} == {
        ("index.html", 1280),
        ("index.html", 390),
        ("new.html", 1280),
        ("new.html", 390),
    }
    index_desktop = next(s for s in result.shots if s.page == "index.html" and s.width == 1280)
    with Image.open(out / index_desktop.before) as old, Image.open(out / index_desktop.after) as new:
        assert old.width == 1280 and new.width == 1280
        assert rgb(old, (10, 400)) == (255, 255, 255)  # the production page's background
        assert rgb(new, (10, 400)) == (0, 128, 0)  # the preview's
    phone = next(s for s in result.shots if s.page == "index.html" and s.width == 390)
    with Image.open(out / phone.after) as shot:
        assert shot.width == 390
        assert rgb(shot, (100, 100)) == (0, 0, 255)  # the page saw a phone-wide viewport
    assert next(s for s in result.shots if s.page == "new.html").before == ""  # a new page has no before
    manifest = json.loads((out / "screenshots.json").read_text(encoding="utf-8"))
    assert len(manifest["shots"]) == 4


def test_comment_shows_before_and_after(tmp_path: Path) -> None:
    shots = (
        {
            "page": "index.html",
            "width": 1280,
            "before": "index-1280-before.png",
            "after": "index-1280-after.png",
        },
        {"page": "new.html", "width": 390, "before": "", "after": "new-390-after.png"},
    )
    ctx = RenderContext(
        screenshots=shots, screenshots_url="https://preview.example/pr-7/__lpublish-screenshots/"
    )
    body = render_status(StatusInputs(pr=7, sha="a" * 40), ctx)
    assert "### Before and after" in body
    assert '<img src="https://preview.example/pr-7/__lpublish-screenshots/index-1280-before.png"' in body
    assert "https://preview.example/pr-7/__lpublish-screenshots/new-390-after.png" in body
    assert "new page" in body
    assert "Before and after" not in render_status(StatusInputs(pr=7), RenderContext())


def test_cli_writes_the_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from lpublish.cli.main import main

    before = site(tmp_path / "prod", "white", "old")
    after = site(tmp_path / "preview", "white", "new")
    with pytest.raises(SystemExit) as exc:
        main(["screenshots", "--before", str(before), "--after", str(after), "--out", str(tmp_path / "o")])
    assert exc.value.code == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["page"] for s in data["shots"]] == ["index.html", "index.html"]
    assert (tmp_path / "o" / data["shots"][0]["after"]).is_file()


def test_comment_command_reads_the_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from lpublish.cli.main import main

    site_dir = Path(__file__).resolve().parents[2] / "site"
    manifest = tmp_path / "screenshots.json"
    manifest.write_text(
        json.dumps(
            {
                "version": 1,
                "shots": [{"page": "index.html", "width": 1280, "before": "b.png", "after": "a.png"}],
            }
        ),
        encoding="utf-8",
    )
    args = ["comment", "--site", str(site_dir), "--pr", "3", "--no-comment", "--print"]
    args += [
        "--screenshots",
        str(manifest),
        "--screenshots-url",
        "https://preview.example/pr-3/__lpublish-screenshots",
    ]
    with pytest.raises(SystemExit) as exc:
        main([*args, "--summary", str(tmp_path / "summary.md")])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "https://preview.example/pr-3/__lpublish-screenshots/a.png" in out
