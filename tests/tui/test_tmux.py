"""Real-terminal end-to-end run: ``lpublish practice`` in tmux, driven by keystrokes.

Adds an image to the hero slot, submits it, and checks that the request exists in the practice forge
(over its HTTP API) and that the screen shows its link. Skipped when tmux is not installed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.plugins.images import make_jpeg

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


class Tmux:
    """One detached tmux session running a command in a real pseudo-terminal."""

    def __init__(self, socket: Path, name: str) -> None:
        self.socket = socket
        self.name = name

    def run(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-S", str(self.socket), *args], capture_output=True, text=True, check=True, timeout=30
        )
        return result.stdout

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.run("send-keys", "-t", self.name, *(["-l"] if literal else []), *keys)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.name)

    def footer(self) -> str:
        lines = [line for line in self.screen().splitlines() if line.strip()]
        return lines[-1] if lines else ""

    def focus_path_field(self) -> None:
        """Tab from "Choose a file…" to the path field, as a designer would, and look that it took: while
        a field has the focus the footer stops offering the letter keys ("o Choose file"). A Tab sent
        while the screen was still setting its first focus lands on the button instead (seen under
        load); the path typed next would then run the letter keys in it. So look, and Tab again."""
        for _ in range(3):
            self.keys("Tab")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if "Choose file" not in self.footer():
                    return
                time.sleep(0.2)
        raise AssertionError(f"the path field never took the focus; screen was:\n{self.screen()}")

    def wait_for(self, check: Callable[[str], bool], what: str, timeout: float = 60.0) -> str:
        """Poll the screen until ``check`` is true (a wait, not a timing assertion)."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if check(screen):
                # The frame is drawn; give the screen's on_mount (focus) a moment before typing.
                time.sleep(0.5)
                return screen
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}; screen was:\n{screen}")


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    socket = tmp_path / "tmux.sock"
    session = Tmux(socket, f"lp-{uuid.uuid4().hex[:8]}")
    yield session
    subprocess.run(["tmux", "-S", str(socket), "kill-server"], capture_output=True, check=False)


def test_practice_add_hero_and_submit_in_a_real_terminal(tmux: Tmux, tmp_path: Path) -> None:
    # Not the path field's placeholder name (summer-hero.jpg): waiting for the typed path must wait for typing.
    image = make_jpeg(tmp_path / "tea-banner-1920.jpg", (1920, 800))
    base = tmp_path / "practice"
    base.mkdir()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "LPUBLISH_LANG": "en",
        "LPUBLISH_HOME": os.environ["LPUBLISH_HOME"],
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        "BROWSER": "true",
    }
    command = [sys.executable, "-m", "lpublish", "practice", "--no-browser", "--base-dir", str(base)]
    tmux.run(
        "new-session",
        "-d",
        "-s",
        tmux.name,
        "-x",
        "100",
        "-y",
        "32",
        *[f"-e{key}={value}" for key, value in env.items()],
        " ".join(command),
    )
    tmux.wait_for(lambda s: "Signed in as designer" in s, "the home screen")
    tmux.keys("i")
    tmux.wait_for(lambda s: "Where does the image go?" in s, "the slot list")
    tmux.keys("Enter")
    tmux.wait_for(lambda s: "Needs: 1920x800" in s, "the hero slot screen")
    tmux.focus_path_field()
    tmux.keys(str(image), literal=True)
    tmux.wait_for(lambda s: image.name in s, "the typed path")
    tmux.keys("Enter")
    tmux.wait_for(lambda s: "1920x800 JPEG" in s, "the checked file")
    tmux.keys("A summer tea banner", literal=True)
    tmux.keys("C-s")
    tmux.wait_for(lambda s: "1 image(s) ready" in s, "the pending change on home")
    tmux.keys("u")
    tmux.wait_for(lambda s: "What will change" in s, "the review screen")
    tmux.keys("C-s")
    screen = tmux.wait_for(lambda s: "is open" in s, "the request result", timeout=90)

    info = json.loads(next(base.glob("lpublish-practice-*/practice.json")).read_text(encoding="utf-8"))
    request = urllib.request.Request(
        f"{info['api_url']}/repos/{info['repo']}/pulls?state=all",
        headers={"Authorization": f"token {info['token']}", "Accept": "application/vnd.github+json"},
    )
    pulls = json.loads(urllib.request.urlopen(request, timeout=10).read())
    assert len(pulls) == 1
    assert pulls[0]["title"] == "Replace Top page, main image"
    assert pulls[0]["html_url"] in screen
    tmux.keys("C-q")
    tmux.wait_for(lambda s: "is open" not in s, "the app to quit", timeout=30)


def _start(tmux: Tmux, env: dict[str, str], command: list[str], name: str) -> None:
    tmux.name = name
    tmux.run(
        "new-session",
        "-d",
        "-s",
        name,
        "-x",
        "100",
        "-y",
        "32",
        *[f"-e{key}={value}" for key, value in env.items()],
        # exec: the pane's process is lpublish itself, so kill -9 hits it and nothing else.
        "exec " + " ".join(command),
    )


def test_added_image_survives_kill_9(tmux: Tmux, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(Path(__file__).parent / "data" / "site", site)
    # Not the path field's placeholder name (summer-hero.jpg): waiting for the typed path must wait for typing.
    image = make_jpeg(tmp_path / "tea-banner-1920.jpg", (1920, 800))
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "LPUBLISH_LANG": "en",
        "LPUBLISH_HOME": os.environ["LPUBLISH_HOME"],
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        "BROWSER": "true",
    }
    command = [sys.executable, "-m", "lpublish", "tui", "--site", str(site)]
    _start(tmux, env, command, f"lp-{uuid.uuid4().hex[:8]}")
    tmux.wait_for(lambda s: "Nothing prepared yet" in s, "the home screen")
    tmux.keys("i")
    tmux.wait_for(lambda s: "Where does the image go?" in s, "the slot list")
    tmux.keys("Enter")
    tmux.wait_for(lambda s: "Needs: 1920x800" in s, "the hero slot screen")
    tmux.focus_path_field()
    tmux.keys(str(image), literal=True)
    tmux.wait_for(lambda s: image.name in s, "the typed path")
    tmux.keys("Enter")
    tmux.wait_for(lambda s: "1920x800 JPEG" in s, "the checked file")
    tmux.keys("A summer tea banner", literal=True)
    tmux.keys("C-s")
    tmux.wait_for(lambda s: "1 image(s) ready" in s, "the pending change on home")
    pid = int(tmux.run("display-message", "-p", "-t", tmux.name, "#{pane_pid}").strip())
    os.kill(pid, 9)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("lpublish did not stop after kill -9")

    _start(tmux, env, command, f"lp-{uuid.uuid4().hex[:8]}")
    tmux.wait_for(lambda s: "1 image(s) ready" in s, "the restored work on home")
    tmux.keys("u")
    screen = tmux.wait_for(lambda s: "What will change" in s, "the review screen")
    assert "A summer tea banner" in screen
    tmux.keys("C-q")
    tmux.wait_for(lambda s: "have not been sent yet" in s, "the question before quitting")
    tmux.keys("Tab", "Enter")  # from "No" to "Quit"
