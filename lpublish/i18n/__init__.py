"""Message catalogs (ja, en) and the lookup function ``t``.

Owns: loading ``lpublish/i18n/catalog/*.toml``, choosing the language, formatting messages.

Every user-facing string goes through ``t(key, **params)``. Catalog files are split by domain so each part
of the code owns its own file; each message is a table with both languages side by side::

    [assets.too_small.message]
    en = "{file} is {width}x{height}; the slot needs at least {min_width}x{min_height}."
    ja = "{file} は {width}x{height} です。この枠には {min_width}x{min_height} 以上が必要です。"

Language: ``set_language()`` (``--lang``, or the TUI's remembered setting), else ``LPUBLISH_LANG``, else
the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``), else English. The variables come from the
:class:`~lpublish.environment.Environment` the front end hands to ``use_environment`` when it starts
(never from ``os.environ`` here); until then only ``set_language`` or English apply. A test fails when a
key lacks either language. Must not import UI libraries.
"""

from __future__ import annotations

import string
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from lpublish.environment import Environment
from lpublish.i18n.catalog_cache import load_catalog_files

LANGUAGES: tuple[str, ...] = ("en", "ja")
CATALOG_DIR = Path(__file__).parent / "catalog"

_override: str | None = None
_environment: Environment = Environment({})


class CatalogError(Exception):
    """A catalog file is malformed (a developer error, caught by the test suite)."""


def _normalise(lang: str | None) -> str | None:
    if not lang:
        return None
    code = lang.strip().lower().replace("-", "_")
    if code in ("c", "posix"):
        return None
    code = code.split(".")[0].split("_")[0]
    return code if code in LANGUAGES else None


def set_language(lang: str | None) -> None:
    """Force a language for this process (``None`` goes back to the environment)."""
    global _override
    _override = _normalise(lang)


def use_environment(env: Environment) -> None:
    """Take ``LPUBLISH_LANG`` and the locale from ``env`` (the CLI and the TUI call this at start)."""
    global _environment
    _environment = env


def language_forced() -> bool:
    """Whether ``set_language`` chose the language for this process (e.g. ``--lang``)."""
    return _override is not None


def current_language() -> str:
    """The language in effect: override, ``LPUBLISH_LANG``, locale, else English."""
    if _override:
        return _override
    for var in ("LPUBLISH_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = _environment.get(var)
        if value:
            found = _normalise(value)
            if found:
                return found
            if var == "LPUBLISH_LANG":
                continue
            # A set but non-matching locale (e.g. C.UTF-8, de_DE) means English.
            return "en"
    return "en"


def _flatten(prefix: str, node: dict[str, Any], out: dict[str, dict[str, str]], source: str) -> None:
    if node and set(node) <= set(LANGUAGES) and all(isinstance(v, str) for v in node.values()):
        if prefix in out:
            raise CatalogError(f"duplicate message key {prefix!r} in {source}")
        out[prefix] = dict(node)
        return
    for key, value in node.items():
        path = f"{prefix}.{key}" if prefix else key
        if not isinstance(value, dict):
            raise CatalogError(f"{source}: {path!r} must be a table with 'en' and 'ja' strings")
        _flatten(path, value, out, source)


def parse_catalog_files(files: list[Path]) -> dict[str, dict[str, str]]:
    """key -> {lang: text} from the TOML ``files`` (a duplicate key is a ``CatalogError``)."""
    messages: dict[str, dict[str, str]] = {}
    for path in files:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        _flatten("", data, messages, path.name)
    return messages


@lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, str]]:
    """All messages: key -> {lang: text}. Loaded once (from a parsed copy when the files are unchanged)."""
    return load_catalog_files(sorted(CATALOG_DIR.glob("*.toml")), parse_catalog_files)


class _SafeDict(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


_formatter = string.Formatter()


def t(key: str, /, *, default: str | None = None, lang: str | None = None, **params: Any) -> str:
    """Translate ``key`` into the current language and format it with ``params``.

    A missing key returns ``default`` when given, else the key itself (visible, never a crash).
    """
    entry = catalog().get(key)
    if entry is None:
        if default is not None:
            return default
        return key
    language = lang or current_language()
    text = entry.get(language) or entry.get("en") or key
    if not params:
        return text
    try:
        return _formatter.vformat(text, (), _SafeDict(params))
    except (ValueError, IndexError, KeyError, AttributeError):
        return text


def has(key: str) -> bool:
    """Whether the catalog defines ``key``."""
    return key in catalog()
