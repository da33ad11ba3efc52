"""HTTP headers for deployed files: content type, cache control, encoding, and their fingerprint.

Owns: the default Cache-Control policy (``immutable`` only for content-hashed names),
reading a site's own ``_headers`` file into rules, ``[[headers]]`` rule matching (first match
wins) and the header fingerprint the planner compares to detect header-only changes. Must not import UI
libraries. Content types come from the one table, ``lpublish.media_types``.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from lpublish.media_types import DEFAULT_TYPE, TEXT_TYPES, content_type_for, is_text

if TYPE_CHECKING:  # a deploy without lpublish.toml never loads the config models (pydantic)
    from lpublish.config.sections import HeaderRule

#: Types worth precompressing (already-compressed images, fonts and media are not).
COMPRESSIBLE = TEXT_TYPES | {"application/wasm", "image/vnd.microsoft.icon", "font/ttf", "font/otf"}

IMMUTABLE = "public, max-age=31536000, immutable"
HTML_CACHE = "public, max-age=0, must-revalidate"
OTHER_CACHE = "public, max-age=300"

#: A hex content hash in a file name: ``app.3f9a1c2b.css``, ``hero-3f9a1c2b77.webp``, Hugo's
#: ``theme.<sha256>.css`` fingerprints. At least one digit, so words such as ``-accepted`` never count.
_HEX_HASH = re.compile(r"[.\-_](?=[0-9a-f]*[0-9])[0-9a-f]{8,64}\.[A-Za-z0-9]+$")
#: Vite / Astro base64url hashes: ``hero-image.DwIC_L_T.webp``, ``about.B-4q4rIY.css``, Astro images
#: ``banner.B9V9kqh7_Z1JFH2D.webp`` (two 8-character hashes joined by ``_``).
_B64_HASH = re.compile(r"\.([A-Za-z0-9_-]{8}(?:_[A-Za-z0-9_-]{4,12})?)\.[A-Za-z0-9]+$")
#: Hugo image processing output: ``cover_hu3d03a01dcc18bc5be0e67db3d8d209a6_12345_300x0_resize_q75.jpg``.
_HUGO_IMAGE = re.compile(r"_hu[0-9a-f]{8,}(?:_|\.)")
#: eleventy-img output: ``<10-character base64url hash>-<width>.<format>`` (``pYQaTnHqTl-300.jpeg``).
_ELEVENTY_IMG = re.compile(r"^([A-Za-z0-9_-]{10})-\d{1,5}\.(?:jpe?g|png|webp|avif|gif|svg)$")
#: Folders whose every file name is content-addressed by the generator.
_HASHED_FOLDERS = ("_next/static/", "_astro/")

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


def _looks_random(token: str) -> bool:
    """A base64url hash mixes digits or several capitals in; a word (``min-full``, ``Fallback``) does not."""
    letters = token.replace("-", "").replace("_", "")
    digits = sum(c.isdigit() for c in letters)
    upper = sum(c.isupper() for c in letters)
    lower = sum(c.islower() for c in letters)
    return (digits > 0 and upper + lower > 0) or (upper >= 2 and lower > 0)


def is_hashed(path: str) -> bool:
    """Whether the file name carries a content hash (so its content never changes under that name).

    Only these get ``immutable``: a file whose name stays the same when its content changes (an
    ``assets/img/bg-masthead.jpg`` replaced by a designer) must be revalidated, or returning visitors
    keep the old one for a year.
    """
    clean = path.lstrip("/")
    if clean.startswith(_HASHED_FOLDERS):
        return True
    name = PurePosixPath(clean).name
    if _HEX_HASH.search(name) or _HUGO_IMAGE.search(name):
        return True
    b64 = _B64_HASH.search(name)
    if b64 and _looks_random(b64.group(1)):
        return True
    eleventy = _ELEVENTY_IMG.match(name)
    return bool(eleventy and _looks_random(eleventy.group(1)))


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
        # Kept on the instance: a manifest write asks every entry (20,000 at a time), and most entries
        # share one interned ``Headers`` (see ``_interned``).
        known: str | None = self.__dict__.get("_fingerprint")
        if known is None:
            known = _fingerprint(
                self.content_type,
                self.cache_control,
                self.content_encoding or "",
                tuple(sorted(self.extra.items())),
            )
            object.__setattr__(self, "_fingerprint", known)
        return known

    def to_dict(self) -> dict[str, Any]:
        known: dict[str, Any] | None = self.__dict__.get("_as_dict")
        if known is None:
            known = {
                "content_type": self.content_type,
                "cache_control": self.cache_control,
                "encoding": self.content_encoding,
                "extra": dict(sorted(self.extra.items())),
            }
            object.__setattr__(self, "_as_dict", known)  # like the fingerprint: asked per manifest entry
        return {**known, "extra": dict(known["extra"])}

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


def with_encoding(headers: Headers, encoding: str | None) -> Headers:
    """``headers`` served with ``Content-Encoding: encoding`` (a shared instance, like ``headers_for``)."""
    return _interned(
        headers.content_type, headers.cache_control, encoding, tuple(sorted(headers.extra.items()))
    )


def matching_rule(path: str, rules: list[HeaderRule]) -> HeaderRule | None:
    """The first rule whose glob matches ``path`` (``*`` also matches ``/``, like most CDNs)."""
    for rule in rules:
        pattern = rule.pattern.lstrip("/")
        if fnmatch.fnmatchcase(path, pattern):
            return rule
    return None


def headers_for(
    path: str,
    rules: list[HeaderRule],
    *,
    encoding: str | None = None,
    site_rules: list[HeaderRule] | None = None,
) -> Headers:
    """Effective headers for ``path``: the first matching rule, built-in defaults for what it leaves out.

    ``site_rules`` come from the site's own ``_headers`` file and combine like on Netlify: every
    matching block adds its headers (the first one to set a header wins); ``[[headers]]`` in
    ``lpublish.toml`` goes before them.
    """
    rule = matching_rule(path, rules)
    content_type = rule.content_type if rule else None
    cache_control = rule.cache_control if rule else None
    extra = dict(rule.extra) if rule else {}
    for site_rule in site_rules or ():
        if not fnmatch.fnmatchcase(path, site_rule.pattern.lstrip("/")):
            continue
        content_type = content_type or site_rule.content_type
        cache_control = cache_control or site_rule.cache_control
        for name, value in site_rule.extra.items():
            if name.lower() not in {k.lower() for k in extra}:
                extra[name] = value
    # Shared instances (thousands of files, a handful of header sets): their fingerprint is computed once.
    return _interned(
        content_type or content_type_for(path),
        cache_control or default_cache_control(path),
        encoding,
        tuple(sorted(extra.items())),
    )


# --- the site's own ``_headers`` file (Netlify / Cloudflare Pages format) -----------------------------

#: The file a site keeps its header rules in; read into rules, never uploaded.
HEADERS_FILE = "_headers"


def _glob_for(url_pattern: str) -> str:
    """A ``_headers`` path pattern as a glob on site paths: ``/blog/:slug/*`` -> ``blog/*/*``."""
    pattern = url_pattern.strip().lstrip("/")
    pattern = re.sub(r":[A-Za-z_][A-Za-z0-9_]*", "*", pattern)
    if pattern == "" or pattern.endswith("/"):
        pattern += "*"  # a folder URL serves its index.html (and ``/`` the whole site's root page)
    return pattern


def parse_headers_file(text: str) -> list[HeaderRule]:
    """Header rules from ``_headers`` text: a URL pattern line, then indented ``Name: value`` lines.

    Blocks become rules in file order (combined per path by ``headers_for``). ``Cache-Control`` and
    ``Content-Type`` set those headers; others go into ``extra``. Comments (``#``) and blank lines are
    skipped; a block naming a full URL (another host) is ignored, since it cannot apply to our files.
    """
    from lpublish.config.sections import HeaderRule  # only for sites that have a _headers file

    rules: list[HeaderRule] = []
    current: dict[str, str] | None = None
    pattern = ""

    def close() -> None:
        if current is not None and current and "://" not in pattern:
            extra = {k: v for k, v in current.items() if k.lower() not in ("cache-control", "content-type")}
            rules.append(
                HeaderRule(
                    pattern=_glob_for(pattern),
                    cache_control=next((v for k, v in current.items() if k.lower() == "cache-control"), None),
                    content_type=next((v for k, v in current.items() if k.lower() == "content-type"), None),
                    extra=extra,
                )
            )

    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if not raw[0].isspace():
            close()
            pattern, current = raw.strip(), {}
            continue
        if current is None or ":" not in raw:
            continue
        name, value = raw.strip().split(":", 1)
        name, value = name.strip(), value.strip()
        if name and value and "\n" not in value and "\r" not in value:
            current[name] = f"{current[name]}, {value}" if name in current else value
    close()
    return rules


def read_headers_file(folder: Path) -> list[HeaderRule]:
    """The rules of ``<folder>/_headers`` (empty when there is none or it cannot be read)."""
    try:
        text = (folder / HEADERS_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return parse_headers_file(text)


def compressible(headers: Headers) -> bool:
    return headers.content_type.split(";")[0].strip().lower() in COMPRESSIBLE or is_text(headers.content_type)
