"""Item 9: deeply nested Markdown is rendered whole or refused with a finding, never cut quietly.

Today's behaviour: a 3,000-level list or 100,000 ``>`` rendered with the text beyond level 20 missing,
with no finding.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lpublish.site.markdown import MarkdownTooDeep, render_markdown
from tests.plugins.cli import run_cli
from tests.plugins.results import result_of
from tests.security.conftest import CAMPAIGN, NOW, write_body


def _list(depth: int) -> str:
    return "".join("  " * i + f"- item{i}\n" for i in range(depth))


@pytest.mark.parametrize(
    "body", [_list(3000), ">" * 100_000 + " the end\n"], ids=["list-3000", "quote-100000"]
)
def test_too_deep_is_refused_with_a_finding(
    site: Path, body: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(MarkdownTooDeep):
        render_markdown(body)
    write_body(site, body)
    exit_code, out, _ = run_cli(["check", "--site", str(site), "--format", "json"], capsys)
    deep = [f for f in result_of(out)["findings"] if f["code"] == "markdown.too-deep"]
    assert exit_code == 1 and deep and deep[0]["file"] == f"{CAMPAIGN}/index.md"
    exit_code, out, _ = run_cli(["build", "--site", str(site), "--now", NOW, "--format", "json"], capsys)
    assert exit_code == 1
    assert any(f["code"] == "markdown.too-deep" for f in result_of(out)["findings"])


def test_nesting_within_the_limit_keeps_every_word() -> None:
    html = render_markdown(_list(30))
    assert all(re.search(rf"item{i}\b", html) for i in range(30))
    html = render_markdown(">" * 40 + " the end\n")
    assert "the end" in html and html.count("<blockquote>") == 40
