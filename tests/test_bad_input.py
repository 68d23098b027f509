"""Bad input: each gets a clear Chinese reply, nothing crashes, nothing stored changes."""

from __future__ import annotations

import io

import pytest

from bot.channels.base import NumberedButtons
from bot.channels.console import ConsoleChannel
from handlers import admin, build_router, texts
from handlers.context import HandlerSettings
from handlers.messages import Button, Reply
from handlers.router import Dispatcher
from storage.db import Database
from tests.conftest import Chat, FrozenClock, register_supervisor
from tests.test_capture import entries, entry


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", texts.EMPTY_TEXT),
        ("   \n\t ", texts.EMPTY_TEXT),
        ("\x00\x07\u200b", texts.EMPTY_TEXT),
        ("👍👍🎉", texts.NO_WORDS),
        ("12345", texts.NO_WORDS),
        ("。。。！！", texts.NO_WORDS),
        ("/log", texts.USAGE_KIND.format(name="log", example=texts.KIND_EXAMPLES["log"])),
        ("/visit   ", texts.USAGE_KIND.format(name="visit", example=texts.KIND_EXAMPLES["visit"])),
        ("/nosuch 1 2", texts.UNKNOWN_COMMAND.format(name="nosuch")),
        ("走访：", texts.EMPTY_TEXT),
    ],
)
async def test_refused_input_stores_nothing(chat: Chat, cadre: str, db: Database, text: str, expected: str) -> None:
    assert (await chat.say(text)).text == expected
    assert await entries(db) == []


async def test_ten_thousand_characters_are_kept_whole(chat: Chat, cadre: str, db: Database) -> None:
    text = ("上午走访东坪村困难户，了解饮水和就医情况。" * 500)[:10000]
    reply = await chat.say(text)
    assert reply.text.startswith("✅ 已记 #1") and texts.ACK_LONG_NOTE in reply.text
    assert (await entry(db, 1)).text == text


async def test_over_the_limit_is_refused(chat: Chat, cadre: str, db: Database) -> None:
    reply = await chat.say("记" * 20001)
    assert reply.text == texts.TOO_LONG.format(limit=20000)
    assert await entries(db) == []


async def test_control_characters_are_dropped_and_emoji_kept(chat: Chat, cadre: str, db: Database) -> None:
    await chat.say("上午\x00列席\u200b镇党委会 👍")
    assert (await entry(db, 1)).text == "上午列席镇党委会 👍"


async def test_malformed_date_is_noted_not_guessed(chat: Chat, cadre: str, db: Database) -> None:
    reply = await chat.say("2月30日走访东坪村")
    assert texts.ACK_INVALID_DATE_NOTE.format(phrase="2月30日", date="7月15日（今天）") in reply.text
    assert (await entry(db, 1)).work_date.isoformat() == "2026-07-15"


@pytest.mark.parametrize(
    "data", ["", "zz:1", "cs:abc:party", "cs:1:nonsense", "ks:1:holiday", "pd:1:x", "u:", "cm:1x", "dy:x"]
)
async def test_unknown_or_stale_callback_data(chat: Chat, cadre: str, db: Database, data: str) -> None:
    await chat.say("上午列席镇党委会")
    reply = await chat.press(data)
    assert reply.text in (texts.STALE_BUTTON, texts.ENTRY_GONE.format(seq=data.split(":")[1] if ":" in data else ""))
    [kept] = await entries(db)
    assert kept.categories == ("meeting",) and kept.kind == "log" and kept.status == "active"


async def test_stale_button_after_delete(chat: Chat, cadre: str, db: Database) -> None:
    await chat.say("上午列席镇党委会")
    await chat.press("u:1")
    assert (await chat.press("cs:1:party")).text == texts.ENTRY_GONE.format(seq=1)
    assert (await chat.press("pd:1:t")).text == texts.ENTRY_GONE.format(seq=1)


async def test_command_with_bot_suffix_and_case(chat: Chat, cadre: str) -> None:
    assert (await chat.say("/TODAY@cadrelog_bot")).text.startswith("今天")


# -- issue 10: one number parser, one text cleaner, bounded years, the rough edges of the chat path ---------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/delete ²", texts.BAD_NUMBER.format(text="²")),  # str.isdigit() says yes, int() says no
        ("/star ١", texts.BAD_NUMBER.format(text="١")),  # int() reads it as 1: not a number he typed as #1
        ("/exclude ①", texts.BAD_NUMBER.format(text="①")),
        ("/edit ٢ 新内容", texts.BAD_NUMBER.format(text="٢")),
        ("/delete " + "9" * 20, texts.BAD_NUMBER.format(text="9" * 20)),
        ("/cancel ²", texts.CANCEL_USAGE),
        ("/cancel #" + "9" * 20, texts.CANCEL_USAGE),
    ],
)
async def test_numbers_are_ascii_digits_of_bounded_length(
    chat: Chat, cadre: str, db: Database, text: str, expected: str
) -> None:
    await chat.say("上午列席镇党委会")
    assert (await chat.say(text)).text == expected
    [kept] = await entries(db)
    assert not kept.starred and not kept.excluded and kept.status == "active"


