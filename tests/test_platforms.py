"""The table of Linux-only and POSIX-only tests: it names tests that exist, marks them, and skips them
only where their platform lacks what they need (a renamed test must not silently start failing on the
macOS and Windows runners, nor a stale entry hide nothing)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.plugins.platforms import LINUX_ONLY, POSIX_ONLY, skip_reason

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("key", sorted({**LINUX_ONLY, **POSIX_ONLY}))
def test_every_entry_names_an_existing_test(key: str) -> None:
    module, _, name = key.partition("::")
    path = ROOT / module
    assert path.is_file(), f"{module} does not exist"
    if name:
        text = path.read_text(encoding="utf-8")
        assert re.search(rf"^(async )?def {re.escape(name)}\(", text, re.M), f"{name} is not in {module}"


def _collected(marker: str, *paths: str) -> list[str]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "-m",
            marker,
            *paths,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=300,
    )
    assert done.returncode in (0, 5), done.stdout + done.stderr  # 5: nothing selected
    return [line for line in done.stdout.splitlines() if "::" in line]


def test_listed_tests_carry_the_marker() -> None:
    auth, lfs = "tests/publish/test_auth.py", "tests/publish/test_lfs.py"
    linux = _collected("linux_only", auth, lfs)
    assert linux and all(line.startswith(lfs) for line in linux), linux  # the whole module, nothing else
    posix = _collected("posix_only", auth, lfs)
    assert posix == [f"{auth}::test_gh_cli_token_is_used_when_installed"]


@pytest.mark.linux_only("stands in for a Linux-only test")
def test_linux_only_skips_off_linux(request: pytest.FixtureRequest) -> None:
    assert skip_reason(request.node, "linux") is None
    assert skip_reason(request.node, "darwin") == "Linux only: stands in for a Linux-only test"
    assert skip_reason(request.node, "win32") == "Linux only: stands in for a Linux-only test"


@pytest.mark.posix_only("stands in for a POSIX-only test")
def test_posix_only_skips_on_windows_only(request: pytest.FixtureRequest) -> None:
    assert skip_reason(request.node, "linux") is None
    assert skip_reason(request.node, "darwin") is None
    assert skip_reason(request.node, "win32") == "POSIX only: stands in for a POSIX-only test"
