"""Rules for deploy settings that can hurt: checked when ``lpublish.toml`` is loaded, not when they fail.

Owns: the validators behind ``DeployTarget``, ``DeploySection`` and ``HeaderRule`` (prefixes, bucket
names, ``{pr}`` placeholders, numbers, header values and header/content-type contradictions) and
``check_prefix`` for prefixes given on the command line. Each raises ``ValueError`` with a translated
message naming the fix; pydantic turns it into a ``ConfigError`` with the key path (exit 2).

Why these rules: an empty ``preview_prefix`` on the production bucket made every preview overwrite
production; one without ``{pr}`` made pull requests overwrite (and ``--remove`` delete) each other's
previews; ``..`` in a folder target's prefix wrote outside it; CR/LF in a header value failed only after
uploads had started, reported as a network problem. Must not import UI libraries.
"""

from __future__ import annotations

import ipaddress
import math
import re
from string import Formatter
from urllib.parse import unquote, urlsplit

from lpublish.i18n import t
from lpublish.media_types import CONTENT_TYPES

#: Largest pull request number accepted (GitHub numbers are 32-bit signed integers).
MAX_PR = 2**31 - 1
#: Upper bounds for time settings: far beyond any real use, small enough for date arithmetic.
MAX_SECONDS = 7 * 24 * 3600
MAX_HOURS = 10 * 365 * 24

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
#: Types whose subtype must match the file extension exactly (a JPEG is never "image/png").
_EXACT_MAJOR = {"image", "font", "audio", "video"}
_JS = {"text/javascript", "application/javascript", "application/x-javascript", "text/ecmascript"}


def _placeholders(value: str, key: str) -> set[str]:
    """Names of the ``{...}`` fields in ``value``; a lone ``{`` or ``}`` is refused."""
    try:
        return {name for _, name, _, _ in Formatter().parse(value) if name is not None}
    except ValueError:
        raise ValueError(t("security.config.braces", key=key, value=value)) from None


def check_prefix(value: str, *, key: str, preview: bool = False) -> str:
    """A key prefix (S3) or sub-folder (folder target): relative, no ``..``, no odd characters.

    ``preview=True`` is for ``preview_prefix``: it must also contain ``{pr}`` (and nothing else in
    braces) and name a folder of its own for each pull request.
    """
    if _CONTROL.search(value) or "\\" in value:
        raise ValueError(
            t("security.config.prefix_chars", key=key, value=value.encode("unicode_escape").decode())
        )
    if value.startswith("/") or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value):
        raise ValueError(t("security.config.prefix_absolute", key=key, value=value))
    names = _placeholders(value, key)
    if preview:
        if names != {"pr"}:
            raise ValueError(t("security.config.preview_needs_pr", key=key, value=value))
        sample = value.replace("{pr}", "1")
    else:
        if names:
            raise ValueError(t("security.config.prefix_braces", key=key, value=value))
        sample = value
    segments = [s for s in sample.split("/")]
    if any(s in (".", "..") for s in segments) or any(s in (".", "..") for s in unquote(sample).split("/")):
        raise ValueError(t("security.config.prefix_dotdot", key=key, value=value))
    if preview and not sample.strip("/"):
        raise ValueError(t("security.config.preview_needs_pr", key=key, value=value))
    return value


def check_bucket(value: str, *, key: str = "bucket") -> str:
    """An S3 bucket name by AWS's rules (3-63 characters, lowercase letters, digits, '.' and '-')."""
    if not value:
        return value
    bad = (
        not _BUCKET.match(value)
        or ".." in value
        or ".-" in value
        or "-." in value
        or value.startswith(("xn--", "sthree-"))
        or value.endswith(("-s3alias", "--ol-s3", "--x-s3"))
    )
    if not bad:
        try:
            ipaddress.ip_address(value)
            bad = True
        except ValueError:
            pass
    if bad:
        raise ValueError(t("security.config.bucket", key=key, value=value))
    return value


def check_target_url(value: str, *, key: str = "url") -> str:
    """``s3://bucket/prefix`` (both parts checked) or ``file:///absolute/folder``."""
    if not value:
        return value
    if _CONTROL.search(value) or "\\" in value:
        raise ValueError(
            t("security.config.prefix_chars", key=key, value=value.encode("unicode_escape").decode())
        )
    parts = urlsplit(value)
    if parts.scheme == "s3":
        check_bucket(parts.netloc, key=key)
        check_prefix(parts.path.lstrip("/"), key=key)
        return value
    if parts.scheme == "file" and parts.path.startswith("/") and parts.netloc in ("", "localhost"):
        path = unquote(parts.path)
        if any(s == ".." for s in path.split("/")):
            raise ValueError(t("security.config.prefix_dotdot", key=key, value=value))
        return value
    raise ValueError(t("security.config.target_url", key=key, value=value))


