"""Options shared by several commands (``--site``, ``--format``) and the config loader they use."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from lpublish.config import SiteConfig, load_config
from lpublish.config.env import apply_environment

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


def config_from(site: Path | None) -> SiteConfig:
    """Load the config for ``--site`` (or by walking up from the working directory); ``LPUBLISH_FORGE_*``
    variables override ``[forge]`` (``lpublish.config.env``)."""
    return apply_environment(load_config(site=site), os.environ)
