"""Every answer of the local forge to the calls lpublish makes is valid against GitHub's own OpenAPI
description (npm ``@octokit/openapi``, installed into a cache by ``.ci/install-openapi.sh``), checked with
a real OpenAPI validator (``openapi-schema-validator``)."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from lpublish.publish.github import GitHubForge
from lpublish.sandbox.forge.server import LocalForge
from tests.plugins.forge import MARKED, REVIEWER, ForgeSite, create_branches

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "tests" / "openapi" / "package-lock.json"
#: Read at import: the tests' fixtures point HOME at a temporary folder.
CACHE = Path(
    os.environ.get("LPUBLISH_OPENAPI_CACHE")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lpublish" / "openapi"
)


def _spec_path() -> Path:
    key = hashlib.sha256(LOCK.read_bytes()).hexdigest()[:16]
    return CACHE / key / "node_modules" / "@octokit" / "openapi" / "generated" / "api.github.com.json"


@functools.cache
def _spec() -> dict[str, Any]:
    path = _spec_path()
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"GitHub's OpenAPI description is missing: run .ci/install-openapi.sh ({path})")
        pytest.skip("run .ci/install-openapi.sh to install GitHub's OpenAPI description")
    data: dict[str, Any] = json.loads(path.read_bytes())
    return data


@functools.cache
def _routes() -> list[tuple[re.Pattern[str], str]]:
    routes = []
    for template in _spec()["paths"]:
        pattern = re.escape(template)
        # A trailing {ref} may hold slashes (``git/refs/heads/feature/x``); other parameters may not.
        pattern = re.sub(r"\\\{ref\\\}$", ".+", pattern)
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern)
        routes.append((re.compile("^" + pattern + "$"), template))
    # Literal segments beat parameters (``/pulls/{n}/merge`` before ``/pulls/{n}/{x}``).
    routes.sort(key=lambda r: (r[0].pattern.count(".+"), r[1].count("{")))
    return routes


def _validate(method: str, path: str, status: int, body: bytes) -> None:
    template = next((t for rx, t in _routes() if rx.match(path)), None)
    assert template is not None, f"{method} {path} is not a GitHub endpoint"
    operation = _spec()["paths"][template].get(method.lower())
    assert operation is not None, f"{method} {template} is not a GitHub operation"
    responses = operation["responses"]
    if status in (403, 429) and str(status) not in responses:
        # Rate limits and SSO can answer any endpoint; the description lists them on few.
        _check(
            json.loads(body), "urn:github#/components/schemas/basic-error", f"{method} {template} {status}"
        )
        return
    assert str(status) in responses, f"{method} {template}: GitHub never answers {status}"
    response = responses[str(status)]
    if "$ref" in response:
        response = _resolve(response["$ref"])
    content = (response.get("content") or {}).get("application/json")
    if content is None or not body:
        return
    pointer = _pointer_of(template, method, status, response is not responses[str(status)])
    _check(json.loads(body), pointer, f"{method} {template} {status}")


@functools.cache
def _registry() -> Any:
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    return Registry().with_resource("urn:github", Resource.from_contents(_spec(), DRAFT4))


def _check(data: Any, pointer: str, label: str) -> None:
    from openapi_schema_validator import OAS30ReadValidator

    validator = OAS30ReadValidator({"$ref": pointer}, registry=_registry())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    assert not errors, f"{label}: " + "; ".join(
        f"{'/'.join(map(str, e.path))}: {e.message[:200]}" for e in errors[:5]
    )


def _resolve(ref: str) -> dict[str, Any]:
    node: Any = _spec()
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return dict(node)


def _pointer_of(template: str, method: str, status: int, via_ref: bool) -> str:
    response = _spec()["paths"][template][method.lower()]["responses"][str(status)]
    if via_ref:
        base = response["$ref"]
    else:
        escaped = template.replace("~", "~0").replace("/", "~1")
        base = f"#/paths/{escaped}/{method.lower()}/responses/{status}"
    return f"urn:github{base}/content/application~1json/schema"


def test_forge_answers_match_githubs_openapi_description(forge_site: ForgeSite) -> None:
    _spec()
    seen: list[tuple[str, str, int, bytes]] = []
    forge_server: LocalForge = forge_site.forge
    original = forge_server.handle

    def recording(method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Any:
        response = original(method, raw_path, headers, body)
        path = raw_path.split("?")[0]
        if not path.startswith("/login/") and ".git/" not in path:
            seen.append((method, path, response.status, response.body))
        return response

    # Wraps the live server's dispatcher to record every response (assigning a method is the point).
    forge_server.handle = recording  # type: ignore[method-assign]
    create_branches(forge_site, ["lpublish/hana-1", "lpublish/hana-2"])
    forge = GitHubForge(forge_site.url, "acme/lp", forge_site.token)
    forge.get_user()
    forge.get_repo()
    pull = forge.create_pull(title="Hero", body=MARKED, head="lpublish/hana-1", base="main")
    forge.get_pull(pull.number)
    forge.get_pull(pull.number)  # mergeable null first, then computed
    forge.update_pull(pull.number, body=MARKED + "\nmore")
    forge.add_labels(pull.number, ["lpublish"])
    forge.request_reviewers(pull.number, [REVIEWER], [])
    forge.list_pulls(state="all")
    forge.list_pulls_by("hana")
    comment = forge.create_comment(pull.number, "hello")
    forge.update_comment(comment.id, "hello again")
    forge.list_comments(pull.number)
    forge.list_reviews(pull.number)
    forge.create_check_run(name="lpublish", head_sha=pull.head_sha)
    forge_server.set_check(pull.number, "other", "completed", "neutral")
    forge.list_check_runs(pull.head_sha)
    forge_server.set_status(pull.number, "ci/jenkins", "success")
    forge.list_commit_statuses(pull.head_sha)
    forge.is_merged(pull.number)
    sha = forge_server.merge(pull.number)
    deployment = forge.create_deployment(ref="main", environment="production")
    forge.create_deployment_status(deployment.id, state="success", environment_url="https://example.com/")
    forge.list_deployments(environment="production", sha=sha)
    forge.list_deployment_statuses(deployment.id)
    other = forge.create_pull(title="Other", body="", head="lpublish/hana-2", base="main")
    forge.close_pull(other.number)
    forge.delete_branch("lpublish/hana-2")
    forge_server.fail_next(r"^/user$", "secondary-rate-limit")
    forge_server.fail_next(r"^/user$", "429")
    GitHubForge(forge_site.url, "acme/lp", forge_site.token, sleep=lambda s: None).get_user()
    assert len(seen) >= 25
    problems = []
    for method, path, status, body in seen:
        try:
            _validate(method, path, status, body)
        except AssertionError as exc:
            problems.append(str(exc).splitlines()[0])
    assert not problems, "\n".join(problems)
