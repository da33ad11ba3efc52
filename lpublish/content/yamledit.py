"""Editing YAML text in place: set one scalar, add a key, append or remove a list entry.

Owns: ``set_scalar``, ``append_entry``, ``remove_entry``. ruamel.yaml's round-trip loader tells where
every node is (line, column); the edit changes only those lines, so comments, quoting, blank lines and
indentation elsewhere stay byte for byte. When a node is in a shape the line edit cannot handle safely
(block scalars, flow collections, anchors), the edit falls back to a ruamel.yaml round-trip dump of the
whole text with the file's own indentation, which still keeps comments, order and quotes. Every result
is parsed again and checked to hold the new value. Must not import UI libraries.
"""

from __future__ import annotations

import io
import json
import logging
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from lpublish.content.dotted import KeyPathError, get_at, parse_path, step

logger = logging.getLogger(__name__)

_PLAIN_SAFE = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`][^#\n]*$")


class _Fallback(Exception):
    """The line edit cannot be done safely here; use the round-trip dump."""


def _yaml() -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.allow_unicode = True
    return yaml


def _load(text: str) -> Any:
    return _yaml().load(text) if text.strip() else CommentedMap()


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _eol(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _navigate(data: Any, parts: list[str], path: str) -> Any:
    node = data
    for part in parts:
        node = step(node, part, path)
    return node


def render_scalar(value: Any, quote: str = "") -> str:
    """``value`` as a YAML scalar token, in the quoting style the old token used when it had one."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    text = str(value)
    if quote == "'" and "\n" not in text:
        return "'" + text.replace("'", "''") + "'"
    if quote != '"' and _PLAIN_SAFE.match(text) and not text.endswith((" ", ":")) and ": " not in text:
        loaded = YAML(typ="safe", pure=True).load(f"k: {text}\n")
        if isinstance(loaded, dict) and loaded.get("k") == text:
            return text
    return json.dumps(text, ensure_ascii=False)


def _token_end(line: str, col: int, flow: bool) -> tuple[int, str]:
    """End column of the scalar token starting at ``col`` and its quote character ('' = plain)."""
    body = line.rstrip("\r\n")
    if col >= len(body):
        return col, ""
    first = body[col]
    if first == '"':
        i = col + 1
        while i < len(body):
            if body[i] == "\\":
                i += 2
                continue
            if body[i] == '"':
                return i + 1, '"'
            i += 1
        raise _Fallback("multi-line double-quoted scalar")
    if first == "'":
        i = col + 1
        while i < len(body):
            if body[i] == "'":
                if i + 1 < len(body) and body[i + 1] == "'":
                    i += 2
                    continue
                return i + 1, "'"
            i += 1
        raise _Fallback("multi-line single-quoted scalar")
    if first in "|>&*!{[":
        raise _Fallback("block scalar, anchor, tag or flow collection")
    end = len(body)
    comment = body.find(" #", col)
    if comment != -1:
        end = comment
    if flow:
        for stop in ",}]":
            at = body.find(stop, col)
            if at != -1:
                end = min(end, at)
    while end > col and body[end - 1] in " \t":
        end -= 1
    return end, ""


def _check(text: str, path: str, expect: Any) -> str:
    try:
        if get_at(_load(text), path) != expect:
            raise _Fallback("value did not take")
    except KeyPathError:
        raise _Fallback("path lost") from None
    return text


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _block_end(lines: list[str], start: int, limit: int) -> int:
    """The line after the block that starts on ``start`` and holds lines indented more than ``limit``
    (trailing blank lines and comments are left outside)."""
    end = start + 1
    last = start
    while end < len(lines):
        line = lines[end]
        if _is_content(line):
            if _indent(line) <= limit:
                break
            last = end
        end += 1
    return last + 1


# --- the edits ------------------------------------------------------------------------------------


def set_scalar(text: str, path: str, value: Any) -> str:
    """``text`` with the scalar at ``path`` set to ``value`` (the key is added when missing)."""
    try:
        return _check(_set_in_place(text, path, value), path, value)
    except _Fallback as why:
        logger.debug("yaml set %s: round-trip dump (%s)", path, why)
    data = _load(text)
    parts = parse_path(path)
    parent = _navigate(data, parts[:-1], path)
    if isinstance(parent, list):
        parent[int(parts[-1])] = value
    else:
        parent[parts[-1]] = value
    return _dump(data, text)


def _set_in_place(text: str, path: str, value: Any) -> str:
    data = _load(text)
    parts = parse_path(path)
    if not parts:
        raise KeyPathError(path, "")
    parent = _navigate(data, parts[:-1], path)
    last = parts[-1]
    lines = _lines(text)
    flow = bool(getattr(parent, "fa", None) and parent.fa.flow_style())
    if isinstance(parent, CommentedSeq):
        index = int(last)
        old = parent[index]
        line_no, col = parent.lc.item(index)
    elif isinstance(parent, CommentedMap):
        if last not in parent:
            return _add_key(text, lines, parent, last, value, flow)
        old = parent[last]
        line_no, col = parent.lc.value(last)
    else:
        raise KeyPathError(path, last)
    if isinstance(old, dict | list):
        raise _Fallback("not a scalar")
    if old is None:
        # ``image:`` with nothing after it: the value goes after the colon on the key's line.
        if not isinstance(parent, CommentedMap):
            raise _Fallback("empty list item")
        key_line, key_col = parent.lc.key(last)
        line = lines[key_line]
        colon = line.find(":", key_col + len(str(last)))
        if colon == -1:
            raise _Fallback("no colon")
        body = line.rstrip("\r\n")
        rest = body[colon + 1 :]
        comment = rest.find(" #")
        tail = rest[comment:] if comment != -1 else ""
        if (
            rest.strip()
            and not rest.strip().startswith("#")
            and rest.strip() not in ("~", "null", "Null", "NULL")
        ):
            raise _Fallback("odd empty value")
        lines[key_line] = body[: colon + 1] + " " + render_scalar(value) + tail + line[len(body) :]
        return "".join(lines)
    if line_no >= len(lines):
        raise _Fallback("position outside text")
    line = lines[line_no]
    end, quote = _token_end(line, col, flow)
    lines[line_no] = line[:col] + render_scalar(value, quote) + line[end:]
    return "".join(lines)


def _add_key(text: str, lines: list[str], parent: CommentedMap, key: str, value: Any, flow: bool) -> str:
    if flow or not parent:
        raise _Fallback("flow or empty mapping")
    first = next(iter(parent))
    key_col = parent.lc.key(first)[1]
    # The new key goes after the mapping's last key and that key's value (deeper lines).
    last_key = list(parent)[-1]
    last_line = parent.lc.key(last_key)[0]
    end = _block_end(lines, last_line, key_col)
    eol = _eol(text)
    new = " " * key_col + f"{render_scalar(key)}: {render_scalar(value)}" + eol
    if end > 0 and end - 1 < len(lines) and not lines[end - 1].endswith(("\n", "\r")):
        lines[end - 1] += eol
    lines.insert(end, new)
    return "".join(lines)


def _seq(data: Any, path: str) -> CommentedSeq:
    node = get_at(data, path)
    if not isinstance(node, CommentedSeq):
        raise KeyPathError(path, parse_path(path)[-1] if parse_path(path) else "")
    return node


def _entry_lines(entry: Any, dash_col: int, item_col: int, eol: str) -> list[str]:
    pad = " " * max(1, item_col - dash_col - 1)
    if not isinstance(entry, dict):
        return [" " * dash_col + "-" + pad + render_scalar(entry) + eol]
    out = []
    for n, (key, value) in enumerate(entry.items()):
        prefix = " " * dash_col + "-" + pad if n == 0 else " " * item_col
        out.append(prefix + f"{render_scalar(key)}: {render_scalar(value)}" + eol)
    return out


def append_entry(text: str, path: str, entry: Any) -> str:
    """``text`` with ``entry`` (a mapping or a scalar) appended to the list at ``path``."""
    try:
        new = _append_in_place(text, path, entry)
        if _plain(get_at(_load(new), path)[-1]) != entry:
            raise _Fallback("entry did not take")
        return new
    except _Fallback as why:
        logger.debug("yaml append %s: round-trip dump (%s)", path, why)
    data = _load(text)
    _seq(data, path).append(entry)
    return _dump(data, text)


def _item_position(seq: CommentedSeq, lines: list[str], index: int) -> tuple[int, int, int]:
    """(line, dash column, item column) of entry ``index``."""
    line_no, col = seq.lc.item(index)
    before = lines[line_no][:col].rstrip(" ")
    if not before.endswith("-") or before[:-1].strip():
        raise _Fallback("entry does not start on its dash line")
    return line_no, len(before) - 1, col


def _append_in_place(text: str, path: str, entry: Any) -> str:
    seq = _seq(_load(text), path)
    if not seq or (seq.fa.flow_style() if hasattr(seq, "fa") else False):
        raise _Fallback("empty or flow list")
    lines = _lines(text)
    _, dash_col, item_col = _item_position(seq, lines, 0)
    last_line, last_dash, _ = _item_position(seq, lines, len(seq) - 1)
    if last_dash != dash_col:
        raise _Fallback("uneven list")
    end = _block_end(lines, last_line, dash_col)
    eol = _eol(text)
    if end > 0 and not lines[end - 1].endswith(("\n", "\r")):
        lines[end - 1] += eol
    lines[end:end] = _entry_lines(entry, dash_col, item_col, eol)
    return "".join(lines)


def remove_entry(text: str, path: str, index: int) -> str:
    """``text`` without entry ``index`` of the list at ``path``."""
    data = _load(text)
    seq = _seq(data, path)
    if not -len(seq) <= index < len(seq):
        raise KeyPathError(path, str(index))
    index %= len(seq)
    expect = [_plain(item) for n, item in enumerate(seq) if n != index]
    try:
        if len(seq) < 2:
            raise _Fallback("last entry")
        lines = _lines(text)
        start, dash_col, _ = _item_position(seq, lines, index)
        if index + 1 < len(seq):
            end = _item_position(seq, lines, index + 1)[0]
        else:
            end = _block_end(lines, start, dash_col)
        del lines[start:end]
        new = "".join(lines)
        if _plain(get_at(_load(new), path)) != expect:
            raise _Fallback("entry did not go")
        return new
    except _Fallback as why:
        logger.debug("yaml remove %s[%d]: round-trip dump (%s)", path, index, why)
    del seq[index]
    return _dump(data, text)


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


def _dump(data: Any, original: str) -> str:
    """A round-trip dump of ``data`` with ``original``'s list indentation."""
    yaml = _yaml()
    indented = re.search(r"^( *)[^\s#-][^\n]*:[ \t]*\r?\n( +)- ", original, re.MULTILINE)
    if indented:
        offset = len(indented.group(2)) - len(indented.group(1))
        yaml.indent(mapping=2, sequence=offset + 2, offset=offset)
    else:
        yaml.indent(mapping=2, sequence=2, offset=0)
    out = io.StringIO()
    yaml.dump(data, out)
    text = out.getvalue()
    if "\r\n" in original:
        text = text.replace("\n", "\r\n")
    return text