def check_template_url(value: str, *, key: str) -> str:
    """A site/preview URL: only ``{pr}`` may appear in braces."""
    if value and _placeholders(value, key) - {"pr"}:
        raise ValueError(t("security.config.url_braces", key=key, value=value))
    return value


def check_number(value: float, *, key: str, limit: float) -> float:
    """A finite number no larger than ``limit``."""
    if not math.isfinite(value) or value > limit:
        raise ValueError(t("security.config.number", key=key, value=value, limit=limit))
    return value


def check_header_value(value: str, *, key: str) -> str:
    """A header value S3 and browsers accept as it is: printable ASCII only (no CR/LF: header injection)."""
    if _CONTROL.search(value.replace("\t", " ")) or not value.isascii():
        raise ValueError(
            t("security.config.header_value", key=key, value=value.encode("unicode_escape").decode())
        )
    return value


def check_pattern(value: str) -> str:
    """A header rule's glob: any text (non-ASCII file names are fine) but no control characters."""
    if _CONTROL.search(value):
        escaped = value.encode("unicode_escape").decode()
        raise ValueError(t("security.config.prefix_chars", key="pattern", value=escaped))
    return value


def check_header_name(name: str) -> str:
    if not _TOKEN.match(name):
        raise ValueError(t("security.config.header_name", key=name.encode("unicode_escape").decode()))
    return name


def _media(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def content_type_conflict(pattern: str, content_type: str) -> str | None:
    """The type files matching ``pattern`` really have, when ``content_type`` contradicts it.

    Only patterns that end in one extension (``*.jpg``, ``assets/**/*.woff2``) that lpublish's
    content-type table (``lpublish.media_types``) knows are judged.
    """
    match = re.search(r"\.([A-Za-z0-9]+)$", pattern)
    if match is None or any(ch in match.group(1) for ch in "*?[]"):
        return None
    guessed = CONTENT_TYPES.get(f".{match.group(1).lower()}")
    if guessed is None:
        return None
    want, got = _media(guessed), _media(content_type)
    if want == got or {want, got} <= _JS:
        return None
    want_major, got_major = want.split("/")[0], got.split("/")[0]
    if want_major in _EXACT_MAJOR or got_major in _EXACT_MAJOR or want_major != got_major:
        return want
    if got in ("text/html", "application/xhtml+xml") or want in ("text/html", "application/xhtml+xml"):
        return want  # serving anything as HTML (or HTML as anything) is never a harmless mix-up
    return None


def check_content_type(pattern: str, content_type: str) -> None:
    real = content_type_conflict(pattern, content_type)
    if real is not None:
        raise ValueError(
            t("security.config.content_type", pattern=pattern, content_type=content_type, real=real)
        )


def target_store(url: str, bucket: str, prefix: str) -> tuple[str, str]:
    """(where the files go, the target's base prefix) — ``s3://bucket`` or ``file:///folder``."""
    if url:
        parts = urlsplit(url)
        if parts.scheme == "s3":
            base = "/".join(p for p in (parts.path.strip("/"), prefix.strip("/")) if p)
            return f"s3://{parts.netloc}", base
        return f"file://{unquote(parts.path).rstrip('/')}", prefix.strip("/")
    return f"s3://{bucket}", prefix.strip("/")


def preview_area(prefix: str, preview_prefix: str) -> str:
    """The part of a preview target's keys shared by every pull request (``previews/pr-``)."""
    static = preview_prefix.split("{", 1)[0].lstrip("/")
    base = prefix.strip("/")
    if static:
        return f"{base}/{static}" if base else static
    return f"{base}/" if base else ""


def check_shared_store(targets: dict[str, tuple[str, str, str, bool, str]]) -> None:
    """On a shared bucket or folder, no production target may live inside a preview target's area (its
    deploys would land in, and be deleted with, the previews), and no preview area may hold production."""
    production = {n: v for n, v in targets.items() if not v[3]}
    previews = {n: v for n, v in targets.items() if v[3]}
    for p_name, (p_url, p_bucket, p_prefix, _, p_preview) in previews.items():
        p_store, p_base = target_store(p_url, p_bucket, p_prefix)
        area = preview_area(p_base, p_preview)
        for name, (url, bucket, prefix, _, _) in production.items():
            store, base = target_store(url, bucket, prefix)
            if store != p_store:
                continue
            if store in ("s3://", "file://"):
                continue  # not a complete target (reported when it is used)
            if area == "" or (base + "/").startswith(area) or base == area.rstrip("/"):
                raise ValueError(
                    t("security.config.preview_overlaps", preview=p_name, production=name, area=area or "/")
                )
