"""``lpublish doctor`` against the local forge: every check in plain words, and the exit code."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lpublish.cli.doctor_cmd import check_terminal
from tests.plugins.cli import exit_code
from tests.plugins.forge import ForgeSite
from tests.plugins.results import result_of


def doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, dict[str, str]]]:
    code = exit_code(["doctor", "--json", *args])
    data = result_of(capsys.readouterr().out)
    return code, {c["name"]: c for c in data["checks"]}


def test_ready_computer(
    forge_site: ForgeSite, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LPUBLISH_GITHUB_TOKEN", forge_site.token)
    code, checks = doctor(capsys, "--site", str(forge_site.site))
    assert code == 0
    assert checks["git"]["status"] == "ok"
    assert checks["sign-in"]["status"] == "ok" and forge_site.login in checks["sign-in"]["message"]
    assert checks["repository"]["status"] == "ok" and "acme/lp" in checks["repository"]["message"]
    assert forge_site.token not in json.dumps(checks)


def test_not_signed_in_and_read_only_say_what_to_do(
    forge_site: ForgeSite, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("LPUBLISH_GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    code, checks = doctor(capsys, "--site", str(forge_site.site), "--lang", "ja")
    assert code == 1
    assert checks["sign-in"]["status"] == "problem" and "サインイン" in checks["sign-in"]["hint"]
    viewer = "ghp_" + secrets.token_hex(18)
    forge_site.forge.add_user("viewer", viewer, permission="read")
    monkeypatch.setenv("LPUBLISH_GITHUB_TOKEN", viewer)
    code, checks = doctor(capsys, "--site", str(forge_site.site), "--lang", "en")
    assert code == 1
    assert checks["repository"]["status"] == "problem"
    assert "write access" in checks["repository"]["hint"]


def test_offline_needs_no_network(
    forge_site: ForgeSite, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LPUBLISH_GITHUB_TOKEN", forge_site.token)
    forge_site.forge.stop()  # nothing to reach: --offline must not try
    code, checks = doctor(capsys, "--site", str(forge_site.site), "--offline")
    assert code == 0 and checks["repository"]["status"] == "skipped"


def test_terminal_checks() -> None:
    small = check_terminal({"TERM": "dumb"}, is_tty=True, size=os.terminal_size((70, 20)), encoding="cp932")
    by_name = {c.name: c for c in small}
    assert by_name["encoding"].failed and by_name["colours"].failed and by_name["size"].failed
    good = check_terminal(
        {"TERM": "xterm-256color", "COLORTERM": "truecolor"},
        is_tty=True,
        size=os.terminal_size((120, 40)),
        encoding="utf-8",
    )
    assert not any(c.failed for c in good)


def test_line_breaking_model_is_checked(
    forge_site: ForgeSite, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LPUBLISH_GITHUB_TOKEN", forge_site.token)
    code, checks = doctor(capsys, "--site", str(forge_site.site), "--offline")
    assert code == 0 and checks["line-breaking"]["status"] == "ok"


def test_an_install_without_the_line_breaking_model_says_what_to_do(tmp_path: Path) -> None:
    # What a standalone build that left BudouX's JSON out looks like: the package, without its model.
    import budoux

    broken = tmp_path / "broken" / "budoux"
    shutil.copytree(Path(budoux.__file__).parent, broken, ignore=shutil.ignore_patterns("*.json"))
    env = {**os.environ, "PYTHONPATH": str(broken.parent), "LPUBLISH_LANG": "ja"}
    done = subprocess.run(
        [sys.executable, "-m", "lpublish", "doctor", "--offline", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    checks = {c["name"]: c for c in result_of(done.stdout, "doctor")["checks"]}
    assert checks["line-breaking"]["status"] == "problem"
    assert "BudouX" in checks["line-breaking"]["message"]
    assert "もう一度ダウンロード" in checks["line-breaking"]["hint"]
