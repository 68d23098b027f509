"""What every handler receives besides the message."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from storage.entities import Person
from storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class HandlerSettings:
    """The slice of configuration handlers need."""

    default_timezone: str = "Asia/Shanghai"
    merge_window: dt.timedelta = dt.timedelta(minutes=5)
    invite_ttl: dt.timedelta = dt.timedelta(days=7)
    max_text_chars: int = 20000
    analysed_chars: int = 2000
    conversation_ttl: dt.timedelta = dt.timedelta(days=3)
    bot_username: str | None = None  # a command addressed to another bot (/today@otherbot) is not ours


@dataclass(frozen=True, slots=True)
class Context:
    uow: UnitOfWork
    person: Person | None
    now: dt.datetime  # aware, from the injected clock
    tz: ZoneInfo
    settings: HandlerSettings

    def local_date(self, moment: dt.datetime | None = None) -> dt.date:
        return (moment or self.now).astimezone(self.tz).date()

    def require_person(self) -> Person:
        if self.person is None:  # the dispatcher lets only public commands through without a person
            raise RuntimeError("handler needs a registered person")
        return self.person
