"""Round-trip edits of content and data files: one value, one list entry, nothing else changes.

Owns: ``SetValue``, ``AppendEntry``, ``RemoveEntry`` and ``apply_edits`` / ``edit_file``. YAML is
edited line by line (``lpublish.content.yamledit``), TOML with tomlkit (which keeps every other byte),
JSON by re-serialising with the file's own indentation and key order (JSON has no comments to lose).
Front matter is edited inside its fences; the page body is never touched. Must not import UI
libraries.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lpublish.content import yamledit
from lpublish.content.documents import Document, DocumentError, open_document, write_text
from lpublish.content.dotted import KeyPathError, get_at, parse_path, step

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SetValue:
    """Set the scalar at ``path`` (added when missing)."""

    path: str
    value: Any


@dataclass(frozen=True)
class AppendEntry:
    """Append ``entry`` to the list at ``path``."""

    path: str
    entry: Any


@dataclass(frozen=True)
class RemoveEntry:
    """Remove entry ``index`` of the list at ``path``."""

    path: str
    index: int


Edit = SetValue | AppendEntry | RemoveEntry


def apply_edits(doc: Document, edits: list[Edit]) -> Document:
    """``doc`` with ``edits`` applied in order (``KeyPathError`` / ``DocumentError`` on failure)."""
    data = doc.data
    for edit in edits:
        if doc.format == "yaml":
            data = _yaml_edit(data, edit)
        elif doc.format == "toml":
            data = _toml_edit(data, edit)
        else:
            data = _json_edit(data, edit)
    return doc.with_data(data)


def edit_file(path: Path, edits: list[Edit]) -> None:
    """Apply ``edits`` to the file at ``path`` and write it back (only the edited lines change)."""
    doc = open_document(path)
    logger.info("editing %s: %d change(s), round-trip", path, len(edits))
    for edit in edits:
        logger.debug("edit in %s: %r", path.name, edit)
    write_text(path, apply_edits(doc, edits).text)


def _yaml_edit(text: str, edit: Edit) -> str:
    if isinstance(edit, SetValue):
        return yamledit.set_scalar(text, edit.path, edit.value)
    if isinstance(edit, AppendEntry):
        return yamledit.append_entry(text, edit.path, edit.entry)
    return yamledit.remove_entry(text, edit.path, edit.index)


def _apply(doc: Any, edit: Edit, entry_for: Callable[[Any, Any], Any] = lambda _list, entry: entry) -> None:
    """Apply ``edit`` to a parsed document (tomlkit's or plain JSON data) in place; ``entry_for`` turns
    an appended entry into what the list holds (tomlkit wants tables)."""
    parts = parse_path(edit.path)
    if isinstance(edit, SetValue):
        parent: Any = doc
        for part in parts[:-1]:
            parent = step(parent, part, edit.path)
        if isinstance(parent, list):
            parent[int(parts[-1])] = edit.value
        else:
            parent[parts[-1]] = edit.value
        return
    target = get_at(doc, edit.path)
    if not isinstance(target, list):
        raise KeyPathError(edit.path, parts[-1] if parts else "")
    if isinstance(edit, AppendEntry):
        target.append(entry_for(target, edit.entry))
    else:
        if not -len(target) <= edit.index < len(target):
            raise KeyPathError(edit.path, str(edit.index))
        del target[edit.index]


def _toml_edit(text: str, edit: Edit) -> str:
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        doc = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise DocumentError("syntax", str(exc)) from None

    def toml_entry(target: Any, entry: Any) -> Any:
        if not isinstance(entry, dict):
            return entry
        # An array of tables gets a table; an inline array gets an inline table, as its entries are.
        table = tomlkit.table() if isinstance(target, tomlkit.items.AoT) else tomlkit.inline_table()
        table.update(entry)
        return table

    _apply(doc, edit, toml_entry)
    return tomlkit.dumps(doc)


def _json_indent(text: str) -> int | str | None:
    match = re.search(r"^([ \t]+)\S", text, re.MULTILINE)
    if match is None:
        return None
    found = match.group(1)
    return found if "\t" in found else len(found)


def _json_edit(text: str, edit: Edit) -> str:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError("syntax", str(exc)) from None
    _apply(data, edit)
    ascii_only = "\\u" in text and text.isascii()
    out = json.dumps(data, indent=_json_indent(text), ensure_ascii=ascii_only)
    trailing = text[len(text.rstrip()) :]
    return out + trailing
