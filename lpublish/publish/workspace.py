"""The git workspace a request is prepared in, without ever touching the designer's own checkout.

Owns: finding the repository for a site, making a clean place to commit in, committing, pushing, and
the credential plumbing.

- Inside a clone (the site folder is in a git repository with an ``origin``): a separate, detached
  ``git worktree`` made from a fresh fetch of ``origin/<base>`` in the cache dir. The designer's branch,
  index, stash and uncommitted files stay exactly as they were; no local branch is created.
- Outside any clone: a managed blobless partial clone (``--filter=blob:none --sparse``) of the forge's
  repository in the user cache dir, reused and fetched on later runs; only the folders a request touches
  are checked out (sparse cone), so a repository with a large image history stays cheap.

Pushing uses a credential helper injected through ``GIT_CONFIG_COUNT/KEY/VALUE`` (after resetting
``credential.helper`` so no credential store keeps the token), scoped to the forge's host, reading the
token from an environment variable; ``GIT_TERMINAL_PROMPT=0``. The token never lands in ``.git/config``,
argv, logs or exception text. Must not import UI libraries.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import secrets
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from lpublish.config import SiteConfig
from lpublish.environment import Environment
from lpublish.errors import ExternalError, UsageError
from lpublish.progress import ProgressCallback, ProgressEvent, check_cancel, no_progress
from lpublish.publish.drafts import user_cache

logger = logging.getLogger(__name__)

TOKEN_ENV = "LPUBLISH_GIT_TOKEN"
#: The helper prints the token from the environment only for ``get``; git never stores it because the
#: helper list was reset first and this helper ignores ``store``.
CREDENTIAL_HELPER = (
    '!f() { test "$1" = get || exit 0; echo username=x-access-token; echo "password=${'
    + TOKEN_ENV
    + '}"; }; f'
)


class NonFastForward(Exception):
    """The remote branch moved since we fetched it (handled by the caller: fetch, rebase, retry)."""


_LFS_FILTER = [
    ("filter.lfs.clean", "git-lfs clean -- %f"),
    ("filter.lfs.smudge", "git-lfs smudge -- %f"),
    ("filter.lfs.process", "git-lfs filter-process"),
    ("filter.lfs.required", "true"),
]
#: git-lfs named in a config (a system-wide `git lfs install`) but not installed: checkouts must still
#: work (pointers stay pointers); committing an LFS path is refused by ``Workspace.commit``.
_NO_LFS_FILTER = [
    ("filter.lfs.clean", ""),
    ("filter.lfs.smudge", ""),
    ("filter.lfs.process", ""),
    ("filter.lfs.required", "false"),
]


def signing_configured(repo: Path | None = None) -> bool:
    """Whether the person signs commits (``commit.gpgsign`` true and a ``user.signingkey``; with
    ``gpg.format ssh`` the key is an SSH key). Read from their git config (the clone's, else global)."""
    import subprocess

    def get(key: str) -> str:
        args = ["git", "config", "--get", key]
        if repo is not None:
            args[1:1] = ["-C", str(repo)]
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=10, check=False)
        except (OSError, subprocess.SubprocessError):
            return ""
        return done.stdout.strip() if done.returncode == 0 else ""

    return get("commit.gpgsign").lower() in ("true", "yes", "on", "1") and bool(get("user.signingkey"))


def git_env(config: SiteConfig, token: str | None, *, sign: bool = False) -> dict[str, str]:
    """Environment for every git call: no prompts, credentials only from our helper; commits signed
    only when the person has signing set up (``sign``), else never (an agent prompt would hang)."""
    entries: list[tuple[str, str]] = [
        # An empty value resets the helper list, so the user's osxkeychain/manager/store never sees
        # (and never stores) the token.
        ("credential.helper", ""),
        ("commit.gpgsign", "true" if sign else "false"),
        ("tag.gpgsign", "false"),
        ("core.hooksPath", os.devnull),
        ("advice.detachedHead", "false"),
        # Git LFS without `git lfs install`: the filter makes `git add` store pointers + local objects
        # (objects are uploaded by ``Workspace.push``: hooks are off, so LFS's pre-push hook never runs).
        *(_LFS_FILTER if shutil.which("git-lfs") else _NO_LFS_FILTER),
        ("gc.auto", "0"),
        ("maintenance.auto", "false"),
    ]
    web = urlsplit(config.forge.web_url)
    clone = urlsplit(clone_url(config))
    hosts = {f"{u.scheme}://{u.netloc}" for u in (web, clone) if u.scheme in ("http", "https") and u.netloc}
    for prefix in sorted(hosts):
        entries.append((f"credential.{prefix}.helper", CREDENTIAL_HELPER))
        entries.append((f"credential.{prefix}.username", "x-access-token"))
    env = {
        "GIT_TERMINAL_PROMPT": "0",
        "GCM_INTERACTIVE": "never",
        "GIT_ASKPASS": "",
        "SSH_ASKPASS": "",
        "GIT_CONFIG_COUNT": str(len(entries)),
        "LC_ALL": "C",  # git's messages are parsed below
    }
    for index, (key, value) in enumerate(entries):
        env[f"GIT_CONFIG_KEY_{index}"] = key
        env[f"GIT_CONFIG_VALUE_{index}"] = value
    env[TOKEN_ENV] = token or ""
    return env


