"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests and benchmarks.

It speaks the Bot API's HTTP shapes: form-encoded, JSON or multipart requests; {"ok": true, "result": …}
answers; {"ok": false, "error_code", "description", "parameters"} errors with Telegram's own wording for
the cases our bot can run into (empty or too long text, bad button data, unknown chat, blocked user,
message to edit not found or not modified, flood control with retry_after, wrong token, unknown method).
getUpdates long-polls with offset confirmation, like the real server. Files users sent (a voice note) are served
as Telegram serves them: getFile gives {file_id, file_unique_id, file_size, file_path} (400 "invalid file_id",
400 "file is too big" past the 20 MB a bot may download), then GET /file/bot<token>/<file_path> the bytes.
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote

BOT_ID = 900001
BOT_USERNAME = "cadrelog_test_bot"
MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
MAX_PHOTO = 10 * 1024 * 1024  # Telegram: photos up to 10 MB
MAX_UPLOAD = 50 * 1024 * 1024  # multipart uploads by bots
MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile: files a bot may download
# the start of an Ogg Opus stream, as Telegram's voice notes are (the fake model does not decode it)
OGG_OPUS = b"OggS\x00\x02" + bytes(20) + b"\x01\x13OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00\x00\x00\x00"
_RE_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    ok: bool | None = None  # None while being answered, then whether it succeeded


