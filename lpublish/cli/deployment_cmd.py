"""``lpublish record-deployment``: record a deploy as a GitHub Deployment (used by site-deploy.yml).

Owns: reading the GitHub Actions environment (``GITHUB_TOKEN``, ``GITHUB_REPOSITORY``, ``GITHUB_SHA``,
``GITHUB_API_URL``, the run's URL) and printing the result (text, or the ``record-deployment`` envelope).
The work is ``lpublish.publish.deployments``.
"""

from __future__ import annotations

import logging

import click

from lpublish.cli import options
from lpublish.cli.options import format_option
from lpublish.cli.render import echo_envelope
from lpublish.errors import UsageError
from lpublish.i18n import t
from lpublish.publish.deployments import STATES, record_deployment
from lpublish.results.codecs import DEPLOYMENT

logger = logging.getLogger(__name__)


@click.command("record-deployment")
@click.option("--environment", default="production", show_default=True, help="GitHub environment name.")
@click.option(
    "--state", type=click.Choice(STATES), default="success", show_default=True, help="Deployment state."
)
@click.option("--url", "environment_url", default="", help="The deployed site's URL (environment_url).")
@click.option("--sha", default=None, help="The deployed commit (default: $GITHUB_SHA).")
@click.option("--ref", default=None, help="The branch deployed (default: $GITHUB_REF_NAME).")
@click.option(
    "--repo", default=None, envvar="GITHUB_REPOSITORY", help="owner/name (default: $GITHUB_REPOSITORY)."
)
@click.option("--api-url", default="https://api.github.com", envvar="GITHUB_API_URL", help="GitHub API URL.")
@click.option("--log-url", default=None, help="Link to the deploy log (default: this Actions run).")
@format_option("text", "json")
def record_deployment_command(
    environment: str,
    state: str,
    environment_url: str,
    sha: str | None,
    ref: str | None,
    repo: str | None,
    api_url: str,
    log_url: str | None,
    fmt: str,
) -> int:
    """Record a deploy as a GitHub Deployment with its status and URL (needs `deployments: write`)."""
    from lpublish.publish.client import forge_at

    env = options.environment()
    token = env.workflow_token
    if not token:
        raise UsageError("ci.comment.no_token")
    if not repo:
        raise UsageError("ci.comment.no_repo")
    forge = forge_at(api_url, repo, token)
    record = record_deployment(
        forge,
        sha=sha or env.github_sha or "",
        ref=ref or env.github_ref_name or "",
        environment=environment,
        state=state,
        environment_url=environment_url,
        log_url=log_url if log_url is not None else (env.github_run_url() or ""),
    )
    logger.info("deployment %s recorded as %s", record.deployment.id, record.status.state)
    if fmt == "json":
        echo_envelope(DEPLOYMENT, "record-deployment", record)
    else:
        click.echo(
            t(
                "services.deployment.recorded",
                environment=environment,
                state=record.status.state,
                url=record.status.environment_url or "-",
            )
        )
    return 0
