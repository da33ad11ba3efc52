"""``lpublish login``, ``logout`` and ``whoami``: GitHub sign-in from the terminal.

A thin front end over ``lpublish.publish.auth``: shows the device code, opens the browser, prints who
is signed in. Never prints a token.
"""

from __future__ import annotations

import contextlib
import json
import webbrowser
from pathlib import Path

import click

from lpublish.cli.options import config_from, environment, site_option
from lpublish.i18n import t


@click.command()
@site_option
@click.option("--no-browser", is_flag=True, help="Do not open the browser; just print the address and code.")
def login(site: Path | None, no_browser: bool) -> None:
    """Sign in to GitHub in your browser (device flow) and remember it in the system keyring."""
    from lpublish.publish import auth
    from lpublish.publish.client import forge_for

    config = config_from(site)

    def show(device: auth.DeviceCode) -> None:
        click.echo(t("publish.cli.login_open", url=device.verification_uri))
        click.secho(t("publish.cli.login_code", code=device.user_code), bold=True)
        click.echo(t("publish.cli.login_waiting"))
        if not no_browser:
            with contextlib.suppress(webbrowser.Error):
                webbrowser.open(device.verification_uri)

    tokens = auth.login(config, show_code=show)
    user = forge_for(config, tokens.access_token).get_user()
    click.echo(t("publish.cli.login_ok", login=user.login, host=auth.web_host(config)))


@click.command()
@site_option
def logout(site: Path | None) -> None:
    """Forget your GitHub sign-in on this computer."""
    from lpublish.publish import auth

    config = config_from(site)
    removed = auth.logout(config)
    key = "publish.cli.logout_ok" if removed else "publish.cli.logout_none"
    click.echo(t(key, host=auth.web_host(config)))
    if environment().github_token:
        click.echo(t("publish.cli.logout_env_still_set"))


@click.command()
@site_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for programs.")
def whoami(site: Path | None, as_json: bool) -> None:
    """Show which GitHub account lpublish uses, and where the sign-in comes from."""
    from lpublish.publish import auth
    from lpublish.publish.client import forge_for

    config = config_from(site)
    source = auth.token_source(config, environment())
    token = auth.require_token(config, environment())
    user = forge_for(config, token).get_user()
    if as_json:
        data = {
            "login": user.login,
            "name": user.name,
            "id": user.id,
            "host": auth.web_host(config),
            "source": source,
        }
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    click.echo(
        t("publish.cli.whoami", login=user.login, name=user.name or user.login, host=auth.web_host(config))
    )
    click.echo(t(f"publish.cli.source.{source or 'none'}"))
