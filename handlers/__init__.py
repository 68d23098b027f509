"""Platform-neutral application logic: text in, Reply out."""

from __future__ import annotations

from handlers import capture, conversation, lookback, reminders, reports, start, supervision
from handlers.router import CallbackRoute, Command, Router


def build_router() -> Router:
    """Return the bot's whole command surface; the fallback must stay last: it accepts any text."""
    return Router(
        commands=(
            Command("start", start.start, public=True),
            Command("help", start.show_help, public=True),
            Command("log", capture.record_log, cadre_only=True),
            Command("visit", capture.record_visit, cadre_only=True),
            Command("study", capture.record_study, cadre_only=True),
            Command("leave", capture.record_leave, cadre_only=True),
            Command("back", capture.record_back, cadre_only=True),
            Command("today", lookback.today, cadre_only=True),
            Command("week", lookback.week, cadre_only=True),
            Command("history", lookback.history, cadre_only=True),
            Command("search", lookback.search, cadre_only=True),
            Command("edit", lookback.edit, cadre_only=True),
            Command("delete", lookback.delete, cadre_only=True),
            Command("star", lookback.star, cadre_only=True),
            Command("exclude", lookback.exclude, cadre_only=True),
            Command("report", reports.report, cadre_only=True),
            Command("export", reports.export, cadre_only=True),
            Command("remind", reminders.remind),
            Command("reminders", reminders.list_reminders),
            Command("cancel", reminders.cancel),
            Command("pause", reminders.pause),
            Command("quiet", reminders.quiet),
            Command("digest", supervision.digest),
            Command("cadres", supervision.list_cadres),
            Command("cadre", supervision.cadre),
            Command("comment", supervision.comment),
            Command("timezone", start.set_timezone),
        ),
        callbacks=(
            CallbackRoute("cm", capture.show_category_menu),
            CallbackRoute("cs", capture.set_category),
            CallbackRoute("km", capture.show_kind_menu),
            CallbackRoute("ks", capture.set_kind),
            CallbackRoute("u", capture.undo),
            CallbackRoute("pm", reminders.promise_button),
            CallbackRoute("rs", reminders.settings_button),
            CallbackRoute("ln", reminders.log_now),
            CallbackRoute("cr", supervision.comment_button),
            CallbackRoute("st", lookback.star_button),
            CallbackRoute("r", capture.restore),
            CallbackRoute("pd", capture.resolve_date),
            CallbackRoute("dy", lookback.confirm_delete),
            CallbackRoute("dn", lookback.cancel_delete),
            CallbackRoute("lq", capture.resolve_leave_question),
            CallbackRoute("pl", capture.plan_reminder),
            CallbackRoute("pw", capture.plan_is_work),
        ),
        conversation=conversation.answer,
        fallback=capture.capture_plain_text,
    )
