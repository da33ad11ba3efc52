"""``lpublish doctor``: is this computer ready to publish? Each check in plain words, with what to do.

Owns: the doctor's checks (git, the site's settings, sign-in, access to the site's repository, the
terminal's capabilities) as ``DoctorCheck`` results (``lpublish.results.types``), and their rendering
(text, or the ``doctor`` envelope with ``--format json``). ``--offline``
skips the checks that need the network (release smoke tests run it on a fresh machine). Exit code 0 when
every check passed, 1 when something needs doing (the exit-code contract's "state not acceptable").
"""

from __future__ import annotations

import locale
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from lpublish import __version__
from lpublish.cli.options import environment, format_option, site_option
from lpublish.cli.render import echo_envelope
from lpublish.environment import Environment
from lpublish.errors import LpublishError
from lpublish.i18n import t
from lpublish.results.codecs import DOCTOR
from lpublish.results.types import DoctorCheck, DoctorReport

logger = logging.getLogger(__name__)

#: The smallest terminal the screens are designed for.
MIN_COLUMNS, MIN_ROWS = 80, 24


def _ok(check: str, key: str, **params: Any) -> DoctorCheck:
    return DoctorCheck(check, "ok", t(f"designer.doctor.{key}", **params))


def _problem(check: str, key: str, **params: Any) -> DoctorCheck:
    return DoctorCheck(
        check, "problem", t(f"designer.doctor.{key}", **params), t(f"designer.doctor.{key}_hint", **params)
    )


def _from_error(name: str, exc: LpublishError) -> DoctorCheck:
    return DoctorCheck(name, "problem", f"{exc.title}: {exc.message}", exc.hint)


def check_git() -> DoctorCheck:
    git = shutil.which("git")
    if git is None:
        return _problem("git", "git_missing")
    try:
        version = subprocess.run(
            [git, "--version"], capture_output=True, text=True, timeout=20, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return _problem("git", "git_broken", path=git)
    return _ok("git", "git_ok", version=version.removeprefix("git version "))


def check_line_breaking() -> DoctorCheck:
    """Japanese text in the designer's screen is broken between phrases by BudouX's model, which ships
    as data inside the install: a standalone build that left it out would crash on the first message."""
    from lpublish.tui.wrap import line_breaking_available

    if line_breaking_available():
        return _ok("line-breaking", "line_breaking_ok")
    return _problem("line-breaking", "line_breaking_missing")


def check_terminal(
    env: Mapping[str, str], *, is_tty: bool, size: os.terminal_size, encoding: str
) -> list[DoctorCheck]:
    """What the designer's screen needs: a real terminal, UTF-8, colours, 80x24 or more."""
    checks: list[DoctorCheck] = []
    if not is_tty:
        checks.append(DoctorCheck("terminal", "skipped", t("designer.doctor.not_a_terminal")))
        return checks
    if "utf" not in encoding.lower().replace("-", ""):
        checks.append(_problem("encoding", "encoding_bad", encoding=encoding))
    else:
        checks.append(_ok("encoding", "encoding_ok"))
    colour = env.get("COLORTERM", "").lower() in ("truecolor", "24bit") or sys.platform == "win32"
    term = env.get("TERM", "")
    if colour:
        checks.append(_ok("colours", "colours_ok"))
    elif term in ("", "dumb"):
        checks.append(_problem("colours", "colours_none", term=term or "-"))
    else:
        checks.append(DoctorCheck("colours", "ok", t("designer.doctor.colours_256", term=term)))
    if size.columns < MIN_COLUMNS or size.lines < MIN_ROWS:
        checks.append(_problem("size", "size_small", columns=size.columns, rows=size.lines))
    else:
        checks.append(_ok("size", "size_ok", columns=size.columns, rows=size.lines))
    return checks


def run_checks(site: Path | None, *, offline: bool, env: Environment | None = None) -> list[DoctorCheck]:
    from lpublish.config import load_config

    checks = [DoctorCheck("lpublish", "ok", t("designer.doctor.version", version=__version__)), check_git()]
    try:
        config = load_config(site=site)
    except LpublishError as exc:
        checks.append(_from_error("site", exc))
    else:
        checks.append(_ok("site", "site_ok", name=config.site.name, path=str(config.root)))
        checks.extend(_account_checks(config, offline=offline))
    checks.append(check_line_breaking())
    checks.extend(
        check_terminal(
            (env or environment()).values,
            is_tty=sys.stdout.isatty(),
            size=shutil.get_terminal_size((0, 0)),
            encoding=sys.stdout.encoding or locale.getpreferredencoding(False),
        )
    )
    return checks


def _account_checks(config: Any, *, offline: bool) -> list[DoctorCheck]:
    from lpublish.publish.auth import resolve_token

    try:
        token = resolve_token(config, environment())
    except LpublishError as exc:
        return [_from_error("sign-in", exc)]
    if not token:
        return [_problem("sign-in", "not_signed_in")]
    if offline:
        return [
            DoctorCheck("sign-in", "ok", t("designer.doctor.token_found")),
            DoctorCheck("repository", "skipped", t("designer.doctor.offline", repo=config.forge.repo)),
        ]
    from lpublish.publish.client import forge_for

    checks: list[DoctorCheck] = []
    try:
        forge = forge_for(config, token)
        user = forge.get_user()
    except LpublishError as exc:
        return [_from_error("sign-in", exc)]
    checks.append(_ok("sign-in", "signed_in", login=user.login))
    try:
        repo = forge.get_repo()
    except LpublishError as exc:
        checks.append(_from_error("repository", exc))
        return checks
    if repo.can_push is False:
        checks.append(_problem("repository", "repo_read_only", repo=config.forge.repo, login=user.login))
    else:
        checks.append(_ok("repository", "repo_ok", repo=config.forge.repo))
    return checks


MARKS = {"ok": "✓", "problem": "✗", "skipped": "–"}


@click.command()
@site_option
@click.option("--offline", is_flag=True, help="Skip the checks that need the network.")
@format_option("text", "json")
def doctor(site: Path | None, offline: bool, fmt: str) -> int:
    """Check that this computer is ready: git, the site, sign-in, access to the repository, the terminal."""
    report = DoctorReport(run_checks(site, offline=offline, env=environment()))
    checks, failed = report.checks, report.failed
    logger.info("doctor: %d checks, %d to act on", len(checks), len(failed))
    if fmt == "json":
        echo_envelope(DOCTOR, "doctor", report, exit_code=1 if failed else 0)
        return 1 if failed else 0
    for check in checks:
        colour = {"ok": "green", "problem": "red"}.get(check.status)
        mark = MARKS[check.status]
        try:
            click.secho(f"{mark} {check.message}", fg=colour)
        except UnicodeEncodeError:  # a terminal that cannot show ✓ still gets the words
            click.secho(f"{check.status.upper()}: {check.message}", fg=colour)
        if check.hint:
            click.echo(f"    {t('common.next_step')}: {check.hint}")
    click.echo("")
    click.echo(
        t("designer.doctor.all_ok") if not failed else t("designer.doctor.some_problems", count=len(failed))
    )
    return 1 if failed else 0
