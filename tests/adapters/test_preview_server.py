"""The preview server's own safety (issue 13, item 8) and rebuild-on-change for a generator's site."""

from __future__ import annotations

import http.server
import threading
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lpublish.config import load_config
from lpublish.media_types import content_type_for
from lpublish.site.preview import PreviewServer, handler_for
from tests.adapters.conftest import fetch


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, int, Path]]:
    root = tmp_path / "out"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<h1>home</h1>", encoding="utf-8")
    (root / "assets/app.css").write_text("body{}", encoding="utf-8")
    (root / "404.html").write_text("<h1>custom not found</h1>", encoding="utf-8")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret", encoding="utf-8")
    (root / "leak.txt").symlink_to(outside)
    (root / "leakdir").symlink_to(tmp_path, target_is_directory=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler_for(root, 0))
    port = server.server_address[1]
    server.RequestHandlerClass = handler_for(root, port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/", port, root
    finally:
        server.shutdown()
        server.server_close()


def test_only_loopback_hosts_with_the_port_are_answered(served: tuple[str, int, Path]) -> None:
    url, port, _ = served
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"):
        assert fetch(url, host=host)[0] == 200
    for host in (
        "evil.example",
        f"evil.example:{port}",
        "127.0.0.1",
        f"localhost:{port + 1}",
        f"127.0.0.1.nip.io:{port}",
    ):
        status, body, _ = fetch(url, host=host)
        assert status == 421 and "home" not in body


def test_folders_are_never_listed(served: tuple[str, int, Path]) -> None:
    url, _, _ = served
    status, body, _ = fetch(url + "assets/")
    assert status == 404 and "app.css" not in body and "custom not found" in body
    assert fetch(url + "assets/app.css")[0] == 200


def test_symlinks_leading_out_of_the_folder_are_not_followed(served: tuple[str, int, Path]) -> None:
    url, _, _ = served
    for path in ("leak.txt", "leakdir/secret.txt", "leakdir/"):
        status, body, _ = fetch(url + path)
        assert status == 404 and "secret" not in body
    status, body, _ = fetch(url + "../secret.txt")
    assert "secret" not in body


def test_pictures_are_served_with_the_types_the_deploy_gives_them(served: tuple[str, int, Path]) -> None:
    url, _, root = served
    expected = {
        "hero.avif": "image/avif",
        "hero.webp": "image/webp",
        "favicon.ico": "image/vnd.microsoft.icon",
        "logo.svg": "image/svg+xml; charset=utf-8",
    }
    for name in expected:
        (root / "assets" / name).write_bytes(b"<svg/>" if name.endswith(".svg") else b"\x00pixels")
    for name, ctype in expected.items():
        with urllib.request.urlopen(url + "assets/" + name, timeout=30) as response:
            assert response.headers["Content-Type"] == ctype == content_type_for(name)
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"


def test_generator_site_is_rebuilt_after_a_change(make_fixture_site: Callable[..., Path]) -> None:
    root = make_fixture_site("hugo")
    server = PreviewServer(load_config(site=root), dev=False)
    url = server.start()
    try:
        assert "Roasted in the hills" in fetch(url)[1]
        generation = server.generation
        home = root / "content/_index.md"
        home.write_text(
            home.read_text(encoding="utf-8").replace("Roasted in the hills", "Fresh from the hills")
        )
        assert server.wait_for_generation(generation + 1, timeout=60)
        assert "Fresh from the hills" in fetch(url)[1]
    finally:
        server.stop()


def test_pending_change_is_previewed_in_a_staging_copy_never_the_checkout(
    make_fixture_site: Callable[..., Path], tmp_path: Path
) -> None:
    from lpublish.site.adapters.base import staging_copy
    from tests.plugins.sites import git

    root = make_fixture_site("eleventy")
    stage = staging_copy(load_config(site=root), tmp_path / "stage")
    assert (stage / "node_modules").is_symlink() and not (stage / ".git").exists()
    products = stage / "src/_data/products.json"
    products.write_text(products.read_text(encoding="utf-8").replace("Field Blend", "Meadow Blend"))
    with PreviewServer(load_config(site=stage), dev=False, watch=False) as server:
        status, body, _ = fetch(server.url)
        assert status == 200 and "Meadow Blend" in body
    assert git(root, "status", "--porcelain") == ""  # node_modules is git-ignored; nothing else appeared
    assert not (root / "_site").exists()
