"""The local forge's Pulls API: pull requests, their merge, requested reviewers and reviews.

Owns: the handlers of ``/repos/{o}/{r}/pulls`` (list with GitHub's filters and sort, create with
GitHub's validation), ``/pulls/{n}`` (read, where ``mergeable`` is ``null`` until the first read has
"computed" it, and update), ``/pulls/{n}/merge``, ``/requested_reviewers`` and ``/reviews``, plus
``add_review`` for the test helpers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lpublish.sandbox.forge.bare_git import head_sha, merge, ref_sha, run_merge_hooks
from lpublish.sandbox.forge.paging import paged
from lpublish.sandbox.forge.responses import Response, error, json_response, not_found, validation
from lpublish.sandbox.forge.routes import Call, RepoHandler
from lpublish.sandbox.forge.shapes import pull_json, review_json
from lpublish.sandbox.forge.state import ForgeServerError, ForgeState, Pull, Repo, now

PullHandler = Callable[[ForgeState, Repo, Pull, Call], Response]

#: A review's ``event`` in a request -> its ``state`` in answers.
_REVIEW_STATES = {"APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED"}


def of_pull(handler: PullHandler) -> RepoHandler:
    """A route handler for ``/pulls/{number}/...``: 404 when the pull request does not exist."""

    def find_pull(state: ForgeState, repo: Repo, call: Call) -> Response:
        pull = repo.pulls.get(int(call.params[0]))
        if pull is None:
            return not_found()
        return handler(state, repo, pull, call)

    return find_pull


def add_review(
    state: ForgeState, repo: Repo, pull: Pull, login: str, review_state: str, body: str
) -> dict[str, Any]:
    """Record a review of ``pull``'s current head by ``login``."""
    with state.lock:
        review = {
            "id": state.next_id(),
            "user": login,
            "state": review_state,
            "body": body,
            "submitted_at": now(),
            "commit_id": head_sha(state, repo, pull),
        }
        repo.reviews.setdefault(pull.number, []).append(review)
    return review


def list_pulls(state: ForgeState, repo: Repo, call: Call) -> Response:
    query = call.query
    wanted = query.get("state", "open")
    pulls = [p for p in repo.pulls.values() if wanted == "all" or p.state == wanted]
    if "head" in query:
        head = query["head"].split(":", 1)[-1]
        pulls = [p for p in pulls if p.head == head]
    if "base" in query:
        pulls = [p for p in pulls if p.base == query["base"]]
    by = "updated_at" if query.get("sort", "created") == "updated" else "created_at"
    pulls.sort(key=lambda p: (getattr(p, by), p.number), reverse=query.get("direction", "desc") == "desc")
    return paged([pull_json(state, repo, p, simple=True) for p in pulls], query)


def create_pull(state: ForgeState, repo: Repo, call: Call) -> Response:
    data = call.data
    title = str(data.get("title") or "")
    head = str(data.get("head") or "").split(":", 1)[-1]
    base = str(data.get("base") or "")
    if not title:
        return validation("PullRequest", "title", "missing_field")
    if ref_sha(state, repo, f"refs/heads/{base}") is None:
        return validation("PullRequest", "base", "invalid")
    head_commit = ref_sha(state, repo, f"refs/heads/{head}")
    if head_commit is None:
        return validation("PullRequest", "head", "invalid")
    for other in repo.pulls.values():
        if other.state == "open" and other.head == head and other.base == base:
            return validation(
                "PullRequest", "", "custom", message=f"A pull request already exists for {repo.owner}:{head}."
            )
    number = repo.next_number
    repo.next_number += 1
    pull = Pull(
        number,
        state.next_id(),
        title,
        str(data.get("body") or ""),
        head,
        base,
        call.login,
        bool(data.get("draft", False)),
        head_sha=head_commit,
    )
    repo.pulls[number] = pull
    return json_response(201, pull_json(state, repo, pull))


def get_pull(state: ForgeState, repo: Repo, pull: Pull, call: Call) -> Response:
    answer = json_response(200, pull_json(state, repo, pull))
    pull.mergeable_known = True  # computed by the next read
    return answer


def update_pull(state: ForgeState, repo: Repo, pull: Pull, call: Call) -> Response:
    data = call.data
    if "title" in data and data["title"] is not None:
        pull.title = str(data["title"])
    if "body" in data and data["body"] is not None:
        pull.body = str(data["body"])
    wanted = data.get("state")
    if wanted in ("open", "closed") and not pull.merged_at:
        if wanted == "closed" and pull.state == "open":
            head_sha(state, repo, pull)  # remember the head the branch had when it was closed
            pull.closed_at = now()
        if wanted == "open":
            pull.closed_at = None
        pull.state = wanted
    pull.updated_at = now()
    return json_response(200, pull_json(state, repo, pull))


def is_merged(state: ForgeState, repo: Repo, pull: Pull, call: Call) -> Response:
    return Response(204) if pull.merged_at else not_found()


def merge_pull(state: ForgeState, repo: Repo, pull: Pull, call: Call) -> Response:
    try:
        event = merge(state, repo, pull, call.login)
    except ForgeServerError:
        return error(405, "Pull Request is not mergeable")
    answer = json_response(
        200, {"sha": event.sha, "merged": True, "message": "Pull Request successfully merged"}
    )
    # The dispatcher holds the lock around this handler: the hooks run after it lets go.
    answer.after_unlock = lambda: run_merge_hooks(state, event)
    return answer


def request_reviewers(state: ForgeState, repo: Repo, pull: Pull, call: Call) -> Response:
    data = call.data
    reviewers = [str(r) for r in data.get("reviewers", []) or []]
    if any(r not in state.users for r in reviewers):
        return validation(
            "PullRequest",
            "reviewers",
            "invalid",
            message="Reviews may only be requested from collaborators. One or more of the "
            "users or teams you specified is not a collaborator of the "
            f"{repo.full_name} repository.",
        )
    if pull.user in reviewers:
        return validation(
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
    return json_response(201, pull_json(state, repo, pull, simple=True))


def list_reviews(state: ForgeState, repo: Repo, pull: Pull, call: Call) -> Response:
    reviews = repo.reviews.get(pull.number, [])
    return json_response(200, [review_json(state, repo, pull.number, r) for r in reviews])


def create_review(state: ForgeState, repo: Repo, pull: Pull, call: Call) -> Response:
    review_state = _REVIEW_STATES.get(str(call.data.get("event", "")), "COMMENTED")
    review = add_review(state, repo, pull, call.login, review_state, call.data.get("body") or "")
    return json_response(200, review_json(state, repo, pull.number, review))
