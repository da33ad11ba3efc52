"""The ``command`` adapter: the site's own generator (Hugo, Jekyll, Eleventy, Astro, Vite, Next export ...).

Owns: ``CommandAdapter``. A build checks the generator is installed (else ``ConfigError`` with an install
hint, exit 2), runs ``install`` when its marker folder (``node_modules``) is missing, empties the output
folder when git does not track it (generators such as Hugo and Eleventy leave stale pages behind),
runs ``command`` with its output streamed (``ProgressEvent("adapters.progress.output", detail=line)``),
a timeout, and on failure raises ``ContentError`` naming the command with its last lines (exit 1). Then
it checks the output folder exists and holds files, lists pages, writes the build manifest, and copies the
output into ``--out DIR`` when one is given. Must not import UI libraries.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
import time
from datetime import datetime
from pathlib import Path

from lpublish.errors import ConfigError, ContentError
from lpublish.findings import warning
from lpublish.i18n import t
from lpublish.progress import ProgressCallback, ProgressEvent, check_cancel, no_progress
from lpublish.site.adapters import runner
from lpublish.site.adapters.base import (
    TAIL_LINES,
    AdapterBuildResult,
    DevServer,
    SiteAdapter,
    check_out_target,
    copy_output,
    list_files,
    scan_pages,
    write_manifest,
)
from lpublish.site.own_files import own_files_in

logger = logging.getLogger(__name__)

#: Install hints by program (catalog keys ``adapters.hint.<program>``; others get the generic hint).
#: Folders generators write while building or serving (a change there never needs a rebuild).
GENERATOR_CACHES = (
    ".astro",
    ".jekyll-cache",
    ".sass-cache",
    "resources/_gen",
    ".next",
    ".cache",
    ".hugo_build.lock",
)
HINTED = ("hugo", "jekyll", "bundle", "npm", "npx", "node", "yarn", "pnpm", "ruby")


def install_hint(program: str) -> str:
    key = f"adapters.hint.{program}" if program in HINTED else "adapters.hint.other"
    return t(key, program=program)


class CommandAdapter(SiteAdapter):
    name = "command"

    def output_dir(self) -> Path:
        return self.config.site_path(self.config.build.output)

    def _protected(self) -> list[Path]:
        root = self.root.resolve()
        dirs = [root / d for d in self.config.build.public_dirs if d not in ("", ".")]
        return [d.resolve() for d in dirs]

    def _check_output_setting(self) -> Path:
        out = self.output_dir().resolve()
        root = self.root.resolve()
        if (
            out == root
            or not out.is_relative_to(root)
            or any(out == p or out.is_relative_to(p) or p.is_relative_to(out) for p in self._protected())
        ):
            raise ConfigError("adapters.output_is_source", output=self.config.build.output)
        return out

    def env(self) -> dict[str, str]:
        return runner.environment(self.config.build.env, self.environment)

    def _require(self, command: str, env: dict[str, str]) -> None:
        missing = runner.missing_tool(command, cwd=self.root, env=env)
        if missing:
            raise ConfigError(
                "adapters.missing_tool", command=command, tool=missing, install=install_hint(missing)
            )

    def _needs_install(self) -> bool:
        build = self.config.build
        marker = build.install_marker
        return bool(build.install.strip()) and bool(marker) and not (self.root / marker).exists()

    def _node_bin_missing(self, command: str) -> str:
        """For ``npx tool``: the tool when ``node_modules/.bin/tool`` is absent (npx would download it)."""
        tool = runner.npx_bin(command)
        if tool and not (self.root / "node_modules" / ".bin" / tool).exists():
            return tool
        return ""

    def _run(
        self,
        command: str,
        env: dict[str, str],
        progress: ProgressCallback,
        cancel: threading.Event | None,
        key: str,
    ) -> runner.RunResult:
        progress(ProgressEvent(key, detail=command))
        result = runner.run(
            command,
            cwd=self.root,
            env=env,
            timeout=self.config.build.timeout_seconds,
            on_line=lambda line: progress(ProgressEvent("adapters.progress.output", detail=line)),
            cancel=cancel,
            keep=TAIL_LINES,
        )
        if result.timed_out:
            raise ContentError(
                "adapters.timeout",
                command=command,
                seconds=int(self.config.build.timeout_seconds),
                details=result.tail[-15:],
            )
        if result.returncode == runner.NOT_FOUND:
            raise ConfigError("adapters.not_found_while_running", command=command, details=result.tail[-15:])
        if result.returncode != 0:
            raise ContentError(
                "adapters.build_failed", command=command, code=result.returncode, details=result.tail[-15:]
            )
        return result

    def install(
        self, *, progress: ProgressCallback = no_progress, cancel: threading.Event | None = None
    ) -> runner.RunResult | None:
        """Run ``[build] install`` (e.g. ``npm ci``); ``None`` when there is none."""
        command = self.config.build.install.strip()
        if not command:
            return None
        env = self.env()
        self._require(command, env)
        try:
            return self._run(command, env, progress, cancel, "adapters.progress.install")
        except ContentError as exc:
            raise ContentError("adapters.install_failed", command=command, details=exc.details) from None

    def _clear_output(self, out: Path) -> None:
        """Empty the output folder before a build unless git tracks files in it (then leave it alone)."""
        if not out.is_dir():
            return
        try:
            tracked = subprocess.run(
                ["git", "-C", str(self.root), "ls-files", "--", str(out.relative_to(self.root.resolve()))],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
            if tracked.returncode == 0 and tracked.stdout.strip():
                logger.info("output folder %s is tracked by git: not emptied", out)
                return
        except (OSError, subprocess.SubprocessError):
            return
        for child in out.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)

    def build(
        self,
        out: Path | None = None,
        *,
        progress: ProgressCallback = no_progress,
        cancel: threading.Event | None = None,
        now: datetime | None = None,
        preview: bool = False,
        install: bool = False,
    ) -> AdapterBuildResult:
        started = time.monotonic()
        build = self.config.build
        command = build.command.strip()
        output = self._check_output_setting()
        target = (
            check_out_target(self.config, out, protect=[output, *self._protected()])
            if out is not None
            else None
        )
        env = self.env()
        self._require(command, env)
        installed = False
        if install or self._needs_install():
            self.install(progress=progress, cancel=cancel)
            installed = True
        missing_bin = self._node_bin_missing(command)
        if missing_bin:
            raise ConfigError(
                "adapters.missing_tool", command=command, tool=missing_bin, install=install_hint("npx")
            )
        check_cancel(cancel)
        self._clear_output(output)
        result = self._run(command, env, progress, cancel, "adapters.progress.command")
        check_cancel(cancel)
        exclude = self.publish_exclude()
        if not output.is_dir():
            raise ContentError(
                "adapters.no_output", command=command, output=build.output, details=result.tail[-10:]
            )
        all_files = list_files(output, [])
        files = list_files(output, exclude)
        if not files:
            raise ContentError(
                "adapters.empty_output", command=command, output=build.output, details=result.tail[-10:]
            )
        findings = []
        leaked = own_files_in(all_files)
        if leaked:
            findings.append(
                warning(
                    "build.own-files-in-output", build.output, count=len(leaked), files=", ".join(leaked[:5])
                )
            )
        final = output
        if target is not None:
            progress(ProgressEvent("adapters.progress.copy", detail=str(target)))
            copy_output(output, target, files)
            final = target
        write_manifest(final, files)
        return AdapterBuildResult(
            adapter=self.name,
            out_dir=final,
            files=files,
            pages=scan_pages(final, files),
            findings=findings,
            command=command,
            log_tail=result.tail,
            installed=installed,
            seconds=time.monotonic() - started,
            generator_seconds=result.seconds,
        )

    def dev_server(self, port: int) -> DevServer | None:
        build = self.config.build
        if not build.dev_command.strip():
            return None
        return DevServer(
            command=build.dev_command.replace("{port}", str(port)),
            url=build.dev_url.replace("{port}", str(port)),
            cwd=self.root,
            env=self.env(),
        )

    def watch_ignored(self) -> list[Path]:
        return [*super().watch_ignored(), *(self.root / name for name in GENERATOR_CACHES)]
