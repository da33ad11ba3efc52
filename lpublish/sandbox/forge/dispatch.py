"""The local forge's route tables and the way a request goes through them.

Owns: which handler answers which method and path, and the order of the checks before it: an injected
fault first; then the routes that do their own authentication (OAuth, git, LFS, browser pages); then
the API token (401 ``Bad credentials``/``Requires authentication``) and the JSON body (400); then the
account routes, or, under ``/repos/{owner}/{repo}``, the repository (404 when unknown or not visible to
the user, 403 for writes without write permission) and its routes under the state's lock; what a
handler leaves for after the lock (``Response.after_unlock``: the merge hooks) runs once it is released. Lists get
GitHub's ``Link`` header. Anything else answers ``404 Not Found`` in GitHub's error shape, a known path
with another method too (GitHub never answers 405 there).
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from urllib.parse import parse_qs, unquote, urlsplit

from lpublish.sandbox.forge import (
    account,
    checks,
    deployments,
    git_http,
    issues,
    lfs,
    oauth,
    pulls,
    repos,
    web,
)
from lpublish.sandbox.forge.credentials import token_from
from lpublish.sandbox.forge.paging import link_header
from lpublish.sandbox.forge.pulls import of_pull
from lpublish.sandbox.forge.responses import Response, error, fault_response, not_found
from lpublish.sandbox.forge.routes import Call, Handler, RepoHandler, RouteTable, route
from lpublish.sandbox.forge.state import ForgeState

WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
_REPO_PATH = re.compile(r"/repos/([^/]+/[^/]+)(/.*)?")
_OWNER_REPO = r"/([^/]+/[^/]+)"


def _not_found(state: ForgeState, call: Call) -> Response:
    return not_found()


#: Routes that need no API token: each answers its own protocol's authentication (any method).
WEB_ROUTES = RouteTable[Handler](
    [
        route("*", r"/login/device/code", oauth.device_code),
        route("*", r"/login/oauth/access_token", oauth.access_token),
        route("*", r"/login/device", oauth.device_page),
        route("*", r"/login/.*", _not_found),
        route("*", r"/([^/]+/[^/]+?)\.git/info/lfs/(.+)", lfs.lfs),
        route("*", r"/([^/]+/[^/]+?)\.git(/.*)", git_http.smart_http),
        route("*", _OWNER_REPO + r"/raw/(.+)", web.raw_file),
        route("*", _OWNER_REPO + r"/pull/(\d+)", web.pull_page),
    ]
)

#: API routes outside a repository.
ACCOUNT_ROUTES = RouteTable[Handler](
    [
        route("GET", r"/user", account.get_user),
        route("*", r"/rate_limit", account.rate_limit),
        route("GET", r"/search/issues", account.search_issues),
    ]
)

#: API routes under ``/repos/{owner}/{repo}`` (the path below it).
REPO_ROUTES = RouteTable[RepoHandler](
    [
        route("GET", r"", repos.get_repo),
        route("GET", r"/pulls", pulls.list_pulls),
        route("POST", r"/pulls", pulls.create_pull),
        route("GET", r"/pulls/(\d+)", of_pull(pulls.get_pull)),
        route("PATCH", r"/pulls/(\d+)", of_pull(pulls.update_pull)),
        route("GET", r"/pulls/(\d+)/merge", of_pull(pulls.is_merged)),
        route("PUT", r"/pulls/(\d+)/merge", of_pull(pulls.merge_pull)),
        route("POST", r"/pulls/(\d+)/requested_reviewers", of_pull(pulls.request_reviewers)),
        route("GET", r"/pulls/(\d+)/reviews", of_pull(pulls.list_reviews)),
        route("POST", r"/pulls/(\d+)/reviews", of_pull(pulls.create_review)),
        route("GET", r"/issues/(\d+)/labels", of_pull(issues.list_labels)),
        route("POST", r"/issues/(\d+)/labels", of_pull(issues.add_labels)),
        route("GET", r"/issues/(\d+)/comments", of_pull(issues.list_comments)),
        route("POST", r"/issues/(\d+)/comments", of_pull(issues.create_comment)),
        route("GET", r"/issues/comments/(\d+)", issues.get_comment),
        route("PATCH", r"/issues/comments/(\d+)", issues.update_comment),
        route("GET", r"/commits/(.+)/check-runs", checks.list_check_runs),
        route("GET", r"/commits/(.+)/statuses", checks.list_commit_statuses),
        route("POST", r"/statuses/([0-9a-f]{40})", checks.create_commit_status),
        route("POST", r"/check-runs", checks.create_check_run),
        route("GET", r"/deployments", deployments.list_deployments),
        route("POST", r"/deployments", deployments.create_deployment),
        route("GET", r"/deployments/(\d+)/statuses", deployments.list_statuses),
        route("POST", r"/deployments/(\d+)/statuses", deployments.create_status),
        route("DELETE", r"/git/refs/(heads/.+)", repos.delete_ref),
        route("GET", r"/branches/(.+)", repos.get_branch),
    ]
)


def handle(state: ForgeState, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Response:
    """Answer one request (``headers`` with lower-case names)."""
    split = urlsplit(raw_path)
    path = unquote(split.path)
    query = {k: v[-1] for k, v in parse_qs(split.query).items()}
    call = Call(method, path, query, split.query, headers, body)
    fault = state.take_fault(method, path)
    if fault is not None:
        return fault_response(fault)
    found = WEB_ROUTES.find(method, path)
    if found is not None:
        handler, params = found
        return handler(state, call.with_params(params))
    token = token_from(headers)
    login = state.login_for(token)
    if login is None:
        return error(401, "Bad credentials" if token else "Requires authentication")
    try:
        data = json.loads(body) if body else {}
    except ValueError:
        return error(400, "Problems parsing JSON")
    response = _api(state, replace(call, login=login, data=data))
    if response.after_unlock is not None:
        response.after_unlock()
    if response.pages is not None:
        link = link_header(state.url + split.path, query, *response.pages)
        if link:
            response.headers["Link"] = link
            state.link_headers.append(link)
    return response


def _api(state: ForgeState, call: Call) -> Response:
    found = ACCOUNT_ROUTES.find(call.method, call.path)
    if found is not None:
        handler, params = found
        return handler(state, call.with_params(params))
    under_repo = _REPO_PATH.fullmatch(call.path)
    if under_repo is None:
        return not_found()
    repo = state.repos.get(under_repo.group(1))
    user = state.users[call.login]
    if repo is None or user.permission == "none":
        return not_found()  # GitHub hides a repository the user may not see
    if call.method in WRITE_METHODS and user.permission != "write":
        return error(403, "Resource not accessible by integration")
    with state.lock:
        in_repo = REPO_ROUTES.find(call.method, under_repo.group(2) or "")
        if in_repo is None:
            return not_found()
        repo_handler, params = in_repo
        return repo_handler(state, repo, call.with_params(params))
