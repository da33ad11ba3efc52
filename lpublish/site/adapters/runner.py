"""Running a generator's command: streamed output, a timeout, cancellation, and a clear failure.

Owns: ``run`` (one shell command in the site root, its merged stdout/stderr streamed line by line to a
callback and the last lines kept, killed with its whole process group on timeout or cancel) and
``missing_tool`` (which program a command needs that is not installed, checked before running so the
user gets an install hint instead of ``sh: 1: hugo: not found``). Must not import UI libraries.
"""

from __future__ import annotations

import logging
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lpublish.environment import Environment
from lpublish.errors import CancelledError

logger = logging.getLogger(__name__)

#: Exit status of ``sh`` when the program is not found.
NOT_FOUND = 127


@dataclass
class RunResult:
    """How a command ended: its exit status, its last output lines, and whether it was stopped."""

    command: str
    returncode: int
    tail: list[str] = field(default_factory=list)
    timed_out: bool = False
    seconds: float = 0.0


def shell_argv(command: str) -> list[str]:
    """The argv that runs ``command`` through the platform's shell (``sh -c`` like npm scripts do)."""
    if sys.platform == "win32":  # pragma: no cover - CI runs on Linux; kept so Windows users get a shell
        return ["cmd", "/d", "/s", "/c", command]
    return ["/bin/sh", "-c", command]


def environment(extra: dict[str, str], env: Environment) -> dict[str, str]:
    """``env`` plus the site's ``[build] env`` for the generator (no colour codes in the captured log)."""
    quiet = {"NO_COLOR": "1", "FORCE_COLOR": "0", "CI": ""}
    defaults = {name: value for name, value in quiet.items() if name not in env.values}
    return env.for_child(**{**defaults, **extra})


def kill(process: subprocess.Popen[bytes]) -> None:
    try:
        if sys.platform == "win32":  # pragma: no cover
            process.kill()
        else:
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
            return
        except subprocess.TimeoutExpired:
            pass
        if sys.platform != "win32":
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except (ProcessLookupError, PermissionError, subprocess.TimeoutExpired):
        pass


def run(
    command: str,
    *,
    cwd: Path,
    env: dict[str, str],
    timeout: float,
    on_line: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
    keep: int = 30,
) -> RunResult:
    """Run ``command`` in ``cwd``; every output line goes to ``on_line`` as it arrives.

    Raises ``CancelledError`` when ``cancel`` is set (the process group is stopped first). A timeout
    stops it too and is reported in the result (``timed_out``), like a failure.
    """
    started = time.monotonic()
    tail: deque[str] = deque(maxlen=keep)
    logger.info("running %s in %s", command, cwd)
    process = subprocess.Popen(
        shell_argv(command),
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=sys.platform != "win32",
    )

    def pump() -> None:
        assert process.stdout is not None
        for raw in iter(process.stdout.readline, b""):
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            tail.append(line)
            if on_line is not None:
                try:
                    on_line(line)
                except Exception:  # a front end's printing problem must not kill the build
                    logger.exception("output callback failed")
        process.stdout.close()

    reader = threading.Thread(target=pump, name="lpublish-generator-output", daemon=True)
    reader.start()
    timed_out = False
    deadline = started + timeout
    try:
        while process.poll() is None:
            if cancel is not None and cancel.is_set():
                kill(process)
                raise CancelledError()
            if time.monotonic() > deadline:
                timed_out = True
                kill(process)
                break
            time.sleep(0.05)
    except BaseException:
        if process.poll() is None:
            kill(process)
        raise
    finally:
        reader.join(timeout=5)
    return RunResult(
        command=command,
        returncode=process.returncode if process.returncode is not None else -1,
        tail=list(tail),
        timed_out=timed_out,
        seconds=time.monotonic() - started,
    )


def _words(command: str) -> list[str]:
    try:
        words = shlex.split(command)
    except ValueError:
        return command.split()
    # Leading ``NAME=value`` words set the environment, they are not the program.
    while words and "=" in words[0] and not words[0].startswith(("/", ".", "=")):
        words.pop(0)
    return words


def program(command: str) -> str:
    """The program a shell command starts (``JEKYLL_ENV=production bundle exec jekyll`` -> ``bundle``)."""
    words = _words(command.split("&&")[0])
    return words[0] if words else ""


def npx_bin(command: str) -> str:
    """For ``npx [opts] pkg ...``: the executable name npx runs from ``node_modules/.bin``."""
    words = _words(command.split("&&")[0])
    if not words or words[0] != "npx":
        return ""
    for word in words[1:]:
        if word.startswith("-"):
            continue
        return word.rsplit("/", 1)[-1].split("@", 1)[0] if word.startswith("@") else word.split("@", 1)[0]
    return ""


def missing_tool(command: str, *, cwd: Path, env: dict[str, str]) -> str:
    """The program ``command`` needs that cannot be found on ``PATH`` (empty when it is there)."""
    name = program(command)
    if not name or name in ("cd", "test", "[", "true", "echo", "exit"):
        return ""
    if "/" in name:
        return "" if (cwd / name).exists() or Path(name).exists() else name
    return "" if shutil.which(name, path=env.get("PATH")) else name
