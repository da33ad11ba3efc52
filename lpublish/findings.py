"""Findings: the one shape every check (assets, campaigns, build, deploy guards) reports problems in.

Owns: ``Finding`` ``{code, severity, file, field, message, hint, fix}`` and ``Report`` (a list of
findings with a summary). Codes are stable and documented in ``docs/checks.md``; messages come from the
i18n catalog key ``finding.<code>.message`` (and ``.hint``), formatted with the finding's params, so a
finding can be shown in either language after it was made. Must not import UI libraries.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from lpublish.i18n import t


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    """One problem (or note) about one file.

    ``code`` is stable (e.g. ``image.too-small``); ``fix`` names the one-key fix that resolves it
    (e.g. ``downscale``) or is ``None`` when a person must act. ``params`` fill the message template.
    """

    code: str
    severity: Severity
    file: str = ""
    field: str = ""
    params: dict[str, Any] = dc_field(default_factory=dict)
    fix: str | None = None
    line: int | None = None

    @property
    def message(self) -> str:
        return t(f"finding.{self.code}.message", default=self.code, **{"file": self.file, **self.params})

    @property
    def hint(self) -> str:
        return t(f"finding.{self.code}.hint", default="", **{"file": self.file, **self.params})

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": str(self.severity),
            "file": self.file,
            "field": self.field,
            "line": self.line,
            "message": self.message,
            "hint": self.hint,
            "fix": self.fix,
        }


#: Findings about content that could harm visitors or leak files (scripts, HTML posing as an image,
#: polyglots, links or symlinks out of the site, decompression bombs). They stay errors even for files
#: that were already on the site: "already on the site" softens quality rules, never safety rules.
_HAZARD_PREFIXES = ("svg.", "page.", "link.", "file.symlink", "markdown.too-deep", "build.unsafe-path")
_HAZARD_CODES = frozenset(
    {"image.not-an-image", "image.trailing-data", "image.too-many-pixels", "image.wrong-extension"}
)


def is_hazard(code: str) -> bool:
    """Whether a finding code is a safety rule (never softened to a warning)."""
    return code in _HAZARD_CODES or code.startswith(_HAZARD_PREFIXES)


def error(code: str, file: str = "", *, field: str = "", fix: str | None = None, **params: Any) -> Finding:
    return Finding(code, Severity.ERROR, file, field, params, fix)


def warning(code: str, file: str = "", *, field: str = "", fix: str | None = None, **params: Any) -> Finding:
    return Finding(code, Severity.WARNING, file, field, params, fix)


def info(code: str, file: str = "", *, field: str = "", fix: str | None = None, **params: Any) -> Finding:
    return Finding(code, Severity.INFO, file, field, params, fix)


@dataclass
class Report:
    """Findings collected by one command, plus the number of files looked at."""

    findings: list[Finding] = dc_field(default_factory=list)
    files_checked: int = 0

    def extend(self, findings: Iterable[Finding]) -> None:
        self.findings.extend(findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict[str, Any]:
        counts = Counter(str(f.severity) for f in self.findings)
        return {
            "files": self.files_checked,
            "errors": counts.get("error", 0),
            "warnings": counts.get("warning", 0),
            "info": counts.get("info", 0),
        }

    def sorted(self) -> list[Finding]:
        order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
        return sorted(self.findings, key=lambda f: (f.file, order[f.severity], f.code, f.field))

    def to_dict(self) -> dict[str, Any]:
        return {"findings": [f.to_dict() for f in self.sorted()], "summary": self.summary()}
