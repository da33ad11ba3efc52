"""The local forge server: ``LocalForge``.

Owns: starting and stopping the HTTP server (stdlib ``ThreadingHTTPServer`` on 127.0.0.1, a random port
by default; a restart binds the same port), setting it up (repositories, users and tokens, OAuth apps,
the device-code policy, injected faults, merge hooks) and the helpers tests and practice mode use to act
as GitHub's people and CI (approve, set a check or status, add a deployment, merge). Requests go through
``handle`` (``dispatch``); what they read and change is a ``ForgeState``.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from lpublish.environment import Environment
from lpublish.sandbox.forge import bare_git, dispatch
from lpublish.sandbox.forge.checks import add_commit_status, put_check_run
from lpublish.sandbox.forge.deployments import add_deployment, add_deployment_status
from lpublish.sandbox.forge.http_handler import Handle, make_handler
from lpublish.sandbox.forge.lfs import store_of
from lpublish.sandbox.forge.pulls import add_review
from lpublish.sandbox.forge.responses import Response
from lpublish.sandbox.forge.shapes import pull_json
from lpublish.sandbox.forge.state import (
    DevicePolicy,
    Fault,
    ForgeServerError,
    ForgeState,
    MergeEvent,
    Repo,
    User,
)

logger = logging.getLogger(__name__)


class LocalForge:
    """A GitHub-compatible server on 127.0.0.1 backed by real bare repositories.

    >>> forge = LocalForge(); api_url = forge.start()
    >>> forge.add_repo("acme/lp", bare_path); forge.add_user("hana", "tok", name="Hana")

    ``env`` is the environment the server's git runs with (default: this process's).
    """

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, env: Environment | None = None) -> None:
        self._host = host
        self._port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._state = ForgeState(env if env is not None else Environment.from_os())

    # --- what tests read ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL (API and web) once started."""
        return self._state.url

    @property
    def api_url(self) -> str:
        return self._state.url

    @property
    def web_url(self) -> str:
        return self._state.url

    @property
    def requests(self) -> list[tuple[str, str, int]]:
        """(method, path without query, status) of every request. Never holds tokens."""
        return self._state.requests

    @property
    def lfs_uploads(self) -> list[str]:
        """LFS object ids uploaded, in order."""
        return self._state.lfs_uploads

    @property
    def link_headers(self) -> list[str]:
        """Every ``Link`` header sent (tests check lists really paged)."""
        return self._state.link_headers

    @property
    def refresh_delay(self) -> float:
        """Seconds the refresh-token grant takes (tests make two refreshes overlap)."""
        return self._state.refresh_delay

    @refresh_delay.setter
    def refresh_delay(self, seconds: float) -> None:
        self._state.refresh_delay = seconds

    # --- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> str:
        """Start serving on a free port; returns the API base URL (also the web URL)."""
        handler = make_handler(self._current_handle, self._state.requests)
        self._server = ThreadingHTTPServer((self._host, self._port), handler)
        self._server.daemon_threads = True
        port = self._server.server_address[1]
        # A restart after stop() binds the same port, so clients configured with the URL reconnect.
        self._port = port
        self._state.url = f"http://{self._host}:{port}"
        # A short poll interval makes stop() quick (tests start and stop many servers).
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="local-forge", daemon=True
        )
        self._thread.start()
        logger.info("local forge serving at %s", self._state.url)
        return self._state.url

    def stop(self) -> None:
        """Stop serving (later requests are refused at the TCP level: "network down")."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
            logger.info("local forge at %s stopped", self._state.url)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> LocalForge:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Response:
        """Answer one request (called by the HTTP handler thread)."""
        return dispatch.handle(self._state, method, raw_path, headers, body)

    def _current_handle(self) -> Handle:
        # Looked up per request: a test may wrap ``handle`` on the instance to record answers.
        return self.handle

    # --- setup -----------------------------------------------------------------------------------------

    def add_repo(
        self, full_name: str, bare_path: Path, default_branch: str = "main", *, private: bool = True
    ) -> None:
        """Serve the bare repository at ``bare_path`` as ``full_name``."""
        state = self._state
        with state.lock:
            state.repos[full_name] = Repo(
                full_name, Path(bare_path), default_branch, state.next_id(), private
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
        state = self._state
        with state.lock:
            uid = user_id if user_id is not None else state.next_id()
            state.users[login] = User(login, token, uid, name or login, email, permission)
            state.tokens[token] = login

    def revoke_token(self, token: str) -> None:
        """Make ``token`` invalid (the next call with it gets 401 Bad credentials)."""
        with self._state.lock:
            self._state.tokens.pop(token, None)

    def expire_token(self, token: str) -> None:
        """Make an access token expire now (it answers 401 from now on)."""
        with self._state.lock:
            self._state.token_expiry[token] = 0.0

    def add_oauth_app(self, client_id: str, *, expiring: bool = False) -> None:
        """Register an OAuth/GitHub App client id for the device flow (``expiring``: refresh tokens)."""
        with self._state.lock:
            self._state.apps[client_id] = expiring

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
        with self._state.lock:
            self._state.device_policy = DevicePolicy(login, pending, slow_down, outcome, expires_in, interval)

    def authorize_device(self, user_code: str, login: str) -> None:
        """The user typed ``user_code`` in the browser and approved."""
        with self._state.lock:
            for device in self._state.devices.values():
                if device.user_code == user_code:
                    device.login = login
                    device.outcome = "approve"
                    device.pending = 0
                    return
        raise ForgeServerError(f"unknown user code {user_code}")

    def fail_next(self, route: str, status: int | str, count: int = 1, *, method: str | None = None) -> None:
        """Make the next ``count`` requests whose path matches regex ``route`` fail with ``status``
        (401/403/404/422/5xx, ``"rate-limit"`` = 403 with ``x-ratelimit-remaining: 0``,
        ``"secondary-rate-limit"``/``"429"`` with ``retry-after``, ``"sso"`` = SAML enforcement)."""
        with self._state.lock:
            self._state.faults.append(
                Fault(method.upper() if method else None, re.compile(route), status, count)
            )

    def on_merge(self, callback: Callable[[MergeEvent], None]) -> None:
        """Run ``callback`` after each merge (practice mode builds and deploys there)."""
        self._state.merge_hooks.append(callback)

    # --- acting as GitHub's people and CI (tests and practice mode) ----------------------------------------

    def pull(self, number: int, repo: str | None = None) -> dict[str, Any]:
        """The pull request as the API would return it."""
        found, pull = self._state.repo_for_pull(number, repo)
        return pull_json(self._state, found, pull)

    def pulls(self, repo: str | None = None) -> list[dict[str, Any]]:
        state = self._state
        with state.lock:
            repos = [state.repos[repo]] if repo else list(state.repos.values())
            return [pull_json(state, r, p) for r in repos for p in r.pulls.values()]

    def comments(self, number: int, repo: str | None = None) -> list[dict[str, Any]]:
        found, _ = self._state.repo_for_pull(number, repo)
        return found.comments_on(number)

    def approve(self, number: int, reviewer: str = "reviewer", *, repo: str | None = None) -> None:
        found, pull = self._state.repo_for_pull(number, repo)
        add_review(self._state, found, pull, reviewer, "APPROVED", "")

    def request_changes(self, number: int, reviewer: str = "reviewer", *, repo: str | None = None) -> None:
        found, pull = self._state.repo_for_pull(number, repo)
        add_review(self._state, found, pull, reviewer, "CHANGES_REQUESTED", "")

    def _commit_of(self, number_or_sha: int | str, repo: str | None) -> tuple[Repo, str]:
        """A PR's head commit (by number) or the commit given, and its repository."""
        if isinstance(number_or_sha, int):
            found, pull = self._state.repo_for_pull(number_or_sha, repo)
            return found, bare_git.head_sha(self._state, found, pull)
        return self._state.repo_named(repo), number_or_sha

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
        found, sha = self._commit_of(number_or_sha, repo)
        put_check_run(self._state, found, sha, name, status, conclusion, details_url)

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
        found, sha = self._commit_of(number_or_sha, repo)
        add_commit_status(
            self._state, found, sha, state, {"context": context, "target_url": target_url}, None
        )

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
            found, pull = self._state.repo_for_pull(sha_or_number, repo)
            sha = pull.merge_commit_sha or bare_git.head_sha(self._state, found, pull)
            ref = found.default_branch if pull.merge_commit_sha else pull.head
        else:
            found = self._state.repo_named(repo)
            sha, ref = sha_or_number, found.default_branch
        deployment = add_deployment(self._state, found, sha, ref, environment, "", None)
        add_deployment_status(self._state, found, deployment["id"], state, environment_url, "")
        return int(deployment["id"])

    def merge(self, number: int, *, repo: str | None = None, merged_by: str = "reviewer") -> str:
        """Merge PR ``number`` for real (merge commit in the bare repo); returns the merge sha."""
        found, pull = self._state.repo_for_pull(number, repo)
        event = bare_git.merge(self._state, found, pull, merged_by)
        bare_git.run_merge_hooks(self._state, event)
        return event.sha

    def lfs_objects(self, full_name: str) -> set[str]:
        """The LFS object ids stored for a repository."""
        store = store_of(self._state.repos[full_name].bare)
        return {p.name for p in store.iterdir()} if store.is_dir() else set()
