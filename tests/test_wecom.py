"""WeCom end to end: callbacks encrypted the way WeCom does (tests/wecom_crypto.py, independent of wechatpy)
posted to our HTTP server; answers through the fake WeCom API (tests/fake_wecom.py)."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.channels.base import WindowLimiter
from bot.channels.wecom import GroupRobot, GroupRobotChannel, WeComApi, WeComChannel, menu_definition
from bot.http import HttpServer, build_app
from bot.scheduler import ReminderScheduler
from handlers import admin, build_router, texts
from handlers.context import HandlerSettings
from handlers.reminders import collect_due, recipients
from handlers.router import Dispatcher
from handlers.supervision import digest_collector
from storage.db import Database
from tests import conftest
from tests import wecom_crypto as wc
from tests.conftest import SH
from tests.fake_wecom import AGENT_ID, CORP_ID, ROBOT_KEY, SECRET, FakeWeCom

CADRE, BOSS, STRANGER = "wangming", "lihua", "zhaoqiang"
_msg_ids = itertools.count(7_000_000_000_000_000_001)


def real_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@pytest.fixture
def fake() -> AsyncIterator[FakeWeCom]:
    server = FakeWeCom(users={CADRE, BOSS, STRANGER}).start()
    yield server
    server.stop()


@pytest.fixture
def dispatcher(db: Database) -> Dispatcher:
    return Dispatcher(build_router(), db.unit_of_work, real_now, HandlerSettings())


class WeComSide:
    """What WeCom's servers do: encrypt, sign and POST callbacks to our URL."""

    def __init__(self, url: str, channel: WeComChannel) -> None:
        self.url = url
        self.channel = channel
        self.client = httpx.AsyncClient(timeout=10)

    def params(self, encrypted: str, timestamp: int | None = None) -> dict[str, str]:
        ts, nonce = str(timestamp or int(time.time())), "1372623149"
        return {"msg_signature": wc.sign(wc.TOKEN, ts, nonce, encrypted), "timestamp": ts, "nonce": nonce}

    def body(self, user: str, msgtype: str = "text", msg_id: int | None = None, **fields: str) -> bytes:
        if msgtype != "event":
            fields["MsgId"] = str(msg_id or next(_msg_ids))
        plain = wc.message_xml(CORP_ID, user, msgtype, fields, int(time.time()))
        return wc.envelope(CORP_ID, wc.encrypt(plain, CORP_ID))

    async def post(self, body: bytes, params: dict[str, str] | None = None) -> httpx.Response:
        if params is None:
            encrypted = re.search(rb"<Encrypt><!\[CDATA\[(.*?)\]\]>", body).group(1).decode()  # type: ignore[union-attr]
            params = self.params(encrypted)
        return await self.client.post(f"{self.url}/wecom/callback", params=params, content=body)

    async def say(self, user: str, text: str, **kwargs: Any) -> httpx.Response:
        response = await self.post(self.body(user, Content=text, **kwargs))
        await self.channel.drain()
        return response

    async def send(self, user: str, msgtype: str, **fields: str) -> httpx.Response:
        response = await self.post(self.body(user, msgtype, **fields))
        await self.channel.drain()
        return response


@pytest.fixture
async def wecom(fake: FakeWeCom, dispatcher: Dispatcher) -> AsyncIterator[WeComSide]:
    api = WeComApi(corp_id=CORP_ID, secret=SECRET, agent_id=AGENT_ID, base_url=fake.base_url)
    robot = GroupRobot(key=ROBOT_KEY, base_url=fake.base_url, client=api.client)
    channel = WeComChannel(dispatcher, api=api, token=wc.TOKEN, aes_key=wc.AES_KEY, corp_id=CORP_ID, robot=robot)
    server = HttpServer(build_app(wecom=channel), "127.0.0.1", 0)
    await channel.start()
    await server.start()
    side = WeComSide(f"http://127.0.0.1:{server.port}", channel)
    yield side
    await side.client.aclose()
    await server.stop()
    await channel.stop()


@pytest.fixture(params=["wecom only", "linked to telegram"])
def linked(request: pytest.FixtureRequest) -> str | None:
    """The same scenarios for a cadre on WeCom alone and for one linked to a Telegram account too."""
    return "51001" if request.param == "linked to telegram" else None


