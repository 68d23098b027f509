"""The audit log: who saw, exported or changed what (organisation staff only)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from console import texts
from console.web import PageContext

PAGE_SIZE = 100


async def show(request: Request, ctx: PageContext) -> Response:
    """The newest audit records, filtered by login and action."""
    login = request.query_params.get("login", "").strip()[:64]
    action = request.query_params.get("action", "")
    action = action if action in texts.AUDIT_ACTIONS else ""
    page = _page(request.query_params.get("page"))
    records, total = await ctx.uow.audit.recent(
        limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, login=login or None, action=action or None
    )
    await ctx.audit("view", "audit")
    pages = max(1, -(-total // PAGE_SIZE))
    return ctx.render("audit.html", records=records, total=total, page=page, pages=pages, login=login, action=action)


def _page(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 0 < len(value) < 7 and int(value) > 0 else 1
