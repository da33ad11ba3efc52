"""``.pre-commit-config.yaml`` is valid for pre-commit and runs the tools ``make lint typecheck`` runs,
from the project's venv (nothing downloaded at hook time)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".pre-commit-config.yaml"


def _hooks() -> list[dict[str, object]]:
    data = YAML(typ="safe").load(CONFIG.read_text(encoding="utf-8"))
    return [hook for repo in data["repos"] for hook in repo["hooks"]]


def test_pre_commit_accepts_the_config() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", str(CONFIG)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_hooks_are_local_and_run_tools_the_venv_has() -> None:
    data = YAML(typ="safe").load(CONFIG.read_text(encoding="utf-8"))
    assert [repo["repo"] for repo in data["repos"]] == ["local"], "no hook repository to download"
    hooks = _hooks()
    assert {hook["id"] for hook in hooks} == {"ruff-check", "ruff-format", "mypy", "lint-imports"}
    # The tests run from the same environment the hooks use (.venv after `make install`).
    tools = Path(sysconfig.get_path("scripts"))
    for hook in hooks:
        assert hook["language"] == "unsupported", hook["id"]
        program = str(hook["entry"]).split()[0]
        assert program.startswith(".venv/bin/"), program
        name = program.removeprefix(".venv/bin/")
        assert shutil.which(name, path=str(tools)), f"{hook['id']}: {name} is not in {tools}"


def test_hooks_check_what_make_lint_checks() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    entries = {str(hook["id"]): str(hook["entry"]).removeprefix(".venv/bin/") for hook in _hooks()}
    assert entries["ruff-format"].startswith("ruff format --check")
    for command in ("ruff check", "ruff format --check", "lint-imports --no-logo", "mypy"):
        assert f"$(BIN)/{command}" in makefile, command
