"""Practice mode: the real designer flow against throwaway local copies of everything.

Owns: ``PracticeSession``: a temporary copy of a site's repository (the sample site, or the designer's
own site with ``lpublish practice --site DIR``) as a bare "origin" plus a working clone, the local
GitHub-compatible server (``LocalForge``) with a practice designer and reviewer, a simulated reviewer
(approve, merge), and the "live" site: on every merge (the TUI's simulated reviewer, or a REST
``PUT .../pulls/{n}/merge``) the clone is updated, the site is built by its own generator and deployed
to a directory target (``file://``) served on 127.0.0.1. ``headless_info`` is what
``lpublish practice --headless --json`` prints (with a designer's clone, ``workdir``, and the environment
that points ``lpublish submit``/``status`` there). Everything is removed on ``stop()`` unless ``keep`` is
set. Works with no GitHub/AWS account and no network. Core code: no UI imports.

Where the sample site comes from: the repository's ``site/`` folder (a checkout or editable install),
else the copy shipped inside the wheel as ``lpublish/_sample_site`` (see ``pyproject.toml``).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import io
import logging
import os
import secrets
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lpublish.environment import Environment
from lpublish.errors import ContentError, ExternalError, LpublishError, UsageError

if TYPE_CHECKING:
    from lpublish.config import SiteConfig
    from lpublish.findings import Finding
    from lpublish.sandbox.forge.server import LocalForge
    from lpublish.sandbox.forge.state import MergeEvent

log = logging.getLogger(__name__)

PRACTICE_REPO = "practice/site"
PRACTICE_LOGIN = "designer"
PRACTICE_NAME = "Practice Designer"
REVIEWER = "reviewer"
IGNORE = shutil.ignore_patterns(".git", "dist", ".lpublish-cache", "__pycache__", "*.pyc")
#: Installed packages of Node sites: linked into the practice clones (never copied, never installed).
LINKED = ("node_modules",)
_GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "lpublish practice",
    "GIT_AUTHOR_EMAIL": "practice@lpublish.invalid",
    "GIT_COMMITTER_NAME": "lpublish practice",
    "GIT_COMMITTER_EMAIL": "practice@lpublish.invalid",
}
#: Shown at the live address until the first build is published (never an empty folder listing).
_PREPARING = (
    "<!doctype html><html><head><meta charset=utf-8><meta http-equiv=refresh content=2>"
    "<title>lpublish practice</title></head><body><p>練習用サイトを準備しています… / "
    "The practice site is being built…</p></body></html>"
).encode()


def sample_site() -> Path:
    """The sample site to practise on (repository ``site/`` or the copy packaged in the wheel)."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "_sample_site", package.parent / "site"):
        if (candidate / "lpublish.toml").is_file():
            return candidate
    raise UsageError("practice.no_sample_site")


def _git_environ(env: Environment) -> dict[str, str]:
    return env.for_child(
        **_GIT_IDENTITY,
        GIT_TERMINAL_PROMPT="0",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        LC_ALL="C",
    )


def _git(cwd: Path, *args: str, env: Environment) -> str:
    try:
        result = subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=_git_environ(env),
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError):
        raise ExternalError("practice.git_failed", step=args[0]) from None
    if result.returncode != 0:
        log.debug("git %s failed: %s", args[0], result.stderr.strip())
        raise ExternalError("practice.git_failed", step=args[0])
    return result.stdout.strip()


def _repository_of(site: Path, env: Environment) -> tuple[Path, str] | None:
    """``(repository top, site folder relative to it)`` when ``site`` is inside a git work tree."""
    try:
        top = _git(site, "rev-parse", "--show-toplevel", env=env)
        _git(site, "rev-parse", "--verify", "--quiet", "HEAD", env=env)
    except ExternalError:
        return None
    top_path = Path(top).resolve()
    rel = site.resolve().relative_to(top_path).as_posix()
    return top_path, "" if rel == "." else rel


def build_site_into(config: SiteConfig, out: Path) -> tuple[list[Finding], list[str]]:
    """Build the site with its own generator (``[build]``'s adapter) into ``out``.

    Returns the build's findings and the patterns never to publish (lpublish's own files, ``[deploy]
    exclude``). A failing generator raises its own ``LpublishError`` (command and last lines).
    """
    from lpublish.site.adapters import adapter_for

    adapter = adapter_for(config)
    return list(adapter.build(out).findings), adapter.publish_exclude()


class _LiveHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # the TUI owns the terminal
        pass

    def send_head(self) -> Any:
        root = Path(str(self.directory))
        if not any(p for p in root.iterdir() if not p.name.startswith(".")):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(_PREPARING)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            return io.BytesIO(_PREPARING)
        return super().send_head()


