"""Before/after screenshots of the pages a change touches, with headless Chromium, and the comment's
section that shows them."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from lpublish.ci.comment import RenderContext, render_status
from lpublish.ci.inputs import DeployPlanSummary, StatusInputs
from lpublish.ci.screenshots import (
    ScreenshotResult,
    Shot,
    changed_pages,
    find_browser,
    serve_build,
    take_screenshots,
)
from lpublish.results.envelope import dumps, from_envelope, to_envelope
from lpublish.results.tool_codecs import SCREENSHOTS
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


def test_comment_shows_before_and_after(tmp_path: Path) -> None:
    shots = ScreenshotResult(
        shots=[
            Shot("index.html", 1280, "index-1280-before.png", "index-1280-after.png", at_change=True),
            Shot("new.html", 390, "", "new-390-after.png"),
        ]
    )
    ctx = RenderContext(screenshots=shots, screenshots_url="__lpublish-screenshots/")
    preview = StatusInputs(pr=7, sha="a" * 40, preview=DeployPlanSummary(url="https://preview.example/pr-7/"))
    body = render_status(preview, ctx)
    assert "### Before and after" in body
    assert '<img src="https://preview.example/pr-7/__lpublish-screenshots/index-1280-before.png"' in body
    assert "https://preview.example/pr-7/__lpublish-screenshots/new-390-after.png" in body
    assert "new page" in body
    # before the preview section's neighbours: a reviewer sees the pictures before the plan
    assert body.index("Before and after") < body.index("Production deploy plan")
    assert "Before and after" not in render_status(StatusInputs(pr=7), RenderContext())


def test_comment_without_a_preview_links_the_artifact(tmp_path: Path) -> None:
    shots = ScreenshotResult(shots=[Shot("index.html", 1280, "i-before.png", "i-after.png")])
    url = "https://github.example/acme/lp/actions/runs/1/artifacts/9"
    ctx = RenderContext(
        screenshots=shots, screenshots_url="__lpublish-screenshots/", screenshots_artifact_url=url
    )
    body = render_status(StatusInputs(pr=7, sha="a" * 40), ctx)
    assert "<img" not in body.split("### Before and after")[1].split("###")[0]
    assert "<code>i-after.png</code>" in body and "not published with a preview" in body
    assert f"[workflow artifact]({url})" in body


def test_comment_explains_missing_pictures_in_both_languages() -> None:
    from lpublish.i18n import current_language, set_language

    for problem, words in (("no-browser", "no Chromium or Chrome"), ("no-base", "base branch could not")):
        body = render_status(StatusInputs(pr=7), RenderContext(screenshots=ScreenshotResult(problem=problem)))
        assert words in body
    assert "No page looks different" in render_status(
        StatusInputs(pr=7), RenderContext(screenshots=ScreenshotResult())
    )
    previous = current_language()
    set_language("ja")
    try:
        body = render_status(
            StatusInputs(pr=7), RenderContext(screenshots=ScreenshotResult(problem="no-browser"))
        )
    finally:
        set_language(previous)
    assert "Chromium / Chrome がワークフローにありませんでした" in body


def test_cli_writes_the_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from lpublish.cli.main import main

    before = site(tmp_path / "prod", "white", "old")
    after = site(tmp_path / "preview", "white", "new")
    args = ["screenshots", "--before", str(before), "--after", str(after), "--out", str(tmp_path / "o")]
    with pytest.raises(SystemExit) as exc:
        main([*args, "--format", "json"])
    assert exc.value.code == 0
    printed = from_envelope(SCREENSHOTS, capsys.readouterr().out)
    assert printed.ok and printed.result is not None
    assert [s.page for s in printed.result.shots] == ["index.html", "index.html"]
    assert (tmp_path / "o" / printed.result.shots[0].after).is_file()
    # screenshots.json is the same envelope, read back through the same codec
    written = from_envelope(SCREENSHOTS, (tmp_path / "o" / "screenshots.json").read_text(encoding="utf-8"))
    assert written.result == printed.result
    with pytest.raises(SystemExit) as exc:
        main(args)  # text: one line for people
    assert exc.value.code == 0
    assert (
        capsys.readouterr().out
        == f"2 picture pair(s) taken; manifest: {tmp_path / 'o' / 'screenshots.json'}\n"
    )


def test_comment_command_reads_the_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from lpublish.cli.main import main

    site_dir = Path(__file__).resolve().parents[2] / "site"
    manifest = tmp_path / "screenshots.json"
    taken = ScreenshotResult(shots=[Shot("index.html", 1280, "b.png", "a.png")])
    manifest.write_text(dumps(to_envelope(SCREENSHOTS, "screenshots", taken)), encoding="utf-8")
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
    # the manifest of an lpublish before the envelope is not guessed at: no pictures, no crash
    manifest.write_text(json.dumps({"version": 1, "shots": [{"page": "index.html", "after": "a.png"}]}))
    with pytest.raises(SystemExit) as exc:
        main([*args, "--summary", str(tmp_path / "summary.md")])
    assert exc.value.code == 0
    assert "__lpublish-screenshots/a.png" not in capsys.readouterr().out


TALL = """<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width">
<link rel="stylesheet" href="/style.css"></head><body style="margin:0">
<div style="height:2400px;background:rgb(255,255,255)">A long page</div>
<picture><source srcset="/img/photo.png 1x"><img src="/img/photo.png" alt="" style="width:100%;height:600px"></picture>
</body></html>"""


def _tall_site(root: Path, colour: tuple[int, int, int], css: str = "body{color:black}") -> Path:
    (root / "img").mkdir(parents=True)
    (root / "index.html").write_text(TALL, encoding="utf-8")
    (root / "same.html").write_text(TALL.replace("/img/photo.png", "/img/other.png"), encoding="utf-8")
    (root / "style.css").write_text(css, encoding="utf-8")
    Image.new("RGB", (400, 300), colour).save(root / "img" / "photo.png")
    Image.new("RGB", (400, 300), (0, 0, 0)).save(root / "img" / "other.png")
    return root


def test_a_picture_replaced_under_the_same_name_is_found_and_shown_where_it_is(tmp_path: Path) -> None:
    """The HTML is byte-identical: only the picture it loads changed, far below the first screen."""
    before = _tall_site(tmp_path / "base", (255, 0, 0))
    after = _tall_site(tmp_path / "head", (0, 0, 255))
    assert (before / "index.html").read_bytes() == (after / "index.html").read_bytes()
    assert changed_pages(before, after) == ["index.html"]
    out = tmp_path / "shots"
    result = take_screenshots(before, after, out)
    assert result.problem == "" and {s.width for s in result.shots} == {1280, 390}
    for shot in result.shots:
        assert shot.at_change
        with Image.open(out / shot.before) as old, Image.open(out / shot.after) as new:
            middle = (old.width // 2, old.height // 2)
            assert rgb(old, middle) == (255, 0, 0)  # scrolled to the picture: the old one
            assert rgb(new, middle) == (0, 0, 255)  # and the new one at the same place


def test_a_changed_stylesheet_touches_the_pages_that_load_it(tmp_path: Path) -> None:
    before = _tall_site(tmp_path / "base", (255, 0, 0))
    after = _tall_site(tmp_path / "head", (255, 0, 0), css="body{color:navy}")
    assert changed_pages(before, after) == ["index.html", "same.html"]


def test_without_a_base_build_or_a_browser_the_manifest_says_why(tmp_path: Path) -> None:
    after = site(tmp_path / "preview", "white", "new")
    missing = take_screenshots(tmp_path / "nothing", after, tmp_path / "a")
    assert missing.problem == "no-base" and missing.shots == []
    before = site(tmp_path / "prod", "white", "old")
    broken = take_screenshots(before, after, tmp_path / "b", browser=str(tmp_path / "no-such-browser"))
    assert broken.problem == "failed" and broken.failed == ["index.html"]


def test_cli_best_effort_without_a_browser(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from lpublish.cli.main import main

    before = site(tmp_path / "prod", "white", "old")
    after = site(tmp_path / "preview", "white", "new")
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # a machine without Chromium or Chrome
    args = ["screenshots", "--before", str(before), "--after", str(after), "--out", str(tmp_path / "o")]
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    assert "No Chromium or Chrome found" in capsys.readouterr().err
    # the failed run's manifest says why and still lists the pages it would have photographed
    failed = from_envelope(SCREENSHOTS, (tmp_path / "o" / "screenshots.json").read_text(encoding="utf-8"))
    assert failed.exit_code == 2 and [e.key for e in failed.errors] == ["designer.screenshots.no_browser"]
    assert failed.result is not None and failed.result.skipped == ["index.html"]
    with pytest.raises(SystemExit) as exc:
        main([*args, "--best-effort"])
    assert exc.value.code == 0
    manifest = from_envelope(SCREENSHOTS, (tmp_path / "o" / "screenshots.json").read_text(encoding="utf-8"))
    assert manifest.ok and manifest.result is not None
    assert manifest.result.problem == "no-browser" and manifest.result.skipped == ["index.html"]


def test_pages_are_served_with_every_picture_eager(tmp_path: Path) -> None:
    # A lazy picture below the fold loads only once scrolled to, and one decoded off the main thread can
    # miss the shot (CI took before == after). The shot's server hands the browser the pages with eager
    # pictures decoded with the paint.
    (tmp_path / "news").mkdir()
    page = b'<img loading="lazy" src="a.jpg"><img src="b.jpg" LOADING=lazy><p>loading="lazy" text</p>'
    (tmp_path / "index.html").write_bytes(page)
    (tmp_path / "news" / "index.html").write_bytes(page)
    (tmp_path / "a.jpg").write_bytes(b'loading="lazy" is not HTML here')
    with serve_build(tmp_path) as base:
        for path in ("/", "/index.html", "/news/"):
            with urllib.request.urlopen(base + path, timeout=10) as response:
                served = response.read()
                assert response.headers["Content-Type"] == "text/html; charset=utf-8"
            # the pictures' attribute changes; the page's text does not
            assert served == (
                b'<img decoding="sync" loading="eager" src="a.jpg"><img decoding="sync" src="b.jpg" LOADING="eager">'
                b'<p>loading="lazy" text</p>'
            )
        with urllib.request.urlopen(base + "/a.jpg", timeout=10) as response:
            assert response.read() == b'loading="lazy" is not HTML here'
        with urllib.request.urlopen(base + "/news", timeout=10) as response:  # redirected to /news/
            assert response.geturl().endswith("/news/") and response.read().startswith(
                b'<img decoding="sync" loading="eager"'
            )
