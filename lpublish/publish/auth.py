"""Signing in to GitHub: where the token comes from, the OAuth device flow, and keeping tokens fresh.

Owns: ``resolve_token`` (environment ``LPUBLISH_GITHUB_TOKEN`` / ``GITHUB_TOKEN``, then the OS keyring,
then ``gh auth token``), the device flow (``start_device_flow`` / ``poll_device_flow``, polled with
httpx because githubkit's helper ignores ``slow_down`` and ``access_denied``), keyring storage with expiry
and refresh token (``store_token``, ``load_token``, ``delete_token``) and transparent refresh before expiry,
serialised across processes by a file lock (refresh tokens rotate on use), and ``TokenKeeper`` for
sessions that outlive one token.

Tokens are kept in the keyring under service ``lpublish`` and the forge host name, as JSON. They are never
logged, put in argv, or included in an exception. Must not import UI libraries.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lpublish.config import SiteConfig
from lpublish.environment import Environment
from lpublish.errors import ConfigError, ExternalError

KEYRING_SERVICE = "lpublish"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
#: Refresh this long before the access token expires, so a long submit never runs out mid-way.
REFRESH_MARGIN = 300.0

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeviceCode:
    """What the user needs to approve the sign-in: open ``verification_uri`` and type ``user_code``."""

    device_code: str
    user_code: str
    verification_uri: str
    expires_in: int
    interval: int


@dataclass(frozen=True)
class TokenSet:
    """An access token, with expiry and refresh token when the app issues expiring tokens."""

    access_token: str
    refresh_token: str | None = None
    expires_at: float | None = None
    refresh_expires_at: float | None = None

    def to_json(self) -> str:
        return json.dumps(
            {
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "expires_at": self.expires_at,
                "refresh_expires_at": self.refresh_expires_at,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> TokenSet:
        try:
            data = json.loads(text)
        except ValueError:
            # A bare token stored by hand (``keyring set lpublish github.com``).
            return cls(access_token=text.strip())
        if not isinstance(data, dict):
            return cls(access_token=str(text).strip())
        return cls(
            access_token=str(data.get("access_token", "")),
            refresh_token=data.get("refresh_token"),
            expires_at=data.get("expires_at"),
            refresh_expires_at=data.get("refresh_expires_at"),
        )

    def expired(self, now: float | None = None, margin: float = REFRESH_MARGIN) -> bool:
        if self.expires_at is None:
            return False
        return (now if now is not None else time.time()) >= self.expires_at - margin

    def __repr__(self) -> str:  # never show the token in tracebacks or logs
        return f"TokenSet(expires_at={self.expires_at!r}, refreshable={self.refresh_token is not None})"


def web_host(config: SiteConfig) -> str:
    """The key tokens are stored under: the forge's web host (``github.com``, ``ghe.example.com:8443``)."""
    parts = urlsplit(config.forge.web_url)
    return parts.netloc or config.forge.web_url


def _client_id(config: SiteConfig) -> str:
    client_id = config.forge.client_id.strip()
    if not client_id:
        raise ConfigError("publish.no_client_id")
    return client_id


# --- keyring --------------------------------------------------------------------------------------------


def load_token(host: str) -> TokenSet | None:
    """The token stored for ``host`` in the OS keyring, or ``None`` (also when no keyring works)."""
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            value = keyring.get_password(KEYRING_SERVICE, host)
        except (KeyringError, RuntimeError):
            return None
    except ImportError:  # pragma: no cover - keyring is a dependency
        return None
    if not value:
        return None
    tokens = TokenSet.from_json(value)
    return tokens if tokens.access_token else None


def store_token(host: str, tokens: TokenSet) -> None:
    """Save ``tokens`` in the OS keyring; raise ``ExternalError`` when no keyring can keep it."""
    import keyring
    from keyring.errors import KeyringError

    logger.info("saving the GitHub token for %s in the keyring", host)
    try:
        keyring.set_password(KEYRING_SERVICE, host, tokens.to_json())
    except (KeyringError, RuntimeError):
        raise ExternalError("publish.keyring_unavailable") from None
    # Some backends (the "null" keyring on headless machines) accept and forget: check it was kept.
    stored = load_token(host)
    if stored is None or stored.access_token != tokens.access_token:
        raise ExternalError("publish.keyring_unavailable")


def delete_token(host: str) -> bool:
    """Forget the stored token for ``host``; returns whether there was one."""
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    if load_token(host) is None:
        return False
    try:
        keyring.delete_password(KEYRING_SERVICE, host)
    except PasswordDeleteError:
        return False
    except (KeyringError, RuntimeError):
        raise ExternalError("publish.keyring_unavailable") from None
    return True


# --- where the token comes from -------------------------------------------------------------------------