@dataclass
class PracticeSession:
    """A running practice world. Create with ``PracticeSession.start()``; end with ``stop()``.

    ``clone`` is the repository clone the live site is built from; ``site_dir`` the site folder inside
    it (the same folder unless the site lives in a subfolder of its repository).
    """

    root: Path
    bare: Path
    clone: Path
    live_dir: Path
    forge: LocalForge
    token: str
    config: SiteConfig
    keep: bool = False
    login: str = PRACTICE_LOGIN
    repo: str = PRACTICE_REPO
    live_url: str = ""
    site_rel: str = ""
    base: str = "main"
    reviewer_token: str = ""
    workdir: Path | None = None
    linked: dict[str, Path] = field(default_factory=dict)
    _live_server: http.server.ThreadingHTTPServer | None = field(default=None, repr=False)
    _live_thread: threading.Thread | None = field(default=None, repr=False)
    # Re-entrant: a merge made by the simulated reviewer publishes from the forge's merge hook.
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _merge_errors: dict[int, LpublishError] = field(default_factory=dict, repr=False)
    _stopped: bool = field(default=False, repr=False)
    #: The environment git runs with here and in the practice forge.
    env: Environment = field(default_factory=Environment.from_os, repr=False)

    @property
    def site_dir(self) -> Path:
        """The site folder (holding ``lpublish.toml``) in the clone the live site is built from."""
        return self.clone / self.site_rel if self.site_rel else self.clone

    @property
    def git_url(self) -> str:
        """The practice repository over HTTP on the local forge (pushes need the designer's token)."""
        return f"{self.forge.api_url.rstrip('/')}/{self.repo}.git"

    @classmethod
    def start(
        cls,
        *,
        source: Path | None = None,
        keep: bool = False,
        base_dir: Path | None = None,
        publish_now: bool = False,
        own_site: bool = False,
        env: Environment | None = None,
    ) -> PracticeSession:
        """Copy a site into a new temporary folder and start the local forge and live server.

        ``source`` defaults to the sample site. With ``own_site`` the source is the designer's own site:
        when it is inside a git repository, that repository's committed history (its base branch) is
        the practice origin; otherwise its files are committed as they are. ``publish_now`` builds and
        deploys the starting site in the background, so the "live" site exists from the start and the
        first merge only rebuilds what changed. ``env``: the environment git runs with (default: this
        process's).
        """
        from lpublish.config import load_config
        from lpublish.sandbox.forge.server import LocalForge

        env = env if env is not None else Environment.from_os()
        site = (source or sample_site()).resolve()
        if own_site and not (site / "lpublish.toml").is_file():
            raise UsageError("practice_site.no_config", path=str(site))
        root = Path(tempfile.mkdtemp(prefix="lpublish-practice-", dir=base_dir))
        forge: LocalForge | None = None
        try:
            bare = root / "origin.git"
            clone = root / "site"
            live_dir = root / "live"
            live_dir.mkdir()
            found = _repository_of(site, env) if own_site else None
            if found is not None:
                top, site_rel = found
                base = _git(top, "rev-parse", "--abbrev-ref", "HEAD", env=env)
                # A detached checkout: practise on what is checked out, as "main".
                source_ref = f"refs/heads/{base}" if base != "HEAD" else "HEAD"
                base = base if base != "HEAD" else "main"
                # Only the base branch's committed history; the designer's repository is only read.
                _git(root, "init", "--quiet", "--bare", f"--initial-branch={base}", str(bare), env=env)
                _git(
                    bare,
                    "fetch",
                    "--quiet",
                    "--no-tags",
                    str(top),
                    f"{source_ref}:refs/heads/{base}",
                    env=env,
                )
                _git(root, "clone", "--quiet", "--branch", base, str(bare), str(clone), env=env)
            else:
                site_rel, base = "", "main"
                shutil.copytree(site, clone, ignore=IGNORE if not own_site else _own_ignore(site))
                _git(root, "init", "--quiet", "--bare", "--initial-branch=main", str(bare), env=env)
                _git(clone, "init", "--quiet", "--initial-branch=main", env=env)
                _git(clone, "add", "-A", env=env)
                _git(clone, "commit", "--quiet", "-m", "Site for practice", env=env)
                _git(clone, "remote", "add", "origin", str(bare), env=env)
                _git(clone, "push", "--quiet", "origin", "main", env=env)
                _git(clone, "branch", "--quiet", "--set-upstream-to=origin/main", "main", env=env)
            linked = _installed_packages(site) if own_site else {}

            forge = LocalForge(env=env)
            api_url = forge.start()
            forge.add_repo(PRACTICE_REPO, bare, base)
            token = "practice_" + secrets.token_hex(16)
            reviewer_token = "reviewer_" + secrets.token_hex(16)
            forge.add_user(PRACTICE_LOGIN, token, name=PRACTICE_NAME)
            forge.add_user(REVIEWER, reviewer_token, name="Practice Reviewer")

            site_dir = clone / site_rel if site_rel else clone
            _link_packages(site_dir, linked)
            config = load_config(site=site_dir)
            # The practice world's forge: in memory only, so the clone's lpublish.toml stays untouched.
            config.forge = config.forge.model_copy(
                update={
                    "repo": PRACTICE_REPO,
                    "api_url": api_url,
                    "web_url": api_url,
                    "clone_url": str(bare),
                    "base": base,
                    "site_path": site_rel,
                }
            )
            session = cls(
                root,
                bare,
                clone,
                live_dir,
                forge,
                token,
                config,
                keep,
                site_rel=site_rel,
                base=base,
                reviewer_token=reviewer_token,
                linked=linked,
                env=env,
            )
            forge.on_merge(session._merged)
            session._serve_live()
            if publish_now:
                threading.Thread(
                    target=session._publish_quietly, name="practice-publish", daemon=True
                ).start()
            return session
        except BaseException:
            if forge is not None:
                forge.stop()
            shutil.rmtree(root, ignore_errors=True)
            raise

    # --- the live site ------------------------------------------------------------------------------

    def _serve_live(self) -> None:
        handler = functools.partial(_LiveHandler, directory=str(self.live_dir))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        self._live_server = server
        self.live_url = f"http://127.0.0.1:{server.server_address[1]}/"
        self._live_thread = threading.Thread(target=server.serve_forever, name="practice-live", daemon=True)
        self._live_thread.start()

    def write_info(self) -> Path:
        """``practice.json`` in the practice folder: where the practice forge and live site are.

        For scripts and the real-terminal test. The token only opens this throwaway local server;
        the file is still readable by the owner only.
        """
        import json

        path = self.root / "practice.json"
        data = {
            "api_url": self.forge.api_url,
            "repo": self.repo,
            "login": self.login,
            "token": self.token,
            "live_url": self.live_url,
            "clone": str(self.clone),
            "bare": str(self.bare),
        }
        path.touch(mode=0o600)
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")
        return path

    # --- headless: a designer's clone and the environment that points lpublish at it ---------------------

    def make_workdir(self) -> Path:
        """A clone of the practice repository (over HTTP on the local forge) where a designer works."""
        if self.workdir is None:
            target = self.root / "workdir"
            # Cloned from the bare folder (no credentials needed here), then pointed at the forge's
            # git-over-HTTP address, so lpublish pushes with the designer's token as it would to GitHub.
            _git(
                self.root,
                "clone",
                "--quiet",
                "--branch",
                self.base,
                str(self.bare),
                str(target),
                env=self.env,
            )
            _git(target, "remote", "set-url", "origin", self.git_url, env=self.env)
            site = target / self.site_rel if self.site_rel else target
            _link_packages(site, self.linked)
            self.workdir = site
        return self.workdir

    def environment(self) -> dict[str, str]:
        """Variables that make ``lpublish submit``/``status`` in ``workdir`` use this sandbox.

        They name the practice forge (``LPUBLISH_FORGE_*``, read by ``lpublish.config.env``), the
        designer's practice token and a private ``LPUBLISH_HOME`` inside the practice folder.
        """
        return {
            "LPUBLISH_GITHUB_TOKEN": self.token,
            "LPUBLISH_FORGE_REPO": self.repo,
            "LPUBLISH_FORGE_API_URL": self.forge.api_url,
            "LPUBLISH_FORGE_WEB_URL": self.forge.api_url,
            "LPUBLISH_FORGE_CLONE_URL": self.git_url,
            "LPUBLISH_FORGE_BASE": self.base,
            "LPUBLISH_HOME": str(self.root / "home"),
        }

    def headless_info(self) -> dict[str, Any]:
        """The JSON line ``lpublish practice --headless --json`` prints (the tokens open only this
        throwaway local server)."""
        workdir = self.make_workdir()
        return {
            "api_url": self.forge.api_url,
            "web_url": self.forge.web_url,
            "repo": self.repo,
            "base": self.base,
            "designer_token": self.token,
            "reviewer_token": self.reviewer_token,
            "workdir": str(workdir),
            "live_url": self.live_url,
            "root": str(self.root),
            "env": self.environment(),
        }

    def forge_factory(self, config: SiteConfig, token: str) -> Any:
        """The forge client for the practice world (same GitHub client as production)."""
        from lpublish.publish.client import forge_at

        return forge_at(self.forge.api_url, PRACTICE_REPO, token)

    # --- the simulated reviewer ------------------------------------------------------------------------

    def approve(self, number: int) -> None:
        """The practice reviewer approves request ``number`` (and the checks pass)."""
        self.forge.set_check(number, "lpublish check", "completed", "success", repo=PRACTICE_REPO)
        self.forge.approve(number, REVIEWER, repo=PRACTICE_REPO)

    def merge_and_publish(self, number: int) -> str:
        """Merge ``number`` for real, build the merged site and deploy it to the live folder.

        Returns the live URL. This is what the production workflow does after a merge.
        """
        with self._lock:
            pull = self.forge.pull(number, PRACTICE_REPO)
            if pull.get("merged"):
                self._publish_merge(number)
            else:
                self.forge.set_check(number, "lpublish check", "completed", "success", repo=PRACTICE_REPO)
                self.forge.approve(number, REVIEWER, repo=PRACTICE_REPO)
                self.forge.merge(number, repo=PRACTICE_REPO, merged_by=REVIEWER)  # publishes (hook)
                error = self._merge_errors.pop(number, None)
                if error is not None:
                    raise error
            return self.live_url

    def _merged(self, event: MergeEvent) -> None:
        """The forge's merge hook (any merge: the simulated reviewer's or a REST ``PUT .../merge``)."""
        if event.repo != PRACTICE_REPO or self._stopped:
            return
        try:
            with self._lock:
                self._publish_merge(event.number)
        except LpublishError as exc:
            # Reported by merge_and_publish; a REST merge sees a failed deployment in ``status``.
            log.warning("practice publish after #%s failed: %s", event.number, exc.key)
            self._merge_errors[event.number] = exc
            with contextlib.suppress(Exception):
                self.forge.add_deployment(
                    event.number, self.config.forge.environment, "failure", repo=PRACTICE_REPO
                )

    def _publish_merge(self, number: int) -> None:
        self.publish()
        self.forge.add_deployment(
            number,
            self.config.forge.environment,
            "success",
            environment_url=self.live_url,
            repo=PRACTICE_REPO,
        )

    def warm_up(self) -> None:
        """Build and deploy the starting site (the TUI runs this in a worker once it is on screen)."""
        self._publish_quietly()

    def _publish_quietly(self) -> None:
        # A failure here is reported again (as a dialog) by the merge that needs it.
        with self._lock, contextlib.suppress(Exception):
            self.publish()

    def publish(self) -> None:
        """Bring the clone up to date with origin and build + deploy it to the live folder."""
        from lpublish.config import load_config
        from lpublish.deploy.engine import deploy
        from lpublish.deploy.folder_target import DirTarget
        from lpublish.deploy.options import DeployOptions

        with self._lock:
            _git(self.clone, "fetch", "--quiet", "origin", self.base, env=self.env)
            _git(self.clone, "reset", "--quiet", "--hard", "FETCH_HEAD", env=self.env)
            config = load_config(site=self.site_dir)
            config.forge = self.config.forge
            self.config = config
            out = self.root / "build"
            findings, exclude = build_site_into(config, out)
            errors = [f for f in findings if f.is_error]
            if errors:
                raise ContentError(
                    "practice.build_failed", count=len(errors), details=[f.message for f in errors]
                )
            # A throwaway live folder: a rebuild may rename many files (fingerprints), no guard needed.
            deploy(
                out,
                DirTarget(self.live_dir),
                rules=config.headers,
                options=DeployOptions(yes=True, exclude=exclude),
            )

    # --- ending ------------------------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop the servers and delete everything (unless ``keep``)."""
        self._stopped = True
        if self._live_server is not None:
            self._live_server.shutdown()
            self._live_server.server_close()
            self._live_server = None
        self.forge.stop()
        # Wait for a background publish to finish before its folder goes away.
        acquired = self._lock.acquire(timeout=60)
        if acquired:
            self._lock.release()
        if not self.keep:
            with contextlib.suppress(OSError):
                shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PracticeSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _own_ignore(site: Path) -> Any:
    """What is not copied from a site that is not in git: build output, caches, installed packages.

    (``public/`` is kept: it is a source folder for Eleventy, Astro and Vite.)
    """
    return shutil.ignore_patterns(
        ".git",
        "node_modules",
        "_site",
        "dist",
        ".astro",
        ".jekyll-cache",
        ".lpublish-cache",
        "__pycache__",
        "*.pyc",
    )


def _installed_packages(site: Path) -> dict[str, Path]:
    """Installed package folders of the designer's site (``node_modules``), to link into clones."""
    found: dict[str, Path] = {}
    for name in LINKED:
        path = site / name
        if path.is_dir():
            found[name] = path.resolve()
    return found


def _link_packages(site_dir: Path, linked: dict[str, Path]) -> None:
    """Link the designer's installed packages into a practice clone (so the build needs no network)."""
    for name, target in linked.items():
        link = site_dir / name
        if not link.exists():
            link.symlink_to(target, target_is_directory=True)
