"""Settings the environment may override: the forge a command talks to.

Owns: ``FORGE_VARIABLES`` and ``apply_environment``. ``LPUBLISH_FORGE_REPO``, ``..._API_URL``,
``..._WEB_URL``, ``..._CLONE_URL`` and ``..._BASE`` replace the ``[forge]`` keys of the same names in
memory (the file is never changed). Practice mode on a designer's own site sets them so that
``lpublish submit``/``status`` in its clone talk to the local practice forge, not the site's GitHub.
The environment is passed in (a mapping), never read here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from pydantic import ValidationError

from lpublish.config.model import SiteConfig
from lpublish.errors import ConfigError

#: variable -> ``[forge]`` key
FORGE_VARIABLES = {
    "LPUBLISH_FORGE_REPO": "repo",
    "LPUBLISH_FORGE_API_URL": "api_url",
    "LPUBLISH_FORGE_WEB_URL": "web_url",
    "LPUBLISH_FORGE_CLONE_URL": "clone_url",
    "LPUBLISH_FORGE_BASE": "base",
}

logger = logging.getLogger(__name__)


def apply_environment(config: SiteConfig, environ: Mapping[str, str]) -> SiteConfig:
    """``config`` with the ``[forge]`` keys that ``environ`` overrides (validated like the file)."""
    update = {
        key: environ[var].strip() for var, key in FORGE_VARIABLES.items() if environ.get(var, "").strip()
    }
    if update:
        logger.info(
            "[forge] %s from the environment (%s)",
            ", ".join(sorted(update)),
            ", ".join(var for var, key in FORGE_VARIABLES.items() if key in update),
        )
        merged = config.forge.model_dump()
        merged.update(update)
        try:
            config.forge = type(config.forge).model_validate(merged)
        except ValidationError:
            names = ", ".join(var for var, key in FORGE_VARIABLES.items() if key in update)
            raise ConfigError("config_env.invalid", names=names) from None
    return config
