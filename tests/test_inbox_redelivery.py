"""Redelivery through the durable inbox: the same Telegram update twice, and a WeCom retry after a restart, for
an entry, /remind, /delete, /comment and a button press — one effect and one answer each."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.channels.telegram import TelegramChannel
from bot.channels.wecom import WeComApi, WeComChannel
from bot.http import HttpServer, build_app
from bot.inbox import Inbox, decode_reply, encode_reply
from handlers import admin, build_router
from handlers.context import HandlerSettings
from handlers.messages import Button, Document, Reply
from handlers.router import Dispatcher
from storage.db import Database
from storage.inbox import InboxItem
from storage.models import CommentRow, EntryRow, InboxRow, ReminderRow
from tests import wecom_crypto as wc
from tests.conftest import register_cadre, register_supervisor
from tests.fake_telegram import FakeBotApi
from tests.fake_wecom import AGENT_ID, CORP_ID, SECRET, FakeWeCom

CADRE, BOSS = 51001, 52001


def real_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def count(db: Database, model: Any, *where: Any) -> int:
    async with db.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(model).where(*where))).scalar_one())


async def entry(db: Database, seq: int) -> Any:
    async with db.engine.connect() as conn:
        return (await conn.execute(select(EntryRow).where(EntryRow.seq == seq))).one_or_none()


# -- Telegram ---------------------------------------------------------------------------------------------
@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    server = FakeBotApi().start()
    yield server
    server.stop()


@pytest.fixture
async def telegram(api: FakeBotApi, db: Database) -> AsyncIterator[TelegramChannel]:
    today = real_now().date()
    await register_cadre(db, real_now, start=today - dt.timedelta(days=60), end=today + dt.timedelta(days=120))
    await register_supervisor(db, real_now)
    dispatcher = Dispatcher(build_router(), db.unit_of_work, real_now, HandlerSettings())
    channel = TelegramChannel(
        dispatcher, token=api.token, base_url=api.base_url, base_file_url=api.base_file_url, poll_timeout=1
    )
    await channel.start()
    yield channel
    await channel.stop()


async def answers(api: FakeBotApi, chat: int, method: str = "sendMessage", at_least: int = 1) -> list[dict[str, Any]]:
    def enough(a: FakeBotApi) -> list[dict[str, Any]] | None:
        found = a.sent(chat, method)
        return found if len(found) >= at_least else None

    return list(await asyncio.to_thread(api.wait_for, enough))


async def say(api: FakeBotApi, text: str, chat: int = CADRE) -> tuple[dict[str, Any], dict[str, Any]]:
    before = len(api.sent(chat))
    update = api.push_message(chat, text)
    return update, (await answers(api, chat, at_least=before + 1))[before]


async def settle(api: FakeBotApi, chat: int) -> None:
    """Every update queued so far for the chat is handled (its updates are handled in order): a /help after them
    has been answered."""
    before = len(api.sent(chat))
    api.push_message(chat, "/help")
    await answers(api, chat, at_least=before + 1)


def counts(api: FakeBotApi, chat: int) -> tuple[int, int, int]:
    # (messages to the chat, edits in it, button presses answered: those carry no chat id)
    return len(api.sent(chat)), len(api.sent(chat, "editMessageText")), len(api.sent(None, "answerCallbackQuery"))


async def test_the_same_telegram_update_twice_has_one_effect(
    api: FakeBotApi, telegram: TelegramChannel, db: Database
) -> None:
    # an entry
    update, reply = await say(api, "上午列席镇党委会，研究环境卫生整治")
    assert reply["text"].startswith("✅ 已记 #1")
    before = counts(api, CADRE)
    api.redeliver(update)
    await settle(api, CADRE)
    assert counts(api, CADRE) == (before[0] + 1, before[1], before[2])  # only the /help was answered
    assert await count(db, EntryRow) == 1

    # /remind
    update, reply = await say(api, "/remind 明天 15:00 给石桥村回电话")
    assert reply["text"].startswith("⏰ 已设提醒 #1")
    before = counts(api, CADRE)
    api.redeliver(update)
    await settle(api, CADRE)
    assert counts(api, CADRE)[0] == before[0] + 1
    assert await count(db, ReminderRow) == 1

    # a button press: ★ toggles, so a second press would take the star away again
    press = api.push_callback(CADRE, "st:1", _bot_message_with(api, CADRE, "✅ 已记 #1"))
    await settle(api, CADRE)
    assert (await entry(db, 1)).starred
    before = counts(api, CADRE)
    api.redeliver(press)
    await settle(api, CADRE)
    assert (await entry(db, 1)).starred
    assert counts(api, CADRE) == (before[0] + 1, before[1], before[2])

    # /comment from his supervisor
    update, reply = await say(api, "/comment 王明 1 情况写得很具体", chat=BOSS)
    assert await count(db, CommentRow) == 1
    before = counts(api, BOSS)
    api.redeliver(update)
    await settle(api, BOSS)
    assert counts(api, BOSS)[0] == before[0] + 1
    assert await count(db, CommentRow) == 1

    # /delete asks; the confirming button deletes; neither is repeated by a redelivery
    update, ask = await say(api, "/delete 1")
    assert ask["reply_markup"] and "dy:1" in json.dumps(ask["reply_markup"])
    before = counts(api, CADRE)
    api.redeliver(update)
    await settle(api, CADRE)
    assert counts(api, CADRE) == (before[0] + 1, before[1], before[2])  # not asked twice
    press = api.push_callback(CADRE, "dy:1", _bot_message_with(api, CADRE, ask["text"]))
    edits = before[1]
    await answers(api, CADRE, "editMessageText", at_least=edits + 1)
    assert (await entry(db, 1)).deleted_at is not None
    before = counts(api, CADRE)
    api.redeliver(press)
    await settle(api, CADRE)
    assert counts(api, CADRE) == (before[0] + 1, before[1], before[2])
    await telegram.inbox.drain()
    async with db.engine.connect() as conn:
        rows = (await conn.execute(select(InboxRow.state, InboxRow.payload))).all()
    assert rows and all(state == "done" and payload is None for state, payload in rows)  # no raw text kept


def _bot_message_with(api: FakeBotApi, chat: int, text_start: str) -> dict[str, Any]:
    mine = [m for (c, _), m in api._bot_messages.items() if c == chat and str(m.get("text", "")).startswith(text_start)]
    return mine[-1]


# -- WeCom, across a restart --------------------------------------------------------------------------------
USER = "wangming"
_msg_ids = itertools.count(7_500_000_000_000_000_001)


def callback(user: str, text: str, msg_id: int) -> tuple[dict[str, str], bytes]:
    plain = wc.message_xml(CORP_ID, user, "text", {"Content": text, "MsgId": str(msg_id)}, int(time.time()))
    encrypted = wc.encrypt(plain, CORP_ID)  # a retry is encrypted afresh: only the MsgId stays the same
    ts, nonce = str(int(time.time())), "1372623149"
    return {"msg_signature": wc.sign(wc.TOKEN, ts, nonce, encrypted), "timestamp": ts, "nonce": nonce}, wc.envelope(
        CORP_ID, encrypted
    )


class WeComProcess:
    """One run of the WeCom side of the bot: channel, its inbox and the HTTP server (a restart makes a new one)."""

    def __init__(self, db: Database, fake: FakeWeCom) -> None:
        dispatcher = Dispatcher(build_router(), db.unit_of_work, real_now, HandlerSettings())
        api = WeComApi(corp_id=CORP_ID, secret=SECRET, agent_id=AGENT_ID, base_url=fake.base_url)
        self.channel = WeComChannel(dispatcher, api=api, token=wc.TOKEN, aes_key=wc.AES_KEY, corp_id=CORP_ID)
        self.server = HttpServer(build_app(wecom=self.channel), "127.0.0.1", 0)

    async def __aenter__(self) -> WeComProcess:
        await self.channel.start()
        await self.server.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.server.stop()
        await self.channel.stop()

    async def post(self, user: str, text: str, msg_id: int) -> None:
        params, body = callback(user, text, msg_id)
        async with httpx.AsyncClient() as client:
            response = await client.post(
                f"http://127.0.0.1:{self.server.port}/wecom/callback", params=params, content=body
            )
        assert response.status_code == 200
        await self.channel.drain()


async def test_a_wecom_retry_after_a_restart_has_no_effect(db: Database) -> None:
    fake = FakeWeCom(users={USER, "lihua"}).start()
    try:
        today = real_now().date()
        async with db.unit_of_work() as uow:
            await admin.add_cadre(
                uow,
                name="王明",
                identities=[("wecom", USER)],
                host_unit="青山镇人民政府",
                position="党委副书记",
                sending_unit="市审计局",
                start=today - dt.timedelta(days=60),
                end=today + dt.timedelta(days=120),
                timezone="Asia/Shanghai",
                now=real_now(),
            )
            await admin.add_supervisor(
                uow,
                name="李华",
                identities=[("wecom", "lihua")],
                cadres=[USER],
                timezone="Asia/Shanghai",
                now=real_now(),
            )
            await uow.commit()
        sent: list[tuple[str, str, int]] = []  # (user, text, MsgId) as WeCom delivered them the first time
        async with WeComProcess(db, fake) as first:
            for user, text in (
                (USER, "走访东坪村3户困难户，了解饮水情况"),
                (USER, "3"),  # the ★ button of the entry's reply, as a numbered choice
                (USER, "/remind 明天 15:00 给石桥村回电话"),
                ("lihua", "/comment 王明 1 情况写得很具体"),
                (USER, "/delete 1"),
                (USER, "1"),  # 确认删除
            ):
                msg_id = next(_msg_ids)
                sent.append((user, text, msg_id))
                await first.post(user, text, msg_id)
        assert (await entry(db, 1)).starred and (await entry(db, 1)).deleted_at is not None
        assert await count(db, ReminderRow) == 1 and await count(db, CommentRow) == 1
        replies_before = len(fake.sent)
        async with WeComProcess(db, fake) as second:  # the restart: nothing remembered in memory
            for user, text, msg_id in sent:
                await second.post(user, text, msg_id)  # WeCom retries every one of them
        assert len(fake.sent) == replies_before  # not one answer twice
        assert await count(db, EntryRow) == 1  # "3" and "1" were not taken for new entries
        assert (await entry(db, 1)).starred  # not toggled back
        assert await count(db, ReminderRow) == 1 and await count(db, CommentRow) == 1
    finally:
        fake.stop()


# -- the inbox itself -----------------------------------------------------------------------------------------
def test_a_reply_survives_the_round_trip_through_json() -> None:
    reply = Reply(
        "✅ 已记 #3",
        buttons=((Button("改分类", "cm:3"), Button("撤销", "u:3")),),
        replace=True,
        callback_notice="好",
        extra=("还有一句",),
        document=Document("总结.docx", b"PK\x03\x04\x00\xff", "application/msword"),
        photo=Document("图.png", b"\x89PNG", "image/png"),
    )
    stored = json.loads(json.dumps(encode_reply(reply, {"chat": 5})))
    assert decode_reply(stored) == ({"chat": 5}, reply)
    assert decode_reply(json.loads(json.dumps(encode_reply(None, {"user": "u"})))) == ({"user": "u"}, None)


class RecordingChannel:
    """A platform that records what the inbox asks of it (the fake at the border)."""

    name = "fake"

    def __init__(self) -> None:
        self.delivered: list[tuple[dict[str, Any], str]] = []

    def decode(self, payload: dict[str, Any]) -> Any:
        from handlers.messages import IncomingMessage

        return IncomingMessage(
            "telegram", payload["chat"], payload["chat"], "王明", payload["text"], real_now(), payload["id"]
        )

    def target(self, payload: dict[str, Any]) -> dict[str, Any]:
        return {"chat": payload["chat"]}

    async def deliver(self, target: dict[str, Any], reply: Reply) -> None:
        self.delivered.append((target, reply.text))

    async def working(self, target: dict[str, Any]) -> None:
        return None


async def test_back_pressure_waits_for_room_and_unsent_replies_go_out_on_start(db: Database) -> None:
    today = real_now().date()
    await register_cadre(db, real_now, start=today - dt.timedelta(days=60), end=today + dt.timedelta(days=120))
    dispatcher = Dispatcher(build_router(), db.unit_of_work, real_now, HandlerSettings())
    inbox = Inbox(dispatcher, max_pending=5)
    items = [
        InboxItem("fake", f"m{i}", "51001", {"chat": "51001", "text": f"整理档案第{i}卷", "id": f"m{i}"})
        for i in range(8)
    ]
    await inbox.store(items)  # stored, nobody handling yet
    await inbox.store(items[:3])  # a redelivery of three: skipped
    assert await count(db, InboxRow) == 8
    room = asyncio.create_task(inbox.room())
    channel = RecordingChannel()
    await inbox.start(channel)  # the first scan counts 8 unhandled: no room until three are handled
    assert await asyncio.wait_for(room, 30) >= 1
    await inbox.drain()
    await inbox.stop(channel)
    assert [t for t, _ in channel.delivered] == [{"chat": "51001"}] * 8
    assert [text.split("|")[0] for _, text in channel.delivered] == [f"✅ 已记 #{i}" for i in range(1, 9)]  # in order
    assert await count(db, EntryRow) == 8
    # a reply committed but not sent when the process died is sent when the channel starts again
    async with db.unit_of_work() as uow:
        assert await uow.inbox.pending(["fake"], 10) == []
        await uow.inbox.add(
            [InboxItem("fake", "late", "51001", {"chat": "51001", "text": "x", "id": "late"})], real_now()
        )
        [late] = await uow.inbox.pending(["fake"], 10)
        assert await uow.inbox.answer(late.id, encode_reply(Reply("迟到的回答"), {"chat": "51001"}), real_now())
        await uow.commit()
    again = RecordingChannel()
    await inbox.start(again)
    assert again.delivered == [({"chat": "51001"}, "迟到的回答")]
    await inbox.stop(again)
    async with db.unit_of_work() as uow:
        assert await uow.inbox.unsent(["fake"]) == []
        # keys are forgotten after the retention period, never before
        assert await uow.inbox.prune(real_now() - dt.timedelta(days=7)) == 0
        assert await uow.inbox.prune(real_now() + dt.timedelta(seconds=1)) == 9
        await uow.commit()
