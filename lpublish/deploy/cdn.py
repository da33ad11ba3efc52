"""CloudFront invalidation: which paths to invalidate, and asking CloudFront to do it.

Owns: ``invalidation_paths`` (site paths -> the fewest CloudFront paths: ``dir/index.html`` also
invalidates ``dir/``; many paths collapse into directory wildcards inside CloudFront's limits of 3,000
paths and 15 wildcard paths in flight), ``encode_path`` (CloudFront's encoding rule), ``batch_reference``
(a CallerReference unique per batch content) and ``invalidate`` (idempotent, back-off on
``TooManyInvalidationsInProgress``, optional bounded wait). Must not import UI libraries.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from lpublish.errors import ExternalError

#: CloudFront allows at most this many paths in one invalidation batch (and in flight).
MAX_PATHS = 3000
#: ... and at most this many wildcard paths in flight.
MAX_WILDCARDS = 15
#: CloudFront's free tier: paths per month (a wildcard counts as one path).
FREE_PATHS_PER_MONTH = 1000


#: RFC 1738's "unsafe" characters. CloudFront wants exactly these (and non-ASCII) percent-encoded in
#: invalidation paths, and nothing else: encoding more makes the path miss the cached object.
_UNSAFE = frozenset(' "<>#%{}|\\^~[]`')


def encode_path(path: str) -> str:
    """A site path as CloudFront expects it in an invalidation batch (AWS: "If the path includes non-ASCII
    characters or unsafe characters as defined in RFC 1738, URL-encode those characters. Do not URL-encode
    any other characters"). A trailing ``*`` stays a wildcard."""
    wildcard = path.endswith("*")
    body = path[:-1] if wildcard else path
    out: list[str] = []
    for char in body:
        if ord(char) > 0x7E or ord(char) < 0x21 or char in _UNSAFE:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
        else:
            out.append(char)
    return "".join(out) + ("*" if wildcard else "")


def batch_reference(base: str, paths: list[str]) -> str:
    """A CallerReference unique to this batch's content.

    CloudFront answers ``InvalidationBatchAlreadyExists`` when a reference is sent again with other
    paths, forever; the same reference with the same paths returns the first invalidation. Hashing the
    paths into the reference keeps a rerun idempotent and never reuses a reference for a new batch.
    """
    digest = hashlib.sha256("\n".join(sorted(paths)).encode("utf-8")).hexdigest()[:16]
    return f"{base[:100]}-{digest}"


def _expand(path: str) -> list[str]:
    """``a/index.html`` -> ``/a/`` and ``/a/index.html`` (both URLs serve the same page)."""
    clean = "/" + path.lstrip("/")
    if clean.endswith("/index.html"):
        return [clean[: -len("index.html")], clean]
    return [clean]


def _dirs(path: str) -> list[str]:
    """The directory parts a CloudFront path lives in (``/a/b/x.html``, ``/a/b/`` and ``/a/b/*``: a, b)."""
    if path.endswith("/*"):
        inner = path[1:-2]
        return inner.split("/") if inner else []
    stripped = path.strip("/")
    if not stripped:
        return []
    if path.endswith("/"):
        return stripped.split("/")
    return stripped.split("/")[:-1]


def _covered(path: str, wildcards: Iterable[str]) -> bool:
    return any(path.startswith(w[:-1]) for w in wildcards)


def invalidation_paths(
    paths: Iterable[str], *, max_paths: int = 30, max_wildcards: int = MAX_WILDCARDS
) -> list[str]:
    """The CloudFront paths to invalidate for the changed/deleted site ``paths``.

    Up to ``max_paths`` exact paths are kept as they are (each costs one path). Beyond that, directories
    holding several changed paths become ``/dir/*`` wildcards, deepest level first and then shallower,
    until the list fits ``max_paths`` with at most ``max_wildcards`` wildcards; the last resort is ``/*``.
    """
    exact = sorted({p for path in paths for p in _expand(path)})
    limit = max(1, min(max_paths, MAX_PATHS))
    if len(exact) <= limit:
        return exact
    current = exact
    deepest = max(len(_dirs(p)) for p in exact)
    for depth in range(deepest, 0, -1):
        groups: dict[str, list[str]] = defaultdict(list)
        merged: set[str] = set()
        for p in current:
            parts = _dirs(p)
            if len(parts) >= depth:
                groups["/" + "/".join(parts[:depth]) + "/*"].append(p)
            else:
                merged.add(p)
        for wildcard, members in groups.items():
            if len(members) >= 2 or members[0].endswith("*"):
                merged.add(wildcard)
            else:
                merged.update(members)
        wildcards = {p for p in merged if p.endswith("*")}
        current = sorted(p for p in merged if p.endswith("*") or not _covered(p, wildcards))
        if len(current) <= limit and len(wildcards) <= max_wildcards:
            return current
    return ["/*"]


@dataclass
class InvalidationResult:
    id: str = ""
    status: str = ""
    paths: list[str] | None = None
    waited: bool = False


def invalidate(
    client: Any,
    distribution: str,
    paths: list[str],
    *,
    caller_reference: str,
    wait: bool = False,
    wait_timeout: float = 900.0,
    attempts: int = 8,
    sleep: Callable[[float], None] = time.sleep,
) -> InvalidationResult:
    """Create one invalidation; back off while CloudFront says too many are in progress; with ``wait``,
    poll until it completes or ``wait_timeout`` passes.

    ``paths`` are site paths (``/docs/お知らせ.pdf``); they are encoded here. ``caller_reference`` is a
    base: the sent reference also carries a digest of the paths (see ``batch_reference``), so a rerun of
    the same batch is idempotent and a different batch never collides with an earlier one.
    """
    from botocore.exceptions import ClientError

    if not paths:
        return InvalidationResult(paths=[])
    encoded = sorted({encode_path(p) for p in paths})
    batch = {
        "Paths": {"Quantity": len(encoded), "Items": encoded},
        "CallerReference": batch_reference(caller_reference, encoded),
    }
    delay = 2.0
    for attempt in range(attempts):
        try:
            response = client.create_invalidation(DistributionId=distribution, InvalidationBatch=batch)
            break
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("TooManyInvalidationsInProgress", "Throttling", "ThrottlingException") and (
                attempt < attempts - 1
            ):
                sleep(delay)
                delay = min(delay * 2, 60.0)
                continue
            if code in ("NoSuchDistribution", "NoSuchDistributionException"):
                raise ExternalError("deploy.cdn_missing", distribution=distribution) from None
            raise ExternalError("deploy.cdn_failed", distribution=distribution, code=code or "?") from None
    else:  # pragma: no cover - the loop always breaks or raises
        raise ExternalError("deploy.cdn_failed", distribution=distribution, code="retries")
    inv = response["Invalidation"]
    result = InvalidationResult(id=str(inv["Id"]), status=str(inv.get("Status", "")), paths=list(paths))
    if wait:
        deadline = time.monotonic() + wait_timeout
        poll = 5.0
        # moto reports COMPLETED, AWS reports Completed.
        while result.status.lower() != "completed":
            if time.monotonic() > deadline:
                raise ExternalError("deploy.cdn_wait_timeout", id=result.id, seconds=int(wait_timeout))
            sleep(poll)
            got = client.get_invalidation(DistributionId=distribution, Id=result.id)
            result.status = str(got["Invalidation"].get("Status", ""))
        result.waited = True
    return result
