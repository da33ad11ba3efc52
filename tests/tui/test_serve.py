"""Browser mode's command: each tab runs this Python on this site (the lock itself is tested in
``tests/security/test_serve.py``)."""

from __future__ import annotations

from lpublish.tui.serve import app_command


def test_app_command_runs_this_python_on_this_site(tmp_path: object) -> None:
    command = app_command(None, "ja")
    assert "-m lpublish --lang ja tui" in command
