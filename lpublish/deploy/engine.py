"""The deploy engine: plan, guard, lock, upload in safe order, commit, invalidate, clean up; and rollback.

Owns: ``DeployOptions``, ``DeployResult``, ``deploy`` (any built directory to any ``Target``),
``rollback`` (restore an earlier release by server-side copies), ``remove`` (drop a preview prefix),
``target_from_config`` / ``target_from_url`` / ``options_from_config``. The order is the safety
contract: new and changed assets, then entry files (HTML, sitemaps, redirects), then the release record
and the manifest (committed with ``If-Match`` on the ETag read at the start), then the CDN invalidation,
and only then deletes. A failure stops the deploy; a rerun converges because the manifest only ever
describes objects that were written. Must not import UI libraries.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lpublish.config.deploy_rules import preview_area, target_store
from lpublish.config.model import SiteConfig
from lpublish.config.sections import DeployGuards, DeployTarget, HeaderRule
from lpublish.deploy.cdn import FREE_PATHS_PER_MONTH, invalidation_paths
from lpublish.deploy.headers import compressible, headers_for, is_hashed, read_headers_file
from lpublish.deploy.lease import Lease
from lpublish.deploy.manifest import Entry, Manifest, iso, parse_iso, scan_directory, utcnow
from lpublish.deploy.plan import Action, Desired, Plan, check_guards, plan_changes, reconcile
from lpublish.deploy.targets import DirTarget, S3Target, Target
from lpublish.errors import ConfigError, ContentError, ExternalError, UsageError
from lpublish.i18n import t
from lpublish.progress import ProgressCallback, ProgressEvent, check_cancel, no_progress
from lpublish.site.own_files import DEFAULT_EXCLUDE

__all__ = [
    "DeployOptions",
    "DeployResult",
    "Target",
    "deploy",
    "options_from_config",
    "remove",
    "rollback",
    "target_from_config",
    "target_from_url",
]

#: Files smaller than this are not worth precompressing.
PRECOMPRESS_MIN_BYTES = 256


@dataclass
class DeployOptions:
    """How one deploy behaves. ``options_from_config`` fills it from a ``[deploy.targets.*]`` table."""

    dry_run: bool = False
    #: Check the manifest against a full listing now (drift detection and repair).
    verify: bool = False
    #: Wait (bounded) for the CloudFront invalidation to complete.
    wait: bool = False
    #: Go ahead even when a guard refuses.
    yes: bool = False
    workers: int = 32
    guards: DeployGuards = field(default_factory=DeployGuards)
    protected_prefixes: list[str] = field(default_factory=lambda: [".well-known/"])
    grace_period_hours: float = 72.0
    verify_interval_hours: float = 168.0
    precompress: list[str] = field(default_factory=list)
    lock_wait_seconds: float = 120.0
    lock_ttl_seconds: float = 1800.0
    invalidation_max_paths: int = 30
    #: Files never uploaded (patterns relative to the deployed folder; see ``lpublish.site.adapters``).
    exclude: list[str] = field(default_factory=lambda: list(DEFAULT_EXCLUDE))
    #: The git commit being deployed (default: ``GITHUB_SHA``, else ``git rev-parse HEAD`` in the source).
    commit: str | None = None
    now: datetime | None = None


@dataclass
class DeployResult:
    """What a deploy did (or, with ``dry_run``, would do)."""

    plan: Plan
    uploaded: int = 0
    copied: int = 0
    deleted: int = 0
    unchanged: int = 0
    bytes_uploaded: int = 0
    requests: int = 0
    invalidation_paths: list[str] = field(default_factory=list)
    url: str = ""
    dry_run: bool = False
    target: str = ""
    deploy_id: str = ""
    commit: str = ""
    invalidation_id: str = ""
    verified: bool = False
    drift: list[str] = field(default_factory=list)
    retained: int = 0
    seconds: float = 0.0
    #: Guard refusals (only filled on dry runs; a real deploy raises ``ContentError`` instead).
    refused: list[str] = field(default_factory=list)
    #: For rollbacks: the release restored.
    restored: str = ""
    removed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.uploaded or self.copied or self.deleted)

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "url": self.url,
            "dry_run": self.dry_run,
            "deploy_id": self.deploy_id,
            "commit": self.commit,
            "uploaded": self.uploaded,
            "copied": self.copied,
            "deleted": self.deleted,
            "unchanged": self.unchanged,
            "retained": self.retained,
            "bytes_uploaded": self.bytes_uploaded,
            "requests": self.requests,
            "invalidation_paths": self.invalidation_paths,
            "invalidation_id": self.invalidation_id,
            "free_invalidation_paths_per_month": FREE_PATHS_PER_MONTH,
            "verified": self.verified,
            "drift": self.drift,
            "refused": self.refused,
            "restored": self.restored,
            "removed": self.removed,
            "seconds": round(self.seconds, 3),
            "plan": self.plan.to_dict(),
        }


# ------------------------------------------------------------------------------------------ targets


def target_from_url(
    url: str,
    *,
    prefix: str = "",
    region: str = "",
    distribution: str = "",
    site_url: str = "",
    profile: str = "",
    workers: int = 32,
    lock_ttl_seconds: float = 1800.0,
) -> Target:
    """``s3://bucket/prefix`` or ``file:///path`` (extra ``prefix`` is appended to the URL's)."""
    parsed = urlparse(url)
    if parsed.scheme == "s3":
        base = parsed.path.strip("/")
        full = "/".join(p for p in (base, prefix.strip("/")) if p)
        return S3Target(
            parsed.netloc,
            full,
            region=region,
            distribution=distribution,
            site_url=site_url,
            profile=profile or None,
            workers=workers,
            lock_ttl_seconds=lock_ttl_seconds,
        )
    if parsed.scheme == "file":
        path = Path(unquote(parsed.path))
        return DirTarget(path, prefix, site_url=site_url)
    raise UsageError("deploy.bad_url", url=url)


