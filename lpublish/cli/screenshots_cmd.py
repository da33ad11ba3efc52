"""``lpublish screenshots``: before/after pictures of the pages a pull request changes (for CI).

A thin front end over ``lpublish.ci.screenshots``: takes the production build and the preview build,
writes the PNGs and ``screenshots.json`` into ``--out`` (publish that folder with the preview as
``__lpublish-screenshots/`` and pass its URL to ``lpublish comment --screenshots``).
"""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command()
@click.option(
    "--before",
    "before",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    required=True,
    help="The production build (the base branch's output folder).",
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
def screenshots(before: Path, after: Path, out: Path, pages: tuple[str, ...]) -> int:
    """Photograph each changed page of both builds at desktop and phone widths (headless Chromium)."""
    from lpublish.ci.screenshots import take_screenshots

    result = take_screenshots(before, after, out, pages=list(pages) or None)
    click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    return 0
