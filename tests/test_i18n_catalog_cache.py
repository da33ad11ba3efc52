"""The parsed copy of the message catalogs: used when the files are unchanged, never when they are not."""

from __future__ import annotations

import shutil
from pathlib import Path

from lpublish.i18n import CATALOG_DIR, catalog, parse_catalog_files
from lpublish.i18n.catalog_cache import load_catalog_files

Messages = dict[str, dict[str, str]]


class CountingParse:
    """The real parser, counting how often it runs (a spy that calls through, not a stand-in)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, files: list[Path]) -> Messages:
        self.calls += 1
        return parse_catalog_files(files)


def _catalog_copy(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return sorted(folder.glob("*.toml"))


def test_second_load_reads_the_copy_and_gives_the_same_messages(tmp_path: Path) -> None:
    files = _catalog_copy(tmp_path)
    parse = CountingParse()
    first = load_catalog_files(files, parse)
    second = load_catalog_files(files, parse)
    assert parse.calls == 1
    assert second == first == catalog()
    assert len(list((files[0].parent / "__pycache__").glob("messages-*.json"))) == 1


def test_an_edited_catalog_is_parsed_again_and_the_old_copy_goes(tmp_path: Path) -> None:
    files = _catalog_copy(tmp_path)
    parse = CountingParse()
    load_catalog_files(files, parse)
    edited = files[0]
    edited.write_text(
        edited.read_text(encoding="utf-8") + '\n[zz_test.added]\nen = "Added"\nja = "追加"\n',
        encoding="utf-8",
    )
    # Same size and mtime tricks would not fool it: the key is the content.
    messages = load_catalog_files(files, parse)
    assert parse.calls == 2
    assert messages["zz_test.added"] == {"en": "Added", "ja": "追加"}
    assert len(list((files[0].parent / "__pycache__").glob("messages-*.json"))) == 1


def test_a_damaged_copy_is_ignored(tmp_path: Path) -> None:
    files = _catalog_copy(tmp_path)
    parse = CountingParse()
    load_catalog_files(files, parse)
    (copy,) = (files[0].parent / "__pycache__").glob("messages-*.json")
    copy.write_text('{"half": ', encoding="utf-8")
    assert load_catalog_files(files, parse) == catalog()
    assert parse.calls == 2


def test_a_folder_that_cannot_be_written_still_loads_every_message(tmp_path: Path) -> None:
    files = _catalog_copy(tmp_path)
    # A file where the cache folder would go: writing fails for everyone, root included (a read-only
    # mount behaves the same; chmod would not stop root, who runs CI).
    blocker = files[0].parent / "__pycache__"
    blocker.write_text("not a folder", encoding="utf-8")
    parse = CountingParse()
    assert load_catalog_files(files, parse) == catalog()
    assert load_catalog_files(files, parse) == catalog()
    assert parse.calls == 2
    assert blocker.read_text(encoding="utf-8") == "not a folder"
