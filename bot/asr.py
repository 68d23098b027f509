"""Voice notes heard: a voice note is downloaded by its channel and transcribed by an on-premises speech model
(an OpenAI-compatible `audio/transcriptions` endpoint: SenseVoice or FunASR served by Xinference or vLLM, or
Whisper) before the message is handled, never inside its database transaction.

The inbox calls the channel's `prepare` for each decoded message; for a voice note without words the channel
calls `hear` here with its own download. The result travels on the message (`heard`, or `unheard` with the
reason) and capture files it like typed text (handlers/capture.py). Bounded: a maximum duration and size (checked
on what the platform says before downloading, on the bytes after; an over-long note is never sent to the model),
a timeout per attempt, one retry.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from openai import APIError, AsyncOpenAI

from analysis.inputs import clean_text
from handlers.messages import IncomingAttachment, IncomingMessage

logger = logging.getLogger(__name__)

CONCURRENT = 4  # transcriptions at once per process: an office's speech server is shared, and small
LANGUAGE = "zh"
# SenseVoice's rich transcription: <|zh|><|NEUTRAL|><|Speech|><|woitn|> tags, or (post-processed) the emoji it
# puts for an emotion or a sound event. Never part of what was said.
_RE_TAGS = re.compile(r"<\|[^|<>]{0,32}\|>")
_RE_EVENT_EMOJI = re.compile("[😊😔😡😰🤢😮🎼👏😀😭🤧]")


class TooLarge(Exception):
    """A download stopped because the file is larger than the maximum size."""


@dataclass(frozen=True, slots=True)
class AsrConfig:
    base_url: str
    model: str
    api_key: str | None = None
    max_seconds: int = 180
    max_bytes: int = 10 * 1024 * 1024
    timeout: float = 60.0


@dataclass(frozen=True, slots=True)
class Hearing:
    text: str | None  # what was heard, tidied (None when nothing was)
    unheard: str | None = None  # why not: handlers.messages.UNHEARD_REASONS


# A channel's download of a voice attachment, given the maximum size: (file name, bytes); raises TooLarge.
Fetch = Callable[[IncomingAttachment, int], Awaitable[tuple[str, bytes]]]


class Transcriber:
    """One speech model behind an OpenAI-compatible API, through the openai SDK (its own timeout and retry)."""

    def __init__(self, config: AsrConfig, client: AsyncOpenAI | None = None) -> None:
        self.config = config
        self._client = client or AsyncOpenAI(
            base_url=config.base_url,
            api_key=config.api_key or "none",  # on-premises servers mostly ask for none; the SDK wants one
            timeout=config.timeout,
            max_retries=1,
        )
        self._slots = asyncio.Semaphore(CONCURRENT)

    async def close(self) -> None:
        await self._client.close()

    def refuses(self, seconds: float | None, size: int | None) -> str | None:
        """Why a note of this duration and size is not sent to the model (None: it may be)."""
        if seconds is not None and seconds > self.config.max_seconds:
            return "too_long"
        if size is not None and size > self.config.max_bytes:
            return "too_big"
        return None

    async def transcribe(self, name: str, data: bytes) -> Hearing:
        """What the model heard in the audio; a model error, a timeout (after one retry) → unheard "failed"."""
        try:
            async with self._slots:
                result = await self._client.audio.transcriptions.create(
                    model=self.config.model, file=(name, data), language=LANGUAGE
                )
        except APIError as exc:
            logger.warning("speech model failed: %s", type(exc).__name__)
            return Hearing(None, "failed")
        raw = result if isinstance(result, str) else getattr(result, "text", None)
        if not isinstance(raw, str):
            logger.warning("speech model answered without a text")
            return Hearing(None, "failed")
        text = tidy(raw)
        return Hearing(text, None) if text else Hearing(None, "empty")


def tidy(text: str) -> str:
    """A transcript as a cadre would have typed it: SenseVoice's tags and event emoji gone, text cleaned."""
    return clean_text(_RE_EVENT_EMOJI.sub("", _RE_TAGS.sub("", text)))


def voice_of(msg: IncomingMessage) -> IncomingAttachment | None:
    """The voice note to transcribe: one sent without words (a caption is what he wrote), not an edit."""
    if msg.edited or msg.callback_data is not None or clean_text(msg.text):
        return None
    return next((a for a in msg.attachments if a.kind == "voice" and a.file_id), None)


async def hear(msg: IncomingMessage, transcriber: Transcriber | None, fetch: Fetch) -> IncomingMessage:
    """The message with what its voice note says (or why that is not known); other messages unchanged. Never
    raises but for cancellation: a failure is a reason on the message, and the note stays an attachment."""
    voice = voice_of(msg)
    if voice is None:
        return msg
    if transcriber is None:
        return replace(msg, unheard="unset")
    reason = transcriber.refuses(voice.duration, voice.file_size)
    if reason is not None:
        return replace(msg, unheard=reason)
    try:
        name, data = await fetch(voice, transcriber.config.max_bytes)
    except TooLarge:
        return replace(msg, unheard="too_big")
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # the platform's error, the network: kept as an attachment
        logger.warning("downloading a %s voice note failed: %s", msg.channel, type(exc).__name__)
        return replace(msg, unheard="download_failed")
    reason = transcriber.refuses(amr_seconds(data), len(data))
    if reason is not None:
        return replace(msg, unheard=reason)
    try:
        hearing = await transcriber.transcribe(name, data)
    except asyncio.CancelledError:
        raise
    except Exception:
        logger.exception("transcribing a voice note failed")
        hearing = Hearing(None, "failed")
    return replace(msg, heard=hearing.text, unheard=hearing.unheard)


# AMR storage format (RFC 4867 §5): a magic line, then frames of 20 ms, each led by a header byte whose frame
# type (bits 3–6) fixes the frame's length in bytes (header included); its other bits are 0 but Q (bit 2). WeCom sends voice notes as AMR and says
# nothing of their duration.
_AMR_NB = (b"#!AMR\n", (13, 14, 16, 18, 20, 21, 27, 32, 6))
_AMR_WB = (b"#!AMR-WB\n", (18, 24, 33, 37, 41, 47, 51, 59, 61, 6))
_NO_DATA = 15


def amr_seconds(data: bytes) -> float | None:
    """The duration of AMR (narrow- or wide-band) audio, from its frames; None if it is not AMR. Reading stops
    at a frame it cannot size (what came before is counted)."""
    found = [(magic, sizes) for magic, sizes in (_AMR_NB, _AMR_WB) if data.startswith(magic)]
    if not found:
        return None
    magic, sizes = found[0]
    at, frames = len(magic), 0
    while at < len(data):
        header = data[at]
        kind = (header >> 3) & 0x0F
        if header & 0x83:  # the F bit and the padding are 0 in the storage format: not a frame
            break
        if kind < len(sizes):
            at += sizes[kind]
        elif kind == _NO_DATA:
            at += 1
        else:
            break
        frames += 1
    return frames * 0.02
