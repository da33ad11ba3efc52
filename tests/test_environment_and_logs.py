"""The environment snapshot and the log setup: ``--verbose`` shows steps, secrets never reach a log line."""

from __future__ import annotations

import io
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from lpublish.environment import Environment
from lpublish.logs import configure, redact
from lpublish.sandbox.forge.server import LocalForge
from tests.plugins.sample_site import copy_sample_site


def test_environment_reads_named_values_and_ignores_blank_ones() -> None:
    env = Environment({"LPUBLISH_GITHUB_TOKEN": "  ", "GITHUB_TOKEN": "abc", "LPUBLISH_HOME": "/x"})
    assert env.github_token == "abc"
    assert env.lpublish_home == Path("/x")
    assert env.aws_endpoint("s3") is None
    moved = env.with_values(AWS_ENDPOINT_URL="http://127.0.0.1:1", GITHUB_TOKEN=None)
    assert moved.aws_endpoint("s3") == "http://127.0.0.1:1"
    assert moved.github_token is None
    assert env.github_token == "abc", "with_values must not change the original"


def test_environment_is_immutable() -> None:
    env = Environment({"A": "1"})
    with pytest.raises(TypeError):
        env.values["A"] = "2"  # type: ignore[index]  # the point: mypy and the runtime both refuse it


@pytest.mark.parametrize(
    "line",
    [
        "pushing with ghp_abcdefghijklmnopqrstuvwxyz0123",
        "remote https://x-access-token:gho_secretsecretsecretsecret12@github.com/o/r.git",
        "Authorization: Bearer eyJhbGciOi.payload.sig",
        "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG",
    ],
)
def test_redact_removes_every_secret_shape(line: str) -> None:
    out = redact(line)
    assert "***" in out
    for secret in ("ghp_abc", "gho_secret", "eyJhbGciOi", "wJalrXUtnFEMI"):
        assert secret not in out


def test_configure_levels_and_no_doubled_lines() -> None:
    stream = io.StringIO()
    assert configure(0, Environment({}), stream) == logging.WARNING
    assert configure(1, Environment({}), stream) == logging.INFO
    assert configure(0, Environment({"LPUBLISH_DEBUG": "1"}), stream) == logging.DEBUG
    logging.getLogger("lpublish.test").debug("token ghp_abcdefghijklmnopqrstuvwxyz0123 used")
    lines = stream.getvalue().splitlines()
    assert lines == ["lpublish DEBUG lpublish.test: token *** used"]
    configure(0, Environment({}), io.StringIO())


def _lpublish(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m lpublish ARGS`` as a user would (its own process, the test's environment)."""
    environ = {**os.environ, **env}
    if "LPUBLISH_DEBUG" not in env:
        environ.pop("LPUBLISH_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "lpublish", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environ,
        check=False,
        timeout=300,
    )


def test_verbose_flag_works_before_and_after_the_subcommand(tmp_path: Path, sample_site: Path) -> None:
    site = copy_sample_site(tmp_path / "site")
    config_line = f"lpublish INFO lpublish.config: reading the config {site / 'lpublish.toml'}"
    for args in (
        ["-v", "config", "check", "--site", str(site)],
        ["config", "check", "--site", str(site), "-v"],
    ):
        done = _lpublish(args, tmp_path)
        assert done.returncode == 0, done.stderr
        assert config_line in done.stderr.splitlines(), done.stderr
        assert "Traceback" not in done.stderr
    quiet = _lpublish(["config", "check", "--site", str(site)], tmp_path)
    assert quiet.returncode == 0 and "lpublish INFO" not in quiet.stderr


def test_check_with_verbose_shows_each_step(tmp_path: Path, sample_site: Path) -> None:
    site = copy_sample_site(tmp_path / "site")
    done = _lpublish(["-v", "check", "--site", str(site)], tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert (
        f"lpublish INFO lpublish.content.site_check: checking the content of {site} (0 changed file(s))"
        in lines
    )
    assert any(
        line.startswith("lpublish INFO lpublish.content.references: reference index: ") for line in lines
    )
    assert any(line.startswith("lpublish INFO lpublish.assets.validate: checking ") for line in lines)
    assert not any(line.startswith("lpublish DEBUG") for line in lines), "-v shows steps, not details"
    # -vv and LPUBLISH_DEBUG add the details: every image checked, with the checks that ran
    for args, env in ((["-vv", "check"], {}), (["check"], {"LPUBLISH_DEBUG": "1"})):
        detailed = _lpublish([*args, "--site", str(site)], tmp_path, **env)
        assert detailed.returncode == 0, detailed.stderr
        assert (
            "lpublish DEBUG lpublish.assets.validate: checked images/hero/hero.jpg for slot hero (jpeg, decoded)"
            in detailed.stderr
        )


def test_token_in_the_environment_never_reaches_stderr(
    tmp_path: Path, sample_site: Path, local_forge: LocalForge
) -> None:
    """Even at full detail, a command that uses the token (``whoami``, refused by the local forge: the
    token is unknown there) never prints it, while the API call and the token's source are logged."""
    site = copy_sample_site(tmp_path / "site")
    token = "ghp_" + secrets.token_hex(18)
    done = _lpublish(
        ["-vv", "whoami", "--site", str(site)],
        tmp_path,
        LPUBLISH_GITHUB_TOKEN=token,
        LPUBLISH_DEBUG="1",
        LPUBLISH_FORGE_API_URL=local_forge.url,
        LPUBLISH_FORGE_WEB_URL=local_forge.url,
    )
    assert done.returncode == 3, done.stderr
    assert "lpublish INFO lpublish.publish.auth: GitHub token from the environment" in done.stderr
    assert "lpublish INFO lpublish.publish.github: GitHub GET /user -> 401" in done.stderr
    assert token not in done.stderr + done.stdout and token[4:] not in done.stderr
