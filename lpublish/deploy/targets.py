"""Deploy targets: where a site is deployed to. An S3 bucket (optionally behind CloudFront) or a directory.

Owns: the ``Target`` interface the engine drives (manifest read / conditional commit, listing, upload,
server-side copy, batch delete, the deploy lock, release records), ``S3Target`` (boto3, honouring
``AWS_ENDPOINT_URL[_S3]``, profiles and the standard credential chain; counts every HTTP request),
``DirTarget`` (a plain directory, used by practice mode) and the translation of AWS failures into plain
``ExternalError``s. Must not import UI libraries.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import logging
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

from lpublish.deploy.headers import Headers
from lpublish.deploy.manifest import (
    LOCK_KEY,
    MANIFEST_KEY,
    META_DIR,
    RELEASES_DIR,
    Manifest,
    iso,
    parse_iso,
    utcnow,
)
from lpublish.deploy.plan import RemoteObject
from lpublish.errors import ContentError, ExternalError, UsageError
from lpublish.hashing import md5_file, sha256_file

logger = logging.getLogger(__name__)

#: Files at least this big are uploaded in parts (S3 needs parts for > 5 GB; parts retry independently).
MULTIPART_THRESHOLD = 64 * 1024 * 1024


@dataclass(frozen=True)
class LockInfo:
    owner: str
    acquired: str
    expires: str
    #: The release this holder is writing, once it knows it: a lock whose release is committed is stale.
    deploy_id: str = ""
    #: Unique per acquisition: who holds the lock is decided by this, never by the owner text.
    token: str = ""

    @property
    def ttl_seconds(self) -> float:
        start, end = parse_iso(self.acquired), parse_iso(self.expires)
        return max(1.0, (end - start).total_seconds()) if start and end else 900.0

    def renewed(self, deploy_id: str | None = None) -> LockInfo:
        """The same lock valid for another TTL from now (and naming ``deploy_id`` when given)."""
        now = utcnow()
        return replace(
            self,
            expires=iso(now + timedelta(seconds=self.ttl_seconds)),
            acquired=iso(now),
            deploy_id=self.deploy_id if deploy_id is None else deploy_id,
        )


#: ``finished(lock) -> bool``: whether the holder of a live lock has in fact finished (its release is
#: committed), so the lock is left over from a crash or a failed release and may be removed.
FinishedCheck = Callable[[LockInfo], bool]


class Target(Protocol):
    """A place a site can be deployed to. Paths are site paths relative to the target's prefix."""

    url: str
    site_url: str
    distribution: str
    #: Whether the target serves ``Content-Encoding`` (a directory does not).
    supports_encoding: bool

    @property
    def requests(self) -> int: ...

    def read_manifest(self) -> tuple[Manifest | None, str]: ...

    def manifest_unchanged(self, etag: str) -> bool: ...

    def write_manifest(self, manifest: Manifest, if_match: str, body: bytes | None = None) -> str:
        """Commit ``manifest`` (``body``: its JSON when already serialised) if the ETag still matches."""
        ...

    def list_objects(self) -> dict[str, RemoteObject]: ...

    def local_etag(self, source: Path, size: int) -> str | None: ...

    def upload(
        self, path: str, source: Path, headers: Headers, sha256: str, body: bytes | None = None
    ) -> tuple[str, str | None]: ...

    def copy(
        self, path: str, copy_from: str, version: str | None, headers: Headers, sha256: str
    ) -> tuple[str, str | None]: ...

    def delete(self, paths: list[str]) -> list[str]: ...

    def acquire_lock(
        self, info: LockInfo, *, wait_seconds: float, finished: FinishedCheck | None = None
    ) -> None: ...

    def renew_lock(self, deploy_id: str | None = None) -> None:
        """Extend our lock (an ownership check too); ``ContentError`` ``lock_lost`` when it is not ours."""
        ...

    def release_lock(self) -> None:
        """Remove our lock; ``ExternalError`` when that fails (a lock taken over by another is left)."""
        ...

    def put_release(self, release_id: str, data: bytes) -> None: ...

    def list_releases(self) -> list[str]: ...

    def get_release(self, release_id: str) -> bytes | None: ...

    def object_exists(self, path: str, version: str | None) -> bool: ...

    def remove_prefix(self) -> int: ...

    def invalidate(self, paths: list[str], *, caller_reference: str, wait: bool) -> str: ...


