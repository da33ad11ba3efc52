"""The deploy engine: plan, guard, lock, upload in safe order, commit, invalidate, clean up.

Owns: ``DeployResult``, ``deploy`` (any built directory to any ``Target``) and the commit path shared
with rollback (``execute``: hold the lock, check nobody committed meanwhile, write in order, commit;
``cdn_paths``). The order is the safety contract: new and changed assets, then entry files (HTML,
sitemaps, redirects; new pages before the pages that link to them), then the release record and the
manifest (committed with ``If-Match`` on the ETag read at the start), then the CDN invalidation, and
only then deletes. A failure stops the deploy; a rerun converges because the manifest only ever
describes objects that were written. Rollback and preview removal are in ``lpublish.deploy.rollback``;
config -> options and targets in ``lpublish.deploy.configured``. Must not import UI libraries.
"""

from __future__ import annotations

import hashlib
import json
import logging
import subprocess
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lpublish.deploy.cdn import FREE_PATHS_PER_MONTH, invalidation_paths
from lpublish.deploy.desired import compress, desired_from_walk
from lpublish.deploy.headers import is_hashed
from lpublish.deploy.lease import Lease, locked
from lpublish.deploy.manifest import Entry, Manifest, iso, parse_iso, parse_manifest, utcnow, walk_build
from lpublish.deploy.options import DeployOptions
from lpublish.deploy.plan import Action, Desired, Plan, check_guards, plan_changes, protected, reconcile
from lpublish.deploy.target import Target
from lpublish.environment import Environment
from lpublish.errors import ContentError, ExternalError, UsageError
from lpublish.i18n import t
from lpublish.progress import ProgressCallback, ProgressEvent, check_cancel, no_progress

if TYPE_CHECKING:  # a deploy without lpublish.toml never loads the config models (pydantic)
    from lpublish.config.sections import HeaderRule

__all__ = ["DeployResult", "cdn_paths", "deploy", "detect_commit", "execute"]

logger = logging.getLogger(__name__)


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


# ------------------------------------------------------------------------------------------- helpers


def detect_commit(source: Path, env: Environment) -> str:
    """The commit being deployed: ``GITHUB_SHA`` in CI, else ``git rev-parse HEAD`` near the build."""
    if env.github_sha:
        return env.github_sha
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
                body = compress(Path(want.source).read_bytes(), want.headers.content_encoding)
            logger.debug("upload %s (%d bytes)", action.path, len(body) if body is not None else want.size)
            etag, version = target.upload(action.path, Path(want.source), want.headers, want.sha256, body)
            sent = len(body) if body is not None else want.size
        else:
            assert action.copy_from is not None
            logger.debug("copy %s from %s (%s)", action.path, action.copy_from, action.reason)
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


def execute(
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
    env: Environment,
    progress: ProgressCallback,
    cancel: threading.Event | None,
) -> bool:
    """Carry out a plan (deploy or rollback) under the deploy lock, in the safe order.

    Returns ``False``, having written nothing, when another deploy committed since ``etag`` was read
    (the caller plans again or gives up).
    """
    # The lock names the release being written: once that is committed, a left-over lock is removable.
    release_id = _prepare_release(plan, remote=remote, etag=etag, now=now, commit=commit, verified=verified)
    with locked(
        target,
        ttl_seconds=options.lock_ttl_seconds,
        wait_seconds=options.lock_wait_seconds,
        env=env,
        deploy_id=release_id,
    ) as lease:
        # Someone else may have deployed while we planned or waited.
        if not target.manifest_unchanged(etag):
            logger.info("another deploy committed to %s since its manifest was read", target.url)
            return False
        _write_and_commit(
            target, plan, desired, remote=remote, etag=etag, options=options, result=result,
            cdn_paths=cdn_paths, progress=progress, cancel=cancel, lease=lease,
        )  # fmt: skip
    return True


