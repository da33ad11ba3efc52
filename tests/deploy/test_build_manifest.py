"""Reusing the build's own manifest (``.lpublish-build.json``) instead of hashing every file again."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

import pytest

from lpublish.deploy.engine import deploy
from lpublish.deploy.folder_target import DirTarget
from lpublish.deploy.options import DeployOptions
from lpublish.site.build_manifest import MANIFEST_NAME
from tests.plugins.deploy_targets import RULES, basic_site, local_files


def write_build_manifest(site: Path) -> Path:
    """What a build leaves next to its output: path, size and sha256 of every file."""
    files = [
        {"path": rel, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        for rel, data in sorted(local_files(site).items())
    ]
    manifest = site / MANIFEST_NAME
    manifest.write_text(json.dumps({"version": 1, "files": files}))
    return manifest


def test_a_file_edited_after_the_build_is_hashed_again(tmp_path: Path) -> None:
    site = basic_site(tmp_path / "dist")
    live = tmp_path / "live"
    deploy(site, DirTarget(live), rules=RULES, options=DeployOptions())
    manifest = write_build_manifest(site)
    # Same size, other bytes, written after the build's manifest: its listed hash is stale.
    page = site / "about/index.html"
    edited = page.read_text().replace("about", "ABOUT")
    page.write_text(edited)
    later = manifest.stat().st_mtime_ns + 5_000_000_000
    os.utime(page, ns=(later, later))
    result = deploy(site, DirTarget(live), rules=RULES, options=DeployOptions())
    assert result.uploaded == 1
    assert (live / "about/index.html").read_text() == edited


def test_a_fresh_build_manifest_spares_the_hashing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    site = basic_site(tmp_path / "dist")
    write_build_manifest(site)
    (site / "extra.txt").write_text("not listed by the build")
    with caplog.at_level(logging.INFO, logger="lpublish.deploy.manifest"):
        result = deploy(site, DirTarget(tmp_path / "live"), rules=RULES, options=DeployOptions())
    listed = len(local_files(site)) - 1
    assert f"{listed + 1} files found; {listed} hashes reused" in caplog.text
    # The file the build did not list was hashed here and deployed like the others.
    assert result.uploaded == listed + 1
    assert (tmp_path / "live/extra.txt").read_text() == "not listed by the build"
