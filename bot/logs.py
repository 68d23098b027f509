"""Logging to stderr with levels; libraries that chatter are quietened."""

from __future__ import annotations

import logging.config


def setup_logging(level: str = "INFO") -> None:
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
            "handlers": {
                "stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "plain"}
            },
            "root": {"handlers": ["stderr"], "level": level.upper()},
            "loggers": {
                # httpx logs every request URL at INFO, and the URL holds the bot token.
                "httpx": {"level": "WARNING"},
                "httpcore": {"level": "WARNING"},
                "telegram.ext": {"level": "WARNING"},
                "apscheduler": {"level": "WARNING"},
                "jieba": {"level": "WARNING"},
                "alembic": {"level": "WARNING"},
                "aiosqlite": {"level": "WARNING"},
            },
        }
    )
