"""``lpublish tui`` (also plain ``lpublish``), ``lpublish practice`` and ``lpublish serve``.

Owns: the three commands that start the designer's screen: on this site, in practice mode (a private
copy of the sample site with a local forge, nothing reaches GitHub or AWS), or in the browser.
Textual is imported only when a command runs, so ``lpublish --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path

import click

from lpublish.cli.options import site_option
from lpublish.i18n import current_language, t


@click.command()
@site_option
def tui(site: Path | None) -> None:
    """Open the designer's screen for this site."""
    from lpublish.tui.app import run_tui

    run_tui(site)


@click.command()
@click.option(
    "--keep", is_flag=True, help="Keep the practice files (printed at the end) instead of deleting them."
)
@click.option(
    "--no-browser", is_flag=True, help="Do not open pages in the browser (links are still shown on screen)."
)
@click.option(
    "--base-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    hidden=True,
    help="Create the practice folder inside this folder (tests).",
)
def practice(keep: bool, no_browser: bool, base_dir: Path | None) -> None:
    """Practise the whole flow on a private copy of the sample site (no GitHub or AWS account needed)."""
    from lpublish.sandbox.practice import PracticeSession
    from lpublish.tui.app import LpublishApp
    from lpublish.tui.context import TuiContext

    click.echo(t("practice.starting"), err=True)
    session = PracticeSession.start(keep=keep, base_dir=base_dir)
    try:
        session.write_info()
        context = TuiContext(
            config=session.config,
            token=session.token,
            forge_factory=session.forge_factory,
            practice=session,
            open_browser=not no_browser,
        )
        LpublishApp(context).run()
    finally:
        session.stop()
    if keep:
        click.echo(t("practice.kept", path=str(session.root)), err=True)


@click.command()
@site_option
@click.option("--port", type=int, default=0, help="Port on 127.0.0.1 (default: a free one).")
@click.option("--no-browser", is_flag=True, help="Only print the address; do not open the browser.")
def serve(site: Path | None, port: int, no_browser: bool) -> None:
    """Open the designer's screen in a web browser on this computer (127.0.0.1 only, one-time link).

    Files are picked from the computer running this command.
    """
    from lpublish.tui.serve import serve as run_server

    run_server(site, port=port, lang=current_language(), open_browser=not no_browser)
