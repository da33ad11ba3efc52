"""The local GitHub-compatible server: its JSON parses into githubkit's generated models, errors have
GitHub's shape, faults can be injected, merges are real git merges, git over HTTP needs the token."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from githubkit.versions.latest import models as m
from pydantic import TypeAdapter

from lpublish.sandbox.forge.server import LocalForge
from lpublish.sandbox.forge.state import MergeEvent
from tests.plugins.forge import REVIEWER, ForgeSite
from tests.plugins.gitrepos import git


def parse(model: Any, data: Any) -> Any:
    """Validate ``data`` with githubkit's model (raises on any missing or mistyped field)."""
    return TypeAdapter(model).validate_python(data)


class Api:
    def __init__(self, site: ForgeSite, token: str | None = None) -> None:
        self.client = httpx.Client(
            base_url=site.url, headers={"Authorization": f"token {token or site.token}"}, timeout=30
        )

    def __call__(self, method: str, path: str, expect: int = 200, **kw: Any) -> Any:
        response = self.client.request(method, path, **kw)
        assert response.status_code == expect, response.text
        return response.json() if response.content else None


def _branch(site: ForgeSite, name: str) -> str:
    """Push a branch with one new file to the bare repo; returns its sha."""
    work = site.repo.clone
    git(work, "switch", "--quiet", "-c", name, "origin/main")
    (work / "site" / "pages" / f"{name.replace('/', '-')}.md").write_text("new page\n", encoding="utf-8")
    git(work, "add", "-A")
    git(work, "commit", "--quiet", "-m", f"Add {name}")
    git(work, "push", "--quiet", str(site.repo.bare), f"{name}:{name}")
    return git(work, "rev-parse", "HEAD")


def test_every_response_parses_into_githubkit_models(forge_site: ForgeSite) -> None:
    api = Api(forge_site)
    head_sha = _branch(forge_site, "feature")
    parse(m.PrivateUser, api("GET", "/user"))
    repo = parse(m.FullRepository, api("GET", "/repos/acme/lp"))
    assert repo.permissions is not None and repo.permissions.push is True
    pr = parse(
        m.PullRequest,
        api(
            "POST",
            "/repos/acme/lp/pulls",
            201,
            json={"title": "T", "body": "B", "head": "feature", "base": "main"},
        ),
    )
    assert pr.number == 1 and pr.head.sha == head_sha and pr.merged is False
    parse(list[m.PullRequestSimple], api("GET", "/repos/acme/lp/pulls", params={"state": "all"}))
    parse(m.PullRequest, api("GET", "/repos/acme/lp/pulls/1"))
    parse(m.PullRequest, api("PATCH", "/repos/acme/lp/pulls/1", json={"title": "T2"}))
    parse(list[m.Label], api("POST", "/repos/acme/lp/issues/1/labels", json={"labels": ["lpublish"]}))
    simple = parse(
        m.PullRequestSimple,
        api(
            "POST",
            "/repos/acme/lp/pulls/1/requested_reviewers",
            201,
            json={"reviewers": [REVIEWER], "team_reviewers": ["web"]},
        ),
    )
    assert simple.requested_reviewers and simple.requested_reviewers[0].login == REVIEWER
    comment = parse(m.IssueComment, api("POST", "/repos/acme/lp/issues/1/comments", 201, json={"body": "hi"}))
    parse(
        m.IssueComment, api("PATCH", f"/repos/acme/lp/issues/comments/{comment.id}", json={"body": "edited"})
    )
    comments = parse(list[m.IssueComment], api("GET", "/repos/acme/lp/issues/1/comments"))
    assert [c.body for c in comments] == ["edited"]
    forge_site.forge.approve(1, REVIEWER)
    reviews = parse(list[m.PullRequestReview], api("GET", "/repos/acme/lp/pulls/1/reviews"))
    assert reviews[0].state == "APPROVED"
    forge_site.forge.set_check(1, "lpublish check", "completed", "success")
    parse(
        m.CheckRun,
        api(
            "POST",
            "/repos/acme/lp/check-runs",
            201,
            json={"name": "build", "head_sha": head_sha, "status": "in_progress"},
        ),
    )
    runs = parse(
        m.ReposOwnerRepoCommitsRefCheckRunsGetResponse200,
        api("GET", f"/repos/acme/lp/commits/{head_sha}/check-runs"),
    )
    assert runs.total_count == 2 and {r.name for r in runs.check_runs} == {"lpublish check", "build"}
    by_branch = api("GET", "/repos/acme/lp/commits/feature/check-runs")
    assert by_branch["total_count"] == 2
    merged = parse(m.PullRequestMergeResult, api("PUT", "/repos/acme/lp/pulls/1/merge"))
    assert merged.merged is True
    dep = parse(
        m.Deployment,
        api("POST", "/repos/acme/lp/deployments", 201, json={"ref": "main", "environment": "production"}),
    )
    parse(
        m.DeploymentStatus,
        api(
            "POST",
            f"/repos/acme/lp/deployments/{dep.id}/statuses",
            201,
            json={"state": "success", "environment_url": "https://x.example/"},
        ),
    )
    parse(list[m.Deployment], api("GET", "/repos/acme/lp/deployments", params={"environment": "production"}))
    statuses = parse(list[m.DeploymentStatus], api("GET", f"/repos/acme/lp/deployments/{dep.id}/statuses"))
    assert statuses[0].state == "success"
    final = parse(m.PullRequest, api("GET", "/repos/acme/lp/pulls/1"))
    assert final.merged and final.merge_commit_sha == merged.sha and final.state == "closed"


