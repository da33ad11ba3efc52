"""Which generator builds a site, read from the repository's own files (for ``lpublish init``).

Owns: ``detect(root) -> Detection``: the preset, adapter, build/install command, output folder, the
generator's input folder, the toolchain versions the workflows install (Node, Hugo extended, Ruby), and
the reasons (shown by ``init``). Reads files only: never runs the generator, never reaches the network.
Rules, first match wins: Hugo config, Jekyll config or Gemfile, ``package.json`` dependencies (Astro,
Eleventy, Next, Vite, or any ``build`` script), lpublish's own layout (``templates/`` + ``pages/``), an
``index.html`` (static). Must not import UI libraries.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lpublish.config.presets import PRESETS

HUGO_CONFIGS = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json", "config.toml", "config.yaml", "config.yml")
JEKYLL_CONFIGS = ("_config.yml", "_config.yaml")
ELEVENTY_CONFIGS = (
    "eleventy.config.js",
    "eleventy.config.mjs",
    "eleventy.config.cjs",
    ".eleventy.js",
    ".eleventy.cjs",
)
STATIC_FOLDERS = (".", "public", "docs", "site", "src", "www", "html")
DEFAULT_NODE = "22"


@dataclass
class Detection:
    """What ``init`` writes into ``[build]`` and what the workflows install."""

    preset: str
    adapter: str
    command: str = ""
    output: str = ""
    install: str = ""
    #: ``static``: the folder published.
    source: str = "."
    #: The folder the generator reads pages from (Eleventy ``input``, Jekyll source), "." for the root.
    input_dir: str = "."
    #: The generator's own config file (where its exclude list lives), relative to the site root.
    config_file: str = ""
    package_manager: str = ""
    #: ``actions/setup-node``: a version (``22``, ``>=18``) or, with ``node_version_file``, none.
    node_version: str = ""
    node_version_file: str = ""
    hugo_version: str = ""
    ruby_version: str = ""
    uses_bundler: bool = False
    reasons: list[str] = field(default_factory=list)

    @property
    def node(self) -> bool:
        return bool(self.package_manager)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _load_data(path: Path) -> dict[str, Any]:
    text = _read(path)
    if not text:
        return {}
    try:
        if path.suffix == ".toml":
            data: Any = tomllib.loads(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            data = yaml.safe_load(text)
    except (ValueError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def _first(root: Path, names: tuple[str, ...]) -> Path | None:
    return next((root / n for n in names if (root / n).is_file()), None)


def _js_string(text: str, key: str) -> str:
    """The string value of ``key: "..."`` in a JS config (the common literal form only)."""
    match = re.search(rf"""\b{key}\s*:\s*["'`]([^"'`]+)["'`]""", text)
    return match.group(1).strip().strip("/").removeprefix("./") if match else ""


def _hugo(root: Path, config: Path) -> Detection:
    data = _load_data(config)
    output = str(data.get("publishDir") or data.get("publishdir") or "public").strip("/") or "public"
    version = ""
    module = data.get("module")
    if isinstance(module, dict) and isinstance(module.get("hugoVersion"), dict):
        version = str(module["hugoVersion"].get("min") or "")
    netlify = _load_data(root / "netlify.toml")
    env = (netlify.get("build") or {}).get("environment") if isinstance(netlify.get("build"), dict) else None
    if not version and isinstance(env, dict) and env.get("HUGO_VERSION"):
        version = str(env["HUGO_VERSION"])
    for name in (".hugo-version", ".hugoversion"):
        if not version and (root / name).is_file():
            version = _read(root / name).strip()
    return Detection(
        preset="hugo",
        adapter="command",
        command="hugo",
        output=output,
        config_file=config.name,
        hugo_version=version.lstrip("v") or "latest",
        reasons=[f"{config.name} (Hugo)"],
    )


def _jekyll(root: Path, config: Path | None) -> Detection:
    data = _load_data(config) if config else {}
    gemfile = (root / "Gemfile").is_file()
    ruby = _read(root / ".ruby-version").strip() or "3.3"
    source = str(data.get("source") or ".").strip("/") or "."
    return Detection(
        preset="jekyll",
        adapter="command",
        # Through Bundler when there is a Gemfile, as the site's own README tells people to run it.
        command="bundle exec jekyll build" if gemfile else "jekyll build",
        output=str(data.get("destination") or "_site").strip("/") or "_site",
        input_dir=source,
        config_file=config.name if config else "",
        ruby_version=ruby,
        uses_bundler=gemfile,
        reasons=[f"{config.name if config else 'Gemfile'} (Jekyll)"],
    )


def _node_version(root: Path, package: dict[str, Any]) -> tuple[str, str]:
    for name in (".nvmrc", ".node-version"):
        if (root / name).is_file():
            return "", name
    engines = package.get("engines")
    if isinstance(engines, dict) and isinstance(engines.get("node"), str):
        return engines["node"], ""
    return DEFAULT_NODE, ""


def _package_manager(root: Path) -> tuple[str, str]:
    if (root / "pnpm-lock.yaml").is_file():
        return "pnpm", "pnpm install --frozen-lockfile"
    if (root / "yarn.lock").is_file():
        return "yarn", "yarn install --frozen-lockfile"
    if (root / "package-lock.json").is_file():
        return "npm", "npm ci"
    return "npm", "npm install"


def _node(root: Path, package: dict[str, Any]) -> Detection | None:
    deps: dict[str, Any] = {}
    for key in ("dependencies", "devDependencies"):
        if isinstance(package.get(key), dict):
            deps.update(package[key])
    raw_scripts = package.get("scripts")
    scripts: dict[str, Any] = raw_scripts if isinstance(raw_scripts, dict) else {}
    build_script = str(scripts.get("build") or "")
    manager, install = _package_manager(root)
    node_version, node_file = _node_version(root, package)
    preset, output, input_dir, config_file = "", "", ".", ""
    if "astro" in deps:
        preset = "astro"
        cfg = _first(root, ("astro.config.mjs", "astro.config.ts", "astro.config.js", "astro.config.mts"))
        output = (_js_string(_read(cfg), "outDir") if cfg else "") or "dist"
        config_file = cfg.name if cfg else ""
    elif "@11ty/eleventy" in deps:
        preset = "eleventy"
        cfg = _first(root, ELEVENTY_CONFIGS)
        text = _read(cfg) if cfg else ""
        output = _js_string(text, "output") or "_site"
        input_dir = _js_string(text, "input") or "."
        config_file = cfg.name if cfg else ""
    elif "next" in deps:
        preset = "next-export"
        cfg = _first(root, ("next.config.js", "next.config.mjs", "next.config.ts"))
        output = (_js_string(_read(cfg), "distDir") if cfg else "") or "out"
        config_file = cfg.name if cfg else ""
    elif "vite" in deps:
        preset = "vite"
        cfg = _first(root, ("vite.config.js", "vite.config.mjs", "vite.config.ts", "vite.config.mts"))
        output = (_js_string(_read(cfg), "outDir") if cfg else "") or "dist"
        config_file = cfg.name if cfg else ""
    elif build_script:
        # Some other npm build (a Bootstrap landing page, a bundler): run it, publish what it writes.
        folder = re.search(r"\b(dist|build|out|_site|docs|public)\b", build_script)
        output = folder.group(1) if folder else "dist"
    else:
        return None
    run = {"npm": "npm run build", "yarn": "yarn build", "pnpm": "pnpm run build"}[manager]
    command = run if build_script else PRESETS[preset].command if preset else run
    return Detection(
        preset=preset,
        adapter="command",
        command=command,
        output=output,
        install=install,
        input_dir=input_dir,
        config_file=config_file,
        package_manager=manager,
        node_version=node_version,
        node_version_file=node_file,
        reasons=[f"package.json ({preset or 'build script'})"],
    )


def detect(root: Path) -> Detection:
    """The generator of the site in ``root`` (a static site when none is found)."""
    hugo = _first(root, HUGO_CONFIGS)
    if hugo is not None and (
        hugo.name.startswith("hugo.")
        or any((root / d).is_dir() for d in ("archetypes", "layouts", "themes"))
        or "baseURL" in _read(hugo)
    ):
        return _hugo(root, hugo)
    jekyll = _first(root, JEKYLL_CONFIGS)
    if jekyll is not None or "jekyll" in _read(root / "Gemfile"):
        return _jekyll(root, jekyll)
    package = _load_data(root / "package.json")
    if package:
        found = _node(root, package)
        if found is not None:
            return found
    if (root / "templates").is_dir() and (root / "pages").is_dir():
        return Detection(
            preset="", adapter="lpublish", reasons=["templates/ + pages/ (lpublish's generator)"]
        )
    for folder in STATIC_FOLDERS:
        if (root / folder / "index.html").is_file():
            return Detection(preset="html", adapter="static", source=folder, reasons=[f"{folder}/index.html"])
    return Detection(preset="html", adapter="static", source=".", reasons=[])
