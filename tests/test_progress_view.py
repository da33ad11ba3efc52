"""The CLI's one progress view: the same lines for every command on a terminal, nothing elsewhere."""

from __future__ import annotations

import io

from lpublish.cli.progress_view import progress_view
from lpublish.progress import ProgressEvent, no_progress


class Terminal(io.StringIO):
    """A stream that says it is a terminal (what a person's shell gives lpublish)."""

    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_one_line_per_stage_and_counts_in_place() -> None:
    out, err = Terminal(), Terminal()
    show = progress_view("text", out=out, err=err)
    show(ProgressEvent("publish.progress.validate"))
    for done in range(1, 4):
        show(ProgressEvent("deploy.progress.write", done, 3))
    show(ProgressEvent("publish.progress.push"))
    lines = err.getvalue().split("\n")
    assert lines[0] == "… Checking your files"
    # the counter rewrites its line (carriage return + erase), then ends it when it reaches the total
    assert lines[1].count("\r\033[K") == 3 and lines[1].endswith("\r\033[K… Uploading 3/3")
    assert lines[2] == "… Uploading" and lines[3] == ""
    assert out.getvalue() == ""  # results only on stdout


def test_quiet_for_json_for_pipes_and_with_quiet() -> None:
    assert progress_view("json", out=Terminal(), err=Terminal()) is no_progress
    assert progress_view("text", out=io.StringIO(), err=Terminal()) is no_progress  # stdout is a file
    assert progress_view("text", out=Terminal(), err=Terminal(), quiet=True) is no_progress
    assert progress_view("github", out=Terminal(), err=Terminal()) is not no_progress
