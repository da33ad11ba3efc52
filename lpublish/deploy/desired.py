"""What the target should hold after a deploy: the build's files with their headers and encoding.

Owns: ``desired_from_walk`` (hash the walked build, apply ``[[headers]]`` and the site's
``_headers`` rules, choose precompression for compressible files) and ``compress`` (deterministic gzip,
or Brotli when it is installed). Must not import UI libraries.
"""

from __future__ import annotations

import gzip
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from lpublish.deploy.headers import compressible, headers_for, read_headers_file, with_encoding
from lpublish.deploy.manifest import Walked, local_files
from lpublish.deploy.options import DeployOptions
from lpublish.deploy.plan import Desired
from lpublish.deploy.target import Target

if TYPE_CHECKING:
    from lpublish.config.sections import HeaderRule

logger = logging.getLogger(__name__)

#: Files smaller than this are not worth precompressing.
PRECOMPRESS_MIN_BYTES = 256


def _encoding_for(options: DeployOptions, target: Target) -> str | None:
    if not target.supports_encoding:
        return None
    for name in options.precompress:
        if name == "gzip":
            return "gzip"
        if name == "br":
            try:
                import brotli  # type: ignore[import-not-found]  # noqa: F401
            except ImportError:
                continue
            return "br"
    return None


def compress(data: bytes, encoding: str) -> bytes:
    if encoding == "br":
        import brotli

        return bytes(brotli.compress(data, quality=11))
    # mtime=0 keeps the bytes identical for identical input (deterministic uploads and ETags).
    return gzip.compress(data, compresslevel=9, mtime=0)


def desired_from_walk(
    source: Path, walked: Walked, rules: list[HeaderRule], options: DeployOptions, target: Target
) -> dict[str, Desired]:
    """What ``target`` should hold for the files ``walked`` under ``source``
    (``lpublish.deploy.manifest.walk_build``)."""
    local = local_files(source, walked)
    encoding = _encoding_for(options, target)
    site_rules = read_headers_file(source)  # the site's own _headers file (never uploaded: excluded)
    logger.info(
        "%d files to deploy from %s (%d header rules, %d from _headers, precompression: %s)",
        len(local),
        source,
        len(rules),
        len(site_rules),
        encoding or "none",
    )
    desired: dict[str, Desired] = {}
    for path, item in local.items():
        headers = headers_for(path, rules, site_rules=site_rules)
        if encoding and item.size >= PRECOMPRESS_MIN_BYTES and compressible(headers):
            headers = with_encoding(headers, encoding)
        desired[path] = Desired(path, item.sha256, item.size, headers, item.source)
    return desired
