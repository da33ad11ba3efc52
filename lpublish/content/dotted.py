"""Dotted key paths (``hero.image``, ``gallery.0.src``): parsing them and reading a value at one.

Owns: ``parse_path``, ``get_at`` and ``KeyPathError``. A part is a list index when the container at
that point is a list (so a mapping key may be ``"0"``). Must not import UI libraries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class KeyPathError(LookupError):
    """A key path that does not lead to a value; ``at`` is the part that failed."""

    def __init__(self, path: str, at: str) -> None:
        super().__init__(f"{path}: no {at!r}")
        self.path = path
        self.at = at


def parse_path(path: str) -> list[str]:
    """The parts of a dotted path (empty parts dropped)."""
    return [part for part in path.split(".") if part]


def step(node: Any, part: str, path: str) -> Any:
    """The child ``part`` of ``node`` (a mapping key or a list index)."""
    if isinstance(node, Mapping):
        if part in node:
            return node[part]
        raise KeyPathError(path, part)
    if isinstance(node, Sequence) and not isinstance(node, str | bytes):
        try:
            index = int(part)
        except ValueError:
            raise KeyPathError(path, part) from None
        if -len(node) <= index < len(node):
            return node[index]
    raise KeyPathError(path, part)


def get_at(data: Any, path: str) -> Any:
    """The value at dotted ``path`` in ``data``; ``KeyPathError`` when it is not there."""
    node = data
    for part in parse_path(path):
        node = step(node, part, path)
    return node


def has_path(data: Any, path: str) -> bool:
    try:
        get_at(data, path)
    except KeyPathError:
        return False
    return True
