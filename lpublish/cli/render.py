"""Rendering results for the terminal, for machines (JSON) and for GitHub Actions (annotations).

Owns: ``requested`` (the format the running command was asked for), ``command_name`` (a command as
its envelope names it), ``echo_envelope`` (every command's
``--format json``: the envelope of ``lpublish.results``), ``render_report`` (findings as text | json |
github), GitHub workflow-command escaping and the annotation limit (GitHub shows at most 10 annotations
of each type per step, so the rest are summarized).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

import click

from lpublish.errors import LpublishError
from lpublish.findings import Finding, Report, Severity
from lpublish.i18n import t
from lpublish.results.envelope import Codec, dumps, error_envelope, to_envelope

logger = logging.getLogger(__name__)

T = TypeVar("T")

FORMATS = ("text", "json", "github")
#: GitHub displays at most this many annotations of each severity per step.
ANNOTATION_LIMIT = 10


@dataclass
class Requested:
    """What the running command was asked to print (set by ``--format``; ``main()`` resets it)."""

    format: str = "text"
    command: str = ""

    def reset(self) -> None:
        self.format, self.command = "text", ""

    @property
    def json(self) -> bool:
        return self.format == "json"


requested = Requested()


def command_name(ctx: click.Context) -> str:
    """The command as its envelope names it: the words after ``lpublish`` (``ci schedule``)."""
    names: list[str] = []
    current: click.Context | None = ctx
    while current is not None and current.parent is not None:
        names.append(current.info_name or "")
        current = current.parent
    return " ".join(reversed(names)) or (ctx.info_name or "")


def echo_envelope(codec: Codec[T], command: str, result: T | None, *, exit_code: int = 0) -> None:
    """Print ``result`` as the JSON envelope on standard output."""
    click.echo(dumps(to_envelope(codec, command, result, exit_code=exit_code)))


def echo_error_envelope(exc: LpublishError) -> bool:
    """When the running command was asked for JSON, print its failure as an envelope (so a later workflow
    step reads why); ``False`` when JSON was not asked for."""
    if not requested.json or not requested.command:
        return False
    logger.debug("printing the failure of %s as an envelope", requested.command)
    click.echo(dumps(error_envelope(requested.command, exc)))
    return True


def escape_data(value: str) -> str:
    """Escape a workflow-command message (GitHub's ``escapeData``)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a workflow-command property value (GitHub's ``escapeProperty``)."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    """One ``::error file=...,line=...,title=...::message`` line for a finding."""
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}[finding.severity]
    props: list[str] = []
    if finding.file:
        props.append(f"file={escape_property(finding.file)}")
        if finding.line:
            props.append(f"line={finding.line}")
    props.append(f"title={escape_property(finding.code)}")
    message = finding.message
    if finding.hint:
        message += "\n" + finding.hint
    return f"::{level} {','.join(props)}::{escape_data(message)}"


def github_lines(findings: Iterable[Finding], limit: int = ANNOTATION_LIMIT) -> list[str]:
    """Annotation lines, at most ``limit`` per severity, plus one summary line for the rest."""
    lines: list[str] = []
    shown: dict[Severity, int] = {}
    hidden: dict[Severity, list[Finding]] = {}
    for finding in findings:
        count = shown.get(finding.severity, 0)
        if count < limit:
            lines.append(annotation(finding))
            shown[finding.severity] = count + 1
        else:
            hidden.setdefault(finding.severity, []).append(finding)
    for severity, rest in hidden.items():
        level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}[severity]
        files = sorted({f.file for f in rest if f.file})
        message = t("render.more_annotations", count=len(rest), files=", ".join(files[:20]))
        lines.append(f"::{level} title={escape_property('lpublish')}::{escape_data(message)}")
    return lines


def report_text(report: Report, color: bool = True) -> str:
    """A human-readable listing grouped by file, then a summary line."""
    out: list[str] = []
    current = None
    for finding in report.sorted():
        if finding.file != current:
            current = finding.file
            out.append(
                click.style(current or t("render.site_wide"), bold=True)
                if color
                else (current or t("render.site_wide"))
            )
        prefix = {
            Severity.ERROR: t("common.error_prefix"),
            Severity.WARNING: t("common.warning_prefix"),
            Severity.INFO: t("common.info_prefix"),
        }[finding.severity]
        colour = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}[finding.severity]
        head = f"  {prefix} [{finding.code}]"
        out.append(f"{click.style(head, fg=colour) if color else head} {finding.message}")
        if finding.hint:
            out.append(f"      {finding.hint}")
        if finding.fix:
            out.append("      " + t("render.fixable", fix=finding.fix))
    summary = report.summary()
    key = "render.summary_ok" if report.ok else "render.summary_failed"
    out.append(t(key, **summary))
    return "\n".join(out)


def render_report(report: Report, fmt: str) -> str:
    """Findings as text for people or as workflow annotations (``github``); JSON is ``echo_envelope``."""
    if fmt == "github":
        lines = github_lines(report.sorted())
        lines.append(t("render.summary_ok" if report.ok else "render.summary_failed", **report.summary()))
        return "\n".join(lines)
    return report_text(report)
