"""Expiring GitHub App tokens: refreshed before expiry, by one process at a time (refresh tokens rotate),
and renewed inside a long session instead of failing it with 401."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import keyring

from lpublish.environment import Environment
from lpublish.publish import auth
from lpublish.publish.github import GitHubForge
from tests.plugins.forge import CLIENT_ID
from tests.plugins.signin import AuthSite, FakeClock, MemoryKeyring, config_for

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import sys
from pathlib import Path
from lpublish.config import load_config
from lpublish.environment import Environment
from lpublish.publish import auth
config = load_config(site=Path(sys.argv[1]))
config.forge = config.forge.model_copy(
    update={"api_url": sys.argv[2], "web_url": sys.argv[2], "client_id": sys.argv[3], "repo": "acme/lp"}
)
try:
    print("token", auth.resolve_token(config, Environment.from_os()))
except Exception as exc:
    print("error", getattr(exc, "key", type(exc).__name__))
"""


def _signed_in(auth_site: AuthSite) -> tuple[auth.TokenSet, str]:
    auth_site.forge.add_oauth_app(CLIENT_ID, expiring=True)
    auth_site.forge.set_device_policy("hana", pending=0)
    config = config_for(auth_site)
    clock = FakeClock()
    tokens = auth.login(config, show_code=lambda d: None, sleep=clock.sleep, clock=clock.clock)
    return tokens, auth.web_host(config)


def test_two_processes_refreshing_at_once_stay_signed_in(
    auth_site: AuthSite, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    tokens, host = _signed_in(auth_site)
    keyring_file = tmp_path / "keyring.json"
    env = {
        **os.environ,
        "PYTHON_KEYRING_BACKEND": "tests.publish.filekeyring.FileKeyring",
        "LPUBLISH_TEST_KEYRING_FILE": str(keyring_file),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("GITHUB_TOKEN", None)
    env.pop("LPUBLISH_GITHUB_TOKEN", None)
    from tests.publish.filekeyring import FileKeyring

    previous = keyring.get_keyring()
    os.environ["LPUBLISH_TEST_KEYRING_FILE"] = str(keyring_file)
    try:
        keyring.set_keyring(FileKeyring())
        # Eight hours later: the access token is about to expire.
        auth.store_token(host, auth.TokenSet(tokens.access_token, tokens.refresh_token, expires_at=1.0))
    finally:
        keyring.set_keyring(previous)
        del os.environ["LPUBLISH_TEST_KEYRING_FILE"]
    auth_site.forge.refresh_delay = 1.0  # both processes reach the refresh before either finishes
    args = [sys.executable, "-c", SCRIPT, str(auth_site.config.root), auth_site.url, CLIENT_ID]
    outputs: list[str] = []

    def run() -> None:
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120, check=False)
        outputs.append(done.stdout.strip() or done.stderr.strip()[-300:])

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(o.startswith("token ") for o in outputs), outputs
    fresh = {o.split()[1] for o in outputs}
    assert len(fresh) == 1 and tokens.access_token not in fresh  # one refresh, shared
    assert GitHubForge(auth_site.url, "acme/lp", fresh.pop()).get_user().login == "hana"


def test_a_long_session_renews_its_token_instead_of_failing(
    auth_site: AuthSite, memory_keyring: MemoryKeyring
) -> None:
    tokens, host = _signed_in(auth_site)
    config = config_for(auth_site)
    forge = GitHubForge(
        auth_site.url,
        "acme/lp",
        tokens.access_token,
        token_provider=auth.TokenKeeper(config, tokens.access_token, Environment({})),
    )
    assert forge.get_user().login == "hana"
    # Eight hours later: GitHub has expired the token; the keyring says it expires now.
    auth.store_token(host, auth.TokenSet(tokens.access_token, tokens.refresh_token, expires_at=1.0))
    auth_site.forge.expire_token(tokens.access_token)
    assert forge.get_user().login == "hana"  # a 401, then the refreshed token
    stored = auth.load_token(host)
    assert stored is not None and stored.access_token != tokens.access_token
