#!/usr/bin/env bash
# Installs what the services tests need: git-lfs, and GitHub's OpenAPI description (npm @octokit/openapi, pinned by tests/openapi/package-lock.json)
# into a cache outside the repository, keyed by the lockfile. tests/publish/test_openapi.py validates
# every local forge response against it. Prints the cache folder.
set -euo pipefail
cd "$(dirname "$0")/.."
# The LFS tests (tests/publish/test_lfs.py) need git-lfs too.
if ! command -v git-lfs >/dev/null; then
  # (.ci/run installs it with the other Debian packages; this covers running the script on its own.)
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd=sudo
  $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq git-lfs >/dev/null
fi
cache="${LPUBLISH_OPENAPI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lpublish/openapi}"
key="$(sha256sum tests/openapi/package-lock.json | cut -c1-16)"
dest="$cache/$key"
if [ ! -f "$dest/node_modules/@octokit/openapi/generated/api.github.com.json" ]; then
  mkdir -p "$dest"
  cp tests/openapi/package.json tests/openapi/package-lock.json "$dest/"
  (cd "$dest" && npm ci --ignore-scripts --no-audit --no-fund --silent)
fi
echo "$dest"
