"""S3 answers 403 (not 404) for a missing key when ListBucket is conditioned on a prefix: a first
deploy must still work, and a real denial must still be reported as one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest

from lpublish.deploy.engine import deploy
from lpublish.deploy.options import DeployOptions
from lpublish.deploy.s3_target import S3Target
from lpublish.environment import Environment
from lpublish.errors import ExternalError
from tests.deploy.faultproxy import FaultProxy
from tests.plugins.deploy_targets import RULES, basic_site, local_files
from tests.plugins.s3 import bucket_objects, s3_client


@pytest.fixture
def proxies() -> Iterator[list[FaultProxy]]:
    started: list[FaultProxy] = []
    yield started
    for p in started:
        p.stop()


def test_first_deploy_with_prefix_conditioned_listing(
    moto_server: str, s3_bucket: str, tmp_path: Path, proxies: list[FaultProxy]
) -> None:
    client = s3_client(moto_server)

    def missing_is_403(method: str, path: str, attempt: int) -> str | None:
        # What S3 does without ListBucket on the key: a read of a missing key is AccessDenied.
        if method not in ("GET", "HEAD") or "/.lpublish/" not in path:
            return None
        key = unquote(path.split("/", 2)[2])
        found = client.list_objects_v2(Bucket=s3_bucket, Prefix=key).get("Contents", [])
        return None if any(o["Key"] == key for o in found) else "403"

    proxy = FaultProxy(moto_server, missing_is_403)
    proxies.append(proxy)
    url = proxy.start()
    site = basic_site(tmp_path / "dist")
    target = S3Target(s3_bucket, "previews/pr-1", env=Environment.from_os(), endpoint_url=url)
    result = deploy(site, target, rules=RULES, options=DeployOptions())
    assert result.uploaded == len(local_files(site))
    assert any(f == "403" for _, _, f in proxy.faults)  # the 403 really happened
    assert bucket_objects(moto_server, s3_bucket, "previews/pr-1/") == local_files(site)
    again = deploy(
        site,
        S3Target(s3_bucket, "previews/pr-1", env=Environment.from_os(), endpoint_url=url),
        rules=RULES,
        options=DeployOptions(),
    )
    assert not again.changed


def test_a_real_denial_is_still_access_denied(
    moto_server: str, s3_bucket: str, tmp_path: Path, proxies: list[FaultProxy]
) -> None:
    site = basic_site(tmp_path / "dist")
    deploy(
        site,
        S3Target(s3_bucket, env=Environment.from_os(), endpoint_url=moto_server),
        rules=RULES,
        options=DeployOptions(),
    )

    def manifest_denied(method: str, path: str, attempt: int) -> str | None:
        return "403" if method == "GET" and path.endswith("/.lpublish/manifest.json") else None

    proxy = FaultProxy(moto_server, manifest_denied)
    proxies.append(proxy)
    url = proxy.start()
    with pytest.raises(ExternalError) as caught:
        deploy(
            site,
            S3Target(s3_bucket, env=Environment.from_os(), endpoint_url=url),
            rules=RULES,
            options=DeployOptions(),
        )
    assert caught.value.key == "deploy.access_denied"
