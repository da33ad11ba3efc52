"""``lpublish deploy`` and ``lpublish rollback``: thin click wrappers over ``lpublish.deploy``.

Owns: choosing the target from config or flags, printing the summary or the ``deploy`` / ``rollback``
envelope (``--format json``), appending Markdown to ``$GITHUB_STEP_SUMMARY`` (through the 1 MiB guard of
``lpublish.ci.summary``). All the work (and every error) is in the core.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import click

from lpublish.ci.summary import append_summary
from lpublish.cli.options import environment, format_option, site_option
from lpublish.cli.progress_view import progress_view
from lpublish.cli.render import echo_envelope
from lpublish.config import SiteConfig, load_config
from lpublish.config.deploy_rules import MAX_PR, check_prefix
from lpublish.deploy import engine
from lpublish.deploy import rollback as restore
from lpublish.deploy.configured import options_from_config, target_from_config, target_from_url
from lpublish.deploy.engine import DeployResult
from lpublish.deploy.report import markdown_summary, summary_lines
from lpublish.deploy.target import Target
from lpublish.environment import Environment
from lpublish.errors import ConfigError, ExternalError, UsageError
from lpublish.i18n import t
from lpublish.results.deploy_codecs import DEPLOY, RELEASES, ReleaseInfo

logger = logging.getLogger(__name__)


def _config(site: Path | None, required: bool) -> SiteConfig | None:
    try:
        return load_config(site=site)
    except ConfigError as exc:
        if not required and site is None and exc.key == "config.not_found":
            return None
        raise


def _target(
    config: SiteConfig | None,
    *,
    env: Environment,
    name: str | None,
    url: str | None,
    bucket: str | None,
    prefix: str | None,
    region: str | None,
    distribution: str | None,
    profile: str | None,
    pr: int | None,
    workers: int,
) -> Target:
    if url or bucket:
        _checked_flag("--prefix", prefix or "")
        if bucket:
            _checked_flag("--bucket", bucket, kind="bucket")
        address = url or f"s3://{bucket}"
        return target_from_url(
            address,
            env=env,
            prefix=prefix or "",
            region=region or "",
            distribution=distribution or "",
            profile=profile or "",
            workers=workers,
        )
    if config is None or not config.deploy.targets:
        raise UsageError("deploy.no_bucket")
    # Flags refine a configured target without editing lpublish.toml.
    return target_from_config(config, name, env=env, pr=pr, distribution=distribution)


def _checked_flag(flag: str, value: str, kind: str = "prefix") -> None:
    """The same rules as lpublish.toml's deploy keys, for the flags that name a place to write or delete."""
    from lpublish.config.deploy_rules import check_bucket

    try:
        check_bucket(value, key=flag) if kind == "bucket" else check_prefix(value, key=flag)
    except ValueError as exc:
        raise UsageError("security.deploy.bad_flag", flag=flag, problem=str(exc)) from None


def _emit(
    command: str, result: DeployResult, fmt: str, env: Environment, *, preview: bool, exit_code: int = 0
) -> None:
    if fmt == "json":
        echo_envelope(DEPLOY, command, result, exit_code=exit_code)
    else:
        for line in summary_lines(result, preview=preview):
            click.echo(line)
    if append_summary(env.step_summary_path, markdown_summary(result, preview=preview)):
        logger.info("deploy summary appended to the job summary")


_target_options = [
    click.option(
        "--target", "target_name", default=None, help="A target from [deploy.targets] in lpublish.toml."
    ),
    click.option(
        "--url",
        default=None,
        help="Deploy address instead of a configured target: s3://bucket/prefix or file:///path.",
    ),
    click.option("--bucket", default=None, help="S3 bucket (no lpublish.toml needed)."),
    click.option("--prefix", default=None, help="Key prefix inside the bucket."),
    click.option("--region", default=None, help="AWS region of the bucket."),
    click.option("--distribution", default=None, help="CloudFront distribution id to invalidate."),
    click.option("--profile", default=None, help="AWS profile (default: the standard credential chain)."),
    click.option(
        "--pr",
        type=click.IntRange(1, MAX_PR),
        default=None,
        help="Pull request number (preview targets).",
    ),
]


def _apply(options: list[Any]) -> Any:
    def decorate(fn: Any) -> Any:
        for option in reversed(options):
            fn = option(fn)
        return fn

    return decorate


