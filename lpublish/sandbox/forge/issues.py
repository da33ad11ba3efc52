"""The local forge's Issues API as pull requests use it: labels and comments.

Owns: the handlers of ``/repos/{o}/{r}/issues/{n}/labels`` (GET, POST), ``/issues/{n}/comments`` (GET
paged, POST) and ``/issues/comments/{id}`` (GET, PATCH). Only pull requests exist as issues here.
"""

from __future__ import annotations

from lpublish.sandbox.forge.paging import paged
from lpublish.sandbox.forge.responses import Response, json_response, not_found, validation
from lpublish.sandbox.forge.routes import Call
from lpublish.sandbox.forge.shapes import comment_json, label_json
from lpublish.sandbox.forge.state import ForgeState, Pull, Repo, now


def list_labels(state: ForgeState, repo: Repo, pull: Pull, call: Call) -> Response:
    return json_response(200, [label_json(state, repo, n) for n in pull.labels])


def add_labels(state: ForgeState, repo: Repo, pull: Pull, call: Call) -> Response:
    # GitHub takes {"labels": [...]} or a bare list.
    names = call.data.get("labels", []) if isinstance(call.data, dict) else call.data
    for name in names:
        if name not in pull.labels:
            pull.labels.append(str(name))
    return json_response(200, [label_json(state, repo, n) for n in pull.labels])


def list_comments(state: ForgeState, repo: Repo, pull: Pull, call: Call) -> Response:
    return paged([comment_json(state, repo, c) for c in repo.comments_on(pull.number)], call.query)


def create_comment(state: ForgeState, repo: Repo, pull: Pull, call: Call) -> Response:
    if not str(call.data.get("body") or ""):
        return validation("IssueComment", "body", "missing_field")
    cid = state.next_id()
    comment = {
        "id": cid,
        "_issue": pull.number,
        "body": str(call.data["body"]),
        "user": call.login,
        "created_at": now(),
        "updated_at": now(),
    }
    repo.comments[cid] = comment
    return json_response(201, comment_json(state, repo, comment))


def get_comment(state: ForgeState, repo: Repo, call: Call) -> Response:
    found = repo.comments.get(int(call.params[0]))
    if found is None:
        return not_found()
    return json_response(200, comment_json(state, repo, found))


def update_comment(state: ForgeState, repo: Repo, call: Call) -> Response:
    found = repo.comments.get(int(call.params[0]))
    if found is None:
        return not_found()
    found["body"] = str(call.data.get("body", found["body"]))
    found["updated_at"] = now()
    return json_response(200, comment_json(state, repo, found))
