"""Safe file names for slot folders.

Owns: turning whatever name a designer's file has (Japanese, spaces, capitals, ``../`` tricks,
percent-encoded or backslash traversal) into a safe lowercase ASCII name, and resolving a name inside a
slot folder without ever escaping it. Must not import UI libraries.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote

from lpublish.errors import ContentError

#: Longest stem we keep; long names are awkward in URLs and some file systems cap at 255 bytes.
MAX_STEM = 60
#: The file extension lpublish writes for each canonical format.
EXTENSIONS: dict[str, str] = {
    "jpeg": "jpg",
    "png": "png",
    "webp": "webp",
    "avif": "avif",
    "gif": "gif",
    "svg": "svg",
}
_SAFE_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.[a-z0-9]{1,5}$")
# Windows reserves these names whatever the extension; a designer on Windows could not check them out.
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def _decode(name: str) -> str:
    """Undo percent-encoding repeatedly (``%252e`` is ``%2e`` is ``.``), so tricks can't hide."""
    for _ in range(5):
        decoded = unquote(name)
        if decoded == name:
            break
        name = decoded
    return name


def base_name(original: str) -> str:
    """The last component of ``original`` after decoding, splitting on both ``/`` and ``\\``."""
    decoded = _decode(original).replace("\x00", "")
    return re.split(r"[/\\]", decoded)[-1]


def looks_like_traversal(original: str) -> bool:
    """Whether ``original`` tries to name a place outside its folder (``..``, absolute, drive letter)."""
    decoded = _decode(original)
    if "\x00" in decoded:
        return True
    if decoded.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", decoded):
        return True
    parts = re.split(r"[/\\]", decoded)
    return any(p in ("..", ".") for p in parts) or len(parts) > 1


def ascii_stem(text: str) -> tuple[str, bool]:
    """A lowercase ``a-z0-9-`` stem from ``text`` and whether non-ASCII letters were dropped."""
    normalized = unicodedata.normalize("NFKC", text)
    dropped = False
    chars: list[str] = []
    for ch in normalized:
        if ch.isascii():
            chars.append(ch)
            continue
        # é -> e, ﬁ -> fi; scripts with no ASCII form (Japanese) vanish and we remember that.
        folded = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii")
        if folded:
            chars.append(folded)
        elif ch.isalnum():
            dropped = True
        else:
            chars.append("-")
    stem = re.sub(r"[^a-z0-9]+", "-", "".join(chars).lower()).strip("-")
    if len(stem) > MAX_STEM:
        stem = stem[:MAX_STEM].rstrip("-")
    return stem, dropped


def safe_filename(original: str, slot: str, content_sha256: str, ext: str) -> str:
    """A safe lowercase ASCII file name for ``original`` in ``slot``.

    The stem keeps the readable ASCII part of the designer's name; a name with no ASCII part (e.g.
    ``夏のキャンペーン.jpg``) becomes ``<slot>-<8 hex of the content hash>``, and a name that lost
    non-ASCII letters gets the short hash appended so two different Japanese names never collide.
    ``ext`` is the real format's extension (``jpg``), not the one the file claimed. Stable: the same
    arguments always give the same name.
    """
    name = base_name(original)
    stem_part = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    stem, dropped = ascii_stem(stem_part)
    short = re.sub(r"[^0-9a-f]", "", content_sha256.lower())[:8] or "00000000"
    slot_stem, _ = ascii_stem(slot)
    slot_stem = slot_stem or "image"
    if not stem:
        stem = f"{slot_stem}-{short}"
    elif dropped:
        stem = f"{stem[: MAX_STEM - 9]}-{short}".strip("-")
    if stem in _RESERVED:
        stem = f"{stem}-{short}"
    extension = re.sub(r"[^a-z0-9]", "", ext.lower().lstrip(".")) or "bin"
    extension = EXTENSIONS.get(extension, extension)[:5]
    return f"{stem}.{extension}"


def is_safe_filename(name: str) -> bool:
    """Whether ``name`` is already in the safe form ``safe_filename`` produces."""
    return bool(_SAFE_NAME.match(name)) and name.rsplit(".", 1)[0] not in _RESERVED


def resolve_inside(folder: Path, name: str) -> Path:
    """``folder / name``, refusing anything that would leave ``folder``.

    Refuses ``..``, absolute paths, drive letters, separators (``/`` and ``\\``), NUL, hidden names and
    percent-encoded versions of those. Raises ``ContentError`` (``assets.unsafe_name``).
    """
    decoded = _decode(name)
    if (
        not name
        or name != decoded
        or looks_like_traversal(name)
        or name.startswith(".")
        or any(ord(c) < 32 for c in name)
    ):
        raise ContentError("assets.unsafe_name", name=name)
    root = folder.resolve()
    target = (root / name).resolve()
    if target.parent != root:
        raise ContentError("assets.unsafe_name", name=name)
    return target
