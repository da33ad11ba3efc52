"""Round-trip edits: only the edited key's lines change, byte for byte, in YAML, TOML and JSON, in front
matter and data files; HTML alt attributes are edited in place."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from lpublish.content.documents import split_document
from lpublish.content.dotted import KeyPathError
from lpublish.content.edit import AppendEntry, RemoveEntry, SetValue, apply_edits, edit_file
from lpublish.content.html_alt import read_alt, set_alt

PAGE = """\
---
# The top page. Keep the hero short!
title: "Roasted in the hills"   # shown in the tab
hero:
  image: /images/hero.jpg
  alt: 'Hills at dusk'
  cta: {label: Shop, url: /shop/}
products:
  - name: Field Blend
    image: /images/products/field-blend.jpg   # square

  - name: River Roast
    image: /images/products/river-roast.webp
tags: [coffee, tea]
---
Body text with ![a picture](/images/hero.jpg) stays exactly as it is.
"""


def changed(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(True), after.splitlines(True), n=0)
        if not line.startswith(("---", "+++", "@@"))
    ]


def edit(text: str, name: str, *edits: SetValue | AppendEntry | RemoveEntry) -> str:
    return apply_edits(split_document(text, name), list(edits)).text


def test_yaml_front_matter_scalar_keeps_comment_and_quote_style() -> None:
    after = edit(
        PAGE, "index.md", SetValue("hero.image", "/images/summer.jpg"), SetValue("hero.alt", "It's dawn")
    )
    assert changed(PAGE, after) == [
        "-  image: /images/hero.jpg\n",
        "-  alt: 'Hills at dusk'\n",
        "+  image: /images/summer.jpg\n",
        "+  alt: 'It''s dawn'\n",
    ]


def test_yaml_value_with_a_trailing_comment_and_list_index() -> None:
    after = edit(PAGE, "index.md", SetValue("products.0.image", "/images/products/new.jpg"))
    assert changed(PAGE, after) == [
        "-    image: /images/products/field-blend.jpg   # square\n",
        "+    image: /images/products/new.jpg   # square\n",
    ]


def test_yaml_text_that_needs_quotes_is_quoted() -> None:
    after = edit(PAGE, "index.md", SetValue("title", 'Tea: "night" #1'))
    assert changed(PAGE, after) == [
        '-title: "Roasted in the hills"   # shown in the tab\n',
        '+title: "Tea: \\"night\\" #1"   # shown in the tab\n',
    ]


def test_yaml_missing_key_is_added_after_its_siblings() -> None:
    text = "---\nhero:\n  image: /a.jpg\n  heading: Hi\nother: 1\n---\n"
    after = edit(text, "index.md", SetValue("hero.image_alt", "A cup"))
    assert after == "---\nhero:\n  image: /a.jpg\n  heading: Hi\n  image_alt: A cup\nother: 1\n---\n"


def test_yaml_append_and_remove_entries() -> None:
    entry = {"name": "Night Brew", "image": "/images/products/night.jpg", "alt": "A dark cup"}
    after = edit(PAGE, "index.md", AppendEntry("products", entry))
    assert changed(PAGE, after) == [
        "+  - name: Night Brew\n",
        "+    image: /images/products/night.jpg\n",
        "+    alt: A dark cup\n",
    ]
    after = edit(PAGE, "index.md", RemoveEntry("products", 0))
    assert changed(PAGE, after) == [
        "-  - name: Field Blend\n",
        "-    image: /images/products/field-blend.jpg   # square\n",
        "-\n",
    ]


def test_yaml_data_file_whose_root_is_the_list() -> None:
    text = "# products\n- name: A\n  image: /a.jpg\n- name: B\n  image: /b.jpg\n"
    after = edit(text, "products.yml", AppendEntry(".", {"name": "C", "image": "/c.jpg"}))
    assert after == text + "- name: C\n  image: /c.jpg\n"
    assert edit(text, "products.yml", RemoveEntry(".", 1)) == "# products\n- name: A\n  image: /a.jpg\n"


def test_yaml_crlf_file_stays_crlf() -> None:
    text = "---\r\nhero:\r\n  image: /a.jpg\r\n---\r\nbody\r\n"
    after = edit(text, "index.md", SetValue("hero.image", "/b.jpg"), SetValue("hero.alt", "x"))
    assert after == "---\r\nhero:\r\n  image: /b.jpg\r\n  alt: x\r\n---\r\nbody\r\n"


def test_toml_front_matter_and_data() -> None:
    text = '+++\ntitle = "Hi"  # tab\n[hero]\nimage = "/a.jpg"\n\n[[products]]\nname = "A"\n+++\nBody\n'
    after = edit(text, "_index.md", SetValue("hero.image", "/b.jpg"))
    assert changed(text, after) == ['-image = "/a.jpg"\n', '+image = "/b.jpg"\n']
    after = edit(text, "_index.md", AppendEntry("products", {"name": "B", "image": "/b.jpg"}))
    assert after.startswith(text[: text.index("+++\nBody")]) and after.endswith("+++\nBody\n")
    assert 'name = "B"\nimage = "/b.jpg"\n' in after


def test_json_data_keeps_indentation_and_order() -> None:
    text = '[\n  {\n    "name": "A",\n    "image": "/a.jpg"\n  },\n  {\n    "name": "B",\n    "image": "/b.jpg"\n  }\n]\n'
    after = edit(text, "products.json", SetValue("1.image", "/c.jpg"))
    assert changed(text, after) == ['-    "image": "/b.jpg"\n', '+    "image": "/c.jpg"\n']
    after = edit(text, "products.json", AppendEntry(".", {"name": "日本", "image": "/d.jpg"}))
    # Four added lines: the comma after B's "}" and the new entry (difflib pairs the closing braces).
    assert changed(text, after) == ["+  },\n", "+  {\n", '+    "name": "日本",\n', '+    "image": "/d.jpg"\n']


def test_json_front_matter() -> None:
    text = '{\n  "title": "Hi",\n  "image": "/a.jpg"\n}\nBody\n'
    after = edit(text, "page.md", SetValue("image", "/b.jpg"))
    assert after == '{\n  "title": "Hi",\n  "image": "/b.jpg"\n}\nBody\n'


def test_missing_path_is_an_error() -> None:
    with pytest.raises(KeyPathError):
        edit(PAGE, "index.md", SetValue("nope.image", "/x.jpg"))


def test_edit_file_writes_bytes_exactly(tmp_path: Path) -> None:
    page = tmp_path / "index.md"
    page.write_bytes(PAGE.encode())
    edit_file(page, [SetValue("hero.image", "/images/b.jpg")])
    assert changed(PAGE, page.read_bytes().decode()) == [
        "-  image: /images/hero.jpg\n",
        "+  image: /images/b.jpg\n",
    ]


HTML = """<!doctype html>
<p><img class="hero" src="assets/img/hero.jpg" alt="Old &amp; grey" width="10"></p>
<img src='/assets/img/hero.jpg' data-x=1>
<img src="assets/img/other.jpg" alt="Other">
"""


def test_html_alt_edited_in_place() -> None:
    def uses(src: str) -> bool:
        return src.lstrip("/") == "assets/img/hero.jpg"

    assert read_alt(HTML, uses) == ["Old & grey", ""]
    after, count = set_alt(HTML, uses, 'Tea "at" dawn & dusk')
    assert count == 2
    assert changed(HTML, after) == [
        '-<p><img class="hero" src="assets/img/hero.jpg" alt="Old &amp; grey" width="10"></p>\n',
        "-<img src='/assets/img/hero.jpg' data-x=1>\n",
        '+<p><img class="hero" src="assets/img/hero.jpg" alt="Tea &quot;at&quot; dawn &amp; dusk" width="10"></p>\n',
        "+<img src='/assets/img/hero.jpg' alt=\"Tea &quot;at&quot; dawn &amp; dusk\" data-x=1>\n",
    ]
