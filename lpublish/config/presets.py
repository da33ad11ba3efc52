"""Build presets: the defaults each known generator fills into ``[build]``.

Owns: ``PRESETS`` (one ``Preset`` per generator lpublish knows) and ``LPUBLISH_DEFAULTS`` (the values for
lpublish's own generator). A preset only fills keys the config leaves out; every value can be
overridden in ``lpublish.toml``. Lives in the config layer because ``BuildSection`` resolves presets at
load time; the site adapters (``lpublish.site.adapters``) read the resolved values. Must not import UI
libraries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

AdapterName = Literal["lpublish", "command", "static"]
PresetName = Literal["hugo", "jekyll", "eleventy", "astro", "next-export", "vite", "html", ""]

#: Never the site's own pages, whatever the generator (dependencies, VCS, lpublish's caches).
COMMON_IGNORE = ["node_modules/**", ".git/**", ".github/**", ".lpublish-cache/**", "vendor/**"]


@dataclass(frozen=True)
class Preset:
    """Defaults for one generator. ``marker`` is the folder whose absence means ``install`` must run."""

    adapter: AdapterName
    command: str = ""
    output: str = ""
    install: str = ""
    dev_command: str = ""
    dev_url: str = ""
    public_dirs: list[str] = field(default_factory=list)
    source_ignore: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    marker: str = ""


_DEV_URL = "http://127.0.0.1:{port}/"

PRESETS: dict[str, Preset] = {
    "hugo": Preset(
        adapter="command",
        command="hugo",
        output="public",
        dev_command="hugo server --bind 127.0.0.1 --port {port} --baseURL http://127.0.0.1:{port}/ --appendPort=false",
        dev_url=_DEV_URL,
        public_dirs=["static"],
        source_ignore=["themes/**", "public/**", "resources/**", *COMMON_IGNORE],
    ),
    "jekyll": Preset(
        adapter="command",
        command="jekyll build",
        output="_site",
        dev_command="jekyll serve --host 127.0.0.1 --port {port}",
        dev_url=_DEV_URL,
        public_dirs=["."],
        source_ignore=["_site/**", ".jekyll-cache/**", ".sass-cache/**", *COMMON_IGNORE],
    ),
    "eleventy": Preset(
        adapter="command",
        command="npx @11ty/eleventy",
        output="_site",
        install="npm ci",
        dev_command="npx @11ty/eleventy --serve --port={port}",
        dev_url="http://localhost:{port}/",
        public_dirs=["public"],
        source_ignore=["_site/**", *COMMON_IGNORE],
        marker="node_modules",
    ),
    "astro": Preset(
        adapter="command",
        command="npx astro build",
        output="dist",
        install="npm ci",
        dev_command="npx astro dev --host 127.0.0.1 --port {port}",
        dev_url=_DEV_URL,
        public_dirs=["public"],
        source_ignore=["dist/**", ".astro/**", *COMMON_IGNORE],
        env={"ASTRO_TELEMETRY_DISABLED": "1"},
        marker="node_modules",
    ),
    "vite": Preset(
        adapter="command",
        command="npx vite build",
        output="dist",
        install="npm ci",
        dev_command="npx vite --host 127.0.0.1 --port {port} --strictPort",
        dev_url=_DEV_URL,
        public_dirs=["public"],
        source_ignore=["dist/**", *COMMON_IGNORE],
        marker="node_modules",
    ),
    "next-export": Preset(
        adapter="command",
        command="npx next build",
        output="out",
        install="npm ci",
        dev_command="npx next dev --hostname 127.0.0.1 --port {port}",
        dev_url=_DEV_URL,
        public_dirs=["public"],
        source_ignore=["out/**", ".next/**", *COMMON_IGNORE],
        env={"NEXT_TELEMETRY_DISABLED": "1"},
        marker="node_modules",
    ),
    "html": Preset(
        adapter="static",
        public_dirs=["."],
        source_ignore=[*COMMON_IGNORE],
    ),
}

#: ``adapter = "static"`` without a preset.
STATIC_DEFAULTS = Preset(adapter="static", public_dirs=["."], source_ignore=[*COMMON_IGNORE])
#: lpublish's own generator (its pages name site paths, so the site root is the lookup folder).
LPUBLISH_DEFAULTS = Preset(adapter="lpublish", public_dirs=["."], source_ignore=["dist/**", *COMMON_IGNORE])
#: ``adapter = "command"`` without a preset.
COMMAND_DEFAULTS = Preset(adapter="command", source_ignore=[*COMMON_IGNORE])
