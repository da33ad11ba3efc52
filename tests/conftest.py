"""Test-wide setup: English messages by default, no network, isolated user directories."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lpublish.environment import Environment
from lpublish.i18n import set_language, use_environment
from tests.plugins.sample_site import SAMPLE_SITE

# Shared fixtures that start real local components (forge server, moto S3, git repos).
pytest_plugins = [
    "tests.plugins.forge",
    "tests.plugins.s3",
    "tests.plugins.gitrepos",
    "tests.plugins.cloudfront",
    "tests.plugins.sites",
    "tests.plugins.platforms",
    "tests.plugins.signin",
    "tests.plugins.practice_apps",
]


@pytest.fixture(autouse=True)
def _isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Messages in English unless a test asks otherwise; user dirs and keyring kept out of $HOME."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("LPUBLISH_LANG", "en")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("LPUBLISH_HOME", str(home / "lpublish"))
    # A file-less keyring backend so tests never touch a real OS keychain.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    for var in ("GITHUB_TOKEN", "LPUBLISH_GITHUB_TOKEN", "GH_TOKEN", "AWS_PROFILE", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(var, raising=False)
    set_language(None)
    # The language environment an in-process `main()` took stays with the process: start each test
    # from none (English, as LPUBLISH_LANG=en says).
    use_environment(Environment({}))
    yield
    set_language(None)
    use_environment(Environment({}))


@pytest.fixture
def sample_site() -> Path:
    """The repository's sample site (read-only: copy it before changing anything)."""
    return SAMPLE_SITE
