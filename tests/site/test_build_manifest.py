"""The build manifest: one name, one reader, and hashes that are only reused while they are true."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from lpublish.deploy.manifest import local_files, walk_build
from lpublish.site.build_manifest import (
    MANIFEST_NAME,
    BuiltFile,
    manifest_text,
    read_build_manifest,
    write_build_manifest,
)
from tests.site.conftest import Builder

LIVE = "2026-11-23T10:00:00+09:00"


def _later(path: Path, than: Path) -> None:
    """Give ``path`` a modification time after ``than``'s (a hand edit made after the build)."""
    stamp = than.stat().st_mtime_ns + 1_000_000_000
    os.utime(path, ns=(stamp, stamp))


def test_reader_lists_every_built_file_and_each_entry_is_fresh(build: Builder, site_dir: Path) -> None:
    build(LIVE)
    out = site_dir / "dist"
    entries = read_build_manifest(out)
    assert entries is not None
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {MANIFEST_NAME}
    assert set(entries) == on_disk
    for rel, entry in entries.items():
        data = (out / rel).read_bytes()
        assert (entry.sha256, entry.size) == (hashlib.sha256(data).hexdigest(), len(data))
        assert entry.matches((out / rel).stat())


def test_a_file_changed_after_the_build_is_no_longer_vouched_for(build: Builder, site_dir: Path) -> None:
    build(LIVE)
    out = site_dir / "dist"
    css = out / "css" / "site.css"
    original = css.read_bytes()
    css.write_bytes(original.replace(b"{", b"[", 1))  # same size, other bytes
    _later(css, out / MANIFEST_NAME)
    entries = read_build_manifest(out)
    assert entries is not None
    assert not entries["css/site.css"].matches(css.stat())
    assert entries["index.html"].matches((out / "index.html").stat())

    # deploy hashes the changed file itself instead of trusting the manifest
    scanned = local_files(out, walk_build(out))
    assert scanned["css/site.css"].sha256 == hashlib.sha256(css.read_bytes()).hexdigest()
    assert MANIFEST_NAME not in scanned

    # and the next build puts the built file back (same size used to be taken as unchanged)
    result = build(LIVE)
    assert "css/site.css" in result.written
    assert css.read_bytes() == original


def test_deploy_reuses_a_fresh_entry_instead_of_hashing(build: Builder, site_dir: Path) -> None:
    build(LIVE)
    out = site_dir / "dist"
    manifest = out / MANIFEST_NAME
    data = json.loads(manifest.read_text(encoding="utf-8"))
    for entry in data["files"]:
        if entry["path"] == "robots.txt":
            entry["sha256"] = "0" * 64  # only a reused entry can come back with this hash
    manifest.write_text(json.dumps(data), encoding="utf-8")
    scanned = local_files(out, walk_build(out))
    assert scanned["robots.txt"].sha256 == "0" * 64
    assert scanned["index.html"].sha256 == hashlib.sha256((out / "index.html").read_bytes()).hexdigest()


def test_missing_or_damaged_manifest_reads_as_none(tmp_path: Path) -> None:
    assert read_build_manifest(tmp_path) is None
    (tmp_path / MANIFEST_NAME).write_text('{"version": 1, "fi', encoding="utf-8")
    assert read_build_manifest(tmp_path) is None
    (tmp_path / MANIFEST_NAME).write_text('{"version": 1, "files": {}}', encoding="utf-8")
    assert read_build_manifest(tmp_path) is None


def test_an_entry_a_build_did_not_finish_never_matches(tmp_path: Path) -> None:
    page = tmp_path / "index.html"
    page.write_text("<p>x</p>", encoding="utf-8")
    write_build_manifest(tmp_path / MANIFEST_NAME, {"index.html": BuiltFile("", -1)})
    entries = read_build_manifest(tmp_path)
    assert entries is not None and not entries["index.html"].matches(page.stat())


def test_manifest_bytes_are_stable_and_unchanged_manifest_is_not_rewritten(tmp_path: Path) -> None:
    files = {"b.html": BuiltFile("b" * 64, 2), "a.css": BuiltFile("a" * 64, 1)}
    target = tmp_path / MANIFEST_NAME
    assert write_build_manifest(target, files)
    assert target.read_text(encoding="utf-8") == manifest_text(dict(reversed(list(files.items()))))
    assert [e["path"] for e in json.loads(target.read_text(encoding="utf-8"))["files"]] == ["a.css", "b.html"]
    assert not write_build_manifest(target, files)
    assert write_build_manifest(target, files, always=True)