def _target_config(config: SiteConfig, name: str | None) -> tuple[str, DeployTarget]:
    chosen = name or config.deploy.default_target
    found = config.deploy.targets.get(chosen)
    if found is None:
        known = ", ".join(sorted(config.deploy.targets)) or "-"
        raise ConfigError("deploy.unknown_target", name=chosen, known=known)
    return chosen, found


def _preview_prefix(cfg: DeployTarget, pr: int | None) -> tuple[str, str]:
    """(prefix, site_url) for a target, per pull request for preview targets."""
    if not cfg.preview:
        if pr is not None:
            raise UsageError("deploy.pr_not_preview")
        return cfg.prefix, cfg.site_url
    if pr is None or pr <= 0:
        raise UsageError("deploy.pr_required")
    sub = cfg.preview_prefix.format(pr=pr).strip("/")
    prefix = "/".join(p for p in (cfg.prefix.strip("/"), sub) if p)
    site_url = (cfg.preview_url or cfg.site_url).format(pr=pr)
    return prefix, site_url


def target_from_config(
    config: SiteConfig, name: str | None, *, pr: int | None = None, distribution: str | None = None
) -> Target:
    """The target called ``name`` (default ``[deploy] default_target``); preview targets need ``pr``.

    ``distribution`` overrides the configured CloudFront distribution (the CLI's ``--distribution``).
    """
    _, cfg = _target_config(config, name)
    if distribution is not None:
        cfg = cfg.model_copy(update={"distribution": distribution})
    prefix, site_url = _preview_prefix(cfg, pr)
    if cfg.url:
        return target_from_url(
            cfg.url,
            prefix=prefix,
            region=cfg.region,
            distribution=cfg.distribution,
            site_url=site_url,
            profile=cfg.profile,
            workers=cfg.workers,
            lock_ttl_seconds=cfg.lock_ttl_seconds,
        )
    if not cfg.bucket:
        raise ConfigError("deploy.target_incomplete", name=name or config.deploy.default_target)
    return S3Target(
        cfg.bucket,
        prefix,
        region=cfg.region,
        distribution=cfg.distribution,
        site_url=site_url,
        profile=cfg.profile or None,
        workers=cfg.workers,
        lock_ttl_seconds=cfg.lock_ttl_seconds,
    )


