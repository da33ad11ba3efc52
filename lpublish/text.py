"""Turning people's words into names machines accept: the one slug rule.

Owns: ``slugify``. The rule: fold the text to ASCII (NFKD, so ``Café`` -> ``cafe`` and full-width
``ＡＢＣ`` -> ``abc``), lowercase, every run of anything but ``a-z0-9`` becomes one ``-``, trimmed to
``max_length`` without a dangling ``-``. Words in scripts with no ASCII form (Japanese) are dropped, and
when nothing is left the slug is ``<fallback>-<6 hex of the text's SHA-256>``: stable for the same text
(a campaign title typed twice gives the same suggestion) and different for different texts (two
Japanese titles never collide on one branch or folder name).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, *, fallback: str, max_length: int = 60) -> str:
    """A URL-, branch- and file-name-safe slug of ``text`` (see the module docstring for the rule)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = _NOT_SLUG.sub("-", folded).strip("-")[:max_length].strip("-")
    if slug:
        return slug
    return f"{fallback}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:6]}"
