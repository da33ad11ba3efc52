"""Two deploys at once never interleave: the second waits (bounded) or fails clearly; stale locks expire."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest

from lpublish.deploy.engine import deploy
from lpublish.deploy.manifest import LOCK_KEY
from lpublish.deploy.options import DeployOptions
from lpublish.errors import ContentError
from lpublish.progress import ProgressEvent
from tests.plugins.deploy_targets import RULES, basic_site, local_files, s3_target, write_site
from tests.plugins.s3 import bucket_objects, s3_client


class Holder:
    """Runs deploy A in a thread and pauses it while it holds the lock (right before uploading)."""

    def __init__(self, site: Path, bucket: str) -> None:
        self.locked = threading.Event()
        self.proceed = threading.Event()
        self.error: BaseException | None = None

        def progress(event: ProgressEvent) -> None:
            if event.stage == "deploy.progress.assets":
                self.locked.set()
                self.proceed.wait(30)

        def run() -> None:
            try:
                deploy(site, s3_target(bucket), rules=RULES, options=DeployOptions(), progress=progress)
            except BaseException as exc:  # reported to the test thread
                self.error = exc

        self.thread = threading.Thread(target=run)
        self.thread.start()
        assert self.locked.wait(30), "deploy A never took the lock"

    def finish(self) -> None:
        self.proceed.set()
        self.thread.join(60)
        if self.error:
            raise self.error


def test_second_deploy_fails_clearly_when_it_may_not_wait(
    moto_server: str, s3_bucket: str, tmp_path: Path
) -> None:
    site_a = basic_site(tmp_path / "a")
    site_b = write_site(tmp_path / "b", {"index.html": "<p>b</p>"})
    holder = Holder(site_a, s3_bucket)
    try:
        with pytest.raises(ContentError) as info:
            deploy(site_b, s3_target(s3_bucket), rules=RULES, options=DeployOptions(lock_wait_seconds=0))
        assert info.value.key == "deploy.locked"
        assert "pid" in info.value.message  # says who holds it
    finally:
        holder.finish()
    assert bucket_objects(moto_server, s3_bucket) == local_files(site_a)


def test_second_deploy_waits_then_replans_against_the_first(
    moto_server: str, s3_bucket: str, tmp_path: Path
) -> None:
    site_a = basic_site(tmp_path / "a")
    site_b = tmp_path / "b"
    shutil.copytree(site_a, site_b)
    (site_b / "index.html").write_text("<h1>from b</h1>")
    holder = Holder(site_a, s3_bucket)
    results: list[object] = []
    errors: list[BaseException] = []

    def run_b() -> None:
        try:
            results.append(deploy(site_b, s3_target(s3_bucket), rules=RULES, options=DeployOptions(yes=True)))
        except BaseException as exc:
            errors.append(exc)

    b = threading.Thread(target=run_b)
    b.start()
    b.join(1.5)
    assert b.is_alive(), "deploy B must wait for A's lock"
    holder.finish()
    b.join(60)
    assert not errors
    # B planned again against A's manifest: only its one different page was uploaded
    assert results and getattr(results[0], "uploaded", None) == 1
    assert bucket_objects(moto_server, s3_bucket) == local_files(site_b)


def test_stale_lock_is_taken_over(moto_server: str, s3_bucket: str, tmp_path: Path) -> None:
    stale = {
        "owner": "crashed@ci (pid 1)",
        "acquired": "2020-01-01T00:00:00Z",
        "expires": "2020-01-01T00:30:00Z",
    }
    s3_client(moto_server).put_object(Bucket=s3_bucket, Key=LOCK_KEY, Body=json.dumps(stale).encode())
    site = basic_site(tmp_path / "a")
    deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions(lock_wait_seconds=0))
    assert bucket_objects(moto_server, s3_bucket) == local_files(site)
    keys = [o["Key"] for o in s3_client(moto_server).list_objects_v2(Bucket=s3_bucket)["Contents"]]
    assert LOCK_KEY not in keys


def test_live_lock_of_someone_else_is_respected(moto_server: str, s3_bucket: str, tmp_path: Path) -> None:
    live = {
        "owner": "alice@laptop (pid 7)",
        "acquired": "2020-01-01T00:00:00Z",
        "expires": "2999-01-01T00:00:00Z",
    }
    s3_client(moto_server).put_object(Bucket=s3_bucket, Key=LOCK_KEY, Body=json.dumps(live).encode())
    with pytest.raises(ContentError) as info:
        deploy(
            basic_site(tmp_path / "a"),
            s3_target(s3_bucket),
            rules=RULES,
            options=DeployOptions(lock_wait_seconds=0.5),
        )
    assert "alice@laptop" in info.value.message


def test_a_lock_taken_over_after_expiry_is_not_released_by_the_old_holder(
    moto_server: str, s3_bucket: str
) -> None:
    from lpublish.deploy.target import LockInfo

    old = s3_target(s3_bucket)
    old.acquire_lock(LockInfo("old (pid 1)", "2020-01-01T00:00:00Z", "2020-01-01T00:00:01Z"), wait_seconds=0)
    new = s3_target(s3_bucket)
    new.acquire_lock(LockInfo("new (pid 2)", "2020-01-01T00:00:00Z", "2999-01-01T00:00:00Z"), wait_seconds=0)
    old.release_lock()  # the crashed deploy wakes up: it must not remove the new holder's lock
    body = s3_client(moto_server).get_object(Bucket=s3_bucket, Key=LOCK_KEY)["Body"].read()
    assert json.loads(body)["owner"] == "new (pid 2)"
    new.release_lock()
    assert "Contents" not in s3_client(moto_server).list_objects_v2(Bucket=s3_bucket)
