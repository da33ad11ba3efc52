"""``lpublish init [DIR]``: scaffold lpublish into an existing site repository.

Owns: showing the guessed slots, asking for confirmation (unless ``--yes``), refusing to overwrite
(unless ``--force``), and printing the setup an engineer still has to do. The work is in
``lpublish.ci.scaffold``. With ``--format json`` the lines for people go to stderr and stdout carries the
``init`` envelope (what was found and written).
"""

from __future__ import annotations

from pathlib import Path

import click

from lpublish.ci.scaffold import InitPlan, plan_init, setup_markdown, write_init
from lpublish.cli.options import format_option
from lpublish.cli.render import echo_envelope, requested
from lpublish.i18n import t
from lpublish.results.tool_codecs import INIT, InitOutcome, InitSlot


def _say(text: str = "", *, nl: bool = True) -> None:
    """A line for people: on stdout, or on stderr when stdout carries the JSON envelope."""
    click.echo(text, nl=nl, err=requested.json)


def _outcome(plan: InitPlan, written: list[Path], *, declined: bool, unchanged: bool) -> InitOutcome:
    def rel(path: Path) -> str:
        return path.relative_to(plan.repo_root).as_posix()

    setup_path = next((p for p in plan.files if p.name == "lpublish-setup.md"), None)
    return InitOutcome(
        repo_root=str(plan.repo_root),
        site_dir=plan.site_dir,
        adapter=plan.detection.adapter,
        preset=plan.detection.preset,
        slots=[InitSlot(s.name, s.path, s.count) for s in plan.slots],
        written=[rel(p) for p in written if p not in plan.edits],
        edited=[rel(p) for p in written if p in plan.edits],
        unchanged=unchanged,
        declined=declined,
        setup_file=rel(setup_path) if setup_path else "",
    )


def _finish(
    plan: InitPlan, written: list[Path], code: int, *, declined: bool = False, unchanged: bool = False
) -> int:
    if requested.json:
        outcome = _outcome(plan, written, declined=declined, unchanged=unchanged)
        echo_envelope(INIT, "init", outcome, exit_code=code)
    return code


def _show_slots(plan: InitPlan) -> None:
    if not plan.slots:
        _say(t("ci.init.no_images"))
        return
    total = sum(s.count for s in plan.slots)
    _say(t("ci.init.found", images=total, slots=len(plan.slots)))
    unknown = t("ci.init.unknown")
    for slot in plan.slots:
        size = f"{slot.min_width}x{slot.min_height}" if slot.min_width and slot.min_height else unknown
        budget = f"{(slot.max_bytes or 0) // 1000} kB" if slot.max_bytes else unknown
        _say(
            t(
                "ci.init.slot_line",
                name=slot.name,
                path=slot.path,
                count=slot.count,
                formats=", ".join(slot.formats),
                size=size,
                aspect=slot.aspect or unknown,
                budget=budget,
            )
        )


def _check_timezone(value: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(value, param_hint="--timezone") from None


def _show_detection(plan: InitPlan) -> None:
    found = plan.detection
    if not found.reasons:
        _say(t("adapters.init.none_detected", source=found.source))
    else:
        command = found.command or ("lpublish" if found.adapter == "lpublish" else "-")
        output = found.output or (found.source if found.adapter == "static" else "dist")
        _say(
            t(
                "adapters.init.detected",
                preset=found.preset or "lpublish",
                adapter=found.adapter,
                reasons=", ".join(found.reasons),
                command=command,
                output=output,
            )
        )
    _say(t("adapters.init.base", base=plan.base))
    if plan.defaults_used:
        _say(t("adapters.init.defaults"))
        for setting, value, flag in plan.defaults_used:
            _say(t("adapters.init.default_line", setting=setting, value=value, flag=flag))


@click.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False), default=".")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--repo", default="", help="owner/name on GitHub (default: from the origin remote).")
@click.option("--account-id", default="", help="Your AWS account id, to fill into the policies.")
@click.option("--bucket", default="", help="Production S3 bucket (default: <repo name>-site).")
@click.option("--preview-bucket", default="", help="Preview S3 bucket (default: <repo name>-previews).")
@click.option("--distribution", default="", help="Production CloudFront distribution id.")
@click.option(
    "--site-url", default="", help="The public URL of the site (default: https://www.example.com/)."
)
@click.option("--timezone", default="", help="The site's time zone for campaign times (default: Asia/Tokyo).")
@click.option("--region", default="", help="AWS region of the buckets (default: ap-northeast-1).")
@click.option(
    "--base", default="", help="Branch pull requests go to (default: origin/HEAD, else the current branch)."
)
@format_option("text", "json")
def init(
    directory: Path,
    force: bool,
    yes: bool,
    repo: str,
    account_id: str,
    bucket: str,
    preview_bucket: str,
    distribution: str,
    site_url: str,
    timezone: str,
    region: str,
    base: str,
    fmt: str = "text",
) -> int:
    """Set up lpublish in an existing site: lpublish.toml, workflows and docs.

    The site's generator (Hugo, Jekyll, Eleventy, Astro, Vite, Next export, plain HTML) is detected from
    its files; slots are guessed from the images already in DIRECTORY. Existing files are never
    overwritten without --force; running it again on a set-up repository changes nothing.
    """
    if timezone:
        _check_timezone(timezone)
    plan = plan_init(
        directory,
        repo=repo,
        account_id=account_id,
        bucket=bucket,
        preview_bucket=preview_bucket,
        distribution=distribution,
        site_url=site_url,
        timezone=timezone,
        region=region,
        base=base,
    )
    if plan.unchanged and not force:
        _say(t("adapters.init.unchanged"))
        return _finish(plan, [], 0, unchanged=True)
    _show_detection(plan)
    _show_slots(plan)
    if plan.existing and not force:
        # Say so before asking anything: the answer would not matter.
        write_init(plan, force=False)
    if not yes and not click.confirm(t("ci.init.confirm"), default=True, err=requested.json):
        _say(t("ci.init.declined"))
        return _finish(plan, [], 1, declined=True)
    written = write_init(plan, force=force)
    _say(t("ci.init.written"))
    for path in written:
        if path not in plan.edits:
            _say(f"  {path.relative_to(plan.repo_root).as_posix()}")
    edited = [p for p in written if p in plan.edits]
    if edited:
        _say(t("adapters.init.edited"))
        for path in edited:
            _say(f"  {path.relative_to(plan.repo_root).as_posix()}")
    setup_path = next(p for p in plan.files if p.name == "lpublish-setup.md")
    _say("")
    _say(t("ci.init.next", path=setup_path.relative_to(plan.repo_root).as_posix()))
    _say("")
    _say(setup_markdown(plan.setup, site_dir=plan.site_dir), nl=False)
    return _finish(plan, written, 0)