def clone_url(config: SiteConfig) -> str:
    """``[forge] clone_url``, else ``<web_url>/<repo>.git``."""
    if config.forge.clone_url:
        return config.forge.clone_url
    return f"{config.forge.web_url.rstrip('/')}/{config.forge.repo}.git"


def redact(text: str, token: str | None) -> str:
    """Remove the token (and any credentials in URLs) from text that may be shown or logged."""
    if token:
        text = text.replace(token, "***")
    return re.sub(r"(https?://)[^/@\s]+@", r"\1", text)


def classify_git_error(stderr: str, host: str) -> ExternalError:
    """Turn git's stderr into a message a designer can act on."""
    low = stderr.lower()
    if "signature" in low and (
        "remote rejected" in low or "pre-receive" in low or "gh006" in low or "gh013" in low
    ):
        # A rule requires signed commits: say so, with the server's own words.
        said = [
            line.split(":", 1)[1].strip()
            for line in stderr.splitlines()
            if line.lower().startswith("remote:") and line.split(":", 1)[1].strip()
        ]
        return ExternalError(
            "services.publish.signature_required", server=" ".join(said)[:300] or "-", host=host
        )
    if "pre-receive hook declined" in low or "remote rejected" in low or "protected branch" in low:
        return ExternalError("publish.push_rejected")
    if (
        "authentication failed" in low
        or "could not read username" in low
        or "could not read password" in low
        or "returned error: 401" in low
        or "terminal prompts disabled" in low
    ):
        return ExternalError("publish.auth_failed", host=host)
    if "returned error: 403" in low or "permission denied" in low or "access denied" in low:
        return ExternalError("publish.push_forbidden", host=host)
    if (
        "could not resolve host" in low
        or "failed to connect" in low
        or "connection refused" in low
        or "couldn't connect" in low
        or "timed out" in low
        or "network is unreachable" in low
    ):
        return ExternalError("publish.network", host=host)
    if (
        "repository not found" in low
        or "does not appear to be a git repository" in low
        or "returned error: 404" in low
    ):
        return ExternalError("publish.repo_unreachable", host=host)
    return ExternalError("publish.git_failed", host=host)


