"""Voice notes heard (bot/asr.py): through the real channels — Telegram polling the fake Bot API (getFile and the
file download), WeCom callbacks with the fake WeCom API (media/get) — to the fake OpenAI-compatible server's
audio/transcriptions, on a real database. Transcribed notes are filed like typed text with the audio on the
entry; a failing, unset or refused speech model leaves the note an attachment with a line saying why."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.asr import AsrConfig, Transcriber, amr_seconds, tidy
from bot.channels.telegram import TelegramChannel
from bot.config import Settings
from handlers import build_router, texts
from handlers.context import HandlerSettings
from handlers.messages import UNHEARD_REASONS
from handlers.router import Dispatcher
from storage.db import Database
from storage.models import AttachmentRow
from tests.conftest import register_cadre
from tests.fake_openai import FakeOpenAI, Outcome
from tests.fake_telegram import OGG_OPUS, FakeBotApi
from tests.fake_wecom import FakeWeCom, amr_audio
from tests.test_wecom import CADRE as WECOM_CADRE
from tests.test_wecom import WeComSide, dispatcher, fake, wecom  # noqa: F401 (fixtures)
from tests.test_wecom import entries as wecom_entries
from tests.test_wecom import register_cadre as register_wecom_cadre

CADRE, OTHER = 51001, 51002
VISIT = "今天上午走访石门村3户脱贫户，了解饮水安全情况"
MODEL = "sensevoice-small"


def real_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@pytest.fixture
def model() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    yield server
    server.stop()


def transcriber_for(model: FakeOpenAI, **bounds: Any) -> Transcriber:
    config = AsrConfig(base_url=model.base_url, model=MODEL, timeout=bounds.pop("timeout", 2.0), **bounds)
    return Transcriber(config)


@pytest.fixture
async def transcriber(model: FakeOpenAI) -> AsyncIterator[Transcriber]:
    heard = transcriber_for(model)
    yield heard
    await heard.close()


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    server = FakeBotApi().start()
    yield server
    server.stop()


@pytest.fixture
async def telegram(api: FakeBotApi, db: Database, transcriber: Transcriber) -> AsyncIterator[TelegramChannel]:
    today = real_now().date()
    for user in (CADRE, OTHER):
        await register_cadre(
            db, real_now, telegram_id=str(user), start=today - dt.timedelta(days=60), end=today + dt.timedelta(days=120)
        )
    bot_dispatcher = Dispatcher(build_router(), db.unit_of_work, real_now, HandlerSettings())
    channel = TelegramChannel(
        bot_dispatcher,
        token=api.token,
        base_url=api.base_url,
        base_file_url=api.base_file_url,
        poll_timeout=1,
        transcriber=transcriber,
    )
    await channel.start()
    yield channel
    await channel.stop()


async def replies(api: FakeBotApi, chat: int = CADRE, count: int = 1) -> list[str]:
    def enough(a: FakeBotApi) -> list[str] | None:
        found = [str(p["text"]) for p in a.sent(chat)]
        return found if len(found) >= count else None

    return list(await asyncio.to_thread(api.wait_for, enough))


async def say_voice(api: FakeBotApi, user: int = CADRE, **voice: Any) -> tuple[dict[str, Any], str]:
    before = len(api.sent(user))
    update = api.push_message(user, voice=voice.pop("voice", True), **voice)
    return update, (await replies(api, user, before + 1))[before]


async def telegram_entries(db: Database, user: int = CADRE) -> list[Any]:
    async with db.unit_of_work() as uow:
        person = await uow.people.by_identity("telegram", str(user))
        assert person is not None
        return await uow.entries.between(person.id, dt.date(2000, 1, 1), dt.date(2100, 1, 1))


async def loose_voice_notes(db: Database) -> list[Any]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(select(AttachmentRow).where(AttachmentRow.kind == "voice"))
        return [row for row in rows if row.entry_id is None]


# -- Telegram ---------------------------------------------------------------------------------------------
async def test_a_spoken_visit_note_is_filed_like_typed_text_with_its_audio(
    api: FakeBotApi, telegram: TelegramChannel, model: FakeOpenAI, db: Database
) -> None:
    model.transcribe = lambda request: VISIT
    update, reply = await say_voice(api)
    first, heard = reply.split("\n")
    assert first.startswith("✅ 已记 #1|走访记录|")
    assert heard == texts.VOICE_HEARD.format(text=VISIT, seq=1)
    [entry] = await telegram_entries(db)
    assert (entry.kind, entry.text, entry.details["place"]) == ("visit", VISIT, "石门村")
    assert [f["name"] for f in entry.facts["places"]] == ["石门村"]
    assert [(a.kind, a.file_id) for a in entry.attachments] == [("voice", update["message"]["voice"]["file_id"])]
    # what reached the model: the file Telegram served, named by its path, in Chinese, for the configured model
    [request] = model.transcription_requests()
    number = update["message"]["message_id"]
    assert request.file_name == f"file_{number}.oga" and request.file_bytes.startswith(OGG_OPUS)
    assert len(request.file_bytes) == 9000
    assert (request.form["model"], request.form["language"]) == (MODEL, "zh")
    assert api.downloads == [f"voice/file_{number}.oga"]


async def test_the_model_failing_keeps_the_note_as_an_attachment_with_a_line(
    api: FakeBotApi, telegram: TelegramChannel, model: FakeOpenAI, db: Database
) -> None:
    model.transcribe = lambda request: Outcome(500, "CUDA out of memory")
    _, reply = await say_voice(api)
    assert reply == f"{texts.ATTACHMENT_WAITING.format(what='语音')}\n{texts.VOICE_UNHEARD['failed']}"
    assert len(model.transcription_requests()) == 2  # one retry
    assert await telegram_entries(db) == [] and len(await loose_voice_notes(db)) == 1
    # as today: the next words he types take the waiting voice note with them
    before = len(api.sent(CADRE))
    api.push_message(CADRE, "上午在村委会座谈")
    assert (await replies(api, CADRE, before + 1))[before].startswith("✅ 已记 #1")
    [entry] = await telegram_entries(db)
    assert [a.kind for a in entry.attachments] == ["voice"]


async def test_a_model_that_never_answers_times_out_after_one_retry(
    api: FakeBotApi, telegram: TelegramChannel, model: FakeOpenAI, db: Database
) -> None:
    telegram.transcriber = transcriber_for(model, timeout=0.3)
    model.transcribe = lambda request: Outcome(hang=True)
    started = time.monotonic()
    _, reply = await say_voice(api)
    assert reply.endswith(texts.VOICE_UNHEARD["failed"])
    assert len(model.transcription_requests()) == 2
    assert time.monotonic() - started < 10
    assert await telegram_entries(db) == []
    await telegram.transcriber.close()


async def test_an_over_long_note_never_reaches_the_model_nor_is_downloaded(
    api: FakeBotApi, telegram: TelegramChannel, model: FakeOpenAI, db: Database
) -> None:
    model.transcribe = lambda request: VISIT
    _, reply = await say_voice(api, voice_duration=181)  # the maximum is 180 s
    assert reply.endswith(texts.VOICE_UNHEARD["too_long"])
    _, reply = await say_voice(api, voice_size=10 * 1024 * 1024 + 1)  # larger than the maximum size
    assert reply.endswith(texts.VOICE_UNHEARD["too_big"])
    assert model.transcription_requests() == [] and api.downloads == []
    assert [c for c in api.calls if c.method == "getFile"] == []
    assert len(await loose_voice_notes(db)) == 2


async def test_a_file_telegram_will_not_hand_over_is_kept_as_an_attachment(
    api: FakeBotApi, telegram: TelegramChannel, model: FakeOpenAI, db: Database
) -> None:
    model.transcribe = lambda request: VISIT
    telegram.transcriber = transcriber_for(model, max_bytes=30 * 1024 * 1024)
    # its size understated in the message: getFile says "file is too big" (past the 20 MB a bot may download)
    _, reply = await say_voice(api, voice=b"OggS" + bytes(21 * 1024 * 1024), voice_size=5000)
    assert reply.endswith(texts.VOICE_UNHEARD["too_big"])
    # a file_id getFile does not know: "invalid file_id"
    update = api.push_message(CADRE, voice=True)
    api.files.pop(update["message"]["voice"]["file_id"])
    reply = (await replies(api, CADRE, 2))[1]
    assert reply.endswith(texts.VOICE_UNHEARD["download_failed"])
    assert [c.ok for c in api.calls if c.method == "getFile"] == [False, False]
    assert model.transcription_requests() == [] and len(await loose_voice_notes(db)) == 2
    await telegram.transcriber.close()


async def test_without_speech_recognition_a_voice_note_is_kept_as_today(
    api: FakeBotApi, telegram: TelegramChannel, model: FakeOpenAI, db: Database
) -> None:
    telegram.transcriber = None
    _, reply = await say_voice(api)
    assert reply == f"{texts.ATTACHMENT_WAITING.format(what='语音')}\n{texts.VOICE_UNHEARD['unset']}"
    assert api.downloads == [] and model.transcription_requests() == []
    assert len(await loose_voice_notes(db)) == 1


async def test_a_voice_note_with_a_caption_is_filed_by_its_caption(
    api: FakeBotApi, telegram: TelegramChannel, model: FakeOpenAI, db: Database
) -> None:
    model.transcribe = lambda request: VISIT
    _, reply = await say_voice(api, caption="下午参加镇党委会")
    assert reply.startswith("✅ 已记 #1|工作日志|") and "🎙️" not in reply
    assert model.transcription_requests() == []
    [entry] = await telegram_entries(db)
    assert entry.text == "下午参加镇党委会" and [a.kind for a in entry.attachments] == ["voice"]


async def test_a_redelivered_voice_update_is_one_entry(
    api: FakeBotApi, telegram: TelegramChannel, model: FakeOpenAI, db: Database
) -> None:
    model.transcribe = lambda request: VISIT
    update, reply = await say_voice(api)
    redelivered = api.redeliver(update)  # a lost acknowledgement: Telegram sends the same message again
    await asyncio.to_thread(
        api.wait_for,
        lambda a: any(
            c.method == "getUpdates" and int(c.params.get("offset") or 0) > redelivered["update_id"] for c in a.calls
        ),
    )
    await telegram.inbox.drain()
    assert len(api.sent(CADRE)) == 1 and len(model.transcription_requests()) == 1
    # after a crash before the commit the message is heard and handled again: still one entry, the same answer
    incoming = telegram.decode(update)
    assert incoming is not None
    prepared = await telegram.prepare(incoming)
    assert prepared.heard == VISIT
    replay = await Dispatcher(build_router(), db.unit_of_work, real_now, HandlerSettings()).dispatch(prepared)
    assert replay.text == reply
    [entry] = await telegram_entries(db)
    assert len(entry.attachments) == 1
    assert len(model.transcription_requests()) == 2  # heard twice, stored once


@pytest.mark.parametrize(
    ("said", "stored"),
    [
        ("今天走访\x00石门村\uffff3户\u202e脱贫户", "今天走访石门村3户脱贫户"),
        ("<|zh|><|NEUTRAL|><|Speech|><|woitn|>今天走访石门村3户脱贫户😊", "今天走访石门村3户脱贫户"),
    ],
)
async def test_a_hostile_transcript_is_cleaned_like_typed_text(
    api: FakeBotApi, telegram: TelegramChannel, model: FakeOpenAI, db: Database, said: str, stored: str
) -> None:
    model.transcribe = lambda request: said
    _, reply = await say_voice(api)
    assert reply.startswith("✅ 已记 #1|走访记录|") and stored in reply
    [entry] = await telegram_entries(db)
    assert entry.text == stored


@pytest.mark.parametrize(
    ("said", "reason"),
    [("", "empty"), ("。。😊", "empty"), ("<|nospeech|><|EMO_UNKNOWN|>", "empty"), ("石门村" * 7000, "garbled")],
)
async def test_a_transcript_without_words_or_far_too_long_is_not_filed(
    api: FakeBotApi, telegram: TelegramChannel, model: FakeOpenAI, db: Database, said: str, reason: str
) -> None:
    model.transcribe = lambda request: said
    _, reply = await say_voice(api)
    assert reply == f"{texts.ATTACHMENT_WAITING.format(what='语音')}\n{texts.VOICE_UNHEARD[reason]}"
    assert await telegram_entries(db) == [] and len(await loose_voice_notes(db)) == 1


async def test_a_slow_model_holds_no_transaction_other_cadres_wait_on(
    api: FakeBotApi, telegram: TelegramChannel, model: FakeOpenAI, db: Database
) -> None:
    model.transcribe = lambda request: Outcome(delay=1.5, message=VISIT)
    api.push_message(CADRE, voice=True)
    while not model.transcription_requests():  # the model is hearing his note
        await asyncio.sleep(0.01)
    started = time.monotonic()
    api.push_message(OTHER, "上午列席镇党委会")
    [other] = await replies(api, OTHER)
    assert other.startswith("✅ 已记 #1|工作日志|") and time.monotonic() - started < 1.2
    assert api.sent(CADRE) == []  # still being heard
    [mine] = await replies(api, CADRE)
    assert mine.startswith("✅ 已记 #1|走访记录|")


# -- WeCom ------------------------------------------------------------------------------------------------
async def test_wecom_an_amr_voice_note_is_fetched_by_media_get_and_heard(
    wecom: WeComSide,  # noqa: F811
    fake: FakeWeCom,  # noqa: F811
    model: FakeOpenAI,
    transcriber: Transcriber,
    db: Database,
) -> None:
    await register_wecom_cadre(db)
    wecom.channel.transcriber = transcriber
    model.transcribe = lambda request: VISIT
    audio = amr_audio(12)
    await wecom.channel.api.token()
    fake.expire_tokens()  # media/get with a refused token: a new one, once
    media_id = fake.add_media("voice", "1G6nrLmr5EC3MMb_-zK1dDdzmd0p7cNliYu9V5w7o8K0.amr", audio)
    await wecom.send(WECOM_CADRE, "voice", MediaId=media_id, Format="amr")
    [reply] = fake.texts_to(WECOM_CADRE)
    assert reply.startswith("✅ 已记 #1|走访记录|")
    assert texts.VOICE_HEARD.format(text=VISIT, seq=1) in reply
    [entry] = await wecom_entries(db)
    assert (entry.kind, entry.text) == ("visit", VISIT)
    assert [(a.kind, a.file_id, a.mime_type) for a in entry.attachments] == [("voice", media_id, "audio/amr")]
    [request] = model.transcription_requests()
    assert request.file_bytes == audio and str(request.file_name).endswith(".amr")
    assert fake.media_gets == [media_id, media_id] and 42001 in fake.errors


async def test_wecom_an_over_long_or_unknown_note_never_reaches_the_model(
    wecom: WeComSide,  # noqa: F811
    fake: FakeWeCom,  # noqa: F811
    model: FakeOpenAI,
    db: Database,
) -> None:
    await register_wecom_cadre(db)
    wecom.channel.transcriber = transcriber_for(model, max_seconds=60, max_bytes=128 * 1024)
    model.transcribe = lambda request: VISIT
    long_note = fake.add_media("voice", "long.amr", amr_audio(61))  # WeCom says no duration: read from the frames
    await wecom.send(WECOM_CADRE, "voice", MediaId=long_note, Format="amr")
    big_note = fake.add_media("voice", "big.amr", amr_audio(59) + bytes(40 * 1024))  # past 128 KB, within 60 s
    await wecom.send(WECOM_CADRE, "voice", MediaId=big_note, Format="amr")
    await wecom.send(WECOM_CADRE, "voice", MediaId="MEDIA-gone", Format="amr")  # expired: 40007 invalid media_id
    said = fake.texts_to(WECOM_CADRE)
    assert [line.split("\n")[-1] for line in said] == [
        texts.VOICE_UNHEARD["too_long"],
        texts.VOICE_UNHEARD["too_big"],
        texts.VOICE_UNHEARD["download_failed"],
    ]
    assert model.transcription_requests() == [] and 40007 in fake.errors
    assert await wecom_entries(db) == [] and len(await loose_voice_notes(db)) == 3
    await wecom.channel.transcriber.close()


async def test_wecom_a_failing_model_keeps_the_note(
    wecom: WeComSide,  # noqa: F811
    fake: FakeWeCom,  # noqa: F811
    model: FakeOpenAI,
    transcriber: Transcriber,
    db: Database,
) -> None:
    await register_wecom_cadre(db)
    wecom.channel.transcriber = transcriber
    model.transcribe = lambda request: Outcome(503, "model loading")
    await wecom.say(WECOM_CADRE, "上午走访东坪村3户困难户")
    await wecom.send(WECOM_CADRE, "voice", MediaId=fake.add_media("voice", "a.amr", amr_audio(3)), Format="amr")
    _, kept = fake.texts_to(WECOM_CADRE)
    assert kept == f"{texts.ATTACHED_TO.format(what='语音', seq=1)}\n{texts.VOICE_UNHEARD['failed']}"
    [entry] = await wecom_entries(db)
    assert [a.kind for a in entry.attachments] == ["voice"]  # joined the entry just written, as today
    assert len(model.transcription_requests()) == 2


# -- the parts ----------------------------------------------------------------------------------------------
def test_amr_duration_is_read_from_its_frames() -> None:
    assert amr_seconds(amr_audio(12)) == pytest.approx(12.0)
    wide = b"#!AMR-WB\n" + (bytes([8 << 3 | 0x04]) + bytes(60)) * 50  # 23.85 kbit/s frames, 1 s
    assert amr_seconds(wide) == pytest.approx(1.0)
    assert amr_seconds(b"#!AMR\n" + bytes([7 << 3 | 0x04]) + bytes(31) + b"\xff" * 1000) == pytest.approx(0.02)
    assert amr_seconds(b"#!AMR\n" + b"\x7c" * 1000) == pytest.approx(20.0)  # NO_DATA frames: 20 ms each too
    assert amr_seconds(b"#!AMR\n") == 0.0
    assert amr_seconds(OGG_OPUS) is None and amr_seconds(b"") is None


def test_tidy_drops_tags_event_marks_and_unsafe_characters() -> None:
    assert tidy("<|zh|><|HAPPY|><|Speech|><|withitn|>走访石门村。👏") == "走访石门村。"
    assert tidy("\ufeff走访\u200b石门村\x07") == "走访石门村"
    assert tidy("a <| not a tag") == "a <| not a tag"


def test_every_reason_a_note_is_not_heard_has_its_line() -> None:
    assert set(texts.VOICE_UNHEARD) == set(UNHEARD_REASONS)


def settings(**values: Any) -> Settings:
    return Settings(**values)


def test_the_file_url_follows_the_bot_api_url_and_asr_needs_both_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env file
    for name in ("TELEGRAM_BASE_URL", "TELEGRAM_BASE_FILE_URL", "ASR_BASE_URL", "ASR_MODEL"):
        monkeypatch.delenv(name, raising=False)
    assert settings().telegram_file_url() == "https://api.telegram.org/file/bot"
    assert settings(telegram_base_url="http://10.0.0.5:8081/bot").telegram_file_url() == "http://10.0.0.5:8081/file/bot"
    assert settings(telegram_base_url="http://h/tg/bot{token}").telegram_file_url() == "http://h/tg/file/bot{token}"
    given = settings(telegram_base_url="http://h/bot", telegram_base_file_url="http://files/bot")
    assert given.telegram_file_url() == "http://files/bot"
    assert settings(telegram_base_file_url="  ").telegram_file_url() == "https://api.telegram.org/file/bot"
    monkeypatch.setenv("TELEGRAM_BASE_URL", "http://127.0.0.1:8081/bot")  # as an operator sets it
    assert settings().telegram_file_url() == "http://127.0.0.1:8081/file/bot"
    with pytest.raises(ValueError, match="ASR_BASE_URL and ASR_MODEL"):
        settings(asr_base_url="http://10.0.0.7:9997/v1")
    configured = settings(asr_base_url="http://10.0.0.7:9997/v1", asr_model="SenseVoiceSmall")
    assert configured.asr_configured and not settings(asr_model=" ").asr_configured


async def test_a_strangers_voice_note_is_neither_downloaded_nor_heard(
    api: FakeBotApi, telegram: TelegramChannel, model: FakeOpenAI, db: Database
) -> None:
    model.transcribe = lambda request: VISIT
    stranger = 59999  # not registered: he gets the join hint, and his audio goes nowhere
    _, reply = await say_voice(api, user=stranger)
    assert reply == texts.JOIN_HINT
    assert model.transcription_requests() == []
    assert api.downloads == [] and not [c for c in api.calls if c.method == "getFile"]