def _write_and_commit(
    target: Target,
    plan: Plan,
    desired: dict[str, Desired],
    *,
    remote: Manifest | None,
    etag: str,
    options: DeployOptions,
    result: DeployResult,
    cdn_paths: list[str],
    progress: ProgressCallback,
    cancel: threading.Event | None,
    lease: Lease,
) -> None:
    """Write in the safe order, checking the lock is still ours before the page phase and before the
    manifest write (fencing: a deploy that lost it stops there). ``plan.manifest`` was filled by
    ``_prepare_release``."""
    manifest = plan.manifest
    new_release = manifest.deploy_id != (remote.deploy_id if remote else None)
    pending_id = str((remote.pending if remote else {}).get("deploy_id") or manifest.deploy_id)
    deletes = [a.path for a in plan.deletes]
    result.deploy_id = manifest.deploy_id
    entries: dict[str, Entry] = dict(manifest.files)
    total = len(plan.writes)
    counter = [0]
    check_cancel(cancel)
    logger.info(
        "uploading %d assets, then %d pages (%d new first); %d deletes after the commit",
        len(plan.assets_phase),
        len(plan.entry_phase),
        len(plan.new_entry_phase),
        len(deletes),
    )
    progress(ProgressEvent("deploy.progress.assets", 0, total))
    result.bytes_uploaded += _run_phase(
        target, plan.assets_phase, desired, entries, workers=options.workers, progress=progress,
        cancel=cancel, counter=counter, total=total,
    )  # fmt: skip
    logger.info("assets written (%d of %d writes); pages next", counter[0], total)
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
        logger.info("release record %s (commit %s)", manifest.deploy_id, manifest.commit[:12] or "-")
        target.put_release(manifest.deploy_id, _release_record(manifest, target, body))
    logger.info("committing the manifest (%d files, %d bytes) to %s", len(entries), len(body), target.url)
    new_etag = target.write_manifest(manifest, etag, body)
    if cdn_paths:
        logger.info("invalidating %d CDN paths on %s", len(cdn_paths), target.distribution)
        progress(ProgressEvent("deploy.progress.invalidate", 0, len(cdn_paths)))
        result.invalidation_id = target.invalidate(
            cdn_paths, caller_reference=f"lpublish-{pending_id}", wait=options.wait
        )
    if deletes:
        logger.info("deleting %d stale objects", len(deletes))
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


def cdn_paths(plan: Plan, remote: Manifest | None, target: Target, options: DeployOptions) -> list[str]:
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
    plan: Plan, remote: Manifest | None, desired: dict[str, Desired], prefixes: list[str]
) -> None:
    planned = {a.path for a in plan.deletes}
    for path in (remote.pending if remote else {}).get("delete") or []:
        if path not in desired and path not in planned and not protected(path, prefixes):
            plan.deletes.append(Action("delete", str(path), "stale"))


def deploy(
    source: Path,
    target: Target,
    *,
    rules: list[HeaderRule],
    options: DeployOptions,
    env: Environment | None = None,
    progress: ProgressCallback = no_progress,
    cancel: threading.Event | None = None,
) -> DeployResult:
    """Deploy the directory ``source`` to ``target``. See the module docstring for the order of work.

    ``env`` gives the commit (``GITHUB_SHA``) and the CI run named in the lock; ``None`` is an empty
    environment (the commit then comes from ``git rev-parse HEAD``).

    Raises ``ContentError`` when a guard refuses (unless ``options.yes``) or another deploy holds the lock
    longer than ``lock_wait_seconds``; ``ExternalError`` for S3/CloudFront/network failures.
    """
    started = time.monotonic()
    env = env if env is not None else Environment()
    base_requests = target.requests
    if not source.is_dir():
        raise UsageError("deploy.no_source", path=str(source))
    logger.info("deploying %s to %s", source, target.url)
    now = options.now or utcnow()
    progress(ProgressEvent("deploy.progress.scan"))
    # The walk runs alone: it makes a system call per folder and per file, and after each one it queues
    # for the interpreter lock behind any thread doing Python work (the clients' set-up, a request's
    # signing): measured 1-4 s lost at 1,560-15,000 folders when they overlapped. The clients are made
    # first; the remote manifest's bytes are then fetched while the walked files are hashed (hashlib
    # releases the lock) and given their headers, and parsed here afterwards.
    target.connect()
    walked = walk_build(source, options.exclude)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lpublish-manifest") as prefetch:
        remote_bytes = prefetch.submit(target.fetch_manifest)
        desired = desired_from_walk(source, walked, rules, options, target)
        first: tuple[Manifest | None, str] | None = parse_manifest(*remote_bytes.result())
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
            env=env,
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
    env: Environment,
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
            tag = target.local_etag(Path(want.source), want.size)
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
    paths = cdn_paths(plan, remote, target, options)
    logger.info(
        "plan: %d uploads, %d copies, %d deletes, %d unchanged, %d retained; %d CDN paths%s",
        len(plan.uploads),
        len(plan.copies),
        len(plan.deletes),
        plan.unchanged,
        len(plan.retained),
        len(paths),
        " (verified against a listing)" if verified else "",
    )
    result = DeployResult(
        plan=plan,
        unchanged=plan.unchanged,
        url=target.site_url,
        target=target.url,
        dry_run=options.dry_run,
        verified=verified,
        drift=drift,
        retained=len(plan.manifest.retained),
        invalidation_paths=paths,
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
        logger.info("nothing to do: %s already holds this build", target.url)
        return result
    if options.dry_run:
        return result
    commit = options.commit if options.commit is not None else detect_commit(source, env)
    result.commit = commit
    progress(ProgressEvent("deploy.progress.lock"))
    done = execute(
        target, plan, desired, remote=remote, etag=etag, options=options, result=result, now=now,
        commit=commit, cdn_paths=paths, verified=verified, env=env, progress=progress, cancel=cancel,
    )  # fmt: skip
    # Someone else deployed while we planned or waited: plan again against their manifest.
    return result if done else None