def gh_cli_token(host: str, env: Environment) -> str | None:
    """``gh auth token --hostname HOST`` when the GitHub CLI is installed and signed in (else ``None``)."""
    gh = shutil.which("gh", path=env.get("PATH", os.defpath))
    if gh is None:
        logger.debug("no GitHub CLI (gh) on PATH")
        return None
    try:
        result = subprocess.run(
            [gh, "auth", "token", "--hostname", host.split(":")[0]],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
            env=env.for_child(GH_PROMPT_DISABLED="1"),
        )
    except (OSError, subprocess.SubprocessError):
        logger.debug("gh auth token could not run")
        return None
    token = result.stdout.strip()
    found = result.returncode == 0 and bool(token)
    logger.debug("gh auth token for %s: %s", host, "signed in" if found else f"exit {result.returncode}")
    return token if found else None


def token_source(config: SiteConfig, env: Environment) -> str | None:
    """Where ``resolve_token`` would take the token from: ``env``, ``keyring``, ``gh`` or ``None``."""
    if env.github_token:
        return "env"
    if load_token(web_host(config)) is not None:
        return "keyring"
    if gh_cli_token(web_host(config), env):
        return "gh"
    return None


def resolve_token(config: SiteConfig, env: Environment) -> str | None:
    """The token to use: env ``LPUBLISH_GITHUB_TOKEN``, ``GITHUB_TOKEN``, the keyring (refreshed if it is
    about to expire), then ``gh auth token``. ``None`` when the user has not signed in anywhere.

    Logs where the token came from (never the token itself)."""
    if env.github_token:
        logger.info("GitHub token from the environment")
        return env.github_token
    host = web_host(config)
    stored = load_token(host)
    if stored is not None:
        if stored.expired() and stored.refresh_token:
            logger.info("GitHub token from the keyring for %s: refreshing (about to expire)", host)
            return _refresh_shared(config, host).access_token
        if stored.expired(margin=0):
            raise ExternalError("publish.auth_expired")
        logger.info("GitHub token from the keyring for %s", host)
        return stored.access_token
    token = gh_cli_token(host, env)
    logger.info("GitHub token from %s", "gh auth token" if token else "nowhere: not signed in")
    return token