async def register_cadre(db: Database, wecom_id: str = CADRE, telegram_id: str | None = None) -> None:
    today = real_now().astimezone(SH).date()
    ids = [("wecom", wecom_id)] + ([("telegram", telegram_id)] if telegram_id else [])
    async with db.unit_of_work() as uow:
        await admin.add_cadre(
            uow,
            name="王明",
            identities=ids,
            host_unit="青山镇人民政府",
            position="党委副书记",
            sending_unit="市审计局",
            start=today - dt.timedelta(days=60),
            end=today + dt.timedelta(days=120),
            timezone="Asia/Shanghai",
            now=real_now(),
        )
        await uow.commit()


async def entries(db: Database, channel: str = "wecom", user: str = CADRE) -> list[Any]:
    async with db.unit_of_work() as uow:
        person = await uow.people.by_identity(channel, user)
        assert person is not None
        return await uow.entries.between(person.id, dt.date(2000, 1, 1), dt.date(2100, 1, 1))


async def test_url_verification(wecom: WeComSide) -> None:
    echo = wc.encrypt(b"1616140317555161061", CORP_ID)
    params = {**wecom.params(echo), "echostr": echo}
    started = time.perf_counter()
    response = await wecom.client.get(f"{wecom.url}/wecom/callback", params=params)
    assert response.status_code == 200 and response.text == "1616140317555161061"
    assert time.perf_counter() - started < 1.0  # WeCom waits one second
    forged = {**params, "msg_signature": "0" * 40}
    assert (await wecom.client.get(f"{wecom.url}/wecom/callback", params=forged)).status_code == 403
    assert (await wecom.client.get(f"{wecom.url}/healthz")).json()["wecom"] is True


async def test_stranger_learns_to_join_then_binds_with_a_code(wecom: WeComSide, fake: FakeWeCom, db: Database) -> None:
    assert (await wecom.say(STRANGER, "今天走访东坪村")).text == ""  # the ack is empty; the answer is a message
    assert fake.texts_to(STRANGER) == [texts.JOIN_HINT]
    async with db.unit_of_work() as uow:
        invite = await admin.create_invite(uow, role="cadre", name="赵强", ttl=dt.timedelta(days=7), now=real_now())
        await uow.commit()
    code = re.search(r"[A-Z2-9]{8}", invite).group(0)  # type: ignore[union-attr]
    await wecom.say(STRANGER, f"绑定 {code}")
    said = fake.texts_to(STRANGER)
    assert said[1].startswith("赵强，欢迎使用") and said[-1] == texts.ASK_FIELD["host_unit"]


async def test_capture_each_kind_and_a_location(
    wecom: WeComSide, fake: FakeWeCom, db: Database, linked: str | None
) -> None:
    await register_cadre(db, telegram_id=linked)
    await wecom.say(CADRE, "上午列席镇党委会，研究环境卫生整治")
    await wecom.say(CADRE, "走访东坪村3户困难户，了解饮水情况")
    await wecom.say(CADRE, "学习《信访条例》，记了两页笔记")
    await wecom.send(CADRE, "location", Location_X="30.2741", Location_Y="120.1551", Scale="15", Label="东坪村村委会")
    await wecom.send(CADRE, "image", PicUrl="https://wework.qpic.cn/x.jpg", MediaId="MEDIA-photo-1")
    await wecom.send(CADRE, "voice", MediaId="MEDIA-voice-1", Format="amr")
    await wecom.send(CADRE, "file", MediaId="MEDIA-file-1", FileName="学习笔记.docx")
    stored = await entries(db)
    assert [e.kind for e in stored] == ["log", "visit", "study"]
    assert (stored[-1].latitude, stored[-1].longitude) == (30.2741, 120.1551)  # joined the entry just before
    assert [a.kind for a in stored[-1].attachments] == ["location", "photo", "voice", "document"]
    assert stored[-1].attachments[-1].file_name == "学习笔记.docx"
    acks = fake.texts_to(CADRE)
    assert acks[0].startswith("✅ 已记 #1") and "回复序号选择：" in acks[0]  # buttons become numbered choices
    await wecom.say(CADRE, "1")  # the first button of the last reply: 改分类 for #… as on Telegram
    assert len(fake.texts_to(CADRE)) == len(acks) + 1


