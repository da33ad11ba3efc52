"""The deploy planner: a pure diff of what should be deployed against what is deployed.

Owns: ``Desired`` (one object that should exist: content hash, headers, where its bytes come from),
``Action``, ``Plan``, ``plan_changes`` (content + header-fingerprint diff, never mtimes; renames and
rollbacks become server-side copies; stale hashed assets are retained for a grace period), reconciling a
manifest with a bucket listing (drift), and the safety guards. No I/O here. Must not import UI libraries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from lpublish.deploy.headers import Headers, is_entry, is_hashed
from lpublish.deploy.manifest import META_DIR, Entry, Manifest, iso, parse_iso

ActionKind = Literal["upload", "copy", "delete"]
Reason = Literal["new", "changed", "headers", "drift", "rename", "restore", "stale", "expired"]


@dataclass(frozen=True)
class Desired:
    """One object that should be deployed. ``source`` is a local file's path, or ``None`` for copy-only
    sources."""

    path: str
    sha256: str
    size: int
    headers: Headers
    source: str | None = None
    #: For rollbacks: an older version of the same key holding these bytes.
    version_id: str | None = None


@dataclass(frozen=True)
class Action:
    """One request's worth of work."""

    kind: ActionKind
    path: str
    reason: Reason
    size: int = 0
    #: For copies: the key (and version) the bytes are copied from (the same key for header-only changes).
    copy_from: str | None = None
    copy_version: str | None = None

    @property
    def entry(self) -> bool:
        return is_entry(self.path)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "path": self.path,
            "reason": self.reason,
            "size": self.size,
        }
        if self.copy_from is not None:
            data["copy_from"] = self.copy_from
        if self.copy_version:
            data["copy_version"] = self.copy_version
        return data


@dataclass
class Plan:
    """Everything one deploy will do, in safe order, plus the manifest it will commit."""

    writes: list[Action] = field(default_factory=list)
    deletes: list[Action] = field(default_factory=list)
    unchanged: int = 0
    #: Stale hashed assets kept for the grace period (not deleted yet).
    retained: list[str] = field(default_factory=list)
    #: Site paths whose cached copies are now wrong (changed or deleted), before CDN path planning.
    changed_paths: list[str] = field(default_factory=list)
    manifest: Manifest = field(default_factory=Manifest)
    remote_files: int = 0
    local_files: int = 0
    missing: list[str] = field(default_factory=list)

    @property
    def assets_phase(self) -> list[Action]:
        """Writes of everything pages refer to: done first, so no page ever points at a missing file."""
        return [a for a in self.writes if not a.entry]

    @property
    def entry_phase(self) -> list[Action]:
        """Writes of HTML, sitemaps and redirects: done after the assets phase."""
        return [a for a in self.writes if a.entry]

    @property
    def new_entry_phase(self) -> list[Action]:
        """Entry files that do not exist yet: written before the existing pages that may link to them."""
        return [a for a in self.entry_phase if a.reason == "new"]

    @property
    def changed_entry_phase(self) -> list[Action]:
        """Entry files that already exist (changed, restored, drifted): written last."""
        return [a for a in self.entry_phase if a.reason != "new"]

    @property
    def uploads(self) -> list[Action]:
        return [a for a in self.writes if a.kind == "upload"]

    @property
    def copies(self) -> list[Action]:
        return [a for a in self.writes if a.kind == "copy"]

    @property
    def bytes_to_upload(self) -> int:
        return sum(a.size for a in self.uploads)

    @property
    def empty(self) -> bool:
        return not self.writes and not self.deletes

    def to_dict(self) -> dict[str, Any]:
        return {
            "uploads": [a.to_dict() for a in self.uploads],
            "copies": [a.to_dict() for a in self.copies],
            "deletes": [a.to_dict() for a in self.deletes],
            "retained": sorted(self.retained),
            "unchanged": self.unchanged,
            "changed_paths": sorted(self.changed_paths),
            "local_files": self.local_files,
            "remote_files": self.remote_files,
        }


@dataclass(frozen=True)
class RemoteObject:
    """One object found by listing the target."""

    size: int
    etag: str


