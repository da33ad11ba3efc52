"""Shared pytest fixtures (forge): the local GitHub-compatible server, and a site wired to it.

Owned by the publish area. ``local_forge`` is a started ``LocalForge`` (stopped after the test).
``forge_site`` adds a repository (``acme/lp``, a copy of the sample site under ``site/``), a designer
(``hana``) with a token, a reviewer (``kenji``) and a device-flow app, and a user clone whose
``lpublish.toml`` points at the server (git over HTTP, so pushes go through the credential helper).
"""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from lpublish.config import SiteConfig, load_config
from lpublish.publish.github import GitHubForge
from lpublish.sandbox.forge.server import LocalForge

if TYPE_CHECKING:
    from tests.plugins.gitrepos import SiteRepo

CLIENT_ID = "Iv1.lpublishtest"
LOGIN = "hana"
USER_ID = 4242
REVIEWER = "kenji"


@dataclass
class ForgeSite:
    """A running local forge and a site repository registered on it."""

    forge: LocalForge
    repo: SiteRepo
    token: str
    login: str = LOGIN

    @property
    def site(self) -> Path:
        return self.repo.site

    @property
    def url(self) -> str:
        return self.forge.url


@pytest.fixture
def local_forge() -> Iterator[LocalForge]:
    """A started local forge server on 127.0.0.1 (random port)."""
    forge = LocalForge()
    forge.start()
    try:
        yield forge
    finally:
        forge.stop()


def make_forge_site(
    forge: LocalForge, root: Path, template: SiteRepo | None = None, **forge_keys: object
) -> ForgeSite:
    """Register ``acme/lp`` + users on ``forge`` and create its repository and a user clone (a copy of
    ``template`` when given)."""
    keys: dict[str, object] = {
        "repo": "acme/lp",
        "api_url": forge.url,
        "web_url": forge.url,
        "client_id": CLIENT_ID,
        "reviewers": [REVIEWER],
        "team_reviewers": ["web"],
        "labels": ["lpublish", "content"],
    }
    keys.update(forge_keys)
    # Imported here so pytest can register tests.plugins.gitrepos as a plugin (with assertion rewriting).
    from tests.plugins.gitrepos import copy_site_repo, make_site_repo

    origin = f"{forge.url}/acme/lp.git"
    if template is not None:
        repo = copy_site_repo(template, root, forge=keys, origin_url=origin)
    else:
        repo = make_site_repo(root, forge=keys, origin_url=origin)
    forge.add_repo("acme/lp", repo.bare, "main")
    token = "ghp_" + secrets.token_hex(18)
    forge.add_user(LOGIN, token, name="Hana Sato", user_id=USER_ID)
    forge.add_user(REVIEWER, "ghp_" + secrets.token_hex(18), name="Kenji Reviewer")
    forge.add_oauth_app(CLIENT_ID)
    return ForgeSite(forge, repo, token)


@pytest.fixture
def forge_site(local_forge: LocalForge, tmp_path: Path, site_repo_template: SiteRepo) -> ForgeSite:
    """The local forge with ``acme/lp`` (sample site under ``site/``), users and a user clone."""
    return make_forge_site(local_forge, tmp_path, site_repo_template)


# The marker lpublish puts in the body of the pull requests it opens (how it finds its own requests).
MARKED = '<!-- lpublish:request {"kind":"images"} -->'


def create_branches(site: ForgeSite, names: list[str]) -> None:
    """Branches ``names`` in the site's bare repository, all at main (for pull requests to point at)."""
    main = subprocess.run(
        ["git", "-C", str(site.repo.bare), "rev-parse", "refs/heads/main"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    stdin = "".join(f"create refs/heads/{n} {main}\n" for n in names)
    subprocess.run(
        ["git", "-C", str(site.repo.bare), "update-ref", "--stdin"], input=stdin, text=True, check=True
    )


def config_for(site: ForgeSite) -> SiteConfig:
    """The config of the user's clone (pointed at the local forge), as lpublish loads it."""
    return load_config(site=site.site)


def forge_for(site: ForgeSite, token: str | None = None) -> GitHubForge:
    """A GitHub client for ``acme/lp`` on the local forge, as the designer (or with ``token``)."""
    return GitHubForge(site.url, "acme/lp", token or site.token)
