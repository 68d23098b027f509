"""Settings from the environment (and an optional .env file); loaded once in bot.app.main()."""

from __future__ import annotations

import datetime as dt

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from handlers.context import HandlerSettings
from handlers.services.schedule import Grace


class Settings(BaseSettings):
    """Every variable is documented in README.md; names are the environment variable names."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True)

    database_url: str = "sqlite:///data/cadrelog.db"
    timezone: str = "Asia/Shanghai"
    log_level: str = "INFO"
    telegram_bot_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"
    telegram_bot_username: str | None = None
    telegram_poll_timeout: float = Field(default=30.0, ge=0)
    invite_ttl_days: float = Field(default=7, gt=0)
    merge_window_minutes: float = Field(default=5, ge=0)
    max_text_chars: int = Field(default=20000, ge=100)
    console_export_dir: str = "exports"
    telegram_rate_limit: float = Field(default=30.0, ge=0)  # messages per second, the whole bot (0: no limit)
    telegram_chat_interval: float = Field(default=1.0, ge=0)  # seconds between unprompted messages to one chat
    digest_weekday: int = Field(default=1, ge=1, le=7)  # ISO weekday of the supervisors' digest (1 = Monday)
    digest_time: dt.time = dt.time(9, 0)  # local time of the digest, in each supervisor's time zone
    reminder_grace: str = ""  # per-kind grace windows over the defaults, e.g. "nudge=2h,digest=1d"
    scheduler_tick_seconds: float = Field(default=10.0, gt=0)

    @field_validator("telegram_bot_token", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("reminder_grace")
    @classmethod
    def _grace_parses(cls, value: str) -> str:
        Grace.parse(value)  # a ValueError here is reported by pydantic at start-up
        return value

    def grace(self) -> Grace:
        return Grace.parse(self.reminder_grace)

    def digest_at(self) -> tuple[int, dt.time]:
        return (self.digest_weekday - 1, self.digest_time)

    def handler_settings(self) -> HandlerSettings:
        return HandlerSettings(
            default_timezone=self.timezone,
            merge_window=dt.timedelta(minutes=self.merge_window_minutes),
            invite_ttl=dt.timedelta(days=self.invite_ttl_days),
            max_text_chars=self.max_text_chars,
        )
