"""Deploying to S3 (moto's real HTTP server on 127.0.0.1): plans, headers, no-ops, drift, CDN, previews."""

from __future__ import annotations

import gzip
import os
import shutil
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from lpublish.config.sections import DeployGuards, HeaderRule
from lpublish.deploy.configured import target_from_config
from lpublish.deploy.engine import deploy
from lpublish.deploy.options import DeployOptions
from lpublish.deploy.rollback import remove
from lpublish.deploy.s3_target import S3Target
from lpublish.environment import Environment
from lpublish.errors import ContentError, ExternalError
from tests.plugins.deploy_targets import (
    RULES,
    basic_site,
    cloudfront_distribution,
    local_files,
    s3_target,
    write_site,
)
from tests.plugins.s3 import bucket_objects, head, s3_client


def request_counter(target: S3Target) -> dict[str, int]:
    """Count HTTP requests independently of lpublish's own counter (a botocore event hook)."""
    seen = {"n": 0}

    def hook(**kwargs: Any) -> None:
        seen["n"] += 1

    target.client.meta.events.register("before-send.s3", hook)
    return seen


def test_initial_deploy_uploads_everything_with_correct_headers(
    moto_server: str, s3_bucket: str, site_dir: Path
) -> None:
    result = deploy(site_dir, s3_target(s3_bucket), rules=RULES, options=DeployOptions())
    assert result.uploaded == len(local_files(site_dir)) and result.deleted == 0
    assert bucket_objects(moto_server, s3_bucket) == local_files(site_dir)
    page = head(moto_server, s3_bucket, "index.html")
    assert page["ContentType"] == "text/html; charset=utf-8"
    assert page["CacheControl"] == "public, max-age=0, must-revalidate"
    css = head(moto_server, s3_bucket, "assets/app.0123456789ab.css")
    assert css["ContentType"] == "text/css; charset=utf-8"
    assert css["CacheControl"].endswith("immutable")
    assert head(moto_server, s3_bucket, "images/photo0.png")["ContentType"] == "image/png"


def test_fresh_checkout_is_a_no_op_in_at_most_two_requests(
    moto_server: str, s3_bucket: str, tmp_path: Path
) -> None:
    first = basic_site(tmp_path / "one", pages=20)
    deploy(first, s3_target(s3_bucket), rules=RULES, options=DeployOptions())
    # A fresh checkout: same bytes, every mtime different.
    second = tmp_path / "two"
    shutil.copytree(first, second)
    future = time.time() + 3600
    for path in second.rglob("*"):
        os.utime(path, (future, future))
    target = s3_target(s3_bucket)
    counted = request_counter(target)
    result = deploy(second, target, rules=RULES, options=DeployOptions())
    assert result.uploaded == result.copied == result.deleted == 0
    assert result.unchanged == len(local_files(second))
    assert counted["n"] <= 2 and result.requests == counted["n"]
    assert "lock.json" not in str(s3_client(moto_server).list_objects_v2(Bucket=s3_bucket).get("Contents"))


def test_change_add_delete_and_rename(moto_server: str, s3_bucket: str, site_dir: Path) -> None:
    deploy(site_dir, s3_target(s3_bucket), rules=RULES, options=DeployOptions())
    (site_dir / "index.html").write_text("<h1>new top</h1>")
    (site_dir / "news/0/index.html").unlink()
    (site_dir / "images/photo1.png").rename(site_dir / "images/renamed.png")
    write_site(site_dir, {"new/page.html": "<p>new</p>"})
    target = s3_target(s3_bucket)
    counted = request_counter(target)
    result = deploy(site_dir, target, rules=RULES, options=DeployOptions())
    plan = {(a.kind, a.path, a.reason) for a in result.plan.writes + result.plan.deletes}
    assert plan == {
        ("upload", "index.html", "changed"),
        ("upload", "new/page.html", "new"),
        ("copy", "images/renamed.png", "rename"),
        ("delete", "news/0/index.html", "stale"),
        ("delete", "images/photo1.png", "stale"),
    }
    assert result.bytes_uploaded == len("<h1>new top</h1>") + len("<p>new</p>")
    assert bucket_objects(moto_server, s3_bucket) == local_files(site_dir)
    # read manifest, lock, re-check, 3 writes, release record, manifest, 1 batch delete, clear pending, unlock
    # + 2 since fencing: the lock is renewed (an ownership check) before the pages (assets were written
    # first) and before the manifest is written.
    assert counted["n"] == 3 + 10


