"""The HTTP server (Starlette on uvicorn): the WeCom callback URL, the Telegram webhook, and /healthz.

Every request body is read up to a size limit (413 beyond it) before anything parses it; callbacks and webhook
updates are acknowledged once stored in the durable inbox (bot/inbox.py) and handled afterwards. Rejections are logged without payloads.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
from typing import Any, Protocol

import uvicorn
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp

from bot.channels.base import read_bounded
from bot.channels.wecom import CallbackRejected, WeComChannel

logger = logging.getLogger(__name__)

MAX_BODY = 256 * 1024  # WeCom and Telegram callbacks are a few KB
WECOM_PATH, TELEGRAM_PATH, HEALTH_PATH = "/wecom/callback", "/telegram/webhook", "/healthz"
CONSOLE_PATH = "/console"  # the organisation department's web console (console/app.py)


class TelegramWebhook(Protocol):
    def accepts(self, secret: str | None) -> bool:
        """Whether the X-Telegram-Bot-Api-Secret-Token header carries our secret."""

    def busy(self) -> bool:
        """Too many updates unhandled: refuse for now (Telegram tries again later)."""

    async def feed(self, data: dict[str, Any]) -> bool:
        """Store one update, returning once committed; False if it is not an update."""


class BodyTooLarge(Exception):
    pass


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    return await read_bounded(request.stream(), request.headers.get("content-length"), limit, BodyTooLarge)


def build_app(
    *, wecom: WeComChannel | None = None, telegram: TelegramWebhook | None = None, console: ASGIApp | None = None
) -> Starlette:
    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "wecom": wecom is not None, "telegram_webhook": telegram is not None})

    async def wecom_callback(request: Request) -> Response:
        if wecom is None:
            return PlainTextResponse("not configured", status_code=404)
        params = dict(request.query_params)
        try:
            if request.method == "GET":
                return PlainTextResponse(wecom.verify_url(params))
            body = await read_body(request)
            await wecom.receive(params, body)
        except CallbackRejected as exc:
            logger.warning("WeCom callback rejected (%d): %s", exc.status, exc.reason)
            return PlainTextResponse("", status_code=exc.status)
        except BodyTooLarge:
            logger.warning("WeCom callback rejected (413): body over %d bytes", MAX_BODY)
            return PlainTextResponse("", status_code=413)
        except ClientDisconnect:
            return PlainTextResponse("", status_code=400)
        except Exception as exc:  # not stored (the database failed): no 200, so WeCom sends it again
            logger.error("WeCom callback not stored (500): %s", type(exc).__name__)
            return PlainTextResponse("", status_code=500)
        return PlainTextResponse("")  # an empty 200: WeCom's "received"; the answer follows as a message

    async def telegram_webhook(request: Request) -> Response:
        if telegram is None:
            return PlainTextResponse("not configured", status_code=404)
        if not telegram.accepts(request.headers.get("x-telegram-bot-api-secret-token")):
            logger.warning("Telegram webhook call rejected (403): wrong or missing secret token")
            return PlainTextResponse("", status_code=403)  # before reading a byte of what a stranger sent
        if telegram.busy():
            return PlainTextResponse("", status_code=503, headers={"Retry-After": "5"})
        try:
            data = json.loads(await read_body(request))
        except BodyTooLarge:
            return PlainTextResponse("", status_code=413)
        except (ValueError, ClientDisconnect):
            return PlainTextResponse("", status_code=400)
        try:
            if not isinstance(data, dict) or not await telegram.feed(data):
                return PlainTextResponse("", status_code=400)
        except Exception as exc:  # not stored: no 200, so Telegram delivers it again
            logger.error("Telegram webhook update not stored (500): %s", type(exc).__name__)
            return PlainTextResponse("", status_code=500)
        return PlainTextResponse("")

    routes: list[Route | Mount] = [
        Route(HEALTH_PATH, health, methods=["GET"]),
        Route(WECOM_PATH, wecom_callback, methods=["GET", "POST"]),
        Route(TELEGRAM_PATH, telegram_webhook, methods=["POST"]),
    ]
    if console is not None:
        routes.append(Mount(CONSOLE_PATH, app=console))
    return Starlette(routes=routes)


class HttpServer:
    """uvicorn inside our event loop, started and stopped with the channels."""

    def __init__(self, app: Starlette, host: str, port: int) -> None:
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Listen and serve; a port already taken raises OSError here (uvicorn would exit the process)."""
        config = self._server.config
        family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
        listening = socket.create_server((config.host, config.port), family=family)
        self._task = asyncio.create_task(self._server.serve(sockets=[listening]))
        while not self._server.started:
            if self._task.done():
                self._task.result()  # a bind error surfaces here
                raise RuntimeError("the HTTP server stopped at start")
            await asyncio.sleep(0.01)
        logger.info("HTTP server listening on %s:%d", self._server.config.host, self.port)

    @property
    def port(self) -> int:
        for server in self._server.servers:
            for sock in server.sockets:
                return int(sock.getsockname()[1])
        return self._server.config.port

    async def stop(self) -> None:
        self._server.should_exit = True
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