async def test_retried_callback_is_handled_once(
    wecom: WeComSide, fake: FakeWeCom, db: Database, linked: str | None
) -> None:
    await register_cadre(db, telegram_id=linked)
    body = wecom.body(CADRE, Content="走访东坪村3户困难户", msg_id=7_123_456_789_000_000_001)
    first, second = await wecom.post(body), await wecom.post(body)  # WeCom retried: our ack was slow
    await wecom.channel.drain()
    assert first.status_code == second.status_code == 200
    assert len(await entries(db)) == 1 and len(fake.texts_to(CADRE)) == 1


async def test_hostile_callbacks_are_rejected_and_nothing_is_stored(
    wecom: WeComSide, fake: FakeWeCom, db: Database
) -> None:
    await register_cadre(db)
    good = wecom.body(CADRE, Content="走访东坪村")
    encrypted = re.search(rb"<Encrypt><!\[CDATA\[(.*?)\]\]>", good).group(1).decode()  # type: ignore[union-attr]
    forged = {**wecom.params(encrypted), "msg_signature": "f" * 40}
    assert (await wecom.post(good, forged)).status_code == 403
    stale = wecom.params(encrypted, timestamp=int(time.time()) - 3600)
    assert (await wecom.post(good, stale)).status_code == 403
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<xml><Encrypt>&x;</Encrypt></xml>"
    )
    assert (await wecom.post(xxe, wecom.params("x"))).status_code == 400
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>'
        b"<xml><Encrypt>&lol2;</Encrypt></xml>"
    )
    assert (await wecom.post(bomb, wecom.params("x"))).status_code == 400
    assert (await wecom.post(b"not xml at all", wecom.params("x"))).status_code == 400
    huge = b"<xml><Encrypt>" + b"A" * (300 * 1024) + b"</Encrypt></xml>"
    assert (await wecom.post(huge, wecom.params("x"))).status_code == 413
    garbage = wc.envelope(CORP_ID, "bm90IGEgcmVhbCBjaXBoZXJ0ZXh0")
    assert (await wecom.post(garbage)).status_code == 403  # signed, but not our key's ciphertext
    other_corp = wc.envelope(
        CORP_ID, wc.encrypt(wc.message_xml(CORP_ID, CADRE, "text", {"Content": "x"}, 1), "wwOTHER")
    )
    assert (await wecom.post(other_corp)).status_code == 403
    await wecom.channel.drain()
    assert await entries(db) == [] and fake.sent == []


async def test_report_arrives_as_a_file_and_the_ack_never_waits(
    wecom: WeComSide, fake: FakeWeCom, db: Database, linked: str | None
) -> None:
    await register_cadre(db, telegram_id=linked)
    for text in ("走访东坪村3户困难户，了解饮水情况", "协调石桥村灌溉渠修建资金5万元", "学习《信访条例》，记了笔记"):
        await wecom.say(CADRE, text)
    started = time.perf_counter()
    response = await wecom.post(wecom.body(CADRE, Content="/report"))
    acked = time.perf_counter() - started
    assert response.status_code == 200 and fake.files_to(CADRE) == []  # acknowledged before the report exists
    await wecom.channel.drain()
    handled = time.perf_counter() - started
    assert acked < 0.5 and acked < handled  # the 5-second limit is never at stake
    [(kind, name, data)] = fake.files_to(CADRE)
    assert kind == "file" and name.endswith(".docx") and data.startswith(b"PK")


