"""lpublish's own files, and the exclude patterns that keep them (and other private files) unpublished.

Owns: ``DEFAULT_EXCLUDE`` (always applied to a deploy and to a copied or static output), the pattern
rule ``is_excluded`` (gitignore-like: ``dir/`` matches a folder, a pattern without ``/`` matches a name
at any depth, other patterns match the path from the published folder's root, ``!`` takes a path back) and ``own_files_in``
(lpublish files found in a generator's output, for the build's warning). Must not import UI libraries.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable
from functools import lru_cache

#: Never published, whatever the config says (the contract in CONTRACTS.md, plus the site's
#: ``_headers`` file, which is read into header rules instead of being uploaded).
DEFAULT_EXCLUDE: tuple[str, ...] = (
    ".git/",
    ".github/",
    "lpublish.toml",
    ".lpublish*",
    "node_modules/",
    "/_headers",
)

#: Files lpublish writes into a site that a generator might copy into its output.
OWN_FILE_PATTERNS: tuple[str, ...] = (
    "lpublish.toml",
    ".lpublish*",
    "lpublish.schema.json",
    "docs/lpublish.md",
    "docs/lpublish-setup.md",
    "alt.toml",
)


#: One run of consecutive patterns with the same ``!``: (negated, bare-name matcher, path matcher).
_Run = tuple[
    bool, "Callable[[str], re.Match[str] | None] | None", "Callable[[str], re.Match[str] | None] | None"
]


def _matcher(bodies: list[str]) -> Callable[[str], re.Match[str] | None] | None:
    if not bodies:
        return None
    return re.compile("|".join(f"(?:{fnmatch.translate(body)})" for body in bodies)).match


@lru_cache(maxsize=64)
def _compiled(patterns: tuple[str, ...]) -> tuple[_Run, ...]:
    """Consecutive patterns with the same ``!`` merged into one regex per kind: the last matching pattern
    decides, and within a run every pattern would decide the same way, so a run asks one question (a
    deploy checks every path of the site: one regex per run instead of one per pattern)."""
    runs: list[tuple[bool, list[str], list[str]]] = []
    for raw in patterns:
        pattern = raw.strip()
        if not pattern:
            continue
        negated = pattern.startswith("!")
        body = pattern[1:] if negated else pattern
        anchored = body.startswith("/")
        body = body.strip("/") if body.endswith("/") else body.lstrip("/")
        bare = "/" not in body and not anchored
        if not runs or runs[-1][0] != negated:
            runs.append((negated, [], []))
        _, bare_bodies, path_bodies = runs[-1]
        (bare_bodies if bare else path_bodies).append(body)
    return tuple((negated, _matcher(bare), _matcher(paths)) for negated, bare, paths in runs)


def exclusion_rule(patterns: Iterable[str]) -> Callable[[str], bool]:
    """``is_excluded`` for many paths: ``patterns`` compiled once (a deploy walk checks every entry)."""
    runs = _compiled(tuple(patterns))

    def excluded(path: str) -> bool:
        parts = path.strip("/").split("/")
        prefixes: list[str] | None = None
        result = False
        for negated, bare, whole in runs:
            # Like .gitignore, the last matching pattern decides: a pattern only matters while the path
            # is not excluded, a ``!`` pattern only while it is.
            if negated != result:
                continue
            # A bare name: any component (folder or file name) at any depth.
            hit = bare is not None and any(bare(part) for part in parts)
            if not hit and whole is not None:
                # A path pattern: the whole path, or one of its leading folders (``docs/private`` hides
                # its files).
                if prefixes is None:
                    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
                hit = any(whole(prefix) for prefix in prefixes)
            if hit:
                result = not negated
        return result

    return excluded


def walk_exclusion_rule(patterns: Iterable[str]) -> Callable[[str], bool]:
    """``exclusion_rule`` for a walk that asks about every folder before entering it and never enters an
    excluded one. Without ``!`` patterns a kept folder's entry is then excluded only by its own name (a
    bare pattern) or its whole path (a path pattern): its folders already answered "kept" for theirs,
    so one name and one path are asked instead of every component and prefix. With a ``!`` pattern,
    a later pattern may take back what an earlier one excluded: every question is asked in full."""
    runs = _compiled(tuple(patterns))
    if any(negated for negated, _, _ in runs):
        return exclusion_rule(patterns)

    def excluded(path: str) -> bool:
        trimmed = path.strip("/")
        name = trimmed.rpartition("/")[2]
        return any(
            (bare is not None and bare(name) is not None)
            or (whole is not None and whole(trimmed) is not None)
            for _, bare, whole in runs
        )

    return excluded


def is_excluded(path: str, patterns: Iterable[str]) -> bool:
    """Whether the posix ``path`` (relative to the published folder) is excluded by ``patterns``.

    Like ``.gitignore``, the last matching pattern decides and ``!pattern`` takes a path back in.
    """
    return exclusion_rule(patterns)(path)


def own_files_in(paths: Iterable[str]) -> list[str]:
    """The lpublish files among ``paths`` (a generator that copied them would publish them)."""
    return sorted(p for p in paths if is_excluded(p, OWN_FILE_PATTERNS))
