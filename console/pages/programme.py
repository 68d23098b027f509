"""The programme's report (organisation staff): a batch's 中期（期满）工作情况汇报 as Word, from the same code as
`python bot.py export programme`."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from console import people_texts as pt
from console.web import PageContext
from handlers import admin
from handlers import texts as chat_texts
from handlers.errors import AdminError


async def _batches(ctx: PageContext) -> dict[str, int]:
    known = await ctx.uow.people.batches()
    scope = ctx.user.batches
    return {b: n for b, n in known.items() if not scope or b in scope}


async def show(request: Request, ctx: PageContext) -> Response:
    """The form: batch, kind, optional cut-off date and issuing unit, submission or review copy."""
    await ctx.audit("view", "programme")
    return ctx.render("programme.html", pt=pt, batches=await _batches(ctx), errors=[])


async def download(request: Request, ctx: PageContext) -> Response:
    """The Word document of the batch's report (a refusal re-renders the form with its reason)."""
    query = request.query_params
    batch, kind = query.get("batch", "")[:64], query.get("kind", "")
    batches = await _batches(ctx)
    try:
        if batch not in batches:
            raise AdminError(
                chat_texts.PROGRAMME_UNKNOWN_BATCH.format(batch=batch[:40], known="、".join(batches) or "—")
            )
        end_text = query.get("end", "").strip()
        try:
            end = dt.date.fromisoformat(end_text) if end_text else None
        except ValueError as exc:
            raise AdminError(pt.BAD_DATE.format(field=pt.PROGRAMME_END, value=end_text[:20])) from exc
        document = await admin.programme_document(
            ctx.uow,
            batch=batch,
            kind=kind,
            today=ctx.today,
            end=end,
            signature=query.get("unit", "").strip()[:64] or None,
            review=query.get("review") == "1",
        )
    except AdminError as exc:
        return ctx.render("programme.html", status=400, pt=pt, batches=batches, errors=[str(exc)])
    await ctx.audit("export", f"programme:{batch}", document.filename)
    disposition = f"attachment; filename*=UTF-8''{quote(document.filename)}"
    return Response(document.data, media_type=document.mime_type, headers={"content-disposition": disposition})