def test_errors_have_githubs_shape(forge_site: ForgeSite) -> None:
    api = Api(forge_site)
    missing = api("GET", "/repos/acme/lp/nothing-here", 404)
    assert missing["message"] == "Not Found" and missing["documentation_url"].startswith(
        "https://docs.github.com"
    )
    bad = Api(forge_site, "ghp_wrong")("GET", "/user", 401)
    assert bad["message"] == "Bad credentials"
    anonymous = httpx.get(f"{forge_site.url}/user")
    assert anonymous.status_code == 401 and anonymous.json()["message"] == "Requires authentication"
    invalid = api("POST", "/repos/acme/lp/pulls", 422, json={"title": "x", "head": "nope", "base": "main"})
    assert invalid["message"] == "Validation Failed" and invalid["errors"][0]["field"] == "head"
    assert api("GET", "/repos/other/repo", 404)["message"] == "Not Found"


def test_fault_injection_counts_and_rate_limit_headers(forge_site: ForgeSite) -> None:
    api = Api(forge_site)
    forge_site.forge.fail_next(r"^/user$", 503, count=2)
    api("GET", "/user", 503)
    api("GET", "/user", 503)
    api("GET", "/user", 200)
    forge_site.forge.fail_next(r"^/user$", "rate-limit")
    limited = api.client.get("/user")
    assert limited.status_code == 403 and limited.headers["x-ratelimit-remaining"] == "0"
    assert "rate limit" in limited.json()["message"]
    forge_site.forge.fail_next(r"^/user$", 401, method="POST")  # only POSTs: GET still works
    api("GET", "/user", 200)


def test_merge_is_a_real_merge_and_runs_hooks(forge_site: ForgeSite) -> None:
    api = Api(forge_site)
    head = _branch(forge_site, "feature")
    base = git(forge_site.repo.bare, "rev-parse", "main")
    api("POST", "/repos/acme/lp/pulls", 201, json={"title": "T", "head": "feature", "base": "main"})
    events: list[MergeEvent] = []
    forge_site.forge.on_merge(events.append)
    sha = forge_site.forge.merge(1)
    assert git(forge_site.repo.bare, "rev-parse", "main") == sha
    assert git(forge_site.repo.bare, "log", "-1", "--format=%P", sha).split() == [base, head]
    assert "site/pages/feature.md" in forge_site.repo.origin_files("main")
    assert events == [MergeEvent("acme/lp", 1, sha, "main", forge_site.repo.bare)]
    # the branch can then be deleted through the API, like GitHub's "delete branch" button
    api("DELETE", "/repos/acme/lp/git/refs/heads/feature", 204)
    assert api("DELETE", "/repos/acme/lp/git/refs/heads/feature", 422)["message"] == "Validation Failed"