def _sibling_prefixes(config: SiteConfig, chosen: str) -> list[str]:
    """Prefixes of other targets in the same bucket: a drift repair must never delete those as stale.

    (A production target at the bucket root would otherwise see every preview as unknown objects.)
    """
    mine = config.deploy.targets[chosen]
    my_store, base = target_store(mine.url, mine.bucket, mine.prefix)
    found: list[str] = []
    for other_name, other in config.deploy.targets.items():
        other_store, other_base = target_store(other.url, other.bucket, other.prefix)
        if other_name == chosen or other_store != my_store or other_store in ("s3://", "file://"):
            continue
        full = other_base + "/" if other_base else ""
        if other.preview:
            # "previews/pr-{pr}/" protects everything starting with "previews/pr-" (the same bucket or
            # the same folder, however each target names it).
            full = preview_area(other_base, other.preview_prefix)
        if full and (not base or full.startswith(base + "/")):
            found.append(full[len(base) + 1 :] if base else full)
    return found


def options_from_config(config: SiteConfig | None, name: str | None, **overrides: Any) -> DeployOptions:
    """Deploy options from a target's config table (defaults when there is no config), then overrides."""
    options = DeployOptions()
    if config is not None and config.deploy.targets:
        chosen, cfg = _target_config(config, name)
        options = DeployOptions(
            workers=cfg.workers,
            guards=cfg.guards,
            protected_prefixes=list(cfg.protected_prefixes) + _sibling_prefixes(config, chosen),
            grace_period_hours=cfg.grace_period_hours,
            verify_interval_hours=cfg.verify_interval_hours,
            precompress=list(cfg.precompress),
            lock_wait_seconds=cfg.lock_wait_seconds,
            lock_ttl_seconds=cfg.lock_ttl_seconds,
            invalidation_max_paths=cfg.invalidation_max_paths,
        )
    if config is not None:
        options.exclude = [*DEFAULT_EXCLUDE, *config.deploy.exclude]
    return replace(options, **overrides)


# ------------------------------------------------------------------------------------------- helpers


