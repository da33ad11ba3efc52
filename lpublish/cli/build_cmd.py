"""``lpublish build`` and ``lpublish preview``: thin click wrappers over ``lpublish.site``."""

from __future__ import annotations

import signal
import threading
import time
import webbrowser
from pathlib import Path

import click

from lpublish.cli.options import config_from, format_option, site_option
from lpublish.cli.render import render_report
from lpublish.errors import ExitCode, LpublishError
from lpublish.findings import Report
from lpublish.i18n import t
from lpublish.progress import ProgressEvent
from lpublish.site.build import BuildResult, build_site, parse_now

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


@click.command()
@site_option
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Output folder (default: [site] out_dir, usually dist).",
)
@now_option
@format_option
def build(site: Path | None, out: Path | None, now: str | None, fmt: str) -> int:
    """Build the site: pages, campaign pages, responsive images, sitemap and manifest."""
    config = config_from(site)
    moment = parse_now(now, config) if now else None

    def progress(event: ProgressEvent) -> None:
        if fmt == "text" and event.total and event.done in (event.total,):
            click.echo(f"{t(event.stage)}: {event.done}/{event.total}", err=True)

    result = build_site(config, out, now=moment, progress=progress)
    report = Report(findings=list(result.findings), files_checked=len(result.pages))
    if fmt == "json":
        click.echo(render_report(report, "json", extra={"build": result.to_dict()}))
    else:
        if report.findings or fmt == "github":
            click.echo(render_report(report, fmt))
        if fmt == "text":
            for line in _page_lines(result):
                click.echo(line)
        click.echo(_summary(result))
        if not result.ok:
            click.echo(t("site.build.failed"), err=True)
    return int(ExitCode.OK if result.ok else ExitCode.NOT_ACCEPTABLE)


@click.command()
@site_option
@click.option(
    "--port", type=click.IntRange(0, 65535), default=0, help="Port on 127.0.0.1 (default: a free one)."
)
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in the web browser.")
@now_option
def preview(site: Path | None, port: int, open_browser: bool, now: str | None) -> int:
    """Preview the site on this computer, including scheduled campaigns; rebuilds when files change."""
    from lpublish.site.preview import PreviewServer

    config = config_from(site)
    moment = parse_now(now, config) if now else None

    first = [True]

    def rebuilt(result: BuildResult | None, exc: LpublishError | None) -> None:
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

    server = PreviewServer(config, port=port, now=moment, on_rebuild=rebuilt)
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
        while not stop.is_set():
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)
        server.stop()
        click.echo(t("site.preview.stopped"))
    return 0
