"""The local forge's repository endpoints: the repository itself, branches and deleting a branch.

Owns: the handlers of ``GET /repos/{o}/{r}`` (with the caller's ``permissions``), ``GET
/branches/{name}`` and ``DELETE /git/refs/heads/{name}`` (GitHub's "delete branch" after a merge).
"""

from __future__ import annotations

from lpublish.sandbox.forge.bare_git import ref_sha, run_git
from lpublish.sandbox.forge.responses import Response, error, json_response, validation
from lpublish.sandbox.forge.routes import Call
from lpublish.sandbox.forge.shapes import repo_json
from lpublish.sandbox.forge.state import ForgeState, Repo


def get_repo(state: ForgeState, repo: Repo, call: Call) -> Response:
    return json_response(200, repo_json(state, repo, call.login, full=True))


def get_branch(state: ForgeState, repo: Repo, call: Call) -> Response:
    name = call.params[0]
    sha = ref_sha(state, repo, f"refs/heads/{name}")
    if sha is None:
        return error(404, "Branch not found")
    return json_response(200, {"name": name, "commit": {"sha": sha}, "protected": False})


def delete_ref(state: ForgeState, repo: Repo, call: Call) -> Response:
    ref = "refs/" + call.params[0]
    if ref_sha(state, repo, ref) is None:
        return validation("Reference", "ref", "invalid", message="Reference does not exist")
    run_git(state, repo, "update-ref", "-d", ref)
    return Response(204)
