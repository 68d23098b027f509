"""Reminders the cadre sets himself: /remind, /reminders, /cancel, and delivery exactly once."""

from __future__ import annotations

import datetime as dt

from handlers import texts
from handlers.reminders import MAX_ACTIVE, collect_due
from storage.db import Database
from tests.conftest import Chat, FrozenClock, register_cadre, register_supervisor
from timing.schedule import Grace

GRACE = Grace.uniform(dt.timedelta(hours=1))


async def due_now(db: Database, clock: FrozenClock) -> list:
    async with db.unit_of_work() as uow:
        items = await collect_due(uow, clock(), GRACE)
        await uow.commit()
    return items


async def test_set_list_cancel(chat: Chat, cadre: str) -> None:
    first = await chat.say("/remind 明天 15:00 给石桥村回电话")
    assert first.text == "⏰ 已设提醒 #1：7月16日 15:00 给石桥村回电话"
    second = await chat.say("/remind 每周一 9:00 参加例会")
    assert second.text == "⏰ 已设提醒 #2：每周一 09:00 参加例会"
    listing = await chat.say("/reminders")
    assert listing.text.splitlines()[-3:] == [
        "自己设的提醒（共 2 条，/cancel 编号 取消）：",
        "#1 7月16日 15:00 给石桥村回电话",
        "#2 每周一 09:00 参加例会",
    ]
    assert (await chat.say("/cancel 1")).text == texts.REMINDER_CANCELLED.format(seq=1)
    assert (await chat.say("/cancel 1")).text == texts.REMINDER_NOT_FOUND.format(seq=1)
    assert "自己设的提醒（共 1 条" in (await chat.say("/reminders")).text


async def test_bad_reminders(chat: Chat, cadre: str, db: Database, clock: FrozenClock) -> None:
    assert (await chat.say("/remind")).text == texts.REMIND_USAGE
    assert (await chat.say("/remind 给石桥村回电话")).text == texts.REMIND_USAGE
    assert (await chat.say("/remind 2月30日 9:00 开会")).text == texts.REMIND_IMPOSSIBLE
    assert (await chat.say("/remind 25:00 开会")).text == texts.REMIND_IMPOSSIBLE
    assert (await chat.say("/remind 今天 8:00 开会")).text == texts.REMIND_PAST
    assert (await chat.say("/remind 明天 9:00")).text == texts.REMIND_MISSING_TEXT
    assert (await chat.say("/cancel")).text == texts.CANCEL_USAGE
    await register_cadre(db, clock, telegram_id="51002", name="赵强")
    other = Chat(chat.dispatcher, clock, user="51002")
    await other.say("/remind 明天 9:00 开会")
    assert (await chat.say("/cancel 1")).text == texts.REMINDER_NOT_FOUND.format(seq=1)  # not his
    assert "自己设的提醒（共 1 条" in (await other.say("/reminders")).text


async def test_a_limit_with_a_clear_message(chat: Chat, cadre: str) -> None:
    for i in range(MAX_ACTIVE):
        assert (await chat.say(f"/remind {i % 50 + 1}分钟后 第{i}件事")).text.startswith("⏰")
    assert (await chat.say("/remind 明天 9:00 再一件")).text == texts.REMIND_TOO_MANY.format(limit=MAX_ACTIVE)


async def test_due_once_then_never_again(chat: Chat, cadre: str, db: Database, clock: FrozenClock) -> None:
    await chat.say("/remind 30分钟后 给石桥村回电话")
    assert await due_now(db, clock) == []
    clock.advance(minutes=31)
    [item] = await due_now(db, clock)
    assert item.text == "⏰ 提醒：给石桥村回电话" and item.chat_id == "51001"
    assert await due_now(db, clock) == []  # claimed: a second tick, or a second instance, sends nothing
    async with db.unit_of_work() as uow:
        assert await uow.deliveries.by_outcome() == {"pending": 1}


async def test_down_time_inside_grace_is_sent_beyond_is_missed(
    chat: Chat, cadre: str, db: Database, clock: FrozenClock
) -> None:
    await chat.say("/remind 30分钟后 早的")
    await chat.say("/remind 3小时后 晚的")
    clock.advance(hours=3, minutes=20)  # the bot was "down" across both due times
    items = await due_now(db, clock)
    assert [i.text for i in items] == ["⏰ 提醒：晚的"]
    async with db.unit_of_work() as uow:
        assert await uow.deliveries.by_outcome() == {"missed": 1, "pending": 1}
        person = await uow.people.by_identity("telegram", "51001")
        assert person is not None and await uow.reminders.count_active(person.id) == 0


async def test_repeating_reminder_moves_on(chat: Chat, cadre: str, db: Database, clock: FrozenClock) -> None:
    await chat.say("/remind 每天 10:30 看台账")  # the clock says Wednesday 10:00
    clock.advance(minutes=31)
    assert len(await due_now(db, clock)) == 1
    clock.advance(days=1)
    assert len(await due_now(db, clock)) == 1  # the next day's
    assert await due_now(db, clock) == []


