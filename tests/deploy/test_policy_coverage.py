"""The generated IAM policies allow every S3 / CloudFront action the deploy code really performs.

Two sources of "what the code calls": a static scan of ``lpublish/deploy`` for boto3 client methods
(translated to API operations by botocore's own service model), and a real run on moto (deploy, change,
rollback on a versioned bucket, preview deploy and removal, invalidation) recording every operation with
its parameters. Each operation maps to the IAM actions AWS's Service Authorization Reference lists for it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import boto3

from lpublish.ci import policies
from lpublish.deploy.engine import deploy
from lpublish.deploy.options import DeployOptions
from lpublish.deploy.rollback import remove, rollback
from lpublish.deploy.s3_target import S3Target
from tests.plugins.deploy_targets import RULES, basic_site, cloudfront_distribution, s3_target
from tests.plugins.s3 import s3_client

DEPLOY_CODE = Path(__file__).resolve().parents[2] / "lpublish" / "deploy"

#: operation -> IAM actions (AWS Service Authorization Reference for S3 and CloudFront).
ACTIONS: dict[str, list[str]] = {
    "GetObject": ["s3:GetObject"],
    "HeadObject": ["s3:GetObject"],
    "PutObject": ["s3:PutObject"],
    "CopyObject": ["s3:PutObject", "s3:GetObject"],
    "DeleteObject": ["s3:DeleteObject"],
    "DeleteObjects": ["s3:DeleteObject"],
    "ListObjectsV2": ["s3:ListBucket"],
    "CreateMultipartUpload": ["s3:PutObject"],
    "UploadPart": ["s3:PutObject"],
    "CompleteMultipartUpload": ["s3:PutObject"],
    "AbortMultipartUpload": ["s3:AbortMultipartUpload"],
    "CreateInvalidation": ["cloudfront:CreateInvalidation"],
    "GetInvalidation": ["cloudfront:GetInvalidation"],
}
#: With a version id, reads of an object are authorised by the *Version actions.
VERSIONED = {"s3:GetObject": "s3:GetObjectVersion"}
#: boto3's managed upload (``S3Transfer(...).upload_file``) calls these operations.
MANAGED_UPLOAD = [
    "CreateMultipartUpload",
    "UploadPart",
    "CompleteMultipartUpload",
    "AbortMultipartUpload",
    "PutObject",
]


def _static_operations() -> set[str]:
    s3 = boto3.client("s3", region_name="us-east-1")
    cf = boto3.client("cloudfront", region_name="us-east-1")
    mapping = {**s3.meta.method_to_api_mapping, **cf.meta.method_to_api_mapping}
    found: set[str] = set()
    for path in DEPLOY_CODE.glob("*.py"):
        code = path.read_text(encoding="utf-8")
        if re.search(r"S3Transfer\(.*\)\.upload_file\(", code):
            found.update(MANAGED_UPLOAD)
        for method in re.findall(r"(?:client|cloudfront)\.(\w+)\b", code):
            if method in mapping:
                found.add(mapping[method])
    return found


def _allowed(policy: dict[str, Any]) -> set[str]:
    actions: set[str] = set()
    for statement in policy["Statement"]:
        value = statement["Action"]
        actions.update([value] if isinstance(value, str) else value)
    return actions


def _needed(calls: list[tuple[str, dict[str, Any]]]) -> set[str]:
    needed: set[str] = set()
    for operation, params in calls:
        versioned = bool(params.get("VersionId")) or (
            isinstance(params.get("CopySource"), dict) and bool(params["CopySource"].get("VersionId"))
        )
        for action in ACTIONS[operation]:
            needed.add(VERSIONED.get(action, action) if versioned else action)
    return needed


def _record(target: S3Target, calls: list[tuple[str, dict[str, Any]]]) -> S3Target:
    """Record (operation, parameters) of every API call the target's clients make."""

    def hook(params: dict[str, Any], model: Any, **_: Any) -> None:
        calls.append((model.name, dict(params)))

    target.client.meta.events.register("provide-client-params.s3", hook)
    if target.cloudfront is not None:
        target.cloudfront.meta.events.register("provide-client-params.cloudfront", hook)
    return target


def test_every_operation_in_the_code_is_mapped() -> None:
    operations = _static_operations()
    assert {"PutObject", "CopyObject", "CreateInvalidation", "AbortMultipartUpload"} <= operations
    assert operations <= set(ACTIONS), sorted(operations - set(ACTIONS))


def test_generated_policies_allow_what_a_real_run_does(
    moto_server: str, s3_bucket: str, tmp_path: Path
) -> None:
    s3_client(moto_server).put_bucket_versioning(
        Bucket=s3_bucket, VersioningConfiguration={"Status": "Enabled"}
    )
    dist = cloudfront_distribution(moto_server)
    production: list[tuple[str, dict[str, Any]]] = []
    site = basic_site(tmp_path / "dist")
    deploy(
        site,
        _record(s3_target(s3_bucket, distribution=dist), production),
        rules=RULES,
        options=DeployOptions(),
    )
    (site / "index.html").write_text("v2")
    (site / "news/1/index.html").unlink()
    deploy(
        site,
        _record(s3_target(s3_bucket, distribution=dist), production),
        rules=RULES,
        options=DeployOptions(wait=True),
    )
    rollback(_record(s3_target(s3_bucket, distribution=dist), production))
    preview: list[tuple[str, dict[str, Any]]] = []
    deploy(
        site, _record(s3_target(s3_bucket, "previews/pr-7"), preview), rules=RULES, options=DeployOptions()
    )
    remove(_record(s3_target(s3_bucket, "previews/pr-7"), preview))
    seen = {op for op, _ in production + preview}
    assert {"CopyObject", "HeadObject", "CreateInvalidation"} <= seen
    assert any(op == "CopyObject" and p["CopySource"].get("VersionId") for op, p in production)
    # Every operation of the code (static scan) counts too, also those this run did not reach.
    static = _needed([(op, {}) for op in _static_operations()])

    setup = policies.AwsSetup(
        repo="acme/lp", bucket=s3_bucket, distribution=dist, preview_prefix="previews/pr-"
    )
    prod_allowed = _allowed(policies.production_policy(setup))
    assert _needed(production) | static <= prod_allowed, sorted((_needed(production) | static) - prod_allowed)
    preview_needed = _needed(preview) | (
        static - {"cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"}
    )
    preview_allowed = _allowed(policies.preview_policy(setup))
    assert preview_needed <= preview_allowed, sorted(preview_needed - preview_allowed)


def test_sse_kms_targets_get_kms_statements() -> None:
    key = "arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    plain = policies.AwsSetup(repo="acme/lp", bucket="lp", distribution="E1")
    assert not any(a.startswith("kms:") for a in _allowed(policies.production_policy(plain)))
    kms = policies.AwsSetup(repo="acme/lp", bucket="lp", distribution="E1", kms_key_arn=key)
    statements = [s for s in policies.production_policy(kms)["Statement"] if s["Resource"] == key]
    assert statements and set(statements[0]["Action"]) == {"kms:GenerateDataKey", "kms:Decrypt"}
    # Previews in the same bucket write with the same key.
    assert {"kms:GenerateDataKey", "kms:Decrypt"} <= _allowed(policies.preview_policy(kms))
