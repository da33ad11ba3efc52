"""The one error hierarchy and the exit codes shared by every front end.

Owns: ``ExitCode`` and ``LpublishError`` (title, plain-language message, hint for the next step, all
translated through the i18n catalogs). Core code raises these for every failure a user can cause or meet;
front ends render them and never show a traceback for them. Must not import UI libraries.
"""

from __future__ import annotations

import enum
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
