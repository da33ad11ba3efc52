"""``lpublish init [DIR]``: scaffold lpublish into an existing site repository.

Owns: showing the guessed slots, asking for confirmation (unless ``--yes``), refusing to overwrite
(unless ``--force``), and printing the setup an engineer still has to do. The work is in
``lpublish.ci.scaffold``.
"""

from __future__ import annotations

from pathlib import Path

import click

from lpublish.ci.scaffold import InitPlan, plan_init, setup_markdown, write_init
from lpublish.i18n import t


def _show_slots(plan: InitPlan) -> None:
    if not plan.slots:
        click.echo(t("ci.init.no_images"))
        return
    total = sum(s.count for s in plan.slots)
    click.echo(t("ci.init.found", images=total, slots=len(plan.slots)))
    unknown = t("ci.init.unknown")
    for slot in plan.slots:
        size = f"{slot.min_width}x{slot.min_height}" if slot.min_width and slot.min_height else unknown
        budget = f"{(slot.max_bytes or 0) // 1000} kB" if slot.max_bytes else unknown
        click.echo(
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
        click.echo(t("adapters.init.none_detected", source=found.source))
    else:
        command = found.command or ("lpublish" if found.adapter == "lpublish" else "-")
        output = found.output or (found.source if found.adapter == "static" else "dist")
        click.echo(
            t(
                "adapters.init.detected",
                preset=found.preset or "lpublish",
                adapter=found.adapter,
                reasons=", ".join(found.reasons),
                command=command,
                output=output,
            )
        )
    click.echo(t("adapters.init.base", base=plan.base))
    if plan.defaults_used:
        click.echo(t("adapters.init.defaults"))
        for setting, value, flag in plan.defaults_used:
            click.echo(t("adapters.init.default_line", setting=setting, value=value, flag=flag))


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
        click.echo(t("adapters.init.unchanged"))
        return 0
    _show_detection(plan)
    _show_slots(plan)
    if plan.existing and not force:
        # Say so before asking anything: the answer would not matter.
        write_init(plan, force=False)
    if not yes and not click.confirm(t("ci.init.confirm"), default=True):
        click.echo(t("ci.init.declined"))
        return 1
    written = write_init(plan, force=force)
    click.echo(t("ci.init.written"))
    for path in written:
        if path not in plan.edits:
            click.echo(f"  {path.relative_to(plan.repo_root).as_posix()}")
    edited = [p for p in written if p in plan.edits]
    if edited:
        click.echo(t("adapters.init.edited"))
        for path in edited:
            click.echo(f"  {path.relative_to(plan.repo_root).as_posix()}")
    setup_path = next(p for p in plan.files if p.name == "lpublish-setup.md")
    click.echo("")
    click.echo(t("ci.init.next", path=setup_path.relative_to(plan.repo_root).as_posix()))
    click.echo("")
    click.echo(setup_markdown(plan.setup, site_dir=plan.site_dir), nl=False)
    return 0
