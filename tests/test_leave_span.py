"""A leave stays true: a return before it began asks first, deleting or editing a return reopens its leave,
and the approver is kept. Through the dispatcher on real databases, with a frozen clock."""

from __future__ import annotations

import datetime as dt

import pytest

from analysis.classify import leave_details
from handlers import texts
from handlers.reminders import collect_obligations
from reporting.figures import leave_dates
from storage.db import Database
from tests.conftest import SH, Chat, FrozenClock, register_cadre
from tests.test_capture import entries, entry
from timing.schedule import Grace

GRACE = Grace.uniform(dt.timedelta(hours=1))
WED = dt.date(2026, 7, 15)


def local(clock: FrozenClock, *args: int) -> None:
    clock.now = dt.datetime(*args, tzinfo=SH).astimezone(dt.UTC)


async def reminders_now(db: Database, clock: FrozenClock) -> list[str]:
    async with db.unit_of_work() as uow:
        items = await collect_obligations(uow, clock(), GRACE)
        await uow.commit()
    return [item.text for item in items]


def data(reply: object) -> list[str]:
    return [b.data for row in reply.buttons for b in row]  # type: ignore[attr-defined]


# -- a return before the leave began ------------------------------------------------------------------


async def test_return_before_the_leave_began_asks_and_changes_nothing(
    chat: Chat, cadre: str, db: Database, clock: FrozenClock
) -> None:
    await chat.say("下周一请假三天回家看病，经李镇长批准")  # Monday 20th to Wednesday 22nd
    leave = await entry(db, 1)
    assert (leave.details["from"], leave.details["to"]) == ("2026-07-20", "2026-07-22")
    local(clock, 2026, 7, 17, 16, 0)  # Friday: he writes 销假 before the leave began
    reply = await chat.say("销假")
    assert reply.text == texts.LEAVE_NOT_BEGUN_Q.format(seq=2, leave=1, start="7月20日", end="7月22日")
    assert data(reply) == ["lq:2:c", "lq:2:k"]
    assert [b.label for row in reply.buttons for b in row] == [texts.BTN_CANCEL_LEAVE, texts.BTN_KEEP_LEAVE]
    # nothing changed: the leave is open and whole, the return waits out of every list
    assert (await entry(db, 1)).details == leave.details and (await entry(db, 1)).status == "active"
    assert (await entry(db, 2)).status == "pending"
    assert [e.seq for e in await entries(db)] == [1]
    assert (await chat.press("pd:2:t")).text == texts.STALE_BUTTON  # the date question's button is no answer


async def test_cancelling_the_leave_not_yet_begun(chat: Chat, cadre: str, db: Database, clock: FrozenClock) -> None:
    await chat.say("下周一请假三天回家看病")
    local(clock, 2026, 7, 17, 16, 0)
    await chat.say("销假")
    answer = await chat.press("lq:2:c")
    assert answer.replace and answer.text == texts.LEAVE_CANCELLED.format(
        seq=2, leave=1, start="7月20日", end="7月22日"
    )
    leave, back = await entry(db, 1), await entry(db, 2)
    assert leave.status == "deleted" and leave.details["cancelled_by"] == 2 and "returned_on" not in leave.details
    assert back.status == "active" and back.details["cancelled_leave"] == 1 and "question" not in back.details
    assert (await chat.press("lq:2:c")).text == texts.STALE_BUTTON  # answered once
    stored = await entries(db)
    assert leave_dates(stored, None, dt.date(2026, 7, 1), dt.date(2026, 7, 31)) == set()
    local(clock, 2026, 7, 22, 17, 5)  # the leave's last day: no 请及时销假 for a leave not taken
    assert texts.LEAVE_LAST_DAY not in await reminders_now(db, clock)


async def test_keeping_the_leave_withdraws_the_return(
    chat: Chat, cadre: str, db: Database, clock: FrozenClock
) -> None:
    await chat.say("下周一请假三天回家看病")
    local(clock, 2026, 7, 17, 16, 0)
    await chat.say("销假")
    answer = await chat.press("lq:2:k")
    assert answer.text == texts.LEAVE_KEPT.format(seq=2, leave=1)
    leave = await entry(db, 1)
    assert leave.status == "active" and "returned_on" not in leave.details
    assert (await entry(db, 2)).status == "deleted"
    stored = await entries(db)
    assert len(leave_dates(stored, None, dt.date(2026, 7, 1), dt.date(2026, 7, 31))) == 3
    local(clock, 2026, 7, 22, 17, 5)
    assert texts.LEAVE_LAST_DAY in await reminders_now(db, clock)


