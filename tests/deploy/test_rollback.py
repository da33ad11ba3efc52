"""Releases and rollback: server-side copies when the old bytes still exist, else the commit to redeploy."""

from __future__ import annotations

from pathlib import Path

import pytest

from lpublish.deploy.engine import deploy
from lpublish.deploy.options import DeployOptions
from lpublish.deploy.rollback import list_releases, rollback
from lpublish.errors import ContentError
from tests.plugins.deploy_targets import RULES, basic_site, local_files, s3_target
from tests.plugins.s3 import bucket_objects, s3_client


def snapshot(site: Path) -> dict[str, bytes]:
    return local_files(site)


def test_rollback_on_a_versioned_bucket_restores_the_previous_release(
    moto_server: str, s3_bucket: str, tmp_path: Path
) -> None:
    s3_client(moto_server).put_bucket_versioning(
        Bucket=s3_bucket, VersioningConfiguration={"Status": "Enabled"}
    )
    site = basic_site(tmp_path / "dist")
    deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions(commit="aaa111"))
    v1 = snapshot(site)
    (site / "index.html").write_text("<h1>v2</h1>")
    (site / "assets/app.0123456789ab.css").rename(site / "assets/app.abcdefabcdef.css")
    (site / "news/2/index.html").unlink()
    deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions(commit="bbb222"))
    releases = list_releases(s3_target(s3_bucket))
    assert [r.commit for r in releases] == ["aaa111", "bbb222"]

    result = rollback(s3_target(s3_bucket))
    assert result.restored == releases[0].id and result.commit == "aaa111"
    # index and news/2 come back from their old versions; the old css never left (grace period)
    assert result.uploaded == 0 and sorted(a.path for a in result.plan.copies) == [
        "index.html",
        "news/2/index.html",
    ]
    current = bucket_objects(moto_server, s3_bucket)
    # v2's new stylesheet is kept for the grace period (cached v2 pages may still use it)
    assert {k: v for k, v in current.items() if k != "assets/app.abcdefabcdef.css"} == v1
    # deploying the v2 build again brings v2 back
    again = deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions())
    assert again.uploaded == 1 and [a.path for a in again.plan.deletes] == ["news/2/index.html"]
    current = bucket_objects(moto_server, s3_bucket)
    assert {k: v for k, v in current.items() if k != "assets/app.0123456789ab.css"} == local_files(site)


def test_rollback_without_old_bytes_names_the_commit_to_redeploy(
    moto_server: str, s3_bucket: str, tmp_path: Path
) -> None:
    site = basic_site(tmp_path / "dist")
    deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions(commit="aaa111"))
    (site / "index.html").write_text("<h1>v2</h1>")
    deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions(commit="bbb222"))
    before = bucket_objects(moto_server, s3_bucket)
    with pytest.raises(ContentError) as info:
        rollback(s3_target(s3_bucket))
    assert info.value.key == "deploy.rollback_missing"
    assert "aaa111" in info.value.hint and "index.html" in info.value.message
    assert bucket_objects(moto_server, s3_bucket) == before


def test_rollback_of_hashed_assets_works_without_versioning(
    moto_server: str, s3_bucket: str, tmp_path: Path
) -> None:
    site = basic_site(tmp_path / "dist")
    deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions(commit="aaa111"))
    v1 = snapshot(site)
    (site / "assets/app.0123456789ab.css").rename(site / "assets/app.abcdefabcdef.css")
    deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions(commit="bbb222"))
    (site / "assets/app.abcdefabcdef.css").write_text("body{color:blue}")  # v3: same name, new bytes (bad!)
    deploy(site, s3_target(s3_bucket), rules=RULES, options=DeployOptions(commit="ccc333"))
    result = rollback(s3_target(s3_bucket), to=list_releases(s3_target(s3_bucket))[0].id)
    assert result.uploaded == 0 and result.commit == "aaa111"
    current = bucket_objects(moto_server, s3_bucket)
    assert {k: v for k, v in current.items() if k != "assets/app.abcdefabcdef.css"} == v1


def test_nothing_to_roll_back(moto_server: str, s3_bucket: str, tmp_path: Path) -> None:
    with pytest.raises(ContentError):
        rollback(s3_target(s3_bucket))
    deploy(basic_site(tmp_path / "dist"), s3_target(s3_bucket), rules=RULES, options=DeployOptions())
    with pytest.raises(ContentError) as info:
        rollback(s3_target(s3_bucket))
    assert info.value.key == "deploy.rollback_none"