@pytest.mark.parametrize(
    "data",
    ["st:²", "st:" + "9" * 20, "dy:" + "9" * 20, "dy:١", "cs:²:party", "u:" + "9" * 20, "pm:²:0:done", "pm:1:²:done"],
)
async def test_button_numbers_are_ascii_digits_of_bounded_length(
    chat: Chat, cadre: str, db: Database, data: str
) -> None:
    await chat.say("上午列席镇党委会")
    assert (await chat.press(data)).text == texts.STALE_BUTTON
    [kept] = await entries(db)
    assert not kept.starred and kept.status == "active"


async def test_a_supervisors_numbers_too(chat: Chat, cadre: str, db: Database, clock: FrozenClock) -> None:
    await chat.say("上午列席镇党委会")
    await register_supervisor(db, clock)
    boss = Chat(chat.dispatcher, clock, user="52001")
    assert (await boss.say("/comment 王明 ² 很好")).text == texts.COMMENT_USAGE
    assert (await boss.say("/comment 王明 " + "9" * 20 + " 很好")).text == texts.COMMENT_USAGE
    assert (await boss.press("cr:²:1")).text == texts.STALE_BUTTON
    assert (await boss.press("cr:1:" + "9" * 20)).text == texts.STALE_BUTTON


def test_numbered_choices_are_ascii_digits() -> None:
    buttons = NumberedButtons()
    buttons.offer("u", Reply("?", buttons=((Button("一", "a:1"), Button("二", "a:2")),)))
    assert [buttons.press("u", t) for t in ("²", "١", "①", "０", "2")] == [None, None, None, None, "a:2"]


NONCHARACTERS = "\ufffe\uffff\U0010ffff\ufdd0\ud800\x00\x0b\x85"


async def test_noncharacters_never_reach_a_record_and_reports_still_render(
    chat: Chat, cadre: str, db: Database
) -> None:
    text = "上午走访东坪村3户" + NONCHARACTERS + "困难户，了解饮水情况"
    await chat.say(text)
    assert (await entry(db, 1)).text == "上午走访东坪村3户困难户，了解饮水情况"
    for fmt in ("docx", "xlsx", "md"):
        reply = await chat.say(f"/export {fmt}")
        assert reply.document is not None, reply.text
    assert (await chat.say("/report")).document is not None


async def test_a_record_stored_before_the_cleaning_does_not_break_reports(
    chat: Chat, cadre: str, db: Database, clock: FrozenClock
) -> None:
    async with db.unit_of_work() as uow:  # as an older version stored it
        person = await uow.people.by_identity("telegram", cadre)
        assert person is not None
        await uow.entries.add(
            person_id=person.id,
            kind="visit",
            work_date=clock().date(),
            text="走访石桥村\ufffe5户\uffff",
            categories=["survey"],
            facts={},
            details={"place": "石桥村\ufffe"},
            status="active",
            now=clock(),
        )
        await uow.commit()
    for fmt in ("docx", "xlsx"):
        assert (await chat.say(f"/export {fmt}")).document is not None
    assert (await chat.say("/report")).document is not None


async def test_nul_and_noncharacters_in_reminders_searches_and_comments(
    chat: Chat, cadre: str, db: Database, clock: FrozenClock
) -> None:
    assert (await chat.say("/remind 30分钟后 给石桥村\x00回电话\ufffe")).text.startswith("⏰")
    await chat.say("上午走访石桥村")
    assert "#1" in (await chat.say("/search 石桥\x00村")).text
    await register_supervisor(db, clock)
    boss = Chat(chat.dispatcher, clock, user="52001")
    assert (await boss.say("/comment 王明 1 很\x00好\uffff")).text == texts.COMMENT_SENT.format(name="王明", seq=1)
    async with db.unit_of_work() as uow:
        person = await uow.people.by_identity("telegram", cadre)
        assert person is not None
        [reminder] = await uow.reminders.active_for(person.id)
        queued = await uow.deliveries.take_queued()
    assert reminder.text == "给石桥村回电话"
    [(_, _, payload)] = queued
    assert str(payload["text"]).endswith("很好")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/report 月度 0000-01", texts.REPORT_BAD_MONTH.format(text="0000-01")),
        ("/report 月度 9999-12", texts.REPORT_BAD_MONTH.format(text="9999-12")),
        ("/history 9999-12-31", texts.HISTORY_BAD_PERIOD.format(text="9999-12-31")),
        ("/history 0001-01-01", texts.HISTORY_BAD_PERIOD.format(text="0001-01-01")),
        ("/remind 9999-12-31 10:00 交材料", texts.REMIND_IMPOSSIBLE),
        ("/report 中期 0001-01-01 2026-07-01", texts.HISTORY_BAD_DATE.format(text="0001-01-01")),
    ],
)
async def test_years_are_bounded(chat: Chat, cadre: str, text: str, expected: str) -> None:
    await chat.say("上午列席镇党委会")
    assert (await chat.say(text)).text == expected


