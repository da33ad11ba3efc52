"""Content hashes of files and bytes: the one place lpublish computes them.

Owns: ``sha256_file`` (a file's SHA-256, hex), ``sha256_bytes`` and ``md5_file`` (the S3 ETag of a
single-part upload). Files are hashed with ``hashlib.file_digest``, which reads in large blocks and
releases the GIL, so hashing in threads uses every core.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_file(path: Path) -> str:
    """The hex SHA-256 of the file at ``path`` (``OSError`` when it cannot be read)."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def sha256_bytes(data: bytes) -> str:
    """The hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def md5_file(path: Path) -> str:
    """The hex MD5 of the file at ``path``: only to compare with an ETag, never for security."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, lambda: hashlib.md5(usedforsecurity=False)).hexdigest()
