"""``PreviewServer``: serves a preview build over real HTTP on 127.0.0.1 and rebuilds after a change."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest

from lpublish.config import load_config
from lpublish.site.build_result import BuildResult
from lpublish.site.preview import PreviewServer

BEFORE_START = datetime.fromisoformat("2026-09-15T12:00:00+09:00")


def fetch(url: str) -> tuple[int, str, dict[str, str]]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode("utf-8"), dict(response.headers)


def test_serves_preview_and_rebuilds_after_change(site_dir: Path) -> None:
    server = PreviewServer(load_config(site=site_dir), now=BEFORE_START)
    url = server.start()
    try:
        assert url.startswith("http://127.0.0.1:")
        status, top, headers = fetch(url)
        assert status == 200 and "星空ティー" in top
        assert headers["Cache-Control"] == "no-store"
        # a scheduled campaign is visible in the preview, with its banner
        _, campaign, _ = fetch(url + "campaigns/autumn-tea-2026/")
        assert "公開予定" in campaign
        # images referenced by the page are served too
        assert server.out_dir is not None
        avif = next((server.out_dir / "assets").glob("*.avif")).name
        with urllib.request.urlopen(url + "assets/" + avif, timeout=10) as response:
            assert response.headers["Content-Type"] == "image/avif"

        generation = server.generation
        index = site_dir / "campaigns/autumn-tea-2026/index.md"
        index.write_text(
            index.read_text(encoding="utf-8").replace("秋の夜長", "秋の夜更け"), encoding="utf-8"
        )
        assert server.wait_for_generation(generation + 1, timeout=30)
        _, changed, _ = fetch(url + "campaigns/autumn-tea-2026/")
        assert "秋の夜更け" in changed
        assert server.last_error is None and server.last_result is not None
    finally:
        out = server.out_dir
        server.stop()
    assert out is not None and not out.exists()  # the temporary preview folder is removed
    with pytest.raises(urllib.error.URLError):
        fetch(url)


def test_rebuild_reports_findings_without_stopping(site_dir: Path) -> None:
    seen: list[int] = []
    server = PreviewServer(
        load_config(site=site_dir),
        now=BEFORE_START,
        watch=False,
        on_rebuild=lambda result, exc: seen.append(len(result.findings) if result else -1),
    )
    server.start()
    try:
        (site_dir / "pages/broken.md").write_text("---\ntitle: x\n---\n[a](/missing/)\n", encoding="utf-8")
        result = server.rebuild()
        assert any(f.code == "build.broken-link" for f in result.findings)
        _, html, _ = fetch(server.url + "broken/")
        assert "missing" in html
    finally:
        server.stop()
    assert seen[0] == 0 and seen[-1] >= 1


def test_does_not_touch_the_site_output_folder(site_dir: Path) -> None:
    with PreviewServer(load_config(site=site_dir), now=BEFORE_START, watch=False):
        pass
    assert not (site_dir / "dist").exists()


def test_preview_of_a_copy_can_share_the_site_cache(site_dir: Path, tmp_path: Path) -> None:
    import shutil

    from lpublish.site.build import build_site

    config = load_config(site=site_dir)
    first = build_site(config, now=BEFORE_START, preview=True)
    assert first.generated > 0
    copy = Path(
        shutil.copytree(site_dir, tmp_path / "staging", ignore=shutil.ignore_patterns(".lpublish-cache"))
    )
    server = PreviewServer(
        load_config(site=copy), now=BEFORE_START, watch=False, cache_dir=site_dir / ".lpublish-cache"
    )
    server.start()
    try:
        # the built-in build (not a site adapter's) counts generated and reused images
        assert isinstance(server.last_result, BuildResult)
        assert server.last_result.generated == 0 and server.last_result.reused == first.generated
    finally:
        server.stop()
    assert not (copy / ".lpublish-cache").exists()
