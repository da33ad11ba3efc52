"""Where a request's changes land in the site, and the guard that no image reference breaks.

Owns: ``place_image`` / ``remove_entry`` (thin over ``lpublish.content.place``, taking the publish
flow's ``ImageChange`` / ``EntryRemoval``), ``touched_paths`` (every file or folder a change may write,
for a sparse checkout and the commit) and ``GitFiles`` (a site's files as git's index sees them, so the
reference check works in a sparse managed clone too). The submit flow uses these in its git workspace
and the TUI's preview uses ``place_image`` on a throwaway copy, so the preview shows exactly the files a
request will contain. Must not import UI libraries.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lpublish.config import SiteConfig
from lpublish.content.place import FilesFor, Placement, remove_list_entry
from lpublish.content.place import place_image as _place
from lpublish.content.references import Reference, ReferenceIndex, broken_by_change, build_index
from lpublish.content.sitefiles import is_skipped, skip_patterns
from lpublish.errors import ContentError, ExternalError
from lpublish.i18n import t
from lpublish.publish.changeset import ChangeSet, EntryRemoval, ImageChange


def place_image(
    site_dir: Path,
    config: SiteConfig,
    image: ImageChange,
    *,
    fmt: str,
    sha256: str,
    files_for: FilesFor | None = None,
) -> Placement:
    """Put ``image`` into its slot under ``site_dir`` (the slot kind decides how); what was done."""
    return _place(
        site_dir,
        config,
        image.slot,
        image.source,
        alt=image.alt,
        fmt=fmt,
        sha256=sha256,
        replace=image.replace,
        fields=dict(image.fields),
        files_for=files_for,
    )


def remove_entry(
    site_dir: Path, config: SiteConfig, removal: EntryRemoval, *, files_for: FilesFor | None = None
) -> Placement:
    """Remove one entry of a list slot under ``site_dir``."""
    return remove_list_entry(site_dir, config, removal.slot, removal.entry, files_for=files_for)


def touched_paths(config: SiteConfig, changeset: ChangeSet) -> list[str]:
    """Site-relative files and folders a change may write (image folders, content and HTML files)."""
    out: set[str] = set()
    slots = [i.slot for i in changeset.images] + [r.slot for r in changeset.removals]
    for name in slots:
        section = config.slots.get(name)
        if section is None:
            continue
        if section.kind == "file":
            out.add(section.file)
            if section.alt_html:
                out.add(section.alt_html)
        else:
            out.add(section.path.strip("/") or ".")
            if section.source:
                out.add(section.source)
    return sorted(out)


def refuse_broken(before: ReferenceIndex, after: ReferenceIndex) -> None:
    """``ContentError`` naming every reference the change would break (nothing is committed)."""
    broken = broken_by_change(before, after)
    if broken:
        raise ContentError(
            "content.references_broken", count=len(broken), details=[describe_reference(r) for r in broken]
        )


def describe_reference(ref: Reference) -> str:
    return t("content.reference_line", source=ref.source, line=ref.line, raw=ref.raw)


class GitFiles:
    """The site's files as git's index sees them (a sparse checkout lacks most of them on disk), with
    text read from the working tree when the file is there, else from the index."""

    def __init__(self, git: Callable[..., str], root: Path, site_rel: str, config: SiteConfig) -> None:
        self._git = git
        self.root = root
        self.site_rel = site_rel.strip("/")
        self.patterns = skip_patterns(config)
        self._paths: set[str] | None = None

    def _strip(self, path: str) -> str | None:
        if not self.site_rel:
            return path
        prefix = self.site_rel + "/"
        return path[len(prefix) :] if path.startswith(prefix) else None

    def paths(self) -> set[str]:
        if self._paths is None:
            scope = self.site_rel or "."
            listed = self._git("ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", scope)
            found = set()
            for entry in listed.split("\0"):
                rel = self._strip(entry) if entry else None
                if not rel or is_skipped(rel, self.patterns):
                    continue
                on_disk = self.root / entry
                # A tracked file deleted in the working tree is gone unless the checkout is sparse there.
                if on_disk.exists() or not on_disk.parent.is_dir() or self._skip_worktree(entry):
                    found.add(rel)
            self._paths = found
        return self._paths

    def _skip_worktree(self, entry: str) -> bool:
        out = self._git("ls-files", "-t", "--", entry)
        return out.startswith("S ")

    def read_text(self, rel: str) -> str | None:
        entry = f"{self.site_rel}/{rel}" if self.site_rel else rel
        path = self.root / entry
        try:
            if path.is_file():
                return path.read_bytes().decode("utf-8")
            return self._git("cat-file", "blob", f":{entry}")
        except (OSError, UnicodeDecodeError, ExternalError):
            return None


def git_index(git: Callable[..., str], root: Path, site_rel: str, config: SiteConfig) -> ReferenceIndex:
    """The reference index of the site as the checkout at ``root`` holds it."""
    return build_index(config, GitFiles(git, root, site_rel, config))
