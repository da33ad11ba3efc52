"""The workflow steps that install a site's own toolchain before ``lpublish build``.

Owns: ``toolchain_steps(detection, site_dir)``: ``actions/setup-node`` with the package manager's cache
and a clean install (``npm ci``) for Node sites, Hugo extended at the site's version, Ruby with Bundler
(and its gem cache) for Jekyll; nothing for lpublish's generator and static sites. The text is YAML at
the indentation of a job's ``steps:`` list. Must not import UI libraries.
"""

from __future__ import annotations

from lpublish.site.adapters.detect import Detection

INDENT = "      "


def _working_dir(site_dir: str) -> str:
    return site_dir.strip("/") or "."


def _cache_path(site_dir: str, name: str) -> str:
    site = site_dir.strip("/")
    return name if site in ("", ".") else f"{site}/{name}"


def toolchain_steps(detection: Detection, site_dir: str) -> str:
    """YAML for the toolchain steps (empty when the site needs none)."""
    lines: list[str] = []
    workdir = _working_dir(site_dir)
    if detection.node:
        lock = {"npm": "package-lock.json", "yarn": "yarn.lock", "pnpm": "pnpm-lock.yaml"}[
            detection.package_manager
        ]
        if detection.package_manager == "pnpm":
            lines += [f"{INDENT}- uses: pnpm/action-setup@v4"]
        lines += [
            f"{INDENT}- uses: actions/setup-node@v6",
            f"{INDENT}  with:",
        ]
        if detection.node_version_file:
            lines.append(
                f'{INDENT}    node-version-file: "{_cache_path(site_dir, detection.node_version_file)}"'
            )
        else:
            lines.append(f'{INDENT}    node-version: "{detection.node_version or "22"}"')
        lines += [
            f"{INDENT}    cache: {detection.package_manager}",
            f'{INDENT}    cache-dependency-path: "{_cache_path(site_dir, lock)}"',
            f"{INDENT}- name: Install the site's packages",
            f'{INDENT}  working-directory: "{workdir}"',
            f"{INDENT}  run: {detection.install or 'npm ci'}",
        ]
    if detection.preset == "hugo":
        lines += [
            f"{INDENT}- name: Install Hugo (extended)",
            f"{INDENT}  uses: peaceiris/actions-hugo@v3",
            f"{INDENT}  with:",
            f'{INDENT}    hugo-version: "{detection.hugo_version or "latest"}"',
            f"{INDENT}    extended: true",
        ]
    if detection.preset == "jekyll":
        lines += [
            f"{INDENT}- name: Install Ruby and the site's gems",
            f"{INDENT}  uses: ruby/setup-ruby@v1",
            f"{INDENT}  with:",
            f'{INDENT}    ruby-version: "{detection.ruby_version or "3.3"}"',
            f"{INDENT}    bundler-cache: {'true' if detection.uses_bundler else 'false'}",
            f'{INDENT}    working-directory: "{workdir}"',
        ]
        if not detection.uses_bundler:
            lines += [
                f"{INDENT}- name: Install Jekyll",
                f"{INDENT}  run: gem install jekyll jekyll-feed jekyll-seo-tag",
            ]
    return "\n".join(lines) + ("\n" if lines else "")
