"""Japanese line breaking in the TUI (issue 12): phrases from BudouX, kinsoku, re-wrapped on resize.

The oracle for "no phrase is split" is BudouX itself (plus spaces), asked directly here, so a line broken
at the last cell (what Textual does with text that has no spaces) fails these tests.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import budoux
import pytest
from rich.cells import cell_len
from textual.pilot import Pilot

from lpublish.errors import ExternalError
from lpublish.tui.app import LpublishApp
from lpublish.tui.widgets.prose import Prose
from lpublish.tui.wrap import NO_END, NO_START, wrap_plain
from tests.plugins.images import make_jpeg
from tests.plugins.screens import screen_text, settle

PARSER = budoux.load_default_japanese_parser()

SENTENCES = [
    "画像が大きすぎます。幅1200ピクセル以上の写真を選んでください。「ヒーロー画像」の枠は横長です。",
    "✗ hero.jpg は 8.2 MB です（上限 500 kB）。F キーで自動修正できます。圧縮しても見た目はほとんど変わりません。",
    "  レビュー担当者に依頼を送るには、GitHub アカウントでのサインインが必要です。ホーム画面の「サインイン」を選んでください。",
]


def allowed_breaks(text: str) -> set[int]:
    """Offsets where a line may end: around spaces and between BudouX phrases (asked of BudouX)."""
    allowed: set[int] = set()
    at = 0
    for word in text.split(" "):
        allowed.add(at)
        position = at
        for phrase in PARSER.parse(word) if word else []:
            position += len(phrase)
            allowed.add(position)
        at += len(word) + 1
    return allowed


def break_offsets(text: str, lines: list[str]) -> list[int]:
    """Where, in ``text``, each shown line (indent and trailing spaces removed) ends (but the last)."""
    pos = 0
    ends = []
    for line in lines:
        shown = line.strip()
        if not shown:
            continue
        while text[pos] in " \n":
            pos += 1
        assert text.startswith(shown, pos), (shown, text[pos:])
        pos += len(shown)
        ends.append(pos)
    assert text[pos:].strip() == ""  # every character is shown once
    return [end for end in ends[:-1] if text[end] != "\n"]


def assert_well_broken(text: str, lines: list[str], width: int) -> None:
    for line in lines:
        assert cell_len(line) <= width, line
        shown = line.strip()
        if shown:
            assert shown[0] not in NO_START, f"line starts with {shown[0]!r}: {line!r}"
            assert shown[-1] not in NO_END or shown == text.strip(), f"line ends with {shown[-1]!r}: {line!r}"
    allowed = allowed_breaks(text)
    for end in break_offsets(text, lines):
        assert end in allowed, f"phrase split at {text[max(0, end - 6) : end]!r}|{text[end : end + 6]!r}"


@pytest.mark.parametrize("width", [22, 24, 33, 40, 58])
@pytest.mark.parametrize("text", SENTENCES)
def test_japanese_breaks_between_phrases_and_never_before_closing_marks(text: str, width: int) -> None:
    lines = wrap_plain(text, width)
    assert len(lines) > 1
    assert_well_broken(text, lines, width)
    # Numbers and file names stay whole ("1200", "hero.jpg", "8.2").
    for token in ("1200", "hero.jpg", "8.2", "GitHub"):
        if token in text:
            assert any(token in line for line in lines), (token, lines)


def test_continuation_lines_hang_under_the_bullet_and_keep_the_indent() -> None:
    bullet = wrap_plain(SENTENCES[1], 24)
    assert all(line.startswith("  ") and not line.startswith("   ") for line in bullet[1:])
    indented = wrap_plain(SENTENCES[2], 30)
    assert all(line.startswith("  ") for line in indented)
    step = wrap_plain("1. 変更する内容を選びます：画像の差し替え・追加、またはキャンペーンページの作成。", 40)
    assert len(step) > 1 and all(line.startswith("   ") and line[3] != " " for line in step[1:])


def test_english_breaks_at_spaces_only() -> None:
    text = "Choose a photo at least 1200 pixels wide, or press F to make a smaller copy of it."
    lines = wrap_plain(text, 20)
    assert " ".join(lines) == text
    assert all(cell_len(line) <= 20 for line in lines)


def test_a_phrase_wider_than_the_line_is_folded_without_losing_characters() -> None:
    url = "https://previews.example/pr-12/__lpublish-screenshots/index-1280-before.png"
    lines = wrap_plain(url, 20)
    assert "".join(lines) == url and all(cell_len(line) <= 20 for line in lines)
    assert wrap_plain("。。。。。。。。。。", 4) == ["。。", "。。", "。。", "。。", "。。"]


# --- in the app, at 80x24 in Japanese ----------------------------------------------------------------


def _prose_lines(widget: Prose) -> list[str]:
    """The lines a designer sees in ``widget`` (its content area)."""
    region = widget.content_region
    strips = widget.render_lines(widget.region.reset_offset)
    top = region.y - widget.region.y
    left = region.x - widget.region.x
    return [strip.crop(left, left + region.width).text for strip in strips[top : top + region.height]]


def _check_screen(app: LpublishApp) -> int:
    """Every prose widget on screen is broken well; returns how many wrapped (more than one line)."""
    wrapped = 0
    for widget in app.screen.query(Prose):
        if not widget.display or widget.content_region.width == 0:
            continue
        text = widget.visual.plain  # type: ignore[attr-defined]
        lines = [line for line in _prose_lines(widget) if line.strip()]
        if not text.strip():
            continue
        assert_well_broken(text, lines, widget.content_region.width)
        wrapped += len(lines) > len(text.strip().split("\n"))
    shown_app: Any = app  # App is invariant in its result type; the helper takes App[object]
    for line in screen_text(shown_app).splitlines():
        shown = line.strip(" █▌▐│┃▏▕")
        assert not shown.startswith(("。", "、")), line
    return wrapped


@pytest.mark.anyio
async def test_findings_in_japanese_at_80x24_break_between_phrases_and_rewrap_on_resize(
    signed_out_app: Callable[..., LpublishApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    make_jpeg(tmp_path / "photo 16x10.jpg", (2560, 1600))
    app = signed_out_app("ja")
    async with app.run_test(size=(80, 24)) as running:
        pilot: Pilot[Any] = running
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        app.screen.query_one("#path").focus()
        await pilot.press(*"photo 16x10.jpg", "enter")
        await settle(pilot)
        findings = app.screen.query_one("#findings", Prose)
        assert "12:5" in findings.visual.plain  # type: ignore[attr-defined]
        narrow = [line for line in _prose_lines(findings) if line.strip()]
        assert len(narrow) >= 4
        assert _check_screen(app) >= 1
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        wide = [line for line in _prose_lines(findings) if line.strip()]
        assert len(wide) < len(narrow)  # re-wrapped to the wider column
        _check_screen(app)


@pytest.mark.anyio
async def test_error_dialog_in_japanese_at_80x24(signed_out_app: Callable[..., LpublishApp]) -> None:
    app = signed_out_app("ja")
    async with app.run_test(size=(80, 24)) as running:
        pilot: Pilot[Any] = running
        await settle(pilot)
        app.show_error(ExternalError("publish.push_rejected"))
        await settle(pilot)
        assert _check_screen(app) >= 2  # the message and the hint both needed more than one line


def test_japanese_snapshot_of_a_long_error(
    snap_compare: Any, signed_out_app: Callable[..., LpublishApp]
) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        app: LpublishApp = pilot.app  # type: ignore[assignment]
        app.show_error(ExternalError("publish.push_rejected"))
        await settle(pilot)

    assert snap_compare(signed_out_app("ja"), terminal_size=(80, 24), run_before=run)
