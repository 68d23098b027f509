"""A chat in the terminal: for a first run, demos and tests. Buttons become numbered choices."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.channels.base import NumberedButtons, reply_parts
from handlers import texts
from handlers.messages import Document, IncomingMessage, Reply
from handlers.router import Clock, Dispatcher

logger = logging.getLogger(__name__)


class ConsoleChannel:
    name = "console"

    def __init__(
        self,
        dispatcher: Dispatcher,
        *,
        user_id: str,
        user_name: str,
        clock: Clock,
        hint: str,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        on_close: Callable[[], None] | None = None,
        export_dir: Path | None = None,
    ) -> None:
        self._dispatcher = dispatcher
        self._user_id = user_id
        self._user_name = user_name
        self._clock = clock
        self._hint = hint
        self._in = stdin or sys.stdin
        self._out = stdout or sys.stdout
        self._on_close = on_close
        self._export_dir = export_dir or Path("exports")
        self._buttons = NumberedButtons()
        self._task: asyncio.Task[None] | None = None
        self._interactive = self._in.isatty()

    async def start(self) -> None:
        self._write(self._hint)
        self._task = asyncio.create_task(self.run())

    async def run(self) -> None:
        """Read lines until end of input, answering each one."""
        lines: asyncio.Queue[str] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        def read() -> None:
            # A daemon thread: a blocking readline must not keep the process alive at shutdown.
            while True:
                line = self._in.readline()
                loop.call_soon_threadsafe(lines.put_nowait, line)
                if not line:
                    return

        threading.Thread(target=read, name="console-input", daemon=True).start()
        try:
            while True:
                if self._interactive:
                    self._out.write("> ")
                    self._out.flush()
                line = await lines.get()
                if not line:
                    break
                await self.handle_line(line.rstrip("\n"))
        finally:
            if self._on_close is not None:
                self._on_close()

    async def handle_line(self, line: str) -> None:
        msg = self._to_incoming(line)
        if msg is None:
            self._write(texts.CONSOLE_BAD_CHOICE)
            return
        self._render(await self._dispatcher.dispatch(msg))

    def _to_incoming(self, line: str) -> IncomingMessage | None:
        callback = self._buttons.press(self._user_id, line)
        if callback is False:
            return None
        return IncomingMessage(
            channel=self.name,
            chat_id=self._user_id,
            user_id=self._user_id,
            user_name=self._user_name,
            text="" if callback else line,
            sent_at=self._clock(),
            callback_data=callback,
        )

    def _render(self, reply: Reply) -> None:
        for part in reply_parts(reply):
            if isinstance(part, Document):
                self._export_dir.mkdir(parents=True, exist_ok=True)
                path = self._export_dir / part.filename
                path.write_bytes(part.data)
                self._write(texts.CONSOLE_DOCUMENT_SAVED.format(path=path))
            else:
                self._write(part)
        choices = self._buttons.offer(self._user_id, reply)
        if choices:
            self._write(texts.CONSOLE_BUTTONS.format(choices=choices))

    async def send(self, chat_id: str, reply: Reply) -> str:
        """Show a message nobody typed for (a reminder), if it is for whoever chats in this terminal: a comment a
        supervisor writes here for his cadre's console account must not appear on his own screen."""
        if chat_id != self._user_id:
            return "failed"
        self._render(reply)
        return "sent"

    def _write(self, text: str) -> None:
        self._out.write(text + "\n")
        self._out.flush()

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
