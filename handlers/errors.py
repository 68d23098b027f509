"""Expected failures; each carries the Chinese message the user sees. Mapped once, in the dispatcher."""

from __future__ import annotations


class BotError(Exception):
    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class UsageError(BotError):
    """The command's arguments are missing or malformed."""


class NotFoundError(BotError):
    """The thing asked for does not exist for this user (never says whether it exists for another)."""


class PermissionDenied(BotError):
    """The user's role or state does not allow this."""


class AdminError(Exception):
    """A command-line admin action that cannot be done; the message is shown to the operator."""