async def test_long_text_is_split_under_2048_bytes_and_member_limit_queues(
    fake: FakeWeCom, dispatcher: Dispatcher
) -> None:
    clock = [0.0]

    async def sleep(seconds: float) -> None:
        clock[0] += seconds  # an injected clock: the minute passes without waiting for it

    fake.clock = lambda: clock[0]
    api = WeComApi(corp_id=CORP_ID, secret=SECRET, agent_id=AGENT_ID, base_url=fake.base_url, clock=lambda: clock[0])
    limiter = WindowLimiter(30, 60.0, clock=lambda: clock[0], sleep=sleep)
    channel = WeComChannel(dispatcher, api=api, token=wc.TOKEN, aes_key=wc.AES_KEY, corp_id=CORP_ID, limiter=limiter)
    from handlers.messages import Reply

    assert await channel.send(CADRE, Reply("很长的一段话。" * 400)) == "sent"  # 8,400 bytes
    pieces = fake.texts_to(CADRE)
    assert len(pieces) == 5 and all(len(p.encode()) <= 2048 for p in pieces)
    assert "".join(pieces) == "很长的一段话。" * 400
    for i in range(40):
        assert await channel.send(CADRE, Reply(f"提醒 {i}")) == "sent"
    assert fake.dropped == [] and len(fake.texts_to(CADRE)) == 45  # 45 in all, none dropped: queued instead
    assert await channel.send("nobody", Reply("x")) == "blocked"  # 81013: not a member
    await channel.stop()


async def test_expired_token_is_refreshed_once(wecom: WeComSide, fake: FakeWeCom, db: Database) -> None:
    await register_cadre(db)
    await wecom.say(CADRE, "走访东坪村3户困难户")
    assert fake.token_requests == 1  # cached for every message since
    await wecom.say(CADRE, "/today")
    assert fake.token_requests == 1
    fake.expire_tokens()
    await wecom.say(CADRE, "/today")
    assert fake.token_requests == 2 and fake.errors.count(42001) == 1
    assert len(fake.texts_to(CADRE)) == 3


async def test_reminder_and_digest_reach_wecom_users_and_the_group(
    wecom: WeComSide, fake: FakeWeCom, db: Database, linked: str | None
) -> None:
    await register_cadre(db, telegram_id=linked)
    async with db.unit_of_work() as uow:
        await admin.add_supervisor(
            uow, name="李华", identities=[("wecom", BOSS)], cadres=[CADRE], timezone="Asia/Shanghai", now=real_now()
        )
        await uow.commit()
    await wecom.say(CADRE, "走访东坪村3户困难户，了解饮水情况")
    await wecom.say(CADRE, "/remind 30分钟后 给石桥村回电话")
    offset = dt.timedelta(minutes=31)
    channels = {"wecom": wecom.channel, "wecom-robot": GroupRobotChannel(wecom.channel.robot)}  # type: ignore[arg-type]
    scheduler = ReminderScheduler(db, channels, lambda: real_now() + offset, collectors=[collect_due])
    try:
        assert await scheduler.tick() == 1
    finally:
        await scheduler.stop()
    assert fake.texts_to(CADRE)[-1] == "⏰ 提醒：给石桥村回电话"
    now = real_now().astimezone(SH)
    at = (now.weekday(), (now + dt.timedelta(minutes=1)).time().replace(second=0, microsecond=0))
    later = lambda: real_now() + dt.timedelta(minutes=2)  # noqa: E731
    scheduler = ReminderScheduler(db, channels, later, collectors=[digest_collector(at, group_robot=True)])
    try:
        assert await scheduler.tick() == 2  # the supervisor, and the supervisors' group
    finally:
        await scheduler.stop()
    assert fake.texts_to(BOSS)[-1].startswith("📋 挂职干部周报")
    [(kind, _, png)] = fake.files_to(BOSS)
    assert kind == "image" and png.startswith(b"\x89PNG")
    assert [p["msgtype"] for p in fake.robot_posts] == ["markdown", "image"]


