"""The neutral vocabulary between channels and handlers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class IncomingAttachment:
    kind: str  # photo | document | voice | video | location
    file_id: str | None = None
    file_unique_id: str | None = None
    file_name: str | None = None
    mime_type: str | None = None
    file_size: int | None = None
    duration: int | None = None
    latitude: float | None = None
    longitude: float | None = None


# why a voice note was not transcribed: speech recognition not set up, longer than the maximum duration, larger
# than the maximum size, the download failed, the model failed (an error, a timeout after one retry), it heard no
# words, or what it returned was not usable (longer than any typed message may be)
UNHEARD_REASONS = ("unset", "too_long", "too_big", "download_failed", "failed", "empty", "garbled")


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    channel: str  # telegram | wecom | console
    chat_id: str
    user_id: str
    user_name: str
    text: str
    sent_at: dt.datetime  # the platform's timestamp, aware
    message_id: str | None = None
    is_private: bool = True
    edited: bool = False
    callback_data: str | None = None
    attachments: tuple[IncomingAttachment, ...] = ()
    # A voice note, prepared by the channel before handling: what the speech model heard, or why nothing was
    # heard (one of UNHEARD_REASONS). Both None: not a voice note, or not prepared (the console, tests).
    heard: str | None = None
    unheard: str | None = None

    @property
    def source(self) -> tuple[str, str, str] | None:
        """The platform's own key for this message, used to store a redelivered update only once."""
        if self.message_id is None:
            return None
        return (self.channel, self.chat_id, self.message_id)


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: str  # callback data, at most 64 bytes (Telegram's limit)


@dataclass(frozen=True, slots=True)
class Document:
    """A file to send with a reply (a report draft, a ledger)."""

    filename: str
    data: bytes
    mime_type: str


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    replace: bool = False  # for a button press: replace the message that carried the button
    callback_notice: str | None = None  # a short toast for the button press itself
    extra: tuple[str, ...] = field(default=())  # further messages, sent after this one
    document: Document | None = None  # sent after the text
    photo: Document | None = None  # a picture (PNG), sent after the text and before any document
