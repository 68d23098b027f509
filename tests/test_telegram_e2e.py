"""End to end: the real python-telegram-bot Application, long polling a fake Bot API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.channels.telegram import TelegramChannel
from handlers import admin, build_router, texts
from handlers.context import HandlerSettings
from handlers.router import Dispatcher
from storage.db import Database
from tests.conftest import register_cadre
from tests.fake_telegram import FakeBotApi

CADRE = 51001


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi().start()
    yield server
    server.stop()


@pytest.fixture
async def bot(api: FakeBotApi, db: Database) -> AsyncIterator[TelegramChannel]:
    clock = lambda: dt.datetime.now(dt.UTC)  # noqa: E731 - real time: messages carry real timestamps here
    dispatcher = Dispatcher(build_router(), db.unit_of_work, clock, HandlerSettings())
    channel = TelegramChannel(
        dispatcher,
        token=api.token,
        base_url=api.base_url,
        base_file_url=api.base_file_url,
        poll_timeout=1,
        commands=texts.MENU_DESCRIPTIONS,
        sleep=asyncio.sleep,
    )
    await channel.start()
    yield channel
    await channel.stop()


async def wait_replies(api: FakeBotApi, chat_id: int, count: int) -> list[dict[str, Any]]:
    """Wait (without blocking the event loop) until the chat has `count` bot messages."""
    return await asyncio.to_thread(api.wait_for, lambda a: _at_least(a.sent(chat_id), count))


async def wait_edit(api: FakeBotApi, chat_id: int, count: int) -> list[dict[str, Any]]:
    return await asyncio.to_thread(api.wait_for, lambda a: _at_least(a.sent(chat_id, "editMessageText"), count))


def _at_least(items: list[dict[str, Any]], count: int) -> list[dict[str, Any]] | None:
    return items if len(items) >= count else None


async def say(api: FakeBotApi, text: str, user: int = CADRE, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    before = len(api.sent(user))
    update = api.push_message(user, text, **kwargs)
    replies = await wait_replies(api, user, before + 1)
    return update, replies[before]


def buttons(params: dict[str, Any]) -> list[str]:
    markup = (
        json.loads(params["reply_markup"])
        if isinstance(params.get("reply_markup"), str)
        else params.get("reply_markup")
    )
    return [b["callback_data"] for row in (markup or {}).get("inline_keyboard", []) for b in row]


async def entries_of(db: Database, user: int = CADRE) -> list[Any]:
    async with db.unit_of_work() as uow:
        person = await uow.people.by_identity("telegram", str(user))
        assert person is not None
        return await uow.entries.between(person.id, dt.date(2000, 1, 1), dt.date(2100, 1, 1))


async def invite_code(db: Database) -> str:
    async with db.unit_of_work() as uow:
        text = await admin.create_invite(
            uow, role="cadre", name=None, ttl=dt.timedelta(days=7), now=dt.datetime.now(dt.UTC)
        )
        await uow.commit()
    return re.search(r"[A-Z2-9]{8}", text).group(0)  # type: ignore[union-attr]


async def test_command_menu_is_set_at_start(api: FakeBotApi, bot: TelegramChannel) -> None:
    assert {c["command"] for c in api.commands} >= {"today", "week", "history", "search", "edit", "delete", "help"}


async def test_full_journey(api: FakeBotApi, bot: TelegramChannel, db: Database) -> None:
    # an unregistered user learns how to join; nothing of his is stored
    _, reply = await say(api, "今天走访东坪村")
    assert reply["text"] == texts.JOIN_HINT
    # registration by invite code, then the profile questions in chat
    code = await invite_code(db)
    _, welcome = await say(api, f"/start {code}")
    assert welcome["text"].startswith("王明，欢迎使用")
    await wait_replies(api, CADRE, 3)
    assert api.sent(CADRE)[2]["text"] == texts.ASK_FIELD["host_unit"]
    for answer in ("青山镇人民政府", "党委副书记", "市审计局", "2026-06-01"):
        await say(api, answer)
    _, done = await say(api, "2026-11-30")
    assert done["text"].startswith("挂职信息已齐全")

    # each kind of entry, and a back-dated one
    _, log = await say(api, "上午列席镇党委会，研究环境卫生整治")
    assert "|工作日志|" in log["text"] and buttons(log) == ["cm:1", "km:1", "st:1", "u:1"]
    _, visit = await say(api, "走访东坪村3组李某某家，反映村道下雨天走不了，下周跟扶贫办说")
    assert "|走访记录|" in visit["text"]
    _, study = await say(api, "学习《信访条例》，记了两页笔记")
    assert "|学习记录|" in study["text"]
    _, leave = await say(api, "/leave 今天请假1天回原单位办手续")  # begun: a 销假 before a leave begins asks first
    assert "|请假" in leave["text"]
    _, back = await say(api, "销假")
    assert "销假返岗" in back["text"]
    _, dated = await say(api, "昨天在信访局接待来访群众14人次")
    yesterday = (dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8))) - dt.timedelta(days=1)).date()
    assert f"{yesterday.month}月{yesterday.day}日" in dated["text"]

    # category change through the button: the bot edits its own message
    log_message = next(m for (c, _), m in api._bot_messages.items() if c == CADRE and m["text"] == log["text"])
    api.push_callback(CADRE, "cm:1", log_message)
    menu = (await wait_edit(api, CADRE, 1))[-1]
    assert "cs:1:party" in buttons(menu)
    api.push_callback(CADRE, "cs:1:party", api.bot_message(CADRE, log_message["message_id"]))
    changed = (await wait_edit(api, CADRE, 2))[-1]
    assert "党建" in changed["text"]
    assert next(e for e in await entries_of(db) if e.seq == 1).categories[0] == "party"

    # undo through the button
    dated_message = next(m for (c, _), m in api._bot_messages.items() if c == CADRE and m["text"] == dated["text"])
    api.push_callback(CADRE, "u:6", dated_message)
    undone = (await wait_edit(api, CADRE, 3))[-1]
    assert undone["text"] == texts.UNDONE.format(seq=6)
    assert [e.seq for e in await entries_of(db)] == [1, 2, 3, 4, 5]

    # /today and /week
    _, today = await say(api, "/today")
    assert today["text"].startswith("今天") and "#1" in today["text"]
    _, week = await say(api, "/week")
    assert week["text"].startswith("本周") and "分类：" in week["text"]

    # /edit and an edited Telegram message
    _, edited = await say(api, "/edit 1 上午列席镇党委会，研究信访积案化解")
    assert edited["text"].startswith("✏️ 已更新 #1")
    original, _ = await say(api, "下午到石桥村看打井")
    before = len(api.sent(CADRE))
    api.push_edit(original, "下午到石桥村看打井，已出水")
    corrected = (await wait_replies(api, CADRE, before + 1))[before]
    assert corrected["text"].startswith("✏️ 已更新 #7")
    stored = {e.seq: e for e in await entries_of(db)}
    assert stored[7].text == "下午到石桥村看打井，已出水" and stored[7].original_text == "下午到石桥村看打井"

    # /delete asks first, the button deletes
    _, ask = await say(api, "/delete 7")
    assert buttons(ask) == ["dy:7", "dn:7"]
    ask_message = next(m for (c, _), m in api._bot_messages.items() if c == CADRE and m["text"] == ask["text"])
    edits = len(api.sent(CADRE, "editMessageText"))
    api.push_callback(CADRE, "dy:7", ask_message)
    deleted = (await wait_edit(api, CADRE, edits + 1))[-1]
    assert deleted["text"] == texts.DELETED.format(seq=7)
    assert 7 not in {e.seq for e in await entries_of(db)}


async def test_redelivered_update_is_stored_once(api: FakeBotApi, bot: TelegramChannel, db: Database) -> None:
    await register(db)
    update, _first = await say(api, "上午列席镇党委会")
    before = len(api.sent(CADRE))
    api.redeliver(update)  # the same message under a new update id: the inbox knows its key, nothing happens
    _, after = await say(api, "下午走访东坪村")  # one chat's updates are handled in order: the redelivery came first
    assert after["text"].startswith("✅ 已记 #2")
    assert len(api.sent(CADRE)) == before + 1
    assert [e.seq for e in await entries_of(db)] == [1, 2]


async def test_photo_and_location_join_the_entry(api: FakeBotApi, bot: TelegramChannel, db: Database) -> None:
    await register(db)
    await say(api, "走访困难户张某，房子西墙有裂缝")
    _, photo = await say(api, None, photo=True)
    assert photo["text"] == texts.ATTACHED_TO.format(what="照片", seq=1)
    _, where = await say(api, None, location=(26.58, 106.71))
    assert where["text"] == texts.LOCATION_ATTACHED.format(seq=1)
    _, doc = await say(api, None, document="台账.pdf", caption="报送打井项目台账")
    assert doc["text"].startswith("✅ 已记 #2")
    first, second = await entries_of(db)
    assert [a.kind for a in first.attachments] == ["photo", "location"] and first.latitude == 26.58
    assert first.attachments[0].file_id.startswith("AgAD-large")  # the largest size is kept
    assert second.attachments[0].file_name == "台账.pdf"


async def test_group_chat_is_refused(api: FakeBotApi, bot: TelegramChannel, db: Database) -> None:
    await register(db)
    api.push_message(CADRE, "上午列席镇党委会", chat_type="group", chat_id=-100777)
    reply = (await wait_replies(api, -100777, 1))[0]
    assert reply["text"] == texts.GROUP_REFUSED
    assert await entries_of(db) == []


async def test_flood_control_is_waited_out(api: FakeBotApi, bot: TelegramChannel, db: Database) -> None:
    await register(db)
    api.per_chat_per_second = 1
    api.flood_retry_after = 1
    await say(api, "上午列席镇党委会")
    _, second = await say(api, "下午走访东坪村")  # the first send is refused with 429, the retry succeeds
    assert second["text"].startswith("✅ 已记 #2")
    refused = [c for c in api.calls if c.method == "sendMessage"]
    assert len(refused) >= 3  # two replies, at least one of them sent twice


async def test_blocked_user_does_not_break_the_bot(api: FakeBotApi, bot: TelegramChannel, db: Database) -> None:
    await register(db)
    await register(db, 51002, "赵强")
    api.blocked.add(51002)
    api.push_message(51002, "上午列席镇党委会")
    await asyncio.to_thread(
        api.wait_for,
        lambda a: any(int(c.params.get("chat_id", 0)) == 51002 for c in a.calls if c.method == "sendMessage"),
    )
    assert len(await entries_of(db, 51002)) == 1  # stored, even though the acknowledgement could not be delivered
    _, reply = await say(api, "下午走访东坪村")
    assert reply["text"].startswith("✅ 已记 #1")


async def register(db: Database, telegram_id: int = CADRE, name: str = "王明") -> None:
    await register_cadre(
        db,
        lambda: dt.datetime.now(dt.UTC),
        telegram_id=str(telegram_id),
        name=name,
        start=dt.date(2026, 1, 1),
        end=dt.date(2027, 12, 31),
    )


def test_fake_server_speaks_bot_api_errors() -> None:
    import httpx

    api = FakeBotApi().start()
    try:
        base = api.base_url
        assert httpx.post(f"{base}WRONG/getMe").json() == {
            "ok": False,
            "error_code": 401,
            "description": "Unauthorized",
        }
        assert httpx.post(f"{base}{api.token}/noSuchMethod").status_code == 404
        api.push_message(1, "hi")
        answer = httpx.post(f"{base}{api.token}/sendMessage", data={"chat_id": "1", "text": ""}).json()
        assert answer == {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"}
        answer = httpx.post(f"{base}{api.token}/sendMessage", data={"chat_id": "1", "text": "x" * 4097}).json()
        assert answer["description"] == "Bad Request: message is too long"
        markup = json.dumps({"inline_keyboard": [[{"text": "a", "callback_data": "x" * 65}]]})
        answer = httpx.post(
            f"{base}{api.token}/sendMessage", data={"chat_id": "1", "text": "t", "reply_markup": markup}
        ).json()
        assert answer["description"] == "Bad Request: BUTTON_DATA_INVALID"
        answer = httpx.post(f"{base}{api.token}/sendMessage", data={"chat_id": "2", "text": "t"}).json()
        assert answer["description"] == "Bad Request: chat not found"
        api.per_chat_per_second = 1
        httpx.post(f"{base}{api.token}/sendMessage", data={"chat_id": "1", "text": "t"})
        answer = httpx.post(f"{base}{api.token}/sendMessage", json={"chat_id": 1, "text": "t"}).json()
        assert answer["error_code"] == 429 and answer["parameters"] == {"retry_after": 1}
    finally:
        api.stop()


async def test_report_arrives_as_preview_and_word_document(api: FakeBotApi, bot: TelegramChannel, db: Database) -> None:
    import io

    from docx import Document

    await register(db)
    await say(api, "走访东坪村3户困难户，了解饮水情况")
    await say(api, "石桥村打井项目资金到位30万元")
    _, preview = await say(api, "/report 中期")
    assert preview["text"].startswith("📄 挂职锻炼中期工作小结")
    await asyncio.to_thread(api.wait_for, lambda a: a.documents)
    chat_id, filename, data = api.documents[0]
    assert chat_id == CADRE and filename.endswith("挂职锻炼中期工作小结-" + filename.rsplit("-", 1)[1])
    assert filename.endswith(".docx")
    paragraphs = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    assert paragraphs[0] == "挂职锻炼中期工作小结" and any("东坪村" in p for p in paragraphs)
    actions = [c.params.get("action") for c in api.calls if c.method == "sendChatAction"]
    assert "upload_document" in actions


async def test_reminder_set_in_chat_arrives_and_a_blocked_user_is_recorded(
    api: FakeBotApi, bot: TelegramChannel, db: Database
) -> None:
    from bot.scheduler import ReminderScheduler
    from handlers.reminders import collect_due

    await register(db)
    await register(db, 51002, "赵强")
    _, ack = await say(api, "/remind 30分钟后 给石桥村回电话")
    assert ack["text"].startswith("⏰ 已设提醒 #1")
    await say(api, "/remind 30分钟后 交周报", user=51002)
    api.blocked.add(51002)
    later = lambda: dt.datetime.now(dt.UTC) + dt.timedelta(minutes=31)  # noqa: E731 - an injected clock
    scheduler = ReminderScheduler(db, {"telegram": bot}, later, collectors=[collect_due])
    before = len(api.sent(CADRE))
    try:
        assert await scheduler.tick() == 1
        assert api.sent(CADRE)[before]["text"] == "⏰ 提醒：给石桥村回电话"
        assert await scheduler.tick() == 0  # never twice
    finally:
        await scheduler.stop()  # gives the scheduler's lock (and its connection) back
    async with db.unit_of_work() as uow:
        assert await uow.deliveries.by_outcome() == {"sent": 1, "blocked": 1}


async def test_webhook_mode_checks_the_secret_token(api: FakeBotApi, db: Database) -> None:
    import httpx

    from bot.http import HttpServer, build_app

    await register(db)
    dispatcher = Dispatcher(build_router(), db.unit_of_work, lambda: dt.datetime.now(dt.UTC), HandlerSettings())
    channel = TelegramChannel(
        dispatcher,
        token=api.token,
        base_url=api.base_url,
        base_file_url=api.base_file_url,
        webhook_url="https://bot.example.gov.cn/telegram/webhook",
        webhook_secret="s3cr3t-Token_1",
    )
    await channel.start()
    server = HttpServer(build_app(telegram=channel), "127.0.0.1", 0)
    await server.start()
    url = f"http://127.0.0.1:{server.port}/telegram/webhook"
    try:
        assert api.webhook == {"url": "https://bot.example.gov.cn/telegram/webhook", "secret_token": "s3cr3t-Token_1"}
        async with httpx.AsyncClient() as client:
            update = api.update_json(CADRE, "走访东坪村3户困难户")
            assert (await client.post(url, json=update)).status_code == 403  # no secret
            wrong = {"X-Telegram-Bot-Api-Secret-Token": "guess"}
            assert (await client.post(url, json=update, headers=wrong)).status_code == 403
            right = {"X-Telegram-Bot-Api-Secret-Token": "s3cr3t-Token_1"}
            assert (await client.post(url, content=b"{not json", headers=right)).status_code == 400
            assert (await client.post(url, json=update, headers=right)).status_code == 200
            [reply] = await wait_replies(api, CADRE, 1)
        assert reply["text"].startswith("✅ 已记 #1")
        assert len(await entries_of(db)) == 1
    finally:
        await server.stop()
        await channel.stop()
