"""``lpublish screenshots``: before/after pictures of the pages a pull request changes (for CI).

A thin front end over ``lpublish.ci.screenshots``: takes the base build and the preview build, writes
the PNGs and ``screenshots.json`` into ``--out`` (the PR workflow publishes that folder with the preview
as ``__lpublish-screenshots/`` and as a workflow artifact, and passes it to ``lpublish comment
--screenshots``). With ``--best-effort`` (the workflow) a missing browser or base build is written into
the manifest, so the status comment can say so, and the command still succeeds.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from lpublish.errors import ExternalError, UsageError


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
def screenshots(before: Path, after: Path, out: Path, pages: tuple[str, ...], best_effort: bool) -> int:
    """Photograph each changed page of both builds at desktop and phone widths (headless Chromium)."""
    from lpublish.ci.screenshots import take_screenshots

    result = take_screenshots(before, after, out, pages=list(pages) or None)
    click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    if best_effort or not result.problem:
        return 0
    if result.problem == "no-browser":
        raise UsageError("designer.screenshots.no_browser")
    if result.problem == "no-base":
        raise UsageError("designer.screenshots.no_base", path=str(before))
    raise ExternalError("designer.screenshots.some_failed", pages=", ".join(result.failed))
