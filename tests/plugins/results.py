"""Reading and writing command envelopes in tests: what a later workflow step (or a script) does."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from lpublish.results.envelope import SCHEMA_VERSION, Codec, dumps, to_envelope

T = TypeVar("T")


def envelope_text(codec: Codec[T], command: str, result: T, *, exit_code: int = 0) -> str:
    """The text ``lpublish COMMAND --format json`` prints for ``result``."""
    return dumps(to_envelope(codec, command, result, exit_code=exit_code))


def result_of(out: str, command: str | None = None) -> Any:
    """The ``result`` of the envelope printed on stdout ``out`` (checking it is one, of ``command``)."""
    data = json.loads(out)
    assert isinstance(data, dict) and data["lpublish"] == SCHEMA_VERSION, out[:200]
    if command is not None:
        assert data["command"] == command
    return data["result"]
