"""Fixtures for deploy tests: a small generated site to deploy (helpers in ``tests.plugins.deploy_targets``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.plugins.deploy_targets import basic_site


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    return basic_site(tmp_path / "dist")