@click.command("deploy")
@click.argument("directory", required=False, type=click.Path(path_type=Path, file_okay=False))
@site_option
@_apply(_target_options)
@click.option("--remove", "remove_prefix", is_flag=True, help="Delete the deployed preview (with --pr).")
@click.option("--dry-run", is_flag=True, help="Show the plan; change nothing.")
@click.option(
    "--verify", is_flag=True, help="Compare the record with a full bucket listing and repair drift."
)
@click.option("--wait", is_flag=True, help="Wait for the CloudFront invalidation to complete.")
@format_option("text", "json")
@click.option("--yes", is_flag=True, help="Go ahead even when a safety check refuses.")
@click.option("--workers", type=click.IntRange(1, 256), default=None, help="Parallel uploads.")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
@click.option(
    "--exclude",
    "exclude",
    multiple=True,
    metavar="PATTERN",
    help="Never upload files matching PATTERN (relative to DIRECTORY; repeatable), besides [deploy] exclude.",
)
def deploy(
    directory: Path | None,
    site: Path | None,
    target_name: str | None,
    url: str | None,
    bucket: str | None,
    prefix: str | None,
    region: str | None,
    distribution: str | None,
    profile: str | None,
    pr: int | None,
    remove_prefix: bool,
    dry_run: bool,
    verify: bool,
    wait: bool,
    fmt: str,
    yes: bool,
    workers: int | None,
    quiet: bool,
    exclude: tuple[str, ...],
) -> int:
    """Upload the built site: only what changed, pages last, then refresh the CDN.

    DIRECTORY defaults to the folder the site's build leaves (the generator's output, or the site folder
    itself for static sites). lpublish's own files (lpublish.toml, .lpublish*, .git/, .github/,
    node_modules/, _headers) are never uploaded. Without lpublish.toml give --bucket (or --url) and
    DIRECTORY. With --format json the full plan and result are printed as the deploy envelope.
    """
    env = environment()
    flags_only = bool(url or bucket)
    config = _config(site, required=not (flags_only and directory is not None))
    overrides: dict[str, Any] = {"dry_run": dry_run, "verify": verify, "wait": wait, "yes": yes}
    if workers:
        overrides["workers"] = workers
    options = options_from_config(None if flags_only else config, target_name, **overrides)
    target = _target(
        config,
        env=env,
        name=target_name,
        url=url,
        bucket=bucket,
        prefix=prefix,
        region=region,
        distribution=distribution,
        profile=profile,
        pr=pr,
        workers=options.workers,
    )
    preview = pr is not None
    if remove_prefix:
        if not preview and not prefix:
            raise UsageError("deploy.pr_required")
        if not target.prefix.strip("/"):
            # Removing "the preview" of a target without a per-PR prefix would delete the whole target.
            raise UsageError("security.deploy.remove_needs_prefix", url=target.url)
        result = restore.remove(target, options=options, env=env)
        _emit("deploy", result, fmt, env, preview=preview)
        return 0
    patterns = list(options.exclude)
    if config is not None:
        # Imported here: it brings the site's build machinery (Jinja2, Pillow ...), which a
        # ``--bucket DIRECTORY`` deploy without lpublish.toml never needs (~0.2 s of start-up).
        from lpublish.site.adapters import adapter_for

        adapter = adapter_for(config, env)
        patterns = adapter.publish_exclude()
    if directory is None:
        if config is None:
            raise UsageError("deploy.no_source", path="DIRECTORY")
        directory = adapter.output_dir()
    options.exclude = [*patterns, *exclude]
    rules = config.headers if config is not None else []
    try:
        result = engine.deploy(
            directory, target, rules=rules, options=options, env=env, progress=progress_view(fmt, quiet=quiet)
        )
    except ExternalError as exc:
        if dry_run and exc.key == "deploy.no_credentials":
            # A dry run compares with what is online, so it reads the bucket: say exactly what it needs.
            raise ExternalError("designer.deploy.dry_run_read", target=target.url) from None
        raise
    code = 1 if result.refused else 0
    _emit("deploy", result, fmt, env, preview=preview, exit_code=code)
    return code


@click.command("rollback")
@site_option
@_apply(_target_options)
@click.option(
    "--to", "to", default=None, help="Release id (or its start) to restore; default: the previous one."
)
@click.option("--list", "list_only", is_flag=True, help="List the recorded releases and exit.")
@click.option("--dry-run", is_flag=True, help="Show what would be restored; change nothing.")
@format_option("text", "json")
@click.option("--yes", is_flag=True, help="Go ahead even when a safety check refuses.")
@click.option("--wait", is_flag=True, help="Wait for the CloudFront invalidation to complete.")
def rollback(
    site: Path | None,
    target_name: str | None,
    url: str | None,
    bucket: str | None,
    prefix: str | None,
    region: str | None,
    distribution: str | None,
    profile: str | None,
    pr: int | None,
    to: str | None,
    list_only: bool,
    dry_run: bool,
    fmt: str,
    yes: bool,
    wait: bool,
) -> int:
    """Put back an earlier release without rebuilding (server-side copies)."""
    env = environment()
    flags_only = bool(url or bucket)
    config = _config(site, required=not flags_only)
    options = options_from_config(
        None if flags_only else config, target_name, dry_run=dry_run, yes=yes, wait=wait
    )
    target = _target(
        config,
        env=env,
        name=target_name,
        url=url,
        bucket=bucket,
        prefix=prefix,
        region=region,
        distribution=distribution,
        profile=profile,
        pr=pr,
        workers=options.workers,
    )
    if list_only:
        current, _ = target.read_manifest()
        releases = [
            ReleaseInfo(
                id=r.id,
                commit=r.commit,
                created=r.created,
                files=len(r.manifest.files),
                current=bool(current and current.deploy_id == r.id),
            )
            for r in restore.list_releases(target)
        ]
        if fmt == "json":
            echo_envelope(RELEASES, "rollback --list", releases)
            return 0
        click.echo(t("deploy.cli.releases_header"))
        for release in releases:
            mark = f"  ({t('deploy.cli.current')})" if release.current else ""
            click.echo(f"  {release.id}  {release.commit[:12] or '-'}  {release.files}{mark}")
        return 0
    result = restore.rollback(target, to=to, options=options, env=env)
    _emit("rollback", result, fmt, env, preview=pr is not None)
    return 0
