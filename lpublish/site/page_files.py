"""Files and links that site content points at: what a page may publish, checked like a slot image.

Owns: ``check_page_content`` (what ``lpublish check`` and ``lpublish build`` run on every page and
campaign of the lpublish generator) and its ``PageContent`` result: every file a page references (front
matter ``hero.image``, ``products[].image``, ``og_image``; a campaign's ``hero``/``og_image``; every
Markdown image in a body) and every link field (``hero.cta_url``, ``products[].url``, a campaign's
``cta_url``, body links), plus ``source_symlinks`` (symbolic links in the site's source folders).

The rules, the same for every page:

- a referenced file lies inside the page's own folder or a slot folder, reached without a symbolic
  link (``![x](/lpublish.toml)`` or ``../../secret.jpg`` is refused: ``page.file-outside``);
- its real format (read from the content) is an image format whose extension matches it, SVGs pass the
  SVG rules, the whole file decodes, nothing is hidden after its end, and no HTML is hidden inside it
  (``page.file-polyglot``), because the build publishes it under ``assets/`` on the production origin;
- every link passes the one URL rule (``lpublish.links``).

``refused`` lists the files the build must not publish. ``files`` lists what will be published, for the
pull request body. Must not import UI libraries.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from lpublish.assets.inspect import ImageProblem, decode_image, inspect_bytes, read_file
from lpublish.assets.validate import EXTENSION_FORMATS
from lpublish.config import SiteConfig
from lpublish.findings import Finding, error, warning
from lpublish.site.campaigns import Campaign, load_campaigns
from lpublish.site.link_rules import LinkKind, link_findings
from lpublish.site.markdown import (
    MAX_NESTING,
    FrontMatterError,
    markdown_images,
    markdown_links,
    split_front_matter,
    too_deep,
)

logger = logging.getLogger(__name__)

#: Markers of a document a browser would run if the file were ever served or sniffed as HTML. Seven or
#: more fixed bytes: compressed image data matches one by chance with negligible probability.
_HTML_MARKERS = re.compile(
    rb"<(?:script|html|body|iframe|object|embed|svg:script)[\s>/]|<!doctype\s+html", re.I
)


@dataclass(frozen=True)
class PageFile:
    """A file a page will publish: the page's source (site-relative), the field, the file (site-relative)."""

    page: str
    field: str
    path: str


@dataclass
class PageContent:
    """Findings about referenced files and links; files refused for publishing; files accepted."""

    findings: list[Finding] = field(default_factory=list)
    refused: set[Path] = field(default_factory=set)
    files: list[PageFile] = field(default_factory=list)


def _rel(config: SiteConfig, path: Path) -> str:
    try:
        return path.relative_to(config.root).as_posix()
    except ValueError:
        return str(path)


def _at(finding: Finding, line: int | None) -> Finding:
    if line is None:
        return finding
    return Finding(
        finding.code, finding.severity, finding.file, finding.field, finding.params, finding.fix, line
    )


def _inside(folder: Path, path: Path) -> bool:
    return path == folder or folder in path.parents


def _through_symlink(root: Path, path: Path) -> bool:
    """Whether ``path`` (absolute, normalised, under ``root``) or a folder on the way is a symbolic link."""
    try:
        rel = path.relative_to(root)
    except ValueError:
        return True
    current = root
    for part in rel.parts:
        current = current / part
        if current.is_symlink():
            return True
    return False


def content_problems(path: Path, file: str, *, max_pixels: int) -> list[Finding]:
    """Slot-independent image rules for a file a page publishes (format from content, SVG rules,
    complete decode, no trailing data, no HTML inside, extension matching the content)."""
    try:
        data = read_file(path, file=file)
        info = inspect_bytes(data, max_pixels=max_pixels, file=file)
        if not info.is_vector:
            decode_image(data, info.format, max_pixels=max_pixels, file=file)
    except ImageProblem as problem:
        return [error(problem.code, file, **problem.finding_params)]
    found: list[Finding] = []
    claimed = EXTENSION_FORMATS.get(path.suffix.lower().lstrip("."))
    if claimed != info.format:
        # The published file's Content-Type comes from its name: a mismatch is how a polyglot is served.
        found.append(
            error("page.file-wrong-type", file, format=info.format.upper(), extension=path.suffix or "-")
        )
    if info.is_vector:
        from lpublish.assets.svg import svg_problems

        found.extend(error(code, file, **params) for code, params in svg_problems(data))
    else:
        if info.trailing_bytes:
            found.append(error("image.trailing-data", file, fix="re-encode", size=str(info.trailing_bytes)))
        if info.structure_truncated:
            found.append(error("image.truncated", file))
        if _HTML_MARKERS.search(data):
            found.append(error("page.file-polyglot", file))
    return found