def _lock_path(host: str) -> Path:
    from platformdirs import user_cache_dir

    folder = Path(user_cache_dir("lpublish", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"token-{re.sub(r'[^A-Za-z0-9._-]', '_', host)}.lock"


def _refresh_shared(config: SiteConfig, host: str, *, timeout: float = 60.0) -> TokenSet:
    """Refresh the stored token under a lock shared by every lpublish process of this user.

    GitHub rotates the refresh token on every use: two processes refreshing with the same one would
    leave the slower one with a dead token (logged out). Under the lock, the keyring is read again, so
    whoever comes second uses the token the first one stored.
    """
    from filelock import FileLock, Timeout

    try:
        with FileLock(str(_lock_path(host)), timeout=timeout):
            current = load_token(host)
            if current is None:
                raise ExternalError("publish.not_signed_in")
            if not current.expired():
                return current  # another process refreshed while we waited
            if not current.refresh_token:
                raise ExternalError("publish.auth_expired")
            if current.refresh_expires_at is not None and current.refresh_expires_at <= time.time():
                raise ExternalError("publish.auth_expired")
            logger.info("refreshing the GitHub token for %s", host)
            refreshed = refresh_tokens(config, current)
            store_token(host, refreshed)
            return refreshed
    except Timeout:
        raise ExternalError("services.auth.refresh_busy") from None


class TokenKeeper:
    """The token for a long session (the TUI): refreshed before it expires, never kept past that.

    ``GitHubForge`` asks it before requests (at most every ``check_every`` seconds) and after a 401,
    so an 8-hour GitHub App token is renewed in time instead of failing the session.
    """

    def __init__(self, config: SiteConfig, token: str, env: Environment) -> None:
        self.config = config
        self.token = token
        self.env = env

    def __call__(self) -> str:
        self.token = resolve_token(self.config, self.env) or self.token
        return self.token


def require_token(config: SiteConfig, env: Environment) -> str:
    """Like ``resolve_token`` but raise ``ExternalError`` telling the user to sign in when there is none."""
    token = resolve_token(config, env)
    if not token:
        raise ExternalError("publish.not_signed_in")
    return token


# --- the OAuth device flow ---------------------------------------------------------------------------------


def _post(url: str, data: dict[str, str], *, timeout: float = 30.0) -> dict[str, Any]:
    # Imported here: ``import httpx`` pulls in click and rich (its CLI), which the core must not load.
    import httpx

    # The URL carries no secret (the codes and tokens travel in the form body, which is never logged).
    logger.debug("POST %s", url)
    try:
        response = httpx.post(url, data=data, headers={"Accept": "application/json"}, timeout=timeout)
    except httpx.HTTPError:
        raise ExternalError("publish.network", host=urlsplit(url).netloc) from None
    logger.debug("POST %s -> %s", url, response.status_code)
    if response.status_code >= 500:
        raise ExternalError("publish.server_error", host=urlsplit(url).netloc, status=response.status_code)
    if response.status_code == 404:
        raise ExternalError("publish.login_app_invalid")
    try:
        body = response.json()
    except ValueError:
        raise ExternalError(
            "publish.server_error", host=urlsplit(url).netloc, status=response.status_code
        ) from None
    if not isinstance(body, dict):
        raise ExternalError("publish.server_error", host=urlsplit(url).netloc, status=response.status_code)
    return body


def start_device_flow(config: SiteConfig, *, scope: str = "repo") -> DeviceCode:
    """Ask the forge for a device code (``POST {web_url}/login/device/code``)."""
    client_id = _client_id(config)
    body = _post(
        config.forge.web_url.rstrip("/") + "/login/device/code", {"client_id": client_id, "scope": scope}
    )
    if "error" in body or "device_code" not in body:
        raise ExternalError("publish.login_app_invalid")
    return DeviceCode(
        device_code=str(body["device_code"]),
        user_code=str(body["user_code"]),
        verification_uri=str(
            body.get("verification_uri", config.forge.web_url.rstrip("/") + "/login/device")
        ),
        expires_in=int(body.get("expires_in", 900)),
        interval=int(body.get("interval", 5)),
    )


def _token_set(body: dict[str, Any], now: float) -> TokenSet:
    expires_in = body.get("expires_in")
    refresh_in = body.get("refresh_token_expires_in")
    return TokenSet(
        access_token=str(body["access_token"]),
        refresh_token=body.get("refresh_token"),
        expires_at=now + float(expires_in) if expires_in else None,
        refresh_expires_at=now + float(refresh_in) if refresh_in else None,
    )


def poll_device_flow(
    config: SiteConfig,
    device: DeviceCode,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    cancel: threading.Event | None = None,
) -> TokenSet:
    """Poll ``/login/oauth/access_token`` until the user approves, per RFC 8628 and GitHub's rules.

    Waits ``interval`` seconds between polls; ``slow_down`` adds 5 seconds (or uses the interval the
    server sends); ``access_denied`` and ``expired_token`` stop with a clear message. ``sleep`` and
    ``clock`` are injectable so tests do not wait for real.
    """
    from lpublish.progress import check_cancel

    client_id = _client_id(config)
    url = config.forge.web_url.rstrip("/") + "/login/oauth/access_token"
    interval = float(max(1, device.interval))
    deadline = clock() + device.expires_in
    while True:
        check_cancel(cancel)
        if clock() >= deadline:
            raise ExternalError("publish.login_expired")
        sleep(interval)
        check_cancel(cancel)
        body = _post(
            url, {"client_id": client_id, "device_code": device.device_code, "grant_type": DEVICE_GRANT}
        )
        error = body.get("error")
        if not error and body.get("access_token"):
            return _token_set(body, time.time())
        if error == "authorization_pending":
            continue
        if error == "slow_down":
            sent = body.get("interval")
            interval = float(sent) if isinstance(sent, int | float) and sent > interval else interval + 5
            continue
        if error == "access_denied":
            raise ExternalError("publish.login_denied")
        if error == "expired_token":
            raise ExternalError("publish.login_expired")
        raise ExternalError("publish.login_app_invalid")


def refresh_tokens(config: SiteConfig, tokens: TokenSet) -> TokenSet:
    """Exchange the refresh token for a new token set (GitHub Apps with expiring user tokens)."""
    if not tokens.refresh_token:
        raise ExternalError("publish.auth_expired")
    body = _post(
        config.forge.web_url.rstrip("/") + "/login/oauth/access_token",
        {
            "client_id": _client_id(config),
            "grant_type": "refresh_token",
            "refresh_token": tokens.refresh_token,
        },
    )
    if body.get("error") or not body.get("access_token"):
        raise ExternalError("publish.auth_expired")
    return _token_set(body, time.time())


def login(
    config: SiteConfig,
    *,
    show_code: Callable[[DeviceCode], None],
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    cancel: threading.Event | None = None,
) -> TokenSet:
    """The whole device-flow sign-in: get a code, ``show_code`` it (front ends also open the browser),
    poll until approved, store the token in the keyring. Returns the token set."""
    device = start_device_flow(config)
    show_code(device)
    tokens = poll_device_flow(config, device, sleep=sleep, clock=clock, cancel=cancel)
    store_token(web_host(config), tokens)
    return tokens


def logout(config: SiteConfig) -> bool:
    """Forget the stored token for this forge host; returns whether one was stored."""
    return delete_token(web_host(config))
