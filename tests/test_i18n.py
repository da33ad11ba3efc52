"""Every message exists in both languages, and language selection follows the documented order."""

from __future__ import annotations

import re
import string

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


def test_keys_used_in_code_exist() -> None:
    """Literal keys passed to t(...) or errors in the source must be in the catalog."""
    import pathlib

    root = pathlib.Path(i18n.__file__).parent.parent
    pattern = re.compile(r"""\bt\(\s*["']([a-z0-9_.\-]+)["']""")
    missing = []
    for path in root.rglob("*.py"):
        for key in pattern.findall(path.read_text(encoding="utf-8")):
            if not i18n.has(key):
                missing.append((str(path.relative_to(root)), key))
    assert missing == []
