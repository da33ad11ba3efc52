"""Options shared by several commands (``--site``, ``--format``), the config loader they use, and the
run's environment (read once by ``lpublish.cli.main.main``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from lpublish.config import SiteConfig, load_config
from lpublish.config.env import apply_environment
from lpublish.environment import Environment

F = TypeVar("F", bound=Callable[..., Any])

site_option = click.option(
    "--site",
    "site",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="The site folder holding lpublish.toml (default: search upward from here).",
)

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="Output: text for people, json for programs, github for workflow annotations.",
)


def environment() -> Environment:
    """The environment of this run: what ``main`` read, or the process's when a command is invoked on
    its own (the CLI is an edge, so reading it here is allowed)."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        from lpublish.cli.main import command_environment

        return command_environment(ctx)
    return Environment.from_os()


def config_from(site: Path | None, env: Environment | None = None) -> SiteConfig:
    """Load the config for ``--site`` (or by walking up from the working directory); ``LPUBLISH_FORGE_*``
    variables of ``env`` (default: this run's) override ``[forge]`` (``lpublish.config.env``)."""
    return apply_environment(load_config(site=site), (env or environment()).values)
