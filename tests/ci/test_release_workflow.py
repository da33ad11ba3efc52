"""The release workflow: valid (actionlint + GitHub's schema), builds on macOS, Windows and Linux, and
smoke-tests each executable where it was built before anything is published."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / ".github" / "workflows" / "release.yml"
BIN = Path(sys.executable).parent


def load() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def tool(name: str) -> Path:
    binary = BIN / name
    if binary.exists():
        return binary
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed (dev extras)")
    return Path(found)


def test_actionlint_and_schema_pass() -> None:
    for command in (
        [str(tool("actionlint")), str(WORKFLOW)],
        [str(tool("check-jsonschema")), "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
    ):
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stdout + done.stderr


def test_every_platform_is_built_and_smoke_tested_before_publishing() -> None:
    data = load()
    build = data["jobs"]["build"]
    oses = {entry["os"].split("-")[0] for entry in build["strategy"]["matrix"]["include"]}
    assert oses == {"ubuntu", "macos", "windows"}
    steps = {step.get("name", ""): step for step in build["steps"]}
    smoke = steps["Smoke test (version, doctor without network)"]["run"]
    assert "--version" in smoke and "doctor --offline" in smoke
    assert "pyinstaller" in steps["Build the executable"]["run"]
    # The lazily loaded subcommands and the package data must be in the executable.
    assert "--collect-submodules lpublish" in steps["Build the executable"]["run"]
    # Packages that read their own data files at run time (catalogs, stylesheets, BudouX's model: a
    # build without it crashed on the first Japanese message), and the smoke test proves the model loads.
    for package in ("lpublish", "textual", "textual_serve", "budoux"):
        assert f"--collect-data {package} " in steps["Build the executable"]["run"], package
    assert "c['line-breaking']['status'] == 'ok'" in smoke
    publish = data["jobs"]["publish"]
    assert publish["needs"] == "build" and publish["permissions"] == {"contents": "write"}
    assert data["permissions"] == {"contents": "read"}


def test_entry_point_runs_the_cli() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "packaging" / "lpublish_entry.py"), "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and "lpublish" in done.stdout
