"""Sizes as people read them: the one byte formatter.

Owns: ``format_bytes``. Decimal units (1 KB = 1,000 bytes), as macOS, GitHub and browsers show file
sizes, so the number a designer sees in Finder matches the one in lpublish, the pull request and the
deploy summary: ``999 B``, ``176 KB``, ``8.2 MB``, ``1.3 GB``.
"""

from __future__ import annotations

#: (unit, bytes per unit, decimals shown): kilobytes whole, larger units with one decimal.
_UNITS = (("KB", 1_000, 0), ("MB", 1_000_000, 1), ("GB", 1_000_000_000, 1), ("TB", 1_000_000_000_000, 1))


def format_bytes(size: int) -> str:
    """``size`` bytes in the largest unit that keeps the number under 1000 once rounded."""
    if size < 1000:
        return f"{size} B"
    for unit, scale, decimals in _UNITS:
        text = f"{size / scale:.{decimals}f}"
        # 999,999 bytes round to "1000 KB": say "1.0 MB" instead.
        if float(text) < 1000 or unit == _UNITS[-1][0]:
            return f"{text} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover - the last unit always returns
