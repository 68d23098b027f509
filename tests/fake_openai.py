"""A fake OpenAI-compatible server on 127.0.0.1, for the report polisher's and the voice notes' tests and benches.

It answers what vLLM, Ollama, LMDeploy and Xinference serve behind their OpenAI-compatible API, in the API's own
shapes: `POST /v1/chat/completions` (a `chat.completion` object with `choices[0].message.content`),
`POST /v1/audio/transcriptions` (multipart: `file`, `model`, optional `language`, `prompt`, `response_format` of
json | text | verbose_json) and `GET /v1/models`. Errors are `{"error": {"message", "type", "param", "code"}}`
with the status the API gives: 401 for a wrong key, 404 for an unknown model, 400 for a malformed request, 429 with
`retry-after`, 500 on a server fault.

A test decides what the model says: `chat` and `transcribe` are callables given the request and returning the
answer, or an `Outcome` (an error, a delay, a hang until the client gives up). Every request is recorded in
`requests`, so a test can check what was sent (nothing from another cadre).
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fake_telegram import serve_locally

MAX_AUDIO = 25 * 1024 * 1024  # the API's limit on an uploaded audio file


@dataclass(frozen=True)
class Outcome:
    """What the server does instead of (or before) answering: an error status, a delay, or never answering."""

    status: int = 200
    message: str = ""
    delay: float = 0.0  # seconds before the answer (a slow model)
    hang: bool = False  # never answer: the client's timeout must end the call
    retry_after: float | None = None  # for 429
    body: str | None = None  # a raw body to send as is (a broken proxy, a truncated answer)


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    json: dict[str, Any] | None = None
    form: dict[str, str] = field(default_factory=dict)
    file_name: str | None = None
    file_bytes: bytes = b""
    at: float = field(default_factory=time.monotonic)

    def prompt_text(self) -> str:
        """Every message's content of a chat request, joined: what the model was shown."""
        messages = (self.json or {}).get("messages") or []
        parts: list[str] = []
        for message in messages:
            content = message.get("content")
            if isinstance(content, str):
                parts.append(content)
            elif isinstance(content, list):
                parts += [str(p.get("text", "")) for p in content if isinstance(p, dict)]
        return "\n".join(parts)


ChatAnswer = str | Outcome
ChatResponder = Callable[[Request], ChatAnswer]
TranscribeResponder = Callable[[Request], ChatAnswer]


def _no_chat(request: Request) -> ChatAnswer:
    return Outcome(500, "no chat responder set for this test")


def _no_transcription(request: Request) -> ChatAnswer:
    return Outcome(500, "no transcription responder set for this test")


_ERROR_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    404: ("invalid_request_error", "model_not_found"),
    413: ("invalid_request_error", "file_too_large"),
    429: ("rate_limit_exceeded", "rate_limit_exceeded"),
    500: ("server_error", None),
    503: ("server_error", None),
}


