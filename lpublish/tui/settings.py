"""The TUI's remembered settings (the designer's language choice).

Owns: where the small settings file lives (``$LPUBLISH_HOME/settings.toml`` when that variable is set,
else the platform's user config folder) and reading/writing it. A missing or damaged file means
"defaults"; the designer is never stopped by it. No UI imports.
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass
from pathlib import Path

from lpublish.environment import Environment

SETTINGS_NAME = "settings.toml"

logger = logging.getLogger(__name__)


@dataclass
class TuiSettings:
    """What the TUI remembers between runs. ``language`` ``None`` means "follow the environment"."""

    language: str | None = None


def settings_path(env: Environment) -> Path:
    """The settings file (tests and practice mode isolate it with ``LPUBLISH_HOME``)."""
    home = env.lpublish_home
    if home is not None:
        return home / SETTINGS_NAME
    from platformdirs import user_config_path

    return user_config_path("lpublish", appauthor=False) / SETTINGS_NAME


def load_settings(target: Path) -> TuiSettings:
    """Read the settings; anything unreadable falls back to defaults (it is only a preference)."""
    try:
        data = tomllib.loads(target.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        logger.debug("no usable settings in %s (%s): defaults", target, type(exc).__name__)
        return TuiSettings()
    logger.debug("settings read from %s", target)
    language = data.get("language")
    return TuiSettings(language=language if language in ("ja", "en") else None)


def save_settings(settings: TuiSettings, target: Path) -> Path:
    """Write the settings atomically (a crash never leaves half a file)."""
    logger.info("saving settings to %s", target)
    target.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    if settings.language:
        lines.append(f'language = "{settings.language}"')
    tmp = target.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
    tmp.replace(target)
    return target
