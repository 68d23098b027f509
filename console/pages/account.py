"""Signing in and out."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from console import texts
from console.auth import FAILURE_LIMIT, LOGIN_CSRF_COOKIE, SESSION_COOKIE, new_token, same_token, sign_in, sign_out
from console.web import PageContext


def _cookie_path(ctx: PageContext) -> str:
    return ctx.url("overview")  # the console's root: the cookies go nowhere else


def _safe_next(ctx: PageContext, target: str | None) -> str:
    root = _cookie_path(ctx)
    # only a path inside the console: never another site, never "//host"
    if target and target.startswith(root) and not target.startswith("//") and "\\" not in target:
        return target
    return root


def _form(ctx: PageContext, *, error: str = "", notice: str = "", login: str = "", status: int = 200) -> Response:
    token = ctx.request.cookies.get(LOGIN_CSRF_COOKIE) or new_token()
    response = ctx.render(
        "login.html",
        status=status,
        error=error,
        notice=notice,
        login=login,
        login_csrf=token,
        next=ctx.request.query_params.get("next", ""),
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        path=_cookie_path(ctx),
        httponly=True,
        samesite="strict",
        secure=ctx.runtime.config.secure_cookies,
    )
    return response


async def show_login(request: Request, ctx: PageContext) -> Response:
    """The sign-in form."""
    notice = texts.LOGIN_EXPIRED if request.query_params.get("expired") else ""
    if request.query_params.get("out"):
        notice = texts.LOGIN_LOGGED_OUT
    return _form(ctx, notice=notice)


async def submit_login(request: Request, ctx: PageContext) -> Response:
    """Check the form (fields `login` and `password`), open a session and go where he was headed."""
    form = await request.form()
    login, password = str(form.get("login") or ""), str(form.get("password") or "")
    given = form.get("csrf_token")
    if not same_token(given if isinstance(given, str) else None, request.cookies.get(LOGIN_CSRF_COOKIE) or ""):
        return ctx.render("error.html", status=403, title=texts.FORBIDDEN_TITLE, message=texts.CSRF_FAILED)
    result = await sign_in(ctx.uow, login, password, ctx.now, ctx.runtime.config.session_ttl)
    if result.locked_until is not None:
        until = ctx.local(result.locked_until)
        return _form(ctx, error=texts.LOGIN_LOCKED.format(limit=FAILURE_LIMIT, until=until), login=login, status=429)
    if result.token is None:
        return _form(ctx, error=texts.LOGIN_FAILED, login=login, status=401)
    response = RedirectResponse(_safe_next(ctx, str(form.get("next") or "")), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        result.token,
        max_age=int(ctx.runtime.config.session_ttl.total_seconds()),
        path=_cookie_path(ctx),
        httponly=True,
        samesite="lax",
        secure=ctx.runtime.config.secure_cookies,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=_cookie_path(ctx))
    return response


async def logout(request: Request, ctx: PageContext) -> Response:
    """End this session (a POST with the CSRF token, checked by the frame)."""
    token = request.cookies.get(SESSION_COOKIE, "")
    await sign_out(ctx.uow, token, ctx.user, ctx.now)
    response = RedirectResponse(ctx.url("login", query={"out": "1"}), status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=_cookie_path(ctx))
    return response
