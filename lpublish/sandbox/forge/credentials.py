"""How the local forge reads credentials from a request.

Owns: the token of an ``Authorization`` header (``token``/``Bearer``, or the password of ``Basic`` as
git and Git LFS send it). The values are only compared with the forge's tokens, never logged.
"""

from __future__ import annotations

import base64


def token_from(headers: dict[str, str]) -> str | None:
    """The API token a request carries, or ``None``."""
    value = headers.get("authorization", "")
    scheme, _, credential = value.partition(" ")
    if scheme.lower() in ("token", "bearer") and credential:
        return credential.strip()
    if scheme.lower() == "basic":
        return basic_password(headers)
    return None


def basic_password(headers: dict[str, str]) -> str | None:
    """The password of ``Authorization: Basic`` (git's credential helper sends the token there)."""
    value = headers.get("authorization", "")
    scheme, _, credential = value.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(credential).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    return decoded.partition(":")[2] or None
