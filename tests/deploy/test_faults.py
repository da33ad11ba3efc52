"""Failures injected mid-deploy (5xx, connection resets) through a real proxy; reruns converge."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from lpublish.deploy.engine import deploy
from lpublish.deploy.manifest import MANIFEST_KEY
from lpublish.deploy.options import DeployOptions
from lpublish.deploy.s3_target import S3Target
from lpublish.environment import Environment
from lpublish.errors import ExternalError
from tests.deploy.faultproxy import FaultProxy, FaultRule
from tests.plugins.deploy_targets import RULES, basic_site, local_files, s3_target, write_site
from tests.plugins.s3 import bucket_objects, s3_client


@pytest.fixture
def proxy(moto_server: str) -> Iterator[list[FaultProxy]]:
    started: list[FaultProxy] = []
    yield started
    for p in started:
        p.stop()


def start_proxy(started: list[FaultProxy], upstream: str, rule: FaultRule) -> tuple[FaultProxy, str]:
    p = FaultProxy(upstream, rule)
    started.append(p)
    return p, p.start()


def site_put(method: str, path: str) -> bool:
    return method == "PUT" and "/.lpublish/" not in path


def test_transient_errors_and_resets_are_retried(
    moto_server: str, s3_bucket: str, tmp_path: Path, proxy: list[FaultProxy]
) -> None:
    faults = ["500", "503", "reset"]

    def rule(method: str, path: str, attempt: int) -> str | None:
        if site_put(method, path) and attempt == 1:
            return faults[hash(path) % 3]
        return None

    p, url = start_proxy(proxy, moto_server, rule)
    site = basic_site(tmp_path / "dist")
    result = deploy(
        site,
        S3Target(s3_bucket, env=Environment.from_os(), endpoint_url=url),
        rules=RULES,
        options=DeployOptions(),
    )
    assert {f for _, _, f in p.faults} >= {"500", "503"}
    assert len(p.faults) == len(local_files(site))
    assert result.requests > result.uploaded  # retries are counted as requests
    assert bucket_objects(moto_server, s3_bucket) == local_files(site)


def test_persistent_failure_stops_before_pages_and_manifest_then_rerun_converges(
    moto_server: str, s3_bucket: str, tmp_path: Path, proxy: list[FaultProxy]
) -> None:
    site = basic_site(tmp_path / "dist")
    deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions())
    old_manifest = json.loads(
        s3_client(moto_server).get_object(Bucket=s3_bucket, Key=MANIFEST_KEY)["Body"].read()
    )
    # v2: a new image that the changed pages refer to; the image upload keeps failing
    write_site(
        site,
        {
            "images/new.png": b"\x89PNG new",
            "index.html": "<img src=images/new.png>",
            "about/index.html": "v2",
        },
    )
    before = bucket_objects(moto_server, s3_bucket)

    def rule(method: str, path: str, attempt: int) -> str | None:
        return "500" if method == "PUT" and path.endswith("/images/new.png") else None

    _, url = start_proxy(proxy, moto_server, rule)
    flaky = S3Target(s3_bucket, env=Environment.from_os(), endpoint_url=url, max_attempts=2)
    with pytest.raises(ExternalError) as info:
        deploy(site, flaky, rules=RULES, options=DeployOptions())
    assert info.value.exit_code == 3
    # no page was switched to the new version, the manifest still describes the old release, no lock left
    after = bucket_objects(moto_server, s3_bucket)
    assert (
        after["index.html"] == before["index.html"]
        and after["about/index.html"] == before["about/index.html"]
    )
    manifest = json.loads(
        s3_client(moto_server).get_object(Bucket=s3_bucket, Key=MANIFEST_KEY)["Body"].read()
    )
    assert manifest["deploy_id"] == old_manifest["deploy_id"]
    keys = [o["Key"] for o in s3_client(moto_server).list_objects_v2(Bucket=s3_bucket)["Contents"]]
    assert ".lpublish/lock.json" not in keys
    # the network recovers: the rerun converges to exactly the build
    result = deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions())
    assert result.uploaded == 3
    assert bucket_objects(moto_server, s3_bucket) == local_files(site)
    assert deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions()).requests == 1


def test_failure_after_commit_is_finished_by_the_rerun(
    moto_server: str, s3_bucket: str, tmp_path: Path, proxy: list[FaultProxy]
) -> None:
    site = basic_site(tmp_path / "dist", pages=3)
    deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions())
    (site / "news/1/index.html").unlink()

    def rule(method: str, path: str, attempt: int) -> str | None:
        # DeleteObjects is "POST /<bucket>?delete": fail the clean-up after the manifest was committed.
        return "503" if method == "POST" and path.endswith(s3_bucket) else None

    _, url = start_proxy(proxy, moto_server, rule)
    with pytest.raises(ExternalError):
        deploy(
            site,
            S3Target(s3_bucket, env=Environment.from_os(), endpoint_url=url, max_attempts=1),
            rules=RULES,
            options=DeployOptions(),
        )
    assert "news/1/index.html" in bucket_objects(moto_server, s3_bucket)  # committed, but delete failed
    result = deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions())
    assert result.deleted == 1
    assert bucket_objects(moto_server, s3_bucket) == local_files(site)


def test_per_key_delete_errors_are_reported_and_retried_by_the_rerun(
    moto_server: str, s3_bucket: str, tmp_path: Path, proxy: list[FaultProxy]
) -> None:
    site = basic_site(tmp_path / "dist", pages=3)
    deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions())
    (site / "news/2/index.html").unlink()

    def rule(method: str, path: str, attempt: int) -> str | None:
        return "delete-errors" if method == "POST" and path.endswith(s3_bucket) else None

    _, url = start_proxy(proxy, moto_server, rule)
    with pytest.raises(ExternalError) as info:
        deploy(
            site,
            S3Target(s3_bucket, env=Environment.from_os(), endpoint_url=url),
            rules=RULES,
            options=DeployOptions(),
        )
    assert info.value.key == "deploy.delete_failed" and "news/2/index.html" in info.value.message
    assert deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions()).deleted == 1
    assert bucket_objects(moto_server, s3_bucket) == local_files(site)


def test_access_denied_is_a_plain_external_error(
    moto_server: str, s3_bucket: str, tmp_path: Path, proxy: list[FaultProxy]
) -> None:
    _, url = start_proxy(proxy, moto_server, lambda method, path, attempt: "403")
    with pytest.raises(ExternalError) as info:
        deploy(
            basic_site(tmp_path / "dist"),
            S3Target(s3_bucket, env=Environment.from_os(), endpoint_url=url),
            rules=RULES,
            options=DeployOptions(),
        )
    assert info.value.key == "deploy.access_denied" and info.value.exit_code == 3
    assert "s3:PutObject" in info.value.hint
