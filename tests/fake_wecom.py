"""A fake of the WeCom server APIs cadrelog calls, on 127.0.0.1, faithful to their JSON shapes and errcodes:
gettoken (tokens that expire), message/send (2,048-byte text, invalid users, 30 messages a minute per member
with the excess silently dropped, as WeCom does), media/upload, media/get (a file users sent, such as an AMR voice
note: its bytes with Content-Type and Content-Disposition, or {"errcode": 40007, "errmsg": "invalid media_id"}),
menu/create, and the group robot's webhook/send (4,096-byte markdown, base64+md5 images, 20 messages a minute →
45009)."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import itertools
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from tests.fake_telegram import _parse_body, serve_locally

CORP_ID = "ww5823bf96d3bd56c7"
SECRET = "app-secret-0123456789"
AGENT_ID = 1000002
ROBOT_KEY = "robot-key-693a91f6"
MEDIA_TYPES = {".amr": "audio/amr", ".jpg": "image/jpeg", ".png": "image/png", ".mp4": "video/mp4"}


def amr_audio(seconds: float) -> bytes:
    """AMR-NB audio of the given length (12.2 kbit/s frames of silence, 20 ms each), as WeCom's voice notes are."""
    frame = bytes([7 << 3 | 0x04]) + bytes(31)
    return b"#!AMR\n" + frame * round(seconds / 0.02)


def bot_environment(base: dict[str, str], *, api_base: str, database_url: str, port: int) -> dict[str, str]:
    """The environment for `python bot.py` as a WeCom app against this fake (any platform settings removed)."""
    from tests import wecom_crypto

    env = {k: v for k, v in base.items() if not k.startswith(("WECOM_", "TELEGRAM_", "HTTP_"))}
    env.update(
        DATABASE_URL=database_url,
        WECOM_CORP_ID=CORP_ID,
        WECOM_AGENT_ID=str(AGENT_ID),
        WECOM_SECRET=SECRET,
        WECOM_TOKEN=wecom_crypto.TOKEN,
        WECOM_AES_KEY=wecom_crypto.AES_KEY,
        WECOM_API_BASE=api_base,
        HTTP_HOST="127.0.0.1",
        HTTP_PORT=str(port),
    )
    return env


