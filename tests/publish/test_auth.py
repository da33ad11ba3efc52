"""Sign-in: the device flow against the local forge (pending, slow_down, access_denied, expiry), token
storage in a keyring, transparent refresh of expiring tokens, and where tokens are taken from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lpublish.environment import Environment
from lpublish.errors import ExternalError
from lpublish.publish import auth
from lpublish.publish.github import GitHubForge
from tests.plugins.forge import CLIENT_ID
from tests.plugins.signin import AuthSite, FakeClock, MemoryKeyring, config_for

#: No token in the environment and no GitHub CLI on PATH: only the keyring can answer.
NO_GH = Environment({"PATH": "/nonexistent"})


def forge_for(site: AuthSite, token: str) -> GitHubForge:
    return GitHubForge(site.url, "acme/lp", token)


def test_device_flow_waits_honours_slow_down_and_stores_the_token(
    auth_site: AuthSite, memory_keyring: MemoryKeyring
) -> None:
    auth_site.forge.set_device_policy("hana", pending=2, slow_down=1)
    config = config_for(auth_site)
    clock = FakeClock()
    shown: list[auth.DeviceCode] = []
    tokens = auth.login(config, show_code=shown.append, sleep=clock.sleep, clock=clock.clock)
    (device,) = shown
    assert device.verification_uri == f"{auth_site.url}/login/device"
    assert len(device.user_code) == 9 and device.user_code[4] == "-"
    # first poll after 5 s; slow_down -> the server's new interval (10 s) from then on
    assert clock.sleeps == [5, 10, 10, 10]
    # the token works, and is stored in the keyring under the forge host
    assert forge_for(auth_site, tokens.access_token).get_user().login == "hana"
    host = auth_site.url.removeprefix("http://")
    stored = json.loads(memory_keyring.items[("lpublish", host)])
    assert stored["access_token"] == tokens.access_token
    assert auth.resolve_token(config, NO_GH) == tokens.access_token
    assert auth.token_source(config, NO_GH) == "keyring"
    assert "gho_" not in repr(tokens)


def test_slow_down_without_interval_adds_five_seconds(auth_site: AuthSite) -> None:
    config = config_for(auth_site)
    auth_site.forge.set_device_policy("hana", pending=0, slow_down=2)
    device = auth.start_device_flow(config)
    clock = FakeClock()
    auth.poll_device_flow(config, device, sleep=clock.sleep, clock=clock.clock)
    # the local server sends interval 10 then 15 (GitHub's behaviour: +5 each time)
    assert clock.sleeps == [5, 10, 15]


def test_access_denied_stops_with_a_clear_message(auth_site: AuthSite) -> None:
    auth_site.forge.set_device_policy("hana", pending=1, outcome="deny")
    config = config_for(auth_site)
    clock = FakeClock()
    with pytest.raises(ExternalError) as exc:
        auth.login(config, show_code=lambda d: None, sleep=clock.sleep, clock=clock.clock)
    assert exc.value.key == "publish.login_denied" and "lpublish login" in exc.value.hint
    assert len(clock.sleeps) == 2  # stopped at once, did not keep polling


def test_expired_code_stops(auth_site: AuthSite) -> None:
    auth_site.forge.set_device_policy("hana", pending=0, outcome="expire")
    config = config_for(auth_site)
    clock = FakeClock()
    with pytest.raises(ExternalError) as exc:
        auth.login(config, show_code=lambda d: None, sleep=clock.sleep, clock=clock.clock)
    assert exc.value.key == "publish.login_expired"


def test_code_expires_client_side_when_nobody_approves(auth_site: AuthSite) -> None:
    auth_site.forge.set_device_policy("hana", pending=10_000, expires_in=30)
    config = config_for(auth_site)
    device = auth.start_device_flow(config)
    clock = FakeClock()
    with pytest.raises(ExternalError) as exc:
        auth.poll_device_flow(config, device, sleep=clock.sleep, clock=clock.clock)
    assert exc.value.key == "publish.login_expired"
    assert sum(clock.sleeps) >= device.expires_in - device.interval


def test_unknown_client_id_and_missing_client_id(auth_site: AuthSite) -> None:
    config = config_for(auth_site)
    config.forge.client_id = "Iv1.unknown"
    with pytest.raises(ExternalError) as exc:
        auth.start_device_flow(config)
    assert exc.value.key == "publish.login_app_invalid"
    config.forge.client_id = ""
    with pytest.raises(Exception) as missing:
        auth.start_device_flow(config)
    assert getattr(missing.value, "key", "") == "publish.no_client_id"


def test_expiring_tokens_are_refreshed_transparently(
    auth_site: AuthSite, memory_keyring: MemoryKeyring
) -> None:
    auth_site.forge.add_oauth_app(CLIENT_ID, expiring=True)
    auth_site.forge.set_device_policy("hana", pending=0)
    config = config_for(auth_site)
    clock = FakeClock()
    tokens = auth.login(config, show_code=lambda d: None, sleep=clock.sleep, clock=clock.clock)
    assert tokens.refresh_token and tokens.expires_at
    host = auth.web_host(config)
    # pretend eight hours passed: the stored token is about to expire
    auth.store_token(host, auth.TokenSet(tokens.access_token, tokens.refresh_token, expires_at=1.0))
    auth_site.forge.expire_token(tokens.access_token)
    fresh = auth.resolve_token(config, NO_GH)
    assert fresh and fresh != tokens.access_token
    assert forge_for(auth_site, fresh).get_user().login == "hana"
    stored = auth.load_token(host)
    assert (
        stored is not None and stored.access_token == fresh and stored.refresh_token != tokens.refresh_token
    )
    # a refresh token can be used once
    auth.store_token(host, auth.TokenSet(fresh, tokens.refresh_token, expires_at=1.0))
    with pytest.raises(ExternalError) as exc:
        auth.resolve_token(config, NO_GH)
    assert exc.value.key == "publish.auth_expired"


def test_token_sources_in_order(auth_site: AuthSite, memory_keyring: MemoryKeyring, tmp_path: Path) -> None:
    config = config_for(auth_site)
    env = Environment({"PATH": str(tmp_path / "empty-bin")})  # no gh CLI
    assert auth.resolve_token(config, env) is None and auth.token_source(config, env) is None
    with pytest.raises(ExternalError) as exc:
        auth.require_token(config, env)
    assert exc.value.key == "publish.not_signed_in"
    auth.store_token(auth.web_host(config), auth.TokenSet("from-keyring"))
    assert auth.resolve_token(config, env) == "from-keyring"
    env = env.with_values(GITHUB_TOKEN="from-github-env")
    assert auth.resolve_token(config, env) == "from-github-env"
    env = env.with_values(LPUBLISH_GITHUB_TOKEN="from-lpublish-env")
    assert auth.resolve_token(config, env) == "from-lpublish-env"
    assert auth.token_source(config, env) == "env"
    assert auth.logout(config) is True and auth.logout(config) is False


def test_gh_cli_token_is_used_when_installed(auth_site: AuthSite, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    # a stand-in gh that answers like `gh auth token` does when signed in
    gh.write_text('#!/bin/sh\n[ "$1 $2" = "auth token" ] && echo gho_from_gh_cli\n', encoding="utf-8")
    gh.chmod(0o755)
    env = Environment({"PATH": f"{bin_dir}:/usr/bin:/bin"})
    config = config_for(auth_site)
    assert auth.resolve_token(config, env) == "gho_from_gh_cli"
    assert auth.token_source(config, env) == "gh"


def test_null_keyring_is_reported_instead_of_silently_forgetting(auth_site: AuthSite) -> None:
    # conftest selects keyring.backends.null: it accepts and forgets
    with pytest.raises(ExternalError) as exc:
        auth.store_token("example.com", auth.TokenSet("x"))
    assert exc.value.key == "publish.keyring_unavailable"
    assert "LPUBLISH_GITHUB_TOKEN" in exc.value.hint
