"""Shared pytest fixtures (s3): moto's real HTTP server on 127.0.0.1 standing in for S3 and CloudFront.

``moto_server`` yields the endpoint URL (``http://127.0.0.1:<port>``) with dummy AWS credentials, a
region and ``AWS_ENDPOINT_URL`` set for the test; one server runs per test session (per xdist worker),
so tests keep their buckets unique (``s3_bucket`` makes one). Owned by the deploy area.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def _moto_threaded_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    # werkzeug logs every request; thousands of lines would drown real test output.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def moto_server(_moto_threaded_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """The moto endpoint URL, with dummy credentials and region in the environment for this test."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", _moto_threaded_server)
    # Keep the developer's own AWS config and credentials out of the tests.
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    for var in ("AWS_PROFILE", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_CLOUDFRONT", "GITHUB_SHA"):
        monkeypatch.delenv(var, raising=False)
    return _moto_threaded_server


def s3_client(endpoint: str) -> Any:
    """A plain boto3 S3 client for test setup and assertions."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        config=Config(request_checksum_calculation="when_required", s3={"addressing_style": "path"}),
    )


@pytest.fixture
def s3_bucket(moto_server: str) -> str:
    """A new, empty bucket with a unique name."""
    name = f"lp-test-{uuid.uuid4().hex[:16]}"
    s3_client(moto_server).create_bucket(Bucket=name)
    return name


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


def head(endpoint: str, bucket: str, key: str) -> dict[str, Any]:
    """The object's metadata as S3 returns it for HEAD (ContentType, CacheControl, ...)."""
    return dict(s3_client(endpoint).head_object(Bucket=bucket, Key=key))
