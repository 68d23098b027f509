"""WeCom's callback crypto written from the published algorithm (加解密方案说明, path 90968), independent of
wechatpy: what WeCom's servers do when they call us."""

from __future__ import annotations

import base64
import hashlib
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

TOKEN = "QDG6eK2cadrelog"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"  # 43 characters, as WeCom issues them


def sign(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypted])).encode()).hexdigest()


def encrypt(plain: bytes, receive_id: str, aes_key: str = AES_KEY) -> str:
    key = base64.b64decode(aes_key + "=")  # 32 bytes: AES-256
    raw = os.urandom(16) + struct.pack(">I", len(plain)) + plain + receive_id.encode()
    pad = 32 - len(raw) % 32  # PKCS#7 to 32-byte blocks
    raw += bytes([pad]) * pad
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(raw) + encryptor.finalize()).decode()


def decrypt(encrypted: str, aes_key: str = AES_KEY) -> tuple[bytes, str]:
    key = base64.b64decode(aes_key + "=")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    raw = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
    raw = raw[: -raw[-1]]
    (length,) = struct.unpack(">I", raw[16:20])
    return raw[20 : 20 + length], raw[20 + length :].decode()


def message_xml(corp_id: str, user: str, msgtype: str, fields: dict[str, str], created: int) -> bytes:
    """The plaintext XML WeCom encrypts for one message or event."""
    inner = "".join(f"<{k}>{v}</{k}>" if v.isdigit() else f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items())
    return (
        f"<xml><ToUserName><![CDATA[{corp_id}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
        f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[{msgtype}]]></MsgType>{inner}"
        f"<AgentID>1000002</AgentID></xml>"
    ).encode()


def envelope(corp_id: str, encrypted: str) -> bytes:
    """The POST body: the ciphertext in an outer XML."""
    return (
        f"<xml><ToUserName><![CDATA[{corp_id}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt>"
        f"<AgentID><![CDATA[1000002]]></AgentID></xml>"
    ).encode()
