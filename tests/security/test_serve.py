"""Item 8 (``lpublish serve``): the long-lived secret is in no URL and no command line; the browser gets
a one-time link that sets a cookie; other hosts, origins and cookie-less requests get 403.

Today's behaviour: the secret was part of the URL, so it was in the browser's argv (``ps`` shows it to
every local user) and in the terminal, and stayed valid for the whole session.
"""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiohttp import ClientSession, CookieJar, WSServerHandshakeError
from aiohttp.test_utils import TestServer

from lpublish.tui.serve import COOKIE, SecretServer, free_port

pytestmark = pytest.mark.anyio


async def test_one_time_link_then_cookie() -> None:
    port = free_port()
    server = SecretServer("true", port=port, secret="s3cret-session-value")
    assert "s3cret-session-value" not in server.url and server.url.startswith(
        f"http://127.0.0.1:{port}/open/"
    )
    test_server = TestServer(await server._make_app(), host="127.0.0.1", port=port)
    await test_server.start_server()
    base = f"http://127.0.0.1:{port}"
    try:
        async with ClientSession() as stranger:
            for path in ("/", "/app/", "/app/ws", "/app/static/js/textual.js", "/open/guess"):
                async with stranger.get(base + path) as response:
                    assert response.status == 403, path
        link = server.url
        # unsafe=True: a browser keeps cookies of 127.0.0.1; aiohttp's jar refuses IP hosts by default.
        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as browser:
            async with browser.get(link, allow_redirects=False) as response:
                assert response.status == 303 and response.headers["Location"] == "/app/"
                cookie = response.cookies[COOKIE]
                assert cookie.value == "s3cret-session-value"
                assert cookie["httponly"] and cookie["samesite"] == "Strict"
            async with browser.get(base + "/app/") as response:
                assert response.status == 200
                page = await response.text()
                assert f"ws://127.0.0.1:{port}/app/ws" in page and "s3cret" not in page
            async with browser.get(base + "/app/static/js/textual.js") as response:
                assert response.status == 200
            # A page on another site cannot open the websocket, even with the cookie.
            headers = {"Origin": "http://evil.example", "Upgrade": "websocket", "Connection": "Upgrade"}
            async with browser.get(base + "/app/ws", headers=headers) as response:
                assert response.status == 403
        # The link works once: whoever saw it later (ps, the terminal) gets nothing.
        async with ClientSession() as late, late.get(link, allow_redirects=False) as response:
            assert response.status == 403 and COOKIE not in response.cookies
    finally:
        await test_server.close()


async def test_rebinding_host_is_refused_even_with_the_cookie() -> None:
    port = free_port()
    server = SecretServer("true", port=port, secret="s3cret-session-value")
    test_server = TestServer(await server._make_app(), host="127.0.0.1", port=port)
    await test_server.start_server()
    try:

        def get(host: str, path: str, cookie: str = "") -> int:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            headers = {"Host": host}
            if cookie:
                headers["Cookie"] = f"{COOKIE}={cookie}"
            conn.request("GET", path, headers=headers)
            status = conn.getresponse().status
            conn.close()
            return status

        import asyncio

        ticket = server.url.rsplit("/", 1)[1]
        assert await asyncio.to_thread(get, f"evil.example:{port}", f"/open/{ticket}") == 403
        assert await asyncio.to_thread(get, f"evil.example:{port}", "/app/", "s3cret-session-value") == 403
        assert await asyncio.to_thread(get, f"127.0.0.1:{port}", "/app/", "s3cret-session-value") == 200
    finally:
        await test_server.close()


def _cmdlines() -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
            except OSError:
                continue
    return found


def test_the_browser_gets_no_secret_in_its_argv(tmp_path: Path) -> None:
    """`lpublish serve` with a real (recording) browser: $BROWSER is what webbrowser starts."""
    record = tmp_path / "argv.txt"
    browser = tmp_path / "browser.py"
    browser.write_text(
        "import sys, pathlib\npathlib.Path(sys.argv[1]).write_text(sys.argv[2])\n", encoding="utf-8"
    )
    env = dict(os.environ, BROWSER=f"{sys.executable} {browser} {record} %s")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "lpublish", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
    )
    try:
        for _ in range(300):
            if record.exists() and record.read_text():
                break
            time.sleep(0.1)
        link = record.read_text()
        assert link.startswith(f"http://127.0.0.1:{port}/open/")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", link.split(str(port), 1)[1])
        response = conn.getresponse()
        assert response.status == 303
        secret = response.getheader("Set-Cookie", "").split(";")[0].split("=", 1)[1]
        conn.close()
        assert len(secret) >= 32 and secret not in link
        assert not [c for c in _cmdlines() if secret in c]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    output = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
    assert secret not in output


async def test_page_fetches_nothing_from_other_hosts_and_localhost_is_this_machine() -> None:
    """Issue 12: no web font from the internet; the page opened as http://localhost:PORT works."""
    port = free_port()
    server = SecretServer("true", port=port, secret="s3cret-session-value")
    test_server = TestServer(await server._make_app(), host="127.0.0.1", port=port)
    await test_server.start_server()
    base = f"http://127.0.0.1:{port}"
    try:
        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as browser:
            async with browser.get(server.url, allow_redirects=False) as response:
                assert response.status == 303
            async with browser.get(base + "/app/") as response:
                page = await response.text()
            assert "googleapis" not in page
            links = re.findall(r'(?:href|src)="((?:https?:)?//[^"]*)"', page)
            assert links and all(link.startswith(f"http://127.0.0.1:{port}/") for link in links), links
            for origin, refused in (
                (f"http://localhost:{port}", False),
                (f"http://127.0.0.1:{port}", False),
                (f"http://localhost:{port + 1}", True),
            ):
                try:
                    socket = await browser.ws_connect(base + "/app/ws", headers={"Origin": origin})
                except WSServerHandshakeError as exc:
                    assert refused and exc.status == 403, origin
                else:
                    assert not refused, origin
                    await socket.close()
    finally:
        await test_server.close()
