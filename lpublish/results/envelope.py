"""The one JSON envelope every command prints with ``--format json``, and reading it back.

Owns: ``SCHEMA_VERSION`` and its rule, ``ErrorInfo`` (an ``LpublishError`` as data), ``Envelope``,
``Codec`` (how one result type becomes JSON and back), ``to_envelope`` / ``from_envelope`` and
``EnvelopeProblem`` (why a text is not a readable envelope). Shape::

    {"lpublish": "1", "command": "deploy", "ok": true, "exit_code": 0, "result": {...}, "errors": []}

A failed command still prints an envelope (``ok: false``, ``result: null``, ``errors: [...]``), so a
later workflow step can read why. Must not import UI libraries.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from lpublish.errors import LpublishError

if TYPE_CHECKING:
    from pydantic import TypeAdapter

logger = logging.getLogger(__name__)

#: The envelope's major version. Adding a field (to the envelope or to a result) keeps it; removing,
#: renaming or changing the meaning of a field raises it, and readers refuse a version they do not know.
SCHEMA_VERSION = "1"

T = TypeVar("T")


@dataclass(frozen=True)
class ErrorInfo:
    """One error as data: the catalog key and its texts in the language the command ran in."""

    key: str
    title: str
    message: str
    hint: str = ""
    details: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, exc: LpublishError) -> ErrorInfo:
        return cls(exc.key, exc.title, exc.message, exc.hint, list(exc.details))

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "message": self.message,
            "hint": self.hint,
            "details": list(self.details),
        }

    @classmethod
    def from_dict(cls, data: Any) -> ErrorInfo:
        if not isinstance(data, dict) or not isinstance(data.get("key"), str):
            raise EnvelopeProblem("invalid")
        details = data.get("details")
        return cls(
            key=data["key"],
            title=str(data.get("title", "")),
            message=str(data.get("message", "")),
            hint=str(data.get("hint") or ""),
            details=[str(d) for d in details] if isinstance(details, list) else [],
        )


@dataclass(frozen=True)
class Codec(Generic[T]):
    """How the result of some commands (``commands``) becomes the envelope's ``result`` and back."""

    commands: tuple[str, ...]
    encode: Callable[[T], Any]
    decode: Callable[[Any], T]


@dataclass
class Envelope(Generic[T]):
    """One command's outcome: its result (``None`` when it failed before having one) and its errors."""

    command: str
    exit_code: int
    result: T | None = None
    errors: list[ErrorInfo] = field(default_factory=list)
    version: str = SCHEMA_VERSION

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


class EnvelopeProblem(ValueError):
    """Why a text is not an envelope this version reads: ``empty``, ``invalid``, ``version`` or
    ``command`` (an envelope of another command)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def to_envelope(
    codec: Codec[T],
    command: str,
    result: T | None,
    *,
    exit_code: int = 0,
    errors: list[LpublishError] | None = None,
) -> dict[str, Any]:
    """The envelope of ``command`` as JSON-ready data."""
    if command not in codec.commands:
        raise ValueError(f"{command!r} does not print this kind of result")
    return {
        "lpublish": SCHEMA_VERSION,
        "command": command,
        "ok": exit_code == 0,
        "exit_code": exit_code,
        "result": None if result is None else codec.encode(result),
        "errors": [ErrorInfo.of(e).to_dict() for e in errors or []],
    }


def error_envelope(command: str, exc: LpublishError) -> dict[str, Any]:
    """The envelope of a command that stopped with ``exc`` (any command, whatever its result type)."""
    return {
        "lpublish": SCHEMA_VERSION,
        "command": command,
        "ok": False,
        "exit_code": int(exc.exit_code),
        "result": None,
        "errors": [ErrorInfo.of(exc).to_dict()],
    }


def dumps(data: dict[str, Any], *, one_line: bool = False) -> str:
    """The envelope as printed: UTF-8 text (Japanese stays readable), indented or on ``one_line``."""
    return json.dumps(data, ensure_ascii=False, indent=None if one_line else 2)


def from_envelope(codec: Codec[T], data: Any) -> Envelope[T]:
    """Read an envelope (text or parsed JSON) of one of ``codec.commands``; ``EnvelopeProblem`` if not."""
    if isinstance(data, str | bytes):
        if not data.strip():
            raise EnvelopeProblem("empty")
        try:
            data = json.loads(data)
        except ValueError:
            raise EnvelopeProblem("invalid") from None
    if not isinstance(data, dict) or "lpublish" not in data:
        raise EnvelopeProblem("invalid")
    if data["lpublish"] != SCHEMA_VERSION:
        logger.info("envelope version %r is not %r", data["lpublish"], SCHEMA_VERSION)
        raise EnvelopeProblem("version")
    command = data.get("command")
    if command not in codec.commands:
        raise EnvelopeProblem("command")
    exit_code = data.get("exit_code")
    errors = data.get("errors", [])
    if not isinstance(exit_code, int) or isinstance(exit_code, bool) or not isinstance(errors, list):
        raise EnvelopeProblem("invalid")
    raw = data.get("result")
    try:
        result = None if raw is None else codec.decode(raw)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, EnvelopeProblem):
            raise
        logger.debug("result of %s does not decode: %s", command, exc)
        raise EnvelopeProblem("invalid") from None
    return Envelope(
        command=str(command),
        exit_code=exit_code,
        result=result,
        errors=[ErrorInfo.from_dict(e) for e in errors],
    )


def plain_codec(kind: type[T] | Any, *commands: str) -> Codec[T]:
    """A codec for a dataclass (or list of them) of plain fields: pydantic dumps and validates it."""

    # Built on first use: importing pydantic and building a schema is not free, and most processes print
    # one kind of result (or none).
    @cache
    def adapter() -> TypeAdapter[T]:
        from pydantic import TypeAdapter

        return TypeAdapter(kind)

    def encode(value: T) -> Any:
        return adapter().dump_python(value, mode="json")

    def decode(data: Any) -> T:
        return adapter().validate_python(data)

    return Codec(commands, encode, decode)