async def test_return_while_on_leave_closes_it_without_asking(
    chat: Chat, cadre: str, db: Database, clock: FrozenClock
) -> None:
    local(clock, 2026, 7, 14, 9, 0)
    await chat.say("7月15日至7月16日请假2天，回原单位")
    local(clock, 2026, 7, 15, 12, 0)  # the leave's first day
    reply = await chat.say("销假")
    assert reply.text.startswith("✅ 已记 #2|销假返岗")
    assert (await entry(db, 1)).details["returned_on"] == "2026-07-15"


async def test_return_closes_the_leave_he_is_on_not_the_one_to_come(
    chat: Chat, cadre: str, db: Database, clock: FrozenClock
) -> None:
    local(clock, 2026, 7, 10, 9, 0)
    await chat.say("7月13日至7月15日请假3天，回原单位")
    await chat.say("7月27日至7月28日请假2天，参加培训")
    local(clock, 2026, 7, 15, 9, 0)
    reply = await chat.say("销假")
    assert reply.text.startswith("✅ 已记 #3|销假返岗")
    assert (await entry(db, 1)).details["returned_on"] == "2026-07-15"
    assert "returned_on" not in (await entry(db, 2)).details


# -- deleting, restoring and editing a return ---------------------------------------------------------


async def closed_leave(chat: Chat, clock: FrozenClock) -> None:
    local(clock, 2026, 7, 14, 9, 0)
    await chat.say("7月15日至7月16日请假2天，回原单位")
    local(clock, 2026, 7, 15, 12, 0)
    await chat.say("已返岗")  # detected, not forced: an edit may make it something else


async def test_deleting_the_return_reopens_the_leave(
    chat: Chat, cadre: str, db: Database, clock: FrozenClock
) -> None:
    await closed_leave(chat, clock)
    await chat.say("/delete 2")
    assert (await chat.press("dy:2")).text == texts.DELETED.format(seq=2)
    leave = await entry(db, 1)
    assert "returned_on" not in leave.details and "closed_by" not in leave.details
    local(clock, 2026, 7, 16, 17, 5)  # open again: the last day's reminder comes back
    assert texts.LEAVE_LAST_DAY in await reminders_now(db, clock)


async def test_undo_and_restore_of_a_return(chat: Chat, cadre: str, db: Database, clock: FrozenClock) -> None:
    await closed_leave(chat, clock)
    await chat.press("u:2")
    assert "returned_on" not in (await entry(db, 1)).details
    restored = await chat.press("r:2")
    assert "销假返岗" in restored.text
    assert (await entry(db, 1)).details["returned_on"] == "2026-07-15"
    assert (await entry(db, 2)).details["closed_leave"] == 1


async def test_undo_of_a_cancelling_return_brings_the_leave_back(
    chat: Chat, cadre: str, db: Database, clock: FrozenClock
) -> None:
    await chat.say("下周一请假三天回家看病")
    local(clock, 2026, 7, 17, 16, 0)
    await chat.say("销假")
    await chat.press("lq:2:c")
    await chat.press("u:2")
    assert (await entry(db, 1)).status == "active" and "cancelled_by" not in (await entry(db, 1)).details
    await chat.press("r:2")
    assert (await entry(db, 1)).status == "deleted"
    assert (await chat.say("/today")).text.endswith("#2 [销假·管理事务] 销假")


async def test_editing_keeps_the_leave_and_its_return_true(
    chat: Chat, cadre: str, db: Database, clock: FrozenClock
) -> None:
    await closed_leave(chat, clock)
    await chat.say("/edit 1 7月15日至7月16日请假2天，回原单位办手续")
    leave = await entry(db, 1)
    assert leave.details["reason"] == "回原单位办手续" and leave.details["returned_on"] == "2026-07-15"
    await chat.say("/edit 2 销假，已回岗")
    assert (await entry(db, 2)).details["closed_leave"] == 1
    # the return edited into something else: no return any more, the leave is open again
    await chat.say("/edit 2 上午列席镇党委会")
    back = await entry(db, 2)
    assert back.kind == "log" and "closed_leave" not in back.details
    assert "returned_on" not in (await entry(db, 1)).details