def test_k_changed_files_cost_k_plus_seven_requests(moto_server: str, s3_bucket: str, site_dir: Path) -> None:
    deploy(site_dir, s3_target(s3_bucket), rules=RULES, options=DeployOptions())
    for i in range(3):
        (site_dir / f"news/{i}/index.html").write_text(f"<p>updated {i}</p>")
    target = s3_target(s3_bucket)
    counted = request_counter(target)
    result = deploy(site_dir, target, rules=RULES, options=DeployOptions())
    # manifest GET, lock PUT, manifest HEAD, lock renewal before the commit, release PUT, manifest PUT,
    # lock DELETE.
    assert result.uploaded == 3 and counted["n"] == 3 + 7


def test_header_rule_change_is_a_server_side_copy(moto_server: str, s3_bucket: str, site_dir: Path) -> None:
    deploy(site_dir, s3_target(s3_bucket), rules=RULES, options=DeployOptions())
    rules = [HeaderRule(pattern="*.svg", cache_control="public, max-age=60"), *RULES]
    result = deploy(site_dir, s3_target(s3_bucket), rules=rules, options=DeployOptions())
    assert [(a.kind, a.path) for a in result.plan.writes] == [("copy", "images/logo.svg")]
    assert result.uploaded == 0 and result.bytes_uploaded == 0
    svg = head(moto_server, s3_bucket, "images/logo.svg")
    assert svg["CacheControl"] == "public, max-age=60"
    assert svg["ContentType"] == "image/svg+xml; charset=utf-8"
    assert bucket_objects(moto_server, s3_bucket) == local_files(site_dir)


def test_guards_refuse_big_deletes_unless_yes(moto_server: str, s3_bucket: str, tmp_path: Path) -> None:
    site = basic_site(tmp_path / "dist", pages=30)
    deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions())
    before = bucket_objects(moto_server, s3_bucket)
    shutil.rmtree(site / "news")
    shutil.rmtree(site / "images")
    with pytest.raises(ContentError) as info:
        deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions())
    assert info.value.key == "deploy.refused" and info.value.exit_code == 1
    assert any("would be deleted" in d for d in info.value.details)
    assert bucket_objects(moto_server, s3_bucket) == before
    dry = deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions(dry_run=True))
    assert dry.refused and len(dry.plan.deletes) == 61
    done = deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions(yes=True))
    assert done.deleted == 61
    # .well-known is protected: never deleted even when it leaves the build
    assert ".well-known/security.txt" in bucket_objects(moto_server, s3_bucket)


def test_empty_build_is_refused(moto_server: str, s3_bucket: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ContentError) as info:
        deploy(
            empty, s3_target(s3_bucket), rules=RULES, options=DeployOptions(guards=DeployGuards(min_files=1))
        )
    assert any("only 0 file" in d for d in info.value.details)


def test_verify_detects_and_repairs_drift(moto_server: str, s3_bucket: str, site_dir: Path) -> None:
    deploy(site_dir, s3_target(s3_bucket), rules=RULES, options=DeployOptions())
    client = s3_client(moto_server)
    client.delete_object(Bucket=s3_bucket, Key="about/index.html")
    client.put_object(Bucket=s3_bucket, Key="index.html", Body=b"defaced")
    client.put_object(Bucket=s3_bucket, Key="stray.html", Body=b"not ours")
    # without --verify the manifest is trusted (one request, no change)...
    assert deploy(site_dir, s3_target(s3_bucket), rules=RULES, options=DeployOptions()).requests == 1
    # ...with it, the listing shows the drift and the deploy repairs it
    result = deploy(site_dir, s3_target(s3_bucket), rules=RULES, options=DeployOptions(verify=True))
    assert result.verified and set(result.drift) == {"about/index.html", "index.html", "stray.html"}
    assert bucket_objects(moto_server, s3_bucket) == local_files(site_dir)


