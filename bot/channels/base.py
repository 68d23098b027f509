"""What every channel offers, and helpers they share."""

from __future__ import annotations

from typing import Protocol

from handlers.messages import Document, Reply


class Channel(Protocol):
    name: str

    async def start(self) -> None:
        """Begin receiving messages; return once running."""

    async def stop(self) -> None:
        """Stop receiving and finish what is in hand."""

    async def send(self, chat_id: str, reply: Reply) -> str:
        """Send a message unprompted (a reminder); return "sent", "blocked" or "failed"."""


def chunk_text(text: str, limit: int) -> list[str]:
    """Split text into pieces of at most `limit` characters, preferring line breaks."""
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut <= limit // 2:
            cut = limit
        chunks.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    if rest:
        chunks.append(rest)
    return chunks


def reply_parts(reply: Reply) -> list[str | Document]:
    """The messages a reply consists of, in sending order: its text, its file, then any follow-up lines
    (so that a question asked after a report is the last thing the user sees)."""
    parts: list[str | Document] = [reply.text] if reply.text else []
    if reply.document is not None:
        parts.append(reply.document)
    return parts + [t for t in reply.extra if t]
