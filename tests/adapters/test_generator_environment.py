"""The generator runs in the environment the front end hands the adapter, plus the site's ``[build] env``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lpublish.config import load_config
from lpublish.environment import Environment
from lpublish.site.adapters import adapter_for
from lpublish.site.adapters.runner import environment

CONFIG = """\
[site]
name = "Env test"
base_url = "https://www.example.test/"

[build]
adapter = "command"
command = "mkdir -p out && printf '%s|%s|%s|%s' \\"$GREETING\\" \\"$NO_COLOR\\" \\"$SITE_SETTING\\" \\"${HOME_ONLY:-unset}\\" > out/index.html"
output = "out"
env = { SITE_SETTING = "from-toml" }
"""


def test_child_environment_is_the_given_one_plus_quiet_defaults_and_the_sites_env() -> None:
    given = Environment({"PATH": "/usr/bin", "NO_COLOR": "0"})
    child = environment({"SITE_SETTING": "x"}, given)
    # the caller's own choice wins over lpublish's default; nothing leaks in from os.environ
    assert child == {"PATH": "/usr/bin", "NO_COLOR": "0", "FORCE_COLOR": "0", "CI": "", "SITE_SETTING": "x"}


def test_command_build_sees_the_adapters_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "lpublish.toml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "index.src").write_text("source", encoding="utf-8")
    # Set in this process but not in the Environment given: the generator must not see it.
    monkeypatch.setenv("HOME_ONLY", "in-this-process")
    env = Environment({"PATH": os.environ["PATH"], "GREETING": "hello"})
    result = adapter_for(load_config(site=tmp_path), env).build()
    assert result.files == ["index.html"]
    assert (tmp_path / "out" / "index.html").read_text(encoding="utf-8") == "hello|1|from-toml|unset"
