"""Safe Markdown and front matter for site content (pages and campaigns).

Owns: splitting ``---`` YAML front matter from a Markdown body (with line numbers for errors), rendering
Markdown to HTML with raw HTML disabled and the result cleaned again by nh3 (so no script, iframe, event
handler or ``javascript:`` URL can reach a page even if a renderer bug let one through), and listing the
links and images a body contains (for the link rules and the referenced-file checks).

Nesting: markdown-it stops nesting at ``maxNesting`` and silently drops everything deeper (a 3,000-level
list or 100,000 ``>`` would lose their text). The renderer here allows ``MAX_NESTING`` levels and
``render_markdown`` refuses (``MarkdownTooDeep``) a body that reaches the limit, so a body is rendered
whole or refused with a finding (``markdown.too-deep``), never cut quietly. Must not import UI
libraries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import nh3
import yaml
from markdown_it import MarkdownIt

#: Tags a campaign body may produce. Anything else is dropped by nh3.
ALLOWED_TAGS = {
    "a",
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "del",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
URL_SCHEMES = {"https", "http", "mailto", "tel"}
#: Block nesting levels markdown-it may open (a list level takes two: the list and its item). 32 nested
#: lists or 64 nested quotes are far beyond any real page and still cheap to render.
MAX_NESTING = 65


class MarkdownTooDeep(ValueError):
    """The body nests deeper than ``MAX_NESTING``: rendering it would drop text. ``line`` is 0-based."""

    def __init__(self, line: int) -> None:
        super().__init__(f"Markdown nested too deeply at body line {line + 1}")
        self.line = line


class FrontMatterError(Exception):
    """The front matter is missing or is not valid YAML; ``line`` is 1-based in the whole file."""

    def __init__(self, reason: str, line: int, detail: str = "") -> None:
        super().__init__(f"{reason} at line {line}: {detail}")
        self.reason = reason
        self.line = line
        self.detail = detail


@dataclass(frozen=True)
class Document:
    """A content file: its front matter mapping, its Markdown body and the body's first line number."""

    meta: dict[str, Any]
    body: str
    body_line: int


def split_front_matter(text: str) -> Document:
    """Parse ``---`` front matter + body. Raises ``FrontMatterError`` with a file line number."""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise FrontMatterError("missing", 1)
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        raise FrontMatterError("unclosed", len(lines))
    raw = "".join(lines[1:end])
    try:
        meta = yaml.safe_load(raw) if raw.strip() else {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # +2: the YAML starts on file line 2 and marks are 0-based.
        line = (mark.line + 2) if mark is not None else 1
        raise FrontMatterError("yaml", line, str(exc.problem or exc)) from None
    except yaml.YAMLError as exc:
        raise FrontMatterError("yaml", 1, str(exc)) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise FrontMatterError("not-mapping", 2)
    return Document(
        meta={str(k): v for k, v in meta.items()}, body="".join(lines[end + 1 :]), body_line=end + 2
    )


def _renderer() -> MarkdownIt:
    # "html": False makes raw HTML in the source plain text; linkify stays off so only explicit links exist.
    renderer = MarkdownIt("commonmark", {"html": False, "maxNesting": MAX_NESTING})
    return renderer.enable("table").enable("strikethrough")


def too_deep(source: str) -> int | None:
    """The 0-based body line where nesting reaches the renderer's limit, or ``None`` when it renders whole.

    markdown-it stops opening blocks one level below ``maxNesting``; a token at that level means the
    rest of the block was dropped.
    """
    for token in _renderer().parse(source):
        if token.level >= MAX_NESTING - 1:
            return token.map[0] if token.map else 0
    return None


def has_raw_html(source: str) -> bool:
    """Whether the Markdown contains raw HTML (which the renderer shows as text, never as HTML)."""
    md = MarkdownIt("commonmark", {"html": True})
    for token in md.parse(source):
        if token.type == "html_block":
            return True
        for child in token.children or ():
            if child.type == "html_inline":
                return True
    return False


def render_markdown(source: str) -> str:
    """Markdown to HTML that is safe to embed: no raw HTML, scripts, handlers or unsafe URLs.

    Raises ``MarkdownTooDeep`` instead of returning a page with part of the body missing.
    """
    renderer = _renderer()
    tokens = renderer.parse(source)
    for token in tokens:
        if token.level >= MAX_NESTING - 1:
            raise MarkdownTooDeep(token.map[0] if token.map else 0)
    html = renderer.renderer.render(tokens, renderer.options, {})
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener",
    )


def markdown_links(source: str) -> list[tuple[str, int]]:
    """Every link and image URL in the Markdown, with its 0-based line within the body."""
    found: list[tuple[str, int]] = []
    for token in _renderer().parse(source):
        line = token.map[0] if token.map else 0
        for child in token.children or ():
            if child.type == "link_open":
                found.append((str(child.attrs.get("href", "")), line))
            elif child.type == "image":
                found.append((str(child.attrs.get("src", "")), line))
    return found


def markdown_images(source: str) -> list[tuple[str, int]]:
    """Every image URL in the Markdown (``![alt](src)``), with its 0-based line within the body."""
    found: list[tuple[str, int]] = []
    for token in _renderer().parse(source):
        line = token.map[0] if token.map else 0
        for child in _walk(token.children or ()):
            if child.type == "image":
                found.append((str(child.attrs.get("src", "")), line))
    return found


def _walk(tokens: Any) -> Any:
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)
