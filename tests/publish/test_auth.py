"""Sign-in: the device flow against the local forge (pending, slow_down, access_denied, expiry), token
storage in a keyring, transparent refresh of expiring tokens, and where tokens are taken from."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from lpublish.config import SiteConfig, load_config
from lpublish.errors import ExternalError
from lpublish.publish import auth
from lpublish.publish.github import GitHubForge
from lpublish.sandbox.forge_server import LocalForge
from tests.plugins.forge import CLIENT_ID


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
def forge_site(local_forge: LocalForge, sample_site: Path) -> AuthSite:
    return AuthSite(local_forge, sample_site)


def config_for(site: AuthSite) -> SiteConfig:
    return site.config.model_copy(deep=True).bind(site.config.root, site.config.path)


def forge_for(site: AuthSite, token: str) -> GitHubForge:
    return GitHubForge(site.url, "acme/lp", token)


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


def test_device_flow_waits_honours_slow_down_and_stores_the_token(
    forge_site: AuthSite, memory_keyring: MemoryKeyring
) -> None:
    forge_site.forge.set_device_policy("hana", pending=2, slow_down=1)
    config = config_for(forge_site)
    clock = FakeClock()
    shown: list[auth.DeviceCode] = []
    tokens = auth.login(config, show_code=shown.append, sleep=clock.sleep, clock=clock.clock)
    (device,) = shown
    assert device.verification_uri == f"{forge_site.url}/login/device"
    assert len(device.user_code) == 9 and device.user_code[4] == "-"
    # first poll after 5 s; slow_down -> the server's new interval (10 s) from then on
    assert clock.sleeps == [5, 10, 10, 10]
    # the token works, and is stored in the keyring under the forge host
    assert forge_for(forge_site, tokens.access_token).get_user().login == "hana"
    host = forge_site.url.removeprefix("http://")
    stored = json.loads(memory_keyring.items[("lpublish", host)])
    assert stored["access_token"] == tokens.access_token
    assert auth.resolve_token(config) == tokens.access_token
    assert auth.token_source(config) == "keyring"
    assert "gho_" not in repr(tokens)


def test_slow_down_without_interval_adds_five_seconds(forge_site: AuthSite) -> None:
    config = config_for(forge_site)
    forge_site.forge.set_device_policy("hana", pending=0, slow_down=2)
    device = auth.start_device_flow(config)
    clock = FakeClock()
    auth.poll_device_flow(config, device, sleep=clock.sleep, clock=clock.clock)
    # the local server sends interval 10 then 15 (GitHub's behaviour: +5 each time)
    assert clock.sleeps == [5, 10, 15]


def test_access_denied_stops_with_a_clear_message(forge_site: AuthSite) -> None:
    forge_site.forge.set_device_policy("hana", pending=1, outcome="deny")
    config = config_for(forge_site)
    clock = FakeClock()
    with pytest.raises(ExternalError) as exc:
        auth.login(config, show_code=lambda d: None, sleep=clock.sleep, clock=clock.clock)
    assert exc.value.key == "publish.login_denied" and "lpublish login" in exc.value.hint
    assert len(clock.sleeps) == 2  # stopped at once, did not keep polling


def test_expired_code_stops(forge_site: AuthSite) -> None:
    forge_site.forge.set_device_policy("hana", pending=0, outcome="expire")
    config = config_for(forge_site)
    clock = FakeClock()
    with pytest.raises(ExternalError) as exc:
        auth.login(config, show_code=lambda d: None, sleep=clock.sleep, clock=clock.clock)
    assert exc.value.key == "publish.login_expired"


def test_code_expires_client_side_when_nobody_approves(forge_site: AuthSite) -> None:
    forge_site.forge.set_device_policy("hana", pending=10_000, expires_in=30)
    config = config_for(forge_site)
    device = auth.start_device_flow(config)
    clock = FakeClock()
    with pytest.raises(ExternalError) as exc:
        auth.poll_device_flow(config, device, sleep=clock.sleep, clock=clock.clock)
    assert exc.value.key == "publish.login_expired"
    assert sum(clock.sleeps) >= device.expires_in - device.interval


def test_unknown_client_id_and_missing_client_id(forge_site: AuthSite) -> None:
    config = config_for(forge_site)
    config.forge.client_id = "Iv1.unknown"
    with pytest.raises(ExternalError) as exc:
        auth.start_device_flow(config)
    assert exc.value.key == "publish.login_app_invalid"
    config.forge.client_id = ""
    with pytest.raises(Exception) as missing:
        auth.start_device_flow(config)
    assert getattr(missing.value, "key", "") == "publish.no_client_id"


def test_expiring_tokens_are_refreshed_transparently(
    forge_site: AuthSite, memory_keyring: MemoryKeyring
) -> None:
    forge_site.forge.add_oauth_app(CLIENT_ID, expiring=True)
    forge_site.forge.set_device_policy("hana", pending=0)
    config = config_for(forge_site)
    clock = FakeClock()
    tokens = auth.login(config, show_code=lambda d: None, sleep=clock.sleep, clock=clock.clock)
    assert tokens.refresh_token and tokens.expires_at
    host = auth.web_host(config)
    # pretend eight hours passed: the stored token is about to expire
    auth.store_token(host, auth.TokenSet(tokens.access_token, tokens.refresh_token, expires_at=1.0))
    forge_site.forge.expire_token(tokens.access_token)
    fresh = auth.resolve_token(config)
    assert fresh and fresh != tokens.access_token
    assert forge_for(forge_site, fresh).get_user().login == "hana"
    stored = auth.load_token(host)
    assert (
        stored is not None and stored.access_token == fresh and stored.refresh_token != tokens.refresh_token
    )
    # a refresh token can be used once
    auth.store_token(host, auth.TokenSet(fresh, tokens.refresh_token, expires_at=1.0))
    with pytest.raises(ExternalError) as exc:
        auth.resolve_token(config)
    assert exc.value.key == "publish.auth_expired"


def test_token_sources_in_order(
    forge_site: AuthSite, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = config_for(forge_site)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))  # no gh CLI
    assert auth.resolve_token(config) is None and auth.token_source(config) is None
    with pytest.raises(ExternalError) as exc:
        auth.require_token(config)
    assert exc.value.key == "publish.not_signed_in"
    auth.store_token(auth.web_host(config), auth.TokenSet("from-keyring"))
    assert auth.resolve_token(config) == "from-keyring"
    monkeypatch.setenv("GITHUB_TOKEN", "from-github-env")
    assert auth.resolve_token(config) == "from-github-env"
    monkeypatch.setenv("LPUBLISH_GITHUB_TOKEN", "from-lpublish-env")
    assert auth.resolve_token(config) == "from-lpublish-env"
    assert auth.logout(config) is True and auth.logout(config) is False


def test_gh_cli_token_is_used_when_installed(
    forge_site: AuthSite, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    # a stand-in gh that answers like `gh auth token` does when signed in
    gh.write_text('#!/bin/sh\n[ "$1 $2" = "auth token" ] && echo gho_from_gh_cli\n', encoding="utf-8")
    gh.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    config = config_for(forge_site)
    assert auth.resolve_token(config) == "gho_from_gh_cli"
    assert auth.token_source(config) == "gh"


def test_null_keyring_is_reported_instead_of_silently_forgetting(forge_site: AuthSite) -> None:
    # conftest selects keyring.backends.null: it accepts and forgets
    with pytest.raises(ExternalError) as exc:
        auth.store_token("example.com", auth.TokenSet("x"))
    assert exc.value.key == "publish.keyring_unavailable"
    assert "LPUBLISH_GITHUB_TOKEN" in exc.value.hint