@dataclass
class Sent:
    user: str
    msgtype: str
    body: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class FakeWeCom:
    def __init__(self, users: set[str] | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.users = users if users is not None else set()  # members of the corp (others are invalid users)
        self.clock = clock
        self.token_lifetime = 7200
        self.tokens: dict[str, float] = {}  # token -> when it expires (clock)
        self.token_requests = 0
        self.sent: list[Sent] = []
        self.dropped: list[Sent] = []  # over the per-member limit: WeCom drops them without an error
        self.media: dict[str, tuple[str, str, bytes]] = {}  # media_id -> (type, file name, bytes)
        self.media_gets: list[str] = []  # media ids asked for by media/get
        self.menus: list[dict[str, Any]] = []
        self.robot_posts: list[dict[str, Any]] = []
        self.robot_refused = 0
        self.errors: list[int] = []
        self.busy_next = 0  # answer this many message/send calls with errcode -1 (系统繁忙)
        self.bad_gateway_next = 0  # answer this many calls with a proxy's 502 page, not JSON
        self._member_times: dict[str, deque[float]] = defaultdict(deque)
        self._robot_times: deque[float] = deque()
        self._ids = itertools.count(1)
        self._lock = threading.Condition()
        self._server: ThreadingHTTPServer | None = None

    # -- serving ------------------------------------------------------------------------------------
    def start(self) -> FakeWeCom:
        self._server = serve_locally(self._answer, "fake-wecom")
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def _answer(self, request: BaseHTTPRequestHandler, verb: str) -> None:
        path, _, query = request.path.partition("?")
        params = dict(parse_qsl(query))
        if path == "/cgi-bin/media/get" and verb == "GET":
            self._media_get(request, params)
            return
        body = _parse_body(request) if verb == "POST" else {}
        routes = {
            "/cgi-bin/gettoken": self._gettoken,
            "/cgi-bin/message/send": self._message_send,
            "/cgi-bin/media/upload": self._media_upload,
            "/cgi-bin/menu/create": self._menu_create,
            "/cgi-bin/webhook/send": self._webhook_send,
        }
        handler = routes.get(path)
        if self.bad_gateway_next and path != "/cgi-bin/gettoken":
            self.bad_gateway_next -= 1
            page = b"<html><body>502 Bad Gateway</body></html>"
            request.send_response(502)
            request.send_header("Content-Type", "text/html")
            request.send_header("Content-Length", str(len(page)))
            request.end_headers()
            request.wfile.write(page)
            return
        with self._lock:
            result = handler(params, body) if handler else {"errcode": 404, "errmsg": "not found"}
            if result.get("errcode", 0):
                self.errors.append(int(result["errcode"]))
            self._lock.notify_all()
        raw = json.dumps(result, ensure_ascii=False).encode()
        request.send_response(200)  # WeCom answers errors with HTTP 200 and an errcode
        request.send_header("Content-Type", "application/json; charset=utf-8")
        request.send_header("Content-Length", str(len(raw)))
        request.end_headers()
        request.wfile.write(raw)

    # -- the APIs -----------------------------------------------------------------------------------
    def _gettoken(self, params: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        self.token_requests += 1
        if params.get("corpid") != CORP_ID:
            return {"errcode": 40013, "errmsg": "invalid corpid"}
        if params.get("corpsecret") != SECRET:
            return {"errcode": 40001, "errmsg": "invalid credential"}
        token = f"TOKEN-{next(self._ids)}"
        self.tokens[token] = self.clock() + self.token_lifetime
        return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": self.token_lifetime}

    def _token_error(self, params: dict[str, str]) -> dict[str, Any] | None:
        token = params.get("access_token", "")
        if token not in self.tokens:
            return {"errcode": 40014, "errmsg": "invalid access_token"}
        if self.clock() >= self.tokens[token]:
            return {"errcode": 42001, "errmsg": "access_token expired"}
        return None

    def expire_tokens(self) -> None:
        """WeCom may end a token early: every token handed out so far stops working."""
        with self._lock:
            for token in self.tokens:
                self.tokens[token] = self.clock()

    def _message_send(self, params: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        if error := self._token_error(params):
            return error
        if self.busy_next:
            self.busy_next -= 1
            return {"errcode": -1, "errmsg": "system busy"}
        if int(body.get("agentid", 0)) != AGENT_ID:
            return {"errcode": 40056, "errmsg": "invalid agentid"}
        msgtype = str(body.get("msgtype", ""))
        content = body.get(msgtype)
        if msgtype not in ("text", "markdown", "image", "file") or not isinstance(content, dict):
            return {"errcode": 40008, "errmsg": "invalid message type"}
        if msgtype in ("text", "markdown"):
            text = str(content.get("content", ""))
            if not text:
                return {"errcode": 44004, "errmsg": "empty content"}
            if len(text.encode()) > 2048:  # WeCom truncates silently; we record it as an error to catch it
                return {"errcode": 45002, "errmsg": "content size out of limit"}
        elif str(content.get("media_id", "")) not in self.media:
            return {"errcode": 40007, "errmsg": "invalid media_id"}
        users = [u for u in str(body.get("touser", "")).split("|") if u]
        valid = [u for u in users if u in self.users]
        if not valid:
            return {"errcode": 81013, "errmsg": "user & party & tag all invalid"}
        now = self.clock()
        for user in valid:
            sent = Sent(user, msgtype, content)
            times = self._member_times[user]
            while times and now - times[0] >= 60:
                times.popleft()
            if len(times) >= 30:
                self.dropped.append(sent)  # WeCom: "超过限制的消息会被丢弃", no error returned
                continue
            times.append(now)
            self.sent.append(sent)
        result: dict[str, Any] = {"errcode": 0, "errmsg": "ok", "msgid": f"msg{next(self._ids)}"}
        if len(valid) < len(users):
            result["invaliduser"] = "|".join(u for u in users if u not in self.users)
        return result

    def _media_upload(self, params: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        if error := self._token_error(params):
            return error
        kind = params.get("type", "")
        data = body.get("media")
        if kind not in ("image", "voice", "video", "file") or not isinstance(data, bytes):
            return {"errcode": 40004, "errmsg": "invalid media type"}
        limit = 2 * 1024 * 1024 if kind in ("image", "voice") else 20 * 1024 * 1024
        if not 5 <= len(data) <= limit:
            return {"errcode": 40006, "errmsg": "invalid file size"}
        media_id = f"MEDIA-{next(self._ids)}"
        self.media[media_id] = (kind, str(body.get("media.filename", "")), data)
        return {"errcode": 0, "errmsg": "ok", "type": kind, "media_id": media_id, "created_at": str(int(time.time()))}

    def add_media(self, kind: str, name: str, data: bytes) -> str:
        """A file a user sent (WeCom keeps it three days): its media_id for the callback's MediaId."""
        with self._lock:
            media_id = f"MEDIA-in-{next(self._ids)}"
            self.media[media_id] = (kind, name, data)
        return media_id

    def _media_get(self, request: BaseHTTPRequestHandler, params: dict[str, str]) -> None:
        with self._lock:
            self.media_gets.append(params.get("media_id", ""))
            error = self._token_error(params)
            found = self.media.get(params.get("media_id", ""))
            if error is None and found is None:
                error = {"errcode": 40007, "errmsg": "invalid media_id"}
            if error is not None:
                self.errors.append(int(error["errcode"]))
        if error is not None:
            body = json.dumps(error).encode()
            headers = {"Content-Type": "application/json; charset=UTF-8"}
        else:
            assert found is not None
            _, name, body = found
            suffix = name[name.rfind(".") :].lower() if "." in name else ""
            headers = {
                "Content-Type": MEDIA_TYPES.get(suffix, "application/octet-stream"),
                "Content-disposition": f'attachment; filename="{name}"',
            }
        request.send_response(200)  # errors too: WeCom answers them with HTTP 200 and an errcode
        for header, value in headers.items():
            request.send_header(header, value)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client stopped (a file too large)
            request.wfile.write(body)

    def _menu_create(self, params: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        if error := self._token_error(params):
            return error
        if params.get("agentid") != str(AGENT_ID):
            return {"errcode": 40056, "errmsg": "invalid agentid"}
        buttons = body.get("button")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3 + 2:  # up to 3 top-level, we allow a spare
            return {"errcode": 40016, "errmsg": "invalid button size"}
        self.menus.append(body)
        return {"errcode": 0, "errmsg": "ok"}

    def _webhook_send(self, params: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        if params.get("key") != ROBOT_KEY:
            return {"errcode": 93000, "errmsg": "invalid webhook url"}
        now = self.clock()
        while self._robot_times and now - self._robot_times[0] >= 60:
            self._robot_times.popleft()
        if len(self._robot_times) >= 20:
            self.robot_refused += 1
            return {"errcode": 45009, "errmsg": "api freq out of limit"}
        msgtype = body.get("msgtype")
        if msgtype == "markdown":
            if len(str(body["markdown"].get("content", "")).encode()) > 4096:
                return {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"}
        elif msgtype == "image":
            raw = base64.b64decode(body["image"]["base64"])
            if hashlib.md5(raw).hexdigest() != body["image"]["md5"] or len(raw) > 2 * 1024 * 1024:
                return {"errcode": 40009, "errmsg": "invalid image"}
        else:
            return {"errcode": 40008, "errmsg": "invalid message type"}
        self._robot_times.append(now)
        self.robot_posts.append(body)
        return {"errcode": 0, "errmsg": "ok"}

    # -- what tests look at -------------------------------------------------------------------------
    def texts_to(self, user: str) -> list[str]:
        with self._lock:
            return [str(s.body.get("content", "")) for s in self.sent if s.user == user and s.msgtype == "text"]

    def files_to(self, user: str) -> list[tuple[str, str, bytes]]:
        with self._lock:
            return [
                self.media[str(s.body["media_id"])]
                for s in self.sent
                if s.user == user and s.msgtype in ("file", "image")
            ]
