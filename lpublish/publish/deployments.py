"""Recording a deploy as a GitHub Deployment, so ``lpublish status`` can say "live" with the URL.

Owns: ``record_deployment`` (find the deployment GitHub Actions made for this commit and environment,
or create one, then add a status with ``environment_url`` and the run's log URL). One deployment per
commit and environment: a job with ``environment:`` already has one, and a second would show twice.
Must not import UI libraries.
"""

from __future__ import annotations

from dataclasses import dataclass

from lpublish.errors import UsageError
from lpublish.publish.forge import Deployment, DeploymentStatus, Forge

#: States GitHub accepts for a deployment status.
STATES = ("error", "failure", "inactive", "in_progress", "queued", "pending", "success")


@dataclass(frozen=True)
class DeploymentRecord:
    deployment: Deployment
    status: DeploymentStatus
    created: bool

    def to_dict(self) -> dict[str, object]:
        return {
            "deployment_id": self.deployment.id,
            "environment": self.deployment.environment,
            "sha": self.deployment.sha,
            "state": self.status.state,
            "environment_url": self.status.environment_url,
            "created": self.created,
        }


def record_deployment(
    forge: Forge,
    *,
    sha: str,
    environment: str,
    state: str,
    environment_url: str = "",
    log_url: str = "",
    ref: str = "",
) -> DeploymentRecord:
    """Add a status to the deployment of ``sha`` in ``environment`` (created when there is none)."""
    if state not in STATES:
        raise UsageError("services.deployment.bad_state", state=state, known=", ".join(STATES))
    if not sha:
        raise UsageError("services.deployment.no_sha")
    existing = forge.list_deployments(environment=environment, sha=sha)
    created = not existing
    deployment = existing[0] if existing else forge.create_deployment(ref=ref or sha, environment=environment)
    status = forge.create_deployment_status(
        deployment.id, state=state, environment_url=environment_url, log_url=log_url
    )
    return DeploymentRecord(deployment, status, created)
