"""The reference index: which page or source file uses which image file.

Owns: ``Reference``, ``ReferenceIndex``, ``build_index`` and ``broken_by_change``. References come from
slot keys and list entries, front matter and data values, Markdown images, ``src``/``srcset``/
``poster``/``href``/``content`` attributes and ``url()`` in HTML, CSS and templates (Liquid, Go
templates, Nunjucks, JSX, Astro...: literal paths only; anything built from template variables is not
a reference we can judge). Root-relative URLs resolve through ``[build] public_dirs``, other paths
relative to the file, then through the public folders and the site root. Must not import UI libraries.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from lpublish.config import SiteConfig
from lpublish.content.documents import (
    CONTENT_SUFFIXES,
    DATA_SUFFIXES,
    DocumentError,
    parse_data,
    split_document,
)
from lpublish.content.dotted import KeyPathError, get_at
from lpublish.content.sitefiles import SiteFiles, public_dirs

logger = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".avif", ".gif", ".svg"}
MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdx"}
MARKUP_SUFFIXES = {
    ".html", ".htm", ".liquid", ".njk", ".hbs", ".handlebars", ".mustache", ".astro", ".jsx", ".tsx",
    ".js", ".mjs", ".ts", ".vue", ".svelte", ".erb", ".gohtml", ".tmpl", ".tpl", ".twig", ".ejs",
    ".pug", ".11ty.js", ".xml",
}  # fmt: skip
STYLE_SUFFIXES = {".css", ".scss", ".sass", ".less", ".styl"}
SCRIPT_SUFFIXES = {".js", ".mjs", ".ts", ".jsx", ".tsx"}
#: Data files that are tool configuration, never content.
NOT_CONTENT = {"package.json", "package-lock.json", "tsconfig.json", "jsconfig.json", "lpublish.toml",
               "composer.json", "composer.lock", ".eslintrc.json", "renovate.json"}  # fmt: skip

_EXT = r"\.(?:jpe?g|png|webp|avif|gif|svg)"
_QUOTED = re.compile(r"""(["'`])((?:(?!\1)[^\n<>])*?""" + _EXT + r"""(?:[?#][^"'`\s]*)?)\1""", re.IGNORECASE)
_SRCSET = re.compile(r"""\b(?:srcset|imagesrcset)\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
_ATTR = re.compile(
    r"""\b(?:src|href|poster|content|data-src|data-bg|xlink:href)\s*=\s*([^\s"'=<>`]+""" + _EXT + r")",
    re.IGNORECASE,
)
_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]+?)\1\s*\)""", re.IGNORECASE)
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'(][^)]*)?\)")
_MD_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
_TEMPLATE_SYNTAX = ("{{", "{%", "${", "<%", "{#", "{$", "@{")


@dataclass(frozen=True)
class Reference:
    """One use of an image: in ``source`` (site-relative) on ``line``, written as ``raw``.

    ``target`` is the site-relative file it resolves to, or ``None`` when no file is there.
    """

    source: str
    line: int
    raw: str
    kind: str
    target: str | None

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.raw)


@dataclass
class ReferenceIndex:
    """Every image reference found in a site."""

    references: list[Reference] = field(default_factory=list)

    def users_of(self, target: str) -> list[Reference]:
        return [r for r in self.references if r.target == target]

    @property
    def by_target(self) -> dict[str, list[Reference]]:
        out: dict[str, list[Reference]] = defaultdict(list)
        for ref in self.references:
            if ref.target:
                out[ref.target].append(ref)
        return dict(out)

    @property
    def broken(self) -> list[Reference]:
        return [r for r in self.references if r.target is None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "references": [
                {"source": r.source, "line": r.line, "raw": r.raw, "kind": r.kind, "target": r.target}
                for r in self.references
            ]
        }


def looks_like_image(value: str) -> bool:
    text = value.strip()
    if not text or len(text) > 500 or "\n" in text:
        return False
    path = urlsplit(text).path if "://" not in text else ""
    return PurePosixPath(unquote(path)).suffix.lower() in IMAGE_SUFFIXES


def _is_external(raw: str) -> bool:
    low = raw.strip().lower()
    return bool(re.match(r"^[a-z][a-z0-9+.-]*:", low)) or low.startswith("//")


def normal_path(path: str) -> str | None:
    """A POSIX path with ``.``/``..`` folded; ``None`` when it climbs out of the site."""
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
            continue
        parts.append(part)
    return "/".join(parts)


class _Resolver:
    def __init__(self, config: SiteConfig, files: SiteFiles) -> None:
        self.files = files
        self.paths = files.paths()
        self.public = public_dirs(config)
        # Hugo merges each theme's static folder into the site root too.
        self.theme_static = sorted(
            {
                "/".join(p.split("/")[:3])
                for p in self.paths
                if p.startswith("themes/") and p.count("/") >= 3 and p.split("/")[2] == "static"
            }
        )
        preset = getattr(config.build, "preset", "")
        self.extra_roots = ["assets"] if preset == "hugo" else []

    def exists(self, rel: str) -> bool:
        return rel in self.paths

    def _join(self, base: str, rel: str) -> str | None:
        return normal_path(f"{base}/{rel}" if base not in ("", ".") else rel)

    def resolve(self, raw: str, source: str, *, script: bool = False) -> tuple[bool, str | None]:
        """(is this a reference we judge?, the file it resolves to or ``None``)."""
        judged, target, _ = self.locate(raw, source, script=script)
        return judged, target

    def spell(self, new_rel: str, source: str, like: str | None) -> str:
        """How ``source`` should name site file ``new_rel``: the way ``like`` (an existing value there)
        names its file, else root-relative through the first public folder that holds it."""
        if like:
            judged, target, base = self.locate(like, source)
            if judged and target is not None and base is not None:
                mode, folder = base
                rel = _relative_to(new_rel, folder)
                if rel is not None:
                    return "/" + rel if mode == "root" else rel
        for folder in self.public:
            rel = _relative_to(new_rel, folder)
            if rel is not None:
                return "/" + rel
        return new_rel

    def locate(
        self, raw: str, source: str, *, script: bool = False
    ) -> tuple[bool, str | None, tuple[str, str] | None]:
        """Like ``resolve``, plus how it resolved: ("root" | "relative", the folder it is relative to)."""
        text = raw.strip()
        if not text or any(mark in text for mark in _TEMPLATE_SYNTAX) or _is_external(text):
            return False, None, None
        if text.startswith(("~", "@", "#")):
            return False, None, None  # bundler aliases and fragments: not ours to resolve
        parts = urlsplit(text)
        path = unquote(parts.path)
        if not path or PurePosixPath(path).suffix.lower() not in IMAGE_SUFFIXES:
            return False, None, None
        source_dir = source.rpartition("/")[0] or "."
        candidates: list[tuple[str | None, tuple[str, str]]] = []
        if path.startswith("/"):
            bases = [*self.public, *self.theme_static, *self.extra_roots]
            candidates += [(self._join(base, path.lstrip("/")), ("root", base)) for base in bases]
        else:
            if script and not path.startswith(("./", "../")):
                return False, None, None  # a package import ('pkg/img.png'), not a site file
            candidates.append((self._join(source_dir, path), ("relative", source_dir)))
            for base in dict.fromkeys([*self.public, ".", *self.extra_roots]):
                candidates.append((self._join(base, path), ("relative", base)))
        for candidate, how in candidates:
            if candidate is not None and self.exists(candidate):
                return True, candidate, how
        return True, None, None


def _relative_to(rel: str, folder: str) -> str | None:
    if folder in ("", "."):
        return rel
    prefix = folder.rstrip("/") + "/"
    return rel[len(prefix) :] if rel.startswith(prefix) else None


def resolver(config: SiteConfig, files: SiteFiles) -> _Resolver:
    """The path resolver ``build_index`` uses (for code that must name a file the way the site does)."""
    return _Resolver(config, files)


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _walk_strings(data: Any, out: list[str]) -> None:
    if isinstance(data, dict):
        for value in data.values():
            _walk_strings(value, out)
    elif isinstance(data, list):
        for value in data:
            _walk_strings(value, out)
    elif isinstance(data, str) and looks_like_image(data):
        out.append(data)


def _find_line(text: str, value: str, start: int = 0) -> int:
    at = text.find(value, start)
    return _line_of(text, at) if at != -1 else 1


def _markup_refs(text: str, offset: int = 0) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for match in _SRCSET.finditer(text):
        for candidate in match.group(2).split(","):
            url = candidate.strip().split(" ")[0] if candidate.strip() else ""
            if url:
                found.append((offset + match.start(2), url))
    for match in _QUOTED.finditer(text):
        value = match.group(2)
        if "," in value and " " in value:
            continue  # a srcset value, handled above
        found.append((offset + match.start(2), value))
    for match in _ATTR.finditer(text):
        found.append((offset + match.start(1), match.group(1)))
    for match in _CSS_URL.finditer(text):
        found.append((offset + match.start(2), match.group(2)))
    return found


def extract(rel: str, text: str) -> list[tuple[int, str, str]]:
    """(line, raw, kind) for every image-looking reference written in file ``rel``."""
    name = rel.rsplit("/", 1)[-1]
    suffix = PurePosixPath(name).suffix.lower()
    out: list[tuple[int, str, str]] = []
    if suffix in DATA_SUFFIXES:
        if name in NOT_CONTENT or name.endswith((".lock", "-lock.json")):
            return out
        try:
            data = parse_data(split_document(text, name))
        except DocumentError:
            return out
        values: list[str] = []
        _walk_strings(data, values)
        cursor: dict[str, int] = {}
        for value in values:
            at = text.find(value, cursor.get(value, 0))
            cursor[value] = at + 1 if at != -1 else 0
            out.append((_line_of(text, at) if at != -1 else 1, value, "data"))
        return out
    body_start = 0
    if suffix in CONTENT_SUFFIXES:
        try:
            doc = split_document(text, name)
        except DocumentError:
            doc = None
        if doc is not None:
            try:
                data = parse_data(doc)
            except DocumentError:
                data = None
            values = []
            _walk_strings(data, values)
            for value in values:
                out.append((_find_line(text, value), value, "front-matter"))
            body_start = len(doc.head) + len(doc.data)
    body = text[body_start:]
    seen: set[tuple[int, str]] = set()

    def add(offset: int, raw: str, kind: str) -> None:
        line = _line_of(text, body_start + offset)
        if (line, raw) not in seen:
            seen.add((line, raw))
            out.append((line, raw, kind))

    if suffix in MARKDOWN_SUFFIXES:
        for match in _MD_IMAGE.finditer(body):
            add(match.start(1), match.group(1), "markdown")
        for match in _MD_DEF.finditer(body):
            if looks_like_image(match.group(1)):
                add(match.start(1), match.group(1), "markdown")
        for offset, raw in _markup_refs(body):
            add(offset, raw, "html")
    elif suffix in STYLE_SUFFIXES:
        for match in _CSS_URL.finditer(body):
            add(match.start(2), match.group(2), "css")
    elif suffix in MARKUP_SUFFIXES or name.endswith(".11ty.js"):
        kind = "html" if suffix in (".html", ".htm") else "template"
        for offset, raw in _markup_refs(body):
            add(offset, raw, kind)
    return out


def _scanned(rel: str) -> bool:
    suffix = PurePosixPath(rel).suffix.lower()
    return (
        suffix in set(DATA_SUFFIXES) | CONTENT_SUFFIXES | MARKUP_SUFFIXES | STYLE_SUFFIXES | MARKDOWN_SUFFIXES
    )


def slot_references(config: SiteConfig, files: SiteFiles) -> list[tuple[str, int, str]]:
    """(source, line, raw) for each image a key or list slot names (even with an unusual suffix)."""
    out: list[tuple[str, int, str]] = []
    for section in config.slots.values():
        if section.kind not in ("key", "list"):
            continue
        text = files.read_text(section.source)
        if text is None:
            continue
        try:
            data = parse_data(split_document(text, section.source))
            if section.kind == "key":
                values = [get_at(data, section.key)]
            else:
                entries = get_at(data, section.list_path)
                field_name = section.fields.get("image", "image")
                values = (
                    [e.get(field_name) for e in entries if isinstance(e, dict)]
                    if isinstance(entries, list)
                    else []
                )
        except (DocumentError, KeyPathError):
            continue
        for value in values:
            if isinstance(value, str) and value.strip():
                out.append((section.source, _find_line(text, value), value))
    return out


def build_index(config: SiteConfig, files: SiteFiles) -> ReferenceIndex:
    """Every image reference in the site's own source files."""
    resolver = _Resolver(config, files)
    index = ReferenceIndex()
    seen: set[tuple[str, int, str]] = set()
    for source, line, raw in slot_references(config, files):
        judged, target = resolver.resolve(raw, source)
        if judged and (source, line, raw) not in seen:
            seen.add((source, line, raw))
            index.references.append(Reference(source, line, raw, "slot", target))
    for rel in sorted(resolver.paths):
        if not _scanned(rel):
            continue
        text = files.read_text(rel)
        if text is None:
            continue
        script = PurePosixPath(rel).suffix.lower() in SCRIPT_SUFFIXES
        for line, raw, kind in extract(rel, text):
            judged, target = resolver.resolve(raw, rel, script=script)
            if judged and (rel, line, raw) not in seen:
                seen.add((rel, line, raw))
                index.references.append(Reference(rel, line, raw, kind, target))
    logger.info(
        "reference index: %d image reference(s) in %d file(s), %d broken",
        len(index.references),
        len({r.source for r in index.references}),
        len(index.broken),
    )
    return index


def broken_by_change(before: ReferenceIndex, after: ReferenceIndex) -> list[Reference]:
    """References broken after a change that were not broken before it (new ones included)."""
    was_broken = {r.key for r in before.broken}
    return [r for r in after.broken if r.key not in was_broken]
