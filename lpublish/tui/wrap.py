"""Line breaking for the TUI's prose: Japanese at phrase boundaries (BudouX) with kinsoku, Latin at spaces.

Owns: ``line_spans`` (where one line of text breaks at a width in terminal cells), ``wrap_plain`` and
``wrap_content`` (the same breaks applied to a plain string or to a styled Textual ``Content``), and
``PhraseWrapped``, a Textual ``Visual`` that re-wraps its content at whatever width the widget gets (so a
resize re-wraps too).

Why: Textual breaks lines only at spaces and ignores zero-width spaces, so Japanese, which has no spaces,
was folded at the last cell: lines started with "。" and words were cut in half. Here a line may break only
between BudouX phrases (or at spaces), never before closing punctuation such as 。、」 and never after an
opening one such as 「 (kinsoku), and never inside a run of Latin letters and digits ("1200", "hero.jpg").
A phrase wider than the whole line is the only thing folded inside, by cells, still keeping kinsoku.
Continuation lines keep the line's indent and hang under a leading bullet ("✗ ", "• ", "1. ", ...).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator

from rich.cells import cell_len
from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual

#: Characters a line may not start with (行頭禁則): closing brackets, Japanese stops, small kana, marks.
NO_START = frozenset(
    "、。，．,.・：；:;？！?!ー‐-–—〜～)）]］｝}〕〉》」』】〙〗〟’”»"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ々〻ゝゞヽヾ%％"
)
#: Characters a line may not end with (行末禁則): opening brackets and quotes.
NO_END = frozenset("(（[［｛{〔〈《「『【〘〖〝‘“«")
#: A line starting (after its indent) with one of these hangs its continuation lines under the text.
BULLETS = ("• ", "✗ ", "✓ ", "! ", "i ", "- ", "* ", "・")

_WORDS = re.compile(r"\s+|\S+")
#: A numbered step ("1. ", "2) ") hangs like a bullet.
_NUMBERED = re.compile(r"\d{1,2}[.)] ")


def _is_cjk(char: str) -> bool:
    """Hiragana, katakana, ideographs and full-width forms: scripts written without spaces."""
    code = ord(char)
    return (
        0x3000 <= code <= 0x30FF  # CJK punctuation, hiragana, katakana
        or 0x3400 <= code <= 0x9FFF  # ideographs
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x31F0 <= code <= 0x31FF
        or unicodedata.east_asian_width(char) in ("W", "F")
    )


@functools.cache
def _parser() -> object:
    # Loaded once, on first use: the model is ~100 kB of JSON inside the wheel (no download).
    import budoux

    return budoux.load_default_japanese_parser()


def line_breaking_available() -> bool:
    """Whether BudouX's Japanese model loads (a standalone build that left its JSON out cannot)."""
    try:
        _parser()
    except (ImportError, OSError, ValueError):
        return False
    return True


def _allowed(text: str, at: int) -> bool:
    """May a line break fall between ``text[at - 1]`` and ``text[at]`` (both non-space)?"""
    before, after = text[at - 1], text[at]
    if after in NO_START or before in NO_END:
        return False
    # Inside a run of Latin letters, digits and their punctuation ("1200", "8.2", "hero.jpg").
    return _is_cjk(before) or _is_cjk(after)


@functools.lru_cache(maxsize=4096)
def _word_breaks(word: str) -> tuple[int, ...]:
    """Offsets inside ``word`` (no spaces) where a line may break: BudouX phrase boundaries, filtered."""
    if not any(_is_cjk(c) for c in word):
        return ()
    phrases: list[str] = _parser().parse(word)  # type: ignore[attr-defined]
    breaks: list[int] = []
    at = 0
    for phrase in phrases[:-1]:
        at += len(phrase)
        if 0 < at < len(word) and _allowed(word, at):
            breaks.append(at)
    return tuple(breaks)


def _atoms(line: str) -> Iterator[tuple[int, int, bool]]:
    """(start, end, is_space) pieces of ``line``; a line may break between any two of them."""
    for match in _WORDS.finditer(line):
        start, end = match.span()
        if match.group().isspace():
            yield start, end, True
            continue
        cut = start
        for offset in _word_breaks(match.group()):
            yield cut, start + offset, False
            cut = start + offset
        yield cut, end, False


def hanging_indent(line: str, width: int) -> int:
    """Cells continuation lines of ``line`` are indented by: its indent, plus a leading bullet."""
    stripped = line.lstrip(" ")
    indent = len(line) - len(stripped)
    numbered = _NUMBERED.match(stripped)
    for bullet in (numbered.group(),) if numbered else BULLETS:
        if stripped.startswith(bullet) and len(stripped) > len(bullet):
            indent += cell_len(bullet)
            break
    # A narrow widget: better no hang than one word per line.
    return indent if indent <= width // 3 else 0


