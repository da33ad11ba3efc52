"""``lpublish practice --site DIR --headless --json`` as a program uses it: a real subprocess.

The JSON line says where everything is; ``lpublish submit`` run in ``workdir`` with ``env`` opens a
request on the practice forge; merging it through the REST API with the reviewer's token builds the
site with its own generator and publishes it to ``live_url``; SIGTERM ends it all (folders removed,
ports closed). The live site shows the base branch from the start (never an empty folder listing).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import pytest

from tests.plugins.campaign_sites import configure_campaign, img_of, prepared_campaign
from tests.plugins.images import make_jpeg
from tests.plugins.results import result_of
from tests.plugins.sample_site import copy_sample_site
from tests.plugins.sites import fixture_site, git

pytestmark = pytest.mark.timeout(600)


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return bytes(response.read())


def port_open(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=2):
            return True
    except OSError:
        return False


def start_practice(site: Path, tmp_path: Path) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lpublish",
            "practice",
            "--site",
            str(site),
            "--headless",
            "--json",
            "--base-dir",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.wait(timeout=30)
        raise AssertionError(
            f"practice ended early ({proc.returncode}): {proc.stderr.read() if proc.stderr else ''}"
        )
    return proc, result_of(line)


def stop_practice(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=120)


def lpublish(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lpublish", *args],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def merge(info: dict[str, Any], number: int) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{info['api_url']}/repos/{info['repo']}/pulls/{number}/merge",
        method="PUT",
        data=b"{}",
        headers={
            "Authorization": f"Bearer {info['reviewer_token']}",
            "Accept": "application/vnd.github+json",
            "Content-Type": "application/json",
        },
    )
    with urllib.request.urlopen(request, timeout=600) as response:
        return dict(json.loads(response.read()))


def test_practice_on_a_hugo_site_publishes_a_campaign_merged_through_the_api(tmp_path: Path) -> None:
    site = fixture_site("hugo", tmp_path / "src")
    configure_campaign(site, "hugo")
    git(site, "commit", "-q", "-am", "campaign settings")
    sandbox = tmp_path / "sandbox"
    sandbox.mkdir()

    proc, info = start_practice(site, sandbox)
    try:
        assert set(info) >= {
            "api_url",
            "web_url",
            "repo",
            "designer_token",
            "reviewer_token",
            "workdir",
            "live_url",
            "env",
        }
        root = Path(info["root"])
        workdir = Path(info["workdir"])
        assert (workdir / "lpublish.toml").is_file() and root in workdir.parents
        # Before any merge the live site is the site as it is (built by Hugo), not a folder listing.
        home = fetch(info["live_url"]).decode()
        assert "Ridgeline Coffee" in home and "Directory listing" not in home
        # The designer's own repository is not touched, and its tokens stay out of the clone's config.
        assert info["designer_token"] not in (workdir / ".git" / "config").read_text()

        start = (datetime.now(ZoneInfo("Asia/Tokyo")) - timedelta(days=1)).replace(microsecond=0)
        folder, hero = prepared_campaign(tmp_path, "night-roast", start, start + timedelta(days=90), site)
        done = lpublish(
            ["submit", "--title", "Night roast", "--campaign", str(folder), "--json"], workdir, info["env"]
        )
        assert done.returncode == 0, done.stderr
        number = result_of(done.stdout)["number"]
        status = lpublish(["status", "--json"], workdir, info["env"])
        assert status.returncode == 0, status.stderr
        assert [r["number"] for r in result_of(status.stdout)] == [number]

        assert merge(info, number)["merged"] is True

        page_url = urljoin(info["live_url"], "campaigns/night-roast/")
        page = fetch(page_url).decode()
        assert "<h1>Autumn roast week</h1>" in page
        src, alt = img_of(page)
        assert alt == "Steam rising from a cup on a wooden table"
        assert fetch(urljoin(page_url, src)) == hero.read_bytes()
        status = lpublish(["status", "--json"], workdir, info["env"])
        assert result_of(status.stdout)[0]["state"] == "live"
    finally:
        stop_practice(proc)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    assert not root.exists()
    assert not port_open(info["live_url"]) and not port_open(info["api_url"])
    assert list(sandbox.iterdir()) == []
    assert git(site, "status", "--porcelain") == ""  # the designer's own checkout is unchanged


def test_practice_site_without_lpublish_config_is_a_usage_error(tmp_path: Path) -> None:
    site = tmp_path / "plain"
    site.mkdir()
    (site / "index.html").write_text("<h1>Hi</h1>", encoding="utf-8")
    done = lpublish(["practice", "--site", str(site), "--headless", "--format", "json"], tmp_path, {})
    assert done.returncode == 2
    assert "not an lpublish site" in done.stderr
    # The program reading stdout gets the failure as an envelope, not a half-started world.
    envelope = json.loads(done.stdout)
    assert (envelope["command"], envelope["ok"], envelope["result"]) == ("practice", False, None)
    assert envelope["errors"][0]["key"] == "practice_site.no_config" and envelope["errors"][0]["message"]


def test_practice_headless_on_the_sample_site_shows_a_replaced_photo(
    tmp_path: Path, sample_site: Path
) -> None:
    """The lpublish generator's own site, from a git repository whose site lives in a subfolder."""
    repo = tmp_path / "repo"
    repo.mkdir()
    copy_sample_site(repo / "site")
    git(repo, "init", "-q", "-b", "trunk")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "site")
    sandbox = tmp_path / "sandbox"
    sandbox.mkdir()
    proc, info = start_practice(repo / "site", sandbox)
    try:
        assert info["env"]["LPUBLISH_FORGE_BASE"] == "trunk"
        before = fetch(info["live_url"]).decode()
        assert "<img" in before
        hero = make_jpeg(tmp_path / "new-hero.jpg", (2400, 1000))
        done = lpublish(
            ["submit", "--title", "New hero", "--image", f"hero={hero}:Blue sky over tea fields", "--json"],
            Path(info["workdir"]),
            info["env"],
        )
        assert done.returncode == 0, done.stderr
        merge(info, result_of(done.stdout)["number"])
        after = fetch(info["live_url"]).decode()
        assert 'alt="Blue sky over tea fields"' in after
    finally:
        stop_practice(proc)
    assert proc.returncode == 0
    assert list(sandbox.iterdir()) == []