@dataclass
class Workspace:
    """A checkout to commit in. ``root`` is the repository root of the checkout; ``site_rel`` the site
    folder inside it (``""`` when the config is at the repository root)."""

    config: SiteConfig
    repo_dir: Path  # the repository whose objects we use (the user's clone or the managed clone)
    root: Path  # where files are written (a worktree or the managed clone itself)
    site_rel: str
    managed: bool
    env: dict[str, str] = field(repr=False)
    token: str | None = field(repr=False, default=None)
    host: str = ""
    #: Whether a commit in this workspace stored files with Git LFS (their objects are pushed first).
    uses_lfs: bool = False
    base_sha: str = ""
    _repo: object | None = field(default=None, repr=False)

    @property
    def site_dir(self) -> Path:
        return self.root / self.site_rel if self.site_rel else self.root

    def rel(self, path: Path) -> str:
        """A path inside the checkout as a repository-relative POSIX path."""
        return PurePosixPath(path.relative_to(self.root).as_posix()).as_posix()

    # --- running git ---------------------------------------------------------------------------------

    def git(self, *args: str, cwd: Path | None = None) -> str:
        """Run git in the checkout (GitPython's command wrapper, our environment)."""
        import git

        # The command line never holds a credential (the token travels in the environment, to our
        # credential helper), so it can be logged as it is.
        logger.debug("git %s (in %s)", " ".join(args), cwd or self.root)
        repo = git.Repo(cwd or self.root)
        try:
            with repo.git.custom_environment(**self.env):
                return str(repo.git.execute(["git", *args], with_extended_output=False))
        except git.GitCommandError as exc:
            logger.debug("git %s failed: %s", args[0], redact(str(exc.stderr or ""), self.token))
            raise classify_git_error(redact(str(exc.stderr or ""), self.token), self.host) from None
        finally:
            repo.close()

    def fetch(self, ref: str) -> str | None:
        """Fetch ``refs/heads/<ref>`` from origin; its sha, or ``None`` when the branch does not exist."""
        import git

        logger.info("git fetch --no-tags origin refs/heads/%s (in %s)", ref, self.repo_dir)
        repo = git.Repo(self.repo_dir)
        try:
            with repo.git.custom_environment(**self.env):
                repo.git.execute(["git", "fetch", "--no-tags", "--quiet", "origin", f"refs/heads/{ref}"])
                sha = str(repo.git.execute(["git", "rev-parse", "FETCH_HEAD"])).strip()
                logger.debug("origin's %s is %s", ref, sha)
                return sha
        except git.GitCommandError as exc:
            stderr = redact(str(exc.stderr or ""), self.token)
            if "couldn't find remote ref" in stderr.lower():
                logger.info("origin has no branch %s", ref)
                return None
            raise classify_git_error(stderr, self.host) from None
        finally:
            repo.close()

    def remote_branches(self, prefix: str) -> set[str]:
        """Branch names on origin starting with ``prefix``."""
        out = self.git("ls-remote", "--heads", "origin", f"refs/heads/{prefix}*", cwd=self.repo_dir)
        names = set()
        for line in out.splitlines():
            parts = line.split("\t")
            if len(parts) == 2 and parts[1].startswith("refs/heads/"):
                names.add(parts[1].removeprefix("refs/heads/"))
        return names

    def checkout(self, sha: str, paths: list[str]) -> None:
        """Make the checkout show commit ``sha`` (for a managed clone: only ``paths`` plus top files)."""
        logger.info("git checkout %s (%s)", sha[:12], ", ".join(paths) if self.managed else "whole tree")
        if self.managed:
            cone = sorted({p.strip("/") for p in paths if p.strip("/")})
            if cone:
                self.git("sparse-checkout", "set", "--cone", *cone)
            self.git("checkout", "--quiet", "--force", "--detach", sha)
            self.git("clean", "-fdq")
        else:
            self.git("checkout", "--quiet", "--force", "--detach", sha)
        self.base_sha = sha

    def lfs_paths(self, paths: list[str]) -> list[str]:
        """Which of ``paths`` the repository stores with Git LFS (``filter=lfs`` in ``.gitattributes``)."""
        if not paths:
            return []
        out = self.git("check-attr", "filter", "--", *paths)
        return [line.split(": filter: ")[0] for line in out.splitlines() if line.endswith(": filter: lfs")]

    def commit(self, message: str, *, name: str, email: str, paths: list[str]) -> str | None:
        """Stage ``paths`` and commit as ``name <email>``; ``None`` when nothing changed.

        Files the repository keeps in Git LFS are committed as LFS pointers; without git-lfs that is
        impossible (a raw file would break the repository's rule), so it is refused plainly."""
        lfs = self.lfs_paths(paths)
        if lfs and shutil.which("git-lfs") is None:
            raise ExternalError("services.publish.lfs_missing", count=len(lfs), first=lfs[0])
        self.uses_lfs = self.uses_lfs or bool(lfs)
        add = ["add", "--all"]
        if self.managed:
            add.append("--sparse")
        self.git(*add, "--", *paths)
        if not self.git("status", "--porcelain", "--untracked-files=no", "--", *paths).strip():
            return None
        identity = {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
        }
        saved = dict(self.env)
        self.env.update(identity)
        logger.info("git commit as %s: %d path(s): %s", name, len(paths), ", ".join(paths))
        try:
            self.git("commit", "--quiet", "--no-verify", "-m", message)
        finally:
            self.env.clear()
            self.env.update(saved)
        sha = self.git("rev-parse", "HEAD").strip()
        logger.debug("committed %s", sha)
        return sha

    def push(self, branch: str) -> None:
        """Push ``HEAD`` to ``refs/heads/<branch>`` (never forced); results checked."""
        import git

        if self.uses_lfs:
            # LFS objects first (as LFS's pre-push hook would): the server then has every object the
            # pushed pointers name.
            self.git("lfs", "push", "origin", "HEAD")
        logger.info("git push origin HEAD:refs/heads/%s (%s)", branch, self.host)
        repo = git.Repo(self.root)
        try:
            remote = repo.remote("origin")
            # Collects the server's "remote:" lines: a rule's own explanation of a rejection.
            said = git.RemoteProgress()
            with repo.git.custom_environment(**self.env):
                infos = remote.push(f"HEAD:refs/heads/{branch}", progress=said)
            for info in infos:
                if info.flags & info.REJECTED:
                    raise NonFastForward(branch)
                if info.flags & info.REMOTE_REJECTED:
                    lines = [*said.other_lines, *said.error_lines, f"! [remote rejected] {info.summary}"]
                    raise classify_git_error(redact("\n".join(lines), self.token), self.host)
            try:
                infos.raise_if_error()
            except git.GitCommandError as exc:
                stderr = redact(str(exc.stderr or ""), self.token)
                if "non-fast-forward" in stderr or "fetch first" in stderr:
                    raise NonFastForward(branch) from None
                raise classify_git_error(stderr, self.host) from None
            if not infos or any(info.flags & info.ERROR for info in infos):
                raise ExternalError("publish.git_failed", host=self.host)
            logger.debug("pushed %s: %s", branch, ", ".join(info.summary.strip() for info in infos))
        except git.GitCommandError as exc:
            stderr = redact(str(exc.stderr or ""), self.token)
            if "non-fast-forward" in stderr or "fetch first" in stderr:
                raise NonFastForward(branch) from None
            raise classify_git_error(stderr, self.host) from None
        finally:
            repo.close()

    def rebase_onto(self, sha: str) -> None:
        """Replay our commit on top of ``sha``; on conflict stop with a clear message (never force)."""
        logger.info("git rebase onto %s", sha[:12])
        try:
            self.git("rebase", "--quiet", sha)
        except ExternalError:
            with contextlib.suppress(ExternalError):
                self.git("rebase", "--abort")
            raise ExternalError("publish.branch_moved") from None

    def backup_ref(self, branch: str) -> str | None:
        """Keep ``origin``'s ``branch`` as ``refs/lpublish/backup/<branch>`` locally; the ref name."""
        ref = f"refs/lpublish/backup/{branch}"
        import git

        repo = git.Repo(self.repo_dir)
        try:
            with repo.git.custom_environment(**self.env):
                repo.git.execute(
                    ["git", "fetch", "--no-tags", "--quiet", "origin", f"+refs/heads/{branch}:{ref}"]
                )
        except git.GitCommandError as exc:
            stderr = redact(str(exc.stderr or ""), self.token)
            if "couldn't find remote ref" in stderr.lower():
                return None
            raise classify_git_error(stderr, self.host) from None
        finally:
            repo.close()
        return ref


