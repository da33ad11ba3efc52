"""``lpublish build --out DIR`` for every kind of adapter, and the scheduled run for a generator that
schedules by date itself (Hugo ``expiryDate``): the rebuild at the boundary changes the output."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.plugins.cli import run_cli


@pytest.mark.parametrize("name", ["hugo", "eleventy", "html"])
def test_build_out_dir_holds_the_site_and_refuses_a_foreign_folder(
    name: str, make_fixture_site: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_fixture_site(name)
    out = tmp_path / "out"
    code, _, err = run_cli(["build", "--site", str(root), "--out", str(out)], capsys)
    assert code == 0, err
    assert (out / "index.html").is_file() and (out / ".lpublish-build.json").is_file()
    assert not (out / "lpublish.toml").exists()
    code, _, err = run_cli(["build", "--site", str(root), "--out", str(out)], capsys)
    assert code == 0, err  # lpublish's own earlier output is replaced
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"not ours")
    code, _, err = run_cli(["build", "--site", str(root), "--out", str(foreign)], capsys)
    assert code == 2 and (foreign / "holiday.jpg").read_bytes() == b"not ours"


def test_scheduled_run_deploys_when_hugo_drops_an_expired_page(
    make_fixture_site: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_fixture_site("hugo")
    state = tmp_path / "state"

    def scheduled_run() -> dict[str, str]:
        code, _, err = run_cli(["build", "--site", str(root)], capsys)
        assert code == 0, err
        outputs = tmp_path / "outputs.txt"
        outputs.write_text("")
        code, _, err = run_cli(
            ["ci", "schedule", "--site", str(root), "--state", str(state), "--output", str(outputs)], capsys
        )
        assert code == 0, err
        return dict(line.split("=", 1) for line in outputs.read_text().splitlines() if "=" in line)

    assert scheduled_run()["changed"] == "true"  # first run: nothing to compare with
    assert scheduled_run()["changed"] == "false"  # same output: no deploy
    page = root / "content/campaigns/spring-picnic/index.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace("expiryDate: 2030-12-31", "expiryDate: 2026-01-31")
    )
    assert scheduled_run()["changed"] == "true"  # Hugo left the expired campaign out: deploy
    manifest = json.loads((root / "public/.lpublish-build.json").read_text())
    assert not any(f["path"].startswith("campaigns/spring-picnic/") for f in manifest["files"])
