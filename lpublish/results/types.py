"""Result dataclasses of commands whose work has no core result type of its own.

Owns: ``DoctorCheck`` / ``DoctorReport`` (``lpublish doctor``), ``Identity`` (``whoami``), ``SignIn``
(``login``), ``SignOut`` (``logout``), ``FixSummary`` (``fix``), ``Withdrawal`` (``withdraw``), ``DraftDeleted`` (``drafts --delete``), ``PracticeWorld`` (``practice --headless``) and ``BuildSummary`` (what ``lpublish build``
reports of an ``AdapterBuildResult``: counts, not every file) with ``BuildOutput``. Must not import UI libraries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lpublish.assets.fix import FixResult
from lpublish.findings import Report
from lpublish.site.adapters.base import AdapterBuildResult
from lpublish.site.build_result import PageInfo


@dataclass
class DoctorCheck:
    """One doctor check: ``status`` is ``ok``, ``problem`` (something to do) or ``skipped``."""

    name: str
    status: str
    message: str
    hint: str = ""

    @property
    def failed(self) -> bool:
        return self.status == "problem"


@dataclass
class DoctorReport:
    checks: list[DoctorCheck] = field(default_factory=list)

    @property
    def failed(self) -> list[DoctorCheck]:
        return [c for c in self.checks if c.failed]


@dataclass
class Identity:
    """Who lpublish acts as: the GitHub account, the host, and where the sign-in comes from."""

    login: str
    name: str | None
    id: int
    host: str
    source: str | None


@dataclass
class SignIn:
    login: str
    host: str


@dataclass
class SignOut:
    host: str
    #: Whether a sign-in was saved on this computer (and is now forgotten).
    removed: bool
    #: A token in the environment still signs lpublish in.
    environment_token: bool = False


@dataclass
class DraftDeleted:
    """``drafts --delete``: the saved draft that was deleted."""

    id: str


@dataclass
class Withdrawal:
    number: int
    #: The local ref keeping the withdrawn branch's commits ("" when none was needed).
    backup: str = ""


@dataclass
class PracticeWorld:
    """Where a headless practice world is: the local forge, the repository, the designer's clone."""

    api_url: str
    web_url: str
    repo: str
    base: str
    designer_token: str
    reviewer_token: str
    workdir: str
    live_url: str
    root: str
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class BuildSummary:
    """What ``lpublish build`` reports: the same page fields for every adapter, and counts."""

    adapter: str
    out_dir: str
    pages: list[PageInfo] = field(default_factory=list)
    files: int = 0
    command: str = ""
    log_tail: list[str] = field(default_factory=list)
    seconds: float = 0.0
    generator_seconds: float = 0.0
    #: lpublish's own generator only: image variants generated and reused, output files written/deleted.
    images_generated: int = 0
    images_reused: int = 0
    written: int = 0
    deleted: int = 0

    @classmethod
    def of(cls, outcome: AdapterBuildResult) -> BuildSummary:
        own = outcome.lpublish
        return cls(
            adapter=outcome.adapter,
            out_dir=str(outcome.out_dir),
            pages=list(own.pages if own is not None else outcome.pages),
            files=own.files if own is not None else len(outcome.files),
            command=outcome.command,
            log_tail=list(outcome.log_tail),
            seconds=round(own.seconds if own is not None else outcome.seconds, 3),
            generator_seconds=round(outcome.generator_seconds, 3),
            images_generated=own.generated if own is not None else 0,
            images_reused=own.reused if own is not None else 0,
            written=len(own.written) if own is not None else 0,
            deleted=len(own.deleted) if own is not None else 0,
        )


@dataclass
class BuildOutput:
    """``lpublish build``'s result: the build's findings as a report, and the build itself."""

    report: Report
    build: BuildSummary


@dataclass
class FixSummary:
    """What ``lpublish fix`` wrote: the new file, what changed, the sizes, and what still needs a person."""

    source: str
    output: str
    format: str
    changes: list[str]
    before_width: int
    before_height: int
    before_bytes: int
    after_width: int
    after_height: int
    after_bytes: int
    #: The fixed file's re-check: its errors are what no fix could solve (e.g. the wrong shape).
    remaining: Report
    notes: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return self.remaining.ok

    @classmethod
    def of(cls, result: FixResult) -> FixSummary:
        return cls(
            source=str(result.source),
            output=str(result.output),
            format=result.format,
            changes=list(result.changes),
            before_width=result.before_size[0],
            before_height=result.before_size[1],
            before_bytes=result.before_bytes,
            after_width=result.after_size[0],
            after_height=result.after_size[1],
            after_bytes=result.after_bytes,
            remaining=Report([f for f in result.check.findings if f.is_error], 1),
            notes=list(result.notes),
        )
