"""Making the forge client for a site: ``forge_for(config, token)``.

Owns: the one place that turns ``[forge]`` settings into a ``Forge`` (GitHub.com, GitHub Enterprise via
``api_url``, or the local forge server, which speaks the same API). Front ends and practice mode call
this instead of constructing clients themselves. Must not import UI libraries.
"""

from __future__ import annotations

from collections.abc import Callable

from lpublish.config import SiteConfig
from lpublish.errors import UsageError
from lpublish.publish.forge import Forge


def forge_for(config: SiteConfig, token: str, *, token_provider: Callable[[], str] | None = None) -> Forge:
    """A ``GitHubForge`` for ``[forge] repo`` at ``[forge] api_url``.

    ``token_provider`` gives the current token in a long session (the TUI's ``TokenKeeper``), so a
    token that expires meanwhile is renewed instead of failing the session."""
    from lpublish.publish.github import GitHubForge

    if not config.forge.repo:
        raise UsageError("publish.no_repo")
    return GitHubForge(config.forge.api_url, config.forge.repo, token, token_provider=token_provider)
