"""Joining: invites, profile questions, unregistered and removed users, group chats."""

from __future__ import annotations

import datetime as dt
import re

from handlers import admin, texts
from storage.db import Database
from tests.conftest import Chat, FrozenClock


async def invite(
    db: Database, clock: FrozenClock, role: str = "cadre", name: str | None = None, days: float = 7
) -> str:
    async with db.unit_of_work() as uow:
        text = await admin.create_invite(uow, role=role, name=name, ttl=dt.timedelta(days=days), now=clock())
        await uow.commit()
    return re.search(r"[A-Z2-9]{8}", text).group(0)  # type: ignore[union-attr]


async def test_unregistered_user_gets_the_join_hint_and_nothing_is_stored(chat: Chat, db: Database) -> None:
    for text in ("今天走访东坪村", "/today", "/start", "/start WRONG123", "/history 2026-07-01 2026-07-02"):
        reply = await chat.say(text)
        assert reply.text in (texts.JOIN_HINT, texts.INVITE_INVALID)
        assert "东坪村" not in reply.text
    assert (await chat.press("u:1")).text == texts.JOIN_HINT
    async with db.unit_of_work() as uow:
        assert await uow.people.all() == []


async def test_invite_registers_a_cadre_and_asks_for_the_missing_profile(
    chat: Chat, db: Database, clock: FrozenClock
) -> None:
    code = await invite(db, clock, name="王明")
    reply = await chat.say(f"/start {code.lower()}")
    assert reply.text == texts.WELCOME_CADRE.format(name="王明")
    assert reply.extra == (texts.ASK_FIELD["host_unit"],)
    assert (await chat.say("青山镇人民政府")).text == texts.ASK_FIELD["position"]
    assert (await chat.say("党委副书记")).text == texts.ASK_FIELD["sending_unit"]
    assert (await chat.say("跳过")).text == texts.ASK_FIELD["start_date"]
    assert (await chat.say("下个月吧")).text == texts.ANSWER_BAD_DATE
    assert (await chat.say("2026-06-01")).text == texts.ASK_FIELD["end_date"]
    assert (await chat.say("2026-05-01")).text == texts.ANSWER_END_BEFORE_START.format(start="6月1日")
    done = await chat.say("2026-11-30")
    assert done.text.startswith("挂职信息已齐全：青山镇人民政府 党委副书记，6月1日 至 11月30日")
    captured = await chat.say("上午列席镇党委会")
    assert captured.text.startswith("✅ 已记 #1")
    async with db.unit_of_work() as uow:
        person = await uow.people.by_identity("telegram", "51001")
        assert person is not None and person.role == "cadre" and person.posting is not None
        assert person.posting.sending_unit is None and person.posting.start_date == dt.date(2026, 6, 1)


async def test_commands_work_while_a_question_is_open(chat: Chat, db: Database, clock: FrozenClock) -> None:
    await chat.say(f"/start {await invite(db, clock, name='王明')}")
    assert (await chat.say("/help")).text.startswith("挂职工作助手 · 用法")
    assert (await chat.say("青山镇人民政府")).text == texts.ASK_FIELD["position"]


async def test_invite_without_name_uses_the_platform_name(chat: Chat, db: Database, clock: FrozenClock) -> None:
    reply = await chat.say(f"/start {await invite(db, clock, role='supervisor')}")
    assert reply.text == texts.WELCOME_SUPERVISOR.format(name="王明")
    async with db.unit_of_work() as uow:
        person = await uow.people.by_identity("telegram", "51001")
        assert person is not None and person.role == "supervisor"


async def test_invite_works_once_and_expires(chat: Chat, db: Database, clock: FrozenClock) -> None:
    code = await invite(db, clock)
    await chat.say(f"/start {code}")
    second = Chat(chat.dispatcher, clock, user="51009")
    assert (await second.say(f"/start {code}")).text == texts.INVITE_USED
    old = await invite(db, clock, days=7)
    clock.advance(days=8)
    assert (await second.say(f"/start {old}")).text == texts.INVITE_EXPIRED
    async with db.unit_of_work() as uow:
        assert await uow.people.by_identity("telegram", "51009") is None


async def test_registered_user_starting_again(chat: Chat, cadre: str, db: Database, clock: FrozenClock) -> None:
    assert (await chat.say("/start")).text == texts.WELCOME_BACK.format(name="王明")
    code = await invite(db, clock)
    assert (await chat.say(f"/start {code}")).text == texts.ALREADY_REGISTERED.format(name="王明")
    async with db.unit_of_work() as uow:
        assert (await uow.invites.get(code)).used_at is None  # type: ignore[union-attr]


async def test_removed_user_is_refused_and_data_kept(chat: Chat, cadre: str, db: Database, clock: FrozenClock) -> None:
    await chat.say("上午列席镇党委会")
    async with db.unit_of_work() as uow:
        await admin.remove_person(uow, channel="telegram", external_id="51001", now=clock())
        await uow.commit()
    assert (await chat.say("下午走访东坪村")).text == texts.ACCOUNT_REMOVED
    assert (await chat.say("/today")).text == texts.ACCOUNT_REMOVED
    async with db.unit_of_work() as uow:
        person = await uow.people.by_identity("telegram", "51001")
        assert person is not None and not person.active
        assert len(await uow.entries.between(person.id, dt.date(2026, 1, 1), dt.date(2026, 12, 31))) == 1


async def test_group_chat_is_refused_politely(chat: Chat, cadre: str, db: Database) -> None:
    reply = await chat.dispatcher.dispatch(chat.message("上午列席镇党委会", is_private=False, chat_id="-100123"))
    assert reply.text == texts.GROUP_REFUSED
    async with db.unit_of_work() as uow:
        person = await uow.people.by_identity("telegram", "51001")
        assert person is not None
        assert await uow.entries.between(person.id, dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == []


async def test_bind_word_is_start_on_every_platform(chat: Chat, db: Database, clock: FrozenClock) -> None:
    assert (await chat.say("绑定 WRONG123")).text == texts.INVITE_INVALID  # read as a code, and refused
    assert (await chat.say("绑定了一个新的联系人")).text == texts.JOIN_HINT  # an ordinary sentence, not a code
    code = await invite(db, clock, name="王明")
    assert (await chat.say(f"绑定：{code.lower()}")).text == texts.WELCOME_CADRE.format(name="王明")
    assert (await chat.say(f"绑定 {code}")).text == texts.ALREADY_REGISTERED.format(name="王明")
