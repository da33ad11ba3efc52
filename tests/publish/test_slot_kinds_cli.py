"""``lpublish submit`` with slot kinds: ``--remove`` takes a list entry out, ``--field`` fills a new entry,
and a change that would break a page's image reference is refused before anything is pushed."""

from __future__ import annotations

import difflib
import hashlib
from pathlib import Path

import pytest

from tests.plugins.cli import exit_code
from tests.plugins.forge import ForgeSite
from tests.plugins.gitrepos import git
from tests.plugins.results import result_of


def test_remove_and_add_list_entries(
    signed_in: ForgeSite, product_jpeg: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = str(signed_in.site)
    code = exit_code(
        [
            "submit", "--site", site, "--title", "Products",
            "--remove", "product=天の川煎茶",
            "--image", f"product={product_jpeg}:A cup of matcha latte",
            "--field", "title=抹茶ラテ", "--field", "link=https://shop.hoshizora-tea.example/latte",
            "--json",
        ]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    branch = result_of(out, "submit")["branch"]
    before = signed_in.repo.origin_show("main", "site/pages/index.md").decode().splitlines()
    after = signed_in.repo.origin_show(branch, "site/pages/index.md").decode().splitlines()
    diff = [
        d
        for d in difflib.unified_diff(before, after, n=0, lineterm="")
        if d[:1] in "+-" and d[:3] not in ("---", "+++")
    ]
    removed = [d for d in diff if d.startswith("-")]
    added = [d for d in diff if d.startswith("+")]
    assert removed[0] == "-  - name: 天の川煎茶" and len(removed) == 7  # the whole entry, nothing else
    # the new entry, in the list's own key order, its image under a safe name (slot + content hash)
    assert added == [
        f"+  - image: images/products/product-{hashlib.sha256(product_jpeg.read_bytes()).hexdigest()[:8]}.jpg",
        "+    alt: A cup of matcha latte",
        "+    name: 抹茶ラテ",
        "+    url: https://shop.hoshizora-tea.example/latte",
    ]
    files = signed_in.repo.origin_files(branch)
    assert "site/images/products/sencha-milky-way.jpg" not in files  # its photo went with it


def test_remove_needs_a_list_slot_and_an_existing_entry(
    signed_in: ForgeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    site = str(signed_in.site)
    assert exit_code(["submit", "--site", site, "--title", "x", "--remove", "hero=0"]) == 2
    assert "Only list entries can be removed" in capsys.readouterr().err
    assert exit_code(["submit", "--site", site, "--title", "x", "--remove", "product=Nope"]) == 1
    assert "has no entry Nope" in capsys.readouterr().err


def test_a_change_that_breaks_a_reference_is_refused(
    signed_in: ForgeSite, product_jpeg: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An old-style folder slot over the products folder: replacing a file there deletes it, but
    # pages/index.md still names it.
    clone = signed_in.repo.clone
    config = clone / "site" / "lpublish.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[slots.gallery]\nlabel = { en = "Gallery", ja = "ギャラリー" }\npath = "images/products"\n'
        'formats = ["jpeg"]\n',
        encoding="utf-8",
    )
    git(clone, "commit", "-q", "-am", "gallery slot")
    git(clone, "push", "-q", str(signed_in.repo.bare), "HEAD:main")
    before = git(signed_in.repo.bare, "for-each-ref", "--format=%(refname)")
    code = exit_code(
        [
            "submit", "--site", str(signed_in.site), "--title", "Gallery",
            "--image", f"gallery@sencha-milky-way.jpg={product_jpeg}:Latte",
        ]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1
    assert "This change would break the site" in err
    assert "pages/index.md, line" in err and "images/products/sencha-milky-way.jpg" in err
    assert git(signed_in.repo.bare, "for-each-ref", "--format=%(refname)") == before  # nothing pushed
