"""The directory target (practice mode): same planner, manifest, guards, lock and releases, on disk."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from lpublish.deploy.configured import target_from_url
from lpublish.deploy.engine import deploy
from lpublish.deploy.folder_target import DirTarget
from lpublish.deploy.manifest import LOCK_KEY
from lpublish.deploy.options import DeployOptions
from lpublish.deploy.rollback import remove, rollback
from lpublish.deploy.target import LockInfo
from lpublish.environment import Environment
from lpublish.errors import ContentError
from tests.plugins.deploy_targets import RULES, basic_site, local_files


def served(root: Path) -> dict[str, bytes]:
    return {k: v for k, v in local_files(root).items() if not k.startswith(".lpublish/")}


def test_directory_deploy_no_op_change_and_delete(tmp_path: Path) -> None:
    site = basic_site(tmp_path / "dist")
    out = tmp_path / "served"
    target = target_from_url(out.as_uri(), env=Environment())
    assert isinstance(target, DirTarget)
    first = deploy(site, target, rules=RULES, options=DeployOptions())
    assert first.uploaded == len(local_files(site))
    assert served(out) == local_files(site)
    assert (
        deploy(
            site, target_from_url(out.as_uri(), env=Environment()), rules=RULES, options=DeployOptions()
        ).requests
        == 1
    )
    (site / "index.html").write_text("changed")
    (site / "news/1/index.html").unlink()
    result = deploy(
        site, target_from_url(out.as_uri(), env=Environment()), rules=RULES, options=DeployOptions()
    )
    assert (result.uploaded, result.deleted) == (1, 1)
    assert served(out) == local_files(site)
    manifest = json.loads((out / ".lpublish/manifest.json").read_text())
    assert manifest["files"]["index.html"]["content_type"] == "text/html; charset=utf-8"


def test_directory_verify_repairs_tampering(tmp_path: Path) -> None:
    site = basic_site(tmp_path / "dist")
    out = tmp_path / "served"
    deploy(site, target_from_url(out.as_uri(), env=Environment()), rules=RULES, options=DeployOptions())
    (out / "index.html").write_text("tampered")
    (out / "extra.html").write_text("stray")
    result = deploy(
        site,
        target_from_url(out.as_uri(), env=Environment()),
        rules=RULES,
        options=DeployOptions(verify=True),
    )
    assert set(result.drift) == {"index.html", "extra.html"}
    assert served(out) == local_files(site)


def test_directory_lock_and_rollback(tmp_path: Path) -> None:
    site = basic_site(tmp_path / "dist")
    out = tmp_path / "served"
    deploy(
        site,
        target_from_url(out.as_uri(), env=Environment()),
        rules=RULES,
        options=DeployOptions(commit="c1"),
    )
    v1 = served(out)
    holder = DirTarget(out)
    holder.acquire_lock(
        LockInfo("bob@desk (pid 1)", "2026-01-01T00:00:00Z", "2999-01-01T00:00:00Z"), wait_seconds=0
    )
    (site / "assets/app.0123456789ab.css").rename(site / "assets/app.abcdefabcdef.css")
    with pytest.raises(ContentError) as info:
        deploy(
            site,
            target_from_url(out.as_uri(), env=Environment()),
            rules=RULES,
            options=DeployOptions(lock_wait_seconds=0),
        )
    assert "bob@desk" in info.value.message
    releaser = threading.Timer(0.3, holder.release_lock)
    releaser.start()
    deploy(
        site,
        target_from_url(out.as_uri(), env=Environment()),
        rules=RULES,
        options=DeployOptions(commit="c2", lock_wait_seconds=30),
    )
    assert not (out / LOCK_KEY).exists()
    result = rollback(target_from_url(out.as_uri(), env=Environment()))
    assert result.commit == "c1"
    assert {k: v for k, v in served(out).items() if k != "assets/app.abcdefabcdef.css"} == v1


def test_directory_preview_removal(tmp_path: Path) -> None:
    site = basic_site(tmp_path / "dist")
    out = tmp_path / "served"
    deploy(
        site,
        target_from_url(out.as_uri(), env=Environment(), prefix="pr-3"),
        rules=RULES,
        options=DeployOptions(),
    )
    assert served(out / "pr-3") == local_files(site)
    result = remove(target_from_url(out.as_uri(), env=Environment(), prefix="pr-3"))
    assert result.removed == len(local_files(site))
    assert not (out / "pr-3").exists()


def test_cancel_stops_before_the_commit_and_releases_the_lock(tmp_path: Path) -> None:
    from lpublish.errors import CancelledError
    from lpublish.progress import ProgressEvent

    site = basic_site(tmp_path / "dist")
    out = tmp_path / "served"
    cancel = threading.Event()

    def progress(event: ProgressEvent) -> None:
        if event.stage == "deploy.progress.assets":
            cancel.set()

    with pytest.raises(CancelledError):
        deploy(
            site,
            target_from_url(out.as_uri(), env=Environment()),
            rules=RULES,
            options=DeployOptions(),
            progress=progress,
            cancel=cancel,
        )
    assert not (out / ".lpublish/manifest.json").exists() and not (out / LOCK_KEY).exists()
    result = deploy(
        site, target_from_url(out.as_uri(), env=Environment()), rules=RULES, options=DeployOptions()
    )
    assert served(out) == local_files(site) and result.uploaded == len(local_files(site))


def test_remove_refuses_a_target_without_prefix(tmp_path: Path) -> None:
    from lpublish.errors import UsageError

    site = basic_site(tmp_path / "dist")
    out = tmp_path / "served"
    deploy(site, target_from_url(out.as_uri(), env=Environment()), rules=RULES, options=DeployOptions())
    with pytest.raises(UsageError):
        remove(target_from_url(out.as_uri(), env=Environment()))
    assert served(out) == local_files(site)
