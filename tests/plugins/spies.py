"""Counting spies: wrap a real lpublish function so every call is counted and then made as usual.

Owns ``Calls`` and ``spy(monkeypatch, owner, name)``. The wrapper replaces the function wherever lpublish
holds it: its own module (so calls inside that module and lazy ``from ... import`` are counted), every
loaded ``lpublish`` module that imported it by name, and the class for a method. Nothing is faked:
the wrapped function runs with the same arguments and its result or error is passed on. Used by the
tests that count how often a submitted change is validated, saved and placed.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import pytest


class Calls:
    """How often each spied function ran (by its ``module.qualname``)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def __getitem__(self, name: str) -> int:
        return self.counts.get(name, 0)

    def add(self, name: str) -> None:
        self.counts[name] = self.counts.get(name, 0) + 1

    def reset(self) -> None:
        self.counts.clear()


def spy(
    monkeypatch: pytest.MonkeyPatch,
    calls: Calls,
    owner: Any,
    name: str,
    label: Callable[..., str] | None = None,
) -> None:
    """Count the calls of ``owner.name`` (a module's function or a class's method) in ``calls`` under
    ``name`` (or under ``label(*args, **kwargs)``, to tell calls apart by their arguments), replacing
    every reference lpublish's loaded modules hold to it."""
    real: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(real)
    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.add(label(*args, **kwargs) if label is not None else name)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    if isinstance(owner, type):
        return
    for module_name, module in list(sys.modules.items()):
        if module is owner or not module_name.startswith("lpublish") or module is None:
            continue
        for attr, value in list(vars(module).items()):
            if value is real:
                monkeypatch.setattr(module, attr, counted)
