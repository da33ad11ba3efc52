"""Options shared by several commands (``--site``, ``--format`` with its ``--json`` alias) and the config
loader they use.

``--format`` records what the running command was asked to print in ``lpublish.cli.render.requested``,
so ``main()`` can print a failure as a JSON envelope when JSON was asked for.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from lpublish.cli.render import command_name, requested
from lpublish.config import SiteConfig, load_config
from lpublish.config.env import apply_environment
from lpublish.environment import Environment

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

site_option = click.option(
    "--site",
    "site",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="The site folder holding lpublish.toml (default: search upward from here).",
)

_JSON_ALIAS = "lpublish.json_alias"


def environment() -> Environment:
    """The environment of this run: what ``main`` read, or the process's when a command is invoked on
    its own (the CLI is an edge, so reading it here is allowed)."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        from lpublish.cli.main import command_environment

        return command_environment(ctx)
    return Environment.from_os()


def _json_alias(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.meta[_JSON_ALIAS] = True
    return value


def _chosen(ctx: click.Context, param: click.Parameter, value: str) -> str:
    source = ctx.get_parameter_source(param.name or "fmt")
    if ctx.meta.get(_JSON_ALIAS) and source is not click.core.ParameterSource.COMMANDLINE:
        value = "json"  # the deprecated --json, unless --format was given explicitly
    requested.format = value
    requested.command = command_name(ctx)
    logger.debug("output format %s for %s", value, requested.command)
    return value


def format_option(*formats: str) -> Callable[[F], F]:
    """``--format`` with these choices (default ``text``), and ``--json``: a hidden, deprecated alias for
    ``--format json`` that workflows written before 0.x keep working with."""
    choices = formats or ("text", "json")
    helps = {
        "text": "text for people",
        "json": "json for programs (one versioned envelope, docs/dev/results.md)",
        "github": "github for workflow annotations",
    }

    def decorate(fn: F) -> F:
        fn = click.option(
            "--format",
            "fmt",
            type=click.Choice(list(choices)),
            default="text",
            show_default=True,
            callback=_chosen,
            help="Output: " + ", ".join(helps[c] for c in choices) + ".",
        )(fn)
        return click.option(
            "--json",
            "json_alias",
            is_flag=True,
            hidden=True,
            is_eager=True,
            expose_value=False,
            callback=_json_alias,
            help="Deprecated: the same as --format json.",
        )(fn)

    return decorate


def config_from(site: Path | None, env: Environment | None = None) -> SiteConfig:
    """Load the config for ``--site`` (or by walking up from the working directory); ``LPUBLISH_FORGE_*``
    variables of ``env`` (default: this run's) override ``[forge]`` (``lpublish.config.env``)."""
    return apply_environment(load_config(site=site), (env or environment()).values)
