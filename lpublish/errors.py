"""The one error hierarchy and the exit codes shared by every front end.

Owns: ``ExitCode`` and ``LpublishError`` (title, plain-language message, hint for the next step, all
translated through the i18n catalogs). Core code raises these for every failure a user can cause or meet;
front ends render them and never show a traceback for them. Must not import UI libraries.
"""

from __future__ import annotations

import enum
import re
from typing import Any

from lpublish.i18n import t


class ExitCode(enum.IntEnum):
    """Process exit codes. A contract: CI scripts and reviewers rely on these numbers."""

    OK = 0
    #: The content or state is not acceptable (validation errors, deploy refused by a guard).
    NOT_ACCEPTABLE = 1
    #: Usage or configuration error.
    USAGE = 2
    #: An external service failed (network, auth, S3, GitHub, git remote).
    EXTERNAL = 3


class LpublishError(Exception):
    """A failure with a title, a plain-language message and a hint, in the user's language.

    Create with catalog keys: ``LpublishError("config.invalid", path=...)`` looks up
    ``config.invalid.title``, ``config.invalid.message`` and ``config.invalid.hint`` (the hint is
    optional in the catalog). ``details`` carries structured extras (lists of problems) for front ends.
    The message never contains secrets: callers must pass redacted values only.
    """

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, key: str, *, details: list[str] | None = None, **params: Any) -> None:
        self.key = key
        self.params = params
        self.details: list[str] = list(details or [])
        super().__init__(self.message)

    @property
    def title(self) -> str:
        return t(f"{self.key}.title", **self.params)

    @property
    def message(self) -> str:
        return t(f"{self.key}.message", **self.params)

    @property
    def hint(self) -> str:
        return t(f"{self.key}.hint", default="", **self.params)

    def to_dict(self) -> dict[str, Any]:
        return {
            "error": self.key,
            "title": self.title,
            "message": self.message,
            "hint": self.hint,
            "details": self.details,
            "exit_code": int(self.exit_code),
        }

    def __str__(self) -> str:
        text = f"{self.title}: {self.message}"
        if self.details:
            text += "\n" + "\n".join(f"  - {d}" for d in self.details)
        if self.hint:
            text += f"\n{self.hint}"
        return text


class UsageError(LpublishError):
    """Wrong arguments or a request that makes no sense (exit 2)."""

    exit_code = ExitCode.USAGE


class ConfigError(LpublishError):
    """``lpublish.toml`` is missing or invalid (exit 2)."""

    exit_code = ExitCode.USAGE


class ContentError(LpublishError):
    """The content or state is not acceptable: validation refused, a guard refused (exit 1)."""

    exit_code = ExitCode.NOT_ACCEPTABLE


class ExternalError(LpublishError):
    """An external service failed: network, authentication, GitHub, git remote, S3 (exit 3)."""

    exit_code = ExitCode.EXTERNAL


class CancelledError(LpublishError):
    """The user cancelled a long operation; nothing half-done was left behind."""

    exit_code = ExitCode.NOT_ACCEPTABLE

    def __init__(self) -> None:
        super().__init__("common.cancelled")


class SystemFailure(LpublishError):
    """The operating system refused (permissions, read-only or full disk, bad file name, link loop).

    Exit 1: the command was fine, the state of the machine is not acceptable until someone acts.
    """

    exit_code = ExitCode.NOT_ACCEPTABLE


#: errno -> catalog key of the plain message (``security.os.<name>``); everything else is ``failed``.
_ERRNO_KEYS = {
    "EACCES": "permission",
    "EPERM": "permission",
    "EROFS": "read_only",
    "ENOSPC": "disk_full",
    "EDQUOT": "disk_full",
    "EFBIG": "disk_full",
    "ELOOP": "symlink_loop",
    "ENAMETOOLONG": "name_too_long",
    "ENOENT": "not_found",
    "ENOTDIR": "not_found",
    "EISDIR": "is_folder",
    "EEXIST": "exists",
    "ENOTEMPTY": "exists",
    "EMFILE": "too_many_files",
    "ENFILE": "too_many_files",
    "EIO": "io",
    "EXDEV": "io",
    "EILSEQ": "bad_name",
}


def _shown_path(value: object) -> str:
    """A path for a message: undecodable bytes of a file name shown as ``\\xff`` escapes."""
    import os

    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    text = str(value)
    try:
        return os.fsencode(text).decode("utf-8", "backslashreplace")
    except (UnicodeError, TypeError):
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def os_failure(exc: BaseException, path: object = None) -> SystemFailure:
    """The plain-language error for an operating-system failure (the one mapping every front end uses).

    ``exc`` is an ``OSError`` (its errno picks the message: permission, read-only, disk full, link loop
    ...) or a ``UnicodeError`` raised for a file name that is not valid UTF-8. ``path`` overrides the
    path named in the message (default: the exception's ``filename``).
    """
    import errno as errno_names

    if is_symlink_loop(exc):
        found = re.search(r"'(.*)'", str(exc))
        return SystemFailure(
            "security.os.symlink_loop", path=_shown_path(path or (found.group(1) if found else "?"))
        )
    if isinstance(exc, UnicodeError):
        obj = getattr(exc, "object", "")
        shown = _shown_path(path) or (_shown_path(obj) if isinstance(obj, str | bytes) else "")
        return SystemFailure("security.os.bad_name", path=shown or "?")
    code = getattr(exc, "errno", None)
    name = errno_names.errorcode.get(code, "") if isinstance(code, int) else ""
    key = _ERRNO_KEYS.get(name, "failed")
    target = path if path is not None else getattr(exc, "filename", None)
    shown = _shown_path(target) or "?"
    other = _shown_path(getattr(exc, "filename2", None))
    reason = getattr(exc, "strerror", None) or type(exc).__name__
    return SystemFailure(f"security.os.{key}", path=shown, other=other, reason=str(reason))


def is_symlink_loop(exc: BaseException) -> bool:
    """Python 3.11's ``Path.resolve()`` reports a symbolic-link loop as ``RuntimeError``, not ELOOP."""
    return type(exc) is RuntimeError and str(exc).startswith("Symlink loop")


def is_file_name_error(exc: BaseException) -> bool:
    """A ``UnicodeError`` caused by a file name with bytes that are not UTF-8 (kept as surrogates)."""
    if not isinstance(exc, UnicodeEncodeError):
        return False
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in exc.object[exc.start : exc.end])
