"""What the TUI works against: the site config, the forge, the token, practice mode, the clock.

Owns: ``TuiContext``, the one object a test or practice mode replaces to point the TUI at local
components (httpie's "injected environment" idea). Heavy modules (githubkit, GitPython) are imported
only inside the methods that need them, which run in worker threads, so start-up stays fast.
No UI imports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from lpublish.environment import Environment
from lpublish.errors import ConfigError, ExternalError, LpublishError

if TYPE_CHECKING:
    from lpublish.config import SiteConfig
    from lpublish.publish.forge import Forge
    from lpublish.sandbox.practice import PracticeSession


@dataclass
class TuiContext:
    """Everything a screen needs from the outside world.

    ``forge_factory(config, token)`` builds the forge client (default: GitHub via githubkit);
    ``token_resolver(config)`` finds the saved token (default: ``lpublish.publish.auth.resolve_token``).
    ``practice`` is the running practice session (simulated reviewer actions appear when set).
    ``env`` is the process environment, read once when the TUI starts (tests pass their own).
    """

    config: SiteConfig | None = None
    config_error: LpublishError | None = None
    token: str | None = None
    token_resolver: Callable[[SiteConfig], str | None] | None = None
    forge_factory: Callable[[SiteConfig, str], Forge] | None = None
    practice: PracticeSession | None = None
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    #: Where the file picker starts (the designer's home folder by default).
    start_dir: Path = field(default_factory=Path.home)
    #: Open links in the browser (tests and the tmux run turn it off; links are still recorded).
    open_browser: bool = True
    #: The TUI is an edge: its environment is read here, once, and passed down to the core.
    env: Environment = field(default_factory=Environment.from_os)
    _forge: Forge | None = field(default=None, repr=False)

    @classmethod
    def from_site(cls, site: Path | None = None) -> TuiContext:
        """Load the config the usual way; a broken config is kept to show as a dialog, not raised."""
        from lpublish.config import load_config

        try:
            return cls(config=load_config(site=site))
        except LpublishError as exc:
            return cls(config_error=exc)

    def require_config(self) -> SiteConfig:
        """The config, or the error that stopped it from loading."""
        if self.config is None:
            raise self.config_error or ConfigError("config.not_found", path=str(Path.cwd()))
        return self.config

    def resolve_token(self) -> str | None:
        """The designer's token (``None`` when not signed in). Runs in a worker thread."""
        if self.token:
            return self.token
        config = self.require_config()
        if self.token_resolver is not None:
            self.token = self.token_resolver(config)
        else:
            from lpublish.publish.auth import resolve_token

            self.token = resolve_token(config, self.env)
        return self.token

    def require_token(self) -> str:
        token = self.resolve_token()
        if not token:
            raise ExternalError("tui.not_signed_in")
        return token

    def forge(self) -> Forge:
        """The forge client for the signed-in designer (built once, in a worker thread)."""
        if self._forge is None:
            config = self.require_config()
            token = self.require_token()
            if self.forge_factory is not None:
                self._forge = self.forge_factory(config, token)
            else:
                from lpublish.publish.auth import TokenKeeper
                from lpublish.publish.client import forge_for

                # A session outlives one GitHub App token (8 h): the keeper refreshes it in time.
                self._forge = forge_for(config, token, token_provider=TokenKeeper(config, token, self.env))
        return self._forge

    def signed_in_with(self, token: str) -> None:
        """A new token from the sign-in flow: forget the old client."""
        self.token = token
        self._forge = None