def _fold(line: str, start: int, end: int, room: int, first_room: int) -> list[int]:
    """Cut points (absolute offsets) folding the phrase ``line[start:end]`` by cells, with kinsoku."""
    cuts: list[int] = []
    used = 0
    limit = first_room
    line_start = start
    at = start
    while at < end:
        width = cell_len(line[at])
        if used + width > limit and at > line_start:
            # Kinsoku: move a character that may not start a line (or one that may not end it) to the
            # next line with it, looking back at most two characters (a row of "。" is simply folded).
            cut = next(
                (
                    c
                    for c in range(at, max(line_start, at - 2), -1)
                    if line[c] not in NO_START and line[c - 1] not in NO_END
                ),
                at,
            )
            cuts.append(cut)
            line_start = cut
            used = cell_len(line[cut:at])
            limit = room
        used += width
        at += 1
    return cuts


def line_spans(line: str, width: int) -> tuple[list[tuple[int, int]], int]:
    """Where ``line`` (no newlines) breaks at ``width`` cells.

    Returns the (start, end) offsets of each output line (spaces at a break dropped) and the hanging
    indent, in cells, that every line after the first is to be prefixed with.
    """
    if width <= 0 or cell_len(line) <= width:
        return [(0, len(line))], 0
    hang = hanging_indent(line, width)
    spans: list[tuple[int, int]] = []
    start: int | None = None  # start of the current output line
    end = 0  # end of its last non-space piece
    used = 0  # cells used on it
    pending = 0  # cells of the spaces after that piece
    leading = True

    def room() -> int:
        return width - (hang if spans else 0)

    for a, b, space in _atoms(line):
        if space:
            if leading:  # the line's own indent: kept
                start, end, used, leading = a, b, cell_len(line[a:b]), False
            elif start is not None:
                pending += cell_len(line[a:b])
            continue
        leading = False
        size = cell_len(line[a:b])
        if start is not None and used + pending + size > room() and end > start:
            spans.append((start, end))
            start, used, pending = None, 0, 0
        if start is None:
            start, used, pending = a, 0, 0
        if used + pending + size > room():
            # One phrase wider than the line: fold it by cells (the only place a phrase is cut).
            cuts = _fold(line, a, b, width - hang, room() - used - pending)
            for cut in cuts:
                spans.append((start, cut))
                start = cut
            used, pending, end = cell_len(line[start:b]), 0, b
            continue
        used += pending + size
        pending = 0
        end = b
    if start is not None and end > start:
        spans.append((start, end))
    return spans or [(0, len(line))], hang


def wrap_plain(text: str, width: int) -> list[str]:
    """``text`` broken into lines of at most ``width`` cells (existing newlines kept)."""
    out: list[str] = []
    for line in text.split("\n"):
        spans, hang = line_spans(line, width)
        out.extend((" " * hang if index else "") + line[a:b] for index, (a, b) in enumerate(spans))
    return out


def wrap_content(content: Content, width: int) -> Content:
    """The styled ``content`` with its lines broken at ``width`` cells (styles kept on every piece)."""
    lines: list[Content] = []
    for line in content.split("\n", allow_blank=True):
        spans, hang = line_spans(line.plain, width)
        for index, (a, b) in enumerate(spans):
            piece = line[a:b]
            lines.append(Content(" " * hang) + piece if index and hang else piece)
    return Content("\n").join(lines)


class PhraseWrapped(Visual):
    """A ``Content`` shown with ``wrap_content`` at the width it is given (re-wrapped on every resize)."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self._cache: tuple[int, Content] | None = None

    def __str__(self) -> str:
        # Like the Content it shows (code and tests read a Static's text as ``str(widget.render())``).
        return str(self.content)

    def at(self, width: int) -> Content:
        if self._cache is None or self._cache[0] != width:
            self._cache = (width, wrap_content(self.content, width))
        return self._cache[1]

    def _inner(self, rules: RulesMap, width: int) -> Content:
        if rules.get("text_wrap", "wrap") == "nowrap":
            return self.content
        return self.at(width - rules.get("line_pad", 0) * 2)

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        return self._inner(options.rules, width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.content.get_optimal_width(rules, container_width)

    def get_minimal_width(self, rules: RulesMap) -> int:
        # The widest piece that cannot be broken (Content's own answer is the widest space-free run:
        # a whole Japanese sentence).
        widest = max(
            (cell_len(line[a:b]) for line in self.content.plain.split("\n") for a, b, _ in _atoms(line)),
            default=0,
        )
        return widest + rules.get("line_pad", 0) * 2

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self._inner(rules, width).get_height(rules, width)
