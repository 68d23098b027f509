"""Capture through the dispatcher, on SQLite and PostgreSQL: text in, Reply out, rows checked."""

from __future__ import annotations

import datetime as dt

from analysis import lexicon
from handlers import texts
from storage.db import Database
from tests.conftest import Chat, FrozenClock, register_supervisor

TODAY = dt.date(2026, 7, 15)


async def entries(db: Database, telegram_id: str = "51001") -> list:
    async with db.unit_of_work() as uow:
        person = await uow.people.by_identity("telegram", telegram_id)
        assert person is not None
        return await uow.entries.between(person.id, dt.date(2000, 1, 1), dt.date(2100, 1, 1))


async def entry(db: Database, seq: int, telegram_id: str = "51001"):
    async with db.unit_of_work() as uow:
        person = await uow.people.by_identity("telegram", telegram_id)
        assert person is not None
        return await uow.entries.by_seq(person.id, seq)


async def test_plain_text_becomes_a_work_log_with_one_line_ack(chat: Chat, cadre: str, db: Database) -> None:
    reply = await chat.say("上午列席镇党委会，研究春季植树和环境卫生整治")
    assert reply.text.startswith("✅ 已记 #1|工作日志|7月15日（今天）|会议")
    assert "\n" not in reply.text
    assert [b.label for b in reply.buttons[0]] == [texts.BTN_CATEGORY, texts.BTN_KIND, texts.BTN_STAR, texts.BTN_UNDO]
    [stored] = await entries(db)
    assert stored.kind == "log" and stored.work_date == TODAY and stored.categories[0] == "meeting"
    assert stored.text == stored.original_text == "上午列席镇党委会，研究春季植树和环境卫生整治"


async def test_each_kind_is_detected(chat: Chat, cadre: str, db: Database, clock: FrozenClock) -> None:
    await chat.say("走访东坪村3组李某某家，5口人，反映村道下雨天走不了。已记下，下周跟扶贫办说")
    await chat.say("上午局里学习会，学《信访条例》，记了两页笔记")
    await chat.say("明天请假1天回原单位办手续，已跟陈书记打过招呼，周五返岗")
    clock.advance(days=2)  # back on Friday, after the leave (a return before it began asks first)
    await chat.say("已返岗，销假")
    kinds = [e.kind for e in await entries(db)]
    assert kinds == ["visit", "study", "leave", "back"]
    visit, study, leave, back = await entries(db)
    assert visit.details["place"] == "东坪村" and visit.details["promises"][-1]["due"] == "2026-07-20"
    assert "信访条例" in study.details["materials"] and study.details["notes"] is True
    assert leave.details["from"] == "2026-07-16" and leave.details["to"] == "2026-07-16"
    assert leave.details["reason"] == "回原单位办手续" and leave.details["returned_on"] == "2026-07-17"
    assert back.details["closed_leave"] == leave.seq


async def test_explicit_commands_and_prefixes_override_detection(chat: Chat, cadre: str, db: Database) -> None:
    await chat.say("/visit 上午列席镇党委会")
    await chat.say("学习：上午列席镇党委会")
    await chat.say("日志 走访东坪村李某某家")
    kinds = [(e.kind, e.kind_by_user) for e in await entries(db)]
    assert kinds == [("visit", True), ("study", True), ("log", True)]


async def test_back_dated_entry_takes_the_named_date(chat: Chat, cadre: str, db: Database) -> None:
    reply = await chat.say("昨天在信访局接待来访群众14人次，其中集体访1批8人")
    assert "7月14日" in reply.text
    await chat.say("上周三去东坪村看饮水工程")
    await chat.say("2026-07-01 参加县委中心组学习")
    dates = [e.work_date for e in await entries(db)]
    assert dates == [dt.date(2026, 7, 1), dt.date(2026, 7, 8), dt.date(2026, 7, 14)]


async def test_facts_are_stored_with_the_entry(chat: Chat, cadre: str, db: Database) -> None:
    await chat.say("石桥村打井项目：修了2.3公里管道，资金到位85万元，入户核实3户，来访2起，培训15名党员")
    [stored] = await entries(db)
    facts = stored.facts
    assert facts["places"][0] == {"name": "石桥村", "type": "village"}
    assert facts["money"][0]["value"] == 850000
    assert facts["lengths"][0]["value"] == 2300
    assert facts["households"][0]["value"] == 3
    assert facts["petitions"][0]["value"] == 2
    assert any(p["value"] == 15 and p["who"] == "党员" for p in facts["people"])


async def test_future_date_is_questioned_not_silently_stored(chat: Chat, cadre: str, db: Database) -> None:
    reply = await chat.say("2026-08-20 召开村民代表大会")
    assert "还没到" in reply.text
    assert await entries(db) == []  # pending entries stay out of the lists until answered
    stored = await entry(db, 1)
    assert stored.status == "pending" and stored.work_date == TODAY
    assert (await chat.say("/today")).text.startswith("今天（7月15日）还没有记录")
    answer = await chat.press(f"pd:{stored.seq}:t")
    assert answer.replace and "7月15日（今天）" in answer.text
    assert (await entry(db, 1)).status == "active"


async def test_date_before_posting_is_questioned_and_can_be_kept(chat: Chat, cadre: str, db: Database) -> None:
    reply = await chat.say("5月20日去组织部报到前准备材料")
    assert "早于挂职开始日期 6月1日" in reply.text
    assert [b.data for b in reply.buttons[0]] == ["pd:1:k", "pd:1:t"]
    await chat.press("pd:1:k")
    stored = await entry(db, 1)
    assert stored.status == "active" and stored.work_date == dt.date(2026, 5, 20)