def detect_commit(source: Path) -> str:
    """The commit being deployed: ``GITHUB_SHA`` in CI, else ``git rev-parse HEAD`` near the build."""
    env = os.environ.get("GITHUB_SHA", "").strip()
    if env:
        return env
    try:
        done = subprocess.run(
            ["git", "-C", str(source), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def _encoding_for(options: DeployOptions, target: Target) -> str | None:
    if not target.supports_encoding:
        return None
    for name in options.precompress:
        if name == "gzip":
            return "gzip"
        if name == "br":
            try:
                import brotli  # type: ignore[import-not-found]  # noqa: F401
            except ImportError:
                continue
            return "br"
    return None


def _compress(data: bytes, encoding: str) -> bytes:
    if encoding == "br":
        import brotli

        return bytes(brotli.compress(data, quality=11))
    # mtime=0 keeps the bytes identical for identical input (deterministic uploads and ETags).
    return gzip.compress(data, compresslevel=9, mtime=0)


def desired_from_directory(
    source: Path, rules: list[HeaderRule], options: DeployOptions, target: Target
) -> dict[str, Desired]:
    local = scan_directory(source, exclude=options.exclude)
    encoding = _encoding_for(options, target)
    site_rules = read_headers_file(source)  # the site's own _headers file (never uploaded: excluded)
    desired: dict[str, Desired] = {}
    for path, item in local.items():
        headers = headers_for(path, rules, site_rules=site_rules)
        if encoding and item.size >= PRECOMPRESS_MIN_BYTES and compressible(headers):
            headers = replace(headers, content_encoding=encoding)
        desired[path] = Desired(path, item.sha256, item.size, headers, item.source)
    return desired


def _verification_due(manifest: Manifest | None, options: DeployOptions, now: datetime) -> bool:
    if options.verify or manifest is None:
        return True
    if options.verify_interval_hours <= 0:
        return False
    last = parse_iso(manifest.verified_at)
    return last is None or now - last > timedelta(hours=options.verify_interval_hours)


def _deploy_id(now: datetime, manifest: Manifest, previous_etag: str) -> str:
    """``r000042-20261123T101500Z-<digest>``: sorts in deploy order even when clocks disagree."""
    # Digest of what the release holds, without serialising the whole manifest (it is written once, later).
    digest = hashlib.sha256(previous_etag.encode())
    for path in sorted(manifest.files):
        entry = manifest.files[path]
        digest.update(
            f"{path}\0{entry.sha256}\0{entry.headers.fingerprint() if entry.headers else ''}\n".encode()
        )
    digest.update(f"{manifest.seq}{manifest.commit}".encode())
    return f"r{manifest.seq:06d}-{now.strftime('%Y%m%dT%H%M%SZ')}-{digest.hexdigest()[:10]}"


def _run_phase(
    target: Target,
    actions: list[Action],
    desired: dict[str, Desired],
    entries: dict[str, Entry],
    *,
    workers: int,
    progress: ProgressCallback,
    cancel: threading.Event | None,
    counter: list[int],
    total: int,
) -> int:
    """Run writes in parallel; stop at the first failure (no new work starts, the error is raised)."""
    if not actions:
        return 0
    guard = threading.Lock()
    stop = threading.Event()
    uploaded_bytes = 0

    def one(action: Action) -> None:
        nonlocal uploaded_bytes
        if stop.is_set() or (cancel is not None and cancel.is_set()):
            return
        want = desired[action.path]
        if action.kind == "upload":
            assert want.source is not None
            body = None
            if want.headers.content_encoding:
                body = _compress(want.source.read_bytes(), want.headers.content_encoding)
            etag, version = target.upload(action.path, want.source, want.headers, want.sha256, body)
            sent = len(body) if body is not None else want.size
        else:
            assert action.copy_from is not None
            etag, version = target.copy(
                action.path, action.copy_from, action.copy_version, want.headers, want.sha256
            )
            sent = 0
        with guard:
            entries[action.path] = Entry(want.sha256, want.size, want.headers, etag, version)
            uploaded_bytes += sent
            counter[0] += 1
            done = counter[0]
        progress(ProgressEvent("deploy.progress.write", done, total, action.path))

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="lpublish-deploy") as pool:
        futures: list[Future[None]] = [pool.submit(one, a) for a in actions]
        finished, _ = wait(futures, return_when=FIRST_EXCEPTION)
        failure = next((f.exception() for f in finished if f.exception() is not None), None)
        if failure is not None:
            stop.set()
            for future in futures:
                future.cancel()
            raise failure
    check_cancel(cancel)
    return uploaded_bytes


def _release_record(manifest: Manifest, target: Target, body: bytes) -> bytes:
    """The release record: its id, commit and target, and the manifest ``body`` as it is committed
    (embedded as is: parsing and re-serialising it cost ~100 ms per pass at 20,000 files)."""
    head = {
        "id": manifest.deploy_id,
        "commit": manifest.commit,
        "created": manifest.created,
        "target": target.url,
    }
    return (
        json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1].encode()
        + b',"manifest":'
        + body
        + b"}"
    )


# -------------------------------------------------------------------------------------------- deploy


