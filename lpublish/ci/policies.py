"""The AWS setup an administrator still has to do, generated exactly for one site.

Owns: the IAM trust policies for GitHub's OIDC provider (restricted to the repository and to the
``production`` environment / default branch, or to pull requests for the preview role), least-privilege
permission policies (S3 for the site's prefix, CloudFront invalidations for one distribution), the S3
bucket policy for CloudFront Origin Access Control, and the CloudFront Function that serves
``dir/index.html`` for ``dir/`` (an S3 REST origin with OAC has no index documents). Pure functions
returning dicts or text; ``lpublish init`` prints and writes them. Must not import UI libraries.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from lpublish.config import SiteConfig

OIDC_HOST = "token.actions.githubusercontent.com"
#: Shown where the AWS account id must go (we cannot know it; a wrong guess would be worse).
ACCOUNT_PLACEHOLDER = "<AWS_ACCOUNT_ID>"


@dataclass(frozen=True)
class AwsSetup:
    """The names the policies are generated for."""

    repo: str
    account_id: str = ACCOUNT_PLACEHOLDER
    branch: str = "main"
    environment: str = "production"
    bucket: str = ""
    prefix: str = ""
    distribution: str = ""
    preview_bucket: str = ""
    preview_prefix: str = ""
    #: KMS keys of buckets encrypted with SSE-KMS (``[deploy.targets.*] kms_key_arn``); empty: SSE-S3.
    kms_key_arn: str = ""
    preview_kms_key_arn: str = ""

    @classmethod
    def from_config(cls, config: SiteConfig, *, account_id: str = "") -> AwsSetup:
        """Take repository, bucket, prefix and distribution from ``lpublish.toml``."""
        targets = config.deploy.targets
        production = targets.get(config.deploy.default_target) or next(
            (tgt for tgt in targets.values() if not tgt.preview), None
        )
        preview = next((tgt for tgt in targets.values() if tgt.preview), None)
        return cls(
            repo=config.forge.repo or "OWNER/REPO",
            account_id=account_id or ACCOUNT_PLACEHOLDER,
            branch=config.forge.base,
            environment=config.forge.environment,
            bucket=(production.bucket if production else "") or "SITE-BUCKET",
            prefix=production.prefix if production else "",
            distribution=(production.distribution if production else "") or "DISTRIBUTION_ID",
            preview_bucket=(preview.bucket if preview else "") or "",
            preview_prefix=_static_prefix(preview.preview_prefix) if preview else "",
            kms_key_arn=production.kms_key_arn if production else "",
            preview_kms_key_arn=preview.kms_key_arn if preview else "",
        )


def _static_prefix(pattern: str) -> str:
    """The part of a preview prefix pattern before ``{pr}`` (``previews/pr-{pr}/`` -> ``previews/pr-``)."""
    return pattern.split("{", 1)[0]


def _objects(bucket: str, prefix: str) -> str:
    return f"arn:aws:s3:::{bucket}/{prefix.lstrip('/')}*"


def trust_policy(setup: AwsSetup, *, preview: bool = False) -> dict[str, Any]:
    """Who may assume the role: only this repository's workflows, via GitHub's OIDC provider.

    The production role is limited to jobs in the ``production`` environment or on the default branch
    (the scheduled run); the preview role to ``pull_request`` jobs of this repository (forks never get an
    OIDC token from ``pull_request`` with write permissions, and the workflow skips them anyway).
    """
    if preview:
        subjects = [f"repo:{setup.repo}:pull_request"]
    else:
        subjects = [
            f"repo:{setup.repo}:environment:{setup.environment}",
            f"repo:{setup.repo}:ref:refs/heads/{setup.branch}",
        ]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "GitHubActionsOIDC",
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::{setup.account_id}:oidc-provider/{OIDC_HOST}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{OIDC_HOST}:aud": "sts.amazonaws.com"},
                    "StringLike": {f"{OIDC_HOST}:sub": subjects},
                },
            }
        ],
    }


def _list_statement(sid: str, bucket: str, prefix: str) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": ["s3:ListBucket"],
        "Resource": f"arn:aws:s3:::{bucket}",
    }
    if prefix.strip("/"):
        statement["Condition"] = {"StringLike": {"s3:prefix": [f"{prefix.lstrip('/')}*"]}}
    return statement


#: Object actions of a deploy: Get/Head for the diff and verification, Put/Delete for the sync (copies
#: are Get + Put; multipart uploads are Put, and AbortMultipartUpload cleans up a failed one), and the
#: deploy lock and release records are objects under the same prefix.
_WRITE_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]


def _kms_statement(sid: str, key_arn: str, actions: list[str]) -> dict[str, Any]:
    """SSE-KMS buckets: S3 calls KMS on the caller's behalf (GenerateDataKey to write, Decrypt to read)."""
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": key_arn}