def test_a_slow_merge_hook_does_not_hold_up_other_requests(forge_site: ForgeSite) -> None:
    """Practice mode builds and deploys in its merge hook: the TUI's status polls must still answer."""
    api = Api(forge_site)
    _branch(forge_site, "feature")
    api("POST", "/repos/acme/lp/pulls", 201, json={"title": "T", "head": "feature", "base": "main"})
    entered, release = threading.Event(), threading.Event()
    seen: list[MergeEvent] = []

    def slow_hook(event: MergeEvent) -> None:
        entered.set()
        release.wait(60)
        seen.append(event)

    forge_site.forge.on_merge(slow_hook)
    merge_answer: list[httpx.Response] = []
    merging = threading.Thread(
        target=lambda: merge_answer.append(api.client.put("/repos/acme/lp/pulls/1/merge", json={}))
    )
    merging.start()
    try:
        assert entered.wait(30), "the merge hook never ran"
        # Answered while the hook still blocks (before, this waited for the hook: a read timeout).
        poll = httpx.get(
            f"{forge_site.url}/repos/acme/lp/pulls/1",
            headers={"Authorization": f"token {forge_site.token}"},
            timeout=10,
        )
        assert poll.status_code == 200
        assert poll.json()["merged"] is True and poll.json()["state"] == "closed"
        assert seen == []  # the hook is still running
    finally:
        release.set()
        merging.join(60)
    assert [r.status_code for r in merge_answer] == [200]
    assert [e.number for e in seen] == [1]


_PRINT_IDS = """
import json, sys
from lpublish.environment import Environment
from lpublish.sandbox.forge.shapes import team_json, user_json
from lpublish.sandbox.forge.state import ForgeState
state = ForgeState(Environment({}))
users = {login: user_json(state, login)["id"] for login in sys.argv[1:]}
teams = {team: team_json(state, "acme", team)["id"] for team in sys.argv[1:]}
print(json.dumps({"users": users, "teams": teams}))
"""


def _ids_in_a_new_process(names: list[str], hash_seed: str) -> dict[str, dict[str, int]]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}  # a different salt for str hashes each time
    out = subprocess.run(
        [sys.executable, "-c", _PRINT_IDS, *names], capture_output=True, text=True, check=True, env=env
    ).stdout
    ids: dict[str, dict[str, int]] = json.loads(out)
    return ids


def test_people_and_teams_known_only_by_name_keep_their_ids_between_runs() -> None:
    names = ["acme", "someone", "kenji", "web"]
    first = _ids_in_a_new_process(names, "1")
    # Asked in another order by a process with another hash salt: the same ids.
    second = _ids_in_a_new_process(list(reversed(names)), "2")
    assert first == second
    assert len(set(first["users"].values())) == len(names)
    assert len(set(first["teams"].values())) == len(names)
    # GitHub's logins are case-insensitive: one person, one id.
    assert _ids_in_a_new_process(["ACME"], "3")["users"]["ACME"] == first["users"]["acme"]


def test_git_over_http_needs_the_token(forge_site: ForgeSite, tmp_path: Path) -> None:
    url = f"{forge_site.url}/acme/lp.git"
    env = {"GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    denied = subprocess.run(["git", "ls-remote", url], capture_output=True, text=True, env=env, check=False)
    assert denied.returncode != 0
    authed = url.replace("http://", f"http://x:{forge_site.token}@")
    ok = subprocess.run(["git", "ls-remote", authed], capture_output=True, text=True, env=env, check=False)
    assert ok.returncode == 0 and "refs/heads/main" in ok.stdout


def test_pull_page_and_raw_files(forge_site: ForgeSite) -> None:
    api = Api(forge_site)
    _branch(forge_site, "lpublish/hana/20260101-x")
    api(
        "POST",
        "/repos/acme/lp/pulls",
        201,
        json={"title": "<Title>", "head": "lpublish/hana/20260101-x", "base": "main"},
    )
    page = httpx.get(f"{forge_site.url}/acme/lp/pull/1")
    assert page.status_code == 200 and "&lt;Title&gt;" in page.text
    raw = httpx.get(
        f"{forge_site.url}/acme/lp/raw/lpublish/hana/20260101-x/site/pages/lpublish-hana-20260101-x.md"
    )
    assert raw.status_code == 200 and raw.text == "new page\n"
    assert raw.headers["content-type"] == "text/plain; charset=utf-8"  # as GitHub's raw host
    assert httpx.get(f"{forge_site.url}/acme/lp/raw/main/nope.txt").status_code == 404


def test_server_can_be_used_as_a_context_manager(tmp_path: Path) -> None:
    with LocalForge() as forge:
        assert httpx.get(f"{forge.url}/nothing").status_code == 401
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{forge.url}/user")
