"""Safe Markdown and front matter for site content (pages and campaigns).

Owns: splitting ``---`` YAML front matter from a Markdown body (with line numbers for errors), rendering
Markdown to HTML with raw HTML disabled and the result cleaned again by nh3 (so no script, iframe, event
handler or ``javascript:`` URL can reach a page even if a renderer bug let one through), and listing the
links a body contains (for the link-host rules). Must not import UI libraries.
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
    return MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")


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
    """Markdown to HTML that is safe to embed: no raw HTML, scripts, handlers or unsafe URLs."""
    html = _renderer().render(source)
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