def test_verification_runs_on_its_interval(moto_server: str, s3_bucket: str, site_dir: Path) -> None:
    from datetime import timedelta

    from lpublish.deploy.manifest import utcnow

    deploy(site_dir, s3_target(s3_bucket), rules=RULES, options=DeployOptions())
    s3_client(moto_server).delete_object(Bucket=s3_bucket, Key="sitemap.xml")
    later = utcnow() + timedelta(hours=200)
    result = deploy(site_dir, s3_target(s3_bucket), rules=RULES, options=DeployOptions(now=later))
    assert result.verified and result.drift == ["sitemap.xml"]
    assert bucket_objects(moto_server, s3_bucket) == local_files(site_dir)


def test_lost_manifest_adopts_identical_objects_without_uploading(
    moto_server: str, s3_bucket: str, site_dir: Path
) -> None:
    client = s3_client(moto_server)
    for rel, data in local_files(site_dir).items():  # e.g. a bucket filled by `aws s3 sync` before
        client.put_object(Bucket=s3_bucket, Key=rel, Body=data)
    result = deploy(site_dir, s3_target(s3_bucket), rules=RULES, options=DeployOptions())
    assert result.uploaded == 0 and result.copied == len(local_files(site_dir))  # headers set by copy
    assert head(moto_server, s3_bucket, "index.html")["ContentType"] == "text/html; charset=utf-8"
    assert deploy(site_dir, s3_target(s3_bucket), rules=RULES, options=DeployOptions()).requests == 1


def test_precompressed_text_is_served_with_content_encoding(
    moto_server: str, s3_bucket: str, tmp_path: Path
) -> None:
    text = "<p>" + "tea " * 500 + "</p>"
    site = write_site(tmp_path / "dist", {"index.html": text, "img.png": os.urandom(600)})
    deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions(precompress=["gzip"]))
    client = s3_client(moto_server)
    page = client.get_object(Bucket=s3_bucket, Key="index.html")
    assert page["ContentEncoding"] == "gzip"
    assert gzip.decompress(page["Body"].read()).decode() == text
    assert "ContentEncoding" not in client.head_object(Bucket=s3_bucket, Key="img.png")
    again = deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions(precompress=["gzip"]))
    assert again.requests == 1


def test_cloudfront_invalidates_only_changed_and_deleted_pages(
    moto_server: str, s3_bucket: str, site_dir: Path
) -> None:
    dist = cloudfront_distribution(moto_server)
    first = deploy(site_dir, s3_target(s3_bucket, distribution=dist), rules=RULES, options=DeployOptions())
    assert first.invalidation_paths == []  # nothing was cached before the first deploy
    (site_dir / "about/index.html").write_text("changed")
    (site_dir / "news/3/index.html").unlink()
    (site_dir / "assets/app.0123456789ab.css").rename(site_dir / "assets/app.999999999999.css")
    write_site(site_dir, {"brand-new.html": "new"})
    result = deploy(
        site_dir, s3_target(s3_bucket, distribution=dist), rules=RULES, options=DeployOptions(wait=True)
    )
    assert result.invalidation_paths == ["/about/", "/about/index.html", "/news/3/", "/news/3/index.html"]
    cf = boto3.client("cloudfront", endpoint_url=moto_server, region_name="us-east-1")
    items = cf.list_invalidations(DistributionId=dist)["InvalidationList"].get("Items", [])
    assert len(items) == 1 and result.invalidation_id == items[0]["Id"]
    # the old hashed stylesheet stays for pages still cached with it
    assert "assets/app.0123456789ab.css" in bucket_objects(moto_server, s3_bucket)
    assert result.retained == 1