def protected(path: str, prefixes: list[str]) -> bool:
    if path.startswith(META_DIR):
        return True
    return any(path.startswith(p.lstrip("/")) for p in prefixes if p)


def reconcile(
    manifest: Manifest | None,
    listing: dict[str, RemoteObject],
    local_etags: dict[str, str],
    *,
    protected_prefixes: list[str],
) -> tuple[Manifest, list[str]]:
    """Trust only what the listing confirms. Returns the corrected manifest and the drift found.

    - a manifest entry whose object is gone or whose ETag differs is dropped (it will be re-uploaded);
    - an object the manifest does not know is adopted when its ETag equals the local file's (headers
      unknown, so they are rewritten by a copy), otherwise recorded as an orphan to delete.
    ``local_etags`` maps site path -> the ETag the target would give the local file (S3: MD5 for
    single-part uploads), computed only for candidates.
    """
    base = manifest or Manifest()
    drift: list[str] = []
    files: dict[str, Entry] = {}
    for path, entry in base.files.items():
        seen = listing.get(path)
        if seen is None or (entry.etag and seen.etag != entry.etag) or seen.size != entry.size:
            drift.append(path)
            continue
        files[path] = entry
    retained = {p: e for p, e in base.retained.items() if p in listing}
    for path, obj in listing.items():
        if path in files or path in retained:
            continue
        etag = local_etags.get(path)
        if etag is not None and etag == obj.etag:
            files[path] = Entry(sha256="", size=obj.size, headers=None, etag=obj.etag)
            if manifest is not None:
                drift.append(path)
        elif protected(path, protected_prefixes):
            continue  # not ours to judge: never replaced as an orphan, never deleted
        else:
            # Unknown bytes: keep them in the manifest as a stale object so the planner deletes them.
            files[path] = Entry(sha256="?", size=obj.size, headers=None, etag=obj.etag)
            drift.append(path)
    fixed = Manifest(
        files=files,
        retained=retained,
        deploy_id=base.deploy_id,
        commit=base.commit,
        created=base.created,
        verified_at=base.verified_at,
        pending=dict(base.pending),
    )
    return fixed, sorted(set(drift))


def plan_changes(
    desired: dict[str, Desired],
    remote: Manifest,
    *,
    now: datetime,
    grace_hours: float = 72.0,
    protected_prefixes: list[str] | None = None,
    adopted_sha: dict[str, str] | None = None,
    drift: list[str] | None = None,
) -> Plan:
    """Diff ``desired`` against ``remote``.

    ``adopted_sha``: for objects adopted from a listing (no sha256 in the manifest), the local file's
    sha256 when its ETag matched, so they count as same content. ``drift``: paths the reconcile step
    found wrong; re-written ones are reported as drift and invalidated.
    """
    prefixes = protected_prefixes or []
    drifted = set(drift or [])
    adopted = adopted_sha or {}
    plan = Plan(remote_files=len(remote.files), local_files=len(desired))
    new_files: dict[str, Entry] = {}
    # Content available for server-side copies: any deployed key whose bytes this plan leaves alone.
    by_hash: dict[str, str] = {}
    for path, entry in sorted({**remote.retained, **remote.files}.items()):
        sha = entry.sha256 or adopted.get(path, "")
        keeps = path not in desired or desired[path].sha256 == sha
        if sha and sha != "?" and keeps and sha not in by_hash:
            by_hash[sha] = path

    for path in sorted(desired):
        want = desired[path]
        have = remote.files.get(path) or remote.retained.get(path)
        have_sha = (have.sha256 or adopted.get(path, "")) if have else ""
        if have is not None and have_sha == want.sha256:
            if have.headers is not None and have.headers.fingerprint() == want.headers.fingerprint():
                plan.unchanged += 1
                new_files[path] = Entry(want.sha256, want.size, want.headers, have.etag, have.version_id)
                continue
            plan.writes.append(Action("copy", path, "headers", want.size, copy_from=path))
            plan.changed_paths.append(path)
            new_files[path] = Entry(want.sha256, want.size, want.headers)
            continue
        if have is None:
            reason: Reason = "drift" if path in drifted else "new"
        else:
            reason = "drift" if path in drifted else "changed"
        if reason != "new":
            plan.changed_paths.append(path)
        if want.sha256 in by_hash:
            source = by_hash[want.sha256]
            kind_reason: Reason = "restore" if want.source is None else "rename"
            plan.writes.append(Action("copy", path, kind_reason, want.size, copy_from=source))
        elif want.version_id and want.source is None:
            plan.writes.append(
                Action("copy", path, "restore", want.size, copy_from=path, copy_version=want.version_id)
            )
        elif want.source is not None:
            plan.writes.append(Action("upload", path, reason, want.size))
        else:
            plan.missing.append(path)
            continue
        new_files[path] = Entry(want.sha256, want.size, want.headers)

    retained: dict[str, Entry] = {}
    until = iso(now + timedelta(hours=grace_hours))
    for path, entry in sorted(remote.files.items()):
        if path in desired or protected(path, prefixes):
            continue
        if grace_hours > 0 and is_hashed(path) and entry.sha256 != "?":
            retained[path] = Entry(
                entry.sha256, entry.size, entry.headers, entry.etag, entry.version_id, until
            )
            plan.retained.append(path)
            continue
        plan.deletes.append(Action("delete", path, "stale", entry.size))
        if not is_hashed(path):
            plan.changed_paths.append(path)
    for path, entry in sorted(remote.retained.items()):
        if path in desired or protected(path, prefixes):
            continue
        expiry = parse_iso(entry.until)
        if expiry is not None and expiry > now:
            retained[path] = entry
            continue
        plan.deletes.append(Action("delete", path, "expired", entry.size))
    plan.manifest = Manifest(files=new_files, retained=retained)
    return plan