def _prepare_release(
    plan: Plan, *, remote: Manifest | None, etag: str, now: datetime, commit: str, verified: bool
) -> str:
    """Fill the manifest's release fields; returns the new release id, or "" when the pass only
    re-verified or finished pending work (not a new release)."""
    manifest = plan.manifest
    manifest.commit = commit
    manifest.created = iso(now)
    manifest.verified_at = iso(now) if verified else (remote.verified_at if remote else "")
    if bool(plan.writes or plan.deletes) or remote is None:
        manifest.seq = (remote.seq if remote else 0) + 1
        manifest.deploy_id = _deploy_id(now, manifest, etag)
        return manifest.deploy_id
    manifest.deploy_id, manifest.commit, manifest.created = remote.deploy_id, remote.commit, remote.created
    manifest.seq = remote.seq
    return ""


def _execute(
    target: Target,
    plan: Plan,
    desired: dict[str, Desired],
    *,
    remote: Manifest | None,
    etag: str,
    options: DeployOptions,
    result: DeployResult,
    now: datetime,
    commit: str,
    cdn_paths: list[str],
    verified: bool,
    progress: ProgressCallback,
    cancel: threading.Event | None,
    lease: Lease,
) -> None:
    """Carry out a plan under the lock, in the safe order, checking the lock is still ours before the
    page phase and before the manifest write (fencing: a deploy that lost it stops there).
    ``plan.manifest`` was filled by ``_prepare_release``."""
    manifest = plan.manifest
    new_release = manifest.deploy_id != (remote.deploy_id if remote else None)
    pending_id = str((remote.pending if remote else {}).get("deploy_id") or manifest.deploy_id)
    deletes = [a.path for a in plan.deletes]
    result.deploy_id = manifest.deploy_id
    entries: dict[str, Entry] = dict(manifest.files)
    total = len(plan.writes)
    counter = [0]
    check_cancel(cancel)
    progress(ProgressEvent("deploy.progress.assets", 0, total))
    result.bytes_uploaded += _run_phase(
        target, plan.assets_phase, desired, entries, workers=options.workers, progress=progress,
        cancel=cancel, counter=counter, total=total,
    )  # fmt: skip
    progress(ProgressEvent("deploy.progress.pages", counter[0], total))
    if plan.assets_phase and plan.entry_phase:
        lease.check()
    # New pages first, then the existing pages that may now link to them: a failed PUT of a new page
    # never leaves a live page pointing at a 404.
    for phase in (plan.new_entry_phase, plan.changed_entry_phase):
        result.bytes_uploaded += _run_phase(
            target, phase, desired, entries, workers=options.workers, progress=progress,
            cancel=cancel, counter=counter, total=total,
        )  # fmt: skip
    result.uploaded = len(plan.uploads)
    result.copied = len(plan.copies)
    manifest.files = entries
    # Deletes and the invalidation are recorded before they happen, so an interrupted deploy's rerun
    # finishes them (same caller reference: CloudFront does not invalidate twice).
    manifest.pending = (
        {"deploy_id": pending_id, "invalidate": cdn_paths, "delete": deletes}
        if (cdn_paths or deletes)
        else {}
    )
    progress(ProgressEvent("deploy.progress.commit", total, total))
    lease.check()
    body = manifest.to_json()  # serialised once: the release record and the manifest share it
    if new_release:
        target.put_release(manifest.deploy_id, _release_record(manifest, target, body))
    new_etag = target.write_manifest(manifest, etag, body)
    if cdn_paths:
        progress(ProgressEvent("deploy.progress.invalidate", 0, len(cdn_paths)))
        result.invalidation_id = target.invalidate(
            cdn_paths, caller_reference=f"lpublish-{pending_id}", wait=options.wait
        )
    if deletes:
        progress(ProgressEvent("deploy.progress.delete", 0, len(deletes)))
        failed = target.delete(deletes)
        if failed:
            raise ExternalError(
                "deploy.delete_failed", count=len(failed), first=failed[0], details=failed[:20]
            )
        result.deleted = len(deletes)
    if manifest.pending:
        manifest.pending = {}
        target.write_manifest(manifest, new_etag)


