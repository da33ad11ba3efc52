"""``lpublish comment`` and ``lpublish ci ...``: the commands GitHub Actions workflows call.

Owns: reading the files earlier workflow steps wrote, posting the sticky status comment through the same
forge code as the TUI (``publish.client.forge_at``; token from ``GITHUB_TOKEN``), writing job summaries and step
outputs, and the scheduled-campaign decision. All logic is in ``lpublish.ci``; this only wires options
and prints (text, or with ``--format json`` the envelope of ``results.tool_codecs``).
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from lpublish.ci import schedule as schedule_mod
from lpublish.ci.comment import (
    CommentForge,
    RenderContext,
    mark_closed,
    plan_lines,
    render_closed,
    render_status,
    upsert_comment,
)
from lpublish.ci.inputs import load_inputs, read_deploy, read_result
from lpublish.ci.policies import AwsSetup
from lpublish.ci.scaffold import setup_markdown
from lpublish.ci.screenshots import ScreenshotResult
from lpublish.ci.summary import append_summary, set_outputs
from lpublish.cli.options import config_from, environment, format_option, site_option
from lpublish.cli.render import echo_envelope
from lpublish.config import SiteConfig
from lpublish.environment import Environment
from lpublish.errors import UsageError
from lpublish.i18n import t
from lpublish.results.tool_codecs import (
    COMMENT,
    DEPLOY_SUMMARY,
    SCHEDULE,
    SCREENSHOTS,
    SETUP_DOC,
    CommentOutcome,
    JobSummary,
    SetupDoc,
)

#: The login GitHub shows for comments made with a workflow's GITHUB_TOKEN (``GET /user`` is not allowed
#: for that token, so it cannot be asked).
ACTIONS_BOT = "github-actions[bot]"

logger = logging.getLogger(__name__)

_file = click.Path(path_type=Path, dir_okay=False)


def _site_prefix(config: SiteConfig, env: Environment) -> str:
    """The site folder relative to the repository root (for matching changed files)."""
    workspace = env.github_workspace
    base = workspace.resolve() if workspace else Path.cwd().resolve()
    try:
        rel = config.root.relative_to(base).as_posix()
    except ValueError:
        return "."
    return rel or "."


def make_forge(config: SiteConfig, *, repo: str | None, api_url: str | None, token: str) -> CommentForge:
    """The same GitHub client the TUI uses, pointed at the workflow's repository and API."""
    from lpublish.publish.client import forge_at

    forge: CommentForge = forge_at(api_url or config.forge.api_url, repo or config.forge.repo, token)
    return forge


def _author(forge: Any, explicit: str | None) -> str:
    """Whose comment is ours: ``--author``, else the token's user, else the Actions bot."""
    if explicit:
        return explicit
    try:
        return str(forge.get_user().login)
    except Exception:  # the Actions GITHUB_TOKEN may not read /user; it always comments as the bot
        return ACTIONS_BOT