class _Checker:
    def __init__(self, config: SiteConfig) -> None:
        self.config = config
        self.root = config.root.resolve()
        # Where a slot's images may be: a file slot's one file, the folder of any other kind. A slot
        # without a folder (a file slot has no ``path``) must not widen this to the whole site.
        places = [(s.file if s.kind == "file" else s.path).strip("/") for s in config.slots.values()]
        self.slot_folders = [(self.root / place).resolve() for place in places if place]
        self.result = PageContent()
        self.seen: dict[Path, list[Finding]] = {}

    def reference(
        self,
        *,
        page: str,
        own_folder: Path,
        value: Any,
        field_name: str,
        base: Path,
        line: int | None,
        check_remote: bool = True,
    ) -> None:
        """One file reference: ``value`` relative to ``base``, or to the site root with a leading ``/``."""
        if not isinstance(value, str) or not value.strip():
            return
        text = value.strip()
        parts = urlsplit(text)
        if parts.scheme or parts.netloc or text.startswith("\\"):
            # Remote images are links: the URL rule decides (campaign bodies: the campaign rules do).
            if check_remote:
                self.link(page=page, value=text, field_name=field_name, line=line, kind="page")
            return
        rel_path = unquote(parts.path)
        candidate = (
            Path(os.path.normpath(self.root / rel_path.lstrip("/")))
            if rel_path.startswith("/")
            else (Path(os.path.normpath(base / rel_path)))
        )
        add = self.result.findings.append
        if not candidate.is_symlink() and not candidate.exists():
            return  # missing files are reported by the build and campaign checks (build.file-missing ...)
        own = own_folder.resolve()
        if not (_inside(own, candidate) or any(_inside(f, candidate) for f in self.slot_folders)):
            add(_at(error("page.file-outside", page, field=field_name, path=text), line))
            self.result.refused.add(candidate)
            return
        if _through_symlink(self.root, candidate):
            add(_at(error("page.file-symlink", page, field=field_name, path=text), line))
            self.result.refused.add(candidate)
            with contextlib.suppress(OSError, RuntimeError):
                self.result.refused.add(candidate.resolve())
            return
        if not candidate.is_file():
            add(_at(error("file.not-regular", _rel(self.config, candidate)), line))
            self.result.refused.add(candidate)
            return
        if candidate not in self.seen:
            self.seen[candidate] = content_problems(
                candidate, _rel(self.config, candidate), max_pixels=self.config.site.max_pixels
            )
        problems = self.seen[candidate]
        self.result.findings.extend(problems)
        if any(f.is_error for f in problems):
            self.result.refused.add(candidate)
        else:
            self.result.files.append(PageFile(page, field_name, _rel(self.config, candidate)))

    def link(self, *, page: str, value: Any, field_name: str, line: int | None, kind: LinkKind) -> None:
        if value is None:
            return
        if not isinstance(value, str):
            value = str(value)
        self.result.findings.extend(
            link_findings(self.config, value.strip(), file=page, field=field_name, line=line, kind=kind)
        )

    def body(self, *, page: str, own_folder: Path, body: str, body_line: int | None, kind: LinkKind) -> None:
        deep = too_deep(body)
        if deep is not None:
            line = body_line + deep if body_line is not None else None
            self.result.findings.append(
                _at(error("markdown.too-deep", page, field="body", limit=MAX_NESTING // 2), line)
            )
            return
        for src, offset in markdown_images(body):
            line = body_line + offset if body_line is not None else None
            self.reference(
                page=page,
                own_folder=own_folder,
                value=src,
                field_name="body",
                base=own_folder,
                line=line,
                check_remote=kind == "page",
            )
        if kind == "page":
            # Campaign body links are checked by the campaign rules (same URL rule, campaign codes).
            for url, offset in markdown_links(body):
                line = body_line + offset if body_line is not None else None
                self.result.findings.extend(
                    link_findings(self.config, url, file=page, field="body", line=line, allow_mail=True)
                )


def page_documents(config: SiteConfig) -> list[tuple[Path, dict[str, Any], str, int]]:
    """Readable pages of ``pages_dir`` (source, front matter, body, body line); symlinked pages skipped."""
    pages_dir = config.site_path(config.site.pages_dir)
    found: list[tuple[Path, dict[str, Any], str, int]] = []
    if not pages_dir.is_dir():
        return found
    for source in sorted(pages_dir.rglob("*.md")):
        if _through_symlink(config.root.resolve(), Path(os.path.normpath(source.absolute()))):
            continue  # reported by source_symlinks; never read through a link
        try:
            doc = split_front_matter(source.read_text(encoding="utf-8"))
        except (FrontMatterError, OSError, UnicodeDecodeError):
            continue  # reported by the build (build.page-invalid)
        found.append((source, doc.meta, doc.body, doc.body_line))
    return found


def check_page_content(config: SiteConfig, campaigns: Iterable[Campaign] | None = None) -> PageContent:
    """Every referenced-file and link problem of every page and campaign (see the module docstring)."""
    checker = _Checker(config)
    for source, meta, body, body_line in page_documents(config):
        page = _rel(config, source)
        folder = source.parent
        hero = meta.get("hero")
        if isinstance(hero, dict):
            checker.reference(
                page=page,
                own_folder=folder,
                value=hero.get("image"),
                field_name="hero.image",
                base=config.root,
                line=None,
            )
            checker.link(
                page=page, value=hero.get("cta_url"), field_name="hero.cta_url", line=None, kind="page"
            )
        products = meta.get("products")
        if isinstance(products, list):
            for index, product in enumerate(products):
                if not isinstance(product, dict):
                    continue
                checker.reference(
                    page=page,
                    own_folder=folder,
                    value=product.get("image"),
                    field_name=f"products[{index}].image",
                    base=config.root,
                    line=None,
                )
                checker.link(
                    page=page,
                    value=product.get("url"),
                    field_name=f"products[{index}].url",
                    line=None,
                    kind="page",
                )
        checker.reference(
            page=page,
            own_folder=folder,
            value=meta.get("og_image"),
            field_name="og_image",
            base=config.root,
            line=None,
        )
        if body.strip():
            checker.body(page=page, own_folder=folder, body=body, body_line=body_line, kind="page")
    if campaigns is None:
        campaigns = load_campaigns(config)[0]
    for c in campaigns:
        page = _rel(config, c.source)
        for key, path in (("hero", c.hero), ("og_image", c.og_image)):
            if path is not None:
                checker.reference(
                    page=page,
                    own_folder=c.folder,
                    value="/" + _rel(config, path),
                    field_name=key,
                    base=c.folder,
                    line=None,
                )
        if c.body.strip():
            checker.body(page=page, own_folder=c.folder, body=c.body, body_line=None, kind="campaign")
    return checker.result


# --- symbolic links in the site's sources --------------------------------------------------------------


def _source_folders(config: SiteConfig) -> list[Path]:
    site = config.site
    names = [site.templates_dir, site.static_dir, site.pages_dir, site.campaigns_dir, site.images_dir]
    names += [s.folder for s in config.slots.values() if s.folder != "."]
    folders: list[Path] = []
    for name in names:
        folder = config.site_path(name)
        if (folder.is_dir() or folder.is_symlink()) and folder not in folders:
            folders.append(folder)
    return folders


def symlink_finding(config: SiteConfig, link: Path) -> Finding:
    """The finding for one symbolic link found in a source folder."""
    rel = _rel(config, link)
    root = config.root.resolve()
    try:
        target = link.resolve(strict=True)
    except RuntimeError:
        return error("file.symlink-loop", rel)
    except OSError as exc:
        import errno

        if exc.errno == errno.ELOOP:
            return error("file.symlink-loop", rel)
        return error("file.symlink-broken", rel)
    if not _inside(root, target):
        return error("file.symlink-outside", rel, target=str(target))
    return warning("file.symlink-inside", rel, target=_rel(config, target))


def source_symlinks(config: SiteConfig) -> list[Finding]:
    """Every symbolic link in the site's source folders (never followed while looking)."""
    found: dict[Path, Finding] = {}
    for folder in _source_folders(config):
        if folder.is_symlink():
            found[folder] = symlink_finding(config, folder)
            continue
        for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
            base = Path(dirpath)
            for name in sorted(dirnames + filenames):
                path = base / name
                if path.is_symlink() and path not in found:
                    found[path] = symlink_finding(config, path)
    return [found[p] for p in sorted(found)]


def safe_link(config: SiteConfig, value: Any, *, allow_mail: bool = False) -> Any:
    """``value`` when it passes the URL rule, else ``""``: a refused link never reaches a built page
    (the finding is reported by ``check_page_content``)."""
    if not isinstance(value, str) or not value.strip():
        return value
    return value if not link_findings(config, value.strip(), file="", field="", allow_mail=allow_mail) else ""


# --- names and output paths -----------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def unsafe_name(rel: str) -> bool:
    """Whether a file name cannot be published as it is: bytes that are not UTF-8 (Python keeps them as
    lone surrogates), control characters or a backslash."""
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in rel):
        return True
    return bool(_CONTROL.search(rel)) or "\\" in rel


def safe_output_path(out: Path, rel: str) -> bool:
    """Whether the build may write ``rel`` (posix, relative) inside ``out``: checked on its own, whatever
    produced the name (a slug, a static file, a template)."""
    if not rel or rel.startswith("/") or unsafe_name(rel):
        return False
    parts = rel.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return False
    root = out.resolve()
    target = Path(os.path.normpath(root / rel))
    return root in target.parents


def check_site_content(config: SiteConfig) -> list[Finding]:
    """What ``lpublish check`` adds for site content: referenced files, links, symbolic links."""
    findings = source_symlinks(config)
    findings.extend(check_page_content(config).findings)
    return findings
