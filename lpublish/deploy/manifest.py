"""The remote manifest: what lpublish believes is deployed, stored next to the site.

Owns: ``Entry`` (one deployed object: content hash, size, effective headers, the target's ETag and
version id), ``Manifest`` (files, retained hashed assets with their expiry, pending work left by an
interrupted deploy, when the manifest was last verified against a listing) and its JSON form at
``<prefix>.lpublish/manifest.json``; release records under ``.lpublish/releases/``; and reading the
scanning a directory (with the hashes of the build's own manifest). Must not import UI libraries.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lpublish.deploy.headers import Headers
from lpublish.deploy.walk import walk_source
from lpublish.hashing import sha256_file
from lpublish.site.build_manifest import MANIFEST_NAME, read_build_manifest
from lpublish.site.own_files import walk_exclusion_rule

#: Keys lpublish keeps for itself under the deploy prefix; never part of the site, never deleted as stale.
META_DIR = ".lpublish/"
MANIFEST_KEY = ".lpublish/manifest.json"
LOCK_KEY = ".lpublish/lock.json"
RELEASES_DIR = ".lpublish/releases/"
FORMAT_VERSION = 1

logger = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


# One encoder each: ``json.dumps`` with non-default options builds a new encoder per call (20,000 per
# manifest write).
_KEY_JSON = json.JSONEncoder(ensure_ascii=False)
_ENTRY_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


@dataclass(frozen=True)
class Entry:
    """One deployed object. ``headers`` is ``None`` when unknown (found by a listing, not by lpublish)."""

    sha256: str
    size: int
    headers: Headers | None
    etag: str = ""
    version_id: str | None = None
    #: For retained (stale, hashed) objects: when they may be deleted.
    until: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"sha256": self.sha256, "size": self.size}
        if self.headers is not None:
            data.update(self.headers.to_dict())
            data["fp"] = self.headers.fingerprint()
        if self.etag:
            data["etag"] = self.etag
        if self.version_id:
            data["version_id"] = self.version_id
        if self.until:
            data["until"] = self.until
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entry:
        headers = Headers.from_dict(data) if "content_type" in data else None
        return cls(
            sha256=str(data.get("sha256", "")),
            size=int(data.get("size", 0)),
            headers=headers,
            etag=str(data.get("etag", "")),
            version_id=data.get("version_id") or None,
            until=data.get("until") or None,
        )

    def with_headers(self, headers: Headers) -> Entry:
        return replace(self, headers=headers)


@dataclass
class Manifest:
    """What is deployed under one prefix."""

    files: dict[str, Entry] = field(default_factory=dict)
    retained: dict[str, Entry] = field(default_factory=dict)
    deploy_id: str = ""
    commit: str = ""
    created: str = ""
    verified_at: str = ""
    #: Release sequence number: release ids start with it, so they sort in deploy order.
    seq: int = 0
    #: Work a deploy committed to but may not have finished: {"deploy_id", "invalidate", "delete"}.
    pending: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> bytes:
        """Compact JSON with one line per file: readable and diffable, small to read on every deploy."""
        head = {
            "version": FORMAT_VERSION,
            "deploy_id": self.deploy_id,
            "commit": self.commit,
            "created": self.created,
            "verified_at": self.verified_at,
            "seq": self.seq,
            "pending": self.pending,
        }
        parts = [json.dumps(head, ensure_ascii=False)[:-1]]
        key, entry = _KEY_JSON.encode, _ENTRY_JSON.encode
        for section, entries in (("files", self.files), ("retained", self.retained)):
            body = ",\n".join(f"  {key(k)}: {entry(entries[k].to_dict())}" for k in sorted(entries))
            parts.append(f', "{section}": {{\n{body}\n}}' if body else f', "{section}": {{}}')
        return ("".join(parts) + "}\n").encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        """Parse a manifest; raises ``ValueError`` when it is not one (treated as missing by the engine)."""
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
            raise ValueError("not an lpublish manifest")
        return cls(
            files={str(k): Entry.from_dict(v) for k, v in (data.get("files") or {}).items()},
            retained={str(k): Entry.from_dict(v) for k, v in (data.get("retained") or {}).items()},
            deploy_id=str(data.get("deploy_id", "")),
            commit=str(data.get("commit", "")),
            created=str(data.get("created", "")),
            verified_at=str(data.get("verified_at", "")),
            seq=int(data.get("seq", 0) or 0),
            pending=dict(data.get("pending") or {}),
        )


@dataclass(frozen=True)
class LocalFile:
    """A file of the build to deploy: site path (``a/b.html``), where it is, its content hash and size."""

    path: str
    #: The file's path on disk (a string: thousands of ``Path`` objects cost more than the walk).
    source: str
    sha256: str
    size: int


def parse_manifest(raw: bytes | None, etag: str) -> tuple[Manifest | None, str]:
    """A stored manifest's bytes as a ``Manifest`` (``None`` when absent or not a manifest) and its ETag."""
    if raw is None:
        return None, etag
    try:
        return Manifest.from_json(raw), etag
    except ValueError:
        return None, etag


#: What a walk of the build found: (site path, file path, stat) per file.
Walked = list[tuple[str, str, os.stat_result]]


def walk_build(source: Path, exclude: Iterable[str] = ()) -> Walked:
    """Every file under ``source`` (symlinks followed only inside it; the build manifest and
    ``.lpublish/`` skipped). ``exclude``: patterns (``lpublish.site.own_files.is_excluded``) of files and
    folders never deployed; excluded folders are not even entered. Links out of the folder, loops and
    undecodable names refuse the deploy (``lpublish.deploy.walk``)."""
    patterns = list(exclude)
    return [
        found
        for found in walk_source(
            source,
            skip_top=frozenset({".lpublish"}),
            excluded=walk_exclusion_rule(patterns) if patterns else None,
        )
        if found[0] != MANIFEST_NAME
    ]


def local_files(source: Path, found: Walked) -> dict[str, LocalFile]:
    """The walked files with their SHA-256.

    Hashes come from the build manifest (``lpublish.site.build_manifest``) when it lists the file with
    the same size and the file is not newer than the manifest; other files are hashed here. (mtimes only
    decide whether a hash can be reused, never whether a file changed: a fresh checkout looks unchanged.)
    """
    known = read_build_manifest(source) or {}

    # A hash is reused only for a file the build listed with this size and did not see change since.
    fresh = {
        rel: hit.sha256 for rel, _, stat in found if (hit := known.get(rel)) is not None and hit.matches(stat)
    }
    logger.info("%d files found; %d hashes reused from the build's manifest", len(found), len(fresh))

    stale = [full for rel, full, _ in found if rel not in fresh]
    # hashlib releases the GIL on large buffers, so hashing in threads uses every core.
    hashed: dict[str, str] = {}
    if stale:
        with ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 1) * 2)) as pool:
            hashed = dict(zip(stale, pool.map(sha256_file, map(Path, stale)), strict=True))
    return {
        rel: LocalFile(rel, full, fresh.get(rel) or hashed[full], stat.st_size) for rel, full, stat in found
    }
