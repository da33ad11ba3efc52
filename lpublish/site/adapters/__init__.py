"""Site adapters: who builds the site (lpublish's generator, the site's own command, or nobody).

Owns: ``adapter_for(config)`` (the adapter ``[build] adapter`` names, presets already applied at load)
and the re-exports of the interface. Everything downstream (build, preview, check, workflows, schedule,
deploy) asks the adapter instead of assuming lpublish's generator. Must not import UI libraries.
"""

from __future__ import annotations

from lpublish.config import SiteConfig
from lpublish.environment import Environment
from lpublish.site.adapters.base import AdapterBuildResult, DevServer, SiteAdapter
from lpublish.site.adapters.command import CommandAdapter
from lpublish.site.adapters.lpublish_gen import LpublishAdapter
from lpublish.site.adapters.static import StaticAdapter
from lpublish.site.own_files import DEFAULT_EXCLUDE, is_excluded

__all__ = [
    "DEFAULT_EXCLUDE",
    "AdapterBuildResult",
    "CommandAdapter",
    "DevServer",
    "LpublishAdapter",
    "SiteAdapter",
    "StaticAdapter",
    "adapter_for",
    "is_excluded",
]


def adapter_for(config: SiteConfig, env: Environment | None = None) -> SiteAdapter:
    """The adapter that builds this site; generators run in ``env`` (default: this process's)."""
    kind = config.build.adapter
    if kind == "command":
        return CommandAdapter(config, env)
    if kind == "static":
        return StaticAdapter(config, env)
    return LpublishAdapter(config, env)