def _cdn_paths(plan: Plan, remote: Manifest | None, target: Target, options: DeployOptions) -> list[str]:
    if not target.distribution:
        return []
    # New paths were never cached and hashed names never change content: neither needs invalidating.
    paths = [p for p in plan.changed_paths if not is_hashed(p)]
    pending = list((remote.pending if remote else {}).get("invalidate") or [])
    planned = invalidation_paths(paths, max_paths=options.invalidation_max_paths) if paths else []
    merged = sorted(set(planned) | set(pending))
    if len(merged) > options.invalidation_max_paths:
        return ["/*"]
    return merged


def _add_pending_deletes(
    plan: Plan, remote: Manifest | None, desired: dict[str, Desired], protected: list[str]
) -> None:
    from lpublish.deploy.plan import protected as is_protected

    planned = {a.path for a in plan.deletes}
    for path in (remote.pending if remote else {}).get("delete") or []:
        if path not in desired and path not in planned and not is_protected(path, protected):
            plan.deletes.append(Action("delete", str(path), "stale"))


def deploy(
    source: Path,
    target: Target,
    *,
    rules: list[HeaderRule],
    options: DeployOptions,
    progress: ProgressCallback = no_progress,
    cancel: threading.Event | None = None,
) -> DeployResult:
    """Deploy the directory ``source`` to ``target``. See the module docstring for the order of work.

    Raises ``ContentError`` when a guard refuses (unless ``options.yes``) or another deploy holds the lock
    longer than ``lock_wait_seconds``; ``ExternalError`` for S3/CloudFront/network failures.
    """
    started = time.monotonic()
    base_requests = target.requests
    if not source.is_dir():
        raise UsageError("deploy.no_source", path=str(source))
    now = options.now or utcnow()
    progress(ProgressEvent("deploy.progress.scan"))
    # Fetch the remote manifest while the build is hashed: a no-op deploy is then about one round trip.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lpublish-manifest") as prefetch:
        remote_state = prefetch.submit(target.read_manifest)
        desired = desired_from_directory(source, rules, options, target)
        first: tuple[Manifest | None, str] | None = remote_state.result()
    check_cancel(cancel)
    attempts = 0
    while True:
        attempts += 1
        result = _deploy_once(
            source,
            target,
            desired,
            options=options,
            now=now,
            progress=progress,
            cancel=cancel,
            remote_state=first,
        )
        first = None
        if result is not None:
            result.seconds = time.monotonic() - started
            result.requests = target.requests - base_requests
            return result
        if attempts >= 3:
            raise ContentError("deploy.manifest_conflict")


