"""``lpublish check`` and ``lpublish fix``: validate images (or the whole site) and write fixed copies.

A thin front end over ``lpublish.assets`` (one image), ``lpublish.content`` (references and slots of
the whole site) and ``lpublish.site.campaigns``: parse options, call the core, render the report
(text | json | github; JSON is the ``check`` envelope of ``lpublish.results``) and return the exit code
(0 no errors, 1 errors, 2 usage/config).
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from pathlib import Path

import click

from lpublish.cli.options import config_from, environment, format_option, site_option
from lpublish.cli.progress_view import progress_view
from lpublish.cli.render import echo_envelope, render_report
from lpublish.config import SiteConfig
from lpublish.errors import ExitCode, UsageError
from lpublish.findings import Finding, Report, Severity, is_hazard
from lpublish.i18n import t
from lpublish.progress import ProgressCallback
from lpublish.results.codecs import CHECK, FIX
from lpublish.results.types import FixSummary

logger = logging.getLogger(__name__)


def _github_paths(report: Report, config: SiteConfig, files_mode: bool) -> Report:
    """Make site-relative paths relative to the working directory, as GitHub annotations need."""
    if files_mode:
        return report
    try:
        prefix = Path(os.path.relpath(config.root, Path.cwd())).as_posix()
    except ValueError:  # another drive on Windows
        return report
    if prefix in ("", ".") or prefix.startswith(".."):
        return report

    def moved(finding: Finding) -> Finding:
        return replace(finding, file=f"{prefix}/{finding.file}") if finding.file else finding

    return Report([moved(f) for f in report.findings], report.files_checked)


@click.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=True, exists=False))
@click.option("--slot", default=None, help="The slot the FILES are meant for (see lpublish.toml).")
@click.option("--alt", default=None, help="Alt text for the FILES (checked when the slot requires it).")
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Processes to check with (0 = all cores).",
)
@click.option("--quick", is_flag=True, help="Header-level checks only (skips the full decode).")
@click.option(
    "--changed",
    "changed_base",
    default=None,
    metavar="BASE",
    help="Judge what changed since the git ref BASE as new (its problems are errors); "
    "every reference is checked too.",
)
@site_option
@format_option("text", "json", "github")
def check(
    files: tuple[Path, ...],
    slot: str | None,
    alt: str | None,
    workers: int,
    quick: bool,
    changed_base: str | None,
    site: Path | None,
    fmt: str,
) -> int:
    """Check images against the site's rules.

    Without FILES, checks the whole site: every image reference must resolve (broken ones are errors),
    and the images each slot names are checked against its rules (problems of images already on the
    site are warnings; with --changed BASE, what changed since BASE is judged as new, so its problems
    are errors). With FILES, checks them as candidates for --slot. Exit code 0 when there are no errors,
    1 when there are, 2 for usage or config problems.
    """
    from lpublish.assets.validate import CheckJob, run_checks, slot_section

    config = config_from(site, environment())
    progress = progress_view(fmt)
    if files:
        if not slot:
            raise UsageError("assets.files_need_slot", slots=", ".join(sorted(config.slots)) or "-")
        slot_section(config, slot)
        jobs = [CheckJob(path, slot, alt=alt, display_name=str(path)) for path in files]
        checks = run_checks(jobs, config, workers=workers, decode=not quick, progress=progress)
        report = Report([f for c in checks for f in c.findings], len(checks))
    else:
        if slot:
            slot_section(config, slot)  # a typo in --slot is still reported
        report = _check_whole_site(config, changed_base, workers=workers, decode=not quick, progress=progress)
    code = int(ExitCode.OK if report.ok else ExitCode.NOT_ACCEPTABLE)
    logger.info("checked %d files: %s", report.files_checked, report.summary())
    if fmt == "json":
        echo_envelope(CHECK, "check", report, exit_code=code)
        return code
    if fmt == "github":
        report = _github_paths(report, config, bool(files))
    click.echo(render_report(report, fmt))
    return code


def _check_whole_site(
    config: SiteConfig, changed_base: str | None, *, workers: int, decode: bool, progress: ProgressCallback
) -> Report:
    """The content check plus the campaign checks, with "already on the site" applied to both."""
    from lpublish.content.site_check import changed_files, check_content
    from lpublish.site.campaigns import check_campaigns

    changed = changed_files(config, changed_base) if changed_base else set()
    report = check_content(config, changed=changed, workers=workers, decode=decode, progress=progress)
    # Files and links the pages reference, and symbolic links in the sources (lpublish.site.page_files).
    from lpublish.site.page_files import check_site_content

    for finding in [*check_campaigns(config), *check_site_content(config)]:
        image_rule = finding.code.split(".")[0] in ("image", "alt", "svg", "name", "file")
        if finding.is_error and image_rule and finding.file not in changed and not is_hazard(finding.code):
            finding = replace(finding, severity=Severity.WARNING)
        report.findings.append(finding)
    seen: set[tuple[object, ...]] = set()
    unique = []
    for f in report.findings:
        key = (f.code, f.severity, f.file, f.field, repr(sorted(f.params.items())))
        if key not in seen:
            seen.add(key)
            unique.append(f)
    report.findings = unique
    return report


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=True, exists=False))
@click.option("--slot", required=True, help="The slot the file is meant for (see lpublish.toml).")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help="Where to write the fixed file (a file path, or an existing folder).",
)
@site_option
@format_option("text", "json")
def fix(file: Path, slot: str, out: Path, site: Path | None, fmt: str) -> int:
    """Write a fixed copy of FILE for --slot to --out and say what changed.

    The original is never modified. With --format json the result is printed as the fix envelope
    (docs/dev/results.md). Exit code 0 when the fixed file passes every check, 1 when some
    problem needs a person (for example the wrong shape), 2 for usage or config problems.
    """
    from lpublish.assets.fix import fix_image
    from lpublish.units import format_bytes

    config = config_from(site, environment())
    result = fix_image(file, slot, config, out)
    summary = FixSummary.of(result)
    code = int(ExitCode.OK if summary.clean else ExitCode.NOT_ACCEPTABLE)
    logger.info("fixed %s into %s (%d changes)", file, result.output, len(result.changes))
    if fmt == "json":
        echo_envelope(FIX, "fix", summary, exit_code=code)
        return code
    click.echo(t("assets.cli.fix_written", path=str(result.output)))
    for change in result.changes or [t("assets.cli.fix_no_changes")]:
        click.echo(f"  • {change}")
    click.echo(
        t(
            "assets.cli.fix_sizes",
            before_dims=f"{result.before_size[0]}x{result.before_size[1]}",
            before=format_bytes(result.before_bytes),
            after_dims=f"{result.after_size[0]}x{result.after_size[1]}",
            after=format_bytes(result.after_bytes),
        )
    )
    if summary.clean:
        click.echo(t("assets.cli.fix_clean"))
        return code
    click.echo(t("assets.cli.fix_remaining"))
    click.echo(render_report(summary.remaining, "text"))
    return code
