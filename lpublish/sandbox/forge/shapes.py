"""GitHub's JSON shapes for what the local forge holds.

Owns: users (public and private), repositories, labels, teams, pull requests (full and simple), issue
comments, reviews and search items, with every field GitHub's OpenAPI description requires (so that
githubkit's models parse them and ``tests/publish/test_openapi.py`` validates them). Check runs, commit
statuses and deployments are shaped next to their handlers (``checks``, ``deployments``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from lpublish.sandbox.forge.bare_git import head_sha, ref_sha
from lpublish.sandbox.forge.state import ForgeState, Pull, Repo, User, now

#: The ``*_url`` keys of a repository, each ``{api}/{key without _url, "_" -> "/"}``.
_REPO_URL_KEYS = (
    "archive_url",
    "assignees_url",
    "blobs_url",
    "branches_url",
    "collaborators_url",
    "comments_url",
    "commits_url",
    "compare_url",
    "contents_url",
    "contributors_url",
    "deployments_url",
    "downloads_url",
    "events_url",
    "forks_url",
    "git_commits_url",
    "git_refs_url",
    "git_tags_url",
    "issue_comment_url",
    "issue_events_url",
    "issues_url",
    "keys_url",
    "labels_url",
    "languages_url",
    "merges_url",
    "milestones_url",
    "notifications_url",
    "pulls_url",
    "releases_url",
    "stargazers_url",
    "statuses_url",
    "subscribers_url",
    "subscription_url",
    "tags_url",
    "teams_url",
    "trees_url",
    "hooks_url",
)


def user_json(state: ForgeState, login: str) -> dict[str, Any]:
    user = state.users.get(login)
    uid = user.id if user else state.stable_id("user", login)
    base = f"{state.url}/users/{login}"
    return {
        "login": login,
        "id": uid,
        "node_id": f"U_{uid}",
        "avatar_url": f"{state.url}/avatars/{login}",
        "gravatar_id": "",
        "url": base,
        "html_url": f"{state.url}/{login}",
        "followers_url": f"{base}/followers",
        "following_url": f"{base}/following{{/other_user}}",
        "gists_url": f"{base}/gists{{/gist_id}}",
        "starred_url": f"{base}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{base}/subscriptions",
        "organizations_url": f"{base}/orgs",
        "repos_url": f"{base}/repos",
        "events_url": f"{base}/events{{/privacy}}",
        "received_events_url": f"{base}/received_events",
        "type": "User",
        "site_admin": False,
        "user_view_type": "public",
    }


def private_user_json(state: ForgeState, user: User) -> dict[str, Any]:
    data = user_json(state, user.login)
    data.update(
        name=user.name,
        company=None,
        blog="",
        location=None,
        email=user.email,
        hireable=None,
        bio=None,
        public_repos=0,
        public_gists=0,
        followers=0,
        following=0,
        created_at="2020-01-01T00:00:00Z",
        updated_at="2020-01-01T00:00:00Z",
        private_gists=0,
        total_private_repos=1,
        owned_private_repos=0,
        disk_usage=0,
        collaborators=0,
        two_factor_authentication=True,
        # GitHub's OpenAPI description picks private-user vs public-user by this discriminator.
        user_view_type="private",
    )
    return data


def repo_json(
    state: ForgeState, repo: Repo, login: str | None = None, *, full: bool = False
) -> dict[str, Any]:
    name = repo.full_name.split("/", 1)[1]
    api = f"{state.url}/repos/{repo.full_name}"
    html = f"{state.url}/{repo.full_name}"
    urls = {key: f"{api}/{key.removesuffix('_url').replace('_', '/')}" for key in _REPO_URL_KEYS}
    data: dict[str, Any] = {
        "id": repo.id,
        "node_id": f"R_{repo.id}",
        "name": name,
        "full_name": repo.full_name,
        "owner": user_json(state, repo.owner),
        "private": repo.private,
        "html_url": html,
        "description": None,
        "fork": False,
        "url": api,
        **urls,
        "git_url": f"{html}.git",
        "ssh_url": f"{html}.git",
        "clone_url": f"{html}.git",
        "svn_url": html,
        "mirror_url": None,
        "homepage": None,
        "language": None,
        "forks_count": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "size": 0,
        "default_branch": repo.default_branch,
        "open_issues_count": repo.open_pulls(),
        "has_issues": True,
        "has_projects": False,
        "has_wiki": False,
        "has_downloads": True,
        "has_pages": False,
        "has_discussions": False,
        "archived": False,
        "disabled": False,
        "pushed_at": now(),
        "created_at": "2020-01-01T00:00:00Z",
        "updated_at": now(),
        "license": None,
        "forks": 0,
        "open_issues": repo.open_pulls(),
        "watchers": 0,
    }
    if login is not None:
        user = state.users.get(login)
        write = bool(user and user.permission == "write")
        data["permissions"] = {
            "admin": False,
            "maintain": False,
            "push": write,
            "triage": write,
            "pull": True,
        }
    if full:
        data.update(subscribers_count=0, network_count=0)
    return data


def label_json(state: ForgeState, repo: Repo, name: str) -> dict[str, Any]:
    if name not in repo.labels:
        repo.labels[name] = state.next_id()
    lid = repo.labels[name]
    return {
        "id": lid,
        "node_id": f"LA_{lid}",
        "url": f"{state.url}/repos/{repo.full_name}/labels/{quote(name)}",
        "name": name,
        # A string: the simple pull request schema's labels do not allow null here.
        "description": "",
        "color": "ededed",
        "default": False,
    }


def team_json(state: ForgeState, owner: str, team: str) -> dict[str, Any]:
    return {
        "id": state.stable_id("team", f"{owner}/{team}"),
        "node_id": f"T_{team}",
        "name": team,
        "slug": team,
        "description": None,
        "privacy": "closed",
        "type": "organization",
        "notification_setting": "notifications_enabled",
        "permission": "push",
        "url": f"{state.url}/teams/{team}",
        "html_url": f"{state.url}/orgs/{owner}/teams/{team}",
        "members_url": f"{state.url}/teams/{team}/members{{/member}}",
        "repositories_url": f"{state.url}/teams/{team}/repos",
        "parent": None,
    }


def pull_json(state: ForgeState, repo: Repo, pull: Pull, *, simple: bool = False) -> dict[str, Any]:
    """A pull request (``simple``: the shape lists and review requests answer with)."""
    api = f"{state.url}/repos/{repo.full_name}"
    html = f"{state.url}/{repo.full_name}/pull/{pull.number}"
    head = head_sha(state, repo, pull)
    base_sha = ref_sha(state, repo, f"refs/heads/{pull.base}") or pull.base_sha
    owner = repo.owner
    repository = repo_json(state, repo)
    links = {
        "self": f"{api}/pulls/{pull.number}",
        "html": html,
        "issue": f"{api}/issues/{pull.number}",
        "comments": f"{api}/issues/{pull.number}/comments",
        "review_comments": f"{api}/pulls/{pull.number}/comments",
        "review_comment": f"{api}/pulls/comments{{/number}}",
        "commits": f"{api}/pulls/{pull.number}/commits",
        "statuses": f"{api}/statuses/{head}",
    }
    data: dict[str, Any] = {
        "url": f"{api}/pulls/{pull.number}",
        "id": pull.id,
        "node_id": f"PR_{pull.id}",
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": f"{api}/issues/{pull.number}",
        "commits_url": f"{api}/pulls/{pull.number}/commits",
        "review_comments_url": f"{api}/pulls/{pull.number}/comments",
        "review_comment_url": f"{api}/pulls/comments{{/number}}",
        "comments_url": f"{api}/issues/{pull.number}/comments",
        "statuses_url": f"{api}/statuses/{head}",
        "number": pull.number,
        "state": pull.state,
        "locked": False,
        "title": pull.title,
        "user": user_json(state, pull.user),
        "body": pull.body,
        "labels": [label_json(state, repo, name) for name in pull.labels],
        "milestone": None,
        "active_lock_reason": None,
        "created_at": pull.created_at,
        "updated_at": pull.updated_at,
        "closed_at": pull.closed_at,
        "merged_at": pull.merged_at,
        "merge_commit_sha": pull.merge_commit_sha,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [user_json(state, login) for login in pull.reviewers],
        "requested_teams": [team_json(state, owner, team) for team in pull.team_reviewers],
        "head": {
            "label": f"{owner}:{pull.head}",
            "ref": pull.head,
            "sha": head,
            "repo": repository,
            "user": user_json(state, owner),
        },
        "base": {
            "label": f"{owner}:{pull.base}",
            "ref": pull.base,
            "sha": base_sha,
            "repo": repository,
            "user": user_json(state, owner),
        },
        "_links": {key: {"href": href} for key, href in links.items()},
        "author_association": "MEMBER",
        "auto_merge": None,
        "draft": pull.draft,
    }
    if not simple:
        known = pull.state == "open" and pull.mergeable_known
        data.update(
            merged=pull.merged_at is not None,
            mergeable=True if known else None,
            rebaseable=True if pull.mergeable_known else None,
            mergeable_state="clean" if known else "unknown",
            merged_by=user_json(state, pull.merged_by) if pull.merged_by else None,
            comments=len(repo.comments_on(pull.number)),
            review_comments=0,
            maintainer_can_modify=False,
            commits=1,
            additions=0,
            deletions=0,
            changed_files=0,
        )
    return data


def comment_json(state: ForgeState, repo: Repo, comment: dict[str, Any]) -> dict[str, Any]:
    api = f"{state.url}/repos/{repo.full_name}"
    return {
        "id": comment["id"],
        "node_id": f"IC_{comment['id']}",
        "url": f"{api}/issues/comments/{comment['id']}",
        "html_url": f"{state.url}/{repo.full_name}/pull/{comment['_issue']}#issuecomment-{comment['id']}",
        "issue_url": f"{api}/issues/{comment['_issue']}",
        "body": comment["body"],
        "user": user_json(state, comment["user"]),
        "created_at": comment["created_at"],
        "updated_at": comment["updated_at"],
        "author_association": "MEMBER",
    }


def review_json(state: ForgeState, repo: Repo, number: int, review: dict[str, Any]) -> dict[str, Any]:
    html = f"{state.url}/{repo.full_name}/pull/{number}"
    return {
        "id": review["id"],
        "node_id": f"PRR_{review['id']}",
        "user": user_json(state, review["user"]),
        "body": review["body"],
        "state": review["state"],
        "html_url": f"{html}#pullrequestreview-{review['id']}",
        "pull_request_url": f"{state.url}/repos/{repo.full_name}/pulls/{number}",
        "_links": {"html": {"href": html}, "pull_request": {"href": html}},
        "submitted_at": review["submitted_at"],
        "commit_id": review["commit_id"],
        "author_association": "MEMBER",
    }


def search_item_json(state: ForgeState, repo: Repo, pull: Pull) -> dict[str, Any]:
    """A pull request as ``GET /search/issues`` lists it."""
    api = f"{state.url}/repos/{repo.full_name}"
    html = f"{state.url}/{repo.full_name}/pull/{pull.number}"
    return {
        "url": f"{api}/issues/{pull.number}",
        "repository_url": api,
        "labels_url": f"{api}/issues/{pull.number}/labels{{/name}}",
        "comments_url": f"{api}/issues/{pull.number}/comments",
        "events_url": f"{api}/issues/{pull.number}/events",
        "html_url": html,
        "id": pull.id,
        "node_id": f"PR_{pull.id}",
        "number": pull.number,
        "title": pull.title,
        "locked": False,
        "active_lock_reason": None,
        "assignees": [],
        "user": user_json(state, pull.user),
        "labels": [label_json(state, repo, n) for n in pull.labels],
        "state": pull.state,
        "assignee": None,
        "milestone": None,
        "comments": len(repo.comments_on(pull.number)),
        "created_at": pull.created_at,
        "updated_at": pull.updated_at,
        "closed_at": pull.closed_at,
        "author_association": "MEMBER",
        "draft": pull.draft,
        "pull_request": {
            "url": f"{api}/pulls/{pull.number}",
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "merged_at": pull.merged_at,
        },
        "body": pull.body,
        "score": 1.0,
    }