class FakeOpenAI:
    """The server's state; `start()` serves it on a free loopback port. `base_url` ends in /v1, as clients expect."""

    def __init__(
        self, models: tuple[str, ...] = ("qwen2.5-7b-instruct", "sensevoice-small"), api_key: str | None = None
    ):
        self.models = set(models)
        self.api_key = api_key
        self.chat: ChatResponder = _no_chat
        self.transcribe: TranscribeResponder = _no_transcription
        self.requests: list[Request] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    # -- life cycle --------------------------------------------------------------------------------------------
    def start(self) -> FakeOpenAI:
        self._server = serve_locally(self._answer, "fake-openai")
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the server first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def chat_requests(self) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def transcription_requests(self) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path.endswith("/audio/transcriptions")]

    # -- HTTP --------------------------------------------------------------------------------------------------
    def _answer(self, http: BaseHTTPRequestHandler, verb: str) -> None:
        path = http.path.partition("?")[0].rstrip("/")
        length = int(http.headers.get("Content-Length") or 0)
        raw = http.rfile.read(length) if length else b""
        if self.api_key is not None and http.headers.get("Authorization") != f"Bearer {self.api_key}":
            self._error(http, Outcome(401, "Incorrect API key provided."))
            return
        if verb == "GET" and path == "/v1/models":
            data = [{"id": m, "object": "model", "created": 0, "owned_by": "local"} for m in sorted(self.models)]
            self._json(http, 200, {"object": "list", "data": data})
            return
        if verb != "POST" or path not in ("/v1/chat/completions", "/v1/audio/transcriptions"):
            self._error(http, Outcome(404, f"Unknown request URL: {verb} {path}."))
            return
        request = Request(path=path, headers={k.lower(): v for k, v in http.headers.items()})
        try:
            if path.endswith("/chat/completions"):
                self._parse_chat(request, raw)
            else:
                self._parse_audio(request, raw, http.headers.get("Content-Type", ""))
        except ValueError as exc:
            self._error(http, Outcome(400, str(exc)))
            return
        with self._lock:
            self.requests.append(request)
        model = (request.json or {}).get("model") if request.json is not None else request.form.get("model")
        if model not in self.models:
            self._error(http, Outcome(404, f"The model `{model}` does not exist."))
            return
        if path.endswith("/audio/transcriptions") and len(request.file_bytes) > MAX_AUDIO:
            self._error(http, Outcome(413, "Maximum content size limit (26214400) exceeded."))
            return
        responder = self.chat if path.endswith("/chat/completions") else self.transcribe
        answer = responder(request)
        if isinstance(answer, Outcome):
            if answer.hang:
                self._stopping.wait(120)  # until the server stops: the client's timeout ends the call
                return
            if answer.delay:
                self._stopping.wait(answer.delay)
            if answer.body is not None:
                self._raw(http, answer.status, answer.body.encode(), "application/json")
                return
            if answer.status != 200:
                self._error(http, answer)
                return
            answer = answer.message
        if path.endswith("/chat/completions"):
            self._json(http, 200, self._completion(str(model), answer, request))
        else:
            self._transcription(http, answer, request)

    @staticmethod
    def _parse_chat(request: Request, raw: bytes) -> None:
        try:
            body = json.loads(raw or b"null")
        except json.JSONDecodeError as exc:
            raise ValueError(f"We could not parse the JSON body of your request. ({exc.msg})") from exc
        if not isinstance(body, dict):
            raise ValueError("The request body must be a JSON object.")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise ValueError("'messages' is a required property and must be a non-empty array.")
        for message in messages:
            if not isinstance(message, dict) or message.get("role") not in ("system", "user", "assistant", "tool"):
                raise ValueError("Invalid value for 'messages': each message needs a valid 'role'.")
        response_format = body.get("response_format")
        if response_format is not None:
            kind = response_format.get("type") if isinstance(response_format, dict) else None
            if kind not in ("text", "json_object", "json_schema"):
                raise ValueError("Invalid value for 'response_format.type'.")
            if kind == "json_schema" and not isinstance(response_format.get("json_schema", {}).get("schema"), dict):
                raise ValueError("'response_format.json_schema.schema' is required for type json_schema.")
        request.json = body

    @staticmethod
    def _parse_audio(request: Request, raw: bytes, content_type: str) -> None:
        if not content_type.startswith("multipart/form-data"):
            raise ValueError("Audio transcription requests must be multipart/form-data.")
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + raw
        )
        for part in message.iter_parts():
            name = str(part.get_param("name", header="content-disposition"))
            payload = part.get_payload(decode=True) or b""
            if name == "file":
                request.file_name = part.get_filename() or "file"
                request.file_bytes = bytes(payload)
            else:
                request.form[name] = bytes(payload).decode()
        if request.file_name is None:
            raise ValueError("'file' is a required property.")
        if "model" not in request.form:
            raise ValueError("'model' is a required property.")
        if request.form.get("response_format", "json") not in ("json", "text", "verbose_json", "srt", "vtt"):
            raise ValueError("Invalid value for 'response_format'.")

    def _completion(self, model: str, content: str, request: Request) -> dict[str, Any]:
        prompt_tokens = len(request.prompt_text())
        return {
            "id": f"chatcmpl-fake{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "logprobs": None,
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": len(content),
                "total_tokens": prompt_tokens + len(content),
            },
        }

    def _transcription(self, http: BaseHTTPRequestHandler, text: str, request: Request) -> None:
        response_format = request.form.get("response_format", "json")
        if response_format == "text":
            self._raw(http, 200, text.encode(), "text/plain; charset=utf-8")
        elif response_format == "verbose_json":
            body = {
                "task": "transcribe",
                "language": request.form.get("language", "zh"),
                "duration": 0.0,
                "text": text,
                "segments": [],
            }
            self._json(http, 200, body)
        else:
            self._json(http, 200, {"text": text})

    def _error(self, http: BaseHTTPRequestHandler, outcome: Outcome) -> None:
        kind, code = _ERROR_TYPES.get(outcome.status, ("server_error", None))
        body = {
            "error": {
                "message": outcome.message or "The server had an error.",
                "type": kind,
                "param": None,
                "code": code,
            }
        }
        headers = {"retry-after": f"{outcome.retry_after:g}"} if outcome.retry_after is not None else {}
        self._raw(http, outcome.status, json.dumps(body).encode(), "application/json", headers)

    def _json(self, http: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
        self._raw(http, status, json.dumps(body, ensure_ascii=False).encode(), "application/json")

    @staticmethod
    def _raw(
        http: BaseHTTPRequestHandler, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        try:
            http.send_response(status)
            http.send_header("Content-Type", content_type)
            http.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                http.send_header(name, value)
            http.end_headers()
            http.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (its timeout): nothing to answer
