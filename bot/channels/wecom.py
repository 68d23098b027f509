"""WeCom (Enterprise WeChat) self-built app: encrypted callbacks in, active messages out.

Callbacks (the HTTP server in bot/http.py hands them here) are checked, decrypted and stored in the durable inbox
(bot/inbox.py), acknowledged with an empty 200 once committed, and handled afterwards, one user's messages in
order; the reply goes out through message/send.
WeCom's protocol is in ../shared/research/ecosystem.md §5: AES-256-CBC with the EncodingAESKey, SHA-1 signatures,
retries of unanswered callbacks (deduplicated by the inbox's key: MsgId, or user+time+event), text up to 2,048
bytes, 30 messages a minute per member (queued here, never dropped), access tokens cached and refreshed on
40014/42001/40001.
wechatpy does the crypto; XML is parsed with defusedxml (no DTDs, no entities), the HTTP calls with httpx.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import re
import struct
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException
from wechatpy.exceptions import InvalidSignatureException

from analysis.inputs import parse_int
from bot.asr import TooLarge, Transcriber, hear
from bot.channels.base import (
    NumberedButtons,
    WindowLimiter,
    chunk_text,
    read_bounded,
    reply_parts,
    utf8_size,
)
from bot.inbox import Inbox, InboxItem
from handlers import texts
from handlers.messages import Document, IncomingAttachment, IncomingMessage, Reply
from handlers.router import Dispatcher

logger = logging.getLogger(__name__)

TEXT_LIMIT = 2048  # bytes of one text message
MEMBER_LIMIT, MEMBER_WINDOW = 30, 60.0  # messages a minute per member
ROBOT_LIMIT, ROBOT_WINDOW = 20, 60.0  # messages a minute per group robot
ROBOT_MARKDOWN_LIMIT = 4096  # bytes of one robot markdown message
ROBOT_IMAGE_LIMIT = 2 * 1024 * 1024
MAX_CLOCK_SKEW = 300  # seconds between a callback's timestamp and ours before it counts as stale
TOKEN_ERRORS = {40001, 40014, 42001}  # invalid credential, invalid token, token expired
BLOCKED_ERRORS = {81013, 60111}  # no valid recipient; user not found
SYSTEM_BUSY = -1  # WeCom's "系统繁忙": try again
MAX_ATTEMPTS = 4
RETRY_FIRST_DELAY = 0.5
TOKEN_MARGIN = 300  # refresh the access token this many seconds before WeCom says it expires
MAX_KEY = 128  # characters of an inbox key (longer event keys are hashed)
# The app menu's click keys (names in texts.WECOM_MENU) and what each one says to the handlers.
MENU_ACTIONS: dict[str, dict[str, str]] = {
    "cmd:log": {"text": "", "callback_data": "ln:"},
    "cmd:week": {"text": "/week"},
    "cmd:report": {"text": "/report"},
    "cmd:help": {"text": "/help"},
}


# what wechatpy raises for a forged, truncated or foreign ciphertext
UNREADABLE = (
    InvalidSignatureException,
    InvalidCorpIdException,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    struct.error,
)


class WeComError(Exception):
    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"WeCom error {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


class CallbackRejected(Exception):
    """A callback that is not WeCom's or not readable: answered with `status`, nothing stored."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class WeComApi:
    """The few WeCom server APIs we call, over one httpx client, with the access token cached."""

    def __init__(
        self,
        *,
        corp_id: str,
        secret: str,
        agent_id: int,
        base_url: str,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._corp_id = corp_id
        self._sleep = sleep
        self._secret = secret
        self.agent_id = agent_id
        self._base = base_url.rstrip("/")
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(15.0, connect=5.0))
        self._clock = clock
        self._token: tuple[str, float] | None = None  # (token, monotonic time it stops being used)
        self._lock = asyncio.Lock()

    async def close(self) -> None:
        await self._client.aclose()

    async def token(self) -> str:
        async with self._lock:
            if self._token is None or self._clock() >= self._token[1]:
                response = await self._client.get(
                    f"{self._base}/cgi-bin/gettoken", params={"corpid": self._corp_id, "corpsecret": self._secret}
                )
                data = _checked(_json(response))
                lifetime = float(data.get("expires_in", 7200))
                self._token = (str(data["access_token"]), self._clock() + max(lifetime - TOKEN_MARGIN, lifetime / 2))
            return self._token[0]

    def _forget(self, token: str) -> None:
        if self._token is not None and self._token[0] == token:
            self._token = None

    async def call(self, path: str, *, json: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        """POST to a token-protected API. A token WeCom calls invalid or expired is fetched anew, once; a
        network failure or "system busy" (-1) is retried with backoff."""
        params = dict(kwargs.pop("params", {}))
        refreshed, delay = False, RETRY_FIRST_DELAY
        for attempt in range(1, MAX_ATTEMPTS + 1):
            token = await self.token()
            try:
                response = await self._client.post(
                    f"{self._base}{path}", params={**params, "access_token": token}, json=json, **kwargs
                )
                data = _json(response)
            except (httpx.TransportError, WeComError) as exc:
                if attempt == MAX_ATTEMPTS:
                    raise
                logger.warning("WeCom call failed (%s), retrying in %.1f s", type(exc).__name__, delay)
                await self._sleep(delay)
                delay *= 2
                continue
            errcode = int(data.get("errcode", 0))
            if errcode in TOKEN_ERRORS and not refreshed:
                logger.info("WeCom access token refused (%d): fetching a new one", errcode)
                self._forget(token)
                refreshed = True
                continue
            if errcode == SYSTEM_BUSY and attempt < MAX_ATTEMPTS:
                await self._sleep(delay)
                delay *= 2
                continue
            return _checked(data)
        raise WeComError(SYSTEM_BUSY, "gave up after retries")

    async def send(self, user: str, msgtype: str, body: dict[str, Any]) -> dict[str, Any]:
        payload = {"touser": user, "msgtype": msgtype, "agentid": self.agent_id, msgtype: body}
        data = await self.call("/cgi-bin/message/send", json=payload)
        if data.get("invaliduser"):
            raise WeComError(81013, f"invalid user {data['invaliduser']}")
        return data

    async def upload(self, kind: str, document: Document) -> str:
        """Upload a temporary file (kept three days by WeCom); return its media_id."""
        files = {"media": (document.filename, document.data, document.mime_type)}
        data = await self.call("/cgi-bin/media/upload", params={"type": kind}, files=files)
        return str(data["media_id"])

    async def media_get(self, media_id: str, max_bytes: int, timeout: float = 60.0) -> tuple[str, bytes]:
        """A temporary media file a user sent (a voice note: AMR) by media/get: (file name, bytes). WeCom answers
        the file itself, or an error as JSON (40007 invalid media_id); a token it refuses is fetched anew, once.
        Read in pieces and given up past `max_bytes` (TooLarge)."""
        for attempt in (1, 2):
            token = await self.token()
            params = {"access_token": token, "media_id": media_id}
            async with self._client.stream(
                "GET", f"{self._base}/cgi-bin/media/get", params=params, timeout=timeout
            ) as response:
                kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if response.status_code != 200 or kind in ("application/json", "text/plain", "text/html"):
                    body = await response.aread()
                    try:
                        data = json.loads(body[:4096])
                    except ValueError:
                        data = None
                    if not isinstance(data, dict):
                        raise WeComError(-1, f"HTTP {response.status_code}, not a file")
                    errcode = int(data.get("errcode", 0) or -1)
                    if errcode in TOKEN_ERRORS and attempt == 1:
                        self._forget(token)
                        continue
                    raise WeComError(errcode, str(data.get("errmsg", "")))
                data = await read_bounded(
                    response.aiter_bytes(), response.headers.get("content-length"), max_bytes, TooLarge
                )
                return _file_name(response.headers.get("content-disposition", ""), media_id), data
        raise WeComError(SYSTEM_BUSY, "gave up after a new token")

    @property
    def client(self) -> httpx.AsyncClient:
        return self._client

    async def create_menu(self, menu: dict[str, Any]) -> None:
        """menu/create; network failures surface as WeComError too (an admin command reports them)."""
        try:
            await self.call("/cgi-bin/menu/create", params={"agentid": self.agent_id}, json=menu)
        except httpx.HTTPError as exc:
            raise WeComError(-1, type(exc).__name__) from exc


class GroupRobot:
    """A group robot (webhook key): markdown within 4,096 bytes and PNG pictures, 20 messages a minute."""

    def __init__(
        self, *, key: str, base_url: str, client: httpx.AsyncClient, limiter: WindowLimiter | None = None
    ) -> None:
        self._key = key
        self._base = base_url.rstrip("/")
        self._client = client
        self._limiter = limiter or WindowLimiter(ROBOT_LIMIT, ROBOT_WINDOW)

    async def _post(self, payload: dict[str, Any]) -> None:
        await self._limiter.acquire("robot")
        response = await self._client.post(
            f"{self._base}/cgi-bin/webhook/send", params={"key": self._key}, json=payload
        )
        _checked(_json(response))

    async def post(self, reply: Reply) -> None:
        for piece in chunk_text(reply.text, ROBOT_MARKDOWN_LIMIT, utf8_size):
            await self._post({"msgtype": "markdown", "markdown": {"content": piece}})
        if reply.photo is not None and len(reply.photo.data) <= ROBOT_IMAGE_LIMIT:
            data = reply.photo.data
            image = {
                "base64": base64.b64encode(data).decode(),
                "md5": hashlib.md5(data).hexdigest(),
            }  # WeCom's checksum
            await self._post({"msgtype": "image", "image": image})


class GroupRobotChannel:
    """The group robot as a delivery target of its own ("wecom-robot"): the supervisors' group."""

    name = "wecom-robot"

    def __init__(self, robot: GroupRobot) -> None:
        self._robot = robot

    async def start(self) -> None:
        """Nothing to receive: a robot only posts."""

    async def stop(self) -> None:
        """Nothing to release (the HTTP client belongs to the WeCom channel)."""

    async def send(self, chat_id: str, reply: Reply) -> str:
        try:
            await self._robot.post(reply)
        except (WeComError, httpx.HTTPError) as exc:
            logger.warning("WeCom group robot failed: %s", exc)
            return "failed"
        return "sent"


_RE_FILE_NAME = re.compile(r'filename\*?=(?:UTF-8\'\')?"?([^";]+)"?', re.IGNORECASE)


def _file_name(disposition: str, media_id: str) -> str:
    """The file name of a Content-Disposition (WeCom: attachment; filename="….amr"), only its last part; else the
    media id as an AMR file (what WeCom's voice notes are)."""
    found = _RE_FILE_NAME.search(disposition)
    name = found.group(1).strip().replace("\\", "/").rsplit("/", 1)[-1] if found else ""
    return name[:100] if name and name not in (".", "..") else f"{media_id[:64]}.amr"


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError as exc:
        raise WeComError(-1, f"HTTP {response.status_code}, not JSON") from exc
    if not isinstance(data, dict):
        raise WeComError(-1, "unexpected JSON")
    return data


def _checked(data: dict[str, Any]) -> dict[str, Any]:
    """WeCom answers errors with HTTP 200 and a non-zero errcode."""
    errcode = int(data.get("errcode", 0))
    if errcode != 0:
        raise WeComError(errcode, str(data.get("errmsg", "")))
    return data


def parse_xml(body: bytes | str) -> dict[str, str]:
    """A flat WeCom XML document as a dict (child tag -> text); DTDs, entities and malformed XML refused."""
    try:
        root = ElementTree.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ElementTree.ParseError) as exc:
        raise CallbackRejected(400, type(exc).__name__) from exc
    if root.tag != "xml":
        raise CallbackRejected(400, "root is not <xml>")
    return {child.tag: (child.text or "") for child in root}


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypted])).encode()).hexdigest()


