"""Content and data files as structured documents: where the data is and in which format.

Owns: ``Document`` (a file's text split into the part before the data, the data text and the part
after it, plus the format), ``open_document`` and ``load_data``. Front matter is YAML (``---``), TOML
(``+++``) or JSON (a leading ``{...}``, as Hugo allows); data files are ``.yml``/``.yaml``/``.toml``/
``.json``. Reading never changes a byte; editing is ``lpublish.content.edit``. Must not import UI
libraries.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Format = Literal["yaml", "toml", "json"]

DATA_SUFFIXES: dict[str, Format] = {".yml": "yaml", ".yaml": "yaml", ".toml": "toml", ".json": "json"}
#: Files that may start with front matter.
CONTENT_SUFFIXES = {".md", ".markdown", ".mdx", ".html", ".htm", ".njk", ".liquid", ".textile"}

_YAML_FM = re.compile(r"\A(---[ \t]*\r?\n)(.*?\r?\n)?(---|\.\.\.)[ \t]*(\r?\n|\Z)", re.DOTALL)
_TOML_FM = re.compile(r"\A(\+\+\+[ \t]*\r?\n)(.*?\r?\n)?(\+\+\+)[ \t]*(\r?\n|\Z)", re.DOTALL)


class DocumentError(ValueError):
    """A file whose data cannot be read (no front matter, a syntax error); ``reason`` says which."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass
class Document:
    """A file's text as ``head + data + tail``; ``data`` is in ``format``."""

    format: Format
    head: str
    data: str
    tail: str

    @property
    def text(self) -> str:
        return self.head + self.data + self.tail

    def with_data(self, data: str) -> Document:
        return Document(self.format, self.head, data, self.tail)


def split_document(text: str, name: str) -> Document:
    """Split ``text`` (of a file called ``name``) into its data part; ``DocumentError`` if it has none."""
    suffix = Path(name).suffix.lower()
    if suffix in DATA_SUFFIXES:
        return Document(DATA_SUFFIXES[suffix], "", text, "")
    body = text[1:] if text.startswith("\ufeff") else text
    bom = text[: len(text) - len(body)]
    for fmt, pattern in (("yaml", _YAML_FM), ("toml", _TOML_FM)):
        match = pattern.match(body)
        if match:
            data = match.group(2) or ""
            head = bom + match.group(1)
            return Document(fmt, head, data, body[match.end(1) + len(data) :])  # type: ignore[arg-type]
    if body.startswith("{"):
        try:
            _, end = json.JSONDecoder().raw_decode(body)
        except json.JSONDecodeError as exc:
            raise DocumentError("syntax", str(exc)) from None
        return Document("json", bom, body[:end], body[end:])
    raise DocumentError("no-front-matter")


def parse_data(doc: Document) -> Any:
    """The data of ``doc`` as plain Python values (ruamel/tomlkit types are not needed to read)."""
    try:
        if doc.format == "yaml":
            from ruamel.yaml import YAML
            from ruamel.yaml.error import YAMLError

            try:
                return YAML(typ="safe", pure=True).load(doc.data) if doc.data.strip() else {}
            except YAMLError as exc:
                raise DocumentError("syntax", str(exc).splitlines()[0] if str(exc) else "") from None
        if doc.format == "toml":
            return tomllib.loads(doc.data)
        return json.loads(doc.data) if doc.data.strip() else {}
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise DocumentError("syntax", str(exc)) from None


def open_document(path: Path) -> Document:
    """Read ``path`` (UTF-8) as a document; ``DocumentError`` / ``OSError`` on failure."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise DocumentError("not-utf8") from None
    return split_document(text, path.name)


def load_data(path: Path) -> Any:
    """The data of the content or data file at ``path``."""
    return parse_data(open_document(path))


def write_text(path: Path, text: str) -> None:
    """Write ``text`` exactly (no newline translation: a CRLF file stays CRLF)."""
    path.write_bytes(text.encode("utf-8"))
