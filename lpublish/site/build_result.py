"""What a build returns, without the machinery that makes it.

Owns: ``PageInfo`` (one built page), ``BuildResult`` (one build's pages, findings and counts) and
``CACHE_DIR`` (the image-variant cache's folder name). Kept apart from ``lpublish.site.build`` so that
code which only reads results or folder names (the site adapters' ``output_dir()``, the deploy command,
result codecs) does not import Jinja2, Pillow and Markdown on every start. Must not import UI libraries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lpublish.findings import Finding, Severity

#: The image variant cache, under the site root (keyed by content: previews of a copy may share it).
CACHE_DIR = ".lpublish-cache"


@dataclass
class BuildResult:
    """What a build produced: pages, every finding, image variants generated vs reused from cache."""

    out_dir: Path
    pages: list[PageInfo] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    generated: int = 0
    reused: int = 0
    #: Output files written (new or changed) and deleted (stale) by this build.
    written: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    files: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "out_dir": str(self.out_dir),
            "pages": [p.to_dict() for p in self.pages],
            "images_generated": self.generated,
            "images_reused": self.reused,
            "files": self.files,
            "written": len(self.written),
            "deleted": len(self.deleted),
            "seconds": round(self.seconds, 3),
        }


@dataclass
class PageInfo:
    """One built HTML page: output path (posix, relative to ``out``), site URL path, title, weight."""

    path: str
    url: str
    title: str
    kind: str
    weight: int = 0
    noindex: bool = False
    #: For campaign pages: scheduled | live | ended (what the page shows at build time).
    state: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The page in ``lpublish build --format json`` (the same fields for every adapter)."""
        return {name: getattr(self, name) for name in ("path", "url", "title", "kind", "weight", "state")}
