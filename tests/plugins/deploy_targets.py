"""What deploy tests deploy and where to: small generated sites (and their files, read back), the
header rules they share, an S3 target on a moto bucket and a CloudFront distribution created on moto."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import boto3
from mypy_boto3_cloudfront.type_defs import DistributionConfigTypeDef

from lpublish.config.sections import HeaderRule
from lpublish.deploy.configured import target_from_url
from lpublish.deploy.s3_target import S3Target
from lpublish.environment import Environment


def write_site(root: Path, files: dict[str, bytes | str]) -> Path:
    """Create (or overwrite) files under ``root``."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return root


def basic_site(root: Path, pages: int = 5) -> Path:
    """A small built site under ``root``: pages, hashed assets, images, a ``.well-known`` file."""
    files: dict[str, bytes | str] = {
        "index.html": "<h1>top</h1>",
        "about/index.html": "<h1>about</h1>",
        "sitemap.xml": "<urlset/>",
        "assets/app.0123456789ab.css": "body{color:red}",
        "assets/app.fedcba987654.js": "console.log(1)",
        "images/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
        ".well-known/security.txt": "Contact: mailto:security@example.com",
    }
    for i in range(pages):
        files[f"news/{i}/index.html"] = f"<p>news {i}</p>"
        files[f"images/photo{i}.png"] = os.urandom(200) + bytes([i])
    return write_site(root, files)


def local_files(root: Path) -> dict[str, bytes]:
    """Every file of a built site (the build's own manifest excluded): path -> bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and p.name != ".lpublish-build.json"
    }


RULES = [
    HeaderRule(pattern="assets/*", cache_control="public, max-age=31536000, immutable"),
    HeaderRule(pattern="*.html", cache_control="public, max-age=0, must-revalidate"),
    HeaderRule(pattern="*", cache_control="public, max-age=300"),
]


def s3_target(bucket: str, prefix: str = "", **kw: Any) -> S3Target:
    """The target ``s3://bucket/prefix`` as a site's config would give it."""
    target = target_from_url(f"s3://{bucket}/{prefix}", env=Environment.from_os(), **kw)
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
