"""The local forge's Checks API and commit statuses (the older Status API many CI systems use).

Owns: the check-run and commit-status shapes, recording them (from the REST calls and from the test
helpers ``LocalForge.set_check``/``set_status``), and the handlers of ``/repos/{o}/{r}/check-runs``,
``/commits/{ref}/check-runs``, ``/commits/{ref}/statuses`` and ``/statuses/{sha}``.
"""

from __future__ import annotations

import re
from typing import Any

from lpublish.sandbox.forge.bare_git import ref_sha
from lpublish.sandbox.forge.paging import paged
from lpublish.sandbox.forge.responses import Response, json_response, validation
from lpublish.sandbox.forge.routes import Call
from lpublish.sandbox.forge.shapes import user_json
from lpublish.sandbox.forge.state import ForgeState, Repo, now

_SHA = re.compile(r"[0-9a-f]{40}")
STATUS_STATES = ("error", "failure", "pending", "success")


def commit_of(state: ForgeState, repo: Repo, ref: str) -> str | None:
    """A full commit sha as given, or the commit a branch/ref names."""
    return ref if _SHA.fullmatch(ref) else ref_sha(state, repo, ref)


def check_run_json(
    state: ForgeState,
    repo: Repo,
    cid: int,
    sha: str,
    name: str,
    status: str,
    conclusion: str | None,
    details_url: str | None,
) -> dict[str, Any]:
    api = f"{state.url}/repos/{repo.full_name}"
    return {
        "id": cid,
        "head_sha": sha,
        "node_id": f"CR_{cid}",
        "external_id": None,
        "url": f"{api}/check-runs/{cid}",
        "html_url": f"{state.url}/{repo.full_name}/runs/{cid}",
        "details_url": details_url,
        "status": status,
        "conclusion": conclusion if status == "completed" else None,
        "started_at": now(),
        "completed_at": now() if status == "completed" else None,
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


def put_check_run(
    state: ForgeState,
    repo: Repo,
    sha: str,
    name: str,
    status: str,
    conclusion: str | None,
    details_url: str | None,
) -> None:
    """Add check run ``name`` on ``sha``, replacing one of the same name."""
    with state.lock:
        repo.check_runs = [c for c in repo.check_runs if not (c["head_sha"] == sha and c["name"] == name)]
        repo.check_runs.append(
            check_run_json(state, repo, state.next_id(), sha, name, status, conclusion, details_url)
        )


def add_commit_status(
    state: ForgeState, repo: Repo, sha: str, status_state: str, data: dict[str, Any], login: str | None
) -> dict[str, Any]:
    """Record a commit status on ``sha``; returns it as the API answers."""
    sid = state.next_id()
    status = {
        "url": f"{state.url}/repos/{repo.full_name}/statuses/{sha}",
        "avatar_url": None,
        "id": sid,
        "node_id": f"SC_{sid}",
        "state": status_state,
        "description": data.get("description"),
        "target_url": data.get("target_url"),
        "context": str(data.get("context") or "default"),
        "created_at": now(),
        "updated_at": now(),
        "creator": user_json(state, login) if login else None,
        "_sha": sha,
    }
    with state.lock:
        repo.commit_statuses.append(status)
    return _public(status)


def _public(status: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in status.items() if k != "_sha"}


# --- handlers (the dispatcher holds the state's lock) ----------------------------------------------------


def list_check_runs(state: ForgeState, repo: Repo, call: Call) -> Response:
    ref = call.params[0]
    sha = commit_of(state, repo, ref)
    if sha is None:
        return validation("CheckRun", "ref", "invalid", message="No commit found for SHA: " + ref)
    runs = [c for c in repo.check_runs if c["head_sha"] == sha]
    if "check_name" in call.query:
        runs = [c for c in runs if c["name"] == call.query["check_name"]]
    return paged(runs, call.query, "check_runs")


def create_check_run(state: ForgeState, repo: Repo, call: Call) -> Response:
    data = call.data
    run = check_run_json(
        state,
        repo,
        state.next_id(),
        str(data.get("head_sha", "")),
        str(data.get("name", "")),
        str(data.get("status", "queued")),
        data.get("conclusion"),
        data.get("details_url"),
    )
    repo.check_runs.append(run)
    return json_response(201, run)


def list_commit_statuses(state: ForgeState, repo: Repo, call: Call) -> Response:
    sha = commit_of(state, repo, call.params[0])
    statuses = [_public(c) for c in reversed(repo.commit_statuses) if c["_sha"] == sha]
    return paged(statuses, call.query)


def create_commit_status(state: ForgeState, repo: Repo, call: Call) -> Response:
    status_state = str(call.data.get("state", ""))
    if status_state not in STATUS_STATES:
        return validation("Status", "state", "invalid")
    return json_response(
        201, add_commit_status(state, repo, call.params[0], status_state, call.data, call.login)
    )
