"""A real keyring backend that keeps passwords in one JSON file, shared by processes (tests only).

Selected with ``PYTHON_KEYRING_BACKEND=tests.publish.filekeyring.FileKeyring`` and
``LPUBLISH_TEST_KEYRING_FILE``; writes are atomic (``os.replace``) so concurrent readers never see half a
file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class FileKeyring(KeyringBackend):
    priority = 1

    @property
    def _file(self) -> Path:
        return Path(os.environ["LPUBLISH_TEST_KEYRING_FILE"])

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self._file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return dict(data)

    def _write(self, data: dict[str, str]) -> None:
        tmp = self._file.with_name(f".{self._file.name}.{os.getpid()}")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, self._file)

    def get_password(self, service: str, username: str) -> str | None:
        return self._read().get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._read()
        data[f"{service}\n{username}"] = password
        self._write(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._read()
        if data.pop(f"{service}\n{username}", None) is None:
            raise PasswordDeleteError("not found")
        self._write(data)
