"""The local forge's Deployments API.

Owns: the deployment and deployment-status shapes, recording them (from the REST calls, from practice
mode after a merge and from the test helper ``LocalForge.add_deployment``), and the handlers of
``/repos/{o}/{r}/deployments`` and ``/deployments/{id}/statuses`` (lists newest first, like GitHub).
"""

from __future__ import annotations

from typing import Any

from lpublish.sandbox.forge.checks import commit_of
from lpublish.sandbox.forge.paging import paged
from lpublish.sandbox.forge.responses import Response, json_response, not_found, validation
from lpublish.sandbox.forge.routes import Call
from lpublish.sandbox.forge.shapes import user_json
from lpublish.sandbox.forge.state import ForgeState, Repo, now


def add_deployment(
    state: ForgeState,
    repo: Repo,
    sha: str,
    ref: str,
    environment: str,
    description: str,
    creator: str | None,
) -> dict[str, Any]:
    """Record a deployment of ``sha`` (with no statuses yet); returns it as the API answers."""
    api = f"{state.url}/repos/{repo.full_name}"
    did = state.next_id()
    deployment = {
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
        "creator": user_json(state, creator) if creator else None,
        "created_at": now(),
        "updated_at": now(),
        "statuses_url": f"{api}/deployments/{did}/statuses",
        "repository_url": api,
        "transient_environment": False,
        "production_environment": environment == "production",
    }
    with state.lock:
        repo.deployments.append(deployment)
        repo.statuses[did] = []
    return deployment


def add_deployment_status(
    state: ForgeState,
    repo: Repo,
    did: int,
    status_state: str,
    environment_url: str,
    log_url: str,
    creator: str | None = None,
) -> dict[str, Any]:
    """Record a status of deployment ``did``; returns it as the API answers."""
    api = f"{state.url}/repos/{repo.full_name}"
    sid = state.next_id()
    deployment = next(d for d in repo.deployments if d["id"] == did)
    status = {
        "url": f"{api}/deployments/{did}/statuses/{sid}",
        "id": sid,
        "node_id": f"DES_{sid}",
        "state": status_state,
        "creator": user_json(state, creator) if creator else None,
        "description": "",
        "environment": deployment["environment"],
        "target_url": log_url,
        "created_at": now(),
        "updated_at": now(),
        "deployment_url": f"{api}/deployments/{did}",
        "repository_url": api,
        "environment_url": environment_url,
        "log_url": log_url,
    }
    with state.lock:
        repo.statuses.setdefault(did, []).append(status)
    return status


# --- handlers (the dispatcher holds the state's lock) ----------------------------------------------------


def list_deployments(state: ForgeState, repo: Repo, call: Call) -> Response:
    found = list(reversed(repo.deployments))  # newest first, like GitHub
    for key in ("environment", "sha", "ref"):
        if key in call.query:
            found = [d for d in found if d[key] == call.query[key]]
    return paged(found, call.query)


def create_deployment(state: ForgeState, repo: Repo, call: Call) -> Response:
    data = call.data
    ref = str(data.get("ref", ""))
    sha = commit_of(state, repo, ref)
    if not sha:
        return validation("Deployment", "ref", "invalid", message=f"No ref found for: {ref}")
    deployment = add_deployment(
        state,
        repo,
        sha,
        ref,
        str(data.get("environment", "production")),
        str(data.get("description") or ""),
        call.login,
    )
    return json_response(201, deployment)


def list_statuses(state: ForgeState, repo: Repo, call: Call) -> Response:
    did = int(call.params[0])
    if did not in repo.statuses:
        return not_found()
    return paged(list(reversed(repo.statuses[did])), call.query)


def create_status(state: ForgeState, repo: Repo, call: Call) -> Response:
    did = int(call.params[0])
    if did not in repo.statuses:
        return not_found()
    status = add_deployment_status(
        state,
        repo,
        did,
        str(call.data.get("state", "pending")),
        str(call.data.get("environment_url") or ""),
        str(call.data.get("log_url") or ""),
        call.login,
    )
    return json_response(201, status)
