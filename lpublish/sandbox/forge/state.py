"""The local forge's data and its locking.

Owns: what the forge knows (users and their tokens, repositories with their pull requests, comments,
reviews, check runs, commit statuses and deployments, OAuth apps and device codes, injected faults, merge
hooks), the one re-entrant lock that guards it, id allocation (a counter for what the forge creates,
stable ids for people and teams it only knows by name), and the request records tests read. No
HTTP and no JSON here: handlers read and change a :class:`ForgeState`, shapes turn it into GitHub's JSON.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lpublish.environment import Environment
from lpublish.hashing import sha256_bytes

#: Ids of people and teams the forge knows only by name start here, above every counted id. They come
#: from a digest of the name, so they are the same in every process (``hash()`` is salted per process).
STABLE_ID_BASE = 1_000_000_000
#: How many stable ids there are (32 bits of the digest; a clash moves to the next free one).
_STABLE_ID_SPACE = 1 << 32


def now() -> str:
    """The current time as GitHub writes timestamps (``2026-01-01T12:00:00Z``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ForgeServerError(Exception):
    """A helper call on ``LocalForge`` could not be done (unknown PR, merge conflict ...)."""


@dataclass
class User:
    login: str
    token: str
    id: int
    name: str
    email: str | None
    permission: str  # write | read | none


@dataclass
class Pull:
    number: int
    id: int
    title: str
    body: str
    head: str
    base: str
    user: str
    draft: bool
    state: str = "open"
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)
    closed_at: str | None = None
    merged_at: str | None = None
    merged_by: str | None = None
    merge_commit_sha: str | None = None
    head_sha: str = ""
    base_sha: str = ""
    labels: list[str] = field(default_factory=list)
    reviewers: list[str] = field(default_factory=list)
    team_reviewers: list[str] = field(default_factory=list)
    #: GitHub computes mergeability in the background: the first read after a push says ``null``.
    mergeable_known: bool = False


@dataclass
class Repo:
    full_name: str
    bare: Path
    default_branch: str
    id: int
    private: bool = True
    pulls: dict[int, Pull] = field(default_factory=dict)
    next_number: int = 1
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> comment (with "_issue")
    reviews: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    check_runs: list[dict[str, Any]] = field(default_factory=list)
    deployments: list[dict[str, Any]] = field(default_factory=list)
    statuses: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    labels: dict[str, int] = field(default_factory=dict)
    #: Commit statuses (the older Status API many CI systems use), newest last; "_sha" is internal.
    commit_statuses: list[dict[str, Any]] = field(default_factory=list)

    @property
    def owner(self) -> str:
        return self.full_name.split("/", 1)[0]

    def open_pulls(self) -> int:
        return sum(1 for p in self.pulls.values() if p.state == "open")

    def comments_on(self, number: int) -> list[dict[str, Any]]:
        return [c for c in self.comments.values() if c["_issue"] == number]


@dataclass
class DevicePolicy:
    """How the next device codes behave when polled (see ``LocalForge.set_device_policy``)."""

    login: str | None = None
    pending: int = 1
    slow_down: int = 0
    outcome: str = "approve"  # approve | deny | expire
    expires_in: int = 900
    interval: int = 5


@dataclass
class Device:
    device_code: str
    user_code: str
    client_id: str
    expires_at: float
    interval: int
    login: str | None = None
    outcome: str = "approve"  # approve | deny | expire
    pending: int = 0
    slow_down: int = 0
    done: bool = False


@dataclass
class Fault:
    method: str | None
    pattern: re.Pattern[str]
    status: int | str
    count: int


@dataclass
class Refresh:
    login: str
    client_id: str


@dataclass
class MergeEvent:
    """Passed to ``on_merge`` callbacks after a real merge into the base branch."""

    repo: str
    number: int
    sha: str
    base: str
    bare: Path


@dataclass
class ForgeState:
    """Everything the forge holds. Handlers take ``lock`` (re-entrant) around reads and changes."""

    env: Environment
    #: The server's base URL (API and web), set when it starts.
    url: str = ""
    lock: threading.RLock = field(default_factory=threading.RLock)
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # token -> login
    token_expiry: dict[str, float] = field(default_factory=dict)
    refresh: dict[str, Refresh] = field(default_factory=dict)
    repos: dict[str, Repo] = field(default_factory=dict)
    devices: dict[str, Device] = field(default_factory=dict)
    apps: dict[str, bool] = field(default_factory=dict)  # client_id -> issues expiring tokens
    device_policy: DevicePolicy = field(default_factory=DevicePolicy)
    faults: list[Fault] = field(default_factory=list)
    merge_hooks: list[Callable[[MergeEvent], None]] = field(default_factory=list)
    ids: int = 1000
    #: (kind, name) -> id, for people and teams the forge knows only by name (see ``stable_id``).
    stable_ids: dict[tuple[str, str], int] = field(default_factory=dict)
    #: (method, path without query, status) of every request, for tests. Never holds tokens.
    requests: list[tuple[str, str, int]] = field(default_factory=list)
    #: LFS object ids uploaded, in order.
    lfs_uploads: list[str] = field(default_factory=list)
    #: Seconds the refresh-token grant takes (tests make two refreshes overlap).
    refresh_delay: float = 0.0
    #: Every ``Link`` header sent (tests check lists really paged).
    link_headers: list[str] = field(default_factory=list)

    def next_id(self) -> int:
        with self.lock:
            self.ids += 1
            return self.ids

    def stable_id(self, kind: str, name: str) -> int:
        """The id of a ``kind`` (``user``, ``team``) the forge knows only by its ``name`` (GitHub's names
        are case-insensitive): a digest of the name, the same in every process; two names never share
        one (a clash, which the 32-bit digest makes rare, takes the next free id)."""
        key = (kind, name.lower())
        with self.lock:
            known = self.stable_ids.get(key)
            if known is not None:
                return known
            digest = int(sha256_bytes(f"{kind}:{key[1]}".encode()), 16) % _STABLE_ID_SPACE
            taken = set(self.stable_ids.values())
            while STABLE_ID_BASE + digest in taken:
                digest = (digest + 1) % _STABLE_ID_SPACE
            self.stable_ids[key] = STABLE_ID_BASE + digest
            return STABLE_ID_BASE + digest

    def login_for(self, token: str | None) -> str | None:
        """The user a token belongs to, or ``None`` (unknown, revoked or expired)."""
        if not token:
            return None
        with self.lock:
            login = self.tokens.get(token)
            expiry = self.token_expiry.get(token)
        if login is None or (expiry is not None and expiry <= time.time()):
            return None
        return login

    def take_fault(self, method: str, path: str) -> int | str | None:
        """The status of the first injected fault that matches this request (and count it down)."""
        with self.lock:
            for fault in self.faults:
                if fault.count > 0 and (fault.method in (None, method)) and fault.pattern.search(path):
                    fault.count -= 1
                    if fault.count == 0:
                        self.faults.remove(fault)
                    return fault.status
        return None

    def repo_named(self, repo: str | None) -> Repo:
        """The repository ``repo``, or the first one served when ``None``."""
        return self.repos[repo] if repo else next(iter(self.repos.values()))

    def repo_for_pull(self, number: int, repo: str | None) -> tuple[Repo, Pull]:
        """The pull request ``number`` (in ``repo``, or in any repository when ``None``)."""
        with self.lock:
            repos = [self.repos[repo]] if repo else list(self.repos.values())
            for candidate in repos:
                if number in candidate.pulls:
                    return candidate, candidate.pulls[number]
        raise ForgeServerError(f"no pull request #{number}")
