"""The ``lpublish`` command group.

Owns: the top-level group, global options (``--lang``), lazy loading of subcommands (so ``lpublish``
starts fast and a broken optional part cannot break the others), and the single place that turns errors
into messages and exit codes. Running ``lpublish`` with no subcommand opens the designer's TUI.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import sys
from typing import Any

import click

from lpublish import __version__
from lpublish.cli.render import command_name, echo_error_envelope, requested
from lpublish.environment import Environment
from lpublish.errors import (
    ContentError,
    ExitCode,
    LpublishError,
    UsageError,
    is_file_name_error,
    is_symlink_loop,
    os_failure,
)
from lpublish.i18n import set_language, t, use_environment
from lpublish.logs import configure
from lpublish.results.envelope import dumps, error_envelope

#: subcommand name -> "module:attribute". Each command lives in its own module under lpublish.cli.
COMMANDS: dict[str, str] = {
    "check": "lpublish.cli.check_cmd:check",
    "fix": "lpublish.cli.check_cmd:fix",
    "config": "lpublish.cli.config_cmd:config",
    "build": "lpublish.cli.build_cmd:build",
    "preview": "lpublish.cli.build_cmd:preview",
    "login": "lpublish.cli.auth_cmd:login",
    "logout": "lpublish.cli.auth_cmd:logout",
    "whoami": "lpublish.cli.auth_cmd:whoami",
    "submit": "lpublish.cli.publish_cmd:submit",
    "status": "lpublish.cli.publish_cmd:status",
    "update": "lpublish.cli.publish_cmd:update",
    "withdraw": "lpublish.cli.publish_cmd:withdraw",
    "drafts": "lpublish.cli.publish_cmd:drafts",
    "deploy": "lpublish.cli.deploy_cmd:deploy",
    "rollback": "lpublish.cli.deploy_cmd:rollback",
    "record-deployment": "lpublish.cli.deployment_cmd:record_deployment_command",
    "comment": "lpublish.cli.ci_cmd:comment",
    "ci": "lpublish.cli.ci_cmd:ci",
    "init": "lpublish.cli.init_cmd:init",
    "practice": "lpublish.cli.tui_cmd:practice",
    "serve": "lpublish.cli.tui_cmd:serve",
    "tui": "lpublish.cli.tui_cmd:tui",
    "doctor": "lpublish.cli.doctor_cmd:doctor",
    "screenshots": "lpublish.cli.screenshots_cmd:screenshots",
}


class LazyGroup(click.Group):
    """A group that imports each subcommand only when it is used (click's documented pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | {n for n in COMMANDS if self._available(n)})

    def _available(self, name: str) -> bool:
        module = COMMANDS[name].split(":")[0]
        return importlib.util.find_spec(module) is not None

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is not None:
            return found
        target = COMMANDS.get(cmd_name)
        if target is None or not self._available(cmd_name):
            return None
        module_name, attr = target.split(":")
        command = getattr(importlib.import_module(module_name), attr)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        _add_lang_option(command)
        return command


def _add_lang_option(command: click.Command) -> None:
    """Accept ``--lang`` and ``--verbose`` after the subcommand too (``lpublish drafts --lang ja``), in
    every subcommand."""
    if any(p.name == "lang" for p in command.params):
        return
    command.params.append(_lang_option())
    if not any(p.name == "verbose" for p in command.params):
        command.params.append(_verbose_option())
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _add_lang_option(sub)


def _set_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value:
        set_language(value)
    return value


def _lang_option() -> click.Option:
    return click.Option(
        ["--lang"],
        type=click.Choice(["ja", "en"]),
        callback=_set_lang,
        expose_value=False,
        is_eager=True,
        help="Language for messages (default: LPUBLISH_LANG, then the system locale).",
    )


def _set_verbose(ctx: click.Context, param: click.Parameter, value: int) -> int:
    # Runs for the group's option and again for a subcommand's: the larger count wins.
    env = command_environment(ctx)
    if value or env.debug:
        configure(max(value, _verbosity.get("level", 0)), env)
        _verbosity["level"] = max(value, _verbosity.get("level", 0))
    return value


def command_environment(ctx: click.Context) -> Environment:
    """The environment ``main`` read for this run (kept as the root context's ``obj``)."""
    root = ctx.find_root()
    if not isinstance(root.obj, Environment):
        root.obj = Environment.from_os()
    return root.obj


_verbosity: dict[str, int] = {}


def _verbose_option() -> click.Option:
    return click.Option(
        ["-v", "--verbose"],
        count=True,
        callback=_set_verbose,
        expose_value=False,
        is_eager=True,
        help="Show what each step does on stderr (-vv: every detail; also LPUBLISH_DEBUG=1).",
    )


@click.group(
    cls=LazyGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.option(
    "--lang",
    type=click.Choice(["ja", "en"]),
    callback=_set_lang,
    expose_value=False,
    is_eager=True,
    help="Language for messages (default: LPUBLISH_LANG, then the system locale).",
)
@click.option(
    "-v",
    "--verbose",
    count=True,
    callback=_set_verbose,
    expose_value=False,
    is_eager=True,
    help="Show what each step does on stderr (-vv: every detail; also LPUBLISH_DEBUG=1).",
)
@click.version_option(__version__, prog_name="lpublish")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """lpublish: change the marketing site yourself, safely.

    Run without a command to open the designer's screen.
    """
    if ctx.invoked_subcommand is None:
        tui = cli.get_command(ctx, "tui")
        if tui is None:
            click.echo(ctx.get_help())
            return
        ctx.invoke(tui)


def report_error(exc: LpublishError) -> None:
    """Print a known error: title, message, details and the next step, to stderr; and, when the command
    was asked for ``--format json``, its envelope with the error on stdout."""
    echo_error_envelope(exc)
    err = sys.stderr
    click.secho(f"{t('common.error_prefix')}: {exc.title}", fg="red", bold=True, file=err)
    click.echo(exc.message, file=err)
    for detail in exc.details:
        click.echo(f"  - {detail}", file=err)
    if exc.hint:
        click.echo(f"{t('common.next_step')}: {exc.hint}", file=err)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the group and map every failure to an exit code, never a traceback.

    The process environment is read here, once: commands get it from the root context (``obj``)
    through ``lpublish.cli.options.environment()`` and pass it on to the core."""
    # Start-up makes ~10^5 long-lived objects (modules, classes, config schemas, botocore's models); at
    # the default threshold (700 allocations) the cyclic collector rescans them hundreds of times: 10-20 %
    # of a short command's CPU (measured on ``deploy``). Larger generations still collect every cycle.
    gc.set_threshold(20_000, 20, 20)
    env = Environment.from_os()
    use_environment(env)
    _verbosity.clear()  # a second in-process run (tests) starts from its own -v count
    requested.reset()
    try:
        result: Any = cli.main(args=argv, prog_name="lpublish", standalone_mode=False, obj=env)
    except LpublishError as exc:
        report_error(exc)
        sys.exit(int(exc.exit_code))
    except click.exceptions.Abort:  # a question not answered (Ctrl-C, or no terminal to ask on)
        echo_error_envelope(ContentError("common.cancelled"))
        click.echo(t("common.cancelled.title"), err=True)
        sys.exit(int(ExitCode.NOT_ACCEPTABLE))
    except click.ClickException as exc:
        if not _usage_envelope(exc, sys.argv[1:] if argv is None else argv):
            exc.show()
        sys.exit(int(ExitCode.USAGE))
    except KeyboardInterrupt:
        click.echo(t("common.cancelled.title"), err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except OSError as exc:  # permissions, read-only or full disk, link loops: a plain message, the path
        if env.debug:
            raise
        failure = os_failure(exc)
        report_error(failure)
        sys.exit(int(failure.exit_code))
    except Exception as exc:  # a bug: say so plainly, keep the traceback out of the designer's way
        if env.debug:
            raise
        if is_file_name_error(exc) or is_symlink_loop(exc):
            failure = os_failure(exc)
            report_error(failure)
            sys.exit(int(failure.exit_code))
        report_error(_internal(exc))
        sys.exit(int(ExitCode.NOT_ACCEPTABLE))
    code = result if isinstance(result, int) else 0
    sys.exit(code)


def _wants_json(argv: list[str]) -> bool:
    """Whether ``--format json`` (or the deprecated ``--json``) was given: read from the arguments, since
    a usage error stops click before the ``--format`` option is processed."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg in ("--json", "--format=json") or (arg == "--format" and argv[i + 1 : i + 2] == ["json"]):
            return True
    return requested.json


def _command_in(argv: list[str]) -> str:
    """The (sub)command named in ``argv`` (``ci schedule``), for a usage error click raised before it
    had a context for it; ``lpublish`` when none is named."""
    names: list[str] = []
    group: click.Command = cli
    ctx = click.Context(cli, info_name="lpublish")
    for arg in argv:
        if not isinstance(group, click.Group):
            break
        found = group.get_command(ctx, arg) if not arg.startswith("-") else None
        if found is not None:  # anything else is an option or an option's value: skip it
            names.append(arg)
            group = found
    return " ".join(names) or "lpublish"


def _usage_envelope(exc: click.ClickException, argv: list[str]) -> bool:
    """Print click's own usage error (unknown option, missing argument, bad choice) as a failure
    envelope when JSON was asked for, and a one-line explanation on stderr; ``False``: not asked."""
    if not _wants_json(argv):
        return False
    ctx = exc.ctx if isinstance(exc, click.UsageError) else None
    if requested.json and requested.command:
        command = requested.command  # raised while the command ran (``click.BadParameter`` of its own)
    elif ctx is not None and ctx.parent is not None:
        command = command_name(ctx)
    else:
        command = _command_in(argv)
    where = "lpublish" if command == "lpublish" else f"lpublish {command}"
    failure = UsageError("cli.usage", message=exc.format_message(), command=where)
    click.echo(dumps(error_envelope(command, failure)))
    click.echo(f"{t('common.error_prefix')}: {failure.message}", err=True)
    return True


def _internal(exc: Exception) -> LpublishError:
    return LpublishError("common.internal", error=f"{type(exc).__name__}")