async def nudges(db: Database, clock: FrozenClock) -> list:
    from handlers.reminders import collect_nudges

    async with db.unit_of_work() as uow:
        items = await collect_nudges(uow, clock(), GRACE)
        await uow.commit()
    return items


def local(clock: FrozenClock, *args: int) -> None:
    from tests.conftest import SH

    clock.now = dt.datetime(*args, tzinfo=SH).astimezone(dt.UTC)


async def test_evening_nudge_only_when_nothing_is_logged(
    chat: Chat, cadre: str, db: Database, clock: FrozenClock
) -> None:
    local(clock, 2026, 7, 15, 20, 31)  # a Wednesday
    [nudge] = await nudges(db, clock)
    assert nudge.text == texts.NUDGE_EVENING and nudge.chat_id == "51001"
    assert await nudges(db, clock) == []  # once
    local(clock, 2026, 7, 16, 12, 0)
    await chat.say("上午列席镇党委会")
    local(clock, 2026, 7, 16, 20, 31)
    assert await nudges(db, clock) == []  # Thursday: logged
    local(clock, 2026, 7, 18, 20, 31)
    assert await nudges(db, clock) == []  # Saturday: no nudge


async def test_morning_offer_to_catch_up(chat: Chat, cadre: str, db: Database, clock: FrozenClock) -> None:
    local(clock, 2026, 7, 17, 8, 35)  # Friday morning; nothing logged on Thursday
    items = await nudges(db, clock)
    assert [i.text for i in items] == [texts.NUDGE_MORNING.format(date="7月16日")]
    local(clock, 2026, 7, 20, 8, 35)  # Monday morning asks about Friday, not the weekend
    assert [i.text for i in await nudges(db, clock)] == [texts.NUDGE_MORNING.format(date="7月17日")]


async def test_leave_suppresses_the_nudge_and_holidays_too(
    chat: Chat, cadre: str, db: Database, clock: FrozenClock
) -> None:
    local(clock, 2026, 7, 14, 9, 0)
    await chat.say("7月15日至7月16日请假2天，回原单位")
    local(clock, 2026, 7, 15, 20, 31)
    assert await nudges(db, clock) == []
    async with db.unit_of_work() as uow:
        assert await uow.deliveries.by_outcome() == {"skipped": 1}
    local(clock, 2026, 10, 5, 20, 31)  # a Monday inside the National Day holiday
    assert await nudges(db, clock) == []
    local(clock, 2026, 7, 15, 22, 0)  # beyond the grace window nothing more is sent
    assert await nudges(db, clock) == []


async def test_admin_lists_deliveries(chat: Chat, cadre: str, db: Database, clock: FrozenClock) -> None:
    from handlers import admin

    async with db.unit_of_work() as uow:
        assert (
            await admin.list_deliveries(uow, limit=10, outcome=None, zone="Asia/Shanghai")
            == texts.ADMIN_DELIVERIES_EMPTY
        )
    await chat.say("/remind 30分钟后 早的")
    await chat.say("/remind 3小时后 晚的")
    clock.advance(hours=3, minutes=20)
    await due_now(db, clock)
    async with db.unit_of_work() as uow:
        listing = await admin.list_deliveries(uow, limit=10, outcome=None, zone="Asia/Shanghai")
        missed = await admin.list_deliveries(uow, limit=10, outcome="missed", zone="Asia/Shanghai")
    assert "已错过" in listing and "发送中" in listing and listing.endswith("合计：已错过 1、发送中 1")
    assert missed.count("remind:") == 1 and "2026-07-15 10:30" in missed


async def test_two_schedulers_on_one_database_send_each_reminder_once(
    chat: Chat, cadre: str, db: Database, database_url: str, clock: FrozenClock
) -> None:
    import asyncio

    from bot.scheduler import ReminderScheduler
    from handlers.messages import Reply

    class Recorder:
        name = "telegram"

        def __init__(self) -> None:
            self.sent: list[str] = []

        async def start(self) -> None: ...

        async def stop(self) -> None: ...

        async def send(self, chat_id: str, reply: Reply) -> str:
            await asyncio.sleep(0)  # let the other instance run in between
            self.sent.append(reply.text)
            return "sent"

    for i in range(5):
        await chat.say(f"/remind {10 + i}分钟后 第{i}件事")
    clock.advance(minutes=20)
    other_db = Database(database_url)  # a second instance: its own engine and connections
    first, second = Recorder(), Recorder()
    schedulers = [
        ReminderScheduler(db, {"telegram": first}, clock, collectors=[collect_due]),
        ReminderScheduler(other_db, {"telegram": second}, clock, collectors=[collect_due]),
    ]
    try:
        counts = await asyncio.gather(*(s.tick() for s in schedulers))
    finally:
        for scheduler in schedulers:
            await scheduler.stop()
        await other_db.dispose()
    assert sum(counts) == 5 and sorted(first.sent + second.sent) == sorted(f"⏰ 提醒：第{i}件事" for i in range(5))


