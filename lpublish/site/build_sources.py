"""The site's own files as pages use them: which references may be published, assets, alt texts.

Owns: ``SiteFiles``. It knows which source files the build must not publish (refused by the page-file
rules, or behind a symbolic link the build does not follow: ``lpublish.site.page_files``), resolves a
template's or page's file reference inside the site, copies a referenced file into ``assets/`` under a
content-hashed name (once per file), and reads alt texts from a folder's ``alt.toml`` (the assets
contract). Must not import UI libraries.
"""

from __future__ import annotations

import logging
import os
import tomllib
from pathlib import Path

from lpublish.findings import Finding, error
from lpublish.hashing import sha256_bytes
from lpublish.site.build_output import Output
from lpublish.site.images import safe_stem

logger = logging.getLogger(__name__)


class SiteFiles:
    """File references of one build, resolved against the site root ``root``.

    ``outputs`` and ``findings`` are the build's own collections: copied assets and missing-file
    findings go straight into them.
    """

    def __init__(self, root: Path, outputs: dict[str, Output], findings: list[Finding]) -> None:
        self.root = root
        self.outputs = outputs
        self.findings = findings
        #: Files a page references that failed the page-file rules (never published), and symbolic
        #: links in the sources that must not be followed (see ``lpublish.site.page_files``).
        self.refused: set[Path] = set()
        self.blocked_links: list[Path] = []
        self._assets: dict[str, str] = {}
        self._alts: dict[Path, dict[str, str]] = {}

    def site_rel(self, path: str | Path) -> tuple[str, Path] | None:
        """A site-relative posix path and the file for an image/asset reference, if it is inside the site."""
        candidate = path if isinstance(path, Path) else self.root / str(path).lstrip("/")
        try:
            resolved = candidate.resolve()
            rel = resolved.relative_to(self.root).as_posix()
        except (OSError, ValueError):
            return None
        return rel, resolved

    def blocked(self, path: Path) -> bool:
        """Whether ``path`` is, or lies under, a symbolic link the build must not follow."""
        absolute = Path(os.path.normpath(path.absolute()))
        return any(absolute == link or link in absolute.parents for link in self.blocked_links)

    def is_refused(self, path: str | Path) -> bool:
        """Whether a reference must not be published (blocked link, unresolvable, or refused file)."""
        candidate = path if isinstance(path, Path) else self.root / str(path).lstrip("/")
        if self.blocked(candidate):
            return True
        try:
            resolved = candidate.resolve()
        except (OSError, RuntimeError):
            return True
        return resolved in self.refused or Path(os.path.normpath(candidate.absolute())) in self.refused

    def asset_path(self, path: str | Path, source_file: str) -> str | None:
        """The output path of ``path`` copied into ``assets/`` (``None``: refused, or missing — a finding
        on ``source_file``, the page that referenced it)."""
        if self.is_refused(path):
            return None  # reported by the page-file check (page.file-*)
        found = self.site_rel(path)
        if found is None or not found[1].is_file():
            self.findings.append(error("build.file-missing", source_file, path=str(path)))
            return None
        rel, resolved = found
        if rel not in self._assets:
            data = resolved.read_bytes()
            sha = sha256_bytes(data)
            out_path = f"assets/{safe_stem(resolved)}.{sha[:12]}{resolved.suffix.lower()}"
            self.outputs[out_path] = Output(data=data, sha256=sha, size=len(data))
            self._assets[rel] = out_path
            logger.debug("asset %s -> %s", rel, out_path)
        return self._assets[rel]

    def alt(self, path: str | Path, default: str = "") -> str:
        """Alt text for an image from its folder's ``alt.toml`` (the assets contract), else ``default``."""
        found = self.site_rel(path)
        if found is None:
            return default
        folder = found[1].parent
        if folder not in self._alts:
            try:
                with (folder / "alt.toml").open("rb") as fh:
                    data = tomllib.load(fh)
                self._alts[folder] = {str(k): str(v) for k, v in data.items() if isinstance(v, str)}
            except (OSError, tomllib.TOMLDecodeError):
                self._alts[folder] = {}
        return self._alts[folder].get(found[1].name, default)