async def test_traditional_chinese_is_analysed_and_kept(chat: Chat, cadre: str, db: Database) -> None:
    reply = await chat.say("昨天走訪東坪村困難戶張某，反映房屋漏雨")
    assert "走访记录" in reply.text
    [stored] = await entries(db)
    assert stored.text == "昨天走訪東坪村困難戶張某，反映房屋漏雨"
    assert stored.details["place"] == "东坪村" and stored.work_date == dt.date(2026, 7, 14)


async def test_category_change_through_buttons_is_stored_and_wins(chat: Chat, cadre: str, db: Database) -> None:
    await chat.say("上午列席镇党委会")
    menu = await chat.press("cm:1")
    assert menu.replace and len([b for row in menu.buttons for b in row]) == len(lexicon.CATEGORY_CODES) == 17
    assert all(len(b.data.encode()) <= 64 for row in menu.buttons for b in row)
    done = await chat.press("cs:1:party")
    assert "党建" in done.text
    stored = await entry(db, 1)
    assert stored.categories[0] == "party" and stored.categories_by_user
    await chat.say("/edit 1 上午列席镇党委会，研究信访积案化解")
    assert (await entry(db, 1)).categories[0] == "party"


async def test_kind_change_through_buttons(chat: Chat, cadre: str, db: Database) -> None:
    await chat.say("到东坪村看饮水工程")
    menu = await chat.press("km:1")
    assert {b.data for row in menu.buttons for b in row} >= {"ks:1:visit", "ks:1:study"}
    await chat.press("ks:1:visit")
    stored = await entry(db, 1)
    assert stored.kind == "visit" and stored.kind_by_user and stored.details["place"] == "东坪村"


async def test_undo_and_restore(chat: Chat, cadre: str, db: Database) -> None:
    await chat.say("上午列席镇党委会")
    undone = await chat.press("u:1")
    assert undone.text == texts.UNDONE.format(seq=1) and undone.buttons[0][0].data == "r:1"
    assert await entries(db) == []
    restored = await chat.press("r:1")
    assert "已恢复 #1" in restored.text
    assert len(await entries(db)) == 1


async def test_attachments_join_the_entry_just_written(
    chat: Chat, cadre: str, db: Database, clock: FrozenClock
) -> None:
    await chat.say("走访东坪村困难户张某，房子西墙有裂缝")
    clock.advance(minutes=1)
    photo = await chat.send_attachment("photo", file_id="AgAD1", file_unique_id="u1")
    assert photo.text == texts.ATTACHED_TO.format(what="照片", seq=1)
    clock.advance(minutes=1)
    where = await chat.send_attachment("location", latitude=26.58, longitude=106.71)
    assert "位置" in where.text
    stored = await entry(db, 1)
    assert [a.kind for a in stored.attachments] == ["photo", "location"]
    assert stored.latitude == 26.58 and stored.longitude == 106.71


async def test_photo_first_then_text_within_the_window(
    chat: Chat, cadre: str, db: Database, clock: FrozenClock
) -> None:
    waiting = await chat.send_attachment("photo", file_id="AgAD2")
    assert "请再发一句说明" in waiting.text
    clock.advance(minutes=2)
    reply = await chat.say("现场查看中川村圈舍建设")
    assert "已附 1 个附件" in reply.text
    assert len((await entry(db, 1)).attachments) == 1


async def test_photo_with_caption_is_one_entry(chat: Chat, cadre: str, db: Database) -> None:
    reply = await chat.send_attachment(
        "document", caption="报送石桥村打井项目进度材料", file_id="BQAD", file_name="进度.pdf"
    )
    assert reply.text.startswith("✅ 已记 #1")
    assert (await entry(db, 1)).attachments[0].file_name == "进度.pdf"


async def test_attachment_after_the_window_waits_for_its_own_text(
    chat: Chat, cadre: str, db: Database, clock: FrozenClock
) -> None:
    await chat.say("上午列席镇党委会")
    clock.advance(minutes=30)
    reply = await chat.send_attachment("voice", file_id="AwAD", duration=7)
    assert "请再发一句说明" in reply.text
    assert (await entry(db, 1)).attachments == ()


async def test_redelivered_message_is_stored_once(chat: Chat, cadre: str, db: Database) -> None:
    message = chat.message("上午列席镇党委会", message_id="777")
    first = await chat.dispatcher.dispatch(message)
    again = await chat.dispatcher.dispatch(message)
    assert first.text == again.text
    assert len(await entries(db)) == 1


async def test_edited_platform_message_updates_its_entry(chat: Chat, cadre: str, db: Database) -> None:
    await chat.dispatcher.dispatch(chat.message("上午列席镇党委会", message_id="900"))
    reply = await chat.dispatcher.dispatch(chat.message("昨天上午走访东坪村李某某家", message_id="900", edited=True))
    assert reply.text.startswith("✏️ 已更新 #1|走访记录|7月14日")
    stored = await entry(db, 1)
    assert stored.original_text == "上午列席镇党委会" and stored.kind == "visit"
    async with db.unit_of_work() as uow:
        assert await uow.entries.revisions(stored.id) == ["上午列席镇党委会"]


async def test_supervisor_text_is_not_captured(chat: Chat, cadre: str, db: Database, clock: FrozenClock) -> None:
    await register_supervisor(db, clock)
    boss = Chat(chat.dispatcher, clock, user="52001")
    assert (await boss.say("今天检查了工作")).text == texts.SUPERVISOR_NO_CAPTURE
    assert (await boss.say("/today")).text == texts.CADRE_ONLY
    assert await entries(db) == []
