"""A local GitHub-compatible server: the REST subset lpublish uses, over real bare git repositories.

Owns: ``LocalForge``. It is a real HTTP server (stdlib ``ThreadingHTTPServer``) on 127.0.0.1 with a
random port, used by the tests, the benchmark and practice mode in place of GitHub (which cannot run
here). It serves:

- the REST endpoints lpublish calls (``/user``, ``/repos/{o}/{r}``, pulls create/list/get/update/merge,
  requested reviewers, reviews, issue labels and comments, check runs, deployments and their statuses,
  ``git/refs`` delete) with JSON shaped like GitHub's, complete enough to parse into githubkit's models;
- the OAuth device flow (``/login/device/code``, ``/login/oauth/access_token``, refresh tokens);
- git over smart HTTP (``/{o}/{r}.git/...`` through ``git http-backend``, Basic auth with the token as
  password), so the credential helper path is exercised for real; file paths work as clone URLs too;
- raw files (``/{o}/{r}/raw/{ref}/{path}``) for PR thumbnails and a tiny HTML page per pull request.

Errors use GitHub's shape (``{"message", "documentation_url"}``); a bad token gets 401
``Bad credentials``. Tests inject faults with ``fail_next``. Merging (``merge()`` or the REST call) is a
real merge in the bare repository (``git merge-tree --write-tree``); ``on_merge`` callbacks let practice
mode build and deploy locally. Must not import UI libraries.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import re
import secrets
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

DOCS = "https://docs.github.com/rest"

#: ``x-ratelimit-*`` headers sent with every API response (GitHub always sends them).
RATE_LIMIT = 5000


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ForgeServerError(Exception):
    """A helper call on ``LocalForge`` could not be done (unknown PR, merge conflict ...)."""


@dataclass
class _User:
    login: str
    token: str
    id: int
    name: str
    email: str | None
    permission: str  # write | read | none


@dataclass
class _Pull:
    number: int
    id: int
    title: str
    body: str
    head: str
    base: str
    user: str
    draft: bool
    state: str = "open"
    created_at: str = field(default_factory=_now)
    updated_at: str = field(default_factory=_now)
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
class _Repo:
    full_name: str
    bare: Path
    default_branch: str
    id: int
    private: bool = True
    pulls: dict[int, _Pull] = field(default_factory=dict)
    next_number: int = 1
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> comment (with "issue")
    reviews: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    check_runs: list[dict[str, Any]] = field(default_factory=list)
    deployments: list[dict[str, Any]] = field(default_factory=list)
    statuses: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    labels: dict[str, int] = field(default_factory=dict)
    #: Commit statuses (the older Status API many CI systems use), newest last; "_sha" is internal.
    commit_statuses: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Device:
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
class _Fault:
    method: str | None
    pattern: re.Pattern[str]
    status: int | str
    count: int


@dataclass
class _Refresh:
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


class LocalForge:
    """A GitHub-compatible server on 127.0.0.1 backed by real bare repositories.

    >>> forge = LocalForge(); api_url = forge.start()
    >>> forge.add_repo("acme/lp", bare_path); forge.add_user("hana", "tok", name="Hana")
    """

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._host = host
        self._port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.RLock()
        self._users: dict[str, _User] = {}
        self._tokens: dict[str, str] = {}  # token -> login
        self._token_expiry: dict[str, float] = {}
        self._refresh: dict[str, _Refresh] = {}
        self._repos: dict[str, _Repo] = {}
        self._devices: dict[str, _Device] = {}
        self._apps: dict[str, bool] = {}  # client_id -> issues expiring tokens
        self._device_policy: dict[str, Any] = {"login": None}
        self._faults: list[_Fault] = []
        self._merge_hooks: list[Callable[[MergeEvent], None]] = []
        self._ids = 1000
        #: (method, path without query, status) of every request, for tests. Never holds tokens.
        self.requests: list[tuple[str, str, int]] = []
        #: LFS object ids uploaded, in order.
        self.lfs_uploads: list[str] = []
        #: Seconds the refresh-token grant takes (tests make two refreshes overlap).
        self.refresh_delay = 0.0
        #: Every ``Link`` header sent (tests check lists really paged).
        self.link_headers: list[str] = []
        self.url = ""

    # --- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> str:
        """Start serving on a free port; returns the API base URL (also the web URL)."""
        handler = _make_handler(self)
        self._server = ThreadingHTTPServer((self._host, self._port), handler)
        self._server.daemon_threads = True
        port = self._server.server_address[1]
        # A restart after stop() binds the same port, so clients configured with the URL reconnect.
        self._port = port
        self.url = f"http://{self._host}:{port}"
        # A short poll interval makes stop() quick (tests start and stop many servers).
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="local-forge", daemon=True
        )
        self._thread.start()
        return self.url

    @property
    def api_url(self) -> str:
        return self.url

    @property
    def web_url(self) -> str:
        return self.url

    def stop(self) -> None:
        """Stop serving (later requests are refused at the TCP level: "network down")."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> LocalForge:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- setup -----------------------------------------------------------------------------------------

    def _next_id(self) -> int:
        with self._lock:
            self._ids += 1
            return self._ids

    def add_repo(
        self, full_name: str, bare_path: Path, default_branch: str = "main", *, private: bool = True
    ) -> None:
        """Serve the bare repository at ``bare_path`` as ``full_name``."""
        with self._lock:
            self._repos[full_name] = _Repo(
                full_name, Path(bare_path), default_branch, self._next_id(), private
            )

    def add_user(
        self,
        login: str,
        token: str,
        *,
        name: str | None = None,
        email: str | None = None,
        permission: str = "write",
        user_id: int | None = None,
    ) -> None:
        """A user whose API token is ``token``. ``permission``: ``write``, ``read`` or ``none``."""
        with self._lock:
            uid = user_id if user_id is not None else self._next_id()
            self._users[login] = _User(login, token, uid, name or login, email, permission)
            self._tokens[token] = login

    def revoke_token(self, token: str) -> None:
        """Make ``token`` invalid (the next call with it gets 401 Bad credentials)."""
        with self._lock:
            self._tokens.pop(token, None)

    def add_oauth_app(self, client_id: str, *, expiring: bool = False) -> None:
        """Register an OAuth/GitHub App client id for the device flow (``expiring``: refresh tokens)."""
        with self._lock:
            self._apps[client_id] = expiring

    def set_device_policy(
        self,
        login: str | None,
        *,
        pending: int = 1,
        slow_down: int = 0,
        outcome: str = "approve",
        expires_in: int = 900,
        interval: int = 5,
    ) -> None:
        """How the next device codes behave when polled: ``pending`` polls answer
        ``authorization_pending``, ``slow_down`` of them answer ``slow_down`` first, then ``outcome``
        (``approve`` as ``login``, ``deny`` = access_denied, ``expire`` = expired_token)."""
        with self._lock:
            self._device_policy = {
                "login": login,
                "pending": pending,
                "slow_down": slow_down,
                "outcome": outcome,
                "expires_in": expires_in,
                "interval": interval,
            }

    def authorize_device(self, user_code: str, login: str) -> None:
        """The user typed ``user_code`` in the browser and approved."""
        with self._lock:
            for device in self._devices.values():
                if device.user_code == user_code:
                    device.login = login
                    device.outcome = "approve"
                    device.pending = 0
                    return
        raise ForgeServerError(f"unknown user code {user_code}")

    def expire_token(self, token: str) -> None:
        """Make an access token expire now (it answers 401 from now on)."""
        with self._lock:
            self._token_expiry[token] = 0.0

    def fail_next(self, route: str, status: int | str, count: int = 1, *, method: str | None = None) -> None:
        """Make the next ``count`` requests whose path matches regex ``route`` fail with ``status``
        (401/403/404/422/5xx, or ``"rate-limit"`` = 403 with ``x-ratelimit-remaining: 0``)."""
        with self._lock:
            self._faults.append(_Fault(method.upper() if method else None, re.compile(route), status, count))

    def on_merge(self, callback: Callable[[MergeEvent], None]) -> None:
        """Run ``callback`` after each merge (practice mode builds and deploys there)."""
        self._merge_hooks.append(callback)

    # --- helpers for tests and practice mode ---------------------------------------------------------------

    def _repo_for_pull(self, number: int, repo: str | None) -> tuple[_Repo, _Pull]:
        with self._lock:
            repos = [self._repos[repo]] if repo else list(self._repos.values())
            for candidate in repos:
                if number in candidate.pulls:
                    return candidate, candidate.pulls[number]
        raise ForgeServerError(f"no pull request #{number}")

    def pull(self, number: int, repo: str | None = None) -> dict[str, Any]:
        """The pull request as the API would return it."""
        found, pull = self._repo_for_pull(number, repo)
        return self._pull_json(found, pull)

    def pulls(self, repo: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            repos = [self._repos[repo]] if repo else list(self._repos.values())
            return [self._pull_json(r, p) for r in repos for p in r.pulls.values()]

    def comments(self, number: int, repo: str | None = None) -> list[dict[str, Any]]:
        found, _ = self._repo_for_pull(number, repo)
        return [c for c in found.comments.values() if c["_issue"] == number]

    def approve(self, number: int, reviewer: str = "reviewer", *, repo: str | None = None) -> None:
        self._review(number, reviewer, "APPROVED", repo)

    def request_changes(self, number: int, reviewer: str = "reviewer", *, repo: str | None = None) -> None:
        self._review(number, reviewer, "CHANGES_REQUESTED", repo)

    def _review(self, number: int, reviewer: str, state: str, repo: str | None) -> None:
        found, pull = self._repo_for_pull(number, repo)
        with self._lock:
            found.reviews.setdefault(number, []).append(
                {
                    "id": self._next_id(),
                    "user": reviewer,
                    "state": state,
                    "body": "",
                    "submitted_at": _now(),
                    "commit_id": self._head_sha(found, pull),
                }
            )

    def set_check(
        self,
        number_or_sha: int | str,
        name: str,
        status: str = "completed",
        conclusion: str | None = "success",
        *,
        repo: str | None = None,
        details_url: str | None = None,
    ) -> None:
        """Add or replace check run ``name`` on a PR's head commit (or a commit sha)."""
        if isinstance(number_or_sha, int):
            found, pull = self._repo_for_pull(number_or_sha, repo)
            sha = self._head_sha(found, pull)
        else:
            found = self._repos[repo] if repo else next(iter(self._repos.values()))
            sha = number_or_sha
        with self._lock:
            found.check_runs = [
                c for c in found.check_runs if not (c["head_sha"] == sha and c["name"] == name)
            ]
            found.check_runs.append(
                self._check_json(found, self._next_id(), sha, name, status, conclusion, details_url)
            )

    def set_status(
        self,
        number_or_sha: int | str,
        context: str,
        state: str = "success",
        *,
        repo: str | None = None,
        target_url: str | None = None,
    ) -> None:
        """Add a commit status ``context`` (Status API) on a PR's head commit (or a commit sha)."""
        if isinstance(number_or_sha, int):
            found, pull = self._repo_for_pull(number_or_sha, repo)
            sha = self._head_sha(found, pull)
        else:
            found = self._repos[repo] if repo else next(iter(self._repos.values()))
            sha = number_or_sha
        with self._lock:
            self._commit_status(found, sha, state, {"context": context, "target_url": target_url}, None)

    def _commit_status(
        self, repo: _Repo, sha: str, state: str, data: dict[str, Any], login: str | None
    ) -> dict[str, Any]:
        sid = self._next_id()
        status = {
            "url": f"{self.url}/repos/{repo.full_name}/statuses/{sha}",
            "avatar_url": None,
            "id": sid,
            "node_id": f"SC_{sid}",
            "state": state,
            "description": data.get("description"),
            "target_url": data.get("target_url"),
            "context": str(data.get("context") or "default"),
            "created_at": _now(),
            "updated_at": _now(),
            "creator": self._user_json(login) if login else None,
            "_sha": sha,
        }
        repo.commit_statuses.append(status)
        return {k: v for k, v in status.items() if k != "_sha"}

    def add_deployment(
        self,
        sha_or_number: int | str,
        environment: str = "production",
        state: str = "success",
        *,
        environment_url: str = "",
        repo: str | None = None,
    ) -> int:
        """A deployment of a commit (or a PR's merge commit) with one status; returns its id."""
        if isinstance(sha_or_number, int):
            found, pull = self._repo_for_pull(sha_or_number, repo)
            sha = pull.merge_commit_sha or self._head_sha(found, pull)
            ref = found.default_branch if pull.merge_commit_sha else pull.head
        else:
            found = self._repos[repo] if repo else next(iter(self._repos.values()))
            sha, ref = sha_or_number, found.default_branch
        with self._lock:
            dep = self._deployment_json(found, self._next_id(), sha, ref, environment, "", None)
            found.deployments.append(dep)
            found.statuses[dep["id"]] = []
        self._add_status(found, dep["id"], state, environment_url, "")
        return int(dep["id"])

    def merge(self, number: int, *, repo: str | None = None, merged_by: str = "reviewer") -> str:
        """Merge PR ``number`` for real (merge commit in the bare repo); returns the merge sha."""
        found, pull = self._repo_for_pull(number, repo)
        return self._do_merge(found, pull, merged_by)

    # --- git plumbing ------------------------------------------------------------------------------------

    def _git(self, repo: _Repo, *args: str, check: bool = True) -> str:
        result = subprocess.run(
            ["git", *args],
            cwd=repo.bare,
            capture_output=True,
            text=True,
            check=False,
            env=_git_env(),
        )
        if check and result.returncode != 0:
            raise ForgeServerError(f"git {args[0]} failed: {result.stderr.strip()}")
        return result.stdout.strip()

    def _ref_sha(self, repo: _Repo, ref: str) -> str | None:
        out = self._git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
        return out or None

    def _head_sha(self, repo: _Repo, pull: _Pull) -> str:
        if pull.state == "open":
            sha = self._ref_sha(repo, f"refs/heads/{pull.head}")
            if sha:
                pull.head_sha = sha
        return pull.head_sha

    def _do_merge(self, repo: _Repo, pull: _Pull, merged_by: str) -> str:
        with self._lock:
            if pull.merged_at:
                raise ForgeServerError(f"#{pull.number} is already merged")
            if pull.state != "open":
                raise ForgeServerError(f"#{pull.number} is closed")
            head = self._head_sha(repo, pull)
            base = self._ref_sha(repo, f"refs/heads/{pull.base}")
            if not head or not base:
                raise ForgeServerError("branch missing")
            merged = subprocess.run(
                ["git", "merge-tree", "--write-tree", base, head],
                cwd=repo.bare,
                capture_output=True,
                text=True,
                check=False,
                env=_git_env(),
            )
            if merged.returncode != 0:
                raise ForgeServerError(f"merge conflict in #{pull.number}")
            tree = merged.stdout.split()[0]
            user = self._users.get(merged_by)
            name = user.name if user else merged_by
            env = _git_env()
            env.update(
                GIT_AUTHOR_NAME=name,
                GIT_AUTHOR_EMAIL=f"{merged_by}@users.noreply.localhost",
                GIT_COMMITTER_NAME="Local Forge",
                GIT_COMMITTER_EMAIL="noreply@localhost",
            )
            message = f"Merge pull request #{pull.number} from {pull.head}\n\n{pull.title}"
            sha = subprocess.run(
                ["git", "commit-tree", tree, "-p", base, "-p", head, "-m", message],
                cwd=repo.bare,
                capture_output=True,
                text=True,
                check=True,
                env=env,
            ).stdout.strip()
            self._git(repo, "update-ref", f"refs/heads/{pull.base}", sha, base)
            pull.state = "closed"
            pull.merged_at = pull.closed_at = pull.updated_at = _now()
            pull.merged_by = merged_by
            pull.merge_commit_sha = sha
            pull.base_sha = base
        event = MergeEvent(repo.full_name, pull.number, sha, pull.base, repo.bare)
        for hook in list(self._merge_hooks):
            hook(event)
        return sha

    # --- JSON shapes (complete enough for githubkit's models) ----------------------------------------------

    def _user_json(self, login: str) -> dict[str, Any]:
        user = self._users.get(login)
        uid = user.id if user else abs(hash(login)) % 100000 + 1
        base = f"{self.url}/users/{login}"
        return {
            "login": login,
            "id": uid,
            "node_id": f"U_{uid}",
            "avatar_url": f"{self.url}/avatars/{login}",
            "gravatar_id": "",
            "url": base,
            "html_url": f"{self.url}/{login}",
            "followers_url": f"{base}/followers",
            "following_url": f"{base}/following{{/other_user}}",
            "gists_url": f"{base}/gists{{/gist_id}}",
            "starred_url": f"{base}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{base}/subscriptions",
            "organizations_url": f"{base}/orgs",
            "repos_url": f"{base}/repos",
            "events_url": f"{base}/events{{/privacy}}",
            "received_events_url": f"{base}/received_events",
            "type": "User",
            "site_admin": False,
            "user_view_type": "public",
        }

    def _private_user_json(self, user: _User) -> dict[str, Any]:
        data = self._user_json(user.login)
        data.update(
            name=user.name,
            company=None,
            blog="",
            location=None,
            email=user.email,
            hireable=None,
            bio=None,
            public_repos=0,
            public_gists=0,
            followers=0,
            following=0,
            created_at="2020-01-01T00:00:00Z",
            updated_at="2020-01-01T00:00:00Z",
            private_gists=0,
            total_private_repos=1,
            owned_private_repos=0,
            disk_usage=0,
            collaborators=0,
            two_factor_authentication=True,
            # GitHub's OpenAPI description picks private-user vs public-user by this discriminator.
            user_view_type="private",
        )
        return data

    def _repo_json(self, repo: _Repo, login: str | None = None, *, full: bool = False) -> dict[str, Any]:
        owner, name = repo.full_name.split("/", 1)
        api = f"{self.url}/repos/{repo.full_name}"
        html = f"{self.url}/{repo.full_name}"
        urls = {
            key: f"{api}/{key.removesuffix('_url').replace('_', '/')}"
            for key in (
                "archive_url",
                "assignees_url",
                "blobs_url",
                "branches_url",
                "collaborators_url",
                "comments_url",
                "commits_url",
                "compare_url",
                "contents_url",
                "contributors_url",
                "deployments_url",
                "downloads_url",
                "events_url",
                "forks_url",
                "git_commits_url",
                "git_refs_url",
                "git_tags_url",
                "issue_comment_url",
                "issue_events_url",
                "issues_url",
                "keys_url",
                "labels_url",
                "languages_url",
                "merges_url",
                "milestones_url",
                "notifications_url",
                "pulls_url",
                "releases_url",
                "stargazers_url",
                "statuses_url",
                "subscribers_url",
                "subscription_url",
                "tags_url",
                "teams_url",
                "trees_url",
                "hooks_url",
            )
        }
        data: dict[str, Any] = {
            "id": repo.id,
            "node_id": f"R_{repo.id}",
            "name": name,
            "full_name": repo.full_name,
            "owner": self._user_json(owner),
            "private": repo.private,
            "html_url": html,
            "description": None,
            "fork": False,
            "url": api,
            **urls,
            "git_url": f"{html}.git",
            "ssh_url": f"{html}.git",
            "clone_url": f"{html}.git",
            "svn_url": html,
            "mirror_url": None,
            "homepage": None,
            "language": None,
            "forks_count": 0,
            "stargazers_count": 0,
            "watchers_count": 0,
            "size": 0,
            "default_branch": repo.default_branch,
            "open_issues_count": sum(1 for p in repo.pulls.values() if p.state == "open"),
            "has_issues": True,
            "has_projects": False,
            "has_wiki": False,
            "has_downloads": True,
            "has_pages": False,
            "has_discussions": False,
            "archived": False,
            "disabled": False,
            "pushed_at": _now(),
            "created_at": "2020-01-01T00:00:00Z",
            "updated_at": _now(),
            "license": None,
            "forks": 0,
            "open_issues": sum(1 for p in repo.pulls.values() if p.state == "open"),
            "watchers": 0,
        }
        if login is not None:
            user = self._users.get(login)
            write = bool(user and user.permission == "write")
            data["permissions"] = {
                "admin": False,
                "maintain": False,
                "push": write,
                "triage": write,
                "pull": True,
            }
        if full:
            data.update(subscribers_count=0, network_count=0)
        return data

    def _label_json(self, repo: _Repo, name: str) -> dict[str, Any]:
        if name not in repo.labels:
            repo.labels[name] = self._next_id()
        lid = repo.labels[name]
        return {
            "id": lid,
            "node_id": f"LA_{lid}",
            "url": f"{self.url}/repos/{repo.full_name}/labels/{quote(name)}",
            "name": name,
            # A string: the simple pull request schema's labels do not allow null here.
            "description": "",
            "color": "ededed",
            "default": False,
        }

    def _pull_json(self, repo: _Repo, pull: _Pull, *, simple: bool = False) -> dict[str, Any]:
        api = f"{self.url}/repos/{repo.full_name}"
        html = f"{self.url}/{repo.full_name}/pull/{pull.number}"
        head_sha = self._head_sha(repo, pull)
        base_sha = self._ref_sha(repo, f"refs/heads/{pull.base}") or pull.base_sha
        owner = repo.full_name.split("/")[0]
        repo_json = self._repo_json(repo)
        data: dict[str, Any] = {
            "url": f"{api}/pulls/{pull.number}",
            "id": pull.id,
            "node_id": f"PR_{pull.id}",
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "issue_url": f"{api}/issues/{pull.number}",
            "commits_url": f"{api}/pulls/{pull.number}/commits",
            "review_comments_url": f"{api}/pulls/{pull.number}/comments",
            "review_comment_url": f"{api}/pulls/comments{{/number}}",
            "comments_url": f"{api}/issues/{pull.number}/comments",
            "statuses_url": f"{api}/statuses/{head_sha}",
            "number": pull.number,
            "state": pull.state,
            "locked": False,
            "title": pull.title,
            "user": self._user_json(pull.user),
            "body": pull.body,
            "labels": [self._label_json(repo, name) for name in pull.labels],
            "milestone": None,
            "active_lock_reason": None,
            "created_at": pull.created_at,
            "updated_at": pull.updated_at,
            "closed_at": pull.closed_at,
            "merged_at": pull.merged_at,
            "merge_commit_sha": pull.merge_commit_sha,
            "assignee": None,
            "assignees": [],
            "requested_reviewers": [self._user_json(login) for login in pull.reviewers],
            "requested_teams": [
                {
                    "id": abs(hash(t)) % 10000,
                    "node_id": f"T_{t}",
                    "name": t,
                    "slug": t,
                    "description": None,
                    "privacy": "closed",
                    "type": "organization",
                    "notification_setting": "notifications_enabled",
                    "permission": "push",
                    "url": f"{self.url}/teams/{t}",
                    "html_url": f"{self.url}/orgs/{owner}/teams/{t}",
                    "members_url": f"{self.url}/teams/{t}/members{{/member}}",
                    "repositories_url": f"{self.url}/teams/{t}/repos",
                    "parent": None,
                }
                for t in pull.team_reviewers
            ],
            "head": {
                "label": f"{owner}:{pull.head}",
                "ref": pull.head,
                "sha": head_sha,
                "repo": repo_json,
                "user": self._user_json(owner),
            },
            "base": {
                "label": f"{owner}:{pull.base}",
                "ref": pull.base,
                "sha": base_sha,
                "repo": repo_json,
                "user": self._user_json(owner),
            },
            "_links": {
                key: {"href": href}
                for key, href in {
                    "self": f"{api}/pulls/{pull.number}",
                    "html": html,
                    "issue": f"{api}/issues/{pull.number}",
                    "comments": f"{api}/issues/{pull.number}/comments",
                    "review_comments": f"{api}/pulls/{pull.number}/comments",
                    "review_comment": f"{api}/pulls/comments{{/number}}",
                    "commits": f"{api}/pulls/{pull.number}/commits",
                    "statuses": f"{api}/statuses/{head_sha}",
                }.items()
            },
            "author_association": "MEMBER",
            "auto_merge": None,
            "draft": pull.draft,
        }
        if not simple:
            merged_by = self._user_json(pull.merged_by) if pull.merged_by else None
            data.update(
                merged=pull.merged_at is not None,
                mergeable=True if pull.state == "open" and pull.mergeable_known else None,
                rebaseable=True if pull.mergeable_known else None,
                mergeable_state="clean" if pull.state == "open" and pull.mergeable_known else "unknown",
                merged_by=merged_by,
                comments=sum(1 for c in repo.comments.values() if c["_issue"] == pull.number),
                review_comments=0,
                maintainer_can_modify=False,
                commits=1,
                additions=0,
                deletions=0,
                changed_files=0,
            )
        return data

    def _comment_json(self, repo: _Repo, comment: dict[str, Any]) -> dict[str, Any]:
        api = f"{self.url}/repos/{repo.full_name}"
        return {
            "id": comment["id"],
            "node_id": f"IC_{comment['id']}",
            "url": f"{api}/issues/comments/{comment['id']}",
            "html_url": f"{self.url}/{repo.full_name}/pull/{comment['_issue']}#issuecomment-{comment['id']}",
            "issue_url": f"{api}/issues/{comment['_issue']}",
            "body": comment["body"],
            "user": self._user_json(comment["user"]),
            "created_at": comment["created_at"],
            "updated_at": comment["updated_at"],
            "author_association": "MEMBER",
        }

    def _review_json(self, repo: _Repo, number: int, review: dict[str, Any]) -> dict[str, Any]:
        html = f"{self.url}/{repo.full_name}/pull/{number}"
        return {
            "id": review["id"],
            "node_id": f"PRR_{review['id']}",
            "user": self._user_json(review["user"]),
            "body": review["body"],
            "state": review["state"],
            "html_url": f"{html}#pullrequestreview-{review['id']}",
            "pull_request_url": f"{self.url}/repos/{repo.full_name}/pulls/{number}",
            "_links": {"html": {"href": html}, "pull_request": {"href": html}},
            "submitted_at": review["submitted_at"],
            "commit_id": review["commit_id"],
            "author_association": "MEMBER",
        }

    def _check_json(
        self,
        repo: _Repo,
        cid: int,
        sha: str,
        name: str,
        status: str,
        conclusion: str | None,
        details_url: str | None,
    ) -> dict[str, Any]:
        api = f"{self.url}/repos/{repo.full_name}"
        return {
            "id": cid,
            "head_sha": sha,
            "node_id": f"CR_{cid}",
            "external_id": None,
            "url": f"{api}/check-runs/{cid}",
            "html_url": f"{self.url}/{repo.full_name}/runs/{cid}",
            "details_url": details_url,
            "status": status,
            "conclusion": conclusion if status == "completed" else None,
            "started_at": _now(),
            "completed_at": _now() if status == "completed" else None,
            "output": {
                "title": None,
                "summary": None,
                "text": None,
                "annotations_count": 0,
                "annotations_url": f"{api}/check-runs/{cid}/annotations",
            },
            "name": name,
            "check_suite": {"id": cid},
            "app": None,
            "pull_requests": [],
        }

    def _deployment_json(
        self,
        repo: _Repo,
        did: int,
        sha: str,
        ref: str,
        environment: str,
        description: str,
        creator: str | None,
    ) -> dict[str, Any]:
        api = f"{self.url}/repos/{repo.full_name}"
        return {
            "url": f"{api}/deployments/{did}",
            "id": did,
            "node_id": f"DE_{did}",
            "sha": sha,
            "ref": ref,
            "task": "deploy",
            "payload": {},
            "original_environment": environment,
            "environment": environment,
            "description": description or None,
            "creator": self._user_json(creator) if creator else None,
            "created_at": _now(),
            "updated_at": _now(),
            "statuses_url": f"{api}/deployments/{did}/statuses",
            "repository_url": api,
            "transient_environment": False,
            "production_environment": environment == "production",
        }

    def _add_status(
        self,
        repo: _Repo,
        did: int,
        state: str,
        environment_url: str,
        log_url: str,
        creator: str | None = None,
    ) -> dict[str, Any]:
        api = f"{self.url}/repos/{repo.full_name}"
        sid = self._next_id()
        dep = next(d for d in repo.deployments if d["id"] == did)
        status = {
            "url": f"{api}/deployments/{did}/statuses/{sid}",
            "id": sid,
            "node_id": f"DES_{sid}",
            "state": state,
            "creator": self._user_json(creator) if creator else None,
            "description": "",
            "environment": dep["environment"],
            "target_url": log_url,
            "created_at": _now(),
            "updated_at": _now(),
            "deployment_url": f"{api}/deployments/{did}",
            "repository_url": api,
            "environment_url": environment_url,
            "log_url": log_url,
        }
        with self._lock:
            repo.statuses.setdefault(did, []).append(status)
        return status

    # --- request handling -----------------------------------------------------------------------------------

    def _take_fault(self, method: str, path: str) -> int | str | None:
        with self._lock:
            for fault in self._faults:
                if fault.count > 0 and (fault.method in (None, method)) and fault.pattern.search(path):
                    fault.count -= 1
                    if fault.count == 0:
                        self._faults.remove(fault)
                    return fault.status
        return None

    def _login_for(self, token: str | None) -> str | None:
        if not token:
            return None
        with self._lock:
            login = self._tokens.get(token)
            expiry = self._token_expiry.get(token)
        if login is None or (expiry is not None and expiry <= time.time()):
            return None
        return login

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> _Response:
        """Route one request (called by the HTTP handler thread)."""
        split = urlsplit(raw_path)
        path = unquote(split.path)
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        fault = self._take_fault(method, path)
        if fault is not None:
            return _fault_response(fault)
        if path.startswith("/login/"):
            return self._oauth(path, body, headers)
        lfs = re.match(r"^/([^/]+/[^/]+?)\.git/info/lfs/(.+)$", path)
        if lfs:
            return self._lfs(lfs.group(1), lfs.group(2), method, headers, body)
        git = re.match(r"^/([^/]+/[^/]+?)\.git(/.*)$", path)
        if git:
            return self._git_http(git.group(1), git.group(2), method, split.query, headers, body)
        raw = re.match(r"^/([^/]+/[^/]+)/raw/(.+)$", path)
        if raw:
            return self._raw(raw.group(1), raw.group(2))
        page = re.match(r"^/([^/]+/[^/]+)/pull/(\d+)$", path)
        if page:
            return self._pull_page(page.group(1), int(page.group(2)))
        token = _token_from(headers)
        login = self._login_for(token)
        if login is None:
            message = "Bad credentials" if token else "Requires authentication"
            return _error(401, message)
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            return _error(400, "Problems parsing JSON")
        response = self._api(method, path, query, data, login)
        if response.pages is not None:
            link = _link_header(self.url + split.path, query, *response.pages)
            if link:
                response.headers["Link"] = link
                self.link_headers.append(link)
        return response

    def _api(self, method: str, path: str, query: dict[str, str], data: Any, login: str) -> _Response:
        if path == "/user" and method == "GET":
            return _json(200, self._private_user_json(self._users[login]))
        if path == "/rate_limit":
            return _json(
                200,
                {
                    "resources": {},
                    "rate": {
                        "limit": RATE_LIMIT,
                        "remaining": RATE_LIMIT - 1,
                        "reset": int(time.time()) + 3600,
                        "used": 1,
                    },
                },
            )
        if path == "/search/issues" and method == "GET":
            with self._lock:
                return self._search_issues(query, login)
        match = re.match(r"^/repos/([^/]+/[^/]+)(/.*)?$", path)
        if not match:
            return _error(404, "Not Found")
        repo = self._repos.get(match.group(1))
        user = self._users[login]
        if repo is None or user.permission == "none":
            return _error(404, "Not Found")
        rest = match.group(2) or ""
        write = method in ("POST", "PATCH", "PUT", "DELETE")
        if write and user.permission != "write":
            return _error(403, "Resource not accessible by integration")
        with self._lock:
            return self._repo_api(repo, method, rest, query, data, login)

    def _repo_api(
        self, repo: _Repo, method: str, rest: str, query: dict[str, str], data: Any, login: str
    ) -> _Response:
        sha: str | None
        if rest == "" and method == "GET":
            return _json(200, self._repo_json(repo, login, full=True))
        if rest == "/pulls" and method == "GET":
            return self._list_pulls(repo, query)
        if rest == "/pulls" and method == "POST":
            return self._create_pull(repo, data, login)
        m = re.match(r"^/pulls/(\d+)(/.*)?$", rest)
        if m:
            pull = repo.pulls.get(int(m.group(1)))
            if pull is None:
                return _error(404, "Not Found")
            sub = m.group(2) or ""
            if sub == "" and method == "GET":
                answer = _json(200, self._pull_json(repo, pull))
                pull.mergeable_known = True  # computed by the next read
                return answer
            if sub == "" and method == "PATCH":
                return self._update_pull(repo, pull, data)
            if sub == "/merge" and method == "GET":
                return _Response(204) if pull.merged_at else _error(404, "Not Found")
            if sub == "/merge" and method == "PUT":
                try:
                    sha = self._do_merge(repo, pull, login)
                except ForgeServerError:
                    return _error(405, "Pull Request is not mergeable")
                return _json(200, {"sha": sha, "merged": True, "message": "Pull Request successfully merged"})
            if sub == "/requested_reviewers" and method == "POST":
                return self._request_reviewers(repo, pull, data)
            if sub == "/reviews" and method == "GET":
                return _json(
                    200, [self._review_json(repo, pull.number, r) for r in repo.reviews.get(pull.number, [])]
                )
            if sub == "/reviews" and method == "POST":
                event = {"APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED"}.get(
                    str(data.get("event", "")), "COMMENTED"
                )
                review = {
                    "id": self._next_id(),
                    "user": login,
                    "state": event,
                    "body": data.get("body") or "",
                    "submitted_at": _now(),
                    "commit_id": self._head_sha(repo, pull),
                }
                repo.reviews.setdefault(pull.number, []).append(review)
                return _json(200, self._review_json(repo, pull.number, review))
            return _error(404, "Not Found")
        m = re.match(r"^/issues/(\d+)/(labels|comments)$", rest)
        if m:
            number = int(m.group(1))
            pull = repo.pulls.get(number)
            if pull is None:
                return _error(404, "Not Found")
            if m.group(2) == "labels":
                if method == "POST":
                    names = data.get("labels", []) if isinstance(data, dict) else data
                    for name in names:
                        if name not in pull.labels:
                            pull.labels.append(str(name))
                    return _json(200, [self._label_json(repo, n) for n in pull.labels])
                if method == "GET":
                    return _json(200, [self._label_json(repo, n) for n in pull.labels])
            else:
                if method == "GET":
                    items = [
                        self._comment_json(repo, c) for c in repo.comments.values() if c["_issue"] == number
                    ]
                    return _paged(items, query)
                if method == "POST":
                    if not str(data.get("body") or ""):
                        return _validation("IssueComment", "body", "missing_field")
                    cid = self._next_id()
                    comment = {
                        "id": cid,
                        "_issue": number,
                        "body": str(data["body"]),
                        "user": login,
                        "created_at": _now(),
                        "updated_at": _now(),
                    }
                    repo.comments[cid] = comment
                    return _json(201, self._comment_json(repo, comment))
            return _error(404, "Not Found")
        m = re.match(r"^/issues/comments/(\d+)$", rest)
        if m:
            found = repo.comments.get(int(m.group(1)))
            if found is None:
                return _error(404, "Not Found")
            if method == "PATCH":
                found["body"] = str(data.get("body", found["body"]))
                found["updated_at"] = _now()
                return _json(200, self._comment_json(repo, found))
            if method == "GET":
                return _json(200, self._comment_json(repo, found))
            return _error(404, "Not Found")
        m = re.match(r"^/commits/(.+)/check-runs$", rest)
        if m and method == "GET":
            ref = m.group(1)
            sha = ref if re.fullmatch(r"[0-9a-f]{40}", ref) else self._ref_sha(repo, ref)
            if sha is None:
                return _validation("CheckRun", "ref", "invalid", message="No commit found for SHA: " + ref)
            runs = [c for c in repo.check_runs if c["head_sha"] == sha]
            if "check_name" in query:
                runs = [c for c in runs if c["name"] == query["check_name"]]
            return _paged(runs, query, "check_runs")
        m = re.match(r"^/commits/(.+)/statuses$", rest)
        if m and method == "GET":
            ref = m.group(1)
            sha = ref if re.fullmatch(r"[0-9a-f]{40}", ref) else self._ref_sha(repo, ref)
            statuses = [c for c in reversed(repo.commit_statuses) if c["_sha"] == sha]
            return _paged([{k: v for k, v in c.items() if k != "_sha"} for c in statuses], query)
        m = re.match(r"^/statuses/([0-9a-f]{40})$", rest)
        if m and method == "POST":
            state = str(data.get("state", ""))
            if state not in ("error", "failure", "pending", "success"):
                return _validation("Status", "state", "invalid")
            return _json(201, self._commit_status(repo, m.group(1), state, data, login))
        if rest == "/check-runs" and method == "POST":
            sha = str(data.get("head_sha", ""))
            run_status = str(data.get("status", "queued"))
            run = self._check_json(
                repo,
                self._next_id(),
                sha,
                str(data.get("name", "")),
                run_status,
                data.get("conclusion"),
                data.get("details_url"),
            )
            repo.check_runs.append(run)
            return _json(201, run)
        if rest == "/deployments" and method == "GET":
            deps = list(reversed(repo.deployments))  # newest first, like GitHub
            for key in ("environment", "sha", "ref"):
                if key in query:
                    deps = [d for d in deps if d[key] == query[key]]
            return _paged(deps, query)
        if rest == "/deployments" and method == "POST":
            ref = str(data.get("ref", ""))
            sha = self._ref_sha(repo, ref) if not re.fullmatch(r"[0-9a-f]{40}", ref) else ref
            if not sha:
                return _validation("Deployment", "ref", "invalid", message=f"No ref found for: {ref}")
            dep = self._deployment_json(
                repo,
                self._next_id(),
                sha,
                ref,
                str(data.get("environment", "production")),
                str(data.get("description") or ""),
                login,
            )
            repo.deployments.append(dep)
            repo.statuses[dep["id"]] = []
            return _json(201, dep)
        m = re.match(r"^/deployments/(\d+)/statuses$", rest)
        if m:
            did = int(m.group(1))
            if did not in repo.statuses:
                return _error(404, "Not Found")
            if method == "GET":
                return _paged(list(reversed(repo.statuses[did])), query)
            if method == "POST":
                status = self._add_status(
                    repo,
                    did,
                    str(data.get("state", "pending")),
                    str(data.get("environment_url") or ""),
                    str(data.get("log_url") or ""),
                    login,
                )
                return _json(201, status)
        m = re.match(r"^/git/refs/(heads/.+)$", rest)
        if m and method == "DELETE":
            ref = "refs/" + m.group(1)
            if self._ref_sha(repo, ref) is None:
                return _validation("Reference", "ref", "invalid", message="Reference does not exist")
            self._git(repo, "update-ref", "-d", ref)
            return _Response(204)
        m = re.match(r"^/branches/(.+)$", rest)
        if m and method == "GET":
            sha = self._ref_sha(repo, f"refs/heads/{m.group(1)}")
            if sha is None:
                return _error(404, "Branch not found")
            return _json(200, {"name": m.group(1), "commit": {"sha": sha}, "protected": False})
        return _error(404, "Not Found")

    def _search_issues(self, query: dict[str, str], login: str) -> _Response:
        """``GET /search/issues`` for the qualifiers lpublish uses: ``repo:``, ``is:pr``, ``author:``."""
        terms = dict(t.split(":", 1) for t in query.get("q", "").split() if ":" in t)
        repo = self._repos.get(terms.get("repo", ""))
        if repo is None or self._users[login].permission == "none":
            return _validation("Search", "q", "invalid", message="The listed repositories cannot be searched")
        pulls = [p for p in repo.pulls.values() if terms.get("is") in ("pr", None)]
        if "author" in terms:
            pulls = [p for p in pulls if p.user.lower() == terms["author"].lower()]
        if terms.get("state") in ("open", "closed"):
            pulls = [p for p in pulls if p.state == terms["state"]]
        reverse = query.get("order", "desc") == "desc"
        pulls.sort(key=lambda p: (p.updated_at, p.number), reverse=reverse)
        response = _paged([self._search_item(repo, p) for p in pulls], query, "items")
        data = json.loads(response.body)
        data["incomplete_results"] = False
        data["search_type"] = "lexical"
        response.body = json.dumps(data).encode()
        return response

    def _search_item(self, repo: _Repo, pull: _Pull) -> dict[str, Any]:
        api = f"{self.url}/repos/{repo.full_name}"
        return {
            "url": f"{api}/issues/{pull.number}",
            "repository_url": api,
            "labels_url": f"{api}/issues/{pull.number}/labels{{/name}}",
            "comments_url": f"{api}/issues/{pull.number}/comments",
            "events_url": f"{api}/issues/{pull.number}/events",
            "html_url": f"{self.url}/{repo.full_name}/pull/{pull.number}",
            "id": pull.id,
            "node_id": f"PR_{pull.id}",
            "number": pull.number,
            "title": pull.title,
            "locked": False,
            "active_lock_reason": None,
            "assignees": [],
            "user": self._user_json(pull.user),
            "labels": [self._label_json(repo, n) for n in pull.labels],
            "state": pull.state,
            "assignee": None,
            "milestone": None,
            "comments": sum(1 for c in repo.comments.values() if c["_issue"] == pull.number),
            "created_at": pull.created_at,
            "updated_at": pull.updated_at,
            "closed_at": pull.closed_at,
            "author_association": "MEMBER",
            "draft": pull.draft,
            "pull_request": {
                "url": f"{api}/pulls/{pull.number}",
                "html_url": f"{self.url}/{repo.full_name}/pull/{pull.number}",
                "diff_url": f"{self.url}/{repo.full_name}/pull/{pull.number}.diff",
                "patch_url": f"{self.url}/{repo.full_name}/pull/{pull.number}.patch",
                "merged_at": pull.merged_at,
            },
            "body": pull.body,
            "score": 1.0,
        }

    def _list_pulls(self, repo: _Repo, query: dict[str, str]) -> _Response:
        state = query.get("state", "open")
        pulls = [p for p in repo.pulls.values() if state == "all" or p.state == state]
        if "head" in query:
            head = query["head"].split(":", 1)[-1]
            pulls = [p for p in pulls if p.head == head]
        if "base" in query:
            pulls = [p for p in pulls if p.base == query["base"]]
        sort = query.get("sort", "created")
        key = (
            (lambda p: (p.updated_at, p.number))
            if sort == "updated"
            else (lambda p: (p.created_at, p.number))
        )
        reverse = query.get("direction", "desc") == "desc"
        pulls.sort(key=key, reverse=reverse)
        return _paged([self._pull_json(repo, p, simple=True) for p in pulls], query)

    def _create_pull(self, repo: _Repo, data: Any, login: str) -> _Response:
        title = str(data.get("title") or "")
        head = str(data.get("head") or "").split(":", 1)[-1]
        base = str(data.get("base") or "")
        if not title:
            return _validation("PullRequest", "title", "missing_field")
        if self._ref_sha(repo, f"refs/heads/{base}") is None:
            return _validation("PullRequest", "base", "invalid")
        head_sha = self._ref_sha(repo, f"refs/heads/{head}")
        if head_sha is None:
            return _validation("PullRequest", "head", "invalid")
        for other in repo.pulls.values():
            if other.state == "open" and other.head == head and other.base == base:
                owner = repo.full_name.split("/")[0]
                return _validation(
                    "PullRequest", "", "custom", message=f"A pull request already exists for {owner}:{head}."
                )
        number = repo.next_number
        repo.next_number += 1
        pull = _Pull(
            number,
            self._next_id(),
            title,
            str(data.get("body") or ""),
            head,
            base,
            login,
            bool(data.get("draft", False)),
            head_sha=head_sha,
        )
        repo.pulls[number] = pull
        return _json(201, self._pull_json(repo, pull))

    def _update_pull(self, repo: _Repo, pull: _Pull, data: Any) -> _Response:
        if "title" in data and data["title"] is not None:
            pull.title = str(data["title"])
        if "body" in data and data["body"] is not None:
            pull.body = str(data["body"])
        state = data.get("state")
        if state in ("open", "closed") and not pull.merged_at:
            if state == "closed" and pull.state == "open":
                self._head_sha(repo, pull)
                pull.closed_at = _now()
            if state == "open":
                pull.closed_at = None
            pull.state = state
        pull.updated_at = _now()
        return _json(200, self._pull_json(repo, pull))

    def _request_reviewers(self, repo: _Repo, pull: _Pull, data: Any) -> _Response:
        reviewers = [str(r) for r in data.get("reviewers", []) or []]
        unknown = [r for r in reviewers if r not in self._users]
        if unknown:
            return _validation(
                "PullRequest",
                "reviewers",
                "invalid",
                message="Reviews may only be requested from collaborators. One or more of the "
                "users or teams you specified is not a collaborator of the "
                f"{repo.full_name} repository.",
            )
        if pull.user in reviewers:
            return _validation(
                "PullRequest",
                "reviewers",
                "invalid",
                message="Review cannot be requested from pull request author.",
            )
        for r in reviewers:
            if r not in pull.reviewers:
                pull.reviewers.append(r)
        for t in data.get("team_reviewers", []) or []:
            if t not in pull.team_reviewers:
                pull.team_reviewers.append(str(t))
        return _json(201, self._pull_json(repo, pull, simple=True))

    # --- OAuth device flow -----------------------------------------------------------------------------------

    def _oauth(self, path: str, body: bytes, headers: dict[str, str]) -> _Response:
        content_type = headers.get("content-type", "")
        if "json" in content_type:
            try:
                params = {k: str(v) for k, v in json.loads(body or b"{}").items()}
            except ValueError:
                params = {}
        else:
            params = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        client_id = params.get("client_id", "")
        with self._lock:
            if path == "/login/device/code":
                if client_id not in self._apps:
                    return _json(
                        200,
                        {
                            "error": "incorrect_client_credentials",
                            "error_description": "The client_id is not valid.",
                        },
                    )
                policy = self._device_policy
                expires_in = int(policy.get("expires_in", 900))
                device = _Device(
                    device_code=secrets.token_hex(20),
                    user_code=f"{secrets.token_hex(2).upper()}-{secrets.token_hex(2).upper()}",
                    client_id=client_id,
                    expires_at=time.time() + expires_in,
                    interval=int(policy.get("interval", 5)),
                    login=policy.get("login"),
                    outcome=str(policy.get("outcome", "approve")),
                    pending=int(policy.get("pending", 1)),
                    slow_down=int(policy.get("slow_down", 0)),
                )
                self._devices[device.device_code] = device
                return _json(
                    200,
                    {
                        "device_code": device.device_code,
                        "user_code": device.user_code,
                        "verification_uri": f"{self.url}/login/device",
                        "expires_in": expires_in,
                        "interval": device.interval,
                    },
                )
            if path == "/login/oauth/access_token":
                return self._token_grant(params, client_id)
            if path == "/login/device":
                return _Response(
                    200, b"<html><body>Enter your code</body></html>", "text/html; charset=utf-8"
                )
        return _error(404, "Not Found")

    def _token_grant(self, params: dict[str, str], client_id: str) -> _Response:
        grant = params.get("grant_type", "")
        if client_id not in self._apps:
            return _json(200, {"error": "incorrect_client_credentials"})
        if grant == "refresh_token":
            # Like GitHub, a refresh token works once (it rotates); the delay lets tests overlap two.
            time.sleep(self.refresh_delay)
            with self._lock:
                old = self._refresh.pop(params.get("refresh_token", ""), None)
            if old is None or old.client_id != client_id:
                return _json(
                    200,
                    {
                        "error": "bad_refresh_token",
                        "error_description": "The refresh token passed is incorrect or expired.",
                    },
                )
            return _json(200, self._issue_token(old.login, client_id))
        if grant != "urn:ietf:params:oauth:grant-type:device_code":
            return _json(200, {"error": "unsupported_grant_type"})
        device = self._devices.get(params.get("device_code", ""))
        if device is None or device.client_id != client_id:
            return _json(200, {"error": "incorrect_device_code"})
        if device.done:
            return _json(200, {"error": "incorrect_device_code"})
        if device.slow_down > 0:
            device.slow_down -= 1
            device.interval += 5
            return _json(
                200,
                {
                    "error": "slow_down",
                    "interval": device.interval,
                    "error_description": "Too many requests have been made in the same timeframe.",
                },
            )
        if device.outcome == "expire" or device.expires_at <= time.time():
            return _json(
                200, {"error": "expired_token", "error_description": "This 'device_code' has expired."}
            )
        if device.pending > 0 or (device.login is None and device.outcome == "approve"):
            device.pending = max(0, device.pending - 1)
            return _json(
                200,
                {
                    "error": "authorization_pending",
                    "error_description": "The authorization request is still pending.",
                },
            )
        if device.outcome == "deny":
            device.done = True
            return _json(
                200, {"error": "access_denied", "error_description": "The authorization request was denied."}
            )
        device.done = True
        assert device.login is not None
        return _json(200, self._issue_token(device.login, client_id))

    def _issue_token(self, login: str, client_id: str) -> dict[str, Any]:
        token = "gho_" + secrets.token_hex(18)
        self._tokens[token] = login
        data: dict[str, Any] = {"access_token": token, "token_type": "bearer", "scope": "repo"}
        if self._apps.get(client_id):
            refresh = "ghr_" + secrets.token_hex(30)
            self._refresh[refresh] = _Refresh(login, client_id)
            self._token_expiry[token] = time.time() + 28800
            data.update(expires_in=28800, refresh_token=refresh, refresh_token_expires_in=15811200)
        return data

    # --- git over HTTP, raw files, pages ----------------------------------------------------------------------

    def _git_http(
        self, full_name: str, sub: str, method: str, query: str, headers: dict[str, str], body: bytes
    ) -> _Response:
        repo = self._repos.get(full_name)
        if repo is None:
            return _Response(404, b"Repository not found\n", "text/plain")
        login = self._login_for(_basic_password(headers))
        if login is None:
            return _Response(
                401,
                b"Authentication required\n",
                "text/plain",
                {"WWW-Authenticate": 'Basic realm="LocalForge"'},
            )
        pushing = "git-receive-pack" in sub or "service=git-receive-pack" in query
        if pushing and self._users[login].permission != "write":
            return _Response(403, b"Permission denied\n", "text/plain")
        env = _git_env()
        env.update(
            GIT_PROJECT_ROOT=str(repo.bare.parent),
            GIT_HTTP_EXPORT_ALL="1",
            PATH_INFO="/" + repo.bare.name + sub,
            REQUEST_METHOD=method,
            QUERY_STRING=query,
            CONTENT_TYPE=headers.get("content-type", ""),
            CONTENT_LENGTH=str(len(body)),
            REMOTE_USER=login,
            REMOTE_ADDR="127.0.0.1",
            GIT_HTTP_MAX_REQUEST_BUFFER="1000M",
            # Like GitHub: partial clones (--filter=blob:none) and the lazy blob fetches they do later.
            GIT_CONFIG_COUNT="3",
            GIT_CONFIG_KEY_0="uploadpack.allowFilter",
            GIT_CONFIG_VALUE_0="true",
            GIT_CONFIG_KEY_1="uploadpack.allowAnySHA1InWant",
            GIT_CONFIG_VALUE_1="true",
            GIT_CONFIG_KEY_2="http.receivepack",
            GIT_CONFIG_VALUE_2="true",
        )
        if headers.get("content-encoding"):
            env["HTTP_CONTENT_ENCODING"] = headers["content-encoding"]
        if headers.get("git-protocol"):
            env["GIT_PROTOCOL"] = headers["git-protocol"]
        result = subprocess.run(
            ["git", "http-backend"], input=body, capture_output=True, env=env, check=False
        )
        head, _, payload = result.stdout.partition(b"\r\n\r\n")
        if not _:
            head, _, payload = result.stdout.partition(b"\n\n")
        status = 200
        extra: dict[str, str] = {}
        content_type = "application/octet-stream"
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            value = value.strip()
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name.lower() == "content-type":
                content_type = value
            elif name:
                extra[name] = value
        return _Response(status, payload, content_type, extra)

    def _lfs(self, full_name: str, rest: str, method: str, headers: dict[str, str], body: bytes) -> _Response:
        """Git LFS: the batch API (basic transfers) and object storage next to the bare repository."""
        repo = self._repos.get(full_name)
        login = self._login_for(_basic_password(headers))
        if repo is None:
            return _error(404, "Not Found")
        if login is None:
            return _Response(
                401, b'{"message":"Credentials needed"}', "application/vnd.git-lfs+json",
                {"LFS-Authenticate": 'Basic realm="LocalForge"'},
            )  # fmt: skip
        store = repo.bare / "lfs-objects"
        base = f"{self.url}/{full_name}.git/info/lfs/objects"
        auth = {"Authorization": headers.get("authorization", "")}
        if rest == "objects/batch" and method == "POST":
            request = json.loads(body or b"{}")
            operation = request.get("operation")
            if operation == "upload" and self._users[login].permission != "write":
                return _Response(403, b'{"message":"Write access required"}', "application/vnd.git-lfs+json")
            answers = []
            for item in request.get("objects", []):
                oid, size = str(item.get("oid", "")), int(item.get("size", 0))
                answer: dict[str, Any] = {"oid": oid, "size": size, "authenticated": True}
                have = (store / oid).is_file()
                if operation == "upload" and not have:
                    answer["actions"] = {
                        "upload": {"href": f"{base}/{oid}", "header": auth, "expires_in": 3600}
                    }
                elif operation == "download":
                    if have:
                        answer["actions"] = {"download": {"href": f"{base}/{oid}", "header": auth}}
                    else:
                        answer["error"] = {"code": 404, "message": "Object does not exist"}
                answers.append(answer)
            payload = {"transfer": "basic", "objects": answers, "hash_algo": "sha256"}
            return _Response(200, json.dumps(payload).encode(), "application/vnd.git-lfs+json")
        m = re.fullmatch(r"objects/([0-9a-f]{64})", rest)
        if m and method == "PUT":
            if hashlib.sha256(body).hexdigest() != m.group(1):
                return _Response(422, b'{"message":"oid mismatch"}', "application/vnd.git-lfs+json")
            store.mkdir(exist_ok=True)
            (store / m.group(1)).write_bytes(body)
            with self._lock:
                self.lfs_uploads.append(m.group(1))
            return _Response(200)
        if m and method == "GET" and (store / m.group(1)).is_file():
            return _Response(200, (store / m.group(1)).read_bytes(), "application/octet-stream")
        return _error(404, "Not Found")

    def lfs_objects(self, full_name: str) -> set[str]:
        """The LFS object ids stored for a repository."""
        store = self._repos[full_name].bare / "lfs-objects"
        return {p.name for p in store.iterdir()} if store.is_dir() else set()

    def _raw(self, full_name: str, rest: str) -> _Response:
        repo = self._repos.get(full_name)
        if repo is None:
            return _error(404, "Not Found")
        # The ref may contain slashes (lpublish/hana/...): try the longest ref that exists.
        parts = rest.split("/")
        for cut in range(len(parts) - 1, 0, -1):
            ref, path = "/".join(parts[:cut]), "/".join(parts[cut:])
            sha = self._ref_sha(repo, f"refs/heads/{ref}") or self._ref_sha(repo, ref)
            if sha:
                blob = subprocess.run(
                    ["git", "cat-file", "blob", f"{sha}:{path}"],
                    cwd=repo.bare,
                    capture_output=True,
                    check=False,
                    env=_git_env(),
                )
                if blob.returncode == 0:
                    return _Response(200, blob.stdout, _content_type(path))
        return _error(404, "Not Found")

    def _pull_page(self, full_name: str, number: int) -> _Response:
        repo = self._repos.get(full_name)
        pull = repo.pulls.get(number) if repo else None
        if pull is None:
            return _error(404, "Not Found")
        import html

        page = (
            f"<!doctype html><meta charset=utf-8><title>{html.escape(pull.title)}</title>"
            f"<h1>{html.escape(pull.title)} #{number}</h1><p>{pull.state}</p>"
            f"<pre>{html.escape(pull.body)}</pre>"
        )
        return _Response(200, page.encode("utf-8"), "text/html; charset=utf-8")


@dataclass
class _Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    #: For list answers: (this page, last page); ``handle`` turns it into GitHub's ``Link`` header.
    pages: tuple[int, int] | None = None


def _json(status: int, data: Any) -> _Response:
    return _Response(status, json.dumps(data).encode("utf-8"))


def _error(status: int, message: str) -> _Response:
    return _json(status, {"message": message, "documentation_url": DOCS, "status": str(status)})


def _validation(resource: str, field_name: str, code: str, *, message: str | None = None) -> _Response:
    error: dict[str, Any] = {"resource": resource, "field": field_name, "code": code}
    if message:
        error["message"] = message
    return _json(
        422, {"message": "Validation Failed", "errors": [error], "documentation_url": DOCS, "status": "422"}
    )


def _fault_response(status: int | str) -> _Response:
    if status in ("secondary-rate-limit", "429"):
        # Secondary limits: 403 (or 429) with Retry-After, while the primary quota is not used up.
        response = _error(
            429 if status == "429" else 403,
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        )
        response.headers = {"retry-after": "1"}
        return response
    if status == "sso":
        response = _error(
            403,
            "Resource protected by organization SAML enforcement. You must grant your Personal Access "
            "token access to this organization.",
        )
        response.headers = {
            "x-github-sso": "required; url=https://github.com/orgs/acme/sso?authorization_request=AB12CD"
        }
        return response
    if status == "rate-limit":
        response = _error(403, "API rate limit exceeded for user ID 1.")
        response.headers = {
            "x-ratelimit-remaining": "0",
            "x-ratelimit-limit": str(RATE_LIMIT),
            "x-ratelimit-reset": str(int(time.time()) + 1800),
        }
        return response
    code = int(status)
    messages = {
        401: "Bad credentials",
        403: "Resource not accessible by integration",
        404: "Not Found",
        422: "Validation Failed",
        500: "Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable",
    }
    if code == 422:
        return _validation("PullRequest", "", "custom", message="Injected validation failure")
    return _error(code, messages.get(code, "Error"))


def _page_numbers(query: dict[str, str], total: int) -> tuple[int, int, int]:
    """(page, per_page, last page) as GitHub computes them (per_page 30 by default, at most 100)."""
    try:
        per_page = max(1, min(100, int(query.get("per_page", "30"))))
        page = max(1, int(query.get("page", "1")))
    except ValueError:
        per_page, page = 30, 1
    return page, per_page, max(1, -(-total // per_page))


def _page(items: list[Any], query: dict[str, str]) -> list[Any]:
    page, per_page, _ = _page_numbers(query, len(items))
    return items[(page - 1) * per_page : page * per_page]


def _paged(items: list[Any], query: dict[str, str], wrap: str | None = None) -> _Response:
    """One page of ``items`` with the page numbers for the ``Link`` header (``wrap``: the list sits in
    an object ``{"total_count": n, wrap: [...]}``, as check runs and search results do)."""
    page, _, last = _page_numbers(query, len(items))
    chunk = _page(items, query)
    response = _json(200, {"total_count": len(items), wrap: chunk} if wrap else chunk)
    response.pages = (page, last)
    return response


def _link_header(base: str, query: dict[str, str], page: int, last: int) -> str:
    """GitHub's pagination links (``next``/``last``, ``prev``/``first``)."""

    def url(number: int) -> str:
        return base + "?" + urlencode({**query, "page": str(number)})

    links = []
    if page < last:
        links += [f'<{url(page + 1)}>; rel="next"', f'<{url(last)}>; rel="last"']
    if page > 1:
        links += [f'<{url(page - 1)}>; rel="prev"', f'<{url(1)}>; rel="first"']
    return ", ".join(links)


def _token_from(headers: dict[str, str]) -> str | None:
    value = headers.get("authorization", "")
    scheme, _, credential = value.partition(" ")
    if scheme.lower() in ("token", "bearer") and credential:
        return credential.strip()
    if scheme.lower() == "basic":
        return _basic_password(headers)
    return None


def _basic_password(headers: dict[str, str]) -> str | None:
    value = headers.get("authorization", "")
    scheme, _, credential = value.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(credential).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    return decoded.partition(":")[2] or None


def _content_type(path: str) -> str:
    suffix = path.rsplit(".", 1)[-1].lower()
    return {
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "png": "image/png",
        "webp": "image/webp",
        "avif": "image/avif",
        "gif": "image/gif",
        "svg": "image/svg+xml",
        "md": "text/plain; charset=utf-8",
        "toml": "text/plain; charset=utf-8",
        "html": "text/html; charset=utf-8",
    }.get(suffix, "application/octet-stream")


def _git_env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    # Never let the server's git pick up the caller's global config or prompt.
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0")
    return env


def _make_handler(forge: LocalForge) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "LocalForge/1.0"

        def log_message(self, format: str, *args: Any) -> None:
            """Silence the default stderr log (and never log Authorization headers)."""

        def _body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                chunks = []
                while True:
                    size_line = self.rfile.readline().strip()
                    size = int(size_line.split(b";")[0] or b"0", 16)
                    if size == 0:
                        self.rfile.readline()
                        break
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
                return b"".join(chunks)
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _serve(self) -> None:
            body = self._body()
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                response = forge.handle(self.command, self.path, headers, body)
            except Exception as exc:  # a server bug must answer 500, not hang the client
                response = _error(500, f"Server Error: {type(exc).__name__}")
            with contextlib.suppress(Exception):
                forge.requests.append((self.command, urlsplit(self.path).path, response.status))
            self.send_response(response.status)
            if response.status != 204:
                self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            if not self.path.startswith(("/login/",)) and ".git/" not in self.path:
                self.send_header("x-ratelimit-limit", str(RATE_LIMIT))
                self.send_header(
                    "x-ratelimit-remaining",
                    response.headers.get("x-ratelimit-remaining", str(RATE_LIMIT - 1)),
                )
                self.send_header("x-ratelimit-reset", str(int(time.time()) + 3600))
                self.send_header("x-ratelimit-resource", "core")
            for key, value in response.headers.items():
                if key.lower().startswith("x-ratelimit-"):
                    continue
                self.send_header(key, value)
            self.end_headers()
            if self.command != "HEAD" and response.status != 204:
                self.wfile.write(response.body)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _serve

    return Handler
