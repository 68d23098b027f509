"""Operations (organisation staff): the holiday schedules (imported and checked), the reminder deliveries with the
reasons of failures, and the health of each channel."""

from __future__ import annotations

import datetime as dt

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from console import people_texts as pt
from console.web import PageContext
from handlers import admin
from handlers import texts as chat_texts
from handlers.errors import AdminError

DELIVERIES_SHOWN = 100
HEALTH_WINDOW = dt.timedelta(days=7)
MAX_HOLIDAY_BYTES = 256 * 1024


async def _page(
    ctx: PageContext, outcome: str, status: int = 200, errors: list[str] | None = None, notice: str = ""
) -> Response:
    calendar = await admin.calendar_status(ctx.uow, today=ctx.today)
    warning = await admin.calendar_warning(ctx.uow, today=ctx.today)
    deliveries = await ctx.uow.deliveries.recent(DELIVERIES_SHOWN, outcome or None)
    totals = await ctx.uow.deliveries.by_outcome()
    health = await ctx.uow.deliveries.channel_health(ctx.now - HEALTH_WINDOW)
    blocked = await ctx.uow.deliveries.blocked_accounts()
    channels = sorted(set(health) | set(blocked))
    return ctx.render(
        "operations.html",
        status=status,
        pt=pt,
        calendar=calendar.splitlines(),
        warning=warning,
        deliveries=deliveries,
        totals=totals,
        outcomes=chat_texts.ADMIN_OUTCOMES,
        outcome=outcome,
        channels=[(c, health.get(c, (None, {}))[0], health.get(c, (None, {}))[1], blocked.get(c, 0)) for c in channels],
        errors=errors or [],
        notice=notice,
    )


async def show(request: Request, ctx: PageContext) -> Response:
    outcome = request.query_params.get("outcome", "")
    outcome = outcome if outcome in chat_texts.ADMIN_OUTCOMES else ""
    await ctx.audit("view", "operations")
    return await _page(ctx, outcome)


async def import_holidays(request: Request, ctx: PageContext) -> Response:
    """Import a holiday file (the same parser and messages as `admin holidays import`)."""
    form = await request.form()
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise AdminError(pt.HOLIDAYS_UNREADABLE)
        data = await upload.read(MAX_HOLIDAY_BYTES + 1)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise AdminError(pt.HOLIDAYS_UNREADABLE) from exc
        said = await admin.import_holidays(ctx.uow, text=text, now=ctx.now)
    except AdminError as exc:
        await ctx.uow.rollback()
        await ctx.audit("change", "holidays", "refused")
        return await _page(ctx, "", status=400, errors=[str(exc)])
    await ctx.audit("change", "holidays", said[:500])
    return await _page(ctx, "", notice=said)
