"""Where a designer's requests stand: checks, reviews, merge and deployment, in one state word.

Owns: ``RequestState`` (the states, in order) with ``REQUEST_STATES`` and ``OPEN_STATES``,
``RequestStatus`` (one request as the designer sees it), ``request_status`` (one pull request's state
from its checks, reviews, merge and deployments), ``list_requests`` (the signed-in user's requests)
and ``preview_url`` (a request's preview address from the deploy targets). Must not import UI
libraries.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from lpublish.config import SiteConfig
from lpublish.publish.forge import Forge, PullRequest
from lpublish.publish.request_body import parse_marker

logger = logging.getLogger(__name__)

RequestState = Literal[
    "checks-running",
    "checks-failed",
    "changes-requested",
    "in-review",
    "approved",
    "merged",
    "live",
    "closed",
]
#: Every state, in the order a request goes through them.
REQUEST_STATES: tuple[RequestState, ...] = get_args(RequestState)
#: States in which a request can still be updated or withdrawn.
OPEN_STATES: frozenset[RequestState] = frozenset(REQUEST_STATES) - {"merged", "live", "closed"}
_FAILED = {"failure", "cancelled", "timed_out", "action_required", "startup_failure", "stale", "error"}


@dataclass
class RequestStatus:
    """One request as the designer sees it.

    ``state`` is one of ``checks-running``, ``checks-failed``, ``changes-requested``, ``in-review``
    (checks passed, waiting for a reviewer), ``approved``, ``merged``, ``live``, ``closed``.
    """

    number: int
    title: str
    url: str
    state: RequestState
    preview_url: str | None = None
    branch: str = ""
    checks: dict[str, int] = field(default_factory=dict)
    review: str | None = None
    merged: bool = False
    deployed: bool = False
    live_url: str | None = None
    updated_at: str = ""

    @property
    def is_open(self) -> bool:
        """Whether the request can still get files or be withdrawn (not merged, live or closed)."""
        return self.state in OPEN_STATES

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "title": self.title,
            "url": self.url,
            "state": self.state,
            "preview_url": self.preview_url,
            "branch": self.branch,
            "checks": self.checks,
            "review": self.review,
            "merged": self.merged,
            "deployed": self.deployed,
            "live_url": self.live_url,
            "updated_at": self.updated_at,
        }


def preview_url(config: SiteConfig, number: int) -> str | None:
    """Request ``number``'s preview address from the first deploy target that makes previews."""
    for target in config.deploy.targets.values():
        if target.preview and target.preview_url:
            return target.preview_url.replace("{pr}", str(number))
    return None


def request_status(config: SiteConfig, forge: Forge, pull: PullRequest) -> RequestStatus:
    """The state of one request from its checks, reviews, merge and deployments."""
    logger.debug("status of request #%d", pull.number)
    status = RequestStatus(
        number=pull.number,
        title=pull.title,
        url=pull.html_url,
        state="checks-running",
        branch=pull.head_ref,
        merged=pull.merged,
        updated_at=pull.updated_at,
    )
    if pull.merged:
        status.state = "merged"
        sha = pull.merge_commit_sha
        if sha:
            for dep in forge.list_deployments(environment=config.forge.environment, sha=sha):
                statuses = forge.list_deployment_statuses(dep.id)
                if statuses and statuses[0].state == "success":
                    status.state = "live"
                    status.deployed = True
                    status.live_url = statuses[0].environment_url or None
                    break
        return status
    if pull.state != "open":
        status.state = "closed"
        return status
    # Check runs and commit statuses: many CI systems only post statuses.
    runs = forge.list_check_runs(pull.head_sha) + forge.list_commit_statuses(pull.head_sha)
    counts = {"total": len(runs), "passed": 0, "failed": 0, "running": 0}
    for run in runs:
        if run.status != "completed":
            counts["running"] += 1
        elif run.conclusion in _FAILED:
            counts["failed"] += 1
        else:
            counts["passed"] += 1
    status.checks = counts
    latest: dict[str, str] = {}
    for review in forge.list_reviews(pull.number):
        if review.state in ("APPROVED", "CHANGES_REQUESTED", "DISMISSED"):
            latest[review.user_login] = review.state
    decisions = set(latest.values())
    status.review = (
        "changes_requested"
        if "CHANGES_REQUESTED" in decisions
        else "approved"
        if "APPROVED" in decisions
        else None
    )
    status.preview_url = preview_url(config, pull.number)
    for dep in forge.list_deployments(sha=pull.head_sha):
        statuses = forge.list_deployment_statuses(dep.id)
        if statuses and statuses[0].state == "success" and statuses[0].environment_url:
            status.preview_url = statuses[0].environment_url
            break
    if counts["failed"]:
        status.state = "checks-failed"
    elif status.review == "changes_requested":
        status.state = "changes-requested"
    elif counts["running"]:
        status.state = "checks-running"
    elif status.review == "approved":
        status.state = "approved"
    else:
        status.state = "in-review"
    return status


def list_requests(config: SiteConfig, *, forge: Forge, limit: int = 30) -> list[RequestStatus]:
    """The signed-in user's requests (PRs carrying the lpublish marker), newest activity first."""
    me = forge.get_user()
    logger.info("listing the requests of %s in %s", me.login, config.forge.repo)
    # Filtered by GitHub (author), not from the newest 100 of everyone: older requests stay visible.
    pulls = [p for p in forge.list_pulls_by(me.login, limit=limit * 2) if parse_marker(p.body) is not None]
    return [request_status(config, forge, p) for p in pulls[:limit]]
