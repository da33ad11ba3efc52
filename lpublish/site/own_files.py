"""lpublish's own files, and the exclude patterns that keep them (and other private files) unpublished.

Owns: ``DEFAULT_EXCLUDE`` (always applied to a deploy and to a copied or static output), the pattern
rule ``is_excluded`` (gitignore-like: ``dir/`` matches a folder, a pattern without ``/`` matches a name
at any depth, other patterns match the path from the published folder's root, ``!`` takes a path back) and ``own_files_in``
(lpublish files found in a generator's output, for the build's warning). Must not import UI libraries.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable

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


def _match_one(path: str, pattern: str) -> bool:
    anchored = pattern.startswith("/")
    pattern = pattern.strip("/") if pattern.endswith("/") else pattern.lstrip("/")
    parts = path.split("/")
    if "/" not in pattern and not anchored:
        # A bare name: any component (folder or file name) at any depth.
        return any(fnmatch.fnmatchcase(part, pattern) for part in parts)
    # A path pattern: the whole path, or one of its leading folders (``docs/private`` hides its files).
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    return any(fnmatch.fnmatchcase(prefix, pattern) for prefix in prefixes)


def is_excluded(path: str, patterns: Iterable[str]) -> bool:
    """Whether the posix ``path`` (relative to the published folder) is excluded by ``patterns``.

    Like ``.gitignore``, the last matching pattern decides and ``!pattern`` takes a path back in.
    """
    path = path.strip("/")
    excluded = False
    for pattern in patterns:
        pattern = pattern.strip()
        if not pattern:
            continue
        if pattern.startswith("!"):
            if excluded and _match_one(path, pattern[1:]):
                excluded = False
        elif not excluded and _match_one(path, pattern):
            excluded = True
    return excluded


def own_files_in(paths: Iterable[str]) -> list[str]:
    """The lpublish files among ``paths`` (a generator that copied them would publish them)."""
    return sorted(p for p in paths if is_excluded(p, OWN_FILE_PATTERNS))
