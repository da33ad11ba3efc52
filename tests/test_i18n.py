"""Every message exists in both languages, every key the code uses (messages, error keys, finding codes)
exists, and language selection follows the documented order."""

from __future__ import annotations

import ast
import string
from dataclasses import dataclass
from pathlib import Path

from lpublish import i18n
from lpublish.environment import Environment
from lpublish.i18n import LANGUAGES, catalog, current_language, set_language, t, use_environment


def test_every_key_has_every_language() -> None:
    missing = [(key, lang) for key, entry in catalog().items() for lang in LANGUAGES if not entry.get(lang)]
    assert missing == []


def test_placeholders_match_between_languages() -> None:
    formatter = string.Formatter()
    mismatched = []
    for key, entry in catalog().items():
        fields = {lang: {f for _, f, _, _ in formatter.parse(text) if f} for lang, text in entry.items()}
        if fields["en"] != fields["ja"]:
            mismatched.append((key, fields))
    assert mismatched == []


def test_language_order() -> None:
    set_language(None)
    try:
        use_environment(Environment({}))
        assert current_language() == "en"
        use_environment(Environment({"LANG": "ja_JP.UTF-8"}))
        assert current_language() == "ja"
        use_environment(Environment({"LANG": "ja_JP.UTF-8", "LC_ALL": "C.UTF-8"}))
        assert current_language() == "en", "a set locale that is neither language means English"
        use_environment(Environment({"LANG": "ja_JP.UTF-8", "LPUBLISH_LANG": "en"}))
        assert current_language() == "en"
        set_language("ja")
        assert current_language() == "ja"
    finally:
        set_language(None)
        use_environment(Environment({}))


def test_translation_formats_and_survives_missing_params() -> None:
    assert "cli.txt" in t("common.file_not_found.message", lang="en", path="cli.txt")
    assert "見つかりません" in t("common.file_not_found.title", lang="ja")
    # a missing parameter stays visible instead of crashing
    assert "{path}" in t("common.file_not_found.message", lang="en")


ROOT = Path(i18n.__file__).resolve().parent.parent  # the lpublish package
DOCS = ROOT.parent / "docs" / "checks.md"

# What each importable name does with its first argument: "message" is a catalog key, "error" an error
# key prefix (needs .title and .message), "finding" a finding code (needs finding.<code>.message and a
# line in docs/checks.md).
KNOWN: dict[tuple[str, str], str] = {
    ("lpublish.i18n", "t"): "message",
    **{("lpublish.errors", name): "error" for name in ("LpublishError", "UsageError", "ConfigError")},
    **{("lpublish.errors", name): "error" for name in ("ContentError", "ExternalError", "SystemFailure")},
    **{("lpublish.findings", name): "finding" for name in ("error", "warning", "info", "Finding")},
}


@dataclass(frozen=True)
class KeyUse:
    """One literal catalog key or finding code in the source."""

    file: str
    line: int
    kind: str  # "message", "error" or "finding"
    key: str


