"""Settings from the environment (and an optional .env file); loaded once in bot.app.main()."""

from __future__ import annotations

import datetime as dt

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from console.web import ConsoleConfig
from handlers.context import HandlerSettings
from timing.schedule import Grace

REPORT_KINDS = ("mid", "final", "month", "week")


class Settings(BaseSettings):
    """Every variable is documented in README.md; names are the environment variable names."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True)

    database_url: str = "sqlite:///data/cadrelog.db"
    timezone: str = "Asia/Shanghai"
    log_level: str = "INFO"
    telegram_bot_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str | None = None  # unset: the file URL of TELEGRAM_BASE_URL (…/bot → …/file/bot)
    telegram_bot_username: str | None = None
    telegram_poll_timeout: float = Field(default=30.0, ge=0)
    invite_ttl_days: float = Field(default=7, gt=0)
    merge_window_minutes: float = Field(default=5, ge=0)
    max_text_chars: int = Field(default=20000, ge=100)
    console_export_dir: str = "exports"
    telegram_rate_limit: float = Field(default=30.0, ge=0)  # unprompted messages a second, bot-wide (0: none)
    telegram_chat_interval: float = Field(default=1.0, ge=0)  # seconds between unprompted messages to one chat
    digest_weekday: int = Field(default=1, ge=1, le=7)  # ISO weekday of the supervisors' digest (1 = Monday)
    digest_time: dt.time = dt.time(9, 0)  # local time of the digest, in each supervisor's time zone
    reminder_grace: str = ""  # per-kind grace windows over the defaults, e.g. "nudge=2h,digest=1d"
    scheduler_tick_seconds: float = Field(default=10.0, gt=0)
    # processes for heavy work in each of two lanes: the scheduler's digests, and what a person waits for (reports)
    worker_processes: int = Field(default=1, ge=0, le=32)
    telegram_webhook_url: str | None = None  # set: Telegram delivers to our HTTP server instead of long polling
    telegram_webhook_secret: SecretStr | None = None  # checked on every webhook call (X-Telegram-Bot-Api-Secret-Token)
    wecom_corp_id: str | None = None
    wecom_agent_id: int | None = None
    wecom_secret: SecretStr | None = None
    wecom_token: SecretStr | None = None
    wecom_aes_key: SecretStr | None = None
    wecom_api_base: str = "https://qyapi.weixin.qq.com"
    wecom_robot_key: SecretStr | None = None  # a group robot: the supervisors' group also gets the weekly digests
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)
    console_secure_cookies: bool = False  # the web console is reached over HTTPS: cookies get the Secure flag
    console_session_hours: float = Field(default=8, gt=0, le=24 * 30)  # a console sign-in lasts this long
    inbox_max_pending: int = Field(default=1000, ge=1)  # unhandled updates before the bot stops taking more
    inbox_retention_days: float = Field(default=7, gt=0)  # days a handled update's key is kept (redeliveries)
    leader_retry_seconds: float = Field(default=5, gt=0)  # several instances: how often the others try to lead
    inbox_rescan_seconds: float = Field(default=1, gt=0)  # several instances: how often each looks at every row
    asr_base_url: str | None = None  # an on-premises OpenAI-compatible audio/transcriptions endpoint (…/v1)
    asr_model: str | None = None
    asr_api_key: SecretStr | None = None
    asr_max_seconds: int = Field(default=180, ge=1)  # longer voice notes are kept as attachments, not transcribed
    asr_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)  # so are larger files (never downloaded whole)
    asr_timeout_seconds: float = Field(default=60.0, gt=0)  # per attempt; one retry after a failure
    # the on-premises model that polishes a report's prose (handlers/polish.py); unset: the compiler's draft only
    report_llm_base_url: str | None = None  # an OpenAI-compatible endpoint on premises: http://host:8000/v1
    report_llm_model: str | None = None  # the served model's name: Qwen/Qwen2.5-7B-Instruct, qwen2.5:7b …
    report_llm_api_key: SecretStr | None = None
    report_llm_budget_seconds: float = Field(default=120, gt=0, le=3600)  # for one whole report
    report_llm_timeout_seconds: float = Field(default=60, gt=0, le=3600)  # for one request to the model
    report_llm_kinds: str = "mid,final"  # report kinds polished: any of mid, final, month, week

    @field_validator(
        "telegram_bot_token",
        "telegram_webhook_url",
        "telegram_webhook_secret",
        "wecom_corp_id",
        "wecom_agent_id",
        "wecom_secret",
        "wecom_token",
        "wecom_aes_key",
        "wecom_robot_key",
        "telegram_base_file_url",
        "asr_base_url",
        "asr_model",
        "asr_api_key",
        "report_llm_base_url",
        "report_llm_model",
        "report_llm_api_key",
        mode="before",
    )
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("reminder_grace")
    @classmethod
    def _grace_parses(cls, value: str) -> str:
        Grace.parse(value)  # a ValueError here is reported by pydantic at start-up
        return value

    @field_validator("report_llm_kinds")
    @classmethod
    def _kinds_known(cls, value: str) -> str:
        kinds = [k.strip() for k in value.split(",") if k.strip()]
        unknown = [k for k in kinds if k not in REPORT_KINDS]
        if unknown:
            raise ValueError(f"REPORT_LLM_KINDS: unknown report kind {unknown[0]!r} (use {', '.join(REPORT_KINDS)})")
        return ",".join(kinds)

    def report_llm_kind_set(self) -> frozenset[str]:
        return frozenset(k for k in self.report_llm_kinds.split(",") if k)

    @model_validator(mode="after")
    def _platforms_complete(self) -> Settings:
        if self.telegram_webhook_url and self.telegram_webhook_secret is None:
            raise ValueError("TELEGRAM_WEBHOOK_URL needs TELEGRAM_WEBHOOK_SECRET: webhooks are never unauthenticated")
        given = [v is not None for v in self._wecom_required()]
        if any(given) and not all(given):
            raise ValueError(
                "WeCom needs all of WECOM_CORP_ID, WECOM_AGENT_ID, WECOM_SECRET, WECOM_TOKEN, WECOM_AES_KEY"
            )
        if self.report_llm_base_url is not None and self.report_llm_model is None:
            raise ValueError("REPORT_LLM_BASE_URL needs REPORT_LLM_MODEL: the name the server serves the model under")
        if (self.asr_base_url is None) != (self.asr_model is None):
            raise ValueError("voice transcription needs both ASR_BASE_URL and ASR_MODEL")
        return self

    def _wecom_required(self) -> tuple[object, ...]:
        return (self.wecom_corp_id, self.wecom_agent_id, self.wecom_secret, self.wecom_token, self.wecom_aes_key)

    def telegram_file_url(self) -> str:
        """Where files are downloaded from: TELEGRAM_BASE_FILE_URL, else the file URL of TELEGRAM_BASE_URL (the
        Bot API serves files under /file/ beside its method path: …/bot → …/file/bot)."""
        if self.telegram_base_file_url is not None:
            return self.telegram_base_file_url
        head, _, last = self.telegram_base_url.rstrip("/").rpartition("/")
        return f"{head}/file/{last}"

    @property
    def asr_configured(self) -> bool:
        return self.asr_base_url is not None and self.asr_model is not None

    @property
    def wecom_configured(self) -> bool:
        return all(v is not None for v in self._wecom_required())

    def grace(self) -> Grace:
        return Grace.parse(self.reminder_grace)

    def digest_at(self) -> tuple[int, dt.time]:
        return (self.digest_weekday - 1, self.digest_time)

    def console_config(self) -> ConsoleConfig:
        return ConsoleConfig(
            timezone=self.timezone,
            secure_cookies=self.console_secure_cookies,
            session_ttl=dt.timedelta(hours=self.console_session_hours),
            bot_username=self.telegram_bot_username,
            invite_ttl=dt.timedelta(days=self.invite_ttl_days),
        )

    def console_url(self, path: str) -> str:
        """The address of the web console as printed for the operator."""
        host = "127.0.0.1" if self.http_host in ("0.0.0.0", "::", "") else self.http_host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.http_port}{path}/"

    def handler_settings(self) -> HandlerSettings:
        return HandlerSettings(
            default_timezone=self.timezone,
            merge_window=dt.timedelta(minutes=self.merge_window_minutes),
            invite_ttl=dt.timedelta(days=self.invite_ttl_days),
            max_text_chars=self.max_text_chars,
            bot_username=self.telegram_bot_username,
        )
