"""Deploying to an S3 bucket (optionally behind CloudFront): the ``Target`` for AWS and S3-compatible stores.

Owns: ``S3Target`` (botocore clients honouring the endpoint overrides of the ``Environment``, profiles and
the standard credential chain; counts every HTTP request; the manifest's conditional commit; multipart
uploads for large files; the deploy lock as an object written with ``If-None-Match`` / ``If-Match``;
SSE-KMS on every write when the bucket uses it), ``s3_params`` (headers -> PutObject parameters) and
``MULTIPART_THRESHOLD``. Failures become plain errors in ``aws_errors``. Must not import UI libraries.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lpublish.deploy.aws_errors import (
    PRECONDITION,
    client_error_code,
    http_status,
    is_aws_endpoint,
    translate_aws_error,
)
from lpublish.deploy.headers import Headers
from lpublish.deploy.manifest import LOCK_KEY, MANIFEST_KEY, META_DIR, RELEASES_DIR, Manifest, parse_manifest
from lpublish.deploy.plan import RemoteObject
from lpublish.deploy.target import FinishedCheck, LockInfo, expired, lock_lost, locked_error
from lpublish.environment import Environment
from lpublish.errors import ContentError, ExternalError, UsageError
from lpublish.hashing import md5_file

logger = logging.getLogger(__name__)

#: Files at least this big are uploaded in parts (S3 needs parts for > 5 GB; parts retry independently).
MULTIPART_THRESHOLD = 64 * 1024 * 1024


def s3_params(headers: Headers, sha256: str) -> dict[str, Any]:
    """boto3 parameters for an object's headers. Unknown extras become ``x-amz-meta-*`` metadata."""
    params: dict[str, Any] = {"ContentType": headers.content_type, "CacheControl": headers.cache_control}
    if headers.content_encoding:
        params["ContentEncoding"] = headers.content_encoding
    metadata = {"lpublish-sha256": sha256} if sha256 else {}
    for name, value in headers.extra.items():
        key = name.lower()
        if key == "content-disposition":
            params["ContentDisposition"] = value
        elif key == "content-language":
            params["ContentLanguage"] = value
        elif key in ("website-redirect-location", "x-amz-website-redirect-location"):
            params["WebsiteRedirectLocation"] = value
        else:
            metadata[key.removeprefix("x-amz-meta-")] = value
    params["Metadata"] = metadata
    return params


