"""Content types: the one table of what a file is served as.

Owns: ``CONTENT_TYPES`` (extension -> type), ``TEXT_TYPES`` (types that are text although they are not
``text/*``), ``is_text`` and ``content_type_for`` (a site path's type, with ``charset=utf-8`` for text).
The build, the deploy's headers, the deploy rules' content-type check, the preview server, the local
forge's raw files and anything else that names a file's type ask here (git's own protocol types stay
with the forge's git HTTP).

A fixed table, not the OS ``mimetypes`` database: that differs between machines (and Python versions),
misses ``charset``, and a deploy must set the same headers wherever it runs. ``.ico`` is
``image/vnd.microsoft.icon``, the IANA-registered type (what Python's own table and IIS use); every
browser accepts it for favicons, and it is what deployed sites already carry, so no favicon gets a
header-only re-upload.
"""

from __future__ import annotations

from functools import lru_cache

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
    ".toml": "application/toml",
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
        "application/toml",
        "image/svg+xml",
    }
)

DEFAULT_TYPE = "application/octet-stream"


def is_text(content_type: str) -> bool:
    """Whether a content type (parameters allowed) is text, so it carries a charset."""
    base = content_type.split(";")[0].strip().lower()
    return base.startswith("text/") or base in TEXT_TYPES


def content_type_for(path: str) -> str:
    """The content type for a site path, with ``charset=utf-8`` for text types."""
    name = path.rpartition("/")[2]
    dot = name.rfind(".")
    # ``PurePosixPath(path).suffix`` without building a path object (a deploy asks for every file).
    return _served_type(name[dot:].lower() if 0 < dot < len(name) - 1 else "")


@lru_cache(maxsize=256)
def _served_type(suffix: str) -> str:
    ctype = CONTENT_TYPES.get(suffix, DEFAULT_TYPE)
    return f"{ctype}; charset=utf-8" if is_text(ctype) else ctype
