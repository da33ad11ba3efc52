"""Every workflow (this repo's and the templates `lpublish init` writes) lints clean and keeps its promises."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from lpublish.ci.workflows import THIS_REPO, WORKFLOWS, WorkflowVars, render_workflow, template_text

REPO = Path(__file__).resolve().parents[2]
WORKFLOW_DIR = REPO / ".github" / "workflows"
TEMPLATE_DIR = REPO / "lpublish" / "ci" / "templates"
BIN = Path(sys.executable).parent


def _all_workflow_files() -> list[Path]:
    return sorted(WORKFLOW_DIR.glob("*.yml")) + sorted(TEMPLATE_DIR.glob("*.yml"))


def _load(text: str) -> dict[str, Any]:
    data = yaml.safe_load(text)
    assert isinstance(data, dict), "a workflow is a YAML mapping"
    # YAML 1.1 reads the key `on` as True; GitHub reads it as "on".
    if True in data:
        data["on"] = data.pop(True)
    return data


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The templates as `lpublish init` writes them for a repository whose site is at the root."""
    out = tmp_path_factory.mktemp("rendered") / ".github" / "workflows"
    out.mkdir(parents=True)
    for name in WORKFLOWS:
        (out / name).write_text(render_workflow(name, WorkflowVars(site=".")), encoding="utf-8")
    return out


def test_there_are_workflows_to_lint() -> None:
    names = {p.name for p in _all_workflow_files()}
    assert {"ci.yml", "site-pr.yml", "site-schedule.yml", "site-deploy.yml"} <= names


def test_actionlint_passes(rendered: Path) -> None:
    files = [str(p) for p in _all_workflow_files()] + [str(p) for p in sorted(rendered.glob("*.yml"))]
    result = subprocess.run(
        [str(BIN / "actionlint"), "-no-color", *files], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_github_workflow_schema_passes(rendered: Path) -> None:
    files = [str(p) for p in _all_workflow_files()] + [str(p) for p in sorted(rendered.glob("*.yml"))]
    result = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", ["site-pr.yml", "site-schedule.yml"])
def test_this_repos_workflows_are_the_rendered_templates(name: str) -> None:
    """The workflows this repository runs are exactly what `lpublish init` gives other repositories."""
    assert (WORKFLOW_DIR / name).read_text(encoding="utf-8") == render_workflow(name, THIS_REPO)


def test_rendering_fills_every_placeholder(rendered: Path) -> None:
    for path in rendered.glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        assert "__LPUBLISH_" not in text
        assert 'python -m pip install "lpublish==' in text  # a pinned version, not "latest"
    pr = _load((rendered / "site-pr.yml").read_text(encoding="utf-8"))
    assert pr["env"]["LPUBLISH_SITE"] == "."
    assert pr["on"]["pull_request"]["paths"][0] == "**"
    ours = _load((WORKFLOW_DIR / "site-pr.yml").read_text(encoding="utf-8"))
    assert ours["env"]["LPUBLISH_SITE"] == "site"
    assert ours["on"]["pull_request"]["paths"][0] == "site/**"


@pytest.mark.parametrize("path", _all_workflow_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_security_rules(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    data = _load(text)
    assert "pull_request_target" not in data["on"], "untrusted code must never run with secrets"
    assert data["permissions"] == {"contents": "read"}, "workflow-level permissions stay minimal"
    assert "concurrency" in data
    for job_name, job in data["jobs"].items():
        assert "permissions" in job or path.name == "ci.yml", f"{job_name}: permissions per job"
        for step in job["steps"]:
            uses = step.get("uses", "")
            if uses:
                # official actions at a current major version (node24 runtimes)
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", uses), uses
            run = step.get("run", "")
            # values reach shell code through env, never by ${{ }} inside the script (injection)
            assert "${{" not in run, f"{job_name}: expression inside run: {run[:60]}"
            if "aws-actions/configure-aws-credentials" in uses:
                assert "id-token" in job["permissions"]
                assert "role-to-assume" in step["with"]
                # skipped (not failing) when no role is configured, by the step's or the job's condition
                gate = f"{step.get('if', '')} {job.get('if', '')}"
                assert "AWS_ROLE != ''" in gate or "LPUBLISH_AWS_ROLE_ARN != ''" in gate


def test_pr_workflow_only_gives_credentials_to_branches_of_this_repo() -> None:
    data = _load(template_text("site-pr.yml"))
    same_repo = "github.event.pull_request.head.repo.full_name == github.repository"
    check = data["jobs"]["check"]
    assert check["permissions"] == {"contents": "read"}  # fork pull requests run only this job
    for name in ("preview", "cleanup"):
        job = data["jobs"][name]
        assert same_repo in job["if"], name
        assert job["permissions"]["id-token"] == "write"
        # Never the production role: it does not trust pull_request jobs (see test_oidc_subjects.py).
        assert job["env"]["AWS_ROLE"] == "${{ vars.LPUBLISH_AWS_PREVIEW_ROLE_ARN }}"
        assert any("No preview role" in s.get("name", "") for s in job["steps"]) or name == "cleanup"
    runs = "\n".join(s.get("run", "") for job in data["jobs"].values() for s in job["steps"])
    assert "--format github" in runs
    assert "--target preview --pr" in runs and "--remove" in runs
    assert "--target production --dry-run --format json" in runs
    assert "lpublish comment" in runs and "--closed" in runs


def test_build_cache_and_schedule() -> None:
    for name in ("site-pr.yml", "site-schedule.yml", "site-deploy.yml"):
        data = _load(template_text(name))
        caches = [
            s for job in data["jobs"].values() for s in job["steps"] if "actions/cache" in s.get("uses", "")
        ]
        assert any(".lpublish-cache" in s["with"]["path"] for s in caches), name
    schedule = _load(template_text("site-schedule.yml"))
    assert schedule["on"]["schedule"][0]["cron"]
    deploy = _load(template_text("site-deploy.yml"))
    assert schedule["concurrency"]["group"] == deploy["concurrency"]["group"]
    assert schedule["concurrency"]["cancel-in-progress"] is False


def test_own_ci_runs_make_test_on_every_supported_python() -> None:
    data = _load((WORKFLOW_DIR / "ci.yml").read_text(encoding="utf-8"))
    job = data["jobs"]["test"]
    assert job["strategy"]["matrix"]["python"] == ["3.11", "3.12", "3.13"]
    runs = "\n".join(s.get("run", "") for s in job["steps"])
    assert "make test" in runs
    assert "tmux" in runs


def test_own_ci_runs_the_suite_on_macos_and_windows_too() -> None:
    """Designers use macOS and Windows: the suite runs there (Linux-only tests skip with a reason)."""
    data = _load((WORKFLOW_DIR / "ci.yml").read_text(encoding="utf-8"))
    job = data["jobs"]["platforms"]
    assert set(job["strategy"]["matrix"]["os"]) == {"macos-latest", "windows-latest"}
    assert job["runs-on"] == "${{ matrix.os }}"
    steps = job["steps"]
    runs = [s.get("run", "") for s in steps]
    assert any("python -m pytest" in r for r in runs)
    assert not any("make " in r for r in runs), "no make on the Windows runner"
    autocrlf = next(i for i, r in enumerate(runs) if "core.autocrlf false" in r)
    checkout = next(i for i, s in enumerate(steps) if s.get("uses", "").startswith("actions/checkout@"))
    assert autocrlf < checkout, "line endings are fixed before the files are checked out"