class FakeBotApi:
    """The server's state; `start()` serves it on a free loopback port."""

    def __init__(self, token: str = "123456:TEST-TOKEN") -> None:
        self.token = token
        self.calls: list[Call] = []
        self.commands: list[dict[str, str]] = []
        self.blocked: set[int] = set()
        self.documents: list[tuple[int, str, bytes]] = []  # (chat, file name, bytes) of every sendDocument
        self.per_chat_per_second: float | None = None  # flood control, off unless a test turns it on
        self.overall_per_second: float | None = None  # the bot-wide limit (Telegram: about 30 a second)
        self.flood_retry_after = 1
        # seconds every call but getUpdates takes (Telegram's servers are a long round trip away): with the bot's
        # few requests in flight, its replies then go out at a bounded pace
        self.answer_delay = 0.0
        self.webhook: dict[str, Any] | None = None  # set by setWebhook
        self.floods = 0  # 429 answers given
        self.conflicts: list[float] = []  # time.monotonic() of each long poll ended by a newer one (409)
        self._polls = 0  # getUpdates calls so far: a waiting one answers 409 once a newer one arrives
        self.photos: list[tuple[int, bytes]] = []  # (chat, bytes) of every sendPhoto
        self.files: dict[str, tuple[str, str, bytes]] = {}  # file_id -> (file_unique_id, file_path, bytes)
        self.downloads: list[str] = []  # file paths downloaded
        self._bucket = 0.0
        self._bucket_at = 0.0
        self._updates: deque[dict[str, Any]] = deque()
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._chats: dict[int, dict[str, Any]] = {}
        self._bot_messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._callback_ids: set[str] = set()
        self._sent_times: dict[int, deque[float]] = defaultdict(deque)
        self._cond = threading.Condition()
        self._server: ThreadingHTTPServer | None = None

    # -- serving ------------------------------------------------------------------------------------
    def start(self) -> FakeBotApi:
        self._server = serve_locally(lambda request, verb: self._handle(request), "fake-bot-api")
        return self

    def stop(self) -> None:
        with self._cond:
            self._cond.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    @property
    def base_file_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/file/bot"

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        if request.path.startswith("/file/"):
            self._download(request)
            return
        status, payload = 200, {}
        try:
            match = re.fullmatch(r"/bot([^/]+)/(\w+)", request.path.split("?")[0])
            if match is None:
                raise ApiError(404, "Not Found")
            if match.group(1) != self.token:
                raise ApiError(401, "Unauthorized")
            params = _parse_body(request)
            method = match.group(2)
            if self.answer_delay and method != "getUpdates":
                time.sleep(self.answer_delay)  # this request's own thread: other calls go on
            call = Call(method, params)
            with self._cond:
                self.calls.append(call)
            try:
                result = self._dispatch(method, params)
                call.ok = True
            except ApiError:
                call.ok = False
                raise
            finally:
                with self._cond:
                    self._cond.notify_all()
            payload = {"ok": True, "result": result}
        except ApiError as exc:
            status = exc.code
            payload = {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.parameters:
                payload["parameters"] = exc.parameters
        body = json.dumps(payload).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up on a long poll at shutdown

    def _download(self, request: BaseHTTPRequestHandler) -> None:
        """GET /file/bot<token>/<file_path>: the file's bytes, or Telegram's JSON error."""
        match = re.fullmatch(r"/file/bot([^/]+)/(.+)", unquote(request.path.split("?")[0]))  # PTB quotes the ":"
        found = None
        if match is not None and match.group(1) == self.token:
            found = next((f for f in self.files.values() if f[1] == match.group(2)), None)
        if found is None:
            status, body, kind = 404, b'{"ok":false,"error_code":404,"description":"Not Found"}', "application/json"
        else:
            status, body, kind = 200, found[2], "application/octet-stream"
            with self._cond:
                self.downloads.append(found[1])
        try:
            request.send_response(status)
            request.send_header("Content-Type", kind)
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    # -- the Bot API methods ------------------------------------------------------------------------
    def _dispatch(self, method: str, params: dict[str, Any]) -> Any:
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            raise ApiError(404, "Not Found")
        return handler(params)

    def _api_getMe(self, params: dict[str, Any]) -> Any:  # noqa: N802
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "挂职工作助手",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _api_deleteWebhook(self, params: dict[str, Any]) -> Any:  # noqa: N802
        self.webhook = None
        return True

    def _api_setWebhook(self, params: dict[str, Any]) -> Any:  # noqa: N802
        url = str(params.get("url", ""))
        if not url.startswith("https://"):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook = {"url": url, "secret_token": secret}
        return True

    def update_json(self, user_id: int, text: str) -> dict[str, Any]:
        """An update as Telegram would POST it to a webhook (not queued for getUpdates)."""
        update = self.push_message(user_id, text)
        with self._cond:
            self._updates.remove(update)
        return update

    def _api_setMyCommands(self, params: dict[str, Any]) -> Any:  # noqa: N802
        commands = _json_param(params, "commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: commands are invalid")
        for command in commands:
            if not _RE_COMMAND_NAME.match(str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands = commands
        return True

    def _api_getUpdates(self, params: dict[str, Any]) -> Any:  # noqa: N802
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + min(timeout, 5.0)
        with self._cond:
            if self.webhook is not None:
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
                    "the webhook first",
                )
            self._polls += 1
            poll = self._polls
            self._cond.notify_all()  # Telegram: one getUpdates at a time per bot; the newer one wins
            while self._updates and offset and self._updates[0]["update_id"] < offset:
                self._updates.popleft()  # confirmed by the offset
            while not self._updates and time.monotonic() < deadline and self._server is not None:
                self._cond.wait(timeout=max(0.0, deadline - time.monotonic()))
                if self._polls != poll:
                    self.conflicts.append(time.monotonic())
                    raise ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
                        "is running",
                    )
            return list(itertools.islice(self._updates, 0, limit))

    def _api_getFile(self, params: dict[str, Any]) -> Any:  # noqa: N802
        file_id = str(params.get("file_id", ""))
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        unique_id, path, data = self.files[file_id]
        if len(data) > MAX_DOWNLOAD:
            raise ApiError(400, "Bad Request: file is too big")
        return {"file_id": file_id, "file_unique_id": unique_id, "file_size": len(data), "file_path": path}

    def _api_sendMessage(self, params: dict[str, Any]) -> Any:  # noqa: N802
        chat_id = self._chat(params)
        text = str(params.get("text", ""))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        markup = self._markup(params)
        self._flood_check(chat_id)
        message = {**self._new_bot_message(chat_id), "text": text}
        if markup:
            message["reply_markup"] = markup
        self._bot_messages[(chat_id, message["message_id"])] = message
        return message

    def _api_editMessageText(self, params: dict[str, Any]) -> Any:  # noqa: N802
        chat_id = self._chat(params)
        key = (chat_id, int(params.get("message_id") or 0))
        message = self._bot_messages.get(key)
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        text = str(params.get("text", ""))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        markup = self._markup(params)
        if text == message["text"] and markup == message.get("reply_markup"):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply markup are exactly "
                "the same as a current content and reply markup of the message",
            )
        self._flood_check(chat_id)
        message["text"] = text
        message["edit_date"] = int(time.time())
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        return message

    def _api_answerCallbackQuery(self, params: dict[str, Any]) -> Any:  # noqa: N802
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self._callback_ids:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        if len(str(params.get("text") or "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    def _api_sendChatAction(self, params: dict[str, Any]) -> Any:  # noqa: N802
        self._chat(params)
        if params.get("action") not in ("typing", "upload_document", "upload_photo", "record_voice", "find_location"):
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _api_sendDocument(self, params: dict[str, Any]) -> Any:  # noqa: N802
        chat_id = self._chat(params)
        document = params.get("document")
        if not isinstance(document, bytes) or not document:
            raise ApiError(400, "Bad Request: there is no document in the request")
        if len(document) > MAX_UPLOAD:
            raise ApiError(413, "Request Entity Too Large")
        self._flood_check(chat_id)
        message = self._new_bot_message(chat_id)
        message_id = message["message_id"]
        name = str(params.get("document.filename") or "document")
        self.documents.append((chat_id, name, document))
        message.update(
            document={
                "file_id": f"BQACAgU-{message_id}",
                "file_unique_id": f"doc{message_id}",
                "file_name": name,
                "mime_type": "application/octet-stream",
                "file_size": len(document),
            }
        )
        if params.get("caption"):
            message["caption"] = params["caption"]
        return message

    def _api_sendPhoto(self, params: dict[str, Any]) -> Any:  # noqa: N802
        chat_id = self._chat(params)
        photo = params.get("photo")
        if not isinstance(photo, bytes) or not photo:
            raise ApiError(400, "Bad Request: there is no photo in the request")
        if len(photo) > MAX_PHOTO:
            raise ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
        if not photo.startswith((b"\x89PNG", b"\xff\xd8")):
            raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
        self._flood_check(chat_id)
        self.photos.append((chat_id, photo))
        message = self._new_bot_message(chat_id)
        message_id = message["message_id"]
        message["photo"] = [
            {"file_id": f"AgAC-{message_id}-s", "file_unique_id": f"ph{message_id}s", "width": 90, "height": 51},
            {"file_id": f"AgAC-{message_id}", "file_unique_id": f"ph{message_id}", "width": 1280, "height": 720},
        ]
        return message

    def _new_bot_message(self, chat_id: int) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chats[chat_id],
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "挂职工作助手", "username": BOT_USERNAME},
        }

    # -- checks shared by the methods ---------------------------------------------------------------
    def _chat(self, params: dict[str, Any]) -> int:
        try:
            chat_id = int(params.get("chat_id", ""))
        except ValueError as exc:
            raise ApiError(400, "Bad Request: chat not found") from exc
        if chat_id not in self._chats:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def _markup(self, params: dict[str, Any]) -> dict[str, Any] | None:
        markup = _json_param(params, "reply_markup")
        if markup is None:
            return None
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if not button.get("text"):
                    raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
                if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _flood_check(self, chat_id: int) -> None:
        """Telegram's flood control: per chat (a sliding second) and bot-wide (a bucket of one second's worth)."""
        now = time.monotonic()
        with self._cond:
            if self.overall_per_second is not None:
                rate = self.overall_per_second
                self._bucket = min(rate, self._bucket + (now - self._bucket_at) * rate) if self._bucket_at else rate
                self._bucket_at = now
                if self._bucket < 1.0:
                    self._flood()
            if self.per_chat_per_second is not None:
                sent = self._sent_times[chat_id]
                while sent and now - sent[0] > 1.0:
                    sent.popleft()
                if len(sent) >= self.per_chat_per_second:
                    self._flood()
                sent.append(now)
            if self.overall_per_second is not None:
                self._bucket -= 1.0

    def _flood(self) -> None:
        self.floods += 1
        retry = self.flood_retry_after
        raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})

    # -- what tests do ------------------------------------------------------------------------------
    def _user(self, user_id: int, first_name: str) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "zh-hans"}

    def _chat_for(self, user_id: int, chat_type: str, chat_id: int | None) -> dict[str, Any]:
        if chat_type == "private":
            chat = {"id": user_id, "type": "private", "first_name": "用户"}
        else:
            chat = {"id": chat_id or -100_000 - user_id, "type": chat_type, "title": "挂职干部群"}
        self._chats[chat["id"]] = chat
        return chat

    def _enqueue(self, update: dict[str, Any]) -> dict[str, Any]:
        with self._cond:
            self._updates.append(update)
            self._cond.notify_all()
        return update

    def push_message(
        self,
        user_id: int,
        text: str | None = None,
        *,
        first_name: str = "王明",
        chat_type: str = "private",
        chat_id: int | None = None,
        date: int | None = None,
        photo: bool = False,
        document: str | None = None,
        voice: bool | bytes = False,
        voice_duration: int = 7,
        voice_size: int | None = None,
        location: tuple[float, float] | None = None,
        caption: str | None = None,
    ) -> dict[str, Any]:
        """Queue a message from a user and return its update (to redeliver or edit it later). `voice`: a voice
        note (its bytes, or True for a short Ogg Opus one), kept for getFile; `voice_size` overrides the size the
        message states (Telegram's is the file's)."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": date or int(time.time()),
            "chat": self._chat_for(user_id, chat_type, chat_id),
            "from": self._user(user_id, first_name),
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if photo:
            message["photo"] = [
                {
                    "file_id": f"AgAD-small-{message['message_id']}",
                    "file_unique_id": f"s{message['message_id']}",
                    "width": 90,
                    "height": 90,
                    "file_size": 1200,
                },
                {
                    "file_id": f"AgAD-large-{message['message_id']}",
                    "file_unique_id": f"l{message['message_id']}",
                    "width": 1280,
                    "height": 960,
                    "file_size": 180000,
                },
            ]
        if document:
            message["document"] = {
                "file_id": f"BQAD-{message['message_id']}",
                "file_unique_id": f"d{message['message_id']}",
                "file_name": document,
                "mime_type": "application/pdf",
                "file_size": 52000,
            }
        if voice:
            number = message["message_id"]
            audio = voice if isinstance(voice, bytes) else OGG_OPUS + bytes(9000 - len(OGG_OPUS))
            self.files[f"AwAD-{number}"] = (f"v{number}", f"voice/file_{number}.oga", audio)
            message["voice"] = {
                "file_id": f"AwAD-{number}",
                "file_unique_id": f"v{number}",
                "duration": voice_duration,
                "mime_type": "audio/ogg",
                "file_size": len(audio) if voice_size is None else voice_size,
            }
        if location:
            message["location"] = {"latitude": location[0], "longitude": location[1]}
        if caption is not None:
            message["caption"] = caption
        return self._enqueue({"update_id": next(self._update_ids), "message": message})

    def push_edit(self, update: dict[str, Any], new_text: str) -> dict[str, Any]:
        """Queue an edit of a message the user sent earlier."""
        message = dict(update["message"], text=new_text, edit_date=int(time.time()))
        return self._enqueue({"update_id": next(self._update_ids), "edited_message": message})

    def redeliver(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue the same message again under a new update id, as after a lost acknowledgement."""
        body = {k: v for k, v in update.items() if k != "update_id"}
        return self._enqueue({"update_id": next(self._update_ids), **body})

    def push_callback(
        self, user_id: int, data: str, message: dict[str, Any], first_name: str = "王明"
    ) -> dict[str, Any]:
        """Queue a button press on a message the bot sent."""
        query_id = str(next(self._message_ids) * 7919)
        self._callback_ids.add(query_id)
        return self._enqueue(
            {
                "update_id": next(self._update_ids),
                "callback_query": {
                    "id": query_id,
                    "from": self._user(user_id, first_name),
                    "chat_instance": f"ci{user_id}",
                    "message": message,
                    "data": data,
                },
            }
        )

    def add_private_chats(self, user_ids: list[int]) -> None:
        """Users who have started the bot (Telegram lets a bot write only to them)."""
        with self._cond:
            for user_id in user_ids:
                self._chat_for(user_id, "private", None)

    def sent(self, chat_id: int | None = None, method: str = "sendMessage") -> list[dict[str, Any]]:
        with self._cond:
            return [
                c.params
                for c in self.calls
                if c.method == method and c.ok and (chat_id is None or int(c.params.get("chat_id", 0)) == chat_id)
            ]

    def wait_for(self, predicate: Any, timeout: float = 10.0) -> Any:
        """Block until predicate(self) is truthy; return its value or raise TimeoutError."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                value = predicate(self)
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("the bot did not answer in time")
                self._cond.wait(timeout=remaining)

    def bot_message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        return self._bot_messages[(chat_id, message_id)]

    def last_bot_message(self, chat_id: int) -> dict[str, Any]:
        mine = [m for (c, _), m in self._bot_messages.items() if c == chat_id]
        return mine[-1]


def _json_param(params: dict[str, Any], name: str) -> Any:
    value = params.get(name)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from exc
    return value


def serve_locally(answer: Callable[[BaseHTTPRequestHandler, str], None], name: str) -> ThreadingHTTPServer:
    """An HTTP/1.1 server on a free loopback port, in a thread, calling answer(request, "GET" | "POST")."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stalls

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            answer(self, "GET")

        def do_POST(self) -> None:
            answer(self, "POST")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name=name, daemon=True).start()
    return server


def _parse_body(request: BaseHTTPRequestHandler) -> dict[str, Any]:
    length = int(request.headers.get("Content-Length") or 0)
    raw = request.rfile.read(length) if length else b""
    params: dict[str, Any] = dict(parse_qsl(request.path.partition("?")[2]))
    content_type = request.headers.get("Content-Type", "")
    if not raw:
        return params
    if content_type.startswith("application/json"):
        params.update(json.loads(raw))
    elif content_type.startswith("multipart/form-data"):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + raw
        )
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            if part.get_filename():
                params[str(name)] = payload
                params[f"{name}.filename"] = part.get_filename()
            else:
                params[str(name)] = payload.decode()
        for key, value in list(params.items()):
            # a file may be sent under its own field or referenced as "attach://<part name>"
            if isinstance(value, str) and value.startswith("attach://") and value[9:] in params:
                params[key] = params[value[9:]]
                params[f"{key}.filename"] = params.get(f"{value[9:]}.filename")
    else:
        params.update(parse_qsl(raw.decode()))
    return params
