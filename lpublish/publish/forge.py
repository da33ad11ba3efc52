"""The ``Forge`` interface: the few GitHub calls lpublish needs, with plain result dataclasses.

Owns: ``Forge`` (a Protocol) and the value types it returns. ``lpublish.publish.github.GitHubForge`` is
the implementation (GitHub.com, GitHub Enterprise, and the local forge server used by tests and practice
mode, which speaks the same REST API). Every method raises ``lpublish.errors.ExternalError`` with a
plain-language message on failure. Must not import UI libraries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class ForgeUser:
    login: str
    id: int
    name: str = ""
    email: str = ""


@dataclass(frozen=True)
class ForgeRepo:
    full_name: str
    default_branch: str
    html_url: str
    clone_url: str
    private: bool = False
    #: Whether the signed-in user may push branches (``permissions.push``); ``None`` when unknown.
    can_push: bool | None = None


@dataclass(frozen=True)
class PullRequest:
    number: int
    title: str
    body: str
    state: str  # open | closed
    html_url: str
    head_ref: str
    head_sha: str
    base_ref: str
    user_login: str
    merged: bool = False
    draft: bool = False
    merge_commit_sha: str | None = None
    labels: tuple[str, ...] = ()
    updated_at: str = ""


@dataclass(frozen=True)
class Review:
    user_login: str
    state: str  # APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED | PENDING
    submitted_at: str = ""


@dataclass(frozen=True)
class CheckRun:
    name: str
    status: str  # queued | in_progress | completed
    conclusion: str | None = None  # success | failure | neutral | cancelled | skipped | timed_out | ...
    details_url: str | None = None


@dataclass(frozen=True)
class Comment:
    id: int
    body: str
    user_login: str = ""


@dataclass(frozen=True)
class Deployment:
    id: int
    environment: str
    sha: str
    ref: str


@dataclass(frozen=True)
class DeploymentStatus:
    id: int
    state: str  # error | failure | inactive | in_progress | queued | pending | success
    environment_url: str = ""
    log_url: str = ""


@dataclass(frozen=True)
class RateLimit:
    remaining: int | None = None
    reset: int | None = None
    extra: dict[str, str] = field(default_factory=dict)


class Forge(Protocol):
    """The calls lpublish makes to GitHub for one repository."""

    repo: str

    def get_user(self) -> ForgeUser:
        """The signed-in user (``GET /user``)."""
        ...

    def get_repo(self) -> ForgeRepo:
        """The configured repository (``GET /repos/{owner}/{repo}``)."""
        ...

    def create_pull(
        self, *, title: str, body: str, head: str, base: str, draft: bool = False
    ) -> PullRequest: ...

    def list_pulls(
        self, *, state: str = "open", head: str | None = None, limit: int = 100
    ) -> list[PullRequest]:
        """Pull requests, most recently updated first. ``head`` is ``branch`` (same repository)."""
        ...

    def list_pulls_by(self, author: str, *, limit: int = 30) -> list[PullRequest]:
        """Pull requests opened by ``author``, most recently updated first, filtered by the server."""
        ...

    def get_pull(self, number: int) -> PullRequest: ...

    def update_pull(
        self, number: int, *, title: str | None = None, body: str | None = None, state: str | None = None
    ) -> PullRequest: ...

    def close_pull(self, number: int) -> PullRequest: ...

    def is_merged(self, number: int) -> bool: ...

    def add_labels(self, number: int, labels: list[str]) -> None: ...

    def request_reviewers(self, number: int, reviewers: list[str], team_reviewers: list[str]) -> None: ...

    def list_reviews(self, number: int) -> list[Review]: ...

    def list_comments(self, number: int) -> list[Comment]: ...

    def create_comment(self, number: int, body: str) -> Comment: ...

    def update_comment(self, comment_id: int, body: str) -> Comment: ...

    def list_check_runs(self, ref: str) -> list[CheckRun]: ...

    def list_commit_statuses(self, ref: str) -> list[CheckRun]:
        """Commit statuses (Status API), latest per context, shaped like check runs."""
        ...

    def create_check_run(
        self, *, name: str, head_sha: str, status: str = "completed", conclusion: str | None = "success"
    ) -> CheckRun: ...

    def list_deployments(
        self, *, environment: str | None = None, sha: str | None = None
    ) -> list[Deployment]: ...

    def create_deployment(self, *, ref: str, environment: str, description: str = "") -> Deployment: ...

    def list_deployment_statuses(self, deployment_id: int) -> list[DeploymentStatus]: ...

    def create_deployment_status(
        self, deployment_id: int, *, state: str, environment_url: str = "", log_url: str = ""
    ) -> DeploymentStatus: ...

    def delete_branch(self, branch: str) -> None:
        """Delete ``refs/heads/<branch>`` (``DELETE /repos/{owner}/{repo}/git/refs/heads/<branch>``)."""
        ...
