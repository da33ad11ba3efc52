"""``GitHubForge``: the ``Forge`` interface implemented with githubkit (GitHub.com and Enterprise).

Owns: calling the REST API through githubkit's typed client and turning every failure into an
``ExternalError`` a designer can act on (sign in again, ask for access, wait for the rate limit, check
the network, authorise SSO). githubkit's own retries are off; this module waits for what GitHub asks
(secondary rate limits, 429 and ``Retry-After``) within a bound, then says so plainly. Lists follow
``Link`` pagination; responses are read as raw JSON so new enum values never crash a status read. The token is only handed to githubkit's auth strategy; it never
appears in an error. Must not import UI libraries.
"""

from __future__ import annotations

import itertools
import logging
import re
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from lpublish.errors import ExternalError
from lpublish.publish.forge import (
    CheckRun,
    Comment,
    Deployment,
    DeploymentStatus,
    ForgeRepo,
    ForgeUser,
    PullRequest,
    Review,
)

T = TypeVar("T")
logger = logging.getLogger(__name__)


def host_of(url: str) -> str:
    """The host name of a URL (for messages; never includes credentials)."""
    return urlsplit(url).hostname or url


class GitHubForge:
    """The forge for one repository ``owner/name`` at ``api_url`` (``https://api.github.com`` or GHE)."""

    def __init__(
        self,
        api_url: str,
        repo: str,
        token: str,
        *,
        timeout: float = 30.0,
        max_wait_seconds: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
        token_provider: Callable[[], str] | None = None,
        check_token_every: float = 60.0,
    ) -> None:
        #: Waiting for secondary rate limits stops after this many seconds in all (then a plain error).
        self.max_wait_seconds = max_wait_seconds
        self._sleep = sleep
        self._timeout = timeout
        #: For long sessions: gives the current token (refreshed before expiry); asked at most every
        #: ``check_token_every`` seconds and after a 401.
        self._token_provider = token_provider
        self._check_every = check_token_every
        self._checked_at = time.monotonic()
        self._token = token
        self.api_url = api_url.rstrip("/")
        self.repo = repo
        self.owner, self.name = repo.split("/", 1) if "/" in repo else (repo, "")
        self._gh: Any = self._client(token)

    def _client(self, token: str) -> Any:
        from githubkit import GitHub, TokenAuthStrategy

        return GitHub(
            TokenAuthStrategy(token),
            base_url=self.api_url + "/",
            auto_retry=False,
            http_cache=False,
            timeout=self._timeout,
            user_agent="lpublish",
        )

    def _fresh_token(self, *, force: bool = False) -> bool:
        """Switch to the provider's current token; returns whether it changed."""
        if self._token_provider is None:
            return False
        if not force and time.monotonic() - self._checked_at < self._check_every:
            return False
        self._checked_at = time.monotonic()
        token = self._token_provider()
        if not token or token == self._token:
            return False
        self._token = token
        self._gh = self._client(token)
        return True

    # --- error mapping -------------------------------------------------------------------------------

    def _call(self, func: Callable[[], T], *, what: str = "") -> T:
        """Run one request (or one paginated read); wait and retry, within ``max_wait_seconds`` in all,
        when GitHub says to come back later (secondary rate limits, 429, ``Retry-After``)."""
        from githubkit.exception import RequestError, RequestFailed

        waited = 0.0
        self._fresh_token()
        renewed = False
        while True:
            try:
                result = func()
                _log_response(result)
                return result
            except RequestFailed as exc:
                response = exc.response
                _log_response(response)
                if response.status_code == 401 and not renewed and self._fresh_token(force=True):
                    renewed = True
                    continue
                wait = _retry_after(response.status_code, response.headers, response.text)
                if wait is not None and waited + wait <= self.max_wait_seconds:
                    logger.info("GitHub asked to wait %.0f s (status %s)", wait, response.status_code)
                    self._sleep(wait)
                    waited += wait
                    continue
                raise self._failed(response.status_code, response.headers, response.text, what) from None
            except RequestError:
                raise ExternalError("publish.network", host=host_of(self.api_url)) from None

    def _failed(self, status: int, headers: Any, text: str, what: str) -> ExternalError:
        remaining = headers.get("x-ratelimit-remaining")
        sso = headers.get("x-github-sso") or ""
        if status == 403 and sso:
            # SAML SSO: the token is fine but not authorised for the organisation; GitHub names the link.
            match = re.search(r"url=(\S+)", sso)
            if match:
                return ExternalError("services.publish.sso_required", repo=self.repo, url=match.group(1))
            return ExternalError("services.publish.sso_required_no_link", repo=self.repo)
        if status in (403, 429) and _is_secondary(status, headers, text):
            seconds = _retry_after(status, headers, text) or 60
            return ExternalError("services.publish.secondary_rate_limited", seconds=int(seconds))
        if status == 429 or (status == 403 and remaining == "0"):
            reset = headers.get("x-ratelimit-reset")
            minutes = 1
            if reset and reset.isdigit():
                minutes = max(1, int((int(reset) - time.time()) // 60) + 1)
            return ExternalError("publish.rate_limited", minutes=minutes)
        if status == 401:
            return ExternalError("publish.auth_failed", host=host_of(self.api_url))
        if status == 403:
            return ExternalError("publish.forbidden", repo=self.repo)
        if status == 404:
            if what == "repo":
                return ExternalError("publish.repo_not_found", repo=self.repo)
            return ExternalError("publish.not_found", repo=self.repo)
        if status == 422:
            return ExternalError("publish.rejected", reason=_github_message(text))
        return ExternalError("publish.server_error", host=host_of(self.api_url), status=status)

    def _json(self, func: Callable[[], Any], *, what: str = "") -> Any:
        """The raw JSON of one response. Raw, not githubkit's models: GitHub adds enum values (a check
        run ``conclusion: "stale"``) that strict models reject, and a status read must never crash."""

        def read() -> Any:
            response = func()
            _log_response(response)
            return response.json()

        return self._call(read, what=what)

    def _pages(
        self, operation: str, *args: Any, limit: int | None = None, key: str = "", **kwargs: Any
    ) -> list[Any]:
        """Every item of a list endpoint, following GitHub's ``Link`` headers (githubkit's paginator),
        up to ``limit``. ``key``: the list sits under this key of an object (check runs, search)."""

        def items(response: Any) -> list[Any]:
            data = response.json()
            return list(data.get(key) or []) if key else list(data)

        def read() -> list[Any]:
            # Looked up per attempt: the client is rebuilt when the token is renewed.
            group, name = operation.split(".")
            func = getattr(getattr(self._gh.rest, group), name)
            paginator = self._gh.rest.paginate(func, items, *args, per_page=100, **kwargs)
            found = list(itertools.islice(paginator, limit))
            logger.info("GitHub %s (every page): %d item(s)", operation, len(found))
            return found

        return self._call(read)

    # --- calls ---------------------------------------------------------------------------------------

    def get_user(self) -> ForgeUser:
        data = self._json(lambda: self._gh.rest.users.get_authenticated(), what="user")
        return ForgeUser(
            login=data["login"],
            id=int(data["id"]),
            name=data.get("name") or "",
            email=data.get("email") or "",
        )

    def get_repo(self) -> ForgeRepo:
        data = self._json(lambda: self._gh.rest.repos.get(self.owner, self.name), what="repo")
        permissions = data.get("permissions")
        can_push = bool(permissions.get("push")) if permissions else None
        return ForgeRepo(
            full_name=data["full_name"],
            default_branch=data["default_branch"],
            html_url=data["html_url"],
            clone_url=data["clone_url"],
            private=bool(data.get("private")),
            can_push=can_push,
        )

    def create_pull(self, *, title: str, body: str, head: str, base: str, draft: bool = False) -> PullRequest:
        data = self._json(
            lambda: self._gh.rest.pulls.create(
                self.owner, self.name, title=title, body=body, head=head, base=base, draft=draft
            )
        )
        return _pull(data)

    def list_pulls(
        self, *, state: str = "open", head: str | None = None, limit: int = 100
    ) -> list[PullRequest]:
        kwargs: dict[str, Any] = {"state": state, "sort": "updated", "direction": "desc"}
        if head:
            kwargs["head"] = head if ":" in head else f"{self.owner}:{head}"
        data = self._pages("pulls.list", self.owner, self.name, limit=limit, **kwargs)
        return [_pull(item) for item in data]

    def list_pulls_by(self, author: str, *, limit: int = 30) -> list[PullRequest]:
        """Pull requests opened by ``author``, most recently updated first: filtered by GitHub (the search
        API), so older requests are found however busy the repository is."""
        query = f"repo:{self.repo} is:pr author:{author}"
        found = self._pages(
            "search.issues_and_pull_requests",
            limit=limit,
            key="items",
            q=query,
            sort="updated",
            order="desc",
        )
        return [self.get_pull(int(item["number"])) for item in found]

    def get_pull(self, number: int) -> PullRequest:
        return _pull(self._json(lambda: self._gh.rest.pulls.get(self.owner, self.name, number)))

    def update_pull(
        self, number: int, *, title: str | None = None, body: str | None = None, state: str | None = None
    ) -> PullRequest:
        kwargs: dict[str, Any] = {}
        if title is not None:
            kwargs["title"] = title
        if body is not None:
            kwargs["body"] = body
        if state is not None:
            kwargs["state"] = state
        return _pull(self._json(lambda: self._gh.rest.pulls.update(self.owner, self.name, number, **kwargs)))

    def close_pull(self, number: int) -> PullRequest:
        return self.update_pull(number, state="closed")

    def is_merged(self, number: int) -> bool:
        from githubkit.exception import RequestFailed

        try:
            self._gh.rest.pulls.check_if_merged(self.owner, self.name, number)
        except RequestFailed as exc:
            if exc.response.status_code == 404:
                return False
            raise self._failed(
                exc.response.status_code, exc.response.headers, exc.response.text, ""
            ) from None
        except Exception:
            return self._call(lambda: self.get_pull(number).merged)
        return True

    def add_labels(self, number: int, labels: list[str]) -> None:
        if labels:
            self._call(lambda: self._gh.rest.issues.add_labels(self.owner, self.name, number, labels=labels))

    def request_reviewers(self, number: int, reviewers: list[str], team_reviewers: list[str]) -> None:
        if reviewers or team_reviewers:
            self._call(
                lambda: self._gh.rest.pulls.request_reviewers(
                    self.owner, self.name, number, reviewers=reviewers, team_reviewers=team_reviewers
                )
            )

    def list_reviews(self, number: int) -> list[Review]:
        data = self._pages("pulls.list_reviews", self.owner, self.name, number)
        return [
            Review(
                user_login=(item.get("user") or {}).get("login", ""),
                state=str(item.get("state", "")),
                submitted_at=str(item.get("submitted_at") or ""),
            )
            for item in data
        ]

    def list_comments(self, number: int) -> list[Comment]:
        data = self._pages("issues.list_comments", self.owner, self.name, number)
        return [_comment(c) for c in data]

    def create_comment(self, number: int, body: str) -> Comment:
        return _comment(
            self._json(lambda: self._gh.rest.issues.create_comment(self.owner, self.name, number, body=body))
        )

    def update_comment(self, comment_id: int, body: str) -> Comment:
        return _comment(
            self._json(
                lambda: self._gh.rest.issues.update_comment(self.owner, self.name, comment_id, body=body)
            )
        )

    def list_check_runs(self, ref: str) -> list[CheckRun]:
        data = self._pages("checks.list_for_ref", self.owner, self.name, ref, key="check_runs")
        return [_check_run(r) for r in data]

    def list_commit_statuses(self, ref: str) -> list[CheckRun]:
        """Commit statuses (the older Status API, which many CI systems use), latest per context, as
        check-run-like values (``success`` / ``failure`` / ``error`` / ``pending``)."""
        data = self._pages("repos.list_commit_statuses_for_ref", self.owner, self.name, ref)
        latest: dict[str, CheckRun] = {}
        for item in data:  # newest first
            context = str(item.get("context") or "")
            if context in latest:
                continue
            state = str(item.get("state") or "")
            latest[context] = CheckRun(
                name=context,
                status="in_progress" if state == "pending" else "completed",
                conclusion=None if state == "pending" else state,
                details_url=item.get("target_url"),
            )
        return list(latest.values())

    def create_check_run(
        self, *, name: str, head_sha: str, status: str = "completed", conclusion: str | None = "success"
    ) -> CheckRun:
        kwargs: dict[str, Any] = {"name": name, "head_sha": head_sha, "status": status}
        if conclusion is not None and status == "completed":
            kwargs["conclusion"] = conclusion
        return _check_run(self._json(lambda: self._gh.rest.checks.create(self.owner, self.name, **kwargs)))

    def list_deployments(self, *, environment: str | None = None, sha: str | None = None) -> list[Deployment]:
        kwargs: dict[str, Any] = {}
        if environment:
            kwargs["environment"] = environment
        if sha:
            kwargs["sha"] = sha
        data = self._pages("repos.list_deployments", self.owner, self.name, **kwargs)
        return [_deployment(d) for d in data]

    def create_deployment(self, *, ref: str, environment: str, description: str = "") -> Deployment:
        data = self._json(
            lambda: self._gh.rest.repos.create_deployment(
                self.owner,
                self.name,
                ref=ref,
                environment=environment,
                description=description,
                auto_merge=False,
                required_contexts=[],
                production_environment=environment == "production",
                transient_environment=False,
            )
        )
        return _deployment(data)

    def list_deployment_statuses(self, deployment_id: int) -> list[DeploymentStatus]:
        data = self._pages("repos.list_deployment_statuses", self.owner, self.name, deployment_id)
        return [_status(s) for s in data]

    def create_deployment_status(
        self, deployment_id: int, *, state: str, environment_url: str = "", log_url: str = ""
    ) -> DeploymentStatus:
        kwargs: dict[str, Any] = {"state": state}
        if environment_url:
            kwargs["environment_url"] = environment_url
        if log_url:
            kwargs["log_url"] = log_url
        data = self._json(
            lambda: self._gh.rest.repos.create_deployment_status(
                self.owner, self.name, deployment_id, **kwargs
            )
        )
        return _status(data)

    def delete_branch(self, branch: str) -> None:
        self._call(lambda: self._gh.rest.git.delete_ref(self.owner, self.name, f"heads/{branch}"))


def _log_response(response: Any) -> None:
    """One INFO line per API call: method, path and status (never headers: they carry the token)."""
    request = getattr(response, "raw_request", None)
    if request is None:
        return
    logger.info("GitHub %s %s -> %s", request.method, request.url.path, response.status_code)


def _is_secondary(status: int, headers: Any, text: str) -> bool:
    """GitHub's secondary rate limits: 403/429 with ``Retry-After``, or saying so, while the primary
    quota (``x-ratelimit-remaining``) is not used up."""
    if headers.get("retry-after"):
        return True
    return "secondary rate limit" in text.lower()


def _retry_after(status: int, headers: Any, text: str) -> float | None:
    """Seconds GitHub asks us to wait before retrying, or ``None`` when retrying would not help."""
    if status not in (403, 429):
        return None
    value = headers.get("retry-after")
    if value and value.strip().isdigit():
        return float(value.strip())
    if status == 429 or "secondary rate limit" in text.lower():
        return 60.0  # GitHub: "wait at least one minute"
    if headers.get("x-ratelimit-remaining") == "0":
        reset = headers.get("x-ratelimit-reset") or ""
        if reset.isdigit():
            return max(1.0, float(int(reset) - time.time()))
    return None


def _pull(data: dict[str, Any]) -> PullRequest:
    merged = bool(data.get("merged")) or data.get("merged_at") is not None
    return PullRequest(
        number=int(data["number"]),
        title=str(data.get("title") or ""),
        body=data.get("body") or "",
        state=str(data.get("state", "")),
        html_url=str(data.get("html_url", "")),
        head_ref=str(data["head"]["ref"]),
        head_sha=str(data["head"]["sha"]),
        base_ref=str(data["base"]["ref"]),
        user_login=(data.get("user") or {}).get("login", ""),
        merged=merged,
        draft=bool(data.get("draft") or False),
        merge_commit_sha=data.get("merge_commit_sha"),
        labels=tuple(str(label.get("name", "")) for label in data.get("labels") or []),
        updated_at=str(data.get("updated_at") or ""),
    )


def _comment(c: dict[str, Any]) -> Comment:
    return Comment(
        id=int(c["id"]), body=c.get("body") or "", user_login=(c.get("user") or {}).get("login", "")
    )


def _check_run(r: dict[str, Any]) -> CheckRun:
    return CheckRun(
        name=str(r.get("name", "")),
        status=str(r.get("status", "")),
        conclusion=r.get("conclusion"),
        details_url=r.get("details_url"),
    )


def _deployment(d: dict[str, Any]) -> Deployment:
    return Deployment(
        id=int(d["id"]),
        environment=str(d.get("environment", "")),
        sha=str(d.get("sha", "")),
        ref=str(d.get("ref", "")),
    )


def _status(s: dict[str, Any]) -> DeploymentStatus:
    return DeploymentStatus(
        id=int(s["id"]),
        state=str(s.get("state", "")),
        environment_url=str(s.get("environment_url") or ""),
        log_url=str(s.get("log_url") or ""),
    )


def _github_message(text: str) -> str:
    """GitHub's own explanation from an error body, without anything that could be a secret."""
    import json

    try:
        data = json.loads(text)
    except ValueError:
        return ""
    parts = [str(data.get("message", ""))]
    for error in data.get("errors", []) or []:
        if isinstance(error, dict) and error.get("message"):
            parts.append(str(error["message"]))
    return " ".join(p for p in parts if p)[:300]
