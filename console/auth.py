"""Passwords, sessions, the sign-in lock and CSRF tokens of the web console.

- Passwords: argon2id (argon2-cffi's defaults, RFC 9106's second recommendation); hashes are upgraded at
  sign-in when the parameters change. An unknown login is checked against a dummy hash so both take as long.
- Sessions: the cookie holds 32 random bytes; the database keeps only their SHA-256, the account, the CSRF
  token and the expiry, so a session can be revoked (logout) and a stolen database holds no usable cookie.
  Starlette's SessionMiddleware (signed cookies, itsdangerous) was not used: a signed cookie cannot be revoked.
- CSRF: a random token per session, put in every form by the base template and compared in constant time;
  the sign-in form (no session yet) uses a double-submit cookie.
- Lock: 5 failures of one login name within 15 minutes lock it for 15 minutes (known or not, so the lock
  tells nothing about which accounts exist).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from storage.entities import ConsoleSession, ConsoleUser
from storage.uow import UnitOfWork

SESSION_COOKIE = "cadrelog_session"
LOGIN_CSRF_COOKIE = "cadrelog_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
FAILURE_LIMIT = 5
LOCK_TIME = dt.timedelta(minutes=15)
FAILURE_WINDOW = dt.timedelta(minutes=15)
MIN_PASSWORD = 8

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("cadrelog-no-such-account")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def same_token(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a submitted token with the expected one (False for a missing one)."""
    return bool(given) and hmac.compare_digest(str(given).encode(), expected.encode())


@dataclass(frozen=True, slots=True)
class SignIn:
    """What a sign-in attempt came to: a session token, or why not."""

    token: str | None = None
    user: ConsoleUser | None = None
    locked_until: dt.datetime | None = None


async def sign_in(uow: UnitOfWork, login: str, password: str, now: dt.datetime, ttl: dt.timedelta) -> SignIn:
    """Check the password (unless the login is locked) and open a session; record failures and the lock."""
    login = login.strip()[:64]
    locked = await uow.login_failures.locked_until(login, now)
    if locked is not None:
        await uow.audit.add(user_id=None, login=login, action="locked", target="login", now=now)
        return SignIn(locked_until=locked)
    found = await uow.console_users.credentials(login) if login else None
    user, stored = found if found is not None else (None, _DUMMY_HASH)
    try:
        _hasher.verify(stored, password)
        ok = user is not None and user.active
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None:
        count = await uow.login_failures.record(login, now, limit=FAILURE_LIMIT, lock=LOCK_TIME, window=FAILURE_WINDOW)
        await uow.audit.add(
            user_id=user.id if user else None,
            login=login,
            action="login-failed",
            target="login",
            detail=f"{count}/{FAILURE_LIMIT}",
            now=now,
        )
        if count >= FAILURE_LIMIT:
            return SignIn(locked_until=now + LOCK_TIME)
        return SignIn()
    await uow.login_failures.clear(login)
    rehashed = _hasher.hash(password) if _hasher.check_needs_rehash(stored) else None
    await uow.console_users.signed_in(user.id, now, rehashed)
    token = new_token()
    await uow.console_sessions.purge(now)
    await uow.console_sessions.add(
        token_hash=token_digest(token), user_id=user.id, csrf_token=new_token(), now=now, expires_at=now + ttl
    )
    await uow.audit.add(user_id=user.id, login=user.login, action="login", target="login", now=now)
    return SignIn(token=token, user=user)


async def current_session(uow: UnitOfWork, token: str | None, now: dt.datetime) -> ConsoleSession | None:
    if not token or len(token) > 128:
        return None
    return await uow.console_sessions.current(token_digest(token), now)


async def sign_out(uow: UnitOfWork, token: str, user: ConsoleUser, now: dt.datetime) -> None:
    await uow.console_sessions.revoke(token_digest(token), now)
    await uow.audit.add(user_id=user.id, login=user.login, action="logout", target="login", now=now)