def _bool(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _shots(path: Path | None) -> ScreenshotResult | None:
    """``screenshots.json`` (the ``screenshots`` envelope) read back through its codec; ``None`` when not
    given, missing, unreadable or without a result: no section."""
    return read_result(SCREENSHOTS, path) if path is not None else None


@click.command()
@site_option
@click.option("--pr", "pr", type=int, required=True, help="Pull request number.")
@click.option("--sha", default="", help="The pull request's head commit (for thumbnails and the footer).")
@click.option(
    "--check", "check_file", type=_file, help="Output of `lpublish check --format json` (its envelope)."
)
@click.option("--build", "build_file", type=_file, help="Output of `lpublish build --format json`.")
@click.option(
    "--preview", "preview_file", type=_file, help="Output of the preview `lpublish deploy --format json`."
)
@click.option("--preview-url", default="", help="The preview URL, when there is no preview deploy file.")
@click.option(
    "--plan",
    "plan_file",
    type=_file,
    help="Output of `lpublish deploy --dry-run --format json` (production).",
)
@click.option(
    "--changed", "changed_file", type=_file, help="Changed files, one per line (git diff --name-only)."
)
@click.option(
    "--summary",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="GITHUB_STEP_SUMMARY",
    help="Also append the status to this job summary file (default: $GITHUB_STEP_SUMMARY).",
)
@click.option(
    "--no-comment", is_flag=True, help="Only write the job summary (e.g. for pull requests from forks)."
)
@click.option("--closed", is_flag=True, help="The pull request was closed: mark the comment instead.")
@click.option("--merged", default="false", help="With --closed: whether it was merged (true/false).")
@click.option("--preview-removed", default="false", help="With --closed: whether the preview was removed.")
@click.option(
    "--repo", envvar="GITHUB_REPOSITORY", help="owner/name (default: $GITHUB_REPOSITORY, then [forge] repo)."
)
@click.option(
    "--api-url",
    envvar="GITHUB_API_URL",
    help="GitHub API URL (default: $GITHUB_API_URL, then [forge] api_url).",
)
@click.option(
    "--author", default=None, help="Login the status comment belongs to (default: the token's user)."
)
@click.option("--print", "print_body", is_flag=True, help="Print the comment body to standard output.")
@click.option(
    "--screenshots",
    "screenshots_file",
    type=_file,
    help="screenshots.json of `lpublish screenshots` (shown as before/after pictures).",
)
@click.option(
    "--screenshots-url",
    default="",
    help="Where the pictures are published: a URL, or a folder relative to the preview URL.",
)
@click.option(
    "--screenshots-artifact-url", default="", help="The workflow artifact holding the pictures (linked)."
)
@format_option("text", "json")
def comment(
    site: Path | None,
    pr: int,
    sha: str,
    check_file: Path | None,
    build_file: Path | None,
    preview_file: Path | None,
    preview_url: str,
    plan_file: Path | None,
    changed_file: Path | None,
    summary: Path | None,
    no_comment: bool,
    closed: bool,
    merged: str,
    preview_removed: str,
    repo: str | None,
    api_url: str | None,
    author: str | None,
    print_body: bool,
    screenshots_file: Path | None = None,
    screenshots_url: str = "",
    screenshots_artifact_url: str = "",
    fmt: str = "text",
) -> int:
    """Create or update the pull request's lpublish status comment (and the job summary)."""
    env = environment()
    config = config_from(site, env)
    repo = repo or config.forge.repo
    if closed:
        body = render_closed(None, merged=_bool(merged), preview_removed=_bool(preview_removed))
    else:
        inputs = load_inputs(
            pr,
            sha=sha,
            check=check_file,
            build=build_file,
            preview=preview_file,
            plan=plan_file,
            changed=changed_file,
        )
        ctx = RenderContext(
            site_prefix=_site_prefix(config, env),
            web_url=env.github_server_url or config.forge.web_url,
            repo=repo or "",
            page_budget=config.build.page_budget_bytes,
            preview_url=preview_url,
            no_preview_reason="ci.preview.next_job" if no_comment else "ci.preview.none",
            screenshots=_shots(screenshots_file),
            screenshots_url=screenshots_url,
            screenshots_artifact_url=screenshots_artifact_url,
        )
        body = render_status(inputs, ctx)
    as_json = fmt == "json"
    outcome = CommentOutcome(pr=pr, action="skipped", body=body)
    if summary and append_summary(summary, render_status_for_summary(body)):
        outcome.summary_written = True
        click.echo(t("ci.comment.summary_written"), err=as_json)
    if print_body and not as_json:  # in JSON the body is the result's ``body``
        click.echo(body)
    if no_comment:
        if as_json:
            echo_envelope(COMMENT, "comment", outcome)
        return 0
    # The workflow's GITHUB_TOKEN first: it is the one allowed to comment on the pull request.
    token = env.workflow_token
    if not token:
        raise UsageError("ci.comment.no_token")
    if not repo:
        raise UsageError("ci.comment.no_repo")
    forge = make_forge(config, repo=repo, api_url=api_url, token=token)
    who = _author(forge, author)
    if closed:
        result = mark_closed(
            forge, pr, author=who, merged=_bool(merged), preview_removed=_bool(preview_removed)
        )
    else:
        result = upsert_comment(forge, pr, body, author=who)
    url = result.url
    if not url and result.comment_id:
        web = (env.github_server_url or config.forge.web_url).rstrip("/")
        url = f"{web}/{repo}/pull/{pr}#issuecomment-{result.comment_id}"
    click.echo(t(f"ci.comment.{result.action}", url=url or f"#{pr}", pr=pr), err=as_json)
    if as_json:
        outcome.action, outcome.comment_id, outcome.url = result.action, result.comment_id, url
        echo_envelope(COMMENT, "comment", outcome)
    return 0


def render_status_for_summary(body: str) -> str:
    """The job summary shows the same Markdown without the hidden markers."""
    return "\n".join(line for line in body.splitlines() if not line.startswith("<!-- ")) + "\n"


@click.group()
def ci() -> None:
    """Helpers for GitHub Actions workflows (scheduled campaigns, summaries, setup docs)."""


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise UsageError("ci.schedule.bad_time", value=value) from None


@ci.command("schedule")
@site_option
@click.option(
    "--state",
    "state_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder kept between runs (actions/cache): last run time and build manifest.",
)
@click.option(
    "--plan",
    "plan_file",
    type=_file,
    help="Production `lpublish deploy --dry-run --format json` output, if any.",
)
@click.option("--manifest", type=_file, help="This build's manifest (default: <out>/.lpublish-build.json).")
@click.option("--now", "now_text", default=None, help="Decide as of this ISO 8601 time (default: now).")
@click.option("--summary", type=click.Path(path_type=Path, dir_okay=False), envvar="GITHUB_STEP_SUMMARY")
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), envvar="GITHUB_OUTPUT")
@format_option("text", "json")
def schedule(
    site: Path | None,
    state_dir: Path | None,
    plan_file: Path | None,
    manifest: Path | None,
    now_text: str | None,
    summary: Path | None,
    output: Path | None,
    fmt: str = "text",
) -> int:
    """Decide whether the scheduled run deploys; say which campaigns went live or ended."""
    config = config_from(site)
    now = _parse_time(now_text)
    plan = read_deploy(plan_file) if plan_file else None
    decision = schedule_mod.decide(config, now=now, state_dir=state_dir, plan=plan, manifest=manifest)
    append_summary(summary, schedule_mod.render_summary(decision))
    set_outputs(output, decision.outputs())
    if state_dir is not None:
        current = manifest or schedule_mod.build_manifest_path(config)
        schedule_mod.save_state(state_dir, decision, current)
    if fmt == "json":
        echo_envelope(SCHEDULE, "ci schedule", decision)
        return 0
    click.echo(
        t(
            "ci.schedule.decided",
            changed="true" if decision.changed else "false",
            went_live=len(decision.went_live),
            ended=len(decision.ended),
        )
    )
    return 0


