"""Fixtures for the adapters tests: fixture sites in fresh git repositories, the CLI entry point."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest


def fetch(url: str, host: str | None = None) -> tuple[int, str, dict[str, str]]:
    """GET ``url`` (optionally with another ``Host`` header); status, body, headers (errors included)."""
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace"), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace"), dict(exc.headers)


@pytest.fixture(autouse=True)
def _quiet_generators(monkeypatch: pytest.MonkeyPatch) -> None:
    # Astro and Next ask to send telemetry on first run; never from tests.
    monkeypatch.setenv("ASTRO_TELEMETRY_DISABLED", "1")
    monkeypatch.setenv("NEXT_TELEMETRY_DISABLED", "1")


FIXTURE_NAMES = ["html", "hugo", "jekyll", "eleventy", "astro"]


def site_path(tmp_path: Path, name: str) -> Path:
    return tmp_path / name
