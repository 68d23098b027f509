"""UnitOfWork: one session and the repositories bound to it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories import (
    AttachmentRepo,
    CalendarRepo,
    CommentRepo,
    ConversationRepo,
    DeliveryRepo,
    EntryRepo,
    InviteRepo,
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
        self.comments = CommentRepo(session)
        self.reports = ReportLogRepo(session)
        self.places = PlaceRepo(session)

    async def commit(self) -> None:
        await self._session.commit()

    async def rollback(self) -> None:
        await self._session.rollback()
