"""SSE-KMS buckets: every object lpublish writes asks for the bucket's KMS key (moto over HTTP)."""

from __future__ import annotations

from pathlib import Path

from lpublish.config import parse_config
from lpublish.config.sections import HeaderRule
from lpublish.deploy.configured import target_from_config
from lpublish.deploy.engine import deploy
from lpublish.deploy.manifest import MANIFEST_KEY, RELEASES_DIR
from lpublish.deploy.options import DeployOptions
from lpublish.environment import Environment
from tests.plugins.deploy_targets import RULES, basic_site
from tests.plugins.s3 import head, s3_client

KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _config(tmp_path: Path, bucket: str, kms: bool) -> str:
    key_line = f'kms_key_arn = "{KEY}"' if kms else ""
    return f"""
[deploy]
default_target = "production"
[deploy.targets.production]
bucket = "{bucket}"
{key_line}
"""


def _all_keys(endpoint: str, bucket: str) -> list[str]:
    listed = s3_client(endpoint).list_objects_v2(Bucket=bucket).get("Contents", [])
    return [str(item["Key"]) for item in listed]


def test_a_kms_target_writes_every_object_with_the_key(
    moto_server: str, s3_bucket: str, tmp_path: Path
) -> None:
    config = parse_config(_config(tmp_path, s3_bucket, kms=True), tmp_path / "lpublish.toml")
    site = basic_site(tmp_path / "dist")
    target = target_from_config(config, None, env=Environment.from_os())
    deploy(site, target, rules=RULES, options=DeployOptions(commit="c1"))
    keys = _all_keys(moto_server, s3_bucket)
    # Pages, assets, the manifest and the release record: nothing written without the key.
    assert "index.html" in keys and MANIFEST_KEY in keys
    assert any(k.startswith(RELEASES_DIR) for k in keys)
    for key in keys:
        info = head(moto_server, s3_bucket, key)
        assert info.get("ServerSideEncryption") == "aws:kms", key
        assert info.get("SSEKMSKeyId") == KEY, key
    # ETags of KMS objects are not MD5s: a fresh deploy must still see nothing to do.
    again = deploy(site, target_from_config(config, None, env=Environment.from_os()), rules=RULES,
                   options=DeployOptions(commit="c1"))  # fmt: skip
    assert not again.changed


def test_server_side_copies_keep_the_key(moto_server: str, s3_bucket: str, tmp_path: Path) -> None:
    """A header-only change is a CopyObject: the copy must ask for the key as well."""
    config = parse_config(_config(tmp_path, s3_bucket, kms=True), tmp_path / "lpublish.toml")
    site = basic_site(tmp_path / "dist")
    env = Environment.from_os()
    deploy(site, target_from_config(config, None, env=env), rules=RULES, options=DeployOptions())
    rules = [HeaderRule(pattern="images/*", cache_control="public, max-age=86400"), *RULES]
    result = deploy(site, target_from_config(config, None, env=env), rules=rules, options=DeployOptions())
    assert result.copied >= 1 and result.uploaded == 0
    info = head(moto_server, s3_bucket, "images/photo0.png")
    assert info["CacheControl"] == "public, max-age=86400"
    assert info.get("ServerSideEncryption") == "aws:kms" and info.get("SSEKMSKeyId") == KEY


def test_a_plain_target_sends_no_kms_headers(moto_server: str, s3_bucket: str, tmp_path: Path) -> None:
    config = parse_config(_config(tmp_path, s3_bucket, kms=False), tmp_path / "lpublish.toml")
    site = basic_site(tmp_path / "dist")
    deploy(site, target_from_config(config, None, env=Environment.from_os()), rules=RULES,
           options=DeployOptions())  # fmt: skip
    assert head(moto_server, s3_bucket, "index.html").get("ServerSideEncryption") != "aws:kms"
