"""``lpublish check`` and ``lpublish fix`` through the real entry point: exit codes, formats, languages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.plugins import image_corpus as c
from tests.plugins.cli import run_cli
from tests.plugins.image_cases import CASES
from tests.plugins.results import result_of


def test_sample_site_passes(capsys: pytest.CaptureFixture[str], sample_site: Path) -> None:
    code, out, _ = run_cli(["check", "--site", str(sample_site), "--workers", "1"], capsys)
    assert code == 0, out
    assert "0 error(s)" in out


def test_site_errors_exit_1_with_json(capsys: pytest.CaptureFixture[str], site_dir: Path) -> None:
    from tests.plugins.gitrepos import git

    git(site_dir, "init", "--quiet", "-b", "main")
    git(site_dir, "add", "-A")
    git(site_dir, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", "site")
    c.save(c.gradient(200, 150), site_dir / "images" / "photo" / "small.jpg", "JPEG")
    # Judged against the last commit, the new file's problems are errors (what a change brings).
    code, out, _ = run_cli(
        ["check", "--site", str(site_dir), "--changed", "HEAD", "--format", "json", "--workers", "1"], capsys
    )
    assert code == 1
    data = result_of(out)
    assert data["summary"]["errors"] == 2
    codes = sorted(f["code"] for f in data["findings"])
    assert codes == ["alt.missing", "image.too-small"]
    finding = next(f for f in data["findings"] if f["code"] == "image.too-small")
    assert set(finding) >= {"code", "severity", "file", "message", "hint", "fix"}
    assert finding["file"] == "images/photo/small.jpg"
    # Without --changed the same image counts as already on the site: warnings, exit 0.
    code, out, _ = run_cli(["check", "--site", str(site_dir), "--format", "json", "--workers", "1"], capsys)
    assert code == 0
    data = result_of(out)
    assert data["summary"]["errors"] == 0
    assert sorted(f["code"] for f in data["findings"]) == [
        "alt.missing",
        "content.already-on-site",
        "image.too-small",
    ]


def test_files_for_a_slot(capsys: pytest.CaptureFixture[str], site_dir: Path, inbox: Path) -> None:
    good = CASES["good jpeg"][0](inbox)
    code, out, _ = run_cli(
        ["check", str(good), "--slot", "photo", "--alt", "Tea", "--site", str(site_dir)], capsys
    )
    assert code == 0, out
    assert "OK: 1 file(s) checked, 0 error(s), 0 warning(s)." in out
    bad = CASES["gps, serial, rotated"][0](inbox)
    code, out, _ = run_cli(["check", str(good), str(bad), "--slot", "photo", "--site", str(site_dir)], capsys)
    assert code == 1
    assert f"Error [image.gps-location] {bad} contains the GPS location" in out
    assert "Not ready: 2 file(s) checked, 1 error(s), 2 warning(s)." in out
    assert str(good) not in out  # the good file has nothing to say
    code, out, _ = run_cli(
        ["check", str(good), str(bad), "--slot", "photo", "--site", str(site_dir), "--format", "json"], capsys
    )
    assert code == 1
    data = result_of(out, "check")
    assert [(f["code"], f["severity"], f["file"]) for f in data["findings"]] == [
        ("image.gps-location", "error", str(bad)),
        ("image.camera-serial", "warning", str(bad)),
        ("image.exif-orientation", "warning", str(bad)),
    ]
    assert data["summary"] == {"files": 2, "errors": 1, "warnings": 2, "info": 0}


def test_github_annotations(capsys: pytest.CaptureFixture[str], site_dir: Path, inbox: Path) -> None:
    bad = CASES["too small"][0](inbox)
    code, out, _ = run_cli(
        ["check", str(bad), "--slot", "photo", "--site", str(site_dir), "--format", "github"], capsys
    )
    assert code == 1
    (line,) = [x for x in out.splitlines() if x.startswith("::error")]
    # GitHub's annotation properties escape % , : and newlines (a path on Windows has a colon)
    escaped = str(bad).replace("%", "%25").replace(":", "%3A").replace(",", "%2C")
    assert line.startswith(f"::error file={escaped},title=image.too-small::"), line


def test_japanese_output(capsys: pytest.CaptureFixture[str], site_dir: Path, inbox: Path) -> None:
    bad = CASES["too small"][0](inbox)
    code, out, _ = run_cli(
        ["--lang", "ja", "check", str(bad), "--slot", "photo", "--site", str(site_dir)], capsys
    )
    assert code == 1
    assert "この枠には" in out


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_unknown_slot_exit_2(
    capsys: pytest.CaptureFixture[str], site_dir: Path, inbox: Path, lang: str
) -> None:
    good = CASES["good jpeg"][0](inbox)
    code, out, err = run_cli(
        ["--lang", lang, "check", str(good), "--slot", "heroo", "--site", str(site_dir)], capsys
    )
    assert code == 2
    assert "banner, hero, logo, photo" in err
    assert "Traceback" not in out + err


def test_files_without_slot_exit_2(capsys: pytest.CaptureFixture[str], site_dir: Path, inbox: Path) -> None:
    code, _, err = run_cli(["check", str(CASES["good jpeg"][0](inbox)), "--site", str(site_dir)], capsys)
    assert code == 2
    assert "--slot" in err


@pytest.mark.parametrize("kind", ["missing", "directory", "empty", "html", "bomb", "svg"])
def test_bad_input_never_tracebacks(
    capsys: pytest.CaptureFixture[str], site_dir: Path, inbox: Path, kind: str
) -> None:
    path = {
        "missing": lambda: inbox / "nope.jpg",
        "directory": lambda: inbox,
        "empty": lambda: CASES["empty file"][0](inbox),
        "html": lambda: CASES["html named .png"][0](inbox),
        "bomb": lambda: CASES["bomb claiming 10 gigapixels"][0](inbox),
        "svg": lambda: c.write(inbox / "x.svg", c.SVG_HOSTILE["xxe"][0]),
    }[kind]()
    code, out, err = run_cli(["check", str(path), "--slot", "photo", "--site", str(site_dir)], capsys)
    assert code == 1
    assert "Traceback" not in out + err
    code, out, err = run_cli(
        ["fix", str(path), "--slot", "photo", "--out", str(inbox / "out.jpg"), "--site", str(site_dir)],
        capsys,
    )
    assert code == 1
    assert "Traceback" not in out + err and err.strip()


def test_fix_prints_before_and_after(
    capsys: pytest.CaptureFixture[str], site_dir: Path, inbox: Path, tmp_path: Path
) -> None:
    source = CASES["too large"][0](inbox)
    out_path = tmp_path / "fixed.jpg"
    code, out, _ = run_cli(
        ["fix", str(source), "--slot", "photo", "--out", str(out_path), "--site", str(site_dir)], capsys
    )
    assert code == 0, out
    assert out_path.is_file()
    assert "2000x1500" in out and "1600x1200" in out
    assert "Before:" in out and "After:" in out


def test_fix_that_needs_a_person_exits_1(
    capsys: pytest.CaptureFixture[str], site_dir: Path, inbox: Path, tmp_path: Path
) -> None:
    source = CASES["wrong aspect"][0](inbox)
    code, out, _ = run_cli(
        [
            "--lang",
            "ja",
            "fix",
            str(source),
            "--slot",
            "photo",
            "--out",
            str(tmp_path),
            "--site",
            str(site_dir),
        ],
        capsys,
    )
    assert code == 1
    assert "image.wrong-aspect" in out and "切り抜く" in out
    code, out, _ = run_cli(
        [
            "fix",
            str(source),
            "--slot",
            "photo",
            "--out",
            str(tmp_path),
            "--site",
            str(site_dir),
            "--format",
            "json",
        ],
        capsys,
    )
    fixed = result_of(out, "fix")
    assert code == 1 and [f["code"] for f in fixed["remaining"]["findings"]] == ["image.wrong-aspect"]
    assert Path(fixed["output"]).is_file() and fixed["output"] != str(source)


def test_fix_refuses_to_overwrite(capsys: pytest.CaptureFixture[str], site_dir: Path, inbox: Path) -> None:
    source = CASES["good jpeg"][0](inbox)
    code, _, err = run_cli(
        ["fix", str(source), "--slot", "photo", "--out", str(source), "--site", str(site_dir)], capsys
    )
    assert code == 2
    assert "original" in err


def test_real_process(site_dir: Path, inbox: Path) -> None:
    """One run as a real subprocess, the way CI calls it."""
    bad = CASES["jpeg + zip polyglot"][0](inbox)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "lpublish",
            "check",
            str(bad),
            "--slot",
            "photo",
            "--site",
            str(site_dir),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "LPUBLISH_LANG": "en"},
    )
    assert result.returncode == 1, result.stderr
    assert [f["code"] for f in result_of(result.stdout)["findings"]] == ["image.trailing-data"]


def test_github_paths_are_relative_to_the_repository(
    capsys: pytest.CaptureFixture[str], site_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    c.save(c.gradient(200, 150), site_dir / "images" / "photo" / "small.jpg", "JPEG")
    monkeypatch.chdir(site_dir.parent)  # CI runs from the repository root; the site is in site/
    (site_dir / "index.html").write_text('<img src="/images/photo/gone.jpg" alt="x">\n', encoding="utf-8")
    code, out, _ = run_cli(["check", "--site", "site", "--format", "github", "--workers", "1"], capsys)
    assert code == 1  # a broken reference is an error; an old image's problems are warnings
    assert "::error file=site/index.html,line=1,title=reference.broken::" in out
    assert "::warning file=site/images/photo/small.jpg,title=image.too-small::" in out


def test_fix_is_byte_identical_across_processes(site_dir: Path, inbox: Path, tmp_path: Path) -> None:
    source = CASES["gps, serial, rotated"][0](inbox)
    outputs = []
    for run_number in range(2):
        out = tmp_path / f"run{run_number}.jpg"
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "lpublish",
                "fix",
                str(source),
                "--slot",
                "photo",
                "--out",
                str(out),
                "--site",
                str(site_dir),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env={"PATH": "/usr/bin:/bin", "LPUBLISH_LANG": "en", "PYTHONHASHSEED": str(run_number + 1)},
        )
        assert result.returncode == 0, result.stdout + result.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
