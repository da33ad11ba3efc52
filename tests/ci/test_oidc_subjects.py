"""Every job that assumes an AWS role must be trusted by that role, in one-role and two-role setups.

The OIDC ``sub`` of each job is derived from the workflow YAML the way GitHub builds it: a job with an
``environment`` gets ``repo:R:environment:NAME``; otherwise a ``pull_request`` workflow gets
``repo:R:pull_request`` and a push / schedule / dispatch run gets ``repo:R:ref:refs/heads/BRANCH``.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from lpublish.ci import policies

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted(
    [*(ROOT / ".github/workflows").glob("site-*.yml"), *(ROOT / "lpublish/ci/templates").glob("site-*.yml")]
)
SETUP = policies.AwsSetup(repo="acme/lp", account_id="123456789012", bucket="lp", distribution="E1")
ROLES = {
    "LPUBLISH_AWS_ROLE_ARN": policies.trust_policy(SETUP),
    "LPUBLISH_AWS_PREVIEW_ROLE_ARN": policies.trust_policy(SETUP, preview=True),
}
SETUPS = {
    "one role": {"LPUBLISH_AWS_ROLE_ARN"},
    "two roles": {"LPUBLISH_AWS_ROLE_ARN", "LPUBLISH_AWS_PREVIEW_ROLE_ARN"},
}


# Keys are Any: YAML 1.1 readers turn the key `on` into True.
def _load(path: Path) -> dict[Any, Any]:
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 readers turn the key `on` into True.
    on = workflow["on"] if "on" in workflow else workflow[True]
    return on if isinstance(on, dict) else {name: {} for name in (on if isinstance(on, list) else [on])}


def _subjects(workflow: dict[str, Any], job: dict[str, Any]) -> list[str]:
    env = job.get("environment")
    if env:
        name = env["name"] if isinstance(env, dict) else env
        return [f"repo:{SETUP.repo}:environment:{name}"]
    subjects = []
    for trigger in _triggers(workflow):
        if trigger in ("pull_request",):
            subjects.append(f"repo:{SETUP.repo}:pull_request")
        elif trigger in ("push", "schedule", "workflow_dispatch"):
            subjects.append(f"repo:{SETUP.repo}:ref:refs/heads/{SETUP.branch}")
    return subjects


def _role_variables(expression: str, job_env: dict[str, Any]) -> list[str]:
    """Repository variables an expression resolves to, in `||` order (following `env.X` once)."""
    found: list[str] = []
    for ref in re.findall(r"(vars|env)\.([A-Z_]+)", expression):
        if ref[0] == "vars":
            found.append(ref[1])
        else:
            found.extend(_role_variables(str(job_env.get(ref[1], "")), {}))
    return found


def _accepts(trust: dict[str, Any], subject: str) -> bool:
    for statement in trust["Statement"]:
        condition = statement["Condition"]
        patterns = condition.get("StringLike", {}).get(f"{policies.OIDC_HOST}:sub", [])
        patterns += condition.get("StringEquals", {}).get(f"{policies.OIDC_HOST}:sub", [])
        if any(fnmatch.fnmatchcase(subject, p) for p in patterns):
            return True
    return False


def _aws_jobs() -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    found = []
    for path in WORKFLOWS:
        workflow = _load(path)
        for name, job in workflow["jobs"].items():
            if any("configure-aws-credentials" in str(s.get("uses", "")) for s in job["steps"]):
                found.append((f"{path.relative_to(ROOT)}:{name}", name, workflow, job))
    return found


def test_there_are_aws_jobs_in_every_kind_of_workflow() -> None:
    names = {label.split(":")[0].rsplit("/", 1)[-1] for label, *_ in _aws_jobs()}
    assert names == {"site-pr.yml", "site-deploy.yml", "site-schedule.yml"}


@pytest.mark.parametrize("setup_name", sorted(SETUPS))
@pytest.mark.parametrize(("label", "name", "workflow", "job"), _aws_jobs(), ids=[j[0] for j in _aws_jobs()])
def test_each_job_is_trusted_by_the_role_it_assumes(
    setup_name: str, label: str, name: str, workflow: dict[str, Any], job: dict[str, Any]
) -> None:
    configured = SETUPS[setup_name]
    step = next(s for s in job["steps"] if "configure-aws-credentials" in str(s.get("uses", "")))
    variables = _role_variables(str(step["with"]["role-to-assume"]), job.get("env") or {})
    assert variables, f"{label}: role-to-assume names no repository variable"
    chosen = next((v for v in variables if v in configured), None)
    if chosen is None:
        # The job must not try: the step is guarded on the role being set.
        assert "AWS_ROLE != ''" in str(step.get("if", "")) or "!= ''" in str(job.get("if", "")), label
        return
    for subject in _subjects(workflow, job):
        assert _accepts(ROLES[chosen], subject), f"{label} ({setup_name}): {chosen} does not trust {subject}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_status_comment_is_always_posted(path: Path) -> None:
    for job in _load(path)["jobs"].values():
        for step in job["steps"]:
            run = str(step.get("run", ""))
            if "lpublish comment" in run and "--no-comment" not in run:
                assert "always()" in str(step.get("if", "")), step.get("name")
