"""CloudFront's real rules, enforced by the stand-in in front of moto: encoded paths, unique references."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from lpublish.deploy.cdn import encode_path
from lpublish.deploy.engine import deploy
from lpublish.deploy.options import DeployOptions
from lpublish.deploy.s3_target import S3Target
from lpublish.environment import Environment
from lpublish.errors import ExternalError
from tests.deploy.faultproxy import FaultProxy
from tests.plugins.cloudfront import CloudFrontStandIn, path_problem
from tests.plugins.deploy_targets import RULES, basic_site, cloudfront_distribution, s3_target, write_site


def test_encoding_follows_the_aws_rule() -> None:
    assert encode_path("/docs/お知らせ.pdf") == "/docs/%E3%81%8A%E7%9F%A5%E3%82%89%E3%81%9B.pdf"
    assert encode_path("/summer sale.html") == "/summer%20sale.html"
    assert encode_path("/100%.html") == "/100%25.html"
    # Reserved characters and the wildcard stay as they are (encoding them would miss the cache entry).
    assert encode_path("/a+b/c=d;e/*") == "/a+b/c=d;e/*"
    for raw in ("/docs/お知らせ.pdf", "/summer sale.html", "/100%.html", "/[x]{y}.html"):
        assert path_problem(raw) is not None
        assert path_problem(encode_path(raw)) is None


def test_unicode_and_space_paths_are_invalidated(
    moto_server: str, s3_bucket: str, tmp_path: Path, cloudfront_standin: CloudFrontStandIn
) -> None:
    dist = cloudfront_distribution(moto_server)
    site = write_site(
        tmp_path / "dist", {"index.html": "top", "docs/お知らせ.pdf": "v1", "summer sale.html": "v1"}
    )
    deploy(site, s3_target(s3_bucket, distribution=dist), rules=RULES, options=DeployOptions())
    write_site(site, {"docs/お知らせ.pdf": "v2", "summer sale.html": "v2"})
    result = deploy(site, s3_target(s3_bucket, distribution=dist), rules=RULES, options=DeployOptions())
    assert result.invalidation_id
    sent = [s for s in cloudfront_standin.seen if s[0] == dist]
    assert [status for *_, status in sent] == [201]
    assert sorted(sent[0][2]) == ["/docs/%E3%81%8A%E7%9F%A5%E3%82%89%E3%81%9B.pdf", "/summer%20sale.html"]


@pytest.fixture
def s3_proxy(moto_server: str) -> Iterator[list[FaultProxy]]:
    started: list[FaultProxy] = []
    yield started
    for p in started:
        p.stop()


def test_rerun_after_a_failure_past_the_invalidation_never_reuses_a_reference(
    moto_server: str,
    s3_bucket: str,
    tmp_path: Path,
    cloudfront_standin: CloudFrontStandIn,
    s3_proxy: list[FaultProxy],
) -> None:
    """A deploy fails after CreateInvalidation (its deletes fail); the next deploys add more paths."""
    dist = cloudfront_distribution(moto_server)
    site = basic_site(tmp_path / "dist")
    deploy(site, s3_target(s3_bucket, distribution=dist), rules=RULES, options=DeployOptions())
    failing = {"on": True}

    def rule(method: str, path: str, attempt: int) -> str | None:
        return "delete-errors" if failing["on"] and method == "POST" else None

    proxy = FaultProxy(moto_server, rule)
    s3_proxy.append(proxy)
    url = proxy.start()
    (site / "about/index.html").write_text("changed")
    (site / "news/1/index.html").unlink()
    with pytest.raises(ExternalError):
        deploy(
            site,
            S3Target(s3_bucket, distribution=dist, env=Environment.from_os(), endpoint_url=url),
            rules=RULES,
            options=DeployOptions(),
        )
    failing["on"] = False
    (site / "index.html").write_text("top changed")
    again = deploy(
        site,
        S3Target(s3_bucket, distribution=dist, env=Environment.from_os(), endpoint_url=url),
        rules=RULES,
        options=DeployOptions(),
    )
    assert "/news/1/" in again.invalidation_paths and "/" in again.invalidation_paths
    (site / "sitemap.xml").write_text(f"<urlset>{os.urandom(4).hex()}</urlset>")
    third = deploy(
        site,
        S3Target(s3_bucket, distribution=dist, env=Environment.from_os(), endpoint_url=url),
        rules=RULES,
        options=DeployOptions(),
    )
    assert third.invalidation_id
    statuses = [status for d, _, _, status in cloudfront_standin.seen if d == dist]
    assert statuses == [201, 201, 201]
    refs = [ref for d, ref, _, _ in cloudfront_standin.seen if d == dist]
    assert len(set(refs)) == 3
