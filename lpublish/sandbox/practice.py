"""Practice mode: the real designer flow against throwaway local copies of everything.

Owns: ``PracticeSession``: a temporary copy of the sample site as a bare "origin" plus a working
clone, the local GitHub-compatible server (``LocalForge``) with a practice user and token, a simulated
reviewer (approve, merge), and the "live" site: on merge the clone is updated, the site is built and
deployed to a directory target (``file://``) served on 127.0.0.1. Everything is removed on ``stop()``
unless ``keep`` is set. Works with no GitHub/AWS account and no network. Core code: no UI imports.

Where the sample site comes from: the repository's ``site/`` folder (a checkout or editable install),
else the copy shipped inside the wheel as ``lpublish/_sample_site`` (see ``pyproject.toml``).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import secrets
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lpublish.errors import ContentError, ExternalError, UsageError

if TYPE_CHECKING:
    from lpublish.config import SiteConfig
    from lpublish.sandbox.forge_server import LocalForge

PRACTICE_REPO = "practice/site"
PRACTICE_LOGIN = "designer"
PRACTICE_NAME = "Practice Designer"
REVIEWER = "reviewer"
IGNORE = shutil.ignore_patterns(".git", "dist", ".lpublish-cache", "__pycache__", "*.pyc")
_GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "lpublish practice",
    "GIT_AUTHOR_EMAIL": "practice@lpublish.invalid",
    "GIT_COMMITTER_NAME": "lpublish practice",
    "GIT_COMMITTER_EMAIL": "practice@lpublish.invalid",
}


def sample_site() -> Path:
    """The sample site to practise on (repository ``site/`` or the copy packaged in the wheel)."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "_sample_site", package.parent / "site"):
        if (candidate / "lpublish.toml").is_file():
            return candidate
    raise UsageError("practice.no_sample_site")


def _git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        **_GIT_IDENTITY,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "LC_ALL": "C",
    }
    try:
        result = subprocess.run(
            ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=120
        )
    except (OSError, subprocess.SubprocessError):
        raise ExternalError("practice.git_failed", step=args[0]) from None
    if result.returncode != 0:
        raise ExternalError("practice.git_failed", step=args[0])
    return result.stdout.strip()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # the TUI owns the terminal
        pass


@dataclass
class PracticeSession:
    """A running practice world. Create with ``PracticeSession.start()``; end with ``stop()``."""

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
    _live_server: http.server.ThreadingHTTPServer | None = field(default=None, repr=False)
    _live_thread: threading.Thread | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def start(
        cls,
        *,
        source: Path | None = None,
        keep: bool = False,
        base_dir: Path | None = None,
        publish_now: bool = False,
    ) -> PracticeSession:
        """Copy the sample site into a new temporary folder and start the local forge and live server.

        ``publish_now`` builds and deploys the starting site in the background, so the "live" site
        exists from the start and the first merge only rebuilds what changed.
        """
        from lpublish.config import load_config
        from lpublish.sandbox.forge_server import LocalForge

        site = source or sample_site()
        root = Path(tempfile.mkdtemp(prefix="lpublish-practice-", dir=base_dir))
        forge: LocalForge | None = None
        try:
            bare = root / "origin.git"
            clone = root / "site"
            live_dir = root / "live"
            live_dir.mkdir()
            shutil.copytree(site, clone, ignore=IGNORE)
            _git(root, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
            _git(clone, "init", "--quiet", "--initial-branch=main")
            _git(clone, "add", "-A")
            _git(clone, "commit", "--quiet", "-m", "Sample site for practice")
            _git(clone, "remote", "add", "origin", str(bare))
            _git(clone, "push", "--quiet", "origin", "main")
            _git(clone, "branch", "--quiet", "--set-upstream-to=origin/main", "main")

            forge = LocalForge()
            api_url = forge.start()
            forge.add_repo(PRACTICE_REPO, bare, "main")
            token = "practice_" + secrets.token_hex(16)
            forge.add_user(PRACTICE_LOGIN, token, name=PRACTICE_NAME)
            forge.add_user(REVIEWER, "reviewer_" + secrets.token_hex(16), name="Practice Reviewer")

            config = load_config(site=clone)
            # The practice world's forge: in memory only, so the clone's lpublish.toml stays untouched.
            config.forge = config.forge.model_copy(
                update={"repo": PRACTICE_REPO, "api_url": api_url, "web_url": api_url, "clone_url": str(bare)}
            )
            session = cls(root, bare, clone, live_dir, forge, token, config, keep)
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
        handler = functools.partial(_QuietHandler, directory=str(self.live_dir))
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

    def forge_factory(self, config: SiteConfig, token: str) -> Any:
        """The forge client for the practice world (same GitHub client as production)."""
        from lpublish.publish.github import GitHubForge

        return GitHubForge(self.forge.api_url, PRACTICE_REPO, token)

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
            if not pull.get("merged"):
                self.forge.set_check(number, "lpublish check", "completed", "success", repo=PRACTICE_REPO)
                self.forge.approve(number, REVIEWER, repo=PRACTICE_REPO)
                self.forge.merge(number, repo=PRACTICE_REPO, merged_by=REVIEWER)
            self.publish()
            self.forge.add_deployment(
                number,
                self.config.forge.environment,
                "success",
                environment_url=self.live_url,
                repo=PRACTICE_REPO,
            )
            return self.live_url

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
        from lpublish.deploy.engine import DeployOptions, deploy, target_from_url
        from lpublish.site.build import build_site

        _git(self.clone, "fetch", "--quiet", "origin", "main")
        _git(self.clone, "reset", "--quiet", "--hard", "origin/main")
        config = load_config(site=self.clone)
        config.forge = self.config.forge
        self.config = config
        out = self.root / "build"
        result = build_site(config, out)
        errors = [f for f in result.findings if f.is_error]
        if errors:
            raise ContentError(
                "practice.build_failed", count=len(errors), details=[f.message for f in errors]
            )
        deploy(out, target_from_url(self.live_dir.as_uri()), rules=config.headers, options=DeployOptions())

    # --- ending ------------------------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop the servers and delete everything (unless ``keep``)."""
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
