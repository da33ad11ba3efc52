"""``lpublish login``, ``logout`` and ``whoami``: GitHub sign-in from the terminal.

A thin front end over ``lpublish.publish.auth``: shows the device code, opens the browser, prints who
is signed in (text, or the ``login`` / ``logout`` / ``whoami`` envelope). Never prints a token.
"""

from __future__ import annotations

import contextlib
import logging
import webbrowser
from pathlib import Path

import click

from lpublish.cli.options import config_from, environment, format_option, site_option
from lpublish.cli.render import echo_envelope
from lpublish.i18n import t
from lpublish.results.codecs import LOGIN, LOGOUT, WHOAMI
from lpublish.results.types import Identity, SignIn, SignOut

logger = logging.getLogger(__name__)


@click.command()
@site_option
@click.option("--no-browser", is_flag=True, help="Do not open the browser; just print the address and code.")
@format_option("text", "json")
def login(site: Path | None, no_browser: bool, fmt: str) -> None:
    """Sign in to GitHub in your browser (device flow) and remember it in the system keyring."""
    from lpublish.publish import auth
    from lpublish.publish.client import forge_for

    config = config_from(site, environment())
    # With --format json the address and code go to stderr: stdout holds only the envelope.
    err = fmt == "json"

    def show(device: auth.DeviceCode) -> None:
        click.echo(t("publish.cli.login_open", url=device.verification_uri), err=err)
        click.secho(t("publish.cli.login_code", code=device.user_code), bold=True, err=err)
        click.echo(t("publish.cli.login_waiting"), err=err)
        if not no_browser:
            with contextlib.suppress(webbrowser.Error):
                webbrowser.open(device.verification_uri)

    tokens = auth.login(config, show_code=show)
    user = forge_for(config, tokens.access_token).get_user()
    if fmt == "json":
        echo_envelope(LOGIN, "login", SignIn(user.login, auth.web_host(config)))
        return
    click.echo(t("publish.cli.login_ok", login=user.login, host=auth.web_host(config)))


@click.command()
@site_option
@format_option("text", "json")
def logout(site: Path | None, fmt: str) -> None:
    """Forget your GitHub sign-in on this computer."""
    from lpublish.publish import auth

    env = environment()
    config = config_from(site, env)
    outcome = SignOut(auth.web_host(config), auth.logout(config), env.github_token is not None)
    if fmt == "json":
        echo_envelope(LOGOUT, "logout", outcome)
        return
    key = "publish.cli.logout_ok" if outcome.removed else "publish.cli.logout_none"
    click.echo(t(key, host=outcome.host))
    if outcome.environment_token:
        click.echo(t("publish.cli.logout_env_still_set"))


@click.command()
@site_option
@format_option("text", "json")
def whoami(site: Path | None, fmt: str) -> None:
    """Show which GitHub account lpublish uses, and where the sign-in comes from."""
    from lpublish.publish import auth
    from lpublish.publish.client import forge_for

    env = environment()
    config = config_from(site, env)
    source = auth.token_source(config, env)
    token = auth.require_token(config, env)
    user = forge_for(config, token).get_user()
    if fmt == "json":
        echo_envelope(
            WHOAMI, "whoami", Identity(user.login, user.name, user.id, auth.web_host(config), source)
        )
        return
    click.echo(
        t("publish.cli.whoami", login=user.login, name=user.name or user.login, host=auth.web_host(config))
    )
    click.echo(t(f"publish.cli.source.{source or 'none'}"))
