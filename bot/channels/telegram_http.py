"""The Bot API's HTTP client: python-telegram-bot's request interface (BaseRequest) on aiohttp.

PTB's own client (HTTPXRequest) cost 1.8-2.0 ms of CPU per request here against 0.2 ms for aiohttp on the same
fake Bot API (aiohttp parses HTTP in C; httpx, httpcore and h11 are Python, and httpcore polls every pooled
socket on each request): with one getUpdates per batch and one sendMessage per reply, that was a third of
each message's CPU. PTB documents BaseRequest for this; its contrib package has an aiohttp one too, not on PyPI.

Timeouts map onto aiohttp's as follows: `read_timeout` -> sock_read (a pause in the response), `connect_timeout`
-> sock_connect, `pool_timeout` -> connect (waiting for a pooled connection, and making one). aiohttp has no
write timeout: a request that uploads a file gets a total of its write (default `media_write_timeout`) and read
timeouts.
"""

from __future__ import annotations

import re
import urllib.request
from urllib.parse import urlsplit

import aiohttp
from telegram._utils.defaultvalue import DefaultValue  # PTB's marker for "this request's default timeout"
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

__all__ = ["AiohttpRequest"]

_TOKEN_IN_URL = re.compile(r"(/(?:file/)?bot)[^/\s]+")


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a pool of `connection_pool_size` keep-alive connections to the Bot API."""

    def __init__(
        self,
        connection_pool_size: int = 1,
        *,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._timeouts = {
            "read": read_timeout,
            "connect": connect_timeout,
            "pool": pool_timeout,
            "media_write": media_write_timeout,
        }
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts["read"]

    async def initialize(self) -> None:
        # made here, not in __init__: an aiohttp session belongs to the running event loop
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(connector=connector, headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _proxy(self, url: str) -> str | None:
        """The proxy that HTTPS_PROXY / HTTP_PROXY / NO_PROXY name for this URL's host (PTB's httpx client honoured
        them), read once per host. Not aiohttp's trust_env: it reads the environment and ~/.netrc in a worker
        thread on every request, two thread hops a reply."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            proxies = urllib.request.getproxies_environment()
            proxy = proxies.get(parts.scheme)
            if proxy and urllib.request.proxy_bypass_environment(key[1], proxies):  # type: ignore[attr-defined]
                proxy = None
            self._proxies[key] = proxy
        return self._proxies[key]

    def _timeout(self, given: object, name: str) -> float | None:
        return self._timeouts[name] if isinstance(given, DefaultValue) else given  # type: ignore[return-value]

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        read = self._timeout(read_timeout, "read")
        connect = self._timeout(connect_timeout, "connect")
        pool = self._timeout(pool_timeout, "pool")
        data: aiohttp.FormData | dict[str, str] | None = None
        total: float | None = None
        if request_data is not None and request_data.contains_files:
            # file names as UTF-8, as PTB's own client sends them (quoted, 王明-小结.docx arrives as %E7%8E%8B…)
            form = aiohttp.FormData(request_data.json_parameters, quote_fields=False)
            for name, (filename, content, mime_type) in request_data.multipart_data.items():
                form.add_field(name, content, filename=filename, content_type=mime_type)
            data = form
            write = self._timeout(write_timeout, "media_write")
            total = None if write is None or read is None else write + read
        elif request_data is not None:
            data = request_data.json_parameters  # form-encoded, as PTB's own client sends them
        timeout = aiohttp.ClientTimeout(
            total=total,
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with self._session.request(
                method, url, data=data, timeout=timeout, proxy=self._proxy(url)
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            if isinstance(exc, aiohttp.ConnectionTimeoutError):
                # aiohttp does not tell waiting for a pooled connection from making a new one
                raise TimedOut("No connection to the Bot API in time: all in use, or connecting took too long") from exc
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            # some errors carry the URL, and the URL carries the bot token: it never goes into a message or a log
            raise NetworkError(_TOKEN_IN_URL.sub(r"\1<token>", f"aiohttp.{type(exc).__name__}: {exc}")) from exc