def _deploy_once(
    source: Path,
    target: Target,
    desired: dict[str, Desired],
    *,
    options: DeployOptions,
    now: datetime,
    progress: ProgressCallback,
    cancel: threading.Event | None,
    remote_state: tuple[Manifest | None, str] | None = None,
) -> DeployResult | None:
    """One planning + execution pass; ``None`` when another deploy committed while we waited (replan)."""
    remote, etag = remote_state if remote_state is not None else target.read_manifest()
    verified = _verification_due(remote, options, now)
    drift: list[str] = []
    adopted: dict[str, str] = {}
    state = remote or Manifest()
    if verified:
        progress(ProgressEvent("deploy.progress.verify"))
        listing = target.list_objects()
        known = remote.files if remote else {}
        local_etags: dict[str, str] = {}
        for path, obj in listing.items():
            want = desired.get(path)
            if want is None or want.source is None or path in known or obj.size != want.size:
                continue
            # Precompressed uploads never match the raw file's ETag; do not bother hashing them.
            if want.headers.content_encoding:
                continue
            tag = target.local_etag(want.source, want.size)
            if tag is not None:
                local_etags[path] = tag
                adopted[path] = want.sha256
        state, drift = reconcile(remote, listing, local_etags, protected_prefixes=options.protected_prefixes)
        if remote is not None:
            state.verified_at = remote.verified_at
    plan = plan_changes(
        desired,
        state,
        now=now,
        grace_hours=options.grace_period_hours,
        protected_prefixes=options.protected_prefixes,
        adopted_sha=adopted,
        drift=drift,
    )
    _add_pending_deletes(plan, remote, desired, options.protected_prefixes)
    if remote is not None and not verified:
        plan.remote_files = len(remote.files)
    cdn_paths = _cdn_paths(plan, remote, target, options)
    result = DeployResult(
        plan=plan,
        unchanged=plan.unchanged,
        url=target.site_url,
        target=target.url,
        dry_run=options.dry_run,
        verified=verified,
        drift=drift,
        retained=len(plan.manifest.retained),
        invalidation_paths=cdn_paths,
        commit=options.commit if options.commit is not None else "",
    )
    if plan.missing:
        raise ContentError("deploy.missing_source", count=len(plan.missing), first=plan.missing[0])
    problems = check_guards(plan, options.guards)
    if problems and not options.yes:
        messages = [t(p.key, **p.params) for p in problems]
        if options.dry_run:
            result.refused = messages
            return result
        raise ContentError("deploy.refused", details=messages)
    pending = bool(remote and remote.pending)
    # Nothing to write, delete or record: a no-op costs the manifest read and takes no lock.
    if plan.empty and not pending and not verified and remote is not None:
        return result
    if options.dry_run:
        return result
    commit = options.commit if options.commit is not None else detect_commit(source)
    result.commit = commit
    progress(ProgressEvent("deploy.progress.lock"))
    # The lock names the release being written: once that is committed, a left-over lock is removable.
    release_id = _prepare_release(plan, remote=remote, etag=etag, now=now, commit=commit, verified=verified)
    with Lease(
        target,
        ttl_seconds=options.lock_ttl_seconds,
        wait_seconds=options.lock_wait_seconds,
        deploy_id=release_id,
    ) as lease:
        # Someone else may have deployed while we planned or waited: plan again against their manifest.
        if not target.manifest_unchanged(etag):
            return None
        _execute(
            target, plan, desired, remote=remote, etag=etag, options=options, result=result, now=now,
            commit=commit, cdn_paths=cdn_paths, verified=verified, progress=progress, cancel=cancel,
            lease=lease,
        )  # fmt: skip
    return result


# ------------------------------------------------------------------------------------------ rollback


@dataclass(frozen=True)
class Release:
    id: str
    commit: str
    created: str
    manifest: Manifest


def list_releases(target: Target) -> list[Release]:
    """Every release recorded on the target, oldest first."""
    releases: list[Release] = []
    for release_id in target.list_releases():
        raw = target.get_release(release_id)
        if raw is None:
            continue
        try:
            data = json.loads(raw)
            manifest = Manifest.from_json(json.dumps(data["manifest"]).encode())
        except (ValueError, KeyError, TypeError):
            continue
        releases.append(
            Release(release_id, str(data.get("commit", "")), str(data.get("created", "")), manifest)
        )
    return releases


