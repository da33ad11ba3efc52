"""``GitHubForge``: the ``Forge`` interface implemented with githubkit (GitHub.com and Enterprise).

Owns: calling the REST API through githubkit's typed client and turning every failure into an
``ExternalError`` a designer can act on (sign in again, ask for access, wait for the rate limit, check
the network). Automatic retries are off: lpublish keeps a draft and lets the person retry, which is
predictable and never hides a long wait. The token is only handed to githubkit's auth strategy; it never
appears in an error. Must not import UI libraries.
"""

from __future__ import annotations

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


def host_of(url: str) -> str:
    """The host name of a URL (for messages; never includes credentials)."""
    return urlsplit(url).hostname or url


class GitHubForge:
    """The forge for one repository ``owner/name`` at ``api_url`` (``https://api.github.com`` or GHE)."""

    def __init__(self, api_url: str, repo: str, token: str, *, timeout: float = 30.0) -> None:
        from githubkit import GitHub, TokenAuthStrategy

        self.api_url = api_url.rstrip("/")
        self.repo = repo
        self.owner, self.name = repo.split("/", 1) if "/" in repo else (repo, "")
        self._gh: Any = GitHub(
            TokenAuthStrategy(token),
            base_url=self.api_url + "/",
            auto_retry=False,
            http_cache=False,
            timeout=timeout,
            user_agent="lpublish",
        )

    # --- error mapping -------------------------------------------------------------------------------

    def _call(self, func: Callable[[], T], *, what: str = "") -> T:
        from githubkit.exception import RequestError, RequestFailed

        try:
            return func()
        except RequestFailed as exc:
            raise self._failed(
                exc.response.status_code, exc.response.headers, exc.response.text, what
            ) from None
        except RequestError:
            raise ExternalError("publish.network", host=host_of(self.api_url)) from None

    def _failed(self, status: int, headers: Any, text: str, what: str) -> ExternalError:
        remaining = headers.get("x-ratelimit-remaining")
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
        if status >= 500:
            return ExternalError("publish.server_error", host=host_of(self.api_url), status=status)
        return ExternalError("publish.server_error", host=host_of(self.api_url), status=status)

    # --- calls ---------------------------------------------------------------------------------------

    def get_user(self) -> ForgeUser:
        data = self._call(lambda: self._gh.rest.users.get_authenticated().parsed_data, what="user")
        return ForgeUser(login=data.login, id=int(data.id), name=data.name or "", email=data.email or "")

    def get_repo(self) -> ForgeRepo:
        data = self._call(lambda: self._gh.rest.repos.get(self.owner, self.name).parsed_data, what="repo")
        permissions = getattr(data, "permissions", None)
        can_push = bool(permissions.push) if permissions else None
        return ForgeRepo(
            full_name=data.full_name,
            default_branch=data.default_branch,
            html_url=data.html_url,
            clone_url=data.clone_url,
            private=bool(data.private),
            can_push=can_push,
        )

    def create_pull(self, *, title: str, body: str, head: str, base: str, draft: bool = False) -> PullRequest:
        data = self._call(
            lambda: (
                self._gh.rest.pulls.create(
                    self.owner, self.name, title=title, body=body, head=head, base=base, draft=draft
                ).parsed_data
            )
        )
        return _pull(data)

    def list_pulls(
        self, *, state: str = "open", head: str | None = None, limit: int = 100
    ) -> list[PullRequest]:
        kwargs: dict[str, Any] = {
            "state": state,
            "sort": "updated",
            "direction": "desc",
            "per_page": min(100, limit),
        }
        if head:
            kwargs["head"] = head if ":" in head else f"{self.owner}:{head}"
        data = self._call(lambda: self._gh.rest.pulls.list(self.owner, self.name, **kwargs).parsed_data)
        return [_pull(item) for item in data][:limit]

    def get_pull(self, number: int) -> PullRequest:
        data = self._call(lambda: self._gh.rest.pulls.get(self.owner, self.name, number).parsed_data)
        return _pull(data)

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
        data = self._call(
            lambda: self._gh.rest.pulls.update(self.owner, self.name, number, **kwargs).parsed_data
        )
        return _pull(data)

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
        data = self._call(
            lambda: self._gh.rest.pulls.list_reviews(self.owner, self.name, number, per_page=100).parsed_data
        )
        return [
            Review(
                user_login=item.user.login if item.user else "",
                state=item.state,
                submitted_at=str(item.submitted_at or ""),
            )
            for item in data
        ]

    def list_comments(self, number: int) -> list[Comment]:
        data = self._call(
            lambda: (
                self._gh.rest.issues.list_comments(self.owner, self.name, number, per_page=100).parsed_data
            )
        )
        return [
            Comment(id=int(c.id), body=c.body or "", user_login=c.user.login if c.user else "") for c in data
        ]

    def create_comment(self, number: int, body: str) -> Comment:
        c = self._call(
            lambda: self._gh.rest.issues.create_comment(self.owner, self.name, number, body=body).parsed_data
        )
        return Comment(id=int(c.id), body=c.body or "", user_login=c.user.login if c.user else "")

    def update_comment(self, comment_id: int, body: str) -> Comment:
        c = self._call(
            lambda: (
                self._gh.rest.issues.update_comment(self.owner, self.name, comment_id, body=body).parsed_data
            )
        )
        return Comment(id=int(c.id), body=c.body or "", user_login=c.user.login if c.user else "")

    def list_check_runs(self, ref: str) -> list[CheckRun]:
        data = self._call(
            lambda: self._gh.rest.checks.list_for_ref(self.owner, self.name, ref, per_page=100).parsed_data
        )
        return [
            CheckRun(name=r.name, status=str(r.status), conclusion=r.conclusion, details_url=r.details_url)
            for r in data.check_runs
        ]

    def create_check_run(
        self, *, name: str, head_sha: str, status: str = "completed", conclusion: str | None = "success"
    ) -> CheckRun:
        kwargs: dict[str, Any] = {"name": name, "head_sha": head_sha, "status": status}
        if conclusion is not None and status == "completed":
            kwargs["conclusion"] = conclusion
        r = self._call(lambda: self._gh.rest.checks.create(self.owner, self.name, **kwargs).parsed_data)
        return CheckRun(name=r.name, status=str(r.status), conclusion=r.conclusion, details_url=r.details_url)

    def list_deployments(self, *, environment: str | None = None, sha: str | None = None) -> list[Deployment]:
        kwargs: dict[str, Any] = {"per_page": 100}
        if environment:
            kwargs["environment"] = environment
        if sha:
            kwargs["sha"] = sha
        data = self._call(
            lambda: self._gh.rest.repos.list_deployments(self.owner, self.name, **kwargs).parsed_data
        )
        return [Deployment(id=int(d.id), environment=d.environment, sha=d.sha, ref=d.ref) for d in data]

    def create_deployment(self, *, ref: str, environment: str, description: str = "") -> Deployment:
        d = self._call(
            lambda: (
                self._gh.rest.repos.create_deployment(
                    self.owner,
                    self.name,
                    ref=ref,
                    environment=environment,
                    description=description,
                    auto_merge=False,
                    required_contexts=[],
                ).parsed_data
            )
        )
        return Deployment(id=int(d.id), environment=d.environment, sha=d.sha, ref=d.ref)

    def list_deployment_statuses(self, deployment_id: int) -> list[DeploymentStatus]:
        data = self._call(
            lambda: (
                self._gh.rest.repos.list_deployment_statuses(
                    self.owner, self.name, deployment_id, per_page=100
                ).parsed_data
            )
        )
        return [_status(s) for s in data]

    def create_deployment_status(
        self, deployment_id: int, *, state: str, environment_url: str = "", log_url: str = ""
    ) -> DeploymentStatus:
        kwargs: dict[str, Any] = {"state": state}
        if environment_url:
            kwargs["environment_url"] = environment_url
        if log_url:
            kwargs["log_url"] = log_url
        s = self._call(
            lambda: (
                self._gh.rest.repos.create_deployment_status(
                    self.owner, self.name, deployment_id, **kwargs
                ).parsed_data
            )
        )
        return _status(s)

    def delete_branch(self, branch: str) -> None:
        self._call(lambda: self._gh.rest.git.delete_ref(self.owner, self.name, f"heads/{branch}"))


def _pull(data: Any) -> PullRequest:
    merged = bool(getattr(data, "merged", False)) or data.merged_at is not None
    return PullRequest(
        number=int(data.number),
        title=data.title,
        body=data.body or "",
        state=str(data.state),
        html_url=data.html_url,
        head_ref=data.head.ref,
        head_sha=data.head.sha,
        base_ref=data.base.ref,
        user_login=data.user.login if data.user else "",
        merged=merged,
        draft=bool(getattr(data, "draft", False) or False),
        merge_commit_sha=data.merge_commit_sha,
        labels=tuple(label.name for label in data.labels),
        updated_at=str(data.updated_at or ""),
    )


def _status(s: Any) -> DeploymentStatus:
    return DeploymentStatus(
        id=int(s.id),
        state=str(s.state),
        environment_url=str(getattr(s, "environment_url", "") or ""),
        log_url=str(getattr(s, "log_url", "") or ""),
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