# --- finding and opening workspaces ------------------------------------------------------------------


def find_clone(config: SiteConfig) -> tuple[Path, str] | None:
    """``(repository root, site folder relative to it)`` when the site is inside a clone with an
    ``origin`` remote, else ``None``."""
    import git

    try:
        repo = git.Repo(config.root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None
    try:
        if repo.bare or repo.working_tree_dir is None:
            return None
        if "origin" not in [r.name for r in repo.remotes]:
            return None
        top = Path(repo.working_tree_dir).resolve()
        rel = Path(config.root).resolve().relative_to(top).as_posix()
        return top, "" if rel == "." else rel
    except ValueError:
        return None
    finally:
        repo.close()


def managed_clone_dir(config: SiteConfig, env: Environment | None = None) -> Path:
    """Where the managed clone of ``[forge] repo`` lives (one per host and repository), under
    ``user_cache(env)`` (default: the process's environment)."""
    host = urlsplit(config.forge.web_url).netloc or "forge"
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{host}/{config.forge.repo}")
    digest = hashlib.sha256(clone_url(config).encode()).hexdigest()[:8]
    return user_cache(env if env is not None else Environment.from_os()) / "repos" / f"{safe}-{digest}"


_managed_locks: dict[Path, threading.Lock] = {}


def _ensure_managed_clone(
    config: SiteConfig, env: dict[str, str], token: str | None, host: str, environment: Environment
) -> Path:
    import git

    target = managed_clone_dir(config, environment)
    url = clone_url(config)
    if (target / ".git").is_dir():
        logger.info("using the managed clone %s", target)
        return target
    # ``url`` carries no credential (``clone_url`` is the configured address; the token goes through the
    # credential helper), and ``redact`` in the log handler is a second net.
    logger.info("git clone --filter=blob:none --sparse %s %s", url, target)
    partial = target.with_name(target.name + ".partial-" + secrets.token_hex(3))
    partial.parent.mkdir(parents=True, exist_ok=True)
    try:
        git.Repo.clone_from(
            url,
            partial,
            env=env,
            multi_options=["--filter=blob:none", "--sparse", "--no-checkout", "--no-tags"],
        ).close()
    except git.GitCommandError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise classify_git_error(redact(str(exc.stderr or ""), token), host) from None
    try:
        os.replace(partial, target)
    except OSError:  # another process finished first: use theirs
        shutil.rmtree(partial, ignore_errors=True)
    return target


def detect_site_rel(ws: Workspace, sha: str) -> str:
    """Where ``lpublish.toml`` is in the repository at ``sha``: the root, or one folder down."""
    if ws.config.forge.site_path:
        return ws.config.forge.site_path.strip("/")
    names = ws.git("ls-tree", "-r", "--name-only", sha, cwd=ws.repo_dir).splitlines()
    if "lpublish.toml" in names:
        return ""
    nested = sorted(n for n in names if n.endswith("/lpublish.toml") and n.count("/") == 1)
    if not nested:
        raise UsageError("publish.site_not_in_repo", repo=ws.config.forge.repo)
    return nested[0].split("/")[0]


@contextlib.contextmanager
def open_workspace(
    config: SiteConfig,
    *,
    token: str | None,
    worktree: bool = True,
    fetch_base: bool = True,
    progress: ProgressCallback = no_progress,
    cancel: threading.Event | None = None,
    environment: Environment | None = None,
) -> Iterator[Workspace]:
    """A workspace for ``config``'s repository; cleaned up (worktree removed) on exit.

    ``worktree=False`` gives access to the repository only (for backup refs), without a checkout.
    ``environment`` locates lpublish's cache folder (default: the process's environment).
    """
    environment = environment if environment is not None else Environment.from_os()
    found = find_clone(config)
    env = git_env(config, token, sign=signing_configured(found[0] if found else None))
    host = urlsplit(clone_url(config)).netloc or urlsplit(config.forge.web_url).netloc or "git"
    check_cancel(cancel)
    if found is not None:
        top, rel = found
        digest = hashlib.sha256(str(top).encode()).hexdigest()[:10]
        tree = user_cache(environment) / "worktrees" / f"{digest}-{secrets.token_hex(4)}"
        logger.info("working in the person's clone %s (a separate worktree %s)", top, tree)
        ws = Workspace(
            config, top, tree if worktree else top, rel, managed=False, env=env, token=token, host=host
        )
        if fetch_base:
            progress(ProgressEvent("publish.progress.fetch"))
            base = ws.fetch(config.forge.base)
            if base is None:
                raise ExternalError("publish.base_missing", base=config.forge.base, repo=config.forge.repo)
            ws.base_sha = base
        if not worktree:
            yield ws
            return
        tree.parent.mkdir(parents=True, exist_ok=True)
        # Forget worktrees of earlier runs that were killed before they could clean up.
        with contextlib.suppress(ExternalError):
            ws.git("worktree", "prune", cwd=top)
        ws.git(
            "worktree",
            "add",
            "--quiet",
            "--detach",
            "--no-checkout",
            str(tree),
            ws.base_sha or "HEAD",
            cwd=top,
        )
        try:
            yield ws
        finally:
            with contextlib.suppress(ExternalError):
                ws.git("worktree", "remove", "--force", str(tree), cwd=top)
            shutil.rmtree(tree, ignore_errors=True)
            with contextlib.suppress(ExternalError):
                ws.git("worktree", "prune", cwd=top)
        return
    if not config.forge.repo:
        raise UsageError("publish.no_repo")
    progress(ProgressEvent("publish.progress.clone"))
    target = _ensure_managed_clone(config, env, token, host, environment)
    lock = _managed_locks.setdefault(target, threading.Lock())
    with lock:
        ws = Workspace(config, target, target, "", managed=True, env=env, token=token, host=host)
        if fetch_base:
            progress(ProgressEvent("publish.progress.fetch"))
            check_cancel(cancel)
            base = ws.fetch(config.forge.base)
            if base is None:
                raise ExternalError("publish.base_missing", base=config.forge.base, repo=config.forge.repo)
            ws.base_sha = base
            ws.site_rel = detect_site_rel(ws, base)
        yield ws
