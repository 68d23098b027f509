"""Looking back: /today, /week, /history, /search, /edit, /delete."""

from __future__ import annotations

import datetime as dt

from handlers import texts
from storage.db import Database
from tests.conftest import Chat, FrozenClock, register_cadre
from tests.test_capture import entries, entry


async def test_today_lists_todays_entries(chat: Chat, cadre: str) -> None:
    assert (await chat.say("/today")).text == texts.TODAY_EMPTY.format(date="7月15日")
    await chat.say("上午列席镇党委会")
    await chat.say("昨天走访东坪村")
    reply = await chat.say("/today")
    assert reply.text.splitlines() == ["今天（7月15日 周三）共 1 条：", "#1 [工作日志·会议] 上午列席镇党委会"]


async def test_week_groups_by_day_and_counts_categories(chat: Chat, cadre: str) -> None:
    await chat.say("周一走访东坪村李某某家")
    await chat.say("昨天上午列席镇党委会")
    await chat.say("上午学习《信访条例》")
    await chat.say("上周五的党员大会")  # last week: not in this week
    reply = await chat.say("/week")
    lines = reply.text.splitlines()
    assert lines[0] == "本周（7月13日 至 7月15日）共 3 条，有记录 3 天："
    assert lines[1].startswith("周一 7月13日：1 条 #1")
    assert lines[3].startswith("周三 7月15日：1 条 #3")
    assert "调研走访 1" in lines[4] and "会议 1" in lines[4] and "学习培训 1" in lines[4]
    assert lines[5] == "类型：走访记录 1 · 工作日志 1 · 学习记录 1"


async def test_history_between_dates(chat: Chat, cadre: str) -> None:
    await chat.say("7月1日上午列席镇党委会")
    await chat.say("7月10日走访东坪村")
    await chat.say("今天学习《信访条例》")
    reply = await chat.say("/history 2026-07-01 2026-07-10")
    assert reply.text.splitlines()[0] == "7月1日 至 7月10日 共 2 条："
    assert "【7月1日 周三】" in reply.text and "#2" in reply.text and "#3" not in reply.text


async def test_history_bad_arguments(chat: Chat, cadre: str) -> None:
    assert (await chat.say("/history")).text == texts.HISTORY_USAGE
    assert (await chat.say("/history 2026-07-10 2026-07-11 2026-07-12")).text == texts.HISTORY_USAGE
    assert (await chat.say("/history 2026-02-30 2026-03-01")).text == texts.HISTORY_BAD_DATE.format(text="2026-02-30")
    assert (await chat.say("/history 2026-07-10 2026-07-01")).text == texts.HISTORY_REVERSED.format(
        start="7月10日", end="7月1日"
    )
    assert (await chat.say("/history 2024-01-01 2026-07-01")).text == texts.HISTORY_TOO_LONG
    assert (await chat.say("/history 2026-01-01 2026-01-31")).text == texts.HISTORY_EMPTY.format(
        start="1月1日", end="1月31日"
    )


async def test_history_is_capped(chat: Chat, cadre: str, clock: FrozenClock) -> None:
    for i in range(55):
        await chat.say(f"第{i}次整理台账材料")
    reply = await chat.say("/history 2026-07-15 2026-07-15")
    assert reply.text.splitlines()[0].endswith("共 55 条：")
    assert reply.text.splitlines()[-1] == texts.HISTORY_TRUNCATED.format(shown=50)


async def test_search_finds_own_entries_only(chat: Chat, cadre: str, db: Database, clock: FrozenClock) -> None:
    await register_cadre(db, clock, telegram_id="51002", name="赵强")
    other = Chat(chat.dispatcher, clock, user="51002")
    await other.say("走访石桥村困难户")
    await chat.say("石桥村打井项目开工")
    await chat.say("上午列席镇党委会")
    reply = await chat.say("/search 石桥村")
    assert reply.text.splitlines()[0] == "含“石桥村”的记录共 1 条："
    assert "打井" in reply.text and "困难户" not in reply.text
    assert (await chat.say("/search 100%")).text == texts.SEARCH_EMPTY.format(query="100%")
    assert (await chat.say("/search")).text == texts.SEARCH_USAGE
    assert (await chat.say("/search a b c d e f")).text == texts.SEARCH_TOO_MANY


