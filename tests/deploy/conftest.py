"""Helpers for deploy tests: small generated sites and reading back what is in a bucket."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.plugins.s3 import s3_client


def write_site(root: Path, files: dict[str, bytes | str]) -> Path:
    """Create (or overwrite) files under ``root``."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return root


def basic_site(root: Path, pages: int = 5) -> Path:
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


def bucket_objects(endpoint: str, bucket: str, prefix: str = "") -> dict[str, bytes]:
    """Every site object (``.lpublish/`` excluded) under ``prefix``: path -> bytes."""
    client = s3_client(endpoint)
    out: dict[str, bytes] = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            key = item["Key"][len(prefix) :]
            if key.startswith(".lpublish/"):
                continue
            out[key] = client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
    return out


def local_files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and p.name != ".lpublish-build.json"
    }


def head(endpoint: str, bucket: str, key: str) -> dict[str, Any]:
    return dict(s3_client(endpoint).head_object(Bucket=bucket, Key=key))


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    return basic_site(tmp_path / "dist")
