"""Which tests cannot run on macOS or Windows, and why: one table, applied at collection.

lpublish's CI runs the whole suite on Linux, macOS and Windows (designers use all three). A test that
needs something only the Linux runner has (tmux, the Debian generators, chromium, real mounts, POSIX
shell stand-ins, symlinks without privileges) is *skipped* elsewhere with the reason below, never failed
and never silently dropped: ``-ra`` lists every skip with its reason. On Linux nothing here skips: a
missing tool there is a test failure (``.ci/run`` installs them).

Markers (registered in ``pyproject.toml``): ``linux_only(reason)`` skips a test off Linux,
``posix_only(reason)`` skips it on Windows. Apply them in a test module (``pytestmark``) or list the
module in ``LINUX_ONLY`` / ``POSIX_ONLY`` here, so the platform rules stay in one place.
"""

from __future__ import annotations

import sys

import pytest

#: Tests that need Linux, and why: a module (path from the repository root) or one test in it
#: (``module::test_name``, every parameter of it).
LINUX_ONLY: dict[str, str] = {
    "tests/tui/test_tmux.py": "drives the TUI through tmux (installed on the Linux runner only)",
    "tests/security/test_os_failures.py": "read-only bind mounts and a tiny tmpfs are Linux mounts",
    "tests/security/test_symlinks_and_paths.py": "links to /etc/passwd and /proc/self/environ (Linux files)",
    "tests/security/test_deploy_rules.py::test_deploy_refuses_links_out_of_the_folder": (
        "a link to /proc/self/environ (a Linux file)"
    ),
    "tests/site/test_layout_in_chromium.py": "headless chromium from Debian (Linux runner)",
    "tests/ci/test_screenshots.py": "headless chromium from Debian (Linux runner)",
    "tests/ci/test_pr_workflow_run.py": "runs the workflow's shell steps with the Linux runner's tools",
    "tests/publish/test_lfs.py": "git-lfs is installed on the Linux runner only",
}

#: Tests that need a POSIX system (Linux or macOS), and why (same keys as ``LINUX_ONLY``).
POSIX_ONLY: dict[str, str] = {
    "tests/adapters/test_failures.py": "links the generators into a private PATH (symlinks need privileges)",
    "tests/adapters/test_preview_server.py": "serves a folder with symlinks (they need privileges on Windows)",
    "tests/adapters/test_publish_rules.py::test_static_site_never_publishes_a_link_to_a_file_outside_it": (
        "symlinks need privileges on Windows"
    ),
    "tests/assets/test_validate.py::test_permission_denied_is_a_finding": "an unreadable file made with chmod",
    "tests/publish/test_auth.py::test_gh_cli_token_is_used_when_installed": "a /bin/sh script stands in for gh",
    "tests/publish/test_failures.py::test_push_rejected_by_a_server_hook": "a /bin/sh server hook refuses the push",
    "tests/publish/test_signed_commits.py": "a /bin/sh script stands in for gpg",
    "tests/tui/test_practice_headless.py": "stops practice mode with SIGTERM",
}


def _keys(item: pytest.Item) -> tuple[str, str]:
    """The table keys that name ``item``: its module, and ``module::test`` without parameters."""
    module, _, rest = item.nodeid.replace("\\", "/").partition("::")
    return module, f"{module}::{rest.split('[', 1)[0]}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for key in _keys(item):
            if key in LINUX_ONLY:
                item.add_marker(pytest.mark.linux_only(LINUX_ONLY[key]))
            if key in POSIX_ONLY:
                item.add_marker(pytest.mark.posix_only(POSIX_ONLY[key]))


def skip_reason(item: pytest.Item, platform: str) -> str | None:
    """Why ``item`` cannot run on ``platform`` (a ``sys.platform`` value), or ``None`` when it can."""
    linux = item.get_closest_marker("linux_only")
    if linux is not None and not platform.startswith("linux"):
        return f"Linux only: {linux.args[0] if linux.args else 'needs Linux'}"
    posix = item.get_closest_marker("posix_only")
    if posix is not None and platform == "win32":
        return f"POSIX only: {posix.args[0] if posix.args else 'needs a POSIX system'}"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    reason = skip_reason(item, sys.platform)
    if reason is not None:
        pytest.skip(reason)
