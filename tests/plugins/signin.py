"""Signing in against the local forge: a forge with a device-flow app and a config pointed at it
(``auth_site``), a designer already signed in to ``forge_site`` through ``LPUBLISH_GITHUB_TOKEN``
(``signed_in``), an in-memory keyring backend (``memory_keyring``) and a clock that moves only when the
flow sleeps."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from lpublish.config import SiteConfig, load_config
from lpublish.sandbox.forge.server import LocalForge
from tests.plugins.forge import CLIENT_ID, ForgeSite


class AuthSite:
    """The local forge with a user and a device-flow app, and the sample config pointed at it in memory
    (sign-in needs no repository, so none is created)."""

    def __init__(self, forge: LocalForge, sample_site: Path) -> None:
        self.forge = forge
        self.url = forge.url
        forge.add_user("hana", "ghp_unused_" + "0" * 20, name="Hana Sato")
        forge.add_oauth_app(CLIENT_ID)
        self.config = load_config(site=sample_site)
        self.config.forge = self.config.forge.model_copy(
            update={"api_url": forge.url, "web_url": forge.url, "client_id": CLIENT_ID, "repo": "acme/lp"}
        )


@pytest.fixture
def auth_site(local_forge: LocalForge, sample_site: Path) -> AuthSite:
    return AuthSite(local_forge, sample_site)


@pytest.fixture
def signed_in(forge_site: ForgeSite, monkeypatch: pytest.MonkeyPatch) -> ForgeSite:
    """``forge_site`` with its designer's token in ``LPUBLISH_GITHUB_TOKEN`` (as a CI job or a shell
    that exported it: the CLI signs in with no prompt)."""
    monkeypatch.setenv("LPUBLISH_GITHUB_TOKEN", forge_site.token)
    return forge_site


def config_for(site: AuthSite) -> SiteConfig:
    """A fresh copy of the site's config (a test may change it without touching the others)."""
    return site.config.model_copy(deep=True).bind(site.config.root, site.config.path)


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps passwords in memory (the OS keychain is not available here)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if (service, username) not in self.items:
            raise PasswordDeleteError("not found")
        del self.items[(service, username)]


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """The process-wide keyring backend replaced by an empty ``MemoryKeyring`` for one test."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


class FakeClock:
    """Time that only moves when the flow sleeps, so tests check the waits without waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now
