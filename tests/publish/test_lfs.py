"""Repositories that keep images in Git LFS: the objects are uploaded (LFS batch API of the local forge)
with the pointer commit, or the submit is refused plainly when git-lfs is missing."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from lpublish.errors import LpublishError
from lpublish.publish import service
from lpublish.publish.changeset import ChangeSet, ImageChange
from tests.plugins.forge import ForgeSite, config_for, forge_for


def _track_images_with_lfs(site: ForgeSite) -> None:
    clone = site.repo.clone
    rel = f"{site.repo.subdir}/" if site.repo.subdir else ""
    (clone / ".gitattributes").write_text(f"{rel}images/** filter=lfs diff=lfs merge=lfs -text\n")
    for args in (["add", ".gitattributes"], ["commit", "-q", "-m", "Track images with LFS"]):
        subprocess.run(["git", "-C", str(clone), *args], check=True)
    subprocess.run(["git", "-C", str(clone), "push", "-q", str(site.repo.bare), "HEAD:main"], check=True)


def _submit(site: ForgeSite, hero: Path) -> service.SubmitResult:
    change = ChangeSet("Summer hero", "note", [ImageChange("hero", hero, "Tea field at dawn")])
    return service.submit(config_for(site), change, forge=forge_for(site), token=site.token)


@pytest.mark.skipif(shutil.which("git-lfs") is None, reason="git-lfs is installed by .ci/install-openapi.sh")
def test_lfs_objects_are_uploaded_with_the_pointer(forge_site: ForgeSite, hero_jpeg: Path) -> None:
    _track_images_with_lfs(forge_site)
    result = _submit(forge_site, hero_jpeg)
    head = forge_site.forge.pull(result.number)["head"]["sha"]
    bare = str(forge_site.repo.bare)
    changed = subprocess.run(
        ["git", "-C", bare, "diff-tree", "--no-commit-id", "--name-only", "-r", head],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    image = next(p for p in changed if "/images/hero/" in p)
    blob = subprocess.run(
        ["git", "-C", bare, "show", f"{head}:{image}"], capture_output=True, check=True
    ).stdout.decode()
    assert blob.startswith("version https://git-lfs.github.com/spec/v1")
    oid = blob.split("oid sha256:")[1].split()[0]
    assert oid in forge_site.forge.lfs_objects("acme/lp")
    stored = forge_site.repo.bare / "lfs-objects" / oid
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == oid


def test_without_git_lfs_the_submit_is_refused_plainly(
    forge_site: ForgeSite, hero_jpeg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _track_images_with_lfs(forge_site)
    # A machine without git-lfs: the same tools on PATH except git-lfs.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for folder in os.environ["PATH"].split(os.pathsep):
        if not os.path.isdir(folder):
            continue
        for name in os.listdir(folder):
            if name != "git-lfs" and not (bin_dir / name).exists():
                os.symlink(os.path.join(folder, name), bin_dir / name)
    monkeypatch.setenv("PATH", str(bin_dir))
    assert shutil.which("git-lfs") is None
    with pytest.raises(LpublishError) as info:
        _submit(forge_site, hero_jpeg)
    assert info.value.key == "services.publish.lfs_missing", info.value.__dict__
    assert forge_site.forge.pulls() == []


def test_workflows_check_out_lfs_objects_when_the_repository_uses_lfs(tmp_path: Path) -> None:
    from ruamel.yaml import YAML

    from lpublish.ci.workflows import WORKFLOWS, WorkflowVars, render_workflow, uses_lfs

    assert not uses_lfs(tmp_path)
    (tmp_path / ".gitattributes").write_text("*.psd filter=lfs diff=lfs merge=lfs -text\n")
    assert uses_lfs(tmp_path)
    for name in WORKFLOWS:
        for lfs in (False, True):
            data = YAML(typ="safe").load(render_workflow(name, WorkflowVars(site="site", lfs=lfs)))
            checkouts = [
                s
                for job in data["jobs"].values()
                for s in job["steps"]
                if "actions/checkout" in str(s.get("uses"))
            ]
            assert checkouts, name
            assert all(bool(s["with"].get("lfs")) is lfs for s in checkouts), (name, lfs)