async def test_edit_keeps_original_and_reanalyses(chat: Chat, cadre: str, db: Database) -> None:
    await chat.say("昨天上午列席镇党委会")
    reply = await chat.say("/edit 1 走访东坪村李某某家，反映村道难走")
    assert reply.text.startswith("✏️ 已更新 #1|走访记录|7月14日")  # no date in the new text: the old one stays
    stored = await entry(db, 1)
    assert stored.text == "走访东坪村李某某家，反映村道难走"
    assert stored.original_text == "昨天上午列席镇党委会"
    assert stored.details["place"] == "东坪村"
    await chat.say("/edit 1 7月2日走访东坪村李某某家")
    assert (await entry(db, 1)).work_date == dt.date(2026, 7, 2)


async def test_edit_and_delete_bad_arguments(chat: Chat, cadre: str) -> None:
    await chat.say("上午列席镇党委会")
    assert (await chat.say("/edit")).text == texts.EDIT_USAGE
    assert (await chat.say("/edit 1")).text == texts.EDIT_USAGE
    assert (await chat.say("/edit abc 新内容")).text == texts.BAD_NUMBER.format(text="abc")
    assert (await chat.say("/edit 99 新内容")).text == texts.NOT_FOUND.format(seq=99)
    assert (await chat.say("/edit 1 上午列席镇党委会")).text == texts.EDIT_SAME.format(seq=1)
    assert (await chat.say("/edit 1 2026-09-01 开会")).text == texts.EDIT_FUTURE.format(date="9月1日")
    assert (await chat.say("/delete")).text == texts.DELETE_USAGE
    assert (await chat.say("/delete -1")).text == texts.BAD_NUMBER.format(text="-1")
    assert (await chat.say("/delete 99999999999999")).text == texts.BAD_NUMBER.format(text="99999999999999")


async def test_delete_asks_then_deletes(chat: Chat, cadre: str, db: Database) -> None:
    await chat.say("上午列席镇党委会")
    ask = await chat.say("/delete 1")
    assert ask.text.startswith("确认删除 #1 吗？") and [b.data for b in ask.buttons[0]] == ["dy:1", "dn:1"]
    assert len(await entries(db)) == 1  # nothing happens before the confirmation
    assert (await chat.press("dn:1")).text == texts.DELETE_CANCELLED.format(seq=1)
    assert len(await entries(db)) == 1
    assert (await chat.press("dy:1")).text == texts.DELETED.format(seq=1)
    assert await entries(db) == []
    assert (await chat.press("dy:1")).text == texts.ENTRY_GONE.format(seq=1)
    assert (await chat.say("/delete 1")).text == texts.NOT_FOUND.format(seq=1)


async def test_someone_elses_entry_cannot_be_edited_or_deleted(
    chat: Chat, cadre: str, db: Database, clock: FrozenClock
) -> None:
    await register_cadre(db, clock, telegram_id="51002", name="赵强")
    other = Chat(chat.dispatcher, clock, user="51002")
    await other.say("走访石桥村困难户")  # other's #1
    assert (await chat.say("/edit 1 篡改")).text == texts.NOT_FOUND.format(seq=1)
    assert (await chat.say("/delete 1")).text == texts.NOT_FOUND.format(seq=1)
    assert (await chat.press("dy:1")).text == texts.ENTRY_GONE.format(seq=1)
    assert (await chat.press("cs:1:party")).text == texts.ENTRY_GONE.format(seq=1)
    assert (await chat.press("u:1")).text == texts.ENTRY_GONE.format(seq=1)
    [kept] = await entries(db, "51002")
    assert kept.text == "走访石桥村困难户" and kept.status == "active" and kept.categories[0] == "research"


async def test_timezone_setting(chat: Chat, cadre: str, clock: FrozenClock) -> None:
    assert "Asia/Shanghai" in (await chat.say("/timezone")).text
    assert (await chat.say("/timezone Mars/Olympus")).text == texts.TIMEZONE_BAD.format(tz="Mars/Olympus")
    assert (await chat.say("/timezone America/New_York")).text == texts.TIMEZONE_SET.format(tz="America/New_York")
    clock.now = dt.datetime(2026, 7, 15, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai, 21:00 on the 14th in New York
    assert "7月14日（今天）" in (await chat.say("上午列席镇党委会")).text
