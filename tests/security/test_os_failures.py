"""Item 7: operating-system failures get a plain message naming the path and what to do, and the right
exit code; a failed build leaves nothing that blocks the next one.

Today's behaviour: a read-only site folder (``build``, ``fix --out``), a read-only or full
``LPUBLISH_HOME``, invalid UTF-8 file names and symlink loops ended in "internal problem:
OSError/UnicodeEncodeError" (exit 1 with no path); a failed build left ``dist/..lpublish-build.json.tmp``
and every later build refused ("Output folder is not empty") until the folder was emptied by hand.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

import pytest

from lpublish.errors import os_failure
from lpublish.i18n import set_language
from tests.plugins.cli import run_cli
from tests.plugins.forge import ForgeSite
from tests.plugins.images import make_jpeg
from tests.security.conftest import NOW, jpeg_bytes
from tests.security.mounts import grow, read_only, tiny_disk


def _plain(err: str, path: Path | str) -> None:
    assert "internal problem" not in err and "Traceback" not in err
    assert str(path) in err and "What to do next:" in err


def test_build_into_a_read_only_site(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with read_only(site):
        code, _, err = run_cli(["build", "--site", str(site), "--now", NOW], capsys)
    assert code == 1
    _plain(err, site)
    assert "read-only" in err


def test_fix_out_to_a_read_only_folder(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg_bytes((1200, 1200)))
    out = tmp_path / "fixed"
    out.mkdir()
    with read_only(out):
        code, _, err = run_cli(
            ["fix", str(photo), "--slot", "product", "--out", str(out), "--site", str(site)], capsys
        )
    assert code == 1
    _plain(err, out)


def test_read_only_lpublish_home(
    signed_in: ForgeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("LPUBLISH_HOME", str(home))
    hero = make_jpeg(tmp_path / "hero.jpg", (2400, 1000))
    with read_only(home):
        code, _, err = run_cli(
            ["submit", "--site", str(signed_in.site), "--title", "Hero", "--image", f"hero={hero}:alt"],
            capsys,
        )
    assert code == 1
    _plain(err, home)
    assert signed_in.forge.pulls() == []


def test_full_lpublish_home(
    signed_in: ForgeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    hero = make_jpeg(tmp_path / "hero.jpg", (2400, 1000))
    with tiny_disk(tmp_path / "home", "16k") as home:
        monkeypatch.setenv("LPUBLISH_HOME", str(home))
        (home / "filler").write_bytes(b"x" * 8192)
        code, _, err = run_cli(
            ["submit", "--site", str(signed_in.site), "--title", "Hero", "--image", f"hero={hero}:alt"],
            capsys,
        )
        assert code == 1
        assert "disk is full" in err
        _plain(err, home)
        # no half-copied draft left behind
        assert not (home / "drafts").exists() or list((home / "drafts").iterdir()) == []


def test_a_full_disk_during_build_does_not_block_the_next_build(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with tiny_disk(tmp_path / "out", "12k") as out:
        code, _, err = run_cli(["build", "--site", str(site), "--out", str(out), "--now", NOW], capsys)
        assert code == 1 and "disk is full" in err
        _plain(err, out)
        assert not [p.name for p in out.rglob("*.tmp")]
        grow(out, "64m")
        code, _, err = run_cli(["build", "--site", str(site), "--out", str(out), "--now", NOW], capsys)
        assert code == 0, err
        assert (out / "index.html").is_file()


def test_leftover_temporary_manifest_does_not_block(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dist = site / "dist"
    dist.mkdir()
    (dist / "..lpublish-build.json.tmp").write_text('{"version": 1, "fi', encoding="utf-8")
    code, _, err = run_cli(["build", "--site", str(site), "--now", NOW], capsys)
    assert code == 0, err
    assert not (dist / "..lpublish-build.json.tmp").exists()


def test_symlink_loop_on_the_way(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.rmtree(site / "static")
    (site / "static").symlink_to(site / "static")
    code, out, err = run_cli(["build", "--site", str(site), "--now", NOW, "--format", "json"], capsys)
    assert code == 1
    assert "internal problem" not in err and '"file.symlink-loop"' in out


@pytest.mark.parametrize(
    ("number", "key", "words"),
    [
        (errno.EACCES, "security.os.permission", "did not allow"),
        (errno.EROFS, "security.os.read_only", "read-only"),
        (errno.ENOSPC, "security.os.disk_full", "no space left"),
        (errno.EDQUOT, "security.os.disk_full", "quota"),
        (errno.ELOOP, "security.os.symlink_loop", "loops back"),
        (errno.ENAMETOOLONG, "security.os.name_too_long", "too long"),
        (errno.EBUSY, "security.os.failed", "failed"),
    ],
)
def test_one_mapping_for_every_errno(number: int, key: str, words: str) -> None:
    failure = os_failure(OSError(number, "x", "/srv/site/bad-\udcff.txt"))
    assert failure.key == key and int(failure.exit_code) == 1
    assert words in failure.message and "/srv/site/bad-\\xff.txt" in failure.message
    set_language("ja")
    try:
        assert "/srv/site/bad-\\xff.txt" in failure.message and failure.hint
    finally:
        set_language(None)


def test_undecodable_name_error_is_plain() -> None:
    try:
        "bad-\udcff.txt".encode("utf-8")
    except UnicodeEncodeError as exc:
        failure = os_failure(exc)
    assert failure.key == "security.os.bad_name" and "bad-\\xff.txt" in failure.message
