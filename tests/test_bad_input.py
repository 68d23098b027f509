"""Bad input: each gets a clear Chinese reply, nothing crashes, nothing stored changes."""

from __future__ import annotations

import pytest

from handlers import texts
from storage.db import Database
from tests.conftest import Chat
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
