"""Every asset finding code is in the catalog (both languages) and documented in docs/checks.md."""

from __future__ import annotations

import re
from pathlib import Path

from lpublish.i18n import catalog

ROOT = Path(__file__).resolve().parents[2]
PREFIXES = ("file.", "image.", "svg.", "name.", "alt.")


def emitted_codes() -> set[str]:
    """Finding codes passed to error()/warning()/info() or ImageProblem() in the asset engine."""
    pattern = re.compile(
        r"""(?:error|warning|info_finding|info|ImageProblem)\(\s*["']([a-z]+\.[a-z0-9-]+)["']"""
    )
    codes: set[str] = set()
    for path in (ROOT / "lpublish" / "assets").glob("*.py"):
        codes.update(pattern.findall(path.read_text(encoding="utf-8")))
    for path in (ROOT / "lpublish" / "assets").glob("svg.py"):
        codes.update(re.findall(r"""["'](svg\.[a-z-]+)["']""", path.read_text(encoding="utf-8")))
    return {c for c in codes if c.startswith(PREFIXES)}


def test_emitted_codes_have_messages_and_hints() -> None:
    codes = emitted_codes()
    assert len(codes) > 30
    messages = catalog()
    missing = [
        c for c in sorted(codes) for part in ("message", "hint") if f"finding.{c}.{part}" not in messages
    ]
    assert missing == []


def test_every_code_is_documented() -> None:
    docs = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    catalog_codes = {
        key.removeprefix("finding.").rsplit(".", 1)[0]
        for key in catalog()
        if key.startswith(tuple(f"finding.{p}" for p in PREFIXES))
    }
    undocumented = sorted(c for c in emitted_codes() | catalog_codes if f"`{c}`" not in docs)
    assert undocumented == []
