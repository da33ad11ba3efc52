"""``GitHubForge`` is constructed in one place: ``lpublish/publish/client.py`` (``forge_at``)."""

from __future__ import annotations

import ast
from pathlib import Path

import lpublish

SOURCE = Path(lpublish.__file__).parent


def constructions(tree: ast.AST) -> list[int]:
    """The lines where ``GitHubForge(...)`` (or ``something.GitHubForge(...)``) is called."""
    lines: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            if name == "GitHubForge":
                lines.append(node.lineno)
    return lines


def test_github_forge_is_built_only_in_the_client_module() -> None:
    found = {
        path.relative_to(SOURCE).as_posix(): lines
        for path in sorted(SOURCE.rglob("*.py"))
        if (lines := constructions(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert list(found) == ["publish/client.py"]
    assert len(found["publish/client.py"]) == 1


def test_the_scan_sees_a_construction() -> None:
    # The scan itself can fail: a direct construction, plain or through a module, is found.
    tree = ast.parse(
        "from x import GitHubForge\nimport y\nf = GitHubForge('u', 'r', 't')\ng = y.GitHubForge()\n"
    )
    assert constructions(tree) == [3, 4]
