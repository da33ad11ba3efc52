"""The core must stay usable without the UI: no core module may import textual, click or rich."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import lpublish

UI_PACKAGES = ("textual", "click", "rich")
FRONT_ENDS = ("lpublish.cli", "lpublish.tui", "lpublish.__main__")


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
