"""The on-premises language model behind an OpenAI-compatible API (vLLM, Ollama, LMDeploy, Xinference), for the
report's prose (handlers/polish.py). Only this module talks to it.

One call: a per-call timeout (never past the report's budget), one retry after a 429 (its retry-after honoured
when it fits the budget), a timeout, a lost connection or a server fault, with a short backoff; a server that
refuses the JSON-schema response format (older Ollama, LMDeploy) is asked once more for plain JSON. Anything
else, or a second failure, is a ModelError: the caller keeps the compiler's text.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from openai import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncOpenAI,
    BadRequestError,
    OpenAIError,
    RateLimitError,
)

from bot.channels.base import Channel
from bot.config import Settings
from handlers import polish
from handlers.messages import Reply
from handlers.polish import ModelError, Polisher

logger = logging.getLogger(__name__)

BACKOFF = 1.0  # seconds before the one retry (a 429's retry-after instead, when it gives one)
TEMPERATURE = 0.3  # some freedom of wording; the facts come from the placeholders anyway
MAX_TOKENS = 2048  # one section's paragraphs
PLAIN_JSON: dict[str, Any] = {"type": "json_object"}


def _retry_after(exc: APIStatusError) -> float | None:
    value = exc.response.headers.get("retry-after") if exc.response is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: not worth parsing for a one-off retry


class OpenAICompatibleModel:
    """handlers.polish.ChatModel over the `openai` SDK pointed at a local `base_url`."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout: float = 60.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._client = AsyncOpenAI(base_url=base_url, api_key=api_key or "none", timeout=timeout, max_retries=0)
        self._model = model
        self._timeout = timeout
        self._sleep = sleep

    async def complete(self, messages: list[dict[str, str]], response_format: dict[str, Any], remaining: float) -> str:
        """The model's answer to one conversation; ModelError when it gives none within `remaining` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + remaining
        fmt = response_format
        for attempt in (1, 2):
            left = deadline - loop.time()
            if left <= 0:
                raise ModelError("budget spent")
            try:
                response = await self._client.chat.completions.create(  # type: ignore[call-overload]
                    model=self._model,
                    messages=messages,
                    response_format=fmt,
                    temperature=TEMPERATURE,
                    max_tokens=MAX_TOKENS,
                    timeout=min(self._timeout, left),
                )
                choice = response.choices[0] if response.choices else None
                content = choice.message.content if choice is not None else None
                if not isinstance(content, str) or not content:
                    raise ModelError("empty answer")
                return content
            except BadRequestError as exc:
                if fmt is PLAIN_JSON or attempt == 2:
                    raise ModelError(f"refused: {exc.status_code}") from exc
                logger.info("the model refused the JSON schema (%s); asking for plain JSON", exc.status_code)
                fmt, wait, reason = PLAIN_JSON, 0.0, "400"
            except RateLimitError as exc:
                wait = _retry_after(exc) or BACKOFF
                reason = "429"
            except APIStatusError as exc:
                if exc.status_code < 500:
                    raise ModelError(f"refused: {exc.status_code}") from exc  # a wrong key or model name: no retry
                wait, reason = BACKOFF, str(exc.status_code)
            except APITimeoutError as exc:
                wait, reason = BACKOFF, type(exc).__name__
            except APIConnectionError as exc:
                wait, reason = BACKOFF, type(exc).__name__
            except OpenAIError as exc:  # an answer the SDK could not read (a broken proxy)
                wait, reason = BACKOFF, type(exc).__name__
            if attempt == 2:
                raise ModelError(reason)
            if wait >= deadline - loop.time():
                raise ModelError(f"{reason}; retry would pass the budget")
            logger.info("model call failed (%s); one retry in %.1f s", reason, wait)
            await self._sleep(wait)
        raise ModelError("no answer")  # not reached: the second attempt returns or raises

    async def close(self) -> None:
        await self._client.close()


def configure_polishing(settings: Settings, channels: Sequence[Channel]) -> OpenAICompatibleModel | None:
    """Polish reports with the model REPORT_LLM_* names, its results sent through the running channels; None
    (and no polishing) when it is not configured. The caller closes the model at stop."""
    if settings.report_llm_base_url is None or settings.report_llm_model is None:
        polish.configure(None)
        return None
    model = OpenAICompatibleModel(
        settings.report_llm_base_url,
        settings.report_llm_model,
        settings.report_llm_api_key.get_secret_value() if settings.report_llm_api_key is not None else None,
        timeout=settings.report_llm_timeout_seconds,
    )
    by_name = {c.name: c for c in channels}

    async def send(channel: str, chat_id: str, reply: Reply) -> str:
        found = by_name.get(channel)
        return await found.send(chat_id, reply) if found is not None else "failed"

    polish.configure(Polisher(model, settings.report_llm_kind_set(), settings.report_llm_budget_seconds, send=send))
    logger.info("reports polished by %s at %s", settings.report_llm_model, settings.report_llm_base_url)
    return model
