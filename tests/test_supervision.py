"""Supervisors: the weekly digest (text, order, flags, heat map), /digest /cadres /cadre, comments that reach
the cadre, and nobody seeing anyone else's data."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image
from sqlalchemy import event

from handlers import texts
from handlers.reminders import collect_outbox, recipients
from handlers.supervision import build_digests, collect_digests
from storage.db import Database
from tests.conftest import SH, Chat, FrozenClock, register_cadre, register_supervisor
from timing.schedule import Grace

GRACE = Grace.uniform(dt.timedelta(hours=1))


def local(clock: FrozenClock, *args: int) -> None:
    clock.now = dt.datetime(*args, tzinfo=SH).astimezone(dt.UTC)


@pytest.fixture
async def team(db: Database, clock: FrozenClock, chat: Chat) -> dict[str, Chat]:
    """王明 (51001) logs all week, 赵强 (51002) is silent, both under 李华 (52001); 孙丽 (51003) is not his."""
    await register_cadre(db, clock)
    await register_cadre(db, clock, telegram_id="51002", name="赵强")
    await register_cadre(db, clock, telegram_id="51003", name="孙丽")
    await register_supervisor(db, clock, cadres=("51001", "51002"))
    for day, text in (
        (13, "上午到东坪村走访3户困难户，了解春耕备耕情况"),
        (14, "参加镇党委会，讨论产业项目推进"),
        (15, "到石桥村调研村集体经济，协调解决灌溉渠修建资金5万元"),
        (16, "学习《信访条例》，记了两页笔记"),
        (17, "接待群众来访2人次，化解邻里纠纷1起"),
    ):
        local(clock, 2026, 7, day, 18, 0)
        await chat.say(text)
    sun = Chat(chat.dispatcher, clock, user="51003")
    local(clock, 2026, 7, 16, 18, 0)
    await sun.say("走访光明社区5户独居老人")
    local(clock, 2026, 7, 20, 9, 30)  # Monday morning
    return {"wang": chat, "boss": Chat(chat.dispatcher, clock, user="52001"), "sun": sun}


async def test_digest_on_demand_in_order_of_attention(team: dict[str, Chat]) -> None:
    reply = await team["boss"].say("/digest")
    lines = reply.text.splitlines()
    assert lines[0] == texts.DIGEST_TITLE.format(start="7月13日", end="7月19日", count=2)
    zhao, wang = (
        lines.index("🔴 赵强（青山镇人民政府 党委副书记）"),
        lines.index("🟢 王明（青山镇人民政府 党委副书记）"),
    )
    assert zhao < wang  # the silent one first
    assert lines[zhao + 3].startswith("  ⚠️ 已连续 ") and "个工作日无记录" in lines[zhao + 3]  # none since June
    assert "⚠️" not in "".join(lines[wang:])
    assert "  记录 5/5 个工作日 · 工作日志 3 走访记录 1 学习记录 1" in lines
    # 到石桥村调研 is a place he went to see, as the report counts it
    assert "  走访：东坪村、石桥村" in lines and "  最后记录：7月17日" in lines
    assert "  · #3 7月15日 到石桥村调研村集体经济，协调解决灌溉渠修建资金5万元" in lines
    assert "孙丽" not in reply.text and "光明社区" not in reply.text
    assert reply.photo is not None and reply.photo.mime_type == "image/png"
    image = Image.open(io.BytesIO(reply.photo.data))
    assert image.format == "PNG" and image.width > 300 and image.height > 100


async def test_flags_report_overdue_and_leave_not_returned(db: Database, clock: FrozenClock, chat: Chat) -> None:
    await register_cadre(db, clock)
    await register_supervisor(db, clock)
    boss = Chat(chat.dispatcher, clock, user="52001")
    local(clock, 2026, 9, 10, 9, 0)
    await chat.say("9月10日至9月11日请假2天，回原单位")
    local(clock, 2026, 9, 14, 9, 30)  # midpoint 08-31 passed by two weeks, no mid-term report, leave not closed
    text = (await boss.say("/digest")).text
    assert texts.DIGEST_FLAG["report_overdue"] in text
    assert texts.DIGEST_FLAG["not_back"].format(start="2026-09-10", end="2026-09-11") in text
    await chat.say("销假")
    await chat.say("到东坪村走访2户")
    await chat.say("/report 中期")
    text = (await boss.say("/digest")).text
    assert texts.DIGEST_FLAG["report_overdue"] not in text and "未销假" not in text


async def test_cadres_and_one_cadre_with_comment_buttons(team: dict[str, Chat]) -> None:
    listing = (await team["boss"].say("/cadres")).text.splitlines()
    assert listing[0] == texts.CADRES_HEADER.format(count=2)
    assert listing[1].startswith("· 王明（青山镇人民政府 党委副书记），2026-06-01 至 2026-11-30，本周记录")
    one = await team["boss"].say("/cadre 王明")
    assert one.text.startswith("王明（青山镇人民政府 党委副书记） · 7月13日—7月19日")  # the window it counts
    assert "#5 7月17日 [工作日志] 接待群众来访2人次，化解邻里纠纷1起" in one.text
    assert [b.label for b in one.buttons[0]] == [texts.BTN_COMMENT.format(seq=5), texts.BTN_COMMENT.format(seq=4)]


async def test_nobody_sees_anyone_elses_data(team: dict[str, Chat], db: Database) -> None:
    boss, wang = team["boss"], team["wang"]
    assert (await boss.say("/cadre 孙丽")).text == texts.CADRE_NOT_YOURS.format(name="孙丽")
    assert (await boss.say("/cadre 无此人")).text == texts.CADRE_NOT_YOURS.format(name="无此人")
    assert (await boss.say("/cadre")).text == texts.CADRE_USAGE
    assert (await boss.say("/cadre 🙈🙈")).text == texts.CADRE_NOT_YOURS.format(name="🙈🙈")
    assert (await boss.say("/comment 孙丽 1 很好")).text == texts.CADRE_NOT_YOURS.format(name="孙丽")
    async with db.unit_of_work() as uow:
        sun_id = (await uow.people.by_identity("telegram", "51003")).id
    assert (await boss.press(f"cr:{sun_id}:1")).text == texts.STALE_BUTTON  # a forged button
    assert (await boss.press("cr:abc")).text == texts.STALE_BUTTON
    for command in ("/digest", "/cadres", "/cadre 赵强", "/comment 赵强 1 好"):
        assert (await wang.say(command)).text == texts.SUPERVISOR_ONLY  # a cadre is not a supervisor


async def test_comment_by_button_reaches_the_cadre_once(
    team: dict[str, Chat], db: Database, clock: FrozenClock
) -> None:
    boss = team["boss"]
    async with db.unit_of_work() as uow:
        wang_id = (await uow.people.by_identity("telegram", "51001")).id
    ask = await boss.press(f"cr:{wang_id}:3")
    assert ask.text.startswith("请发送您对王明 #3 的点评") and "石桥村调研村集体经济" in ask.text
    assert (await boss.say("   ")).text == texts.COMMENT_EMPTY
    assert (await boss.say("很好，资金落实后请跟进灌溉渠施工进度")).text == texts.COMMENT_SENT.format(
        name="王明", seq=3
    )
    async with db.unit_of_work() as uow:
        [item] = await collect_outbox(uow, clock(), GRACE)
        await uow.commit()
    assert item.chat_id == "51001"
    assert item.text == texts.COMMENT_TO_CADRE.format(
        author="李华",
        date="7月15日",
        seq=3,
        quote="到石桥村调研村集体经济，协调解决灌溉渠修建资金5万元",
        text="很好，资金落实后请跟进灌溉渠施工进度",
    )
    async with db.unit_of_work() as uow:
        assert await collect_outbox(uow, clock(), GRACE) == []  # taken once
    # after the comment, his next words are not taken as another comment
    assert (await boss.say("再说一句")).text == texts.SUPERVISOR_NO_CAPTURE


async def test_comment_command_and_its_bad_input(team: dict[str, Chat], db: Database, clock: FrozenClock) -> None:
    boss = team["boss"]
    assert (await boss.say("/comment 王明")).text == texts.COMMENT_USAGE
    assert (await boss.say("/comment 王明 abc 好")).text == texts.COMMENT_USAGE
    assert (await boss.say("/comment 王明 99 好")).text == texts.COMMENT_NO_ENTRY.format(name="王明", seq=99)
    long = "很" * 501
    assert (await boss.say(f"/comment 王明 1 {long}")).text == texts.COMMENT_TOO_LONG.format(limit=500)
    assert (await boss.say("/comment 王明 #1 走访扎实 👍")).text == texts.COMMENT_SENT.format(name="王明", seq=1)
    async with db.unit_of_work() as uow:
        wang_id = (await uow.people.by_identity("telegram", "51001")).id
    await boss.press(f"cr:{wang_id}:2")
    assert (await boss.say("取消")).text == texts.COMMENT_CANCELLED
    async with db.unit_of_work() as uow:
        items = await collect_outbox(uow, clock(), GRACE)
    assert [i.text.endswith("点评：走访扎实 👍") for i in items] == [True]


async def test_weekly_digest_due_monday_nine_once(team: dict[str, Chat], db: Database, clock: FrozenClock) -> None:
    async def due() -> list:
        async with db.unit_of_work() as uow:
            items = await collect_digests(uow, clock(), GRACE)
            await uow.commit()
        return items

    local(clock, 2026, 7, 20, 8, 59)
    assert await due() == []
    local(clock, 2026, 7, 20, 9, 1)
    [item] = await due()
    assert item.chat_id == "52001" and item.text.startswith("📋 挂职干部周报 7月13日—7月19日")
    picture = item.picture()
    assert picture.data.startswith(b"\x89PNG")
    assert await due() == []  # once
    local(clock, 2026, 7, 21, 9, 1)
    assert await due() == []  # Tuesday
    await team["boss"].press("rs:t:digest")  # he switches it off
    local(clock, 2026, 7, 27, 9, 1)
    assert await due() == []
    async with db.unit_of_work() as uow:
        assert (await uow.deliveries.by_outcome()).get("skipped") == 1


async def test_digest_queries_do_not_grow_with_cadres(db: Database, clock: FrozenClock, chat: Chat) -> None:
    async def statements_for_digests() -> int:
        count = 0

        def counter(*args: object) -> None:
            nonlocal count
            count += 1

        event.listen(db.engine.sync_engine, "before_cursor_execute", counter)
        try:
            async with db.unit_of_work() as uow:
                supervisors = await recipients(uow, clock(), "supervisor")
                count = 0
                digests = await build_digests(uow, supervisors)
        finally:
            event.remove(db.engine.sync_engine, "before_cursor_execute", counter)
        assert len(digests) == 1
        return count

    await register_cadre(db, clock)
    await register_supervisor(db, clock)
    few = await statements_for_digests()
    ids = [str(51100 + i) for i in range(12)]
    for i, telegram_id in enumerate(ids):
        await register_cadre(db, clock, telegram_id=telegram_id, name=f"干部{i}")
        await Chat(chat.dispatcher, clock, user=telegram_id).say("到东坪村走访3户困难户")
    await register_supervisor(db, clock, telegram_id="52002", cadres=tuple(ids))
    async with db.unit_of_work() as uow:  # the same supervisor count: drop the first one's digest
        await uow.people.deactivate((await uow.people.by_identity("telegram", "52001")).id, clock())
        await uow.commit()
    assert await statements_for_digests() == few
