"""``lpublish config``: print the JSON Schema or validate ``lpublish.toml``."""

from __future__ import annotations

from pathlib import Path

import click

from lpublish.cli.options import config_from, site_option
from lpublish.config import json_schema
from lpublish.i18n import t


@click.group()
def config() -> None:
    """Inspect lpublish.toml (the site's rules)."""


@config.command()
def schema() -> None:
    """Print the JSON Schema of lpublish.toml, for editors."""
    click.echo(json_schema())


@config.command("check")
@site_option
def check_config(site: Path | None) -> None:
    """Validate lpublish.toml and report every problem at once."""
    cfg = config_from(site)
    click.echo(t("config.valid", path=str(cfg.path), slots=len(cfg.slots)))