def lock_owner() -> str:
    """Who holds the lock, for the message another deploy shows (no secrets: user, host, CI run)."""
    run = os.environ.get("GITHUB_RUN_ID")
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "?"
    where = f"GitHub Actions run {run}" if run else socket.gethostname()
    return f"{user}@{where} (pid {os.getpid()})"


def new_lock(deploy_id: str, ttl_seconds: float) -> LockInfo:
    now = utcnow()
    return LockInfo(
        lock_owner(), iso(now), iso(now + timedelta(seconds=ttl_seconds)), deploy_id, uuid.uuid4().hex
    )


def _lock_json(info: LockInfo) -> bytes:
    return json.dumps(
        {
            "owner": info.owner,
            "acquired": info.acquired,
            "expires": info.expires,
            "deploy_id": info.deploy_id,
            "token": info.token,
        }
    ).encode()


def _parse_lock(raw: bytes) -> LockInfo | None:
    try:
        data = json.loads(raw)
        return LockInfo(
            str(data["owner"]),
            str(data["acquired"]),
            str(data["expires"]),
            str(data.get("deploy_id", "")),
            str(data.get("token", "")),
        )
    except (ValueError, KeyError, TypeError):
        return None


def _lock_lost(target: str) -> ContentError:
    return ContentError("services.deploy.lock_lost", target=target)


_PRECONDITION = ("PreconditionFailed", "ConditionalRequestConflict")


def _expired(info: LockInfo | None) -> bool:
    if info is None:
        return True  # an unreadable lock is as good as a stale one
    expiry = parse_iso(info.expires)
    return expiry is None or expiry <= utcnow()


def _locked_error(info: LockInfo | None) -> ContentError:
    return ContentError(
        "deploy.locked",
        owner=info.owner if info else "?",
        since=info.acquired if info else "?",
        expires=info.expires if info else "?",
    )


# ---------------------------------------------------------------------------------------------- S3


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


def is_aws_endpoint(endpoint: str | None) -> bool:
    return not endpoint or ".amazonaws.com" in endpoint or ".amazonaws.com.cn" in endpoint


def translate_aws_error(exc: BaseException, bucket: str) -> ExternalError:
    """A plain-language ``ExternalError`` for a boto3/botocore failure (never with credentials in it)."""
    from botocore.exceptions import (
        ClientError,
        ConnectionClosedError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
        ProfileNotFound,
        ReadTimeoutError,
    )

    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return ExternalError("deploy.no_credentials")
    if isinstance(exc, ProfileNotFound):
        return ExternalError("deploy.no_profile", profile=str(getattr(exc, "kwargs", {}).get("profile", "?")))
    if isinstance(exc, NoRegionError):
        return ExternalError("deploy.no_region")
    if isinstance(exc, EndpointConnectionError | ConnectionClosedError | ReadTimeoutError):
        return ExternalError("deploy.network", bucket=bucket)
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code in ("NoSuchBucket",):
            return ExternalError("deploy.bucket_missing", bucket=bucket)
        if code in ("AccessDenied", "Forbidden", "403", "AllAccessDisabled") or status == 403:
            return ExternalError("deploy.access_denied", bucket=bucket)
        if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken"):
            return ExternalError("deploy.bad_credentials", code=code)
        return ExternalError("deploy.s3_failed", bucket=bucket, code=code or str(status))
    return ExternalError("deploy.network", bucket=bucket)


def _client_error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def _status(exc: Exception) -> int:
    response = getattr(exc, "response", None) or {}
    return int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)


