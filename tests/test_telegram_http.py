"""The Bot API client on aiohttp (bot/channels/telegram_http.py) as PTB uses it: what it sends, and how a slow,
absent or busy server is reported (PTB's TimedOut and NetworkError, which the channel retries or logs). The
replies, files and errors of the Bot API itself are tested end to end in test_telegram_e2e.py."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InputFile
from telegram.error import NetworkError, TimedOut

from bot.channels.telegram_http import AiohttpRequest
from tests.fake_telegram import FakeBotApi


@pytest.fixture
def api() -> AsyncIterator[FakeBotApi]:
    fake = FakeBotApi().start()
    yield fake
    fake.stop()


class SilentServer:
    """Accepts connections and reads requests, and never answers."""

    def __init__(self) -> None:
        self.connections = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> str:
        async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections += 1
            await reader.read(65536)
            await asyncio.Event().wait()

        self._server = await asyncio.start_server(hold, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/bot123:ABC/getMe"

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_ptb_calls_go_through_it_with_form_fields_and_utf8_file_names(api: FakeBotApi) -> None:
    api.add_private_chats([51001])
    bot = Bot(api.token, base_url=api.base_url, request=AiohttpRequest(4), get_updates_request=AiohttpRequest(1))
    async with bot:
        assert (await bot.get_me()).username
        await bot.send_message(51001, "已记录：走访东坪村 👍\u200b")
        await bot.send_document(51001, InputFile(b"PK\x03\x04 docx", filename="王明-中期工作小结.docx"))
    assert api.sent(51001)[-1]["text"] == "已记录：走访东坪村 👍\u200b"
    assert api.documents[-1] == (51001, "王明-中期工作小结.docx", b"PK\x03\x04 docx")


async def test_a_server_that_does_not_answer_is_a_timeout() -> None:
    async with AiohttpRequest(1, read_timeout=0.2) as request, SilentServer() as url:
        with pytest.raises(TimedOut):  # the client's own timeout, well before the test's
            await asyncio.wait_for(request.do_request(url, "POST"), 10)


async def test_no_server_is_a_network_error() -> None:
    async with AiohttpRequest(1) as request:
        with pytest.raises(NetworkError) as caught:
            await request.do_request(f"http://127.0.0.1:{free_port()}/bot1:A/getMe", "POST")
        assert not isinstance(caught.value, TimedOut)


async def test_an_error_never_carries_the_bot_token() -> None:
    async with AiohttpRequest(1) as request:
        for url in ("ftp://api.example/bot123456:SECRET-token/getMe", "ftp://api.example/file/bot123456:SECRET/a.ogg"):
            with pytest.raises(NetworkError) as caught:
                await request.do_request(url, "POST")
            assert "SECRET" not in str(caught.value) and "123456" not in str(caught.value)
            assert "/bot<token>/" in str(caught.value)


async def test_a_request_waiting_for_a_busy_pool_times_out_unsent() -> None:
    server = SilentServer()
    async with AiohttpRequest(1, read_timeout=5.0, pool_timeout=0.1, connect_timeout=0.1) as request, server as url:
        first = asyncio.create_task(request.do_request(url, "POST"))
        while server.connections == 0:  # the one connection is taken
            await asyncio.sleep(0.01)
        with pytest.raises(TimedOut, match="all in use"):
            await request.do_request(url, "POST")
        assert server.connections == 1  # the second request never reached the server
        first.cancel()


async def test_it_must_be_initialized_and_can_be_again_after_a_shutdown(api: FakeBotApi) -> None:
    request = AiohttpRequest(1)
    url = f"{api.base_url}{api.token}/getMe"
    with pytest.raises(RuntimeError):
        await request.do_request(url, "POST")
    for _ in range(2):
        await request.initialize()
        status, body = await request.do_request(url, "POST")
        assert status == 200 and json.loads(body)["ok"] is True
        await request.shutdown()


async def test_the_proxy_of_the_environment_is_used(monkeypatch: pytest.MonkeyPatch, api: FakeBotApi) -> None:
    """Where api.telegram.org is reached through a proxy (HTTPS_PROXY / HTTP_PROXY, but not for the hosts NO_PROXY
    names), as PTB's httpx client did."""
    seen: list[bytes] = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await reader.readline())
        body = b'{"ok":true,"result":true}'
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(proxy, "127.0.0.1", 0)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    async with AiohttpRequest(1) as request:
        status, body = await request.do_request("http://api.telegram.example/bot1:A/logOut", "POST")
        direct, _ = await request.do_request(f"{api.base_url}{api.token}/getMe", "POST")  # NO_PROXY: not proxied
        assert direct == 200
    server.close()
    assert status == 200 and json.loads(body)["result"] is True
    assert seen == [b"POST http://api.telegram.example/bot1:A/logOut HTTP/1.1\r\n"]
