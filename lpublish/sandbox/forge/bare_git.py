"""Git on the bare repositories the local forge serves.

Owns: the environment every server-side git runs with, reading refs and blobs, a pull request's current
head, the real merge (``git merge-tree --write-tree`` + ``commit-tree``) that merging a pull request
does, and running the ``on_merge`` hooks after it, outside the state's lock.
"""

from __future__ import annotations

import logging
import subprocess

from lpublish.environment import Environment
from lpublish.sandbox.forge.state import ForgeServerError, ForgeState, MergeEvent, Pull, Repo, now

logger = logging.getLogger(__name__)


def git_env(env: Environment, **extra: str) -> dict[str, str]:
    """The environment of the server's git: never the caller's system config, never a prompt."""
    return env.for_child(GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0", **extra)


def run_git(state: ForgeState, repo: Repo, *args: str, check: bool = True) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=repo.bare,
        capture_output=True,
        text=True,
        check=False,
        env=git_env(state.env),
    )
    if check and result.returncode != 0:
        raise ForgeServerError(f"git {args[0]} failed: {result.stderr.strip()}")
    return result.stdout.strip()


def ref_sha(state: ForgeState, repo: Repo, ref: str) -> str | None:
    """The commit ``ref`` names, or ``None``."""
    out = run_git(state, repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    return out or None


def head_sha(state: ForgeState, repo: Repo, pull: Pull) -> str:
    """The pull request's head commit: its branch's tip while open, the last one seen once closed."""
    if pull.state == "open":
        sha = ref_sha(state, repo, f"refs/heads/{pull.head}")
        if sha:
            pull.head_sha = sha
    return pull.head_sha


def blob(state: ForgeState, repo: Repo, sha: str, path: str) -> bytes | None:
    """The bytes of ``path`` at commit ``sha``, or ``None`` when it is not there."""
    found = subprocess.run(
        ["git", "cat-file", "blob", f"{sha}:{path}"],
        cwd=repo.bare,
        capture_output=True,
        check=False,
        env=git_env(state.env),
    )
    return found.stdout if found.returncode == 0 else None


def merge(state: ForgeState, repo: Repo, pull: Pull, merged_by: str) -> MergeEvent:
    """Merge ``pull`` into its base for real, under the state's lock; returns what the merge hooks are
    given. The caller runs them with :func:`run_merge_hooks` once it has released the lock."""
    with state.lock:
        if pull.merged_at:
            raise ForgeServerError(f"#{pull.number} is already merged")
        if pull.state != "open":
            raise ForgeServerError(f"#{pull.number} is closed")
        head = head_sha(state, repo, pull)
        base = ref_sha(state, repo, f"refs/heads/{pull.base}")
        if not head or not base:
            raise ForgeServerError("branch missing")
        merged = subprocess.run(
            ["git", "merge-tree", "--write-tree", base, head],
            cwd=repo.bare,
            capture_output=True,
            text=True,
            check=False,
            env=git_env(state.env),
        )
        if merged.returncode != 0:
            raise ForgeServerError(f"merge conflict in #{pull.number}")
        tree = merged.stdout.split()[0]
        user = state.users.get(merged_by)
        name = user.name if user else merged_by
        identity = git_env(
            state.env,
            GIT_AUTHOR_NAME=name,
            GIT_AUTHOR_EMAIL=f"{merged_by}@users.noreply.localhost",
            GIT_COMMITTER_NAME="Local Forge",
            GIT_COMMITTER_EMAIL="noreply@localhost",
        )
        message = f"Merge pull request #{pull.number} from {pull.head}\n\n{pull.title}"
        sha = subprocess.run(
            ["git", "commit-tree", tree, "-p", base, "-p", head, "-m", message],
            cwd=repo.bare,
            capture_output=True,
            text=True,
            check=True,
            env=identity,
        ).stdout.strip()
        run_git(state, repo, "update-ref", f"refs/heads/{pull.base}", sha, base)
        pull.state = "closed"
        pull.merged_at = pull.closed_at = pull.updated_at = now()
        pull.merged_by = merged_by
        pull.merge_commit_sha = sha
        pull.base_sha = base
        event = MergeEvent(repo.full_name, pull.number, sha, pull.base, repo.bare)
    logger.info("merged %s#%d into %s as %s", repo.full_name, pull.number, pull.base, sha[:12])
    return event


def run_merge_hooks(state: ForgeState, event: MergeEvent) -> None:
    """Run the ``on_merge`` hooks for ``event``. Never under the state's lock: practice mode builds and
    deploys in its hook, and every other request (the TUI's status polls) would wait for the whole
    build. A hook that records something (a deployment) takes the lock itself for just that."""
    with state.lock:
        hooks = list(state.merge_hooks)
    for hook in hooks:
        logger.debug("merge hook %s for %s#%d", getattr(hook, "__qualname__", hook), event.repo, event.number)
        hook(event)
