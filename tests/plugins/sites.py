"""Fixture sites for tests: a fresh git repository holding one of ``tests/fixtures/sites/<name>``.

Owned by the adapters area. ``fixture_site(name, tmp_path)`` copies the fixture (without build output or
``node_modules``), commits it on the fixture's branch (``jekyll`` uses ``master`` so base-branch detection
is tested; the others ``main``), and links the Node fixtures' ``node_modules`` from a cache installed once
with ``npm ci`` (keyed by the lockfile's hash, so an edit to the lockfile installs a fresh tree). A missing
generator fails the test on Linux with the command that installs it: CI must never silently skip a generator
there (macOS and Windows runners skip these tests, with the reason: ``tests/plugins/platforms.py``).

``python -m tests.plugins.sites --install`` fills the cache (``.ci/run`` calls it before the tests).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from filelock import FileLock

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sites"
NAMES = ("html", "hugo", "jekyll", "eleventy", "astro")
NODE_SITES = ("eleventy", "astro")
#: The branch each fixture repository starts on.
BRANCHES = {"jekyll": "master"}
#: Generator commands each fixture needs, with the way to install them.
GENERATORS: dict[str, list[tuple[str, str]]] = {
    "html": [],
    "hugo": [("hugo", "apt-get install hugo")],
    "jekyll": [("jekyll", "apt-get install jekyll ruby-jekyll-feed ruby-jekyll-seo-tag")],
    "eleventy": [("node", "apt-get install nodejs npm"), ("npm", "apt-get install npm")],
    "astro": [("node", "apt-get install nodejs npm"), ("npm", "apt-get install npm")],
}
#: Build output, caches and installed packages: never part of a fixture's repository.
IGNORE = shutil.ignore_patterns(
    "node_modules", "_site", "dist", ".astro", ".jekyll-cache", ".hugo_build.lock", "resources", "__pycache__"
)
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Site Admin",
    "GIT_AUTHOR_EMAIL": "admin@example.com",
    "GIT_COMMITTER_NAME": "Site Admin",
    "GIT_COMMITTER_EMAIL": "admin@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
}


class GeneratorMissing(RuntimeError):
    """A fixture's generator is not installed on this machine."""


def cache_root() -> Path:
    """Where installed ``node_modules`` trees live (shared by worktrees and runs; HOME is not isolated)."""
    env = os.environ.get("LPUBLISH_TEST_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "lpublish-tests"


def require_generator(name: str) -> None:
    """Raise ``GeneratorMissing`` naming the install command when a fixture's tools are not on PATH."""
    missing = [(cmd, hint) for cmd, hint in GENERATORS[name] if shutil.which(cmd) is None]
    if missing and not sys.platform.startswith("linux"):
        # macOS and Windows runners do not install the Debian generators: skip there, with the reason
        # (``tests/plugins/platforms.py``); on Linux a missing generator stays a failure.
        import pytest

        pytest.skip(f"fixture site {name!r} needs {', '.join(c for c, _ in missing)} (Linux runner only)")
    if missing:
        cmds = ", ".join(cmd for cmd, _ in missing)
        hints = "; ".join(dict.fromkeys(hint for _, hint in missing))
        raise GeneratorMissing(
            f"fixture site {name!r} needs {cmds} on PATH (install: {hints}; .ci/run installs them)"
        )


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    # filelock, not fcntl: the suite also runs on Windows (CI matrix).
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path)):
        yield


def node_modules(name: str) -> Path:
    """The installed ``node_modules`` for a Node fixture, running ``npm ci`` once per lockfile."""
    require_generator(name)
    lock = (FIXTURES / name / "package-lock.json").read_bytes()
    key = hashlib.sha256(lock + (FIXTURES / name / "package.json").read_bytes()).hexdigest()[:16]
    folder = cache_root() / "node" / f"{name}-{key}"
    done = folder / ".installed"
    if done.is_file():
        return folder / "node_modules"
    # xdist workers race for the same cache: one installs, the others wait on the lock.
    with _locked(folder.with_name(folder.name + ".lock")):
        if not done.is_file():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            shutil.copy2(FIXTURES / name / "package.json", folder)
            shutil.copy2(FIXTURES / name / "package-lock.json", folder)
            result = subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund", "--prefer-offline"],
                cwd=folder,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                tail = "\n".join((result.stdout + result.stderr).splitlines()[-20:])
                raise GeneratorMissing(f"npm ci for fixture {name!r} failed in {folder}:\n{tail}")
            done.write_text("ok\n")
    return folder / "node_modules"


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, env={**os.environ, **GIT_ENV}
    )
    if result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
    return result.stdout.strip()


def fixture_site(
    name: str,
    tmp_path: Path,
    *,
    with_config: bool = True,
    branch: str | None = None,
    link_node_modules: bool = True,
) -> Path:
    """A git repository (one commit) holding fixture site ``name``, ready to build.

    ``with_config=False`` drops the committed ``lpublish.toml`` (to test ``init`` on a site that has
    never seen lpublish). Node fixtures get ``node_modules`` as a symlink into the shared cache.
    """
    if name not in NAMES:
        raise ValueError(f"unknown fixture site {name!r}; known: {', '.join(NAMES)}")
    require_generator(name)
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root, ignore=IGNORE)
    if not with_config:
        (root / "lpublish.toml").unlink(missing_ok=True)
    git(root, "init", "-q", "-b", branch or BRANCHES.get(name, "main"))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", f"{name} site")
    if link_node_modules and name in NODE_SITES:
        (root / "node_modules").symlink_to(node_modules(name), target_is_directory=True)
    return root


def with_origin(root: Path, tmp_path: Path) -> Path:
    """Give ``root`` a bare ``origin`` (with ``origin/HEAD`` set) and return the bare repository."""
    bare = tmp_path / f"{root.name}-origin.git"
    branch = git(root, "rev-parse", "--abbrev-ref", "HEAD")
    git(tmp_path, "init", "-q", "--bare", "-b", branch, str(bare))
    git(root, "remote", "add", "origin", str(bare))
    git(root, "push", "-q", "-u", "origin", branch)
    git(root, "remote", "set-head", "origin", "-a")
    return bare


try:  # a pytest plugin when loaded by pytest; plain functions when run by .ci/run without pytest
    import pytest

    @pytest.fixture
    def make_fixture_site(tmp_path: Path) -> Callable[..., Path]:
        """``make_fixture_site(name, **kw)``: ``fixture_site`` in this test's ``tmp_path``."""

        def make(name: str, **kwargs: Any) -> Path:
            try:
                return fixture_site(name, tmp_path, **kwargs)
            except GeneratorMissing as exc:
                pytest.fail(str(exc), pytrace=False)

        return make

except ImportError:  # pragma: no cover - .ci/run's system python has no pytest
    pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Prepare the fixture sites' generators.")
    parser.add_argument("--install", action="store_true", help="npm ci every Node fixture into the cache")
    args = parser.parse_args(argv)
    status = 0
    for name in NAMES:
        try:
            require_generator(name)
            if args.install and name in NODE_SITES:
                print(f"{name}: node_modules at {node_modules(name)}")
        except GeneratorMissing as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
