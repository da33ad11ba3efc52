"""The environment snapshot and the log setup: ``--verbose`` shows steps, secrets never reach a log line."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from lpublish.environment import Environment
from lpublish.logs import configure, redact


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


def test_verbose_flag_works_before_and_after_the_subcommand(tmp_path: Path) -> None:
    for args in (["-v", "config", "schema"], ["config", "schema", "-vv"]):
        done = subprocess.run(
            [sys.executable, "-m", "lpublish", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
