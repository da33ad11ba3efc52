"""The one URL rule for every link a page or campaign may contain (basics layer, stdlib only).

Owns: ``check_link`` and ``LinkProblem``. A link is read the way a browser reads it (the WHATWG URL
standard), not the way ``urllib`` does: browsers drop tabs and newlines anywhere in a URL, strip leading
and trailing control characters and spaces, and treat ``\\`` like ``/`` in http(s) URLs, so
``/\\evil.example/x`` is *protocol-relative* and ``java\\nscript:`` is ``javascript:``. Instead of
re-implementing every browser quirk, the rule refuses every input where the two readings could differ
(backslashes, control characters, any whitespace, percent-encoded or non-ASCII host names, user info)
and then reads what is left, which both parsers agree on. What may pass:

- relative links (``page/``, ``../x``, ``#top``, ``?q``) and site-root links (``/campaigns/x/``);
- ``https://host/...`` (``http://`` only when allowed), host checked against ``link_hosts``;
- ``mailto:`` and ``tel:`` when the field allows them.

Must not import anything beyond the standard library (it sits below config).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

#: Characters a browser removes or treats specially before parsing: C0 controls, DEL, and every
#: Unicode space (U+00A0, U+2028, U+3000 ...). None of them belong in a link a designer typed.
_BAD_CHARS = re.compile(r"[\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f\u3000\ufeff]")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


@dataclass(frozen=True)
class LinkProblem:
    """Why a link was refused: ``reason`` is a short stable word (``scheme``, ``backslash``,
    ``control``, ``protocol-relative``, ``host``, ``host-not-allowed``, ``userinfo``), ``detail`` the
    part that was refused (the scheme, the host)."""

    reason: str
    detail: str = ""


def _host_allowed(host: str, allowed: list[str]) -> bool:
    return any(host == h.lower().rstrip(".") or host.endswith("." + h.lower().rstrip(".")) for h in allowed)


def _plain_host(raw: str) -> str | None:
    """The host as a browser would look it up, or ``None`` when it is not a plain DNS name / IP.

    Percent signs and non-ASCII are refused (browsers decode ``%2e`` and map full-width dots to ``.``
    before lookup; a rule that compared the raw text would check a different host than the one visited).
    """
    host = raw.lower()
    if not host or "%" in host or not host.isascii():
        return None
    host = host.rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        return host  # an IPv6 literal: compared as written
    labels = host.split(".")
    if not all(_HOST_LABEL.match(label) for label in labels):
        return None
    return host


def check_link(
    url: str,
    *,
    allow_http: bool = False,
    allow_mail: bool = True,
    link_hosts: list[str] | tuple[str, ...] = (),
    site_host: str = "",
) -> LinkProblem | None:
    """``None`` when ``url`` may be published, else why not.

    ``link_hosts`` (when not empty) lists the hosts an absolute link may point at (subdomains
    included); ``site_host`` (the site's own host) is always allowed. An empty string is fine (no
    link).
    """
    if url == "":
        return None
    if "\\" in url:
        return LinkProblem("backslash", "\\")
    bad = _BAD_CHARS.search(url)
    if bad:
        return LinkProblem("control", f"U+{ord(bad.group(0)):04X}")
    scheme_match = _SCHEME.match(url)
    if scheme_match is None:
        if url.startswith("//"):
            # Takes the page's scheme and another host: say which one is meant instead.
            return LinkProblem("protocol-relative", "//")
        if ":" in url.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
            # "x:y" that is not a valid scheme ("1http:", "-a:") is odd enough to refuse.
            return LinkProblem("scheme", url.split(":", 1)[0])
        return None  # relative or site-root link
    scheme = scheme_match.group(1).lower()
    if scheme in ("mailto", "tel"):
        return None if allow_mail else LinkProblem("scheme", scheme)
    allowed = {"https", "http"} if allow_http else {"https"}
    if scheme not in allowed:
        return LinkProblem("scheme", scheme)
    rest = url[len(scheme_match.group(0)) :]
    if not rest.startswith("//"):
        # "https:evil.example" is "https://evil.example/" to a browser on another origin.
        return LinkProblem("host", rest[:40])
    parts = urlsplit(url)
    if "@" in parts.netloc:
        # "https://trusted.example@evil.example/" visits evil.example.
        return LinkProblem("userinfo", parts.netloc)
    try:
        port = parts.port
    except ValueError:
        return LinkProblem("host", parts.netloc)
    del port
    host = _plain_host(parts.hostname or "")
    if host is None:
        return LinkProblem("host", parts.netloc)
    site = site_host.lower().rstrip(".")
    if link_hosts and host != site and not _host_allowed(host, list(link_hosts)):
        return LinkProblem("host-not-allowed", host)
    return None
