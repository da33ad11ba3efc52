"""What deploy tests deploy to: the header rules they share, an S3 target on a moto bucket and a
CloudFront distribution created on moto."""

from __future__ import annotations

import os
from typing import Any

import boto3
from mypy_boto3_cloudfront.type_defs import DistributionConfigTypeDef

from lpublish.config.sections import HeaderRule
from lpublish.deploy.engine import target_from_url
from lpublish.deploy.targets import S3Target

RULES = [
    HeaderRule(pattern="assets/*", cache_control="public, max-age=31536000, immutable"),
    HeaderRule(pattern="*.html", cache_control="public, max-age=0, must-revalidate"),
    HeaderRule(pattern="*", cache_control="public, max-age=300"),
]


def s3_target(bucket: str, prefix: str = "", **kw: Any) -> S3Target:
    """The target ``s3://bucket/prefix`` as a site's config would give it."""
    target = target_from_url(f"s3://{bucket}/{prefix}", **kw)
    assert isinstance(target, S3Target)
    return target


def cloudfront_distribution(endpoint: str) -> str:
    """A new distribution on moto's CloudFront at ``endpoint``; its id."""
    cf = boto3.client("cloudfront", endpoint_url=endpoint, region_name="us-east-1")
    config: DistributionConfigTypeDef = {
        "CallerReference": os.urandom(8).hex(),
        "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "b.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all", "MinTTL": 0, "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}}, "TrustedSigners": {"Enabled": False, "Quantity": 0}},
        "Comment": "",
        "Enabled": True,
    }  # fmt: skip
    return cf.create_distribution(DistributionConfig=config)["Distribution"]["Id"]
