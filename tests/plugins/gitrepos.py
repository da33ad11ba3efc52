"""Shared pytest fixtures (gitrepos): a bare "origin" holding a copy of the sample site, plus a clone.

Owned by the publish area. ``make_site_repo`` copies whatever is in ``site/`` at test time into the
repository's ``site/`` folder (or its root), optionally pointing ``[forge]`` in the copied
``lpublish.toml`` at a local forge server, commits it, and pushes it to a bare repository.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.plugins.sample_site import SAMPLE_SITE

#: Build outputs and caches never belong in the test repository.
IGNORE = shutil.ignore_patterns("dist", ".lpublish-cache", "__pycache__", "*.pyc", ".DS_Store")

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Site Admin",
    "GIT_AUTHOR_EMAIL": "admin@example.com",
    "GIT_COMMITTER_NAME": "Site Admin",
    "GIT_COMMITTER_EMAIL": "admin@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
}


def git(cwd: Path, *args: str, check: bool = True) -> str:
    """Run git in ``cwd`` with a fixed identity; returns stdout."""
    result = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, env={**os.environ, **GIT_ENV}
    )
    if check and result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
    return result.stdout.strip()


def git_show(bare: Path, ref: str, path: str) -> bytes:
    """The bytes of ``path`` at ``ref`` in a bare repository (what reviewers will see)."""
    return subprocess.run(
        ["git", "--git-dir", str(bare), "cat-file", "blob", f"{ref}:{path}"], capture_output=True, check=True
    ).stdout


@dataclass
class SiteRepo:
    """A bare origin and a user's clone of it. ``site`` is the folder holding lpublish.toml."""

    bare: Path
    clone: Path
    full_name: str
    subdir: str

    @property
    def site(self) -> Path:
        return self.clone / self.subdir if self.subdir else self.clone

    def git(self, *args: str, bare: bool = False) -> str:
        return git(self.bare if bare else self.clone, *args)

    def origin_files(self, ref: str = "main") -> list[str]:
        return git(self.bare, "ls-tree", "-r", "--name-only", ref).splitlines()

    def origin_show(self, ref: str, path: str) -> bytes:
        return git_show(self.bare, ref, path)


def patch_forge(toml: str, **values: object) -> str:
    """Set keys of the ``[forge]`` table in config text (keys not present are appended to it)."""
    start = toml.index("[forge]")
    end_match = re.search(r"^\[", toml[start + 7 :], re.MULTILINE)
    end = start + 7 + end_match.start() if end_match else len(toml)
    section = toml[start:end]
    for key, value in values.items():
        rendered = _toml_value(value)
        pattern = re.compile(rf"^{key}\s*=.*$", re.MULTILINE)
        if pattern.search(section):
            section = pattern.sub(f"{key} = {rendered}".replace("\\", "\\\\"), section)
        else:
            section = section.rstrip("\n") + f"\n{key} = {rendered}\n\n"
    return toml[:start] + section + toml[end:]


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def make_site_repo(
    root: Path,
    *,
    full_name: str = "acme/lp",
    subdir: str = "site",
    forge: dict[str, object] | None = None,
    origin_url: str | None = None,
    source: Path = SAMPLE_SITE,
) -> SiteRepo:
    """Create ``root/remote/<owner>/<name>.git`` (bare) and ``root/work/lp`` (a clone of it).

    ``forge`` sets ``[forge]`` keys in the copied config; ``origin_url`` replaces the clone's
    ``origin`` URL after the first push (e.g. the local forge's HTTP git URL).
    """
    owner, name = full_name.split("/")
    bare = root / "remote" / owner / f"{name}.git"
    bare.parent.mkdir(parents=True)
    seed = root / "seed"
    target = seed / subdir if subdir else seed
    shutil.copytree(source, target, ignore=IGNORE)
    if forge:
        config = target / "lpublish.toml"
        config.write_text(patch_forge(config.read_text(encoding="utf-8"), **forge), encoding="utf-8")
    (seed / "README.md").write_text("# Sample landing pages\n", encoding="utf-8")
    git(root, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    git(seed, "init", "--quiet", "--initial-branch=main")
    git(seed, "add", "-A")
    git(seed, "commit", "--quiet", "-m", "Sample site")
    git(seed, "push", "--quiet", str(bare), "main")
    shutil.rmtree(seed)
    clone = root / "work" / name
    clone.parent.mkdir(parents=True)
    git(root, "clone", "--quiet", str(bare), str(clone))
    if origin_url:
        git(clone, "remote", "set-url", "origin", origin_url)
    return SiteRepo(bare, clone, full_name, subdir)


def copy_site_repo(
    template: SiteRepo, root: Path, *, forge: dict[str, object] | None = None, origin_url: str | None = None
) -> SiteRepo:
    """A fresh copy of ``template`` under ``root`` (much faster than building one), with ``[forge]``
    keys committed on top when given, like ``make_site_repo``."""
    owner, name = template.full_name.split("/")
    bare = root / "remote" / owner / f"{name}.git"
    clone = root / "work" / name
    shutil.copytree(template.bare, bare)
    shutil.copytree(template.clone, clone)
    git(clone, "remote", "set-url", "origin", str(bare))
    if forge:
        config = clone / template.subdir / "lpublish.toml" if template.subdir else clone / "lpublish.toml"
        config.write_text(patch_forge(config.read_text(encoding="utf-8"), **forge), encoding="utf-8")
        git(clone, "commit", "--quiet", "-am", "Point the site at its forge")
        git(clone, "push", "--quiet", "origin", "main")
    if origin_url:
        git(clone, "remote", "set-url", "origin", origin_url)
    return SiteRepo(bare, clone, template.full_name, template.subdir)


@pytest.fixture(scope="session")
def site_repo_template(tmp_path_factory: pytest.TempPathFactory) -> SiteRepo:
    """Built once per test process; tests get copies (``copy_site_repo``) and never change it."""
    return make_site_repo(tmp_path_factory.mktemp("site-repo-template"))


@pytest.fixture
def site_repo(tmp_path: Path) -> SiteRepo:
    """A bare origin holding a copy of the sample site under ``site/``, and a user's clone of it."""
    return make_site_repo(tmp_path)