class WeComChannel:
    name = "wecom"

    def __init__(
        self,
        dispatcher: Dispatcher,
        *,
        api: WeComApi,
        token: str,
        aes_key: str,
        corp_id: str,
        robot: GroupRobot | None = None,
        clock: Callable[[], float] = time.time,
        limiter: WindowLimiter | None = None,
        inbox: Inbox | None = None,
        transcriber: Transcriber | None = None,
    ) -> None:
        self._dispatcher = dispatcher
        self.inbox = inbox or Inbox(dispatcher)
        self.api = api
        self.transcriber = transcriber
        self._token = token
        self._crypto = WeChatCrypto(token, aes_key, corp_id)
        self.robot = robot
        self._clock = clock
        self._limiter = limiter or WindowLimiter(MEMBER_LIMIT, MEMBER_WINDOW)
        self._buttons = NumberedButtons()

    async def start(self) -> None:
        await self.inbox.start(self)
        logger.info("wecom channel ready for callbacks (agent %s)", self.api.agent_id)

    async def stop(self) -> None:
        await self.inbox.stop(self)
        await self.api.close()

    # -- callbacks ---------------------------------------------------------------------------------
    def _check(self, params: dict[str, str], encrypted: str) -> None:
        timestamp, nonce, given = params.get("timestamp", ""), params.get("nonce", ""), params.get("msg_signature", "")
        sent = parse_int(timestamp, max_digits=12)  # "²" is a digit to str.isdigit, not to int()
        if sent is None or abs(self._clock() - sent) > MAX_CLOCK_SKEW:
            raise CallbackRejected(403, "stale or missing timestamp")
        if not hmac.compare_digest(signature(self._token, timestamp, nonce, encrypted), given.lower()):
            raise CallbackRejected(403, "bad signature")

    def verify_url(self, params: dict[str, str]) -> str:
        """The GET WeCom sends when the callback URL is saved: answer the decrypted echostr."""
        echostr = params.get("echostr", "")
        self._check(params, echostr)
        try:
            return self._crypto.check_signature(params["msg_signature"], params["timestamp"], params["nonce"], echostr)
        except UNREADABLE as exc:
            raise CallbackRejected(403, type(exc).__name__) from exc

    async def receive(self, params: dict[str, str], body: bytes) -> None:
        """Check, decrypt and store one callback, returning once it is committed (a retry of a stored one is
        skipped by its key). Raises CallbackRejected."""
        outer = parse_xml(body)
        encrypted = outer.get("Encrypt", "")
        if not encrypted:
            raise CallbackRejected(400, "no Encrypt element")
        self._check(params, encrypted)
        try:
            plain = self._crypto.decrypt_message(
                {"Encrypt": encrypted}, params["msg_signature"], params["timestamp"], params["nonce"]
            )
        except UNREADABLE as exc:
            raise CallbackRejected(403, type(exc).__name__) from exc
        fields = parse_xml(plain)
        user = fields.get("FromUserName", "")
        if not user:
            raise CallbackRejected(400, "no sender")
        if self.to_incoming(fields) is None:
            return  # subscribe, enter_agent, location reports …: nothing to store or answer
        key = fields.get("MsgId") or ":".join(
            ("event", user, fields.get("CreateTime", ""), fields.get("Event", ""), fields.get("EventKey", ""))
        )
        if len(key) > MAX_KEY:
            key = "sha1:" + hashlib.sha1(key.encode()).hexdigest()
        await self.inbox.store([InboxItem(self.name, key, user, fields)])

    async def drain(self) -> None:
        """Wait until every stored callback has been handled and answered (tests, benchmarks)."""
        await self.inbox.drain()

    # -- the inbox's side: stored callbacks in, replies out ------------------------------------------
    def decode(self, payload: dict[str, Any]) -> IncomingMessage | None:
        return self.to_incoming({str(k): str(v) for k, v in payload.items()})

    def target(self, payload: dict[str, Any]) -> dict[str, Any]:
        return {"user": str(payload["FromUserName"])}

    async def prepare(self, incoming: IncomingMessage) -> IncomingMessage:
        """A voice note heard before it is handled (bot/asr.py): media/get, then the speech model."""
        return await hear(incoming, self.transcriber, self._fetch_voice)

    async def _fetch_voice(self, attachment: IncomingAttachment, max_bytes: int) -> tuple[str, bytes]:
        timeout = self.transcriber.config.timeout if self.transcriber is not None else 60.0
        return await self.api.media_get(attachment.file_id or "", max_bytes, timeout)

    async def working(self, target: dict[str, Any]) -> None:
        """WeCom shows no typing state."""

    async def deliver(self, target: dict[str, Any], reply: Reply) -> None:
        await self.send(str(target["user"]), reply)  # failures are logged by send()

    def to_incoming(self, f: dict[str, str]) -> IncomingMessage | None:
        """Turn a decrypted callback's fields into our neutral message; None for what we do not handle."""
        user = f["FromUserName"]
        created = parse_int(f.get("CreateTime", ""), max_digits=10)  # 10 digits: seconds until the year 2286
        sent_at = dt.datetime.fromtimestamp(created if created is not None else self._clock(), dt.UTC)
        base = {"channel": self.name, "chat_id": user, "user_id": user, "user_name": user, "sent_at": sent_at}
        kind = f.get("MsgType", "")
        if kind == "event":
            action = MENU_ACTIONS.get(f.get("EventKey", "")) if f.get("Event") == "click" else None
            return (
                IncomingMessage(**base, **action) if action is not None else None
            )  # subscribe, enter_agent, location reports …: nothing to answer
        message_id = f.get("MsgId") or None
        if kind == "text":
            text = f.get("Content", "")
            pressed = self._buttons.press(user, text)
            if isinstance(pressed, str):
                return IncomingMessage(text="", callback_data=pressed, **base)
            return IncomingMessage(text=text, message_id=message_id, **base)
        attachment = _attachment(kind, f)
        if attachment is None:
            return None
        return IncomingMessage(text="", message_id=message_id, attachments=(attachment,), **base)

    # -- sending ----------------------------------------------------------------------------------
    async def _send_parts(self, user: str, reply: Reply) -> None:
        choices = self._buttons.offer(user, reply)
        parts = reply_parts(reply)
        for index, part in enumerate(parts):
            if isinstance(part, Document):
                kind = "image" if part.mime_type.startswith("image/") else "file"
                await self._limiter.acquire(user)
                media_id = await self.api.upload(kind, part)
                await self.api.send(user, kind, {"media_id": media_id})
                continue
            if part == reply.text and choices and index == 0:
                part = f"{part}\n{texts.WECOM_BUTTONS.format(choices=choices)}"
            for piece in chunk_text(part, TEXT_LIMIT, utf8_size):
                await self._limiter.acquire(user)
                await self.api.send(user, "text", {"content": piece})

    async def send(self, chat_id: str, reply: Reply) -> str:
        """Send a reply, or a message nobody asked for (a reminder, a digest), as active messages:
        "sent", "blocked" (not a member) or "failed" (logged)."""
        try:
            await self._send_parts(chat_id, reply)
        except WeComError as exc:
            if exc.errcode in BLOCKED_ERRORS:
                return "blocked"
            logger.warning("WeCom message failed: %s", exc)
            return "failed"
        except httpx.HTTPError as exc:
            logger.warning("WeCom message failed: %s", type(exc).__name__)
            return "failed"
        return "sent"


def _attachment(kind: str, f: dict[str, str]) -> IncomingAttachment | None:
    media = f.get("MediaId") or None
    if kind == "image":
        return IncomingAttachment(kind="photo", file_id=media, file_unique_id=f.get("PicUrl") or media)
    if kind == "voice":
        return IncomingAttachment(kind="voice", file_id=media, mime_type=f"audio/{f.get('Format', 'amr').lower()}")
    if kind == "video":
        return IncomingAttachment(kind="video", file_id=media)
    if kind == "file":
        return IncomingAttachment(kind="document", file_id=media, file_name=f.get("FileName") or f.get("Title"))
    if kind == "location":
        try:
            latitude, longitude = float(f.get("Location_X", "")), float(f.get("Location_Y", ""))
        except ValueError:
            return None
        return IncomingAttachment(kind="location", latitude=latitude, longitude=longitude, file_name=f.get("Label"))
    return None


def menu_definition() -> dict[str, Any]:
    """The app menu of texts.WECOM_MENU (pushed by `python bot.py admin wecom-menu`)."""
    return {"button": [{"type": "click", "name": texts.WECOM_MENU[key], "key": key} for key in MENU_ACTIONS]}
