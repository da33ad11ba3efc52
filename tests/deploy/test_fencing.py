"""The deploy lock is a lease: renewed while a deploy runs, checked before pages and before the manifest
write, released or reported; left-over locks of finished deploys are removed; new pages go up first."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from lpublish.deploy.engine import deploy
from lpublish.deploy.folder_target import DirTarget
from lpublish.deploy.manifest import LOCK_KEY, MANIFEST_KEY, parse_iso, utcnow
from lpublish.deploy.options import DeployOptions
from lpublish.deploy.s3_target import S3Target
from lpublish.deploy.target import LockInfo, new_lock
from lpublish.environment import Environment
from lpublish.errors import ContentError, ExternalError
from lpublish.progress import ProgressEvent
from tests.deploy.faultproxy import FaultProxy
from tests.plugins.deploy_targets import RULES, basic_site, s3_target, write_site
from tests.plugins.s3 import bucket_objects, s3_client


@pytest.fixture
def proxies() -> Iterator[list[FaultProxy]]:
    started: list[FaultProxy] = []
    yield started
    for p in started:
        p.stop()


def _manifest_id(endpoint: str, bucket: str) -> str:
    raw = s3_client(endpoint).get_object(Bucket=bucket, Key=MANIFEST_KEY)["Body"].read()
    return str(json.loads(raw)["deploy_id"])


def test_a_slow_deploy_keeps_its_lock_past_the_ttl(moto_server: str, s3_bucket: str, tmp_path: Path) -> None:
    site = basic_site(tmp_path / "dist")
    seen: dict[str, object] = {}

    def slow(event: ProgressEvent) -> None:
        if event.stage == "deploy.progress.write" and "other" not in seen:
            seen["other"] = None
            # Longer than the TTL: without renewal the lock would be expired and taken over here. (Lock
            # times have one-second resolution, so the TTL is a few seconds, not a fraction of one.)
            import time

            time.sleep(4.0)
            raw = s3_client(moto_server).get_object(Bucket=s3_bucket, Key=LOCK_KEY)["Body"].read()
            expires = parse_iso(json.loads(raw)["expires"])
            seen["renewed"] = expires is not None and expires > utcnow()
            try:
                s3_target(s3_bucket).acquire_lock(new_lock("", 1.0, "test"), wait_seconds=0)
            except ContentError as exc:
                seen["other"] = exc.key

    result = deploy(
        site,
        s3_target(s3_bucket),
        rules=RULES,
        options=DeployOptions(lock_ttl_seconds=3.0, workers=2),
        progress=slow,
    )
    assert result.uploaded
    assert seen["renewed"] is True
    assert seen["other"] == "deploy.locked"


def test_a_deploy_that_lost_its_lock_stops_before_pages_and_manifest(
    moto_server: str, s3_bucket: str, tmp_path: Path
) -> None:
    site = basic_site(tmp_path / "dist")
    deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions())
    before_id = _manifest_id(moto_server, s3_bucket)
    write_site(site, {"index.html": "<h1>A's top</h1>", "images/new.png": b"\x89PNG new"})

    def taken_over(event: ProgressEvent) -> None:
        if event.stage == "deploy.progress.pages":
            # Deploy B took the lock over (its TTL check found A's lock expired).
            thief = LockInfo("B (pid 2)", "2026-01-01T00:00:00Z", "2999-01-01T00:00:00Z", "", "b-token")
            s3_client(moto_server).put_object(
                Bucket=s3_bucket, Key=LOCK_KEY, Body=json.dumps(thief.__dict__).encode()
            )

    with pytest.raises(ContentError) as info:
        deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions(), progress=taken_over)
    assert info.value.key == "services.deploy.lock_lost"
    assert bucket_objects(moto_server, s3_bucket)["index.html"] == b"<h1>top</h1>"  # no page written
    assert _manifest_id(moto_server, s3_bucket) == before_id  # nothing committed
    lock = json.loads(s3_client(moto_server).get_object(Bucket=s3_bucket, Key=LOCK_KEY)["Body"].read())
    assert lock["token"] == "b-token"  # B's lock stays


def test_lost_lock_on_a_directory_target(tmp_path: Path) -> None:
    site = basic_site(tmp_path / "dist")
    out = tmp_path / "out"
    deploy(site, DirTarget(out), rules=RULES, options=DeployOptions())
    write_site(site, {"index.html": "<h1>A's top</h1>"})

    def taken_over(event: ProgressEvent) -> None:
        if event.stage == "deploy.progress.commit":
            (out / LOCK_KEY).write_text(
                json.dumps({"owner": "B", "acquired": "x", "expires": "2999-01-01T00:00:00Z", "token": "b"})
            )

    with pytest.raises(ContentError) as info:
        deploy(site, DirTarget(out), rules=RULES, options=DeployOptions(), progress=taken_over)
    assert info.value.key == "services.deploy.lock_lost"


def test_failed_release_is_an_error_and_the_next_deploy_clears_the_finished_lock(
    moto_server: str, s3_bucket: str, tmp_path: Path, proxies: list[FaultProxy]
) -> None:
    site = basic_site(tmp_path / "dist")

    def lock_delete_fails(method: str, path: str, attempt: int) -> str | None:
        return "500" if method == "DELETE" and path.endswith("/.lpublish/lock.json") else None

    proxy = FaultProxy(moto_server, lock_delete_fails)
    proxies.append(proxy)
    url = proxy.start()
    with pytest.raises(ExternalError) as info:
        deploy(
            site,
            S3Target(s3_bucket, env=Environment.from_os(), endpoint_url=url),
            rules=RULES,
            options=DeployOptions(),
        )
    assert info.value.key == "services.deploy.unlock_failed" and info.value.exit_code == 3
    assert bucket_objects(moto_server, s3_bucket)  # the deploy itself went through
    # The lock is still there and valid for 30 minutes; its deploy is committed, so it is left over.
    s3_client(moto_server).head_object(Bucket=s3_bucket, Key=LOCK_KEY)
    write_site(site, {"index.html": "<h1>next</h1>"})
    result = deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions(lock_wait_seconds=0))
    assert result.uploaded == 1


def test_a_live_lock_of_an_unfinished_deploy_is_not_removed(
    moto_server: str, s3_bucket: str, tmp_path: Path
) -> None:
    site = basic_site(tmp_path / "dist")
    deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions())
    s3_target(s3_bucket).acquire_lock(new_lock("r000099-20260101T000000Z-abc", 600, "test"), wait_seconds=0)
    write_site(site, {"index.html": "<h1>next</h1>"})
    with pytest.raises(ContentError) as info:
        deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions(lock_wait_seconds=0))
    assert info.value.key == "deploy.locked"


def test_new_pages_go_up_before_the_pages_that_link_to_them(
    moto_server: str, s3_bucket: str, tmp_path: Path, proxies: list[FaultProxy]
) -> None:
    site = basic_site(tmp_path / "dist")
    deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions())
    write_site(
        site,
        {"campaign/index.html": "<h1>sale</h1>", "index.html": '<a href="/campaign/">sale</a>'},
    )

    def new_page_fails(method: str, path: str, attempt: int) -> str | None:
        return "500" if method == "PUT" and path.endswith("/campaign/index.html") else None

    proxy = FaultProxy(moto_server, new_page_fails)
    proxies.append(proxy)
    url = proxy.start()
    with pytest.raises(ExternalError):
        deploy(
            site,
            S3Target(s3_bucket, env=Environment.from_os(), endpoint_url=url, max_attempts=1),
            rules=RULES,
            options=DeployOptions(),
        )
    live = bucket_objects(moto_server, s3_bucket)
    assert "campaign/index.html" not in live
    assert live["index.html"] == b"<h1>top</h1>"  # the top page does not link to a 404
