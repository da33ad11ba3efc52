"""Browser mode's lock: textual-serve behind a secret path on 127.0.0.1, over real HTTP."""

from __future__ import annotations

import re

import pytest
from aiohttp import ClientSession, WSServerHandshakeError
from aiohttp.test_utils import TestServer

from lpublish.tui.serve import SecretServer, app_command, free_port

pytestmark = pytest.mark.anyio


async def test_every_route_needs_the_secret() -> None:
    port = free_port()
    server = SecretServer("true", port=port, secret="s3cret-value")
    assert server.url == f"http://127.0.0.1:{port}/s3cret-value/"
    test_server = TestServer(await server._make_app(), host="127.0.0.1", port=port)
    await test_server.start_server()
    try:
        async with ClientSession() as http:
            base = f"http://127.0.0.1:{port}"
            for path in ("/", "/ws", "/static/js/textual.js", "/wrong/", "/s3cret-valuX/ws"):
                async with http.get(base + path) as response:
                    assert response.status == 403, path
            async with http.get(server.url) as response:
                assert response.status == 200
                page = await response.text()
                assert f"ws://127.0.0.1:{port}/s3cret-value/ws" in page
                # nothing is fetched from another host (no web fonts, no CDN scripts)
                assert "googleapis" not in page
                links = re.findall(r'(?:href|src)="((?:https?:)?//[^"]*)"', page)
                assert links and all(link.startswith(f"http://127.0.0.1:{port}/") for link in links), links
            async with http.get(server.url + "static/js/textual.js") as response:
                assert response.status == 200
            # A page on another site cannot open the websocket, even knowing the secret.
            headers = {"Origin": "http://evil.example", "Upgrade": "websocket", "Connection": "Upgrade"}
            async with http.get(server.url + "ws", headers=headers) as response:
                assert response.status == 403
            # "localhost" is this machine too: the page opened as http://localhost:PORT works.
            for origin, refused in (
                (f"http://localhost:{port}", False),
                (f"http://127.0.0.1:{port}", False),
                (f"http://localhost:{port + 1}", True),
            ):
                try:
                    socket = await http.ws_connect(server.url + "ws", headers={"Origin": origin})
                except WSServerHandshakeError as exc:
                    assert refused and exc.status == 403, origin
                else:
                    assert not refused, origin
                    await socket.close()
    finally:
        await test_server.close()


def test_app_command_runs_this_python_on_this_site(tmp_path: object) -> None:
    command = app_command(None, "ja")
    assert "-m lpublish --lang ja tui" in command
