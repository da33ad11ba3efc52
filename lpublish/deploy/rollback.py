"""Going back and cleaning up: restoring an earlier release, and removing a pull request's preview.

Owns: ``Release`` / ``list_releases`` (the release records on a target, oldest first), ``rollback``
(restore a release by server-side copies, checking first that every object version still exists) and
``remove`` (delete everything under a preview prefix and invalidate it). Both hold the deploy lock
through ``lpublish.deploy.lease.locked`` and commit through the engine's path. Must not import UI
libraries.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass

from lpublish.deploy.engine import DeployResult, cdn_paths, execute
from lpublish.deploy.lease import locked
from lpublish.deploy.manifest import Manifest, utcnow
from lpublish.deploy.options import DeployOptions
from lpublish.deploy.plan import Desired, Plan, plan_changes
from lpublish.deploy.target import Target
from lpublish.environment import Environment
from lpublish.errors import ContentError, UsageError
from lpublish.progress import ProgressCallback, no_progress

__all__ = ["Release", "list_releases", "remove", "rollback"]

logger = logging.getLogger(__name__)


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
    env: Environment | None = None,
    progress: ProgressCallback = no_progress,
    cancel: threading.Event | None = None,
) -> DeployResult:
    """Restore an earlier release (default: the one before the current) with server-side copies.

    ``env`` names the CI run in the lock (``None``: an empty environment).

    Raises ``ContentError`` naming the commit to rebuild and redeploy when some objects of that release
    no longer exist anywhere on the target.
    """
    opts = options or DeployOptions()
    env = env if env is not None else Environment()
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
    logger.info("rolling %s back to release %s", target.url, chosen)
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
    paths = cdn_paths(plan, remote, target, opts)
    logger.info(
        "restore plan: %d copies, %d uploads, %d deletes",
        len(plan.copies),
        len(plan.uploads),
        len(plan.deletes),
    )
    result = DeployResult(
        plan=plan,
        unchanged=plan.unchanged,
        url=target.site_url,
        target=target.url,
        dry_run=opts.dry_run,
        restored=release.id,
        commit=release.commit,
        invalidation_paths=paths,
        retained=len(plan.manifest.retained),
    )
    if opts.dry_run or (plan.empty and not remote.pending):
        result.seconds = time.monotonic() - started
        result.requests = target.requests - base_requests
        return result
    done = execute(
        target, plan, desired, remote=remote, etag=etag, options=opts, result=result, now=now,
        commit=release.commit, cdn_paths=paths, verified=False, env=env, progress=progress, cancel=cancel,
    )  # fmt: skip
    if not done:
        raise ContentError("deploy.manifest_conflict")
    result.seconds = time.monotonic() - started
    result.requests = target.requests - base_requests
    return result


def remove(
    target: Target, *, options: DeployOptions | None = None, env: Environment | None = None
) -> DeployResult:
    """Delete everything under the target's prefix (a pull request's preview) and invalidate it."""
    opts = options or DeployOptions()
    env = env if env is not None else Environment()
    # Removing is for per-PR previews: never empty a whole bucket or folder by accident.
    if not target.prefix:
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
        with locked(
            target,
            ttl_seconds=opts.lock_ttl_seconds,
            wait_seconds=opts.lock_wait_seconds,
            env=env,
            heartbeat=False,
        ):
            logger.info("removing everything under %s", target.url)
            removed = target.remove_prefix()
        result.removed = removed
        result.deleted = removed
        prefix = target.prefix
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
