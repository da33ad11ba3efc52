"""Safe SVG inspection: parse with defusedxml and refuse anything that could run or fetch.

Owns: ``svg_problems`` (finding codes for scripts, event handlers, ``javascript:`` URLs, foreign
objects, external references, DTDs/entities/XXE) and ``svg_size``. Nothing is ever fetched or
expanded: DTDs, entities and external references are refused by the parser itself.
Must not import UI libraries.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

#: Larger SVGs are not parsed at all: no logo or icon is this big, and parsing costs memory.
MAX_SVG_BYTES = 10_000_000
_CSS_URL = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]+)", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import", re.IGNORECASE)
_HREF_ATTRS = {"href", "src", "action", "formaction", "data"}
_ANIMATION_VALUES = {"to", "from", "values", "by"}
# Characters browsers ignore inside URL schemes ("java\tscript:"), removed before comparing.
_IGNORED = re.compile(r"[\x00-\x20\x7f]+")


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1] if name.startswith("{") else name.split(":")[-1]


def _normalize_url(value: str) -> str:
    return _IGNORED.sub("", value).lower()


def _is_script_url(value: str) -> bool:
    url = _normalize_url(value)
    return url.startswith(
        ("javascript:", "vbscript:", "data:text/html", "data:application/", "data:image/svg")
    )


def _is_external(value: str) -> bool:
    url = _normalize_url(value)
    if not url or url.startswith("#"):
        return False
    # Any scheme (http:, file:, ...), protocol-relative (//host) or a relative file reference loads
    # something from outside this file; only embedded raster data stays inside it.
    return not (url.startswith("data:image/") and not url.startswith("data:image/svg"))


def svg_problems(data: bytes) -> list[tuple[str, dict[str, Any]]]:
    """(finding code, params) for every unsafe construct in the SVG ``data``; empty when safe."""
    if len(data) > MAX_SVG_BYTES:
        return [("svg.invalid", {"error": f"larger than {MAX_SVG_BYTES // 1_000_000} MB"})]
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        return [("svg.unsafe-xml", {"construct": type(exc).__name__})]
    except (ParseError, ValueError, UnicodeDecodeError) as exc:
        return [("svg.invalid", {"error": str(exc)[:120]})]
    if _local(root.tag) != "svg":
        return [("svg.invalid", {"error": f"root element is <{_local(root.tag)}>"})]
    problems: list[tuple[str, dict[str, Any]]] = []
    seen: set[tuple[str, str]] = set()

    def add(code: str, **params: Any) -> None:
        key = (code, str(sorted(params.items())))
        if key not in seen:
            seen.add(key)
            problems.append((code, params))

    element: Element
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        tag = _local(element.tag)
        lowered = tag.lower()
        if lowered == "script":
            add("svg.script")
        elif lowered in ("foreignobject", "iframe", "embed", "object"):
            add("svg.foreign-object")
        if lowered == "style" and element.text:
            _check_css(element.text, add)
        for raw_name, value in element.attrib.items():
            name = _local(raw_name).lower()
            if name.startswith("on"):
                add("svg.event-handler", attribute=name)
            elif name in _HREF_ATTRS:
                if _is_script_url(value):
                    add("svg.javascript-url", attribute=name)
                elif _is_external(value):
                    add("svg.external-reference", url=value.strip()[:80])
            elif name in _ANIMATION_VALUES or name == "attributename":
                if "javascript:" in _normalize_url(value):
                    add("svg.javascript-url", attribute=name)
            elif name == "style":
                _check_css(value, add)
            elif "javascript:" in _normalize_url(value):
                add("svg.javascript-url", attribute=name)
    return problems


def _check_css(css: str, add: Any) -> None:
    if _CSS_IMPORT.search(css):
        add("svg.external-reference", url="@import")
    for match in _CSS_URL.finditer(css):
        url = match.group(1)
        if _is_script_url(url):
            add("svg.javascript-url", attribute="style")
        elif _is_external(url):
            add("svg.external-reference", url=url[:80])


def _length(value: str | None) -> float | None:
    if not value:
        return None
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(px)?\s*", value)
    return float(match.group(1)) if match else None


def svg_size(data: bytes) -> tuple[int, int]:
    """The SVG's intrinsic size from ``width``/``height`` (or ``viewBox``); (0, 0) when unknown."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError, ValueError, UnicodeDecodeError):
        return 0, 0
    width, height = _length(root.get("width")), _length(root.get("height"))
    if width and height:
        return round(width), round(height)
    box = root.get("viewBox")
    if box:
        parts = re.split(r"[\s,]+", box.strip())
        if len(parts) == 4:
            try:
                return round(float(parts[2])), round(float(parts[3]))
            except ValueError:
                return 0, 0
    return 0, 0
