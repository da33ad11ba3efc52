"""What a deploy target is: the interface the engine drives, and the lock record every target stores.

Owns: the ``Target`` protocol, composed of four small roles (``ObjectStore``: the manifest with its
conditional commit, listing, upload, server-side copy, batch delete; ``LockStore``: the deploy lock;
``ReleaseStore``: release records; ``Cdn``: invalidation), ``LockInfo`` and its JSON form, who holds a
lock (``lock_owner``, from the ``Environment``), and the lock errors both targets raise. The S3 and folder
implementations live in ``s3_target`` and ``folder_target``. Must not import UI libraries.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Protocol

from lpublish.deploy.headers import Headers
from lpublish.deploy.manifest import Manifest, iso, parse_iso, utcnow
from lpublish.deploy.plan import RemoteObject
from lpublish.environment import Environment
from lpublish.errors import ContentError


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

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "owner": self.owner,
                "acquired": self.acquired,
                "expires": self.expires,
                "deploy_id": self.deploy_id,
                "token": self.token,
            }
        ).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> LockInfo | None:
        """The lock in ``raw``, or ``None`` when it is not one (an unreadable lock counts as stale)."""
        try:
            data = json.loads(raw)
            return cls(
                str(data["owner"]),
                str(data["acquired"]),
                str(data["expires"]),
                str(data.get("deploy_id", "")),
                str(data.get("token", "")),
            )
        except (ValueError, KeyError, TypeError):
            return None


#: ``finished(lock) -> bool``: whether the holder of a live lock has in fact finished (its release is
#: committed), so the lock is left over from a crash or a failed release and may be removed.
FinishedCheck = Callable[[LockInfo], bool]


class ObjectStore(Protocol):
    """The site's objects and the manifest describing them. Paths are relative to the target's prefix."""

    url: str
    site_url: str
    #: The key prefix (``previews/pr-7/``) or ``""`` for the whole bucket or folder.
    prefix: str
    #: Whether the target serves ``Content-Encoding`` (a directory does not).
    supports_encoding: bool

    @property
    def requests(self) -> int:
        """Requests sent so far (every HTTP attempt for S3, every file operation for a folder)."""
        ...

    def connect(self) -> None:
        """Get ready to send requests (an S3 target makes its clients). CPU work, done before the
        threads that mostly wait on the network and the disk start: run beside them, it would hold the
        interpreter lock while they queue for it after every system call."""
        ...

    def fetch_manifest(self) -> tuple[bytes | None, str]:
        """The manifest's bytes as stored (``None`` when there is none) and its ETag: waiting only, so
        the engine runs it beside the walk and parses afterwards."""
        ...

    def read_manifest(self) -> tuple[Manifest | None, str]:
        """The manifest (``parse_manifest`` of ``fetch_manifest``)."""
        ...

    def manifest_unchanged(self, etag: str) -> bool: ...

    def write_manifest(self, manifest: Manifest, if_match: str, body: bytes | None = None) -> str:
        """Commit ``manifest`` (``body``: its JSON when already serialised) if the ETag still matches."""
        ...

    def list_objects(self) -> dict[str, RemoteObject]: ...

    def local_etag(self, source: Path, size: int) -> str | None:
        """The ETag this target would give ``source``'s bytes, or ``None`` when it cannot be predicted."""
        ...

    def upload(
        self, path: str, source: Path, headers: Headers, sha256: str, body: bytes | None = None
    ) -> tuple[str, str | None]: ...

    def copy(
        self, path: str, copy_from: str, version: str | None, headers: Headers, sha256: str
    ) -> tuple[str, str | None]: ...

    def delete(self, paths: list[str]) -> list[str]: ...

    def object_exists(self, path: str, version: str | None) -> bool: ...

    def remove_prefix(self) -> int: ...


class LockStore(Protocol):
    """The deploy lock: one holder at a time, renewed while it works, proven before each commit step."""

    def acquire_lock(
        self, info: LockInfo, *, wait_seconds: float, finished: FinishedCheck | None = None
    ) -> None: ...

    def renew_lock(self, deploy_id: str | None = None) -> None:
        """Extend our lock (an ownership check too); ``ContentError`` ``lock_lost`` when it is not ours."""
        ...

    def release_lock(self) -> None:
        """Remove our lock; ``ExternalError`` when that fails (a lock taken over by another is left)."""
        ...


class ReleaseStore(Protocol):
    """Release records (``.lpublish/releases/<id>.json``): what each deploy committed, for rollback."""

    def put_release(self, release_id: str, data: bytes) -> None: ...

    def list_releases(self) -> list[str]: ...

    def get_release(self, release_id: str) -> bytes | None: ...


class Cdn(Protocol):
    """The CDN in front of the target (CloudFront), or none (``distribution`` empty)."""

    distribution: str

    def invalidate(self, paths: list[str], *, caller_reference: str, wait: bool) -> str: ...


class Target(ObjectStore, LockStore, ReleaseStore, Cdn, Protocol):
    """A place a site can be deployed to: all four roles."""


def lock_owner(env: Environment) -> str:
    """Who holds the lock, for the message another deploy shows (no secrets: user, host, CI run)."""
    run = env.github_run_id
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "?"
    where = f"GitHub Actions run {run}" if run else socket.gethostname()
    return f"{user}@{where} (pid {os.getpid()})"


def new_lock(deploy_id: str, ttl_seconds: float, owner: str) -> LockInfo:
    """A fresh lock record for ``owner`` (see ``lock_owner``), valid for ``ttl_seconds``."""
    now = utcnow()
    return LockInfo(owner, iso(now), iso(now + timedelta(seconds=ttl_seconds)), deploy_id, uuid.uuid4().hex)


def expired(info: LockInfo | None) -> bool:
    if info is None:
        return True  # an unreadable lock is as good as a stale one
    expiry = parse_iso(info.expires)
    return expiry is None or expiry <= utcnow()


def lock_lost(target: str) -> ContentError:
    return ContentError("services.deploy.lock_lost", target=target)


def locked_error(info: LockInfo | None) -> ContentError:
    return ContentError(
        "deploy.locked",
        owner=info.owner if info else "?",
        since=info.acquired if info else "?",
        expires=info.expires if info else "?",
    )
