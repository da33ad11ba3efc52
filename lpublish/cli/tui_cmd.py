"""``lpublish tui`` (also plain ``lpublish``), ``lpublish practice`` and ``lpublish serve``.

Owns: the three commands that start the designer's screen: on this site, in practice mode (a private
copy of the sample site or of the designer's own site with a local forge, nothing reaches GitHub or
AWS; ``--headless`` serves that world for scripts and tests, printing where it is as text or as the
``practice`` envelope), or in the browser.
Textual is imported only when a command runs, so ``lpublish --help`` stays fast.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from lpublish.cli.options import format_option, site_option
from lpublish.i18n import current_language, t

logger = logging.getLogger(__name__)


@click.command()
@site_option
def tui(site: Path | None) -> None:
    """Open the designer's screen for this site."""
    from lpublish.tui.app import run_tui

    run_tui(site)


@click.command()
@click.option(
    "--site",
    "site",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="Practise on a throwaway copy of this site's repository (default: the sample site).",
)
@click.option(
    "--keep", is_flag=True, help="Keep the practice files (printed at the end) instead of deleting them."
)
@click.option(
    "--no-browser", is_flag=True, help="Do not open pages in the browser (links are still shown on screen)."
)
@click.option(
    "--headless",
    is_flag=True,
    help="No screen: start the practice world, print where it is, serve until Ctrl+C (or SIGTERM).",
)
@format_option("text", "json")
@click.option(
    "--base-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    hidden=True,
    help="Create the practice folder inside this folder (tests).",
)
def practice(
    site: Path | None, keep: bool, no_browser: bool, headless: bool, fmt: str, base_dir: Path | None
) -> None:
    """Practise the whole flow on a private copy of the sample site or of your own site (--site).

    Nothing reaches GitHub or AWS: a local forge, a local "live" site built by the site's own build.
    """
    from lpublish.sandbox.practice import PracticeSession

    if fmt == "json" and not headless:
        raise click.UsageError("--format json needs --headless")
    if site is not None:
        click.echo(t("practice_site.starting", path=str(site)), err=True)
    else:
        click.echo(t("practice.starting"), err=True)
    session = PracticeSession.start(
        source=site, keep=keep, base_dir=base_dir, own_site=site is not None, publish_now=False
    )
    try:
        session.write_info()
        if headless:
            _run_headless(session, fmt)
        else:
            _run_screen(session, no_browser)
    finally:
        session.stop()
    if keep:
        click.echo(t("practice.kept", path=str(session.root)), err=True)
    elif headless:
        click.echo(t("practice_site.stopped"), err=True)


def _run_screen(session: Any, no_browser: bool) -> None:
    from lpublish.tui.app import LpublishApp
    from lpublish.tui.context import TuiContext

    context = TuiContext(
        config=session.config,
        token=session.token,
        forge_factory=session.forge_factory,
        practice=session,
        open_browser=not no_browser,
    )
    LpublishApp(context).run()


def _run_headless(session: Any, fmt: str) -> None:
    """Publish the starting site, say where everything is, and serve until SIGINT/SIGTERM."""
    import signal
    import threading

    from lpublish.results.codecs import PRACTICE
    from lpublish.results.envelope import dumps, to_envelope
    from lpublish.results.types import PracticeWorld

    stop = threading.Event()

    def ask_stop(signum: int, frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, ask_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        click.echo(t("practice_site.publishing"), err=True)
        session.publish()  # the live site is the base branch before the first merge, never empty
        world = PracticeWorld(**session.headless_info())
        if fmt == "json":
            # One line: a program reads it while the world keeps serving.
            click.echo(dumps(to_envelope(PRACTICE, "practice", world), one_line=True))
        else:
            for key in ("live_url", "api_url", "repo", "workdir"):
                click.echo(f"{key}: {getattr(world, key)}")
            for name, value in world.env.items():
                click.echo(f"export {name}={value}")
        sys.stdout.flush()
        click.echo(t("practice_site.ready", url=session.live_url), err=True)
        while not stop.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


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
