"""Item 3: one URL rule for every link field of every page and campaign, read the way browsers read it.

Today's behaviour: ``javascript:`` in page front matter (``hero.cta_url``, ``products[].url``) passed
``check`` and was published on the top page, and ``/\\evil.example/phish`` passed ``link_hosts`` although
a browser opens ``https://evil.example/phish``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lpublish.links import check_link
from tests.plugins.cli import run_cli
from tests.plugins.results import result_of
from tests.security.conftest import CAMPAIGN, NOW

SHOP = "https://shop.hoshizora-tea.example/"

#: (link, reason) — every one of these is refused.
HOSTILE = [
    ("javascript:alert(document.cookie)", "scheme"),
    ("JaVaScRiPt:alert(1)", "scheme"),
    ("java\tscript:alert(1)", "control"),
    ("java\nscript:alert(1)", "control"),
    (" javascript:alert(1)", "control"),
    ("\x01javascript:alert(1)", "control"),
    ("vbscript:msgbox(1)", "scheme"),
    ("data:text/html,<script>alert(1)</script>", "scheme"),
    ("/\\evil.example/phish", "backslash"),
    ("\\\\evil.example/phish", "backslash"),
    ("https:\\\\evil.example", "backslash"),
    ("//evil.example/phish", "protocol-relative"),
    ("https:evil.example/phish", "host"),
    ("https://shop.hoshizora-tea.example@evil.example/", "userinfo"),
    ("https://evil%2Eexample/", "host"),
    ("https://evil\u3002example/", "host"),
    ("https://evil.example/phish", "host-not-allowed"),
    ("https://shop.hoshizora-tea.example.evil.example/", "host-not-allowed"),
    ("http://shop.hoshizora-tea.example/", "scheme"),
    ("file:///etc/passwd", "scheme"),
    ("https://shop.hoshizora-tea.example\u200b/", "control"),
]
FINE = [
    "https://shop.hoshizora-tea.example/collections/autumn",
    "https://SHOP.hoshizora-tea.example./x?y=1#z",
    "https://www.hoshizora-tea.example/",
    "/campaigns/autumn-tea-2026/",
    "../",
    "#top",
    "?page=2",
    "page:2",  # not fine: caught below as a scheme
]


@pytest.mark.parametrize(("url", "reason"), HOSTILE, ids=[repr(h[0]) for h in HOSTILE])
def test_hostile_links_are_refused(url: str, reason: str) -> None:
    problem = check_link(
        url, link_hosts=["shop.hoshizora-tea.example"], site_host="www.hoshizora-tea.example"
    )
    assert problem is not None and problem.reason == reason


def test_plain_links_pass() -> None:
    hosts = ["shop.hoshizora-tea.example"]
    for url in FINE[:-1]:
        assert check_link(url, link_hosts=hosts, site_host="www.hoshizora-tea.example") is None, url
    unknown_scheme = check_link("page:2")
    assert unknown_scheme is not None and unknown_scheme.reason == "scheme"
    assert check_link("mailto:shop@hoshizora-tea.example") is None
    mail_refused = check_link("mailto:x@y", allow_mail=False)
    assert mail_refused is not None and mail_refused.reason == "scheme"
    assert check_link("http://a.example/", allow_http=True) is None


def _set_hosts(site: Path) -> None:
    toml = site / "lpublish.toml"
    text = toml.read_text(encoding="utf-8")
    if "link_hosts" not in text:
        text = text.replace("[campaign]\n", '[campaign]\nlink_hosts = ["shop.hoshizora-tea.example"]\n', 1)
    toml.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "field", "code"),
    [
        (
            "cta_url: https://shop.hoshizora-tea.example/",
            "cta_url: javascript:alert(1)",
            "hero.cta_url",
            "link.scheme",
        ),
        (
            "url: https://shop.hoshizora-tea.example/products/sencha-milky-way",
            "url: \"javascript:fetch('//evil.example')\"",
            "products[1].url",
            "link.scheme",
        ),
        (
            "cta_url: https://shop.hoshizora-tea.example/",
            'cta_url: "/\\\\evil.example/phish"',
            "hero.cta_url",
            "link.backslash",
        ),
        (
            "url: https://shop.hoshizora-tea.example/products/hojicha-starry-night",
            "url: https://evil.example/hojicha",
            "products[0].url",
            "link.host",
        ),
    ],
)
def test_page_front_matter_links(
    site: Path, old: str, new: str, field: str, code: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _set_hosts(site)
    index = site / "pages/index.md"
    text = index.read_text(encoding="utf-8")
    assert old in text
    index.write_text(text.replace(old, new, 1), encoding="utf-8")
    exit_code, out, _ = run_cli(["check", "--site", str(site), "--format", "json"], capsys)
    hits = [f for f in result_of(out)["findings"] if f["code"] == code and f["field"] == field]
    assert exit_code == 1 and hits and hits[0]["file"] == "pages/index.md"
    exit_code, _, _ = run_cli(["build", "--site", str(site), "--now", NOW], capsys)
    assert exit_code == 1
    top = (site / "dist/index.html").read_text(encoding="utf-8")
    assert "javascript:" not in top and "evil.example" not in top


def test_campaign_cta_backslash_link(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _set_hosts(site)
    index = site / CAMPAIGN / "index.md"
    text = index.read_text(encoding="utf-8")
    text = text.replace(
        "cta_url: https://shop.hoshizora-tea.example/collections/autumn-2026",
        'cta_url: "/\\\\evil.example/phish"',
    )
    index.write_text(text, encoding="utf-8")
    exit_code, out, _ = run_cli(["check", "--site", str(site), "--format", "json"], capsys)
    hits = [f for f in result_of(out)["findings"] if f["code"] == "link.backslash"]
    assert exit_code == 1 and hits[0]["field"] == "cta_url" and hits[0]["file"] == f"{CAMPAIGN}/index.md"
    exit_code, _, _ = run_cli(["build", "--site", str(site), "--now", NOW], capsys)
    assert exit_code == 1
    assert "evil.example" not in (site / "dist" / CAMPAIGN / "index.html").read_text(encoding="utf-8")


def test_page_body_links(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _set_hosts(site)
    (site / "pages/about.md").write_text(
        "---\ntitle: About\n---\n\n[shop](https://evil.example/x) and <javascript:alert(1)>\n",
        encoding="utf-8",
    )
    exit_code, out, _ = run_cli(["check", "--site", str(site), "--format", "json"], capsys)
    found = {(f["code"], f["file"], f["field"]) for f in result_of(out)["findings"]}
    assert exit_code == 1
    assert ("link.host", "pages/about.md", "body") in found
