"""Deploying to a folder: the ``Target`` practice mode and ``file://`` addresses use.

Owns: ``DirTarget`` (the same planner, manifest, lock and release records as S3, files written
atomically through a temporary name and ``os.replace``; headers live only in the manifest; the lock is a
file created with ``O_EXCL``). Must not import UI libraries.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import threading
import time
from pathlib import Path

from lpublish.deploy.headers import Headers
from lpublish.deploy.manifest import LOCK_KEY, MANIFEST_KEY, RELEASES_DIR, Manifest, parse_manifest
from lpublish.deploy.plan import RemoteObject
from lpublish.deploy.target import FinishedCheck, LockInfo, expired, lock_lost, locked_error
from lpublish.errors import ContentError, ExternalError
from lpublish.hashing import sha256_file


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

    def connect(self) -> None:
        """Nothing to make: a folder needs no client."""

    def fetch_manifest(self) -> tuple[bytes | None, str]:
        self._tick()
        try:
            raw = self._path(MANIFEST_KEY).read_bytes()
        except FileNotFoundError:
            return None, ""
        return raw, _digest(raw)

    def read_manifest(self) -> tuple[Manifest | None, str]:
        return parse_manifest(*self.fetch_manifest())

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
                    current = LockInfo.from_json(lock.read_bytes())
                except FileNotFoundError:
                    continue
                left_over = current is not None and finished is not None and finished(current)
                if expired(current) or left_over:
                    # Move the stale lock aside (atomic), then race for it again through O_EXCL. If what we
                    # moved turns out to be someone's fresh lock, put it back: only one process wins.
                    aside = lock.with_name(f"lock.stale-{os.getpid()}-{threading.get_ident()}")
                    try:
                        os.rename(lock, aside)
                    except FileNotFoundError:
                        continue
                    moved = LockInfo.from_json(aside.read_bytes())
                    if not expired(moved) and not (moved is not None and moved == current and left_over):
                        with contextlib.suppress(OSError):
                            os.link(aside, lock)
                    aside.unlink(missing_ok=True)
                    continue
                if time.monotonic() >= deadline:
                    raise locked_error(current) from None
                time.sleep(min(0.5, max(0.05, deadline - time.monotonic())))
                continue
            with os.fdopen(fd, "wb") as fh:
                fh.write(info.to_json())
            self._lock_info = info
            return

    def renew_lock(self, deploy_id: str | None = None) -> None:
        with self._io:
            lock = self._path(LOCK_KEY)
            try:
                current = LockInfo.from_json(lock.read_bytes())
            except FileNotFoundError:
                current = None
            if self._lock_info is None or current is None or current.token != self._lock_info.token:
                self._lock_info = None
                raise lock_lost(self.url)
            info = self._lock_info.renewed(deploy_id)
            tmp = lock.with_name(f"lock.renew-{os.getpid()}-{threading.get_ident()}")
            tmp.write_bytes(info.to_json())
            os.replace(tmp, lock)
            self._lock_info = info

    def release_lock(self) -> None:
        info, self._lock_info = self._lock_info, None
        if info is None:
            return
        lock = self._path(LOCK_KEY)
        try:
            current = LockInfo.from_json(lock.read_bytes())
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
    return hashlib.sha256(data).hexdigest()