def production_policy(setup: AwsSetup) -> dict[str, Any]:
    """What the production deploy needs: the site's objects in one bucket, invalidations on one distribution."""
    statements: list[dict[str, Any]] = [
        _list_statement("ListSite", setup.bucket, setup.prefix),
        {
            "Sid": "SyncSite",
            "Effect": "Allow",
            # GetObjectVersion: rollback checks and copies older versions of objects (HeadObject /
            # CopyObject with a version id are authorised by it, not by GetObject).
            "Action": [*_WRITE_ACTIONS, "s3:GetObjectVersion"],
            "Resource": _objects(setup.bucket, setup.prefix),
        },
        {
            "Sid": "InvalidateCdn",
            "Effect": "Allow",
            "Action": ["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"],
            "Resource": f"arn:aws:cloudfront::{setup.account_id}:distribution/{setup.distribution}",
        },
    ]
    if setup.kms_key_arn:
        statements.append(
            _kms_statement("SiteKey", setup.kms_key_arn, ["kms:GenerateDataKey", "kms:Decrypt"])
        )
    return {"Version": "2012-10-17", "Statement": statements}


def preview_policy(setup: AwsSetup) -> dict[str, Any]:
    """What pull-request jobs need: write previews; only read production (for the deploy plan)."""
    bucket = setup.preview_bucket or setup.bucket
    statements: list[dict[str, Any]] = [
        _list_statement("ListPreviews", bucket, setup.preview_prefix),
        {
            "Sid": "WritePreviews",
            "Effect": "Allow",
            "Action": list(_WRITE_ACTIONS),
            "Resource": _objects(bucket, setup.preview_prefix),
        },
        _list_statement("ListProductionForPlan", setup.bucket, setup.prefix),
        {
            "Sid": "ReadProductionForPlan",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": _objects(setup.bucket, setup.prefix),
        },
    ]
    preview_key = setup.preview_kms_key_arn or (setup.kms_key_arn if not setup.preview_bucket else "")
    if preview_key:
        statements.append(_kms_statement("PreviewKey", preview_key, ["kms:GenerateDataKey", "kms:Decrypt"]))
    if setup.kms_key_arn and setup.kms_key_arn != preview_key:
        statements.append(_kms_statement("ReadProductionKey", setup.kms_key_arn, ["kms:Decrypt"]))
    return {"Version": "2012-10-17", "Statement": statements}


def bucket_policy(setup: AwsSetup, *, bucket: str | None = None) -> dict[str, Any]:
    """The bucket policy that lets only this CloudFront distribution read the bucket (OAC)."""
    name = bucket or setup.bucket
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowCloudFrontOAC",
                "Effect": "Allow",
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{name}/*",
                "Condition": {
                    "StringEquals": {
                        "AWS:SourceArn": f"arn:aws:cloudfront::{setup.account_id}:distribution/{setup.distribution}"
                    }
                },
            }
        ],
    }


#: CloudFront Function (runtime cloudfront-js-2.0, viewer-request event). With an S3 REST endpoint and
#: OAC there is no "index document": ``/about/`` must be rewritten to ``/about/index.html`` here, and
#: ``/about`` (no extension) is redirected to ``/about/`` so each page has one URL.
CLOUDFRONT_FUNCTION = """\
// lpublish: serve dir/index.html for dir/ (S3 REST origin with Origin Access Control).
// Runtime: cloudfront-js-2.0. Event: viewer request.
function querystring(qs) {
  var parts = [];
  for (var key in qs) {
    var item = qs[key];
    var values = item.multiValue ? item.multiValue : [item];
    for (var i = 0; i < values.length; i++) {
      var value = values[i].value;
      parts.push(value === '' ? key : key + '=' + value);
    }
  }
  return parts.length ? '?' + parts.join('&') : '';
}

function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.endsWith('/')) {
    request.uri = uri + 'index.html';
    return request;
  }
  var last = uri.substring(uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) {
    return {
      statusCode: 301,
      statusDescription: 'Moved Permanently',
      headers: {
        location: { value: uri + '/' + querystring(request.querystring) },
        'cache-control': { value: 'public, max-age=300' }
      }
    };
  }
  return request;
}
"""


def as_json(policy: dict[str, Any]) -> str:
    """Policies as people paste them into the AWS console (stable key order, 2-space indent)."""
    return json.dumps(policy, indent=2) + "\n"