def test_preview_deploy_and_removal(moto_server: str, s3_bucket: str, site_dir: Path, tmp_path: Path) -> None:
    from lpublish.config import parse_config

    config = parse_config(
        f"""
[deploy]
default_target = "production"
[deploy.targets.production]
bucket = "{s3_bucket}"
[deploy.targets.preview]
bucket = "{s3_bucket}"
preview = true
preview_prefix = "previews/pr-{{pr}}/"
preview_url = "https://previews.example.com/pr-{{pr}}/"
""",
        tmp_path / "lpublish.toml",
    )
    deploy(
        site_dir,
        target_from_config(config, "production", env=Environment.from_os()),
        rules=RULES,
        options=DeployOptions(),
    )
    target = target_from_config(config, "preview", env=Environment.from_os(), pr=12)
    result = deploy(site_dir, target, rules=RULES, options=DeployOptions())
    assert result.url == "https://previews.example.com/pr-12/"
    assert bucket_objects(moto_server, s3_bucket, "previews/pr-12/") == local_files(site_dir)
    removed = remove(target_from_config(config, "preview", env=Environment.from_os(), pr=12))
    assert removed.removed == len(local_files(site_dir))
    listing = s3_client(moto_server).list_objects_v2(Bucket=s3_bucket, Prefix="previews/")
    assert listing.get("KeyCount", 0) == 0
    # production untouched
    assert bucket_objects(moto_server, s3_bucket, "") == {
        **local_files(site_dir),
    } or all(not k.startswith("previews/") for k in bucket_objects(moto_server, s3_bucket))


def test_missing_bucket_and_missing_credentials_are_plain_external_errors(
    moto_server: str, site_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ExternalError) as info:
        deploy(site_dir, s3_target("lp-no-such-bucket-here"), rules=RULES, options=DeployOptions())
    assert info.value.key == "deploy.bucket_missing" and info.value.exit_code == 3
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(var)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(ExternalError) as info:
        deploy(site_dir, s3_target("lp-no-such-bucket-here"), rules=RULES, options=DeployOptions())
    assert info.value.key == "deploy.no_credentials"
    assert "LPUBLISH_AWS_ROLE_ARN" in info.value.hint


def test_build_manifest_is_used_and_never_uploaded(moto_server: str, s3_bucket: str, tmp_path: Path) -> None:
    import hashlib
    import json

    site = write_site(tmp_path / "dist", {"index.html": "<p>x</p>"})
    entry = {
        "path": "index.html",
        "size": 8,
        "sha256": hashlib.sha256(b"<p>x</p>").hexdigest(),
        "content_type": "text/html",
    }
    (site / ".lpublish-build.json").write_text(json.dumps({"version": 1, "files": [entry]}))
    deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions())
    assert set(bucket_objects(moto_server, s3_bucket)) == {"index.html"}


def test_large_files_go_up_in_parts_and_stay_unchanged_afterwards(
    moto_server: str, s3_bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lpublish.deploy import s3_target as s3_module

    monkeypatch.setattr(s3_module, "MULTIPART_THRESHOLD", 5 * 1024 * 1024 + 1)
    big = os.urandom(6 * 1024 * 1024)
    site = write_site(tmp_path / "dist", {"video/intro.mp4": big, "index.html": "<video>"})
    deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions())
    info = head(moto_server, s3_bucket, "video/intro.mp4")
    assert "-" in info["ETag"]  # a multipart ETag
    assert info["ContentType"] == "video/mp4"
    assert bucket_objects(moto_server, s3_bucket)["video/intro.mp4"] == big
    assert deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions(verify=True)).drift == []


def test_unreachable_endpoint_is_a_network_error(site_dir: Path, moto_server: str) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    target = S3Target(
        "lp-some-bucket", env=Environment(), endpoint_url=f"http://127.0.0.1:{port}", max_attempts=1
    )
    with pytest.raises(ExternalError) as info:
        deploy(site_dir, target, rules=RULES, options=DeployOptions())
    assert info.value.key == "deploy.network" and info.value.exit_code == 3
