"""Step files: the job summary is appended to, step outputs cannot be forged by their values."""

from __future__ import annotations

from pathlib import Path

from lpublish.ci.summary import SUMMARY_LIMIT, append_summary, set_outputs
from tests.ci.workflow_runner import _parse_outputs


def test_summary_appends_and_stays_under_githubs_limit(tmp_path: Path) -> None:
    path = tmp_path / "summary.md"
    assert append_summary(path, "## one")
    assert append_summary(path, "## two\n")
    assert path.read_text(encoding="utf-8") == "## one\n## two\n"
    assert append_summary(path, "x" * (SUMMARY_LIMIT + 10))
    assert len(path.read_bytes()) < SUMMARY_LIMIT + 100
    assert not append_summary(None, "outside Actions nothing is written")


def test_outputs_with_newlines_cannot_inject_other_outputs(tmp_path: Path) -> None:
    path = tmp_path / "output"
    set_outputs(path, {"changed": "false", "went_live": "a\nchanged=true"})
    outputs = _parse_outputs(path)
    assert outputs == {"changed": "false", "went_live": "a\nchanged=true"}
    assert not set_outputs(None, {"x": "y"})
