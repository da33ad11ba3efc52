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


@click.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False), default=".")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--repo", default="", help="owner/name on GitHub (default: from the origin remote).")
@click.option("--account-id", default="", help="Your AWS account id, to fill into the policies.")
@click.option("--bucket", default="", help="Production S3 bucket (default: <repo name>-site).")
@click.option("--preview-bucket", default="", help="Preview S3 bucket (default: <repo name>-previews).")
@click.option("--distribution", default="", help="Production CloudFront distribution id.")
@click.option("--site-url", default="", help="The public URL of the site.")
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
) -> int:
    """Set up lpublish in an existing site: lpublish.toml, workflows and docs.

    Slots are guessed from the images already in DIRECTORY (grouped by folder). Existing files are
    never overwritten without --force.
    """
    plan = plan_init(
        directory,
        repo=repo,
        account_id=account_id,
        bucket=bucket,
        preview_bucket=preview_bucket,
        distribution=distribution,
        site_url=site_url,
    )
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
        click.echo(f"  {path.relative_to(plan.repo_root).as_posix()}")
    setup_path = plan.repo_root / "docs" / "lpublish-setup.md"
    click.echo("")
    click.echo(t("ci.init.next", path=setup_path.relative_to(plan.repo_root).as_posix()))
    click.echo("")
    click.echo(setup_markdown(plan.setup, site_dir=plan.site_dir), nl=False)
    return 0
