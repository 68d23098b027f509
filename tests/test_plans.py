"""Plans recorded as plans, with a reminder on their day; summaries and own words marked for the reports."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from handlers import texts
from handlers.reminders import collect_due
from storage.db import Database
from tests.conftest import SH, Chat, FrozenClock, register_cadre
from tests.test_capture import entries, entry
from timing.schedule import Grace

TODAY = dt.date(2026, 7, 15)  # a Wednesday


async def active_reminders(db: Database, telegram_id: str = "51001") -> list:
    async with db.unit_of_work() as uow:
        person = await uow.people.by_identity("telegram", telegram_id)
        assert person is not None
        return await uow.reminders.active_for(person.id)


def data(reply: object) -> list[str]:
    return [b.data for row in reply.buttons for b in row]  # type: ignore[attr-defined]


async def test_a_plan_is_stored_as_a_plan_not_as_work_done(chat: Chat, cadre: str, db: Database) -> None:
    reply = await chat.say("明天上午到县里参加推进会")
    assert reply.text == texts.ACK_PLAN.format(seq=1, kind="工作日志", when="7月16日", categories="会议")
    assert data(reply)[:2] == ["pl:1", "pw:1"] and data(reply)[2:] == ["cm:1", "km:1", "st:1", "u:1"]
    assert reply.buttons[0][0].label == texts.BTN_PLAN_REMIND.format(date="7月16日")
    assert reply.buttons[0][1].label == texts.BTN_PLAN_DONE
    stored = await entry(db, 1)
    assert stored.details["role"] == "plan" and stored.details["plan_date"] == "2026-07-16"
    assert stored.work_date == TODAY and stored.status == "active"
    today = (await chat.say("/today")).text.splitlines()
    assert today[1] == f"#1 [工作日志·会议] {texts.PLAN_MARK}明天上午到县里参加推进会"
    assert f"#1 {texts.PLAN_MARK}明天上午" in (await chat.say("/week")).text


async def test_next_week_plan_names_next_monday(chat: Chat, cadre: str, db: Database) -> None:
    await chat.say("下周去石桥村回访")
    assert (await entry(db, 1)).details["plan_date"] == "2026-07-20"


async def test_a_plan_with_a_full_date_is_not_questioned(chat: Chat, cadre: str, db: Database) -> None:
    reply = await chat.say("计划2026-07-20到县里开会")
    assert "还没到" not in reply.text and reply.text.startswith("📅 已记为计划 #1")
    stored = await entry(db, 1)
    assert stored.status == "active" and stored.work_date == TODAY and stored.details["plan_date"] == "2026-07-20"


async def test_the_reminder_button_sets_one_at_half_past_eight_on_the_day(
    chat: Chat, cadre: str, db: Database, clock: FrozenClock
) -> None:
    await chat.say("明天上午到县里参加推进会")
    made = await chat.press("pl:1")
    assert made.text.startswith("⏰ 已设提醒 #1：7月16日 08:30")
    [reminder] = await active_reminders(db)
    assert reminder.next_at == dt.datetime(2026, 7, 16, 8, 30, tzinfo=SH)
    assert reminder.text == texts.PLAN_REMINDER_TEXT.format(seq=1, text="明天上午到县里参加推进会")
    again = await chat.press("pl:1")
    assert again.text == texts.PLAN_REMINDER_EXISTS.format(seq=1)
    assert len(await active_reminders(db)) == 1
    clock.now = dt.datetime(2026, 7, 16, 8, 31, tzinfo=SH).astimezone(dt.UTC)
    async with db.unit_of_work() as uow:
        due = await collect_due(uow, clock(), Grace.uniform(dt.timedelta(hours=1)))
        await uow.commit()
    assert [item.text for item in due] == [texts.REMINDER_MESSAGE.format(text=reminder.text)]


async def test_the_reminder_is_in_his_own_time_zone(chat: Chat, cadre: str, db: Database) -> None:
    await chat.say("/timezone Asia/Urumqi")
    await chat.say("明天上午到县里参加推进会")
    await chat.press("pl:1")
    [reminder] = await active_reminders(db)
    assert reminder.next_at == dt.datetime(2026, 7, 16, 8, 30, tzinfo=ZoneInfo("Asia/Urumqi"))


async def test_a_plan_without_a_day_asks_when(chat: Chat, cadre: str, db: Database) -> None:
    reply = await chat.say("计划近期组织一次党员培训")
    assert reply.text.startswith("📅 已记为计划 #1") and texts.PLAN_DAY_UNKNOWN in reply.text
    assert reply.buttons[0][0].label == texts.BTN_PLAN_REMIND_ASK
    ask = await chat.press("pl:1")
    assert ask.text == texts.PLAN_ASK_DAY.format(seq=1)
    assert data(ask) == ["pl:1:2026-07-16", "pl:1:2026-07-17", "pl:1:2026-07-20"]
    assert await active_reminders(db) == []
    await chat.press("pl:1:2026-07-17")
    [reminder] = await active_reminders(db)
    assert reminder.next_at == dt.datetime(2026, 7, 17, 8, 30, tzinfo=SH)


@pytest.mark.parametrize(
    "bad", ["pl:1:2026-13-01", "pl:1:2026-07-14", "pl:1:2030-01-01", "pl:1:abc", "pl:1:２０２６-07-16", "pl:x", "pl:"]
)
async def test_plan_buttons_refuse_bad_input(chat: Chat, cadre: str, db: Database, bad: str) -> None:
    await chat.say("计划近期组织一次党员培训")
    assert (await chat.press(bad)).text == texts.STALE_BUTTON
    assert await active_reminders(db) == []


async def test_plan_buttons_on_work_or_someone_elses_entry(
    chat: Chat, cadre: str, db: Database, clock: FrozenClock
) -> None:
    await chat.say("上午列席镇党委会")
    assert (await chat.press("pl:1")).text == texts.STALE_BUTTON
    await chat.say("明天上午到县里参加推进会")
    await register_cadre(db, clock, telegram_id="51002", name="赵强")
    other = Chat(chat.dispatcher, clock, user="51002")
    assert (await other.press("pl:2")).text == texts.ENTRY_GONE.format(seq=2)
    assert (await other.press("pw:2")).text == texts.ENTRY_GONE.format(seq=2)
    assert (await entry(db, 2)).details["role"] == "plan"


async def test_it_is_work_done_and_stays_so_after_an_edit(chat: Chat, cadre: str, db: Database) -> None:
    await chat.say("明天上午到县里参加推进会")
    flipped = await chat.press("pw:1")
    assert flipped.replace and flipped.text == texts.PLAN_NOW_WORK.format(
        seq=1, kind="工作日志", date="7月15日（今天）", categories="会议"
    )
    stored = await entry(db, 1)
    assert stored.details["role"] == "work" and "plan_date" not in stored.details
    await chat.say("/edit 1 明天上午到县里参加项目推进会")
    assert (await entry(db, 1)).details["role"] == "work"
    assert texts.PLAN_MARK not in (await chat.say("/today")).text


async def test_an_edit_makes_a_plan_or_work_of_it(chat: Chat, cadre: str, db: Database) -> None:
    await chat.say("上午列席镇党委会")
    edited = await chat.say("/edit 1 明天上午列席镇党委会")
    assert edited.text.endswith(texts.ACK_PLAN_NOTE) and data(edited)[:2] == ["pl:1", "pw:1"]
    assert (await entry(db, 1)).details["role"] == "plan"
    await chat.say("/edit 1 上午列席了镇党委会")
    assert "role" not in (await entry(db, 1)).details


async def test_a_summary_is_marked_and_not_counted_twice(chat: Chat, cadre: str, db: Database) -> None:
    reply = await chat.say("本周工作小结：走访3户，开会2次")
    assert reply.text.endswith(texts.ACK_SUMMARY_NOTE)
    assert (await entry(db, 1)).details["role"] == "summary"


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("体会：基层工作要多到群众家里去", "reflections"),
        ("不足：对农村政策学得不深", "shortcomings"),
        ("下一步：盯住东坪村道路硬化收尾", "next_steps"),
    ],
)
async def test_own_words_are_marked_for_their_section(
    chat: Chat, cadre: str, db: Database, text: str, role: str
) -> None:
    reply = await chat.say(text)
    assert reply.text.endswith(texts.ACK_OWN_WORDS_NOTE.format(section=texts.OWN_WORDS_SECTIONS[role]))
    assert (await entry(db, 1)).details["role"] == role


async def test_a_leave_or_a_plain_log_has_no_role(chat: Chat, cadre: str, db: Database) -> None:
    await chat.say("下周一请假三天回家看病")
    await chat.say("上午列席镇党委会")
    assert ["role" in e.details for e in await entries(db)] == [False, False]