@dataclass(frozen=True)
class GuardProblem:
    """Why a guard refused: a catalog key and its parameters."""

    key: str
    params: dict[str, Any]


class GuardLimits(Protocol):
    """The safety limits ``check_guards`` reads: ``[deploy.targets.*.guards]`` or ``Guards``."""

    @property
    def max_delete_count(self) -> int: ...
    @property
    def max_delete_percent(self) -> float: ...
    @property
    def min_files(self) -> int: ...
    @property
    def max_shrink_percent(self) -> float: ...


@dataclass(frozen=True)
class Guards:
    """The default limits as plain values (a deploy without ``lpublish.toml`` need not load pydantic);
    the same defaults as the config's ``DeployGuards`` (a test checks)."""

    max_delete_count: int = 50
    max_delete_percent: float = 20.0
    min_files: int = 1
    max_shrink_percent: float = 50.0


def check_guards(plan: Plan, guards: GuardLimits) -> list[GuardProblem]:
    """Refuse deletes beyond the limits and builds that look empty or shrunken."""
    problems: list[GuardProblem] = []
    if plan.local_files < guards.min_files:
        problems.append(
            GuardProblem("deploy.guard.empty", {"count": plan.local_files, "min": guards.min_files})
        )
    if plan.remote_files and plan.local_files < plan.remote_files:
        shrink = 100.0 * (plan.remote_files - plan.local_files) / plan.remote_files
        if shrink > guards.max_shrink_percent:
            problems.append(
                GuardProblem(
                    "deploy.guard.shrunk",
                    {
                        "before": plan.remote_files,
                        "after": plan.local_files,
                        "percent": round(shrink, 1),
                        "limit": guards.max_shrink_percent,
                    },
                )
            )
    deletes = [a for a in plan.deletes if a.reason == "stale"]
    if len(deletes) > guards.max_delete_count:
        problems.append(
            GuardProblem(
                "deploy.guard.delete_count", {"count": len(deletes), "limit": guards.max_delete_count}
            )
        )
    if plan.remote_files and deletes:
        percent = 100.0 * len(deletes) / plan.remote_files
        if percent > guards.max_delete_percent:
            problems.append(
                GuardProblem(
                    "deploy.guard.delete_percent",
                    {"count": len(deletes), "percent": round(percent, 1), "limit": guards.max_delete_percent},
                )
            )
    return problems