class S3Target:
    """An S3 bucket + prefix, optionally fronted by a CloudFront distribution."""

    supports_encoding = True

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        region: str = "",
        distribution: str = "",
        site_url: str = "",
        profile: str | None = None,
        endpoint_url: str | None = None,
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
        self._count = 0
        self._count_lock = threading.Lock()
        self._lock_etag: str | None = None
        self._lock_info: LockInfo | None = None
        self._lock_guard = threading.Lock()
        self._clients: tuple[Any, Any] | None = None
        self._client_error: BaseException | None = None
        self._ready = threading.Event()
        settings = (region, profile, endpoint_url, workers, max_attempts)
        # Importing boto3 and building a client takes ~0.5 s of CPU; doing it in the background overlaps
        # it with hashing the build, which is most of a no-op deploy's wall time.
        threading.Thread(target=self._make_clients, args=settings, daemon=True, name="lpublish-s3").start()

    def _make_clients(
        self, region: str, profile: str | None, endpoint_url: str | None, workers: int, max_attempts: int
    ) -> None:
        try:
            import boto3
            from botocore.config import Config

            endpoint = (
                endpoint_url or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
            )
            extra: dict[str, Any] = {}
            if not is_aws_endpoint(endpoint):
                # Non-AWS endpoints (moto, MinIO, R2) reject or mangle the newer default checksums.
                extra["request_checksum_calculation"] = "when_required"
                extra["response_checksum_validation"] = "when_required"
                extra["s3"] = {"addressing_style": "path"}
            config = Config(
                max_pool_connections=max(10, workers + 4),
                # Standard mode retries throttling, 5xx and connection errors with jittered back-off.
                retries={"mode": "standard", "max_attempts": max_attempts},
                connect_timeout=10,
                read_timeout=60,
                **extra,
            )
            session = boto3.Session(profile_name=profile or None, region_name=region or None)
            client = session.client("s3", endpoint_url=endpoint or None, config=config)
            client.meta.events.register("before-send.s3", self._count_request)
            # "Expect: 100-continue" costs a round trip per PUT before the body is sent; a site is mostly
            # small files, so skip it (measured ~5-8 % faster on a 2,000-file upload).
            from botocore.handlers import add_expect_header

            client.meta.events.unregister("before-call.s3.PutObject", add_expect_header)
            cloudfront = None
            if self.distribution:
                cf_endpoint = os.environ.get("AWS_ENDPOINT_URL_CLOUDFRONT") or os.environ.get(
                    "AWS_ENDPOINT_URL"
                )
                cloudfront = session.client("cloudfront", endpoint_url=cf_endpoint or None, config=config)
                cloudfront.meta.events.register("before-send.cloudfront", self._count_request)
            self._clients = (client, cloudfront)
        except BaseException as exc:
            self._client_error = exc
        finally:
            self._ready.set()

    def _get_clients(self) -> tuple[Any, Any]:
        self._ready.wait()
        if self._client_error is not None or self._clients is None:
            raise translate_aws_error(self._client_error or RuntimeError(), self.bucket) from None
        return self._clients

    @property
    def client(self) -> Any:
        """The boto3 S3 client (typed as Any: the stubs' overloads fight ``**params``)."""
        return self._get_clients()[0]

    @property
    def cloudfront(self) -> Any:
        return self._get_clients()[1]

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
            if _client_error_code(exc) in ("PreconditionFailed", "ConditionalRequestConflict", "304"):
                raise
            raise translate_aws_error(exc, self.bucket) from None

    def _absent(self, exc: Exception, key: str) -> bool:
        """Whether a failed read of ``key`` means "no such object".

        S3 answers 403 instead of 404 for a missing key when the caller may not list that key (a
        ``ListBucket`` conditioned on a prefix, as least-privilege policies do). A 403 is therefore only
        "unknown": a prefix listing of exactly that key decides, and a real denial stays a denial.
        """
        if _client_error_code(exc) in ("NoSuchKey", "404") or _status(exc) == 404:
            return True
        if _status(exc) != 403:
            return False
        try:
            page = self.client.list_objects_v2(Bucket=self.bucket, Prefix=key, MaxKeys=1)
        except Exception:
            return False
        return not any(str(item.get("Key")) == key for item in page.get("Contents", []))

    # -- manifest
    def read_manifest(self) -> tuple[Manifest | None, str]:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.key(MANIFEST_KEY))
            raw = response["Body"].read()
        except Exception as exc:
            if self._absent(exc, self.key(MANIFEST_KEY)):
                return None, ""
            raise translate_aws_error(exc, self.bucket) from None
        etag = str(response.get("ETag", ""))
        try:
            return Manifest.from_json(raw), etag
        except ValueError:
            return None, etag

    def manifest_unchanged(self, etag: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(MANIFEST_KEY), IfNoneMatch=etag or "*")
        except Exception as exc:
            status = _status(exc)
            if status == 304 or _client_error_code(exc) == "304":
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
            )
        except Exception as exc:
            if _client_error_code(exc) in ("PreconditionFailed", "ConditionalRequestConflict"):
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
        if size >= MULTIPART_THRESHOLD:
            return None
        return f'"{md5_file(source)}"'

    def upload(
        self, path: str, source: Path, headers: Headers, sha256: str, body: bytes | None = None
    ) -> tuple[str, str | None]:
        params = s3_params(headers, sha256)
        if body is None and source.stat().st_size >= MULTIPART_THRESHOLD:
            from boto3.s3.transfer import TransferConfig

            transfer = TransferConfig(
                multipart_threshold=MULTIPART_THRESHOLD,
                multipart_chunksize=16 * 1024 * 1024,
                max_concurrency=4,
            )
            try:
                self.client.upload_file(
                    str(source), self.bucket, self.key(path), ExtraArgs=params, Config=transfer
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
            if _status(exc) in (400, 404, 405) or _client_error_code(exc) in (
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
        body = _lock_json(info)
        key = self.key(LOCK_KEY)
        while True:
            try:
                response = self.client.put_object(
                    Bucket=self.bucket, Key=key, Body=body, IfNoneMatch="*", ContentType="application/json"
                )
                self._hold(info, str(response.get("ETag", "")))
                return
            except Exception as exc:
                if _client_error_code(exc) not in _PRECONDITION:
                    raise translate_aws_error(exc, self.bucket) from None
            # Someone holds it: take it over only if it is stale, and only if nobody else did first.
            current: LockInfo | None = None
            try:
                got = self.client.get_object(Bucket=self.bucket, Key=key)
                current = _parse_lock(got["Body"].read())
                etag = str(got.get("ETag", ""))
            except Exception as exc:
                if self._absent(exc, key):
                    continue  # released in between: try again at once
                raise translate_aws_error(exc, self.bucket) from None
            if not _expired(current) and current is not None and finished is not None and finished(current):
                # Left over: its deploy committed, then the holder crashed or failed to release it.
                logger.info("removing the lock of finished deploy %s", current.deploy_id)
                with contextlib.suppress(Exception):
                    self.client.delete_object(Bucket=self.bucket, Key=key, IfMatch=etag)
                continue
            if _expired(current):
                try:
                    response = self.client.put_object(
                        Bucket=self.bucket, Key=key, Body=body, IfMatch=etag, ContentType="application/json"
                    )
                    self._hold(info, str(response.get("ETag", "")))
                    return
                except Exception as exc:
                    if _client_error_code(exc) not in (*_PRECONDITION, "NoSuchKey"):
                        raise translate_aws_error(exc, self.bucket) from None
                    continue
            if time.monotonic() >= deadline:
                raise _locked_error(current)
            time.sleep(min(2.0, max(0.1, deadline - time.monotonic())))

    def _hold(self, info: LockInfo, etag: str) -> None:
        with self._lock_guard:
            self._lock_info, self._lock_etag = info, etag

    def renew_lock(self, deploy_id: str | None = None) -> None:
        with self._lock_guard:
            if self._lock_info is None or self._lock_etag is None:
                raise _lock_lost(self.url)
            info = self._lock_info.renewed(deploy_id)
            try:
                # Conditional on our own ETag: succeeds only while nobody else has replaced the lock.
                response = self.client.put_object(
                    Bucket=self.bucket,
                    Key=self.key(LOCK_KEY),
                    Body=_lock_json(info),
                    IfMatch=self._lock_etag,
                    ContentType="application/json",
                )
            except Exception as exc:
                if _client_error_code(exc) in (*_PRECONDITION, "NoSuchKey") or _status(exc) in (404, 412):
                    self._lock_info = self._lock_etag = None
                    raise _lock_lost(self.url) from None
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
            if _client_error_code(exc) in (*_PRECONDITION, "NoSuchKey") or _status(exc) in (404, 412):
                return
            first = exc
        if _status(first) in (400, 501) or _client_error_code(first) in ("NotImplemented", "InvalidArgument"):
            # Endpoints without conditional deletes: remove it plainly (it is ours: we just held it).
            try:
                self.client.delete_object(Bucket=self.bucket, Key=key)
                return
            except Exception as exc:
                first = exc
        code = _client_error_code(first) or str(_status(first) or type(first).__name__)
        raise ExternalError("services.deploy.unlock_failed", target=self.url, lock=key, code=code) from None

    # -- releases
    def put_release(self, release_id: str, data: bytes) -> None:
        self._call(
            self.client.put_object,
            Bucket=self.bucket,
            Key=self.key(f"{RELEASES_DIR}{release_id}.json"),
            Body=data,
            ContentType="application/json; charset=utf-8",
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


# ---------------------------------------------------------------------------------------- directory


class DirTarget:
    """A directory: the same planner and manifest, files written atomically. Headers live in the manifest."""

    supports_encoding = False
    distribution = ""

    def __init__(self, root: Path, prefix: str = "", *, site_url: str = "") -> None:
        self.base = root
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.root = root / self.prefix if self.prefix else root
        self.url = self.root.resolve().as_uri() + "/"
        self.site_url = site_url
        self._count = 0
        self._lock_info: LockInfo | None = None
        self._io = threading.Lock()

    @property
    def requests(self) -> int:
        return self._count

    def _tick(self) -> None:
        with self._io:
            self._count += 1

    def _path(self, path: str) -> Path:
        full = (self.root / path).resolve()
        root = self.root.resolve()
        if full != root and root not in full.parents:
            raise ContentError("deploy.bad_path", path=path)
        return full

    def _write(self, dest: Path, data: bytes | None = None, source: Path | None = None) -> None:
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.lpublish-tmp-{threading.get_ident()}")
        if data is not None:
            tmp.write_bytes(data)
        elif source is not None:
            shutil.copyfile(source, tmp)
        os.replace(tmp, dest)

    def read_manifest(self) -> tuple[Manifest | None, str]:
        self._tick()
        target = self._path(MANIFEST_KEY)
        try:
            raw = target.read_bytes()
        except FileNotFoundError:
            return None, ""
        etag = _digest(raw)
        try:
            return Manifest.from_json(raw), etag
        except ValueError:
            return None, etag

    def manifest_unchanged(self, etag: str) -> bool:
        self._tick()
        try:
            return _digest(self._path(MANIFEST_KEY).read_bytes()) == etag
        except FileNotFoundError:
            return not etag

    def write_manifest(self, manifest: Manifest, if_match: str, body: bytes | None = None) -> str:
        self._tick()
        target = self._path(MANIFEST_KEY)
        try:
            current = _digest(target.read_bytes())
        except FileNotFoundError:
            current = ""
        if current != if_match:
            raise ContentError("deploy.manifest_conflict")
        data = body if body is not None else manifest.to_json()
        self._write(target, data)
        return _digest(data)

    def list_objects(self) -> dict[str, RemoteObject]:
        self._tick()
        found: dict[str, RemoteObject] = {}
        if not self.root.is_dir():
            return found
        for dirpath, dirnames, filenames in os.walk(self.root):
            rel_dir = os.path.relpath(dirpath, self.root).replace(os.sep, "/")
            if rel_dir == ".":
                dirnames[:] = [d for d in dirnames if d != ".lpublish"]
            for name in filenames:
                if ".lpublish-tmp-" in name:
                    continue
                rel = name if rel_dir == "." else f"{rel_dir}/{name}"
                full = Path(dirpath) / name
                found[rel] = RemoteObject(full.stat().st_size, sha256_file(full))
        return found

    def local_etag(self, source: Path, size: int) -> str | None:
        return sha256_file(source)

    def upload(
        self, path: str, source: Path, headers: Headers, sha256: str, body: bytes | None = None
    ) -> tuple[str, str | None]:
        self._tick()
        self._write(self._path(path), body, None if body is not None else source)
        return sha256, None

    def copy(
        self, path: str, copy_from: str, version: str | None, headers: Headers, sha256: str
    ) -> tuple[str, str | None]:
        self._tick()
        if copy_from != path:
            self._write(self._path(path), source=self._path(copy_from))
        return sha256, None

    def delete(self, paths: list[str]) -> list[str]:
        failed: list[str] = []
        for path in paths:
            self._tick()
            try:
                self._path(path).unlink(missing_ok=True)
            except OSError:
                failed.append(path)
        return failed

    def object_exists(self, path: str, version: str | None) -> bool:
        return version is None and self._path(path).is_file()

    def remove_prefix(self) -> int:
        listing = self.list_objects()
        failed = self.delete(sorted(listing))
        if failed:
            raise ExternalError("deploy.delete_failed", count=len(failed), first=failed[0])
        if self.prefix and self.root.is_dir():
            shutil.rmtree(self.root)  # the folder itself, with .lpublish/ and empty directories
        return len(listing)

    def acquire_lock(
        self, info: LockInfo, *, wait_seconds: float, finished: FinishedCheck | None = None
    ) -> None:
        lock = self._path(LOCK_KEY)
        lock.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + wait_seconds
        while True:
            self._tick()
            try:
                fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                try:
                    current = _parse_lock(lock.read_bytes())
                except FileNotFoundError:
                    continue
                left_over = current is not None and finished is not None and finished(current)
                if _expired(current) or left_over:
                    # Move the stale lock aside (atomic), then race for it again through O_EXCL. If what we
                    # moved turns out to be someone's fresh lock, put it back: only one process wins.
                    aside = lock.with_name(f"lock.stale-{os.getpid()}-{threading.get_ident()}")
                    try:
                        os.rename(lock, aside)
                    except FileNotFoundError:
                        continue
                    moved = _parse_lock(aside.read_bytes())
                    if not _expired(moved) and not (moved is not None and moved == current and left_over):
                        with contextlib.suppress(OSError):
                            os.link(aside, lock)
                    aside.unlink(missing_ok=True)
                    continue
                if time.monotonic() >= deadline:
                    raise _locked_error(current) from None
                time.sleep(min(0.5, max(0.05, deadline - time.monotonic())))
                continue
            with os.fdopen(fd, "wb") as fh:
                fh.write(_lock_json(info))
            self._lock_info = info
            return

    def renew_lock(self, deploy_id: str | None = None) -> None:
        with self._io:
            lock = self._path(LOCK_KEY)
            try:
                current = _parse_lock(lock.read_bytes())
            except FileNotFoundError:
                current = None
            if self._lock_info is None or current is None or current.token != self._lock_info.token:
                self._lock_info = None
                raise _lock_lost(self.url)
            info = self._lock_info.renewed(deploy_id)
            tmp = lock.with_name(f"lock.renew-{os.getpid()}-{threading.get_ident()}")
            tmp.write_bytes(_lock_json(info))
            os.replace(tmp, lock)
            self._lock_info = info

    def release_lock(self) -> None:
        info, self._lock_info = self._lock_info, None
        if info is None:
            return
        lock = self._path(LOCK_KEY)
        try:
            current = _parse_lock(lock.read_bytes())
            if current is not None and current.token == info.token:
                lock.unlink()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise ExternalError(
                "services.deploy.unlock_failed",
                target=self.url,
                lock=str(lock),
                code=exc.strerror or "OSError",
            ) from None

    def put_release(self, release_id: str, data: bytes) -> None:
        self._tick()
        self._write(self._path(f"{RELEASES_DIR}{release_id}.json"), data)

    def list_releases(self) -> list[str]:
        self._tick()
        folder = self._path(RELEASES_DIR)
        if not folder.is_dir():
            return []
        return sorted(p.stem for p in folder.glob("*.json"))

    def get_release(self, release_id: str) -> bytes | None:
        self._tick()
        try:
            return self._path(f"{RELEASES_DIR}{release_id}.json").read_bytes()
        except FileNotFoundError:
            return None

    def invalidate(self, paths: list[str], *, caller_reference: str, wait: bool) -> str:
        return ""


def _digest(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()
