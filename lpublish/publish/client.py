"""Making the forge client for a site: ``forge_for(config, token)``.

Owns: the one place that turns ``[forge]`` settings into a ``Forge`` (GitHub.com, GitHub Enterprise via
``api_url``, or the local forge server, which speaks the same API). Front ends and practice mode call
this instead of constructing clients themselves. Must not import UI libraries.
"""

from __future__ import annotations

from lpublish.config import SiteConfig
from lpublish.errors import UsageError
from lpublish.publish.forge import Forge


def forge_for(config: SiteConfig, token: str) -> Forge:
    """A ``GitHubForge`` for ``[forge] repo`` at ``[forge] api_url``."""
    from lpublish.publish.github import GitHubForge

    if not config.forge.repo:
        raise UsageError("publish.no_repo")
    return GitHubForge(config.forge.api_url, config.forge.repo, token)
