"""AWS failures in plain words: the one place botocore errors become ``ExternalError``s.

Owns: ``translate_aws_error`` (credentials, profiles, regions, network, missing bucket, access denied,
anything else by code, never with credentials in it), ``client_error_code`` / ``http_status`` (reading a
botocore error without importing botocore first), the codes S3 uses for a failed condition
(``PRECONDITION``) and ``is_aws_endpoint`` (whether an endpoint override is AWS itself). Must not import UI
libraries.
"""

from __future__ import annotations

from lpublish.errors import ExternalError

#: S3's answers to a failed ``If-Match`` / ``If-None-Match`` (412, and 409 for a concurrent conditional write).
PRECONDITION = ("PreconditionFailed", "ConditionalRequestConflict")


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


def client_error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def http_status(exc: Exception) -> int:
    response = getattr(exc, "response", None) or {}
    return int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
