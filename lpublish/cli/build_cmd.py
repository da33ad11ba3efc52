"""``lpublish build`` and ``lpublish preview``: thin click wrappers over ``lpublish.site``.

Owns: the build's text, annotations and JSON (the ``build`` envelope of ``lpublish.results``), streaming
the generator's own output to stderr, and the preview server's messages.
"""

from __future__ import annotations

import logging
import signal
import threading
import webbrowser
from pathlib import Path

import click

from lpublish.cli.options import config_from, environment, format_option, site_option
from lpublish.cli.progress_view import progress_view
from lpublish.cli.render import echo_envelope, render_report
from lpublish.errors import ExitCode, LpublishError
from lpublish.findings import Report
from lpublish.i18n import t
from lpublish.progress import ProgressEvent
from lpublish.results.codecs import BUILD
from lpublish.results.types import BuildOutput, BuildSummary
from lpublish.site.adapters import AdapterBuildResult, CommandAdapter, StaticAdapter, adapter_for
from lpublish.site.build import parse_now
from lpublish.site.build_result import BuildResult

logger = logging.getLogger(__name__)

now_option = click.option(
    "--now",
    "now",
    default=None,
    metavar="ISO8601",
    help="Build the site as it will look at this time (naive times use the site's time zone).",
)


def _summary(result: BuildResult) -> str:
    return t(
        "site.build.summary",
        pages=len(result.pages),
        out=str(result.out_dir),
        generated=result.generated,
        reused=result.reused,
        written=len(result.written),
        deleted=len(result.deleted),
        seconds=f"{result.seconds:.2f}",
    )


def _page_lines(result: BuildResult) -> list[str]:
    lines = []
    for page in result.pages:
        state = f", {page.state}" if page.state else ""
        lines.append(
            t(
                "site.build.page_line",
                url=page.url,
                title=page.title,
                weight=round(page.weight / 1024),
                state=state,
            )
        )
    return lines


def _adapter_summary(result: AdapterBuildResult) -> str:
    if result.adapter == "static":
        return t(
            "adapters.build.summary_static",
            pages=len(result.pages),
            files=len(result.files),
            out=str(result.out_dir),
        )
    return t(
        "adapters.build.summary",
        pages=len(result.pages),
        files=len(result.files),
        out=str(result.out_dir),
        command=result.command,
        seconds=f"{result.seconds:.2f}",
        generator=f"{result.generator_seconds:.2f}",
    )


@click.command()
@site_option
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Output folder (default: the generator's output folder; [site] out_dir for lpublish's generator).",
)
@click.option(
    "--install", "run_install", is_flag=True, help="Run [build] install (e.g. npm ci) before building."
)
@now_option
@format_option("text", "json", "github")
def build(site: Path | None, out: Path | None, run_install: bool, now: str | None, fmt: str) -> int:
    """Build the site with its generator (lpublish's own, the site's command, or none for static sites)."""
    config = config_from(site, environment())
    moment = parse_now(now, config) if now else None
    adapter = adapter_for(config)
    view = progress_view(fmt)

    def progress(event: ProgressEvent) -> None:
        if event.stage == "adapters.progress.output":
            click.echo(
                event.detail, err=True
            )  # the generator's own output (a log, not progress), as it comes
        else:
            view(event)

    if isinstance(adapter, CommandAdapter | StaticAdapter):
        outcome = adapter.build(out, progress=progress, now=moment, install=run_install)
    else:
        outcome = adapter.build(out, progress=progress, now=moment)
    report = Report(findings=list(outcome.findings), files_checked=len(outcome.pages))
    code = int(ExitCode.OK if outcome.ok else ExitCode.NOT_ACCEPTABLE)
    logger.info("built %d pages with %s into %s", len(outcome.pages), outcome.adapter, outcome.out_dir)
    if fmt == "json":
        echo_envelope(BUILD, "build", BuildOutput(report, BuildSummary.of(outcome)), exit_code=code)
        return code
    if report.findings or fmt == "github":
        click.echo(render_report(report, fmt))
    if outcome.lpublish is not None:
        if fmt == "text":
            for line in _page_lines(outcome.lpublish):
                click.echo(line)
        click.echo(_summary(outcome.lpublish))
    else:
        click.echo(_adapter_summary(outcome))
    if not outcome.ok:
        click.echo(t("site.build.failed"), err=True)
    return code


@click.command()
@site_option
@click.option(
    "--port", type=click.IntRange(0, 65535), default=0, help="Port on 127.0.0.1 (default: a free one)."
)
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in the web browser.")
@click.option(
    "--no-dev", "no_dev", is_flag=True, help="Serve the built site even when [build] dev_command is set."
)
@click.option(
    "--dev-wait",
    type=click.FloatRange(1, 3600),
    default=60.0,
    show_default=True,
    help="Seconds to wait for the site's dev server before serving the built site instead.",
)
@now_option
def preview(
    site: Path | None, port: int, open_browser: bool, no_dev: bool, dev_wait: float, now: str | None
) -> int:
    """Preview the site on this computer (the site's dev server, or the built site rebuilt on change)."""
    from lpublish.site.preview import PreviewServer

    config = config_from(site, environment())
    moment = parse_now(now, config) if now else None

    first = [True]

    def rebuilt(result: AdapterBuildResult | None, exc: LpublishError | None) -> None:
        initial, first[0] = first[0], False
        if exc is not None:
            click.echo(t("site.preview.rebuild_failed", error=exc.message), err=True)
        elif result is not None:
            report = Report(findings=list(result.findings), files_checked=len(result.pages))
            if report.findings:
                click.echo(render_report(report, "text"))
            if initial:
                return  # the first build is announced by the "running at" line
            summary = report.summary()
            click.echo(
                t(
                    "site.preview.rebuilt",
                    pages=len(result.pages),
                    errors=summary["errors"],
                    warnings=summary["warnings"],
                )
            )

    server = PreviewServer(
        config,
        port=port,
        now=moment,
        on_rebuild=rebuilt,
        dev=not no_dev,
        dev_wait=dev_wait,
        on_status=lambda message: click.echo(message, err=True),
    )
    url = server.start()
    click.echo(t("site.preview.serving", url=url))
    if open_browser:
        webbrowser.open(url)
    stop = threading.Event()

    def terminate(signum: int, frame: object) -> None:
        stop.set()  # `kill` / a closing terminal: stop cleanly and remove the temporary folder

    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, terminate) if in_main else None
    try:
        server.serve_until(stop)
    except KeyboardInterrupt:
        pass
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)
        server.stop()
        click.echo(t("site.preview.stopped"))
    return 0