async def test_visit_promise_reminds_on_its_day_with_buttons(
    chat: Chat, cadre: str, db: Database, clock: FrozenClock
) -> None:
    from handlers.reminders import collect_promises

    async def promises() -> list:
        async with db.unit_of_work() as uow:
            items = await collect_promises(uow, clock(), GRACE)
            await uow.commit()
        return items

    await chat.say("走访东坪村低保户张某，反映房屋漏雨，答应下周回访")  # Wednesday 7-15: due Monday 7-20
    local(clock, 2026, 7, 17, 9, 5)
    assert await promises() == []
    local(clock, 2026, 7, 20, 9, 5)
    [item] = await promises()
    assert item.text.startswith("⏰ 走访时的承诺今天到期：答应下周回访") and "#1 7月15日 东坪村" in item.text
    assert [b.data for b in item.buttons[0]] == ["pm:1:0:done", "pm:1:0:later"]
    assert await promises() == []  # once
    later = await chat.press("pm:1:0:later")
    assert later.text == texts.PROMISE_POSTPONED.format(promise="答应下周回访", date="7月23日")
    local(clock, 2026, 7, 23, 9, 5)
    assert len(await promises()) == 1  # on the new date
    done = await chat.press("pm:1:0:done")
    assert done.text == texts.PROMISE_DONE.format(promise="答应下周回访")
    assert (await chat.press("pm:1:7:done")).text == texts.STALE_BUTTON
    assert (await chat.press("pm:9:0:done")).text == texts.STALE_BUTTON


async def obligations(db: Database, clock: FrozenClock) -> list:
    from handlers.reminders import collect_obligations

    async with db.unit_of_work() as uow:
        items = await collect_obligations(uow, clock(), GRACE)
        await uow.commit()
    return items


async def test_friday_study_nudge_unless_he_studied(chat: Chat, cadre: str, db: Database, clock: FrozenClock) -> None:
    local(clock, 2026, 7, 17, 17, 5)  # Friday
    assert [i.text for i in await obligations(db, clock)] == [texts.STUDY_NUDGE]
    local(clock, 2026, 7, 20, 9, 0)
    await chat.say("学习《信访条例》，记了笔记")
    local(clock, 2026, 7, 24, 17, 5)
    assert await obligations(db, clock) == []


async def test_month_end_and_term_notices(chat: Chat, cadre: str, db: Database, clock: FrozenClock) -> None:
    await chat.say("走访东坪村3户困难户")
    local(clock, 2026, 7, 31, 17, 5)  # the last working day of July
    texts_sent = [i.text for i in await obligations(db, clock)]
    assert texts.MONTH_END.format(entries=1, visits=1, studies=0) in texts_sent
    # posting 2026-06-01 to 2026-11-30: midpoint 2026-08-31; 7 days before is 08-24
    local(clock, 2026, 8, 24, 9, 5)
    assert texts.TERM_NOTICE["mid"].format(days=7) in [i.text for i in await obligations(db, clock)]
    local(clock, 2026, 11, 27, 9, 5)  # 3 days before the end
    assert texts.TERM_NOTICE["final"].format(days=3) in [i.text for i in await obligations(db, clock)]


async def test_leave_ending_and_supervisor_told_when_not_back(
    chat: Chat, cadre: str, db: Database, clock: FrozenClock
) -> None:
    await register_supervisor(db, clock)
    local(clock, 2026, 7, 14, 9, 0)
    await chat.say("7月15日至7月16日请假2天，回原单位")
    local(clock, 2026, 7, 16, 17, 5)
    assert [(i.chat_id, i.text) for i in await obligations(db, clock)] == [("51001", texts.LEAVE_LAST_DAY)]
    local(clock, 2026, 7, 17, 9, 5)
    told = [(i.chat_id, i.text) for i in await obligations(db, clock) if i.chat_id == "52001"]
    assert told == [("52001", texts.LEAVE_NOT_BACK.format(name="王明", start="7月15日", end="7月16日"))]
    assert [i for i in await obligations(db, clock) if i.chat_id == "52001"] == []  # once


async def test_returned_leave_tells_nobody(chat: Chat, cadre: str, db: Database, clock: FrozenClock) -> None:
    local(clock, 2026, 7, 14, 9, 0)
    await chat.say("7月15日至7月16日请假2天，回原单位")
    local(clock, 2026, 7, 16, 12, 0)
    await chat.say("销假")
    local(clock, 2026, 7, 16, 17, 5)
    assert texts.LEAVE_LAST_DAY not in [i.text for i in await obligations(db, clock)]