async def test_a_leave_is_acknowledged_with_chinese_dates(chat: Chat, cadre: str) -> None:
    reply = await chat.say("请假 7月20日至7月22日 家中有事")
    assert "请假 7月20日 至 7月22日" in reply.text and "2026-" not in reply.text


async def test_week_lists_a_busy_day_with_chinese_separators_and_a_count(chat: Chat, cadre: str) -> None:
    for text in ("上午列席镇党委会", "走访东坪村3户", "学习《信访条例》", "接待来访群众2人次"):
        await chat.say(text)
    [today] = [line for line in (await chat.say("/week")).text.splitlines() if line.startswith("周三")]
    assert today.count(texts.LIST_SEPARATOR) == 2 and ";" not in today
    assert today.endswith(texts.WEEK_DAY_MORE.format(count=4))


async def test_star_keeps_the_entry_buttons_for_numbered_choices(db: Database, clock: FrozenClock) -> None:
    async with db.unit_of_work() as uow:
        await admin.ensure_console_user(uow, as_id=None, timezone="Asia/Shanghai", now=clock(), today=clock().date())
        await uow.commit()
    dispatcher = Dispatcher(build_router(), db.unit_of_work, clock, HandlerSettings())
    stdout = io.StringIO()
    # 上午开会 → buttons [1] 改分类 [2] 改类型 [3] ★ [4] 撤销; 3 stars it; 1 must still open the category menu
    console = ConsoleChannel(
        dispatcher,
        user_id="demo",
        user_name="演示用户",
        clock=clock,
        hint="",
        stdin=io.StringIO("上午开会\n3\n1\n"),
        stdout=stdout,
    )
    await console.run()
    shown = stdout.getvalue()
    assert texts.STARRED.format(seq=1) in shown and texts.PICK_CATEGORY.format(seq=1) in shown
    assert texts.NO_WORDS not in shown


async def test_weekly_report_states_its_range_once(chat: Chat, cadre: str) -> None:
    await chat.say("上午走访东坪村3户困难户")
    first = (await chat.say("/report 周")).text.splitlines()[0]
    assert first.count("7月13日") == 1 and first.count("至") == 1


async def test_a_second_return_without_a_leave_is_refused(chat: Chat, cadre: str, db: Database) -> None:
    await chat.say("请假 7月15日至7月16日 家中有事")
    assert (await chat.say("/back")).text.startswith("✅ 已记 #2|销假返岗")
    assert (await chat.say("/back")).text == texts.BACK_AGAIN.format(seq=2, date="7月15日（今天）")
    assert (await chat.say("销假")).text == texts.BACK_AGAIN.format(seq=2, date="7月15日（今天）")
    assert [e.kind for e in await entries(db)] == ["leave", "back"]
    await chat.say("请假 7月15日 下午开会")  # a new leave: a return is welcome again
    assert (await chat.say("/back")).text.startswith("✅ 已记 #4|销假")


async def test_an_edit_of_a_message_never_stored_says_so(chat: Chat, cadre: str, db: Database) -> None:
    reply = await chat.say("上午列席镇党委会", edited=True, message_id="m999")
    assert reply.text.startswith("✅ 已记 #1") and texts.ACK_EDIT_UNKNOWN_NOTE in reply.text


async def test_an_edited_command_is_not_run_again(chat: Chat, cadre: str, db: Database) -> None:
    await chat.say("/remind 30分钟后 给石桥村回电话", message_id="m7")
    again = await chat.say("/remind 40分钟后 给石桥村回电话", edited=True, message_id="m7")
    assert again.text == texts.EDITED_COMMAND
    async with db.unit_of_work() as uow:
        person = await uow.people.by_identity("telegram", cadre)
        assert person is not None
        assert len(await uow.reminders.active_for(person.id)) == 1


async def test_a_command_for_another_bot_is_not_ours(db: Database, clock: FrozenClock, cadre: str) -> None:
    dispatcher = Dispatcher(build_router(), db.unit_of_work, clock, HandlerSettings(bot_username="cadrelog_bot"))
    chat = Chat(dispatcher, clock)
    assert (await chat.say("/log@otherbot 上午开会")).text == texts.OTHER_BOT_COMMAND.format(bot="otherbot")
    assert await entries(db) == []
    assert (await chat.say("/log@CadreLog_Bot 上午开会")).text.startswith("✅ 已记 #1")
