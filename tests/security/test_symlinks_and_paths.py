"""Items 2 and 4 (build side): symbolic links are reported and never followed out of the site, and the
build checks every output path on its own.

Today's behaviour: ``static/passwd.txt -> /etc/passwd``, ``static/env.txt -> /proc/self/environ`` and a
symlinked ``pages/leak.md`` were built (and deployed); a campaign slug ``../../../../PWNED-slug`` made
the build write outside its output folder although ``check`` reported the slug.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.plugins.cli import run_cli
from tests.plugins.results import result_of
from tests.security.conftest import CAMPAIGN, NOW


def test_symlinks_out_of_the_site(site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: Leak\n---\nCANARY-SECRET-42\n", encoding="utf-8")
    (site / "static/passwd.txt").symlink_to("/etc/passwd")
    (site / "static/env.txt").symlink_to("/proc/self/environ")
    (site / "pages/leak.md").symlink_to(secret)
    (site / "static/loop").symlink_to(site / "static/loop")
    (site / "static/inside.svg").symlink_to(site / "static/favicon.svg")

    exit_code, out, _ = run_cli(["check", "--site", str(site), "--format", "json"], capsys)
    found = {(f["code"], f["file"]) for f in result_of(out)["findings"]}
    assert exit_code == 1
    assert ("file.symlink-outside", "static/passwd.txt") in found
    assert ("file.symlink-outside", "static/env.txt") in found
    assert ("file.symlink-outside", "pages/leak.md") in found
    assert ("file.symlink-loop", "static/loop") in found
    assert ("file.symlink-inside", "static/inside.svg") in found

    os.environ["LPUBLISH_CANARY"] = "CANARY-ENV-42"
    try:
        exit_code, _, _ = run_cli(["build", "--site", str(site), "--now", NOW], capsys)
    finally:
        del os.environ["LPUBLISH_CANARY"]
    assert exit_code == 1
    dist = site / "dist"
    assert not (dist / "passwd.txt").exists() and not (dist / "env.txt").exists()
    assert not (dist / "leak").exists()
    for path in dist.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"CANARY" not in data and b"root:x:0:0" not in data, path
    assert (dist / "inside.svg").is_file()  # a link inside the site is followed (and warned about)


def test_symlinked_campaign_folder_is_not_built(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "elsewhere"
    (outside).mkdir()
    text = (site / CAMPAIGN / "index.md").read_text(encoding="utf-8").replace("autumn-tea-2026", "leaked")
    (outside / "index.md").write_text(text.replace("星空ティーでは", "LEAKED-TEXT"), encoding="utf-8")
    (site / "campaigns/leaked").symlink_to(outside)
    exit_code, _, _ = run_cli(["build", "--site", str(site), "--now", NOW], capsys)
    assert exit_code == 1
    assert not (site / "dist/campaigns/leaked").exists()


def test_slug_that_climbs_out_is_never_written(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = site / CAMPAIGN / "index.md"
    index.write_text(
        index.read_text(encoding="utf-8").replace("slug: autumn-tea-2026", "slug: ../../../../PWNED-slug"),
        encoding="utf-8",
    )
    before = {p for p in tmp_path.rglob("*PWNED*")}
    exit_code, out, _ = run_cli(["build", "--site", str(site), "--now", NOW, "--format", "json"], capsys)
    assert exit_code == 1
    unsafe = [f for f in result_of(out)["findings"] if f["code"] == "build.unsafe-path"]
    assert unsafe and unsafe[0]["message"].count("PWNED-slug") == 1
    assert {p for p in tmp_path.rglob("*PWNED*")} == before
    assert not list(Path("/").glob("PWNED*")) and not list(site.parent.parent.glob("PWNED*"))


def test_invalid_utf8_file_name_in_static(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = os.fsencode(site / "static") + b"/bad-\xff\xfe.txt"
    with open(raw, "wb") as fh:
        fh.write(b"hello")
    exit_code, out, err = run_cli(["build", "--site", str(site), "--now", NOW, "--format", "json"], capsys)
    assert exit_code == 1
    bad = [f for f in result_of(out)["findings"] if f["code"] == "file.bad-name"]
    assert bad and bad[0]["file"] == "static/bad-\\xff\\xfe.txt"
    assert "internal problem" not in err.lower()
    assert not (site / "dist" / "bad-\udcff\udcfe.txt").exists()
    assert (site / "dist" / "index.html").is_file()
