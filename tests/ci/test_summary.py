"""Step files: the job summary is appended to, step outputs cannot be forged by their values."""

from __future__ import annotations

from pathlib import Path

from lpublish.ci.summary import SUMMARY_LIMIT, append_summary, set_outputs
from tests.ci.workflow_runner import parse_outputs


def test_summary_appends_and_stays_under_githubs_limit(tmp_path: Path) -> None:
    path = tmp_path / "summary.md"
    assert append_summary(path, "## one")
    assert append_summary(path, "## two\n")
    assert path.read_text(encoding="utf-8") == "## one\n## two\n"
    # A report bigger than the limit: what was there stays, the new text is cut, the file fits.
    assert append_summary(path, "x" * (SUMMARY_LIMIT + 10))
    data = path.read_bytes()
    assert len(data) == SUMMARY_LIMIT
    assert data.startswith(b"## one\n## two\nxxx") and data.endswith("x\n…\n".encode())
    # The limit is for the whole file: a later report does not push it over.
    assert append_summary(path, "## three")
    assert path.read_bytes() == data
    assert not append_summary(None, "outside Actions nothing is written")


def test_a_cut_summary_is_still_valid_utf8(tmp_path: Path) -> None:
    path = tmp_path / "summary.md"
    path.write_text("# 結果\n", encoding="utf-8")
    assert append_summary(path, "画像" * SUMMARY_LIMIT)  # 6 bytes a pair: the cut lands mid-character
    text = path.read_bytes().decode("utf-8")  # strict: no half character left at the cut
    assert len(text.encode("utf-8")) <= SUMMARY_LIMIT
    assert text.startswith("# 結果\n画像画像") and text.endswith("\n…\n")


def test_outputs_with_newlines_cannot_inject_other_outputs(tmp_path: Path) -> None:
    path = tmp_path / "output"
    set_outputs(path, {"changed": "false", "went_live": "a\nchanged=true"})
    outputs = parse_outputs(path)
    assert outputs == {"changed": "false", "went_live": "a\nchanged=true"}
    assert not set_outputs(None, {"x": "y"})