async def test_kind_changes_close_and_reopen(chat: Chat, cadre: str, db: Database, clock: FrozenClock) -> None:
    local(clock, 2026, 7, 14, 9, 0)
    await chat.say("7月15日至7月16日请假2天，回原单位")
    local(clock, 2026, 7, 16, 9, 0)
    await chat.say("回来了，上午到镇里")
    await chat.press("ks:2:back")
    assert (await entry(db, 1)).details["returned_on"] == "2026-07-16"
    await chat.press("ks:2:log")
    assert "returned_on" not in (await entry(db, 1)).details
    assert "closed_leave" not in (await entry(db, 2)).details


async def test_kind_change_to_a_return_before_the_leave_asks(
    chat: Chat, cadre: str, db: Database, clock: FrozenClock
) -> None:
    await chat.say("下周一请假三天回家看病")
    await chat.say("回来了")
    reply = await chat.press("ks:2:back")
    assert reply.replace and data(reply) == ["lq:2:c", "lq:2:k"]
    assert "returned_on" not in (await entry(db, 1)).details


async def test_leave_buttons_refuse_bad_and_foreign_input(
    chat: Chat, cadre: str, db: Database, clock: FrozenClock
) -> None:
    await chat.say("下周一请假三天回家看病")
    local(clock, 2026, 7, 17, 16, 0)
    await chat.say("销假")
    for data_ in ("lq:2:x", "lq:2", "lq:1:c", "lq:abc:c", "lq:①:c"):
        assert (await chat.press(data_)).text == texts.STALE_BUTTON
    assert (await chat.press("lq:99:c")).text == texts.ENTRY_GONE.format(seq=99)
    await register_cadre(db, clock, telegram_id="51002", name="赵强")
    other = Chat(chat.dispatcher, clock, user="51002")
    assert (await other.press("lq:2:c")).text == texts.ENTRY_GONE.format(seq=2)  # not his
    assert (await entry(db, 1)).status == "active" and (await entry(db, 2)).status == "pending"


async def test_the_leave_withdrawn_meanwhile(chat: Chat, cadre: str, db: Database, clock: FrozenClock) -> None:
    await chat.say("下周一请假三天回家看病")
    await chat.say("销假")
    await chat.press("u:1")  # he withdraws the leave itself before answering
    answer = await chat.press("lq:2:c")
    assert answer.text == texts.LEAVE_GONE.format(seq=2, leave=1)
    assert (await entry(db, 2)).status == "deleted"


# -- the approver ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "approver"),
    [
        ("明天请假1天回原单位办手续，已报张书记同意", "张书记"),
        ("下周一请假三天回家看病，经李镇长批准", "李镇长"),
        ("跟王主任请过假，明天起休假两天", "王主任"),
        ("请假2天，已请示张副书记", "张副书记"),
        ("因家中有事请假一天，王镇长已同意", "王镇长"),
        ("明天请假1天回原单位办手续，已跟陈书记打过招呼，周五返岗", "陈书记"),
        ("回单位报到，向镇党委书记请假一天", "镇党委书记"),
    ],
)
def test_approver_is_kept(text: str, approver: str) -> None:
    assert leave_details(text, WED)["approver"] == approver


@pytest.mark.parametrize("text", ["明天请假1天回原单位办手续", "已经说好了，明天请假一天", "请假"])
def test_no_approver_invented(text: str) -> None:
    assert "approver" not in leave_details(text, WED)


def test_approval_clauses_are_no_reason_and_their_request_no_start() -> None:
    details = leave_details("跟王主任请过假，明天起休假两天", WED)
    assert (details["from"], details["to"], details["days"]) == ("2026-07-16", "2026-07-17", 2)
    assert "reason" not in details  # "过假" is no reason
    assert leave_details("因家中有事请假一天，王镇长已同意", WED)["reason"] == "家中有事"
    assert leave_details("请病假两天", WED)["reason"] == "病假"


async def test_approver_through_chat(chat: Chat, cadre: str, db: Database) -> None:
    reply = await chat.say("/leave 明天请假1天回原单位办手续，已报张书记同意")
    assert reply.text.endswith(texts.ACK_LEAVE_APPROVER.format(approver="张书记"))
    assert (await entry(db, 1)).details["approver"] == "张书记"