async def test_linked_person_has_one_history_from_both_platforms(
    wecom: WeComSide, fake: FakeWeCom, db: Database, dispatcher: Dispatcher
) -> None:
    from tests.conftest import Chat

    await register_cadre(db, telegram_id="51001")  # registered on Telegram and WeCom at once
    await wecom.say(CADRE, "走访东坪村3户困难户")
    telegram = Chat(dispatcher, real_now, user="51001")
    await telegram.say("学习《信访条例》，记了两页笔记")
    assert [e.seq for e in await entries(db)] == [1, 2]
    assert [e.seq for e in await entries(db, "telegram", "51001")] == [1, 2]
    await wecom.say(CADRE, "/today")
    assert "走访东坪村" in fake.texts_to(CADRE)[-1] and "信访条例" in fake.texts_to(CADRE)[-1]
    async with db.unit_of_work() as uow:  # reminders go where he wrote last: WeCom, a moment after Telegram
        [who] = await recipients(uow, real_now())
    assert who.addresses == (("wecom", CADRE),)
    panel = await telegram.say("/reminders")
    assert texts.SETTING_ACTIVE_ONLY in panel.text and "rs:b:" in [b.data for row in panel.buttons for b in row]
    assert texts.SETTING_BOTH in (await telegram.press("rs:b:")).text
    async with db.unit_of_work() as uow:
        [who] = await recipients(uow, real_now())
    assert who.addresses == (("telegram", "51001"), ("wecom", CADRE))  # both, if he wants
    await telegram.press("rs:b:")
    await wecom.say(CADRE, "/week")  # back on WeCom a moment later: reminders follow him there at once
    async with db.unit_of_work() as uow:
        [who] = await recipients(uow, real_now())
    assert who.addresses == (("wecom", CADRE),)
    await conftest.register_cadre(db, real_now, telegram_id="51002", name="赵强")
    async with db.unit_of_work() as uow:  # an account added later joins through admin link
        result = await admin.link_identities(uow, telegram_id="51002", wecom_id=STRANGER, now=real_now())
        await uow.commit()
    assert result.startswith("已将 Telegram 账号 51002 与企业微信账号 zhaoqiang 合并")
    await wecom.say(STRANGER, "/today")
    assert fake.texts_to(STRANGER)[-1] != texts.JOIN_HINT


async def test_menu_is_pushed_and_clicks_are_commands(wecom: WeComSide, fake: FakeWeCom, db: Database) -> None:
    await wecom.channel.api.create_menu(menu_definition())
    [menu] = fake.menus
    assert [b["name"] for b in menu["button"]] == ["记日志", "本周", "生成总结", "帮助"]
    await register_cadre(db)
    await wecom.send(CADRE, "event", Event="click", EventKey="cmd:log")
    assert fake.texts_to(CADRE)[-1] == texts.LOG_NOW_PROMPT
    await wecom.send(CADRE, "event", Event="click", EventKey="cmd:week")
    assert fake.texts_to(CADRE)[-1].startswith("本周")
    await wecom.send(CADRE, "event", Event="enter_agent")  # nothing to answer
    assert len(fake.texts_to(CADRE)) == 2


async def test_group_robot_keeps_to_twenty_a_minute(fake: FakeWeCom) -> None:
    from handlers.messages import Reply

    clock = [0.0]

    async def sleep(seconds: float) -> None:
        clock[0] += seconds

    fake.clock = lambda: clock[0]
    async with httpx.AsyncClient() as client:
        limiter = WindowLimiter(20, 60.0, clock=lambda: clock[0], sleep=sleep)
        robot = GroupRobotChannel(GroupRobot(key=ROBOT_KEY, base_url=fake.base_url, client=client, limiter=limiter))
        for i in range(25):
            assert await robot.send("group", Reply(f"**周报** 第{i}份")) == "sent"
        assert len(fake.robot_posts) == 25 and fake.robot_refused == 0 and clock[0] >= 60  # waited, not refused
        wrong = GroupRobotChannel(GroupRobot(key="wrong", base_url=fake.base_url, client=client))
        assert await wrong.send("group", Reply("x")) == "failed"  # 93000 invalid webhook url


async def test_transient_failures_are_retried_with_backoff(fake: FakeWeCom, dispatcher: Dispatcher) -> None:
    from handlers.messages import Reply

    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    api = WeComApi(corp_id=CORP_ID, secret=SECRET, agent_id=AGENT_ID, base_url=fake.base_url, sleep=sleep)
    channel = WeComChannel(dispatcher, api=api, token=wc.TOKEN, aes_key=wc.AES_KEY, corp_id=CORP_ID)
    fake.bad_gateway_next, fake.busy_next = 1, 1
    assert await channel.send(CADRE, Reply("⏰ 提醒：参加例会")) == "sent"
    assert waits == [0.5, 1.0] and fake.texts_to(CADRE) == ["⏰ 提醒：参加例会"]
    fake.busy_next = 10
    assert await channel.send(CADRE, Reply("再来一条")) == "failed"  # gave up after four attempts
    assert len(waits) == 2 + 3
    await channel.stop()
