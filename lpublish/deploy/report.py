"""Plain-text and Markdown reports of a deploy, in the user's language.

Owns: ``summary_lines`` (the human summary the CLI prints), ``markdown_summary`` (what is appended to
``$GITHUB_STEP_SUMMARY``) and sizes through ``lpublish.units.format_bytes``. Produces strings only; front ends decide where they go.
Must not import UI libraries.
"""

from __future__ import annotations

from typing import Any

from lpublish.deploy.cdn import FREE_PATHS_PER_MONTH
from lpublish.deploy.engine import DeployResult
from lpublish.i18n import t
from lpublish.units import format_bytes

#: How many plan lines a dry run prints before summarizing the rest.
PLAN_LINES = 40


def _counts(result: DeployResult) -> dict[str, Any]:
    return {
        "uploaded": result.uploaded if not result.dry_run else len(result.plan.uploads),
        "copied": result.copied if not result.dry_run else len(result.plan.copies),
        "deleted": result.deleted if not result.dry_run else len(result.plan.deletes),
        "unchanged": result.unchanged,
        "retained": result.retained,
        "bytes": format_bytes(result.bytes_uploaded if not result.dry_run else result.plan.bytes_to_upload),
        "requests": result.requests,
        "seconds": f"{result.seconds:.2f}",
    }


def summary_lines(result: DeployResult, *, preview: bool = False) -> list[str]:
    """The human summary: what happened (or would), invalidation, URL."""
    lines: list[str] = []
    if result.dry_run:
        lines.append(t("deploy.cli.dry_run"))
        actions = result.plan.writes + result.plan.deletes
        for action in actions[:PLAN_LINES]:
            kind = t(f"deploy.kind.{action.kind}")
            reason = t(f"deploy.reason.{action.reason}")
            lines.append("  " + t("deploy.cli.plan_line", kind=kind, path=action.path, reason=reason))
        if len(actions) > PLAN_LINES:
            lines.append("  " + t("deploy.cli.more", count=len(actions) - PLAN_LINES))
        if result.refused:
            lines.append(t("deploy.cli.refused"))
            lines.extend(f"  - {reason}" for reason in result.refused)
    elif result.removed:
        lines.append(t("deploy.cli.removed", count=result.removed, target=result.target))
    elif result.restored:
        lines.append(t("deploy.cli.restored", release=result.restored, commit=result.commit or "?"))
    elif not result.changed and not result.drift:
        lines.append(t("deploy.cli.nothing", unchanged=result.unchanged))
    else:
        lines.append(t("deploy.cli.done", target=result.target))
    lines.append(t("deploy.cli.summary", **_counts(result)))
    if result.drift:
        lines.append(t("deploy.cli.drift", count=len(result.drift)))
    if result.invalidation_paths:
        shown = ", ".join(result.invalidation_paths[:10]) + (
            " ..." if len(result.invalidation_paths) > 10 else ""
        )
        lines.append(
            t(
                "deploy.cli.invalidation",
                count=len(result.invalidation_paths),
                free=FREE_PATHS_PER_MONTH,
                paths=shown,
            )
        )
    if result.url:
        lines.append(t("deploy.cli.preview_url" if preview else "deploy.cli.url", url=result.url))
    return lines


def markdown_summary(result: DeployResult, *, preview: bool = False) -> str:
    """A short Markdown section for the GitHub Actions job summary."""
    counts = _counts(result)
    rows = [
        ("uploaded", counts["uploaded"]),
        ("copied", counts["copied"]),
        ("deleted", counts["deleted"]),
        ("unchanged", counts["unchanged"]),
        ("retained", counts["retained"]),
        ("bytes", counts["bytes"]),
        ("requests", counts["requests"]),
        ("seconds", counts["seconds"]),
        ("invalidation paths", len(result.invalidation_paths)),
    ]
    out = [f"### {t('deploy.cli.summary_title')}", ""]
    out.extend(f"{line}  " for line in summary_lines(result, preview=preview)[:1])
    out += ["", "| | |", "|---|---:|"]
    out.extend(f"| {name} | {value} |" for name, value in rows)
    if result.url:
        out += ["", f"<{result.url}>"]
    if result.invalidation_paths:
        out += ["", "```", *result.invalidation_paths[:50], "```"]
    return "\n".join(out) + "\n"
