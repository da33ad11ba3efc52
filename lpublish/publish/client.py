"""Making the forge client: ``forge_for(config, token)`` for a site, ``forge_at(api_url, repo, token)``
for a workflow's flags.

Owns: the one place that constructs a ``GitHubForge`` (GitHub.com, GitHub Enterprise via ``api_url``,
or the local forge server, which speaks the same API). Front ends, CI commands and practice mode call
these instead of constructing clients themselves (``tests/publish/test_one_forge.py`` checks). Must not
import UI libraries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from lpublish.config import SiteConfig
from lpublish.errors import UsageError

if TYPE_CHECKING:
    from lpublish.publish.github import GitHubForge

logger = logging.getLogger(__name__)


def forge_at(
    api_url: str, repo: str, token: str, *, token_provider: Callable[[], str] | None = None
) -> GitHubForge:
    """A ``GitHubForge`` for ``repo`` (``owner/name``) at ``api_url``: what workflow flags and
    ``[forge]`` settings both come down to.

    ``token_provider`` gives the current token in a long session (the TUI's ``TokenKeeper``), so a
    token that expires meanwhile is renewed instead of failing the session."""
    # Imported here: githubkit is heavy, and commands that never talk to GitHub should not load it.
    from lpublish.publish.github import GitHubForge

    logger.info("GitHub client for %s at %s", repo, api_url)
    return GitHubForge(api_url, repo, token, token_provider=token_provider)


def forge_for(
    config: SiteConfig, token: str, *, token_provider: Callable[[], str] | None = None
) -> GitHubForge:
    """The forge for ``[forge] repo`` at ``[forge] api_url`` (``publish.no_repo`` without a repo)."""
    if not config.forge.repo:
        raise UsageError("publish.no_repo")
    return forge_at(config.forge.api_url, config.forge.repo, token, token_provider=token_provider)