@ci.command("deploy-summary")
@site_option
@click.argument("deploy_file", type=_file)
@click.option("--summary", type=click.Path(path_type=Path, dir_okay=False), envvar="GITHUB_STEP_SUMMARY")
@format_option("text", "json")
def deploy_summary(site: Path | None, deploy_file: Path, summary: Path | None, fmt: str = "text") -> int:
    """Write a deploy's result (`lpublish deploy --format json`) to the job summary."""
    config_from(site)
    plan = read_deploy(deploy_file)
    lines = [f"## {t('ci.deploy.head')}", ""]
    if plan is not None and plan.url:
        lines += [t("ci.deploy.site", url=plan.url), ""]
    lines += plan_lines(plan)
    text = "\n".join(lines) + "\n"
    written = append_summary(summary, text)
    if fmt == "json":
        echo_envelope(DEPLOY_SUMMARY, "ci deploy-summary", JobSummary(markdown=text, written=written))
    elif not written:
        click.echo(text)
    return 0


@ci.command("setup-doc")
@site_option
@click.option("--account-id", default="", help="Your 12-digit AWS account id (else a placeholder).")
@click.option("--site-dir", default="", help="The site folder relative to the repository root.")
@format_option("text", "json")
def setup_doc(site: Path | None, account_id: str, site_dir: str, fmt: str = "text") -> None:
    """Print the AWS + GitHub setup page (policies filled in from lpublish.toml)."""
    env = environment()
    config = config_from(site, env)
    setup = AwsSetup.from_config(config, account_id=account_id)
    markdown = setup_markdown(setup, site_dir=site_dir or _site_prefix(config, env))
    if fmt == "json":
        echo_envelope(SETUP_DOC, "ci setup-doc", SetupDoc(markdown=markdown))
    else:
        click.echo(markdown, nl=False)
