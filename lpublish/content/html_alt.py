"""The ``alt`` attribute of the elements in an HTML file that show a given image, edited in place.

Owns: ``set_alt`` and ``read_alt``. Only the attribute's value bytes change (an element without an
``alt`` gets one right after its ``src``); every other byte of the file stays as it was. Elements are
``<img>`` (and ``<input type=image>``, ``<area>``) whose ``src`` resolves to the image. Must not import
UI libraries.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

_TAG = re.compile(r"<(img|input|area)\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")


def _attrs(tag: str) -> list[tuple[str, int, int, str]]:
    """(name, value start, value end, quote) for each attribute of ``tag`` (offsets inside ``tag``)."""
    out: list[tuple[str, int, int, str]] = []
    start = tag.find(" ")
    if start == -1:
        return out
    for match in _ATTR.finditer(tag, start):
        name = match.group(1).lower()
        if match.group(2) is None:
            out.append((name, match.end(1), match.end(1), ""))
            continue
        value = match.group(2)
        quote = value[0] if value[0] in "\"'" else ""
        begin = match.start(2) + (1 if quote else 0)
        end = match.end(2) - (1 if quote else 0)
        out.append((name, begin, end, quote))
    return out


def _matches(text: str, uses: Callable[[str], bool]) -> list[tuple[int, int]]:
    """(tag start, tag end) of each element whose src is the image."""
    found = []
    for match in _TAG.finditer(text):
        tag = match.group(0)
        for name, begin, end, _ in _attrs(tag):
            if name == "src" and uses(html.unescape(tag[begin:end])):
                found.append((match.start(), match.end()))
                break
    return found


def read_alt(text: str, uses: Callable[[str], bool]) -> list[str]:
    """The alt texts of the elements showing the image (empty string where there is none)."""
    out = []
    for start, end in _matches(text, uses):
        tag = text[start:end]
        alts = [html.unescape(tag[b:e]) for n, b, e, _ in _attrs(tag) if n == "alt"]
        out.append(alts[0] if alts else "")
    return out


def set_alt(text: str, uses: Callable[[str], bool], alt: str) -> tuple[str, int]:
    """``text`` with the alt of every element showing the image set to ``alt``; and how many changed."""
    pieces: list[str] = []
    cursor = 0
    count = 0
    for start, end in _matches(text, uses):
        tag = text[start:end]
        attrs = _attrs(tag)
        existing = [(b, e, q) for n, b, e, q in attrs if n == "alt"]
        if existing:
            begin, finish, quote = existing[0]
            value = (
                html.escape(alt, quote=True)
                if quote != "'"
                else html.escape(alt, quote=False).replace("'", "&#x27;")
            )
            if not quote:
                new_tag = tag[:begin] + '"' + html.escape(alt, quote=True) + '"' + tag[finish:]
            else:
                new_tag = tag[:begin] + value + tag[finish:]
        else:
            src_end = next(e + (1 if q else 0) for n, b, e, q in attrs if n == "src")
            new_tag = tag[:src_end] + f' alt="{html.escape(alt, quote=True)}"' + tag[src_end:]
        pieces.append(text[cursor:start])
        pieces.append(new_tag)
        cursor = end
        count += new_tag != tag
    pieces.append(text[cursor:])
    return "".join(pieces), count
