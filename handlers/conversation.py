"""Answers to a question the bot asked: a profile field at registration, what a report draft lacks, or a
supervisor's comment on an entry."""

from __future__ import annotations

from handlers import reports, start, supervision
from handlers.context import Context
from handlers.messages import IncomingMessage, Reply
from handlers.router import NotForConversation


async def answer(msg: IncomingMessage, args: str, ctx: Context) -> Reply:
    """Route a plain-text answer to the question waiting for it; anything else is not ours."""
    person = ctx.require_person()
    if msg.callback_data is not None or (msg.attachments and not msg.text.strip()):
        raise NotForConversation
    if not person.awaits_answer(ctx.now):
        raise NotForConversation  # known from the person lookup: no query for ordinary messages
    state = await ctx.uow.conversations.get(person.id, ctx.now)
    if state is not None and state.state == start.PROFILE_STATE:
        return await start.answer_profile(msg, state, ctx)
    if state is not None and state.state == reports.QUESTIONS_STATE:
        return await reports.answer_question(msg, state, ctx)
    if state is not None and state.state == supervision.COMMENT_STATE:
        return await supervision.answer_comment(msg, state, ctx)
    raise NotForConversation
