"""A parsed copy of the message catalogs, so a command does not parse 250 KB of TOML on every start.

Owns: ``load_catalog_files`` — the flattened messages of the given catalog files, read from a JSON copy
in ``catalog/__pycache__/`` when one was written for exactly these bytes (keyed by a SHA-256 of every
file's name and content), else parsed with ``parse`` and written there for the next run. Like Python's
own bytecode cache: a folder that cannot be written (a read-only install) only means parsing each time,
and a damaged copy is ignored. Parsing the TOML cost 0.15–0.6 s per process on the build machine (tomllib
is pure Python); reading the JSON copy costs about 2 ms. Must not import UI libraries.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

logger = logging.getLogger(__name__)

Messages = dict[str, dict[str, str]]

#: Bumped when the copy's layout changes (older copies are then never read).
FORMAT = "1"
PREFIX = "messages-"


def _digest(files: list[Path]) -> str:
    digest = hashlib.sha256(FORMAT.encode())
    for path in files:
        digest.update(path.name.encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def _read(copy: Path) -> Messages | None:
    try:
        data = json.loads(copy.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not all(
        isinstance(v, dict) and all(isinstance(t, str) for t in v.values()) for v in data.values()
    ):
        return None
    return data


def _write(folder: Path, copy: Path, messages: Messages) -> None:
    """Write atomically (parallel processes may race: the last complete copy wins) and drop older ones."""
    try:
        folder.mkdir(exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(messages, fh, ensure_ascii=False, separators=(",", ":"))
            os.replace(temp, copy)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        for old in folder.glob(PREFIX + "*.json"):
            if old != copy:
                with contextlib.suppress(OSError):
                    old.unlink()
    except OSError as exc:
        logger.debug("message catalog copy not written in %s: %s", folder, exc)


def load_catalog_files(files: list[Path], parse: Callable[[list[Path]], Messages]) -> Messages:
    """The messages of ``files`` (sorted by the caller), from the cached copy when it matches them."""
    if not files:
        return parse(files)
    folder = files[0].parent / "__pycache__"
    copy = folder / f"{PREFIX}{_digest(files)}.json"
    cached = _read(copy)
    if cached is not None:
        return cached
    messages = parse(files)
    _write(folder, copy, messages)
    return messages
