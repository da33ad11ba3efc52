"""Alt text for slot images: the ``alt.toml`` sidecar in each slot folder.

Owns: reading and writing ``<slot folder>/alt.toml``, a TOML table ``"<file name>" = "alt text"``.
Output is deterministic (sorted keys, one fixed quoting style) so a change shows as a one-line diff.
Must not import UI libraries.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from pathlib import Path

from lpublish.errors import ContentError

ALT_FILE = "alt.toml"


def read_alt_texts(folder: Path) -> dict[str, str]:
    """File name -> alt text from ``folder/alt.toml`` (empty when the file does not exist).

    Raises ``ContentError`` (``assets.alt_file_invalid``) when the file is not valid TOML or holds
    something other than strings.
    """
    path = folder / ALT_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ContentError("assets.alt_file_invalid", path=str(path), error=type(exc).__name__) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ContentError("assets.alt_file_invalid", path=str(path), error=str(exc)) from None
    bad = [key for key, value in data.items() if not isinstance(value, str)]
    if bad:
        raise ContentError("assets.alt_file_invalid", path=str(path), error=", ".join(sorted(bad)))
    return {key: value for key, value in data.items() if isinstance(value, str)}


def _quote(value: str) -> str:
    """A TOML basic string: escape backslash, quote and control characters; keep Japanese as is."""
    out = ['"']
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def dump_alt_texts(texts: dict[str, str]) -> str:
    """The ``alt.toml`` text for ``texts``: sorted by file name, one line each."""
    return "".join(f"{_quote(name)} = {_quote(texts[name])}\n" for name in sorted(texts))


def write_alt_texts(folder: Path, texts: dict[str, str]) -> None:
    """Replace ``folder/alt.toml`` with ``texts`` atomically (removes the file when empty)."""
    path = folder / ALT_FILE
    if not texts:
        path.unlink(missing_ok=True)
        return
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{ALT_FILE}.{secrets.token_hex(4)}.tmp"
    # 0o666 minus the umask, like any new file (mkstemp would make it private, 0o600).
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(dump_alt_texts(texts))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_alt_text(folder: Path, filename: str, alt: str) -> None:
    """Set (or, with an empty ``alt``, remove) the alt text of ``filename`` in ``folder/alt.toml``."""
    texts = read_alt_texts(folder)
    cleaned = " ".join(alt.split())
    if cleaned:
        texts[filename] = cleaned
    else:
        texts.pop(filename, None)
    write_alt_texts(folder, texts)
