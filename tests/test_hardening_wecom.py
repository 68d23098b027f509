"""WeCom's callback parameters and fields go through the one number parser: a timestamp or CreateTime that
str.isdigit() accepts and int() refuses is refused (403) or ignored, never a 500."""

from __future__ import annotations

import re

from storage.db import Database
from tests import wecom_crypto as wc
from tests.fake_wecom import CORP_ID, FakeWeCom
from tests.test_wecom import CADRE, WeComSide, dispatcher, fake, register_cadre, wecom  # noqa: F401 (fixtures)


def _encrypted(body: bytes) -> str:
    found = re.search(rb"<Encrypt><!\[CDATA\[(.*?)\]\]>", body)
    assert found is not None
    return found.group(1).decode()


async def test_a_timestamp_int_refuses_is_a_403(wecom: WeComSide, db: Database) -> None:  # noqa: F811
    await register_cadre(db)
    body = wecom.body(CADRE, Content="走访东坪村")
    encrypted = _encrypted(body)
    for timestamp in ("²", "١٧٠٠٠٠٠٠٠٠", "9" * 40, "-1", ""):
        params = {"msg_signature": wc.sign(wc.TOKEN, timestamp, "n", encrypted), "timestamp": timestamp, "nonce": "n"}
        assert (await wecom.post(body, params)).status_code == 403, timestamp
        assert (
            await wecom.client.get(f"{wecom.url}/wecom/callback", params={**params, "echostr": encrypted})
        ).status_code == 403


async def test_a_create_time_int_refuses_is_taken_as_now(wecom: WeComSide, fake: FakeWeCom, db: Database) -> None:  # noqa: F811
    await register_cadre(db)
    for number, created in enumerate(("²", "9" * 30)):
        plain = wc.message_xml(
            CORP_ID, CADRE, "text", {"Content": "上午走访东坪村3户", "MsgId": f"880{number}"}, created
        )  # type: ignore[arg-type]
        assert (await wecom.post(wc.envelope(CORP_ID, wc.encrypt(plain, CORP_ID)))).status_code == 200
        await wecom.channel.drain()
    acks = [t for t in fake.texts_to(CADRE) if t.startswith("✅ 已记")]
    assert [t.split("|")[0] for t in acks] == ["✅ 已记 #1", "✅ 已记 #2"]