def _local_kinds(tree: ast.Module, module: str) -> dict[str, str]:
    """The names this module can call, and what their first argument is: imported names, the module's
    own subclasses of the error classes (a subclass whose first parameter is ``code`` takes a finding
    code, like ``ImageProblem``), and the names a module defines itself when it is errors/findings."""
    kinds: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                kind = KNOWN.get((node.module, alias.name))
                if kind:
                    kinds[alias.asname or alias.name] = kind
    kinds.update({name: kind for (owner, name), kind in KNOWN.items() if owner == module})
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and any(
            isinstance(base, ast.Name) and kinds.get(base.id) == "error" for base in node.bases
        ):
            init = next(
                (f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"), None
            )
            first = init.args.args[1].arg if init is not None and len(init.args.args) > 1 else "key"
            kinds[node.name] = "finding" if first == "code" else "error"
    return kinds


def key_uses(source: str, file: str, module: str = "") -> list[KeyUse]:
    """Every literal key passed to ``t``, an error class or a finding constructor in ``source``."""
    tree = ast.parse(source, filename=file)
    kinds = _local_kinds(tree, module)
    # modules imported whole (``from lpublish import errors``): ``errors.UsageError(...)``
    modules = {
        alias.asname or alias.name: f"lpublish.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "lpublish"
        for alias in node.names
    }
    uses = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        kind = None
        if isinstance(node.func, ast.Name):
            kind = kinds.get(node.func.id)
        elif isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            owner = modules.get(node.func.value.id)
            kind = KNOWN.get((owner, node.func.attr)) if owner else None
        if kind is None:
            continue
        first = (
            node.args[0]
            if node.args
            else next((k.value for k in node.keywords if k.arg in ("key", "code")), None)
        )
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            uses.append(KeyUse(file, node.lineno, kind, first.value))
    return uses


def problems(uses: list[KeyUse], messages: set[str], docs: str) -> list[str]:
    """What is missing for each use: the catalog entries it needs, and the docs line of a finding."""
    out = []
    for use in uses:
        where = f"{use.file}:{use.line} {use.key}"
        if use.kind == "message":
            needed = [use.key]
        elif use.kind == "error":
            needed = [f"{use.key}.title", f"{use.key}.message"]
        else:
            needed = [f"finding.{use.key}.message"]
            if f"`{use.key}`" not in docs:
                out.append(f"{where}: not in docs/checks.md")
        out.extend(f"{where}: no {key}" for key in needed if key not in messages)
    return out


def source_uses() -> list[KeyUse]:
    uses = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT.parent)
        module = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
        uses += key_uses(path.read_text(encoding="utf-8"), str(relative), module)
    return uses


def test_keys_used_in_code_exist() -> None:
    """Literal keys passed to t(...), to an error (UsageError("key"), ...) or as a finding code must be
    in the catalog, and finding codes documented."""
    uses = source_uses()
    # the scanner sees every kind of use in the real code (a broken scanner would see none and pass)
    counts = {kind: sum(1 for u in uses if u.kind == kind) for kind in ("message", "error", "finding")}
    assert min(counts.values()) >= 20, counts
    assert problems(uses, set(catalog()), DOCS.read_text(encoding="utf-8")) == []


def test_the_key_check_catches_what_is_missing() -> None:
    source = """
from lpublish import errors
from lpublish.errors import ConfigError, ContentError, ExternalError, LpublishError, UsageError
from lpublish.findings import Finding, error, info as info_finding
from lpublish.i18n import t

class Unreadable(ContentError):
    def __init__(self, code: str, file: str = "") -> None: ...

def run(logger):
    logger.error("not a key: a log line")
    t("nope.text")
    t("common.file_not_found.title")
    raise UsageError("nope.usage")
    ContentError("nope.content", path="x")
    ExternalError(key="nope.external")
    ConfigError("nope.config")
    LpublishError("nope.base")
    errors.UsageError("nope.qualified")
    error("nope.finding", "file.jpg")
    info_finding("nope.note")
    Finding("nope.record", None)
    Unreadable("nope.unreadable", "x.jpg")
"""
    found = problems(key_uses(source, "example.py"), set(catalog()), docs="`nope.note`")
    assert found == [
        "example.py:12 nope.text: no nope.text",
        "example.py:14 nope.usage: no nope.usage.title",
        "example.py:14 nope.usage: no nope.usage.message",
        "example.py:15 nope.content: no nope.content.title",
        "example.py:15 nope.content: no nope.content.message",
        "example.py:16 nope.external: no nope.external.title",
        "example.py:16 nope.external: no nope.external.message",
        "example.py:17 nope.config: no nope.config.title",
        "example.py:17 nope.config: no nope.config.message",
        "example.py:18 nope.base: no nope.base.title",
        "example.py:18 nope.base: no nope.base.message",
        "example.py:19 nope.qualified: no nope.qualified.title",
        "example.py:19 nope.qualified: no nope.qualified.message",
        "example.py:20 nope.finding: not in docs/checks.md",
        "example.py:20 nope.finding: no finding.nope.finding.message",
        "example.py:21 nope.note: no finding.nope.note.message",
        "example.py:22 nope.record: not in docs/checks.md",
        "example.py:22 nope.record: no finding.nope.record.message",
        "example.py:23 nope.unreadable: not in docs/checks.md",
        "example.py:23 nope.unreadable: no finding.nope.unreadable.message",
    ]
