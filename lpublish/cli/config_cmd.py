"""``lpublish config``: print the JSON Schema or validate ``lpublish.toml`` (text, or the ``config schema``
/ ``config check`` envelope)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from lpublish.cli.options import config_from, format_option, site_option
from lpublish.cli.render import echo_envelope
from lpublish.config import json_schema
from lpublish.i18n import t


@click.group()
def config() -> None:
    """Inspect lpublish.toml (the site's rules)."""


@config.command()
@format_option("text", "json")
def schema(fmt: str) -> None:
    """Print the JSON Schema of lpublish.toml, for editors."""
    text = json_schema()
    if fmt == "json":
        from lpublish.results.tool_codecs import CONFIG_SCHEMA

        echo_envelope(CONFIG_SCHEMA, "config schema", json.loads(text))
    else:
        click.echo(text)


@config.command("check")
@site_option
@format_option("text", "json")
def check_config(site: Path | None, fmt: str) -> None:
    """Validate lpublish.toml and report every problem at once."""
    cfg = config_from(site)
    if fmt == "json":
        from lpublish.results.tool_codecs import CONFIG_CHECK, ConfigCheck

        echo_envelope(CONFIG_CHECK, "config check", ConfigCheck(path=str(cfg.path), slots=len(cfg.slots)))
    else:
        click.echo(t("config.valid", path=str(cfg.path), slots=len(cfg.slots)))
