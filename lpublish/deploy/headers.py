"""HTTP headers for deployed files: content type, cache control, encoding, and their fingerprint.

Owns: the built-in content-type table (not the OS ``mimetypes`` database, which differs between machines
and misses ``charset``), the default Cache-Control policy, ``[[headers]]`` rule matching (first match
wins) and the header fingerprint the planner compares to detect header-only changes. Must not import UI
libraries.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from lpublish.config.sections import HeaderRule

#: Extension -> content type. Text types get ``; charset=utf-8`` added by ``content_type_for``.
CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".map": "application/json",
    ".jsonld": "application/ld+json",
    ".webmanifest": "application/manifest+json",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".csv": "text/csv",
    ".ics": "text/calendar",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/vnd.microsoft.icon",
    ".bmp": "image/bmp",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".pdf": "application/pdf",
    ".zip": "application/zip",
    ".wasm": "application/wasm",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".wav": "audio/wav",
    ".vtt": "text/vtt",
}

#: Content types that are text and so are served with an explicit UTF-8 charset.
TEXT_TYPES = frozenset(
    {
        "application/json",
        "application/ld+json",
        "application/manifest+json",
        "application/xml",
        "application/rss+xml",
        "application/atom+xml",
        "image/svg+xml",
    }
)

#: Types worth precompressing (already-compressed images, fonts and media are not).
COMPRESSIBLE = TEXT_TYPES | {"application/wasm", "image/vnd.microsoft.icon", "font/ttf", "font/otf"}

DEFAULT_TYPE = "application/octet-stream"
IMMUTABLE = "public, max-age=31536000, immutable"
HTML_CACHE = "public, max-age=0, must-revalidate"
OTHER_CACHE = "public, max-age=300"

#: A content hash in a file name: ``app.3f9a1c2b.css``, ``hero-3f9a1c2b77.webp``.
_HASHED = re.compile(r"[.\-_][0-9a-f]{8,64}\.[A-Za-z0-9]+$")

#: Files that pages are entered through: uploaded after everything they reference, invalidated on change.
_ENTRY_NAMES = (
    "sitemap*.xml",
    "robots.txt",
    "_redirects",
    "redirects.json",
    "feed.xml",
    "atom.xml",
    "rss.xml",
)


def is_text(content_type: str) -> bool:
    base = content_type.split(";")[0].strip().lower()
    return base.startswith("text/") or base in TEXT_TYPES


def content_type_for(path: str) -> str:
    """The content type for a site path, with ``charset=utf-8`` for text types."""
    suffix = PurePosixPath(path).suffix.lower()
    ctype = CONTENT_TYPES.get(suffix, DEFAULT_TYPE)
    return f"{ctype}; charset=utf-8" if is_text(ctype) else ctype


def is_hashed(path: str) -> bool:
    """Whether the file name carries a content hash (so its content never changes under that name)."""
    return bool(_HASHED.search(PurePosixPath(path).name))


def is_html(path: str) -> bool:
    return PurePosixPath(path).suffix.lower() in (".html", ".htm")


def is_entry(path: str) -> bool:
    """HTML pages, sitemaps, redirects: what visitors and crawlers enter through."""
    if is_html(path):
        return True
    name = PurePosixPath(path).name
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in _ENTRY_NAMES)


def default_cache_control(path: str) -> str:
    if is_html(path) or is_entry(path):
        return HTML_CACHE
    if is_hashed(path):
        return IMMUTABLE
    return OTHER_CACHE


@dataclass(frozen=True)
class Headers:
    """The effective headers of one object."""

    content_type: str
    cache_control: str
    content_encoding: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def fingerprint(self) -> str:
        """A short, stable digest: equal fingerprints mean identical response headers."""
        return _fingerprint(
            self.content_type,
            self.cache_control,
            self.content_encoding or "",
            tuple(sorted(self.extra.items())),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "content_type": self.content_type,
            "cache_control": self.cache_control,
            "encoding": self.content_encoding,
            "extra": dict(sorted(self.extra.items())),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Headers:
        extra = data.get("extra") or {}
        return _interned(
            str(data.get("content_type") or DEFAULT_TYPE),
            str(data.get("cache_control") or ""),
            data.get("encoding") or None,
            tuple(sorted((str(k), str(v)) for k, v in extra.items())),
        )


# A site has thousands of files but a handful of distinct header sets: share them (manifest parsing
# and fingerprint comparison are on the no-op path, which should cost next to nothing).
@lru_cache(maxsize=1024)
def _fingerprint(
    content_type: str, cache_control: str, encoding: str, extra: tuple[tuple[str, str], ...]
) -> str:
    data = json.dumps(
        [content_type, cache_control, encoding, [list(i) for i in extra]], separators=(",", ":")
    )
    return hashlib.sha256(data.encode()).hexdigest()[:16]


@lru_cache(maxsize=1024)
def _interned(
    content_type: str, cache_control: str, encoding: str | None, extra: tuple[tuple[str, str], ...]
) -> Headers:
    return Headers(content_type, cache_control, encoding, dict(extra))


def matching_rule(path: str, rules: list[HeaderRule]) -> HeaderRule | None:
    """The first rule whose glob matches ``path`` (``*`` also matches ``/``, like most CDNs)."""
    for rule in rules:
        pattern = rule.pattern.lstrip("/")
        if fnmatch.fnmatchcase(path, pattern):
            return rule
    return None


def headers_for(path: str, rules: list[HeaderRule], *, encoding: str | None = None) -> Headers:
    """Effective headers for ``path``: the first matching rule, built-in defaults for what it leaves out."""
    rule = matching_rule(path, rules)
    content_type = (rule.content_type if rule else None) or content_type_for(path)
    cache_control = (rule.cache_control if rule else None) or default_cache_control(path)
    extra = dict(rule.extra) if rule else {}
    return Headers(content_type, cache_control, encoding, extra)


def compressible(headers: Headers) -> bool:
    return headers.content_type.split(";")[0].strip().lower() in COMPRESSIBLE or is_text(headers.content_type)