class S3Target:
    """An S3 bucket + prefix, optionally fronted by a CloudFront distribution."""

    supports_encoding = True

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        env: Environment,
        region: str = "",
        distribution: str = "",
        site_url: str = "",
        profile: str | None = None,
        endpoint_url: str | None = None,
        kms_key_id: str = "",
        workers: int = 32,
        lock_ttl_seconds: float = 900.0,
        max_attempts: int = 6,
    ) -> None:
        if not bucket:
            raise UsageError("deploy.no_bucket")
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.distribution = distribution
        self.site_url = site_url
        self.url = f"s3://{bucket}/{self.prefix}"
        self.workers = workers
        self.lock_ttl_seconds = lock_ttl_seconds
        #: The bucket's SSE-KMS key: every write asks for it (a bucket policy may refuse writes that do
        #: not), and ETags are then not MD5s of the bytes.
        self.kms_key_id = kms_key_id
        self._region, self._profile, self._max_attempts = region, profile, max_attempts
        self._endpoint = endpoint_url or env.aws_endpoint("s3")
        self._cloudfront_endpoint = env.aws_endpoint("cloudfront")
        self._count = 0
        self._count_lock = threading.Lock()
        self._lock_etag: str | None = None
        self._lock_info: LockInfo | None = None
        self._lock_guard = threading.Lock()
        self._clients: dict[str, Any] = {}
        self._clients_guard = threading.Lock()
        self._session: Any = None
        self._config: Any = None

    def _make_client(self, service: str) -> Any:
        # Imported here: a folder deploy, a dry run's config errors and ``--help`` never pay for it.
        # botocore's own session, not boto3's: boto3 adds resources and the transfer manager to every
        # client (importing s3transfer and boto3 costs ~0.13 s per deploy), and a deploy needs plain
        # clients; the transfer manager is imported only for a multipart upload (``upload``).
        import botocore.session
        from botocore.config import Config
        from botocore.handlers import add_expect_header

        if self._session is None:
            extra: dict[str, Any] = {}
            if not is_aws_endpoint(self._endpoint):
                # Non-AWS endpoints (moto, MinIO, R2) reject or mangle the newer default checksums.
                extra["request_checksum_calculation"] = "when_required"
                extra["response_checksum_validation"] = "when_required"
                extra["s3"] = {"addressing_style": "path"}
            self._config = Config(
                max_pool_connections=max(10, self.workers + 4),
                # Standard mode retries throttling, 5xx and connection errors with jittered back-off.
                retries={"mode": "standard", "max_attempts": self._max_attempts},
                connect_timeout=10,
                read_timeout=60,
                **extra,
            )
            self._session = botocore.session.Session(profile=self._profile or None)
        endpoint = self._endpoint if service == "s3" else self._cloudfront_endpoint
        client = self._session.create_client(
            service, region_name=self._region or None, endpoint_url=endpoint, config=self._config
        )
        client.meta.events.register(f"before-send.{service}", self._count_request)
        if service == "s3":
            # "Expect: 100-continue" costs a round trip per PUT before the body is sent; a site is mostly
            # small files, so skip it (measured ~5-8 % faster on a 2,000-file upload).
            client.meta.events.unregister("before-call.s3.PutObject", add_expect_header)
        logger.debug("%s client for %s (endpoint %s)", service, self.url, endpoint or "AWS")
        return client

    def _client(self, service: str) -> Any:
        # Each made on first use (CloudFront's only when there is something to invalidate: its model
        # costs as much to load as S3's), under a lock: botocore sessions are not thread-safe.
        client = self._clients.get(service)
        if client is not None:
            return client
        with self._clients_guard:
            if service not in self._clients:
                try:
                    self._clients[service] = self._make_client(service)
                except Exception as exc:
                    raise translate_aws_error(exc, self.bucket) from None
            return self._clients[service]

    def connect(self) -> None:
        self._client("s3")

    def _encryption(self) -> dict[str, str]:
        """PutObject / CopyObject parameters for the bucket's SSE-KMS key (none for SSE-S3 buckets)."""
        if not self.kms_key_id:
            return {}
        return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self.kms_key_id}

    @property
    def client(self) -> Any:
        """The S3 client (typed as Any: the stubs' overloads fight ``**params``)."""
        return self._client("s3")

    @property
    def cloudfront(self) -> Any:
        """The CloudFront client, ``None`` without a distribution."""
        return self._client("cloudfront") if self.distribution else None

    # Counting every HTTP attempt (retries included) is what the "requests" in reports mean.
    def _count_request(self, **kwargs: Any) -> None:
        with self._count_lock:
            self._count += 1

    @property
    def requests(self) -> int:
        return self._count

    def key(self, path: str) -> str:
        return self.prefix + path

    def _call(self, fn: Callable[..., Any], **kwargs: Any) -> Any:
        try:
            return fn(**kwargs)
        except Exception as exc:
            if client_error_code(exc) in ("PreconditionFailed", "ConditionalRequestConflict", "304"):
                raise
            raise translate_aws_error(exc, self.bucket) from None

    def _absent(self, exc: Exception, key: str) -> bool:
        """Whether a failed read of ``key`` means "no such object".

        S3 answers 403 instead of 404 for a missing key when the caller may not list that key (a
        ``ListBucket`` conditioned on a prefix, as least-privilege policies do). A 403 is therefore only
        "unknown": a prefix listing of exactly that key decides, and a real denial stays a denial.
        """
        if client_error_code(exc) in ("NoSuchKey", "404") or http_status(exc) == 404:
            return True
        if http_status(exc) != 403:
            return False
        try:
            page = self.client.list_objects_v2(Bucket=self.bucket, Prefix=key, MaxKeys=1)
        except Exception:
            return False
        return not any(str(item.get("Key")) == key for item in page.get("Contents", []))

    # -- manifest
    def fetch_manifest(self) -> tuple[bytes | None, str]:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.key(MANIFEST_KEY))
            raw = response["Body"].read()
        except Exception as exc:
            if self._absent(exc, self.key(MANIFEST_KEY)):
                return None, ""
            raise translate_aws_error(exc, self.bucket) from None
        return raw, str(response.get("ETag", ""))

    def read_manifest(self) -> tuple[Manifest | None, str]:
        return parse_manifest(*self.fetch_manifest())

    def manifest_unchanged(self, etag: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(MANIFEST_KEY), IfNoneMatch=etag or "*")
        except Exception as exc:
            status = http_status(exc)
            if status == 304 or client_error_code(exc) == "304":
                return True
            if status in (403, 404) and self._absent(exc, self.key(MANIFEST_KEY)):
                return not etag
            raise translate_aws_error(exc, self.bucket) from None
        return False

    def write_manifest(self, manifest: Manifest, if_match: str, body: bytes | None = None) -> str:
        condition = {"IfMatch": if_match} if if_match else {"IfNoneMatch": "*"}
        try:
            response = self.client.put_object(
                Bucket=self.bucket,
                Key=self.key(MANIFEST_KEY),
                Body=body if body is not None else manifest.to_json(),
                ContentType="application/json; charset=utf-8",
                CacheControl="no-store",
                **condition,
                **self._encryption(),
            )
        except Exception as exc:
            if client_error_code(exc) in ("PreconditionFailed", "ConditionalRequestConflict"):
                raise ContentError("deploy.manifest_conflict") from None
            raise translate_aws_error(exc, self.bucket) from None
        return str(response.get("ETag", ""))

    # -- objects
    def list_objects(self) -> dict[str, RemoteObject]:
        found: dict[str, RemoteObject] = {}
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"Bucket": self.bucket, "Prefix": self.prefix, "MaxKeys": 1000}
            if token:
                kwargs["ContinuationToken"] = token
            page = self._call(self.client.list_objects_v2, **kwargs)
            for item in page.get("Contents", []):
                path = str(item["Key"])[len(self.prefix) :]
                if path and not path.startswith(META_DIR):
                    found[path] = RemoteObject(int(item.get("Size", 0)), str(item.get("ETag", "")))
            if not page.get("IsTruncated"):
                return found
            token = page.get("NextContinuationToken")

    def local_etag(self, source: Path, size: int) -> str | None:
        # S3's ETag is the MD5 of the bytes for single-part, unencrypted-by-KMS uploads.
        if size >= MULTIPART_THRESHOLD or self.kms_key_id:
            return None
        return f'"{md5_file(source)}"'

    def upload(
        self, path: str, source: Path, headers: Headers, sha256: str, body: bytes | None = None
    ) -> tuple[str, str | None]:
        params = {**s3_params(headers, sha256), **self._encryption()}
        if body is None and source.stat().st_size >= MULTIPART_THRESHOLD:
            from boto3.s3.transfer import S3Transfer, TransferConfig

            transfer = TransferConfig(
                multipart_threshold=MULTIPART_THRESHOLD,
                multipart_chunksize=16 * 1024 * 1024,
                max_concurrency=4,
            )
            try:
                # boto3's transfer manager over the plain client (what boto3's ``upload_file`` does).
                # The stubs type ``config`` as botocore's Config; boto3 passes a TransferConfig here too.
                S3Transfer(self.client, transfer).upload_file(  # type: ignore[arg-type]
                    str(source), self.bucket, self.key(path), extra_args=params
                )
            except Exception as exc:
                inner = getattr(exc, "last_exception", None) or exc
                raise translate_aws_error(inner, self.bucket) from None
            head = self._call(self.client.head_object, Bucket=self.bucket, Key=self.key(path))
            return str(head.get("ETag", "")), head.get("VersionId")
        if body is not None:
            response = self._call(
                self.client.put_object, Bucket=self.bucket, Key=self.key(path), Body=body, **params
            )
        else:
            # Streamed from disk: the open file is seekable, so botocore can rewind it to retry.
            with source.open("rb") as fh:
                response = self._call(
                    self.client.put_object, Bucket=self.bucket, Key=self.key(path), Body=fh, **params
                )
        return str(response.get("ETag", "")), response.get("VersionId")

    def copy(
        self, path: str, copy_from: str, version: str | None, headers: Headers, sha256: str
    ) -> tuple[str, str | None]:
        source: dict[str, str] = {"Bucket": self.bucket, "Key": self.key(copy_from)}
        if version:
            source["VersionId"] = version
        response = self._call(
            self.client.copy_object,
            Bucket=self.bucket,
            Key=self.key(path),
            CopySource=source,
            MetadataDirective="REPLACE",
            **s3_params(headers, sha256),
            **self._encryption(),
        )
        return str(response.get("CopyObjectResult", {}).get("ETag", "")), response.get("VersionId")

    def delete(self, paths: list[str]) -> list[str]:
        """Delete in batches of 1,000; returns the paths S3 refused (per-key errors are not exceptions)."""
        failed: list[str] = []
        for start in range(0, len(paths), 1000):
            chunk = paths[start : start + 1000]
            response = self._call(
                self.client.delete_objects,
                Bucket=self.bucket,
                Delete={"Objects": [{"Key": self.key(p)} for p in chunk], "Quiet": True},
            )
            for error in response.get("Errors", []):
                failed.append(str(error.get("Key", ""))[len(self.prefix) :])
        return failed

    def object_exists(self, path: str, version: str | None) -> bool:
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Key": self.key(path)}
        if version:
            kwargs["VersionId"] = version
        try:
            self.client.head_object(**kwargs)
        except Exception as exc:
            if http_status(exc) in (400, 404, 405) or client_error_code(exc) in (
                "404",
                "NoSuchKey",
                "NoSuchVersion",
            ):
                return False
            raise translate_aws_error(exc, self.bucket) from None
        return True

    def remove_prefix(self) -> int:
        """Delete every object under the prefix (preview removal). Returns how many were deleted."""
        listing = self.list_objects()
        meta: list[str] = []
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"Bucket": self.bucket, "Prefix": self.key(META_DIR)}
            if token:
                kwargs["ContinuationToken"] = token
            page = self._call(self.client.list_objects_v2, **kwargs)
            meta.extend(str(i["Key"])[len(self.prefix) :] for i in page.get("Contents", []))
            if not page.get("IsTruncated"):
                break
            token = page.get("NextContinuationToken")
        paths = sorted(listing) + sorted(meta)
        failed = self.delete(paths)
        if failed:
            raise ExternalError("deploy.delete_failed", count=len(failed), first=failed[0])
        return len(listing)

    # -- lock
    def acquire_lock(
        self, info: LockInfo, *, wait_seconds: float, finished: FinishedCheck | None = None
    ) -> None:
        deadline = time.monotonic() + wait_seconds
        body = info.to_json()
        key = self.key(LOCK_KEY)
        while True:
            try:
                response = self.client.put_object(
                    Bucket=self.bucket,
                    Key=key,
                    Body=body,
                    IfNoneMatch="*",
                    ContentType="application/json",
                    **self._encryption(),
                )
                self._hold(info, str(response.get("ETag", "")))
                return
            except Exception as exc:
                if client_error_code(exc) not in PRECONDITION:
                    raise translate_aws_error(exc, self.bucket) from None
            # Someone holds it: take it over only if it is stale, and only if nobody else did first.
            current: LockInfo | None = None
            try:
                got = self.client.get_object(Bucket=self.bucket, Key=key)
                current = LockInfo.from_json(got["Body"].read())
                etag = str(got.get("ETag", ""))
            except Exception as exc:
                if self._absent(exc, key):
                    continue  # released in between: try again at once
                raise translate_aws_error(exc, self.bucket) from None
            if not expired(current) and current is not None and finished is not None and finished(current):
                # Left over: its deploy committed, then the holder crashed or failed to release it.
                logger.info("removing the lock of finished deploy %s", current.deploy_id)
                with contextlib.suppress(Exception):
                    self.client.delete_object(Bucket=self.bucket, Key=key, IfMatch=etag)
                continue
            if expired(current):
                try:
                    response = self.client.put_object(
                        Bucket=self.bucket,
                        Key=key,
                        Body=body,
                        IfMatch=etag,
                        ContentType="application/json",
                        **self._encryption(),
                    )
                    self._hold(info, str(response.get("ETag", "")))
                    return
                except Exception as exc:
                    if client_error_code(exc) not in (*PRECONDITION, "NoSuchKey"):
                        raise translate_aws_error(exc, self.bucket) from None
                    continue
            if time.monotonic() >= deadline:
                raise locked_error(current)
            time.sleep(min(2.0, max(0.1, deadline - time.monotonic())))

    def _hold(self, info: LockInfo, etag: str) -> None:
        with self._lock_guard:
            self._lock_info, self._lock_etag = info, etag

    def renew_lock(self, deploy_id: str | None = None) -> None:
        with self._lock_guard:
            if self._lock_info is None or self._lock_etag is None:
                raise lock_lost(self.url)
            info = self._lock_info.renewed(deploy_id)
            try:
                # Conditional on our own ETag: succeeds only while nobody else has replaced the lock.
                response = self.client.put_object(
                    Bucket=self.bucket,
                    Key=self.key(LOCK_KEY),
                    Body=info.to_json(),
                    IfMatch=self._lock_etag,
                    ContentType="application/json",
                    **self._encryption(),
                )
            except Exception as exc:
                if client_error_code(exc) in (*PRECONDITION, "NoSuchKey") or http_status(exc) in (404, 412):
                    self._lock_info = self._lock_etag = None
                    raise lock_lost(self.url) from None
                raise translate_aws_error(exc, self.bucket) from None
            self._lock_info, self._lock_etag = info, str(response.get("ETag", ""))

    def release_lock(self) -> None:
        with self._lock_guard:
            etag, self._lock_etag, self._lock_info = self._lock_etag, None, None
        if etag is None:
            return
        key = self.key(LOCK_KEY)
        try:
            # Only our own lock: if it expired and someone took it over, theirs must stay.
            self.client.delete_object(Bucket=self.bucket, Key=key, IfMatch=etag)
            return
        except Exception as exc:
            if client_error_code(exc) in (*PRECONDITION, "NoSuchKey") or http_status(exc) in (404, 412):
                return
            first = exc
        if http_status(first) in (400, 501) or client_error_code(first) in (
            "NotImplemented",
            "InvalidArgument",
        ):
            # Endpoints without conditional deletes: remove it plainly (it is ours: we just held it).
            try:
                self.client.delete_object(Bucket=self.bucket, Key=key)
                return
            except Exception as exc:
                first = exc
        code = client_error_code(first) or str(http_status(first) or type(first).__name__)
        raise ExternalError("services.deploy.unlock_failed", target=self.url, lock=key, code=code) from None

    # -- releases
    def put_release(self, release_id: str, data: bytes) -> None:
        self._call(
            self.client.put_object,
            Bucket=self.bucket,
            Key=self.key(f"{RELEASES_DIR}{release_id}.json"),
            Body=data,
            ContentType="application/json; charset=utf-8",
            **self._encryption(),
        )

    def list_releases(self) -> list[str]:
        found: list[str] = []
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"Bucket": self.bucket, "Prefix": self.key(RELEASES_DIR)}
            if token:
                kwargs["ContinuationToken"] = token
            page = self._call(self.client.list_objects_v2, **kwargs)
            for item in page.get("Contents", []):
                name = str(item["Key"]).rsplit("/", 1)[-1]
                if name.endswith(".json"):
                    found.append(name[: -len(".json")])
            if not page.get("IsTruncated"):
                return sorted(found)
            token = page.get("NextContinuationToken")

    def get_release(self, release_id: str) -> bytes | None:
        try:
            got = self.client.get_object(Bucket=self.bucket, Key=self.key(f"{RELEASES_DIR}{release_id}.json"))
            return bytes(got["Body"].read())
        except Exception as exc:
            if self._absent(exc, self.key(f"{RELEASES_DIR}{release_id}.json")):
                return None
            raise translate_aws_error(exc, self.bucket) from None

    # -- CDN
    def invalidate(self, paths: list[str], *, caller_reference: str, wait: bool) -> str:
        from lpublish.deploy.cdn import invalidate

        if not self.distribution or not paths:
            return ""
        try:
            result = invalidate(
                self.cloudfront, self.distribution, paths, caller_reference=caller_reference, wait=wait
            )
        except ExternalError:
            raise
        except Exception as exc:
            raise translate_aws_error(exc, self.bucket) from None
        return result.id
