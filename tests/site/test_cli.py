"""``lpublish build`` and ``lpublish preview`` through the real CLI entry point."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.plugins.cli import run_cli
from tests.plugins.results import result_of


def test_build_text_summary(site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["build", "--site", str(site_dir), "--now", "2026-11-23T10:00"], capsys)
    assert code == 0
    assert "Built 3 page(s)" in out
    assert "/campaigns/autumn-tea-2026/" in out
    assert (site_dir / "dist" / "index.html").is_file()


def test_build_json_and_exit_code_on_errors(site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site_dir / "pages/about.md").write_text("---\ntitle: About\n---\n[x](/gone/)\n", encoding="utf-8")
    out_dir = site_dir.parent / "public"
    code, out, _ = run_cli(
        ["build", "--site", str(site_dir), "--out", str(out_dir), "--now", "2027-03-01", "--format", "json"],
        capsys,
    )
    assert code == 1
    data = result_of(out)
    assert data["summary"]["errors"] == 1
    assert data["findings"][0]["code"] == "build.broken-link"
    assert data["build"]["out_dir"] == str(out_dir.resolve())
    assert {p["url"] for p in data["build"]["pages"]} >= {"/", "/about/"}


def test_build_github_annotations(site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site_dir / "pages/about.md").write_text("---\ntitle: About\n---\n[x](/gone/)\n", encoding="utf-8")
    code, out, _ = run_cli(["build", "--site", str(site_dir), "--format", "github"], capsys)
    assert code == 1
    assert "::error file=about/index.html,title=build.broken-link::" in out


def test_build_bad_now_is_usage_error(site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["build", "--site", str(site_dir), "--now", "someday"], capsys)
    assert code == 2
    assert "--now someday" in err and "Traceback" not in err


def test_build_in_japanese(site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["--lang", "ja", "build", "--site", str(site_dir)], capsys)
    assert code == 0
    assert "ページを" in out


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_preview_command_serves_until_interrupted(site_dir: Path) -> None:
    env = {**os.environ, "LPUBLISH_LANG": "en", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "lpublish", "preview", "--site", str(site_dir), "--now", "2026-09-01"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        while line and "Preview running at" not in line:  # findings of the first build come first
            line = proc.stdout.readline()
        assert "Preview running at http://127.0.0.1:" in line
        url = line.split(" at ")[1].split(" ")[0]
        with urllib.request.urlopen(url + "campaigns/autumn-tea-2026/", timeout=10) as response:
            assert "Scheduled" in response.read().decode("utf-8")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            out, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert proc.returncode in (0, 130), err
    assert "Preview stopped." in out
