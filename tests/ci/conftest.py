"""Fixtures for the CI tests: a local GitHub-compatible forge with one open pull request."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from lpublish.publish.github import GitHubForge
from lpublish.sandbox.forge.server import LocalForge
from tests.plugins.sample_site import CACHE_NAME, copy_sample_site

REPO = "acme/lp"
BOT = "github-actions[bot]"
BOT_TOKEN = "ghs_bot_token_for_tests"
DESIGNER_TOKEN = "ghu_designer_token_for_tests"
OTHER_TOKEN = "ghu_other_token_for_tests"


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    out = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip()


@dataclass
class ForgeWithPull:
    server: LocalForge
    api_url: str
    pr: int
    head_sha: str

    def client(self, token: str = BOT_TOKEN) -> GitHubForge:
        return GitHubForge(self.api_url, REPO, token)


def make_origin(tmp_path: Path) -> tuple[Path, str]:
    """A bare origin with ``main`` and a branch ``change`` that adds an image; returns (bare, head sha)."""
    bare = tmp_path / "origin.git"
    work = tmp_path / "work"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    git(tmp_path, "init", "-q", "-b", "main", str(work))
    (work / "README.md").write_text("site\n", encoding="utf-8")
    git(work, "add", ".")
    git(work, "commit", "-q", "-m", "init")
    git(work, "remote", "add", "origin", str(bare))
    git(work, "push", "-q", "origin", "main")
    git(work, "checkout", "-q", "-b", "change")
    (work / "site" / "images").mkdir(parents=True)
    (work / "site" / "images" / "hero.jpg").write_bytes(b"not really a jpeg")
    git(work, "add", ".")
    git(work, "commit", "-q", "-m", "new hero")
    git(work, "push", "-q", "origin", "change")
    return bare, git(work, "rev-parse", "HEAD")


@pytest.fixture
def forge_pull(tmp_path: Path) -> Iterator[ForgeWithPull]:
    """A running local forge serving ``acme/lp`` with pull request #1 opened by a designer."""
    bare, sha = make_origin(tmp_path)
    server = LocalForge()
    api_url = server.start()
    try:
        server.add_repo(REPO, bare)
        server.add_user("hana", DESIGNER_TOKEN, name="Hana")
        server.add_user(BOT, BOT_TOKEN)
        server.add_user("mallory", OTHER_TOKEN)
        pull = GitHubForge(api_url, REPO, DESIGNER_TOKEN).create_pull(
            title="New hero", body="", head="change", base="main"
        )
        yield ForgeWithPull(server, api_url, pull.number, sha)
    finally:
        server.stop()


@pytest.fixture
def moto_endpoint(moto_server: str) -> str:
    """The shared moto server (tests/plugins/s3.py); buckets are made unique per test by with_own_buckets."""
    return moto_server


@pytest.fixture(scope="session")
def warm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build cache for the sample site, made once per session (what actions/cache restores in CI)."""
    from lpublish.config import load_config
    from lpublish.site.build import build_site

    site = copy_sample_site(tmp_path_factory.mktemp("warm") / "site")
    build_site(load_config(site=site))
    return site / CACHE_NAME


def with_own_buckets(site: Path) -> Path:
    """``site`` (a copy of the sample site) with bucket names of its own: the moto server lives for the
    whole session, so each test's copy gets a unique suffix."""
    suffix = uuid.uuid4().hex[:10]
    config = site / "lpublish.toml"
    text = config.read_text(encoding="utf-8")
    for bucket in ("hoshizora-lp-site", "hoshizora-lp-previews"):
        text = text.replace(f'"{bucket}"', f'"{bucket}-{suffix}"')
    config.write_text(text, encoding="utf-8")
    return site


def buckets(site: Path) -> tuple[str, str]:
    """(production, preview) bucket names of a copied site."""
    from lpublish.config import load_config

    config = load_config(site=site)
    return config.deploy.targets["production"].bucket, config.deploy.targets["preview"].bucket
