"""The one progress renderer of the CLI (check, build, deploy, submit, update, drafts --resume).

Owns: ``progress_view``: a ``ProgressCallback`` that shows each stage on one line of standard error and
counts up in place (``Checking images 12/40``), and says nothing when the output is not a terminal (CI
logs, pipes, files), when ``--format json`` was asked for, or with ``--quiet``.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

import click

from lpublish.i18n import t
from lpublish.progress import ProgressCallback, ProgressEvent, no_progress

logger = logging.getLogger(__name__)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


class _Line:
    """A stage without a count gets a line of its own; a counted stage counts up in place on one line."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.counting = ""

    def __call__(self, event: ProgressEvent) -> None:
        text = f"… {t(event.stage)}"
        if event.total < 2:
            self._close()
            click.echo(f"{text}: {event.detail}" if event.detail else text, file=self.stream)
            return
        if self.counting and self.counting != event.stage:
            self._close()
        self.counting = event.stage
        click.echo(f"\r\033[K{text} {min(event.done, event.total)}/{event.total}", file=self.stream, nl=False)
        if event.done >= event.total:
            self._close()

    def _close(self) -> None:
        if self.counting:
            click.echo("", file=self.stream)
            self.counting = ""


def progress_view(
    fmt: str = "text", *, quiet: bool = False, out: TextIO | None = None, err: TextIO | None = None
) -> ProgressCallback:
    """The progress callback for a command printing ``fmt`` (``out``/``err``: the standard streams)."""
    out = out or sys.stdout
    err = err or sys.stderr
    if quiet or fmt == "json" or not (_is_terminal(out) and _is_terminal(err)):
        logger.debug("progress lines off (format %s, quiet %s)", fmt, quiet)
        return no_progress
    return _Line(err)
