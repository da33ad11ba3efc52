"""The deploy lease: holding a target's deploy lock for as long as a deploy runs, and proving it.

Owns: ``locked`` (the one way deploy, rollback and remove hold the lock: ``with locked(target, ...) as
lease``), ``Lease`` (acquire the lock, renew it in the background every third of its TTL, check
ownership on demand, release it, and fail loudly when releasing fails) and ``release_finished`` (the
check that lets a deploy remove a lock left by a deploy whose release is already committed). A lock with a TTL alone is
not enough: a deploy slower than the TTL would have its lock taken over while it keeps writing, so the
engine calls ``check`` before the page phase and before the manifest write and stops when it was lost.
Must not import UI libraries.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from types import TracebackType

from lpublish.deploy.target import FinishedCheck, LockInfo, Target, lock_owner, new_lock
from lpublish.environment import Environment
from lpublish.errors import ContentError, ExternalError

logger = logging.getLogger(__name__)

#: Never renew more often than this (seconds), whatever the TTL.
MIN_INTERVAL = 0.2


def release_finished(target: Target) -> FinishedCheck:
    """A lock is left over when the release it names is committed: the manifest carries its id with no
    pending work, and its release record exists."""

    def finished(lock: LockInfo) -> bool:
        if not lock.deploy_id:
            return False
        manifest, _ = target.read_manifest()
        if manifest is None or manifest.deploy_id != lock.deploy_id or manifest.pending:
            return False
        return target.get_release(lock.deploy_id) is not None

    return finished


class Lease:
    """``with Lease(target, ttl_seconds=..., wait_seconds=...) as lease:`` holds the deploy lock."""

    def __init__(
        self,
        target: Target,
        *,
        ttl_seconds: float,
        wait_seconds: float,
        owner: str,
        heartbeat: bool = True,
        deploy_id: str = "",
    ) -> None:
        self.target = target
        self.owner = owner
        self.deploy_id = deploy_id
        self.ttl_seconds = ttl_seconds
        self.wait_seconds = wait_seconds
        self.heartbeat = heartbeat
        self._stop = threading.Event()
        self._lost = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Lease:
        info = new_lock(self.deploy_id, self.ttl_seconds, self.owner)
        logger.info("waiting up to %.0f s for the deploy lock of %s", self.wait_seconds, self.target.url)
        self.target.acquire_lock(info, wait_seconds=self.wait_seconds, finished=release_finished(self.target))
        logger.info("deploy lock acquired on %s (valid %.0f s)", self.target.url, self.ttl_seconds)
        if self.heartbeat:
            self._thread = threading.Thread(target=self._beat, daemon=True, name="lpublish-lease")
            self._thread.start()
        return self

    def _beat(self) -> None:
        interval = max(MIN_INTERVAL, self.ttl_seconds / 3)
        while not self._stop.wait(interval):
            try:
                self.target.renew_lock()
                logger.debug("deploy lock renewed on %s", self.target.url)
            except ContentError:
                logger.warning("the deploy lock on %s was taken over by another deploy", self.target.url)
                self._lost.set()
                return
            except ExternalError as exc:
                # A passing network error: the next beat tries again; check() decides before writes.
                logger.warning("could not renew the deploy lock: %s", exc.key)

    def check(self, deploy_id: str | None = None) -> None:
        """Renew now, which proves we still hold the lock; raises ``lock_lost`` when we do not."""
        if self._lost.is_set():
            raise ContentError("services.deploy.lock_lost", target=self.target.url)
        try:
            self.target.renew_lock(deploy_id)
        except ContentError:
            self._lost.set()
            raise
        logger.info("deploy lock still ours on %s (renewed)", self.target.url)

    def _stop_beating(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop_beating()
        if exc_type is None:
            self.target.release_lock()  # a failed release is an error of its own
            logger.info("deploy lock released on %s", self.target.url)
            return
        # Already failing: release if we can, but never hide the first error.
        with contextlib.suppress(Exception):
            self.target.release_lock()


@contextlib.contextmanager
def locked(
    target: Target,
    *,
    ttl_seconds: float,
    wait_seconds: float,
    env: Environment,
    deploy_id: str = "",
    heartbeat: bool = True,
) -> Iterator[Lease]:
    """Hold ``target``'s deploy lock for the ``with`` block: acquire (waiting up to ``wait_seconds``),
    renew in the background, ``lease.check()`` before each commit step, release at the end.

    ``deploy_id`` names the release being written (a lock whose release is committed is left over and
    removable); ``env`` says who holds it (user, host, CI run). ``heartbeat=False`` for work that deletes
    the lock object itself (removing a preview).
    """
    with Lease(
        target,
        ttl_seconds=ttl_seconds,
        wait_seconds=wait_seconds,
        owner=lock_owner(env),
        heartbeat=heartbeat,
        deploy_id=deploy_id,
    ) as lease:
        yield lease