def rollback(
    target: Target,
    *,
    to: str | None = None,
    options: DeployOptions | None = None,
    progress: ProgressCallback = no_progress,
    cancel: threading.Event | None = None,
) -> DeployResult:
    """Restore an earlier release (default: the one before the current) with server-side copies.

    Raises ``ContentError`` naming the commit to rebuild and redeploy when some objects of that release
    no longer exist anywhere on the target.
    """
    opts = options or DeployOptions()
    started = time.monotonic()
    base_requests = target.requests
    now = opts.now or utcnow()
    remote, etag = target.read_manifest()
    if remote is None:
        raise ContentError("deploy.rollback_nothing")
    ids = target.list_releases()
    chosen: str | None
    if to:
        matches = [r for r in ids if r == to or r.startswith(to)]
        if len(matches) != 1:
            raise UsageError("deploy.rollback_unknown", release=to, known=", ".join(ids[-5:]) or "-")
        chosen = matches[0]
    else:
        earlier = [r for r in ids if r < remote.deploy_id] if remote.deploy_id in ids else ids[:-1]
        chosen = earlier[-1] if earlier else None
    if chosen is None:
        raise ContentError("deploy.rollback_none")
    release = next((r for r in list_releases(target) if r.id == chosen), None)
    if release is None:
        raise ContentError("deploy.rollback_unreadable", release=chosen)
    desired: dict[str, Desired] = {}
    for path, entry in release.manifest.files.items():
        if entry.headers is None:
            continue
        desired[path] = Desired(path, entry.sha256, entry.size, entry.headers, None, entry.version_id)
    plan = plan_changes(
        desired,
        remote,
        now=now,
        grace_hours=opts.grace_period_hours,
        protected_prefixes=opts.protected_prefixes,
    )
    # Older versions may have been expired by a lifecycle rule: check before promising anything.
    restores = [a for a in plan.writes if a.copy_version]
    gone = [a.path for a in restores if not target.object_exists(a.path, a.copy_version)]
    if plan.missing or gone:
        missing = sorted(set(plan.missing) | set(gone))
        raise ContentError(
            "deploy.rollback_missing" if release.commit else "deploy.rollback_missing_unknown",
            release=release.id,
            commit=release.commit,
            count=len(missing),
            first=missing[0],
        )
    cdn_paths = _cdn_paths(plan, remote, target, opts)
    result = DeployResult(
        plan=plan,
        unchanged=plan.unchanged,
        url=target.site_url,
        target=target.url,
        dry_run=opts.dry_run,
        restored=release.id,
        commit=release.commit,
        invalidation_paths=cdn_paths,
        retained=len(plan.manifest.retained),
    )
    if opts.dry_run or (plan.empty and not remote.pending):
        result.seconds = time.monotonic() - started
        result.requests = target.requests - base_requests
        return result
    release_id = _prepare_release(
        plan, remote=remote, etag=etag, now=now, commit=release.commit, verified=False
    )
    with Lease(
        target, ttl_seconds=opts.lock_ttl_seconds, wait_seconds=opts.lock_wait_seconds, deploy_id=release_id
    ) as lease:
        if not target.manifest_unchanged(etag):
            raise ContentError("deploy.manifest_conflict")
        _execute(
            target, plan, desired, remote=remote, etag=etag, options=opts, result=result, now=now,
            commit=release.commit, cdn_paths=cdn_paths, verified=False, progress=progress, cancel=cancel,
            lease=lease,
        )  # fmt: skip
    result.seconds = time.monotonic() - started
    result.requests = target.requests - base_requests
    return result


def remove(target: Target, *, options: DeployOptions | None = None) -> DeployResult:
    """Delete everything under the target's prefix (a pull request's preview) and invalidate it."""
    opts = options or DeployOptions()
    # Removing is for per-PR previews: never empty a whole bucket or folder by accident.
    if not getattr(target, "prefix", ""):
        raise UsageError("deploy.pr_required")
    started = time.monotonic()
    base_requests = target.requests
    result = DeployResult(plan=Plan(), url=target.site_url, target=target.url, dry_run=opts.dry_run)
    if opts.dry_run:
        result.removed = len(target.list_objects())
    else:
        removed = 0
        # No heartbeat: the lock object lives under the prefix and is deleted with it (releasing a lock
        # that is already gone is not an error).
        with Lease(
            target, ttl_seconds=opts.lock_ttl_seconds, wait_seconds=opts.lock_wait_seconds, heartbeat=False
        ):
            removed = target.remove_prefix()
        result.removed = removed
        result.deleted = removed
        prefix = getattr(target, "prefix", "")
        if target.distribution and prefix:
            result.invalidation_paths = ["/" + prefix + "*"]
            result.invalidation_id = target.invalidate(
                result.invalidation_paths,
                caller_reference=f"lpublish-remove-{prefix}{utcnow():%Y%m%d%H%M%S}",
                wait=False,
            )
    result.seconds = time.monotonic() - started
    result.requests = target.requests - base_requests
    return result
