"""Running lpublish's command line in the test's own process, through the real entry point
(``lpublish.cli.main.main``): the exit code, and with ``capsys`` what it printed."""

from __future__ import annotations

import pytest

from lpublish.cli.main import main


def exit_code(argv: list[str]) -> int:
    """Run ``lpublish ARGV``; its exit code (as the shell would see it: a message instead of a code is 1)."""
    with pytest.raises(SystemExit) as exited:
        main(argv)
    code = exited.value.code
    return code if isinstance(code, int) else (0 if code is None else 1)


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run ``lpublish ARGV``; exit code, stdout, stderr."""
    code = exit_code(argv)
    out, err = capsys.readouterr()
    return code, out, err
