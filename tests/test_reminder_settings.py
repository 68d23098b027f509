"""A cadre's reminder settings in chat (/reminders switches, study target, /pause, /quiet), the calendar's
odd days, blocked users, the outbox, and the scheduler's leader on PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from bot.scheduler import ReminderScheduler
from handlers import admin, texts
from handlers.messages import Reply
from handlers.reminders import collect_due, collect_nudges, collect_obligations
from storage.db import Database
from tests.conftest import SH, Chat, FrozenClock, register_cadre
from timing.prefs import Prefs, parse_pause, parse_quiet
from timing.schedule import Grace

GRACE = Grace.uniform(dt.timedelta(hours=1))


def local(clock: FrozenClock, *args: int) -> None:
    clock.now = dt.datetime(*args, tzinfo=SH).astimezone(dt.UTC)


async def nudges(db: Database, clock: FrozenClock) -> list:
    async with db.unit_of_work() as uow:
        items = await collect_nudges(uow, clock(), GRACE)
        await uow.commit()
    return items


async def outcomes(db: Database) -> dict[str, int]:
    async with db.unit_of_work() as uow:
        return await uow.deliveries.by_outcome()


class Recorder:
    """A channel that records what it is asked to send and answers as told (sent, blocked …)."""

    name = "telegram"

    def __init__(self, answer: str = "sent") -> None:
        self.sent: list[tuple[str, Reply]] = []
        self.answer = answer

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, chat_id: str, reply: Reply) -> str:
        self.sent.append((chat_id, reply))
        return self.answer


async def test_switches_and_study_target_from_the_panel(
    chat: Chat, cadre: str, db: Database, clock: FrozenClock
) -> None:
    panel = await chat.say("/reminders")
    assert panel.text.startswith(texts.SETTINGS_HEADER)
    assert f"{texts.SETTING_ON} {texts.SWITCH_LABELS['nudge']}" in panel.text
    assert texts.SETTING_STUDY_TARGET.format(n=1) in panel.text
    datas = [b.data for row in panel.buttons for b in row]
    assert "rs:t:nudge" in datas and "rs:s:+" in datas and "rs:t:digest" not in datas

    off = await chat.press("rs:t:nudge")
    assert off.replace and f"{texts.SETTING_OFF} {texts.SWITCH_LABELS['nudge']}" in off.text
    local(clock, 2026, 7, 15, 20, 31)
    assert await nudges(db, clock) == []
    assert await outcomes(db) == {"skipped": 1}  # recorded, not sent

    more = await chat.press("rs:s:+")
    assert texts.SETTING_STUDY_TARGET.format(n=2) in more.text
    for _ in range(10):
        await chat.press("rs:s:+")
    assert texts.SETTING_STUDY_TARGET.format(n=7) in (await chat.say("/reminders")).text  # capped
    await chat.press("rs:t:nudge")
    assert f"{texts.SETTING_ON} {texts.SWITCH_LABELS['nudge']}" in (await chat.say("/reminders")).text
    assert (await chat.press("rs:t:nonsense")).text == texts.STALE_BUTTON
    assert (await chat.press("rs:x")).text == texts.STALE_BUTTON


async def test_study_target_asks_for_more_than_one(chat: Chat, cadre: str, db: Database, clock: FrozenClock) -> None:
    await chat.press("rs:s:+")  # two a week
    local(clock, 2026, 7, 13, 9, 0)
    await chat.say("学习《信访条例》，记了笔记")
    local(clock, 2026, 7, 17, 17, 5)  # Friday
    async with db.unit_of_work() as uow:
        items = await collect_obligations(uow, clock(), GRACE)
    assert [i.text for i in items] == [texts.STUDY_NUDGE_TARGET.format(done=1, target=2)]


async def test_pause_and_resume(chat: Chat, cadre: str, db: Database, clock: FrozenClock) -> None:
    local(clock, 2026, 7, 15, 10, 0)
    reply = await chat.say("/pause 3天")
    assert reply.text == texts.PAUSE_SET.format(days=3, until="7月18日 10:00")
    local(clock, 2026, 7, 16, 20, 31)
    assert await nudges(db, clock) == []
    assert "7月18日 10:00" in (await chat.say("/reminders")).text
    assert (await chat.say("/pause 关")).text == texts.PAUSE_OFF
    local(clock, 2026, 7, 17, 20, 31)
    assert [i.text for i in await nudges(db, clock)] == [texts.NUDGE_EVENING]


async def test_pause_never_stops_his_own_reminders(chat: Chat, cadre: str, db: Database, clock: FrozenClock) -> None:
    await chat.say("/pause 一周")
    await chat.say("/remind 30分钟后 给石桥村回电话")
    clock.advance(minutes=31)
    async with db.unit_of_work() as uow:
        items = await collect_due(uow, clock(), GRACE)
    assert [i.text for i in items] == ["⏰ 提醒：给石桥村回电话"]


async def test_quiet_hours_hold_then_grace_decides(chat: Chat, cadre: str, db: Database, clock: FrozenClock) -> None:
    assert (await chat.say("/quiet 20:00-20:45")).text == texts.QUIET_SET.format(quiet="20:00-20:45")
    local(clock, 2026, 7, 15, 20, 31)
    assert await nudges(db, clock) == []  # held, not claimed
    assert await outcomes(db) == {}
    local(clock, 2026, 7, 15, 20, 46)  # quiet hours over, still within the hour of grace
    assert [i.text for i in await nudges(db, clock)] == [texts.NUDGE_EVENING]
    assert (await chat.say("/quiet 22:00-08:00")).text == texts.QUIET_SET.format(quiet="22:00-08:00")
    local(clock, 2026, 7, 17, 8, 35)  # the morning offer comes after quiet hours end
    assert len(await nudges(db, clock)) == 1
    assert (await chat.say("/quiet 关")).text == texts.QUIET_OFF
    assert texts.SETTING_NO_QUIET in (await chat.say("/reminders")).text


async def test_bad_settings_input_changes_nothing(chat: Chat, cadre: str, db: Database) -> None:
    before = (await chat.say("/reminders")).text
    for bad in ("/pause", "/pause 100天", "/pause 明年", "/pause 🏖️", "/pause -3天", "/pause " + "9" * 500):
        assert (await chat.say(bad)).text == texts.PAUSE_USAGE
    for bad in ("/quiet", "/quiet 25:00-08:00", "/quiet 22:00-22:00", "/quiet 晚上", "/quiet 😴", "/quiet 22:61-8"):
        assert (await chat.say(bad)).text == texts.QUIET_USAGE
    assert (await chat.say("/reminders")).text == before


@given(st.text(max_size=30))
def test_setting_parsers_never_raise(text: str) -> None:
    days = parse_pause(text)
    assert days is None or 0 <= days <= 60
    hours = parse_quiet(text)
    assert hours is None or hours[0] != hours[1]
    prefs = Prefs.load({"off": [text], "paused_until": text, "quiet": text, "study_per_week": len(text)})
    assert 1 <= prefs.study_per_week <= 7


async def test_make_up_saturday_nudges_and_imported_year_counts(
    chat: Chat, cadre: str, db: Database, clock: FrozenClock
) -> None:
    local(clock, 2026, 10, 10, 20, 31)  # Saturday, a 调休 working day
    assert [i.text for i in await nudges(db, clock)] == [texts.NUDGE_EVENING]
    local(clock, 2026, 10, 12, 20, 31)  # an ordinary Monday after the holiday
    assert len(await nudges(db, clock)) == 1
    async with db.unit_of_work() as uow:  # 2027 is past chinese-calendar's data: an imported file says
        await admin.import_holidays(uow, text="2027-02-06,班,春节调休\n2027-02-08,休,春节\n", now=clock())
        await uow.commit()
    await register_cadre(db, clock, telegram_id="51002", name="赵强", end=dt.date(2027, 6, 30))
    local(clock, 2027, 2, 6, 20, 31)
    assert [i.chat_id for i in await nudges(db, clock)] == ["51002"]  # a Saturday made a working day by the file
    local(clock, 2027, 2, 8, 20, 31)
    assert await nudges(db, clock) == []  # a Monday made a holiday by the file
    local(clock, 2027, 2, 9, 20, 31)
    assert [i.chat_id for i in await nudges(db, clock)] == ["51002"]  # 51001's posting ended in 2026


async def test_blocked_user_is_marked_skipped_then_cleared_when_he_writes(
    chat: Chat, cadre: str, db: Database, clock: FrozenClock
) -> None:
    channel = Recorder(answer="blocked")
    scheduler = ReminderScheduler(db, {"telegram": channel}, clock, collectors=[collect_nudges])
    local(clock, 2026, 7, 15, 20, 31)
    assert await scheduler.tick() == 0
    assert await outcomes(db) == {"blocked": 1}
    async with db.unit_of_work() as uow:
        [identity] = await uow.people.identities((await uow.people.by_identity("telegram", "51001")).id)
    assert identity.blocked_at == clock()
    local(clock, 2026, 7, 16, 20, 31)
    assert await scheduler.tick() == 0 and len(channel.sent) == 1  # not tried again
    assert await outcomes(db) == {"blocked": 2}
    await chat.say("/today")  # he unblocked the bot and writes again
    channel.answer = "sent"
    local(clock, 2026, 7, 17, 20, 31)
    assert await scheduler.tick() == 1 and len(channel.sent) == 2
    await scheduler.stop()


async def test_down_across_two_nudges_sends_the_fresh_one_only(
    chat: Chat, cadre: str, db: Database, clock: FrozenClock
) -> None:
    channel = Recorder()
    scheduler = ReminderScheduler(
        db, {"telegram": channel}, clock, collectors=[collect_due, collect_nudges], grace=GRACE
    )
    await chat.say("/remind 每天 19:00 看台账")
    local(clock, 2026, 7, 15, 20, 40)  # down since noon: 19:00 is beyond an hour's grace, 20:30 inside
    assert await scheduler.tick() == 1
    assert [r.text for _, r in channel.sent] == [texts.NUDGE_EVENING]
    assert await outcomes(db) == {"missed": 1, "sent": 1}
    assert await scheduler.tick() == 0  # and never twice
    await scheduler.stop()


async def test_one_leader_on_postgresql_and_a_takeover(
    chat: Chat, cadre: str, database_url: str, db: Database, clock: FrozenClock
) -> None:
    from storage.db import is_sqlite
    from storage.leader import SchedulerLeadership

    first, second = Recorder(), Recorder()
    other_db = Database(database_url)
    a = ReminderScheduler(
        db, {"telegram": first}, clock, collectors=[collect_due], leadership=SchedulerLeadership(database_url, key=4242)
    )
    b = ReminderScheduler(
        other_db,
        {"telegram": second},
        clock,
        collectors=[collect_due],
        leadership=SchedulerLeadership(database_url, key=4242),
    )
    try:
        await chat.say("/remind 10分钟后 第一件")
        await chat.say("/remind 40分钟后 第二件")
        clock.advance(minutes=11)
        assert await a.tick() == 1
        assert await b.tick() == 0
        if is_sqlite(database_url):
            return  # SQLite is single-instance: nothing more to show
        assert len(first.sent) == 1 and second.sent == []
        await a.stop()  # the leader goes away: its lock goes with its connection
        clock.advance(minutes=30)
        assert await b.tick() == 1  # the next tick (within 10 s in production) takes over
        assert [r.text for _, r in second.sent] == ["⏰ 提醒：第二件"]
        assert await a.tick() == 0  # the old leader, back, stands by
    finally:
        await a.stop()
        await b.stop()
        await other_db.dispose()


async def test_leader_lost_connection_is_noticed(database_url: str, clock: FrozenClock) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from storage.db import is_sqlite, normalise_url
    from storage.leader import SchedulerLeadership

    if is_sqlite(database_url):
        assert await SchedulerLeadership(database_url).held()
        return
    leader, standby = SchedulerLeadership(database_url, key=4343), SchedulerLeadership(database_url, key=4343)
    try:
        assert await leader.held() and not await standby.held()
        engine = create_async_engine(normalise_url(database_url), isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:  # the leader's backend dies (a crash, a network cut)
            await conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4343")
            )
        await engine.dispose()
        for _ in range(100):  # the server ends the backend asynchronously: wait for the lock to be free
            if await standby.held():
                break
            await asyncio.sleep(0.05)
        assert await standby.held()
        assert not await leader.held()  # it sees its connection gone and cannot take the lock back
    finally:
        await leader.release()
        await standby.release()


async def test_monthly_reflection_prompt_unless_he_wrote_one(
    chat: Chat, cadre: str, db: Database, clock: FrozenClock
) -> None:
    async def reflection_prompts() -> list[str]:
        async with db.unit_of_work() as uow:
            items = await collect_obligations(uow, clock(), GRACE)
            await uow.commit()
        return [i.text for i in items if i.text == texts.REFLECTION_PROMPT]

    # July 2026: the last working day is Friday the 31st; three working days before it is Tuesday the 28th
    local(clock, 2026, 7, 27, 17, 5)
    assert await reflection_prompts() == []
    local(clock, 2026, 7, 28, 17, 5)
    assert await reflection_prompts() == [texts.REFLECTION_PROMPT]
    assert await reflection_prompts() == []  # once
    local(clock, 2026, 8, 20, 9, 0)  # a working day in August
    await chat.say("体会：基层工作千头万绪，要先把情况摸清再拿主意")
    await register_cadre(db, clock, telegram_id="51002", name="赵强")  # who has not
    local(clock, 2026, 8, 26, 17, 5)  # August's prompt day: only the one without a reflection is asked
    async with db.unit_of_work() as uow:
        items = await collect_obligations(uow, clock(), GRACE)
    assert [(i.chat_id, i.text) for i in items] == [("51002", texts.REFLECTION_PROMPT)]


async def test_a_failure_is_recorded_with_its_reason(chat: Chat, cadre: str, db: Database, clock: FrozenClock) -> None:
    scheduler = ReminderScheduler(db, {}, clock, collectors=[collect_due])  # the Telegram channel is not running
    await chat.say("/remind 30分钟后 给石桥村回电话")
    clock.advance(minutes=31)
    assert await scheduler.tick() == 0
    await scheduler.stop()
    async with db.unit_of_work() as uow:
        listing = await admin.list_deliveries(uow, limit=5, outcome="failed", zone="Asia/Shanghai")
    assert "失败" in listing and "（channel telegram not running）" in listing
