"""Reading what the workflow steps produced: check, build and deploy envelopes, and the changed-file list.

Owns: ``StatusInputs`` and the readers behind it. Every file is read through the same result types the
commands printed (``lpublish.results``: ``Report``, ``BuildOutput``, ``DeployResult``), never by guessing
keys. A step may have failed before writing its file, written an error envelope, or something that is
not an envelope at all; the comment must still be posted and say so plainly, so every reader returns
``None`` (or an empty list) plus a note rather than raising. ``DeployPlanSummary`` is what the comment and
the schedule need of a ``DeployResult``. Must not import UI libraries.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from lpublish.deploy.engine import DeployResult
from lpublish.findings import Report
from lpublish.results.codecs import BUILD, CHECK
from lpublish.results.deploy_codecs import DEPLOY
from lpublish.results.envelope import Codec, EnvelopeProblem, from_envelope
from lpublish.results.types import BuildOutput

logger = logging.getLogger(__name__)

T = TypeVar("T")

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".avif", ".gif", ".svg")


@dataclass
class PageWeight:
    """One built page and the bytes a visitor downloads for it."""

    path: str
    bytes: int


@dataclass
class DeployPlanSummary:
    """What a deploy did (or, for a dry run, would do), reduced to what a reviewer needs."""

    uploaded: list[str] = field(default_factory=list)
    copied: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    bytes_uploaded: int = 0
    invalidation_paths: list[str] = field(default_factory=list)
    url: str = ""
    dry_run: bool = False
    #: Guard refusals reported by a dry run (the real deploy would stop with these reasons).
    refused: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether the target differs from the build (anything to upload, copy or delete)."""
        return bool(self.uploaded or self.copied or self.deleted)


@dataclass
class StatusInputs:
    """Everything the status comment and job summary are made from."""

    pr: int
    sha: str = ""
    check: Report | None = None
    build: BuildOutput | None = None
    preview: DeployPlanSummary | None = None
    plan: DeployPlanSummary | None = None
    changed_files: list[str] = field(default_factory=list)
    #: Files that were given but could not be read (file name -> reason: ``missing``, ``empty``,
    #: ``invalid``, ``version``, ``command``, or ``failed`` for a step whose envelope carries errors).
    problems: dict[str, str] = field(default_factory=dict)


def _read_step_file(path: Path | None, problems: dict[str, str] | None) -> str | None:
    """The text a workflow step wrote to ``path``; ``None`` (noted as ``missing``) when it wrote none."""
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        if problems is not None:
            problems[path.name] = "missing"
        return None


def read_result(codec: Codec[T], path: Path | None, problems: dict[str, str] | None = None) -> T | None:
    """The result in the envelope a step wrote to ``path``; ``None`` plus a note in ``problems`` when the
    file is missing, is not an envelope of ``codec``'s commands, or the step failed (its errors)."""
    text = _read_step_file(path, problems)
    if path is None or text is None:
        return None
    # Tolerate lines a step's shell wrote before the envelope (the envelope starts at the first "{").
    start = text.find("{")
    try:
        envelope = from_envelope(codec, text[start:] if start > 0 else text)
    except EnvelopeProblem as exc:
        logger.info("%s is not a readable envelope: %s", path.name, exc.reason)
        if problems is not None:
            problems[path.name] = exc.reason
        return None
    if envelope.errors and envelope.result is None:
        logger.info("%s: the step failed: %s", path.name, ", ".join(e.key for e in envelope.errors))
        if problems is not None:
            problems[path.name] = "failed"
    return envelope.result


def read_changed(path: Path | None) -> list[str]:
    """Repository-relative paths from ``git diff --name-only`` (missing file: none)."""
    if path is None:
        return []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    return sorted({line.strip() for line in lines if line.strip()})


def changed_images(changed: list[str], site_prefix: str) -> list[str]:
    """The changed files that are images under the site folder (repository-relative)."""
    prefix = "" if site_prefix in ("", ".") else site_prefix.strip("/") + "/"
    return [p for p in changed if p.startswith(prefix) and p.lower().endswith(IMAGE_SUFFIXES)]


def plan_summary(result: DeployResult | None) -> DeployPlanSummary | None:
    """What the comment and the schedule need of a deploy (for a dry run: of its plan)."""
    if result is None:
        return None
    plan = result.plan
    size = result.bytes_uploaded or (plan.bytes_to_upload if result.dry_run else 0)
    return DeployPlanSummary(
        uploaded=[a.path for a in plan.uploads],
        copied=[a.path for a in plan.copies],
        deleted=[a.path for a in plan.deletes],
        unchanged=result.unchanged or plan.unchanged,
        bytes_uploaded=size,
        invalidation_paths=list(result.invalidation_paths),
        url=result.url,
        dry_run=result.dry_run,
        refused=list(result.refused),
    )


def read_deploy(path: Path | None, problems: dict[str, str] | None = None) -> DeployPlanSummary | None:
    """``lpublish deploy --format json`` output, reduced to a ``DeployPlanSummary``."""
    return plan_summary(read_result(DEPLOY, path, problems))


def page_weights(build: BuildOutput | None) -> list[PageWeight]:
    """Per-page weights of ``lpublish build --format json`` (the pages of its ``BuildSummary``)."""
    if build is None:
        return []
    return sorted((PageWeight(p.path, p.weight) for p in build.build.pages), key=lambda w: w.path)


def load_inputs(
    pr: int,
    *,
    sha: str = "",
    check: Path | None = None,
    build: Path | None = None,
    preview: Path | None = None,
    plan: Path | None = None,
    changed: Path | None = None,
) -> StatusInputs:
    """Read every file a workflow step produced; missing or broken files become notes, not errors."""
    problems: dict[str, str] = {}
    # Preview and plan steps are skipped when no AWS role is configured: a missing file is normal there.
    return StatusInputs(
        pr=pr,
        sha=sha,
        check=read_result(CHECK, check, problems),
        build=read_result(BUILD, build, problems),
        preview=read_deploy(preview),
        plan=read_deploy(plan),
        changed_files=read_changed(changed),
        problems=problems,
    )
