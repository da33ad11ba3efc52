"""The core must stay usable without the UI: no core module may import textual, click or rich."""

from __future__ import annotations

import os
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import lpublish

UI_PACKAGES = ("textual", "click", "rich")
FRONT_ENDS = ("lpublish.cli", "lpublish.tui", "lpublish.__main__")
REPO_ROOT = Path(__file__).resolve().parent.parent


def core_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(lpublish.__path__, prefix="lpublish."):
        if not info.name.startswith(FRONT_ENDS):
            names.append(info.name)
    return sorted(names)


def test_there_are_core_modules_to_check() -> None:
    modules = core_modules()
    assert "lpublish.errors" in modules
    assert "lpublish.config" in modules


def test_core_modules_do_not_import_ui_libraries() -> None:
    modules = core_modules()
    code = (
        "import importlib, sys, json\n"
        f"mods = {modules!r}\n"
        "bad = {}\n"
        "for m in mods:\n"
        "    importlib.import_module(m)\n"
        f"    hit = [p for p in {UI_PACKAGES!r} if p in sys.modules]\n"
        "    if hit:\n"
        "        bad[m] = hit\n"
        "        break\n"
        "print(json.dumps(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{}", f"core module pulled in a UI library: {result.stdout}"


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    lint = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(lint), "--no-logo", "--no-cache", str(REPO_ROOT / "pyproject.toml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_layer_contracts_hold_and_catch_a_wrong_way_import(tmp_path: Path) -> None:
    """`make lint` runs the same contracts; a lazy import from a lower layer into a higher one breaks them."""
    good = _lint_imports(REPO_ROOT)
    assert good.returncode == 0, good.stdout + good.stderr
    copy = tmp_path / "src"
    shutil.copytree(REPO_ROOT / "lpublish", copy / "lpublish", ignore=shutil.ignore_patterns("__pycache__"))
    model = copy / "lpublish" / "config" / "model.py"
    # Inside a function, as the old importlib-free shortcuts were: the contracts still see it.
    model.write_text(
        model.read_text(encoding="utf-8") + "\n\ndef _wrong_way() -> None:\n    import lpublish.site.build\n",
        encoding="utf-8",
    )
    bad = _lint_imports(copy)
    assert bad.returncode != 0
    assert "lpublish.config.model -> lpublish.site.build" in bad.stdout
