"""``lpublish screenshots``: before/after pictures of the pages a pull request changes (for CI).

A thin front end over ``lpublish.ci.screenshots``: takes the base build and the preview build, writes
the PNGs and ``screenshots.json`` (the ``screenshots`` envelope, ``results.tool_codecs.SCREENSHOTS``)
into ``--out`` (the PR workflow publishes that folder with the preview as ``__lpublish-screenshots/``
and as a workflow artifact, and passes it to ``lpublish comment --screenshots``). With
``--best-effort`` (the workflow) a missing browser or base build is written into the manifest, so the
status comment can say so, and the command still succeeds.
"""

from __future__ import annotations

import logging
from pathlib import Path

import click

from lpublish.cli.options import format_option
from lpublish.cli.render import echo_envelope
from lpublish.errors import ExternalError, LpublishError, UsageError
from lpublish.i18n import t
from lpublish.results.envelope import dumps, to_envelope

logger = logging.getLogger(__name__)


@click.command()
@click.option(
    "--before",
    "before",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="The base build (the base branch's output folder).",
)
@click.option(
    "--after",
    "after",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    required=True,
    help="The preview build (this pull request's output folder).",
)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Where the pictures and screenshots.json go.",
)
@click.option(
    "--page", "pages", multiple=True, help="Only these pages (e.g. index.html); default: the changed ones."
)
@click.option(
    "--best-effort",
    is_flag=True,
    help="No browser, no base build or a failed picture is noted in screenshots.json, not an error (CI).",
)
@format_option("text", "json")
def screenshots(
    before: Path, after: Path, out: Path, pages: tuple[str, ...], best_effort: bool, fmt: str
) -> int:
    """Photograph each changed page of both builds at desktop and phone widths (headless Chromium)."""
    from lpublish.ci.screenshots import MANIFEST, take_screenshots
    from lpublish.results.tool_codecs import SCREENSHOTS

    result = take_screenshots(before, after, out, pages=list(pages) or None)
    failure: LpublishError | None = None
    if not best_effort and result.problem == "no-browser":
        failure = UsageError("designer.screenshots.no_browser")
    elif not best_effort and result.problem == "no-base":
        failure = UsageError("designer.screenshots.no_base", path=str(before))
    elif not best_effort and result.problem:
        failure = ExternalError("designer.screenshots.some_failed", pages=", ".join(result.failed))
    exit_code = int(failure.exit_code) if failure else 0
    # The manifest keeps the result even when the command fails: the comment shows what was taken.
    manifest = to_envelope(
        SCREENSHOTS, "screenshots", result, exit_code=exit_code, errors=[failure] if failure else None
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / MANIFEST).write_text(dumps(manifest) + "\n", encoding="utf-8")
    logger.info("wrote %s", out / MANIFEST)
    if failure is not None:
        raise failure
    if fmt == "json":
        echo_envelope(SCREENSHOTS, "screenshots", result)
    else:
        click.echo(
            t("fronts.screenshots.taken", shots=len(result.shots), path=str(out / MANIFEST))
            + (" " + t("fronts.screenshots.problem", problem=result.problem) if result.problem else "")
        )
    return 0
