"""UnitOfWork: one session and the repositories bound to it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from storage.inbox import InboxRepo
from storage.repositories import (
    AttachmentRepo,
    AuditRepo,
    CalendarRepo,
    CommentRepo,
    ConsoleSessionRepo,
    ConsoleUserRepo,
    ConversationRepo,
    DeliveryRepo,
    DueRepo,
    EntryRepo,
    InviteRepo,
    LoginFailureRepo,
    PeopleRepo,
    PlaceRepo,
    ReminderRepo,
    ReportLogRepo,
)


class UnitOfWork:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.people = PeopleRepo(session)
        self.invites = InviteRepo(session)
        self.entries = EntryRepo(session)
        self.attachments = AttachmentRepo(session)
        self.conversations = ConversationRepo(session)
        self.calendar = CalendarRepo(session)
        self.reminders = ReminderRepo(session)
        self.deliveries = DeliveryRepo(session)
        self.due = DueRepo(session)  # next due time of each automatic reminder rule (timing/due.py)
        self.comments = CommentRepo(session)
        self.reports = ReportLogRepo(session)
        self.places = PlaceRepo(session)
        # the web console (console/)
        self.console_users = ConsoleUserRepo(session)
        self.console_sessions = ConsoleSessionRepo(session)
        self.login_failures = LoginFailureRepo(session)
        self.audit = AuditRepo(session)
        self.inbox = InboxRepo(session)  # the durable inbox (bot/inbox.py)
        # work to start once this unit of work is committed, outside it (the dispatcher starts it; a rollback
        # drops it): a report's polishing by the model must not hold the transaction
        self.after_commit: list[Callable[[], Awaitable[object]]] = []

    async def commit(self) -> None:
        await self._session.commit()

    async def release(self) -> None:
        """Commit what is done so far and give the connection back (SQLite has one): for work that then spends
        seconds away from the database, such as compiling a report, after reads and writes that may be repeated."""
        await self._session.commit()

    async def rollback(self) -> None:
        await self._session.rollback()
