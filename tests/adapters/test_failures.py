"""What a user meets when the generator is missing, the build fails or hangs, or the dev server never
comes up: a plain message with the command and what to do, the right exit code, no traceback."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from lpublish.config import load_config
from lpublish.site.preview import PreviewServer
from tests.adapters.conftest import fetch
from tests.plugins.cli import run_cli


def _path_without(tmp_path: Path, *programs: str) -> str:
    """A PATH holding links to git and sh only: ``programs`` (the generator) are not on it."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for tool in ("git", "sh"):
        found = shutil.which(tool)
        assert found is not None
        if not (bin_dir / tool).exists():
            (bin_dir / tool).symlink_to(found)
    assert all(shutil.which(p, path=str(bin_dir)) is None for p in programs)
    return str(bin_dir)


@pytest.mark.parametrize(
    ("name", "program", "hint"), [("hugo", "hugo", "Install Hugo"), ("eleventy", "npm", "Install Node.js")]
)
def test_missing_generator_exits_2_with_an_install_hint(
    name: str,
    program: str,
    hint: str,
    make_fixture_site: Callable[..., Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = make_fixture_site(name)
    monkeypatch.setenv("PATH", _path_without(tmp_path, program))
    code, _, err = run_cli(["build", "--site", str(root)], capsys)
    assert code == 2
    assert f"needs `{program}`" in err and hint in err
    assert "Traceback" not in err


def test_node_site_without_packages_says_to_install_them(
    make_fixture_site: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_fixture_site("astro", link_node_modules=False)
    # The command names the generator directly (npx would download it from the network otherwise).
    config = root / "lpublish.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        .replace('install = "npm ci"\n', 'install = ""\n')
        .replace('command = "npm run build"', 'command = "npx astro build"'),
        encoding="utf-8",
    )
    code, _, err = run_cli(["build", "--site", str(root)], capsys)
    assert code == 2 and "needs `astro`" in err and "npm ci" in err


def test_failing_build_exits_1_naming_the_command_and_its_last_lines(
    make_fixture_site: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_fixture_site("hugo")
    (root / "layouts/index.html").write_text(
        '{{ define "main" }}{{ .Params.hero.image | nosuchfunc }}{{ end }}\n'
    )
    code, _, err = run_cli(["build", "--site", str(root)], capsys)
    assert code == 1
    assert "`hugo` failed with exit code" in err
    assert "nosuchfunc" in err  # the generator's own error line is in the message
    assert "Traceback" not in err


def test_build_that_hangs_is_stopped_at_the_timeout(
    make_fixture_site: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_fixture_site("html")
    (root / "lpublish.toml").write_text(
        '[build]\nadapter = "command"\ncommand = "echo building; sleep 60"\noutput = "out"\ntimeout_seconds = 1\n',
        encoding="utf-8",
    )
    code, _, err = run_cli(["build", "--site", str(root)], capsys)
    assert code == 1 and "did not finish within 1 seconds" in err and "building" in err


def test_build_that_writes_nothing_is_refused(
    make_fixture_site: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_fixture_site("html")
    (root / "lpublish.toml").write_text(
        '[build]\nadapter = "command"\ncommand = "mkdir -p out"\noutput = "out"\n', encoding="utf-8"
    )
    code, _, err = run_cli(["build", "--site", str(root)], capsys)
    assert code == 1 and "holds no files to publish" in err


def test_output_that_is_a_source_folder_is_refused_before_anything_is_deleted(
    make_fixture_site: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_fixture_site("hugo")
    config = root / "lpublish.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('output = "public"', 'output = "static"'))
    code, _, err = run_cli(["build", "--site", str(root)], capsys)
    assert code == 2 and "source folder" in err
    assert (root / "static/images/hero.jpg").is_file()


@pytest.mark.parametrize(
    ("dev_command", "reason"), [("sleep 60", "no answer at"), ("echo starting; exit 3", "exited with code 3")]
)
def test_dev_server_that_never_comes_up_falls_back_to_the_built_site(
    dev_command: str, reason: str, make_fixture_site: Callable[..., Path]
) -> None:
    root = make_fixture_site("hugo")
    config = root / "lpublish.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            'output = "public"\n',
            f'output = "public"\ndev_command = "{dev_command}"\ndev_url = "http://127.0.0.1:{{port}}/"\n',
        ),
        encoding="utf-8",
    )
    messages: list[str] = []
    with PreviewServer(load_config(site=root), watch=False, dev_wait=3, on_status=messages.append) as server:
        assert server.mode == "built"
        assert reason in server.dev_failure
        assert any("did not come up" in m and reason in m for m in messages)
        status, body, _ = fetch(server.url)
        assert status == 200 and "Ridgeline" in body


def test_dev_server_is_used_when_it_comes_up(make_fixture_site: Callable[..., Path]) -> None:
    root = make_fixture_site("hugo")
    with PreviewServer(load_config(site=root), watch=False, dev_wait=60) as server:
        assert server.mode == "dev", server.dev_failure
        status, body, _ = fetch(server.url)
        assert status == 200 and "Ridgeline" in body
        process = server._dev_process
        assert process is not None
    assert process.poll() is not None  # stopped with the preview
    assert os.environ.get("PATH")
