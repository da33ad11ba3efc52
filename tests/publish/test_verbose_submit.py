"""``lpublish -vv submit`` shows every step a submit takes (git commands, GitHub API calls, the draft, the
token's source) on stderr, in a real subprocess against the local forge, and never the token itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.plugins.forge import ForgeSite
from tests.plugins.results import result_of

ROOT = Path(__file__).resolve().parents[2]


def submit(
    forge_site: ForgeSite, image: Path, *args: str, extra_env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """``lpublish [args] submit --format json`` for the hero slot, signed in through the environment."""
    env = {**os.environ, "LPUBLISH_GITHUB_TOKEN": forge_site.token, **extra_env}
    if "LPUBLISH_DEBUG" not in extra_env:
        env.pop("LPUBLISH_DEBUG", None)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "lpublish",
            *args,
            "submit",
            "--site",
            str(forge_site.site),
            "--title",
            "Summer hero",
            "--image",
            f"hero={image}:Tea at dawn",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
        timeout=300,
    )


@pytest.mark.parametrize(
    ("args", "extra_env"),
    [(["-vv"], {}), ([], {"LPUBLISH_DEBUG": "1"})],
    ids=["-vv", "LPUBLISH_DEBUG"],
)
def test_submit_logs_each_step_and_never_the_token(
    forge_site: ForgeSite, hero_jpeg: Path, args: list[str], extra_env: dict[str, str]
) -> None:
    done = submit(forge_site, hero_jpeg, *args, extra_env=extra_env)
    assert done.returncode == 0, done.stderr
    number = result_of(done.stdout, "submit")["number"]
    log = done.stderr
    # where the token came from, never what it is
    assert "lpublish INFO lpublish.publish.auth: GitHub token from the environment" in log
    assert forge_site.token not in log + done.stdout
    assert forge_site.token[4:] not in log  # not even without its prefix
    # the config, the draft, and the git steps with their commands (no credentials in them)
    assert f"reading the config {forge_site.site / 'lpublish.toml'}" in log
    assert "lpublish.publish.drafts: draft " in log and " saved in " in log
    assert "git fetch --no-tags origin refs/heads/main" in log
    assert "git commit as Hana Sato: " in log
    assert "git push origin HEAD:refs/heads/lpublish/" in log
    assert "x-access-token:" not in log
    # the GitHub API calls: method, path, status
    assert "GitHub GET /user -> 200" in log
    assert "GitHub POST /repos/acme/lp/pulls -> 201" in log
    # details at DEBUG: each git command run
    assert "lpublish DEBUG lpublish.publish.workspace: git " in log
    assert number == 1


def test_submit_without_verbose_prints_no_log_lines(forge_site: ForgeSite, hero_jpeg: Path) -> None:
    done = submit(forge_site, hero_jpeg, extra_env={})
    assert done.returncode == 0, done.stderr
    assert "lpublish INFO" not in done.stderr and "lpublish DEBUG" not in done.stderr
