"""The frame every console page runs in: sign-in check, role check, CSRF check on POST, one unit of work
(committed after the page returns, so its audit record and its changes go together), templates, security
headers. Pages are plain async functions `(request, ctx) -> Response` listed in console/app.py."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from console import texts
from console.auth import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, current_session, same_token
from storage.entities import ConsoleSession, ConsoleUser, Person
from storage.uow import UnitOfWork

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
ROLES = ("organisation", "supervisor")
SECURITY_HEADERS = {
    # every asset is ours: no CDN, no inline script, no framing
    "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}

Clock = Callable[[], dt.datetime]
UnitOfWorkFactory = Callable[[], AbstractAsyncContextManager[UnitOfWork]]
Handler = Callable[[Request, "PageContext"], Awaitable[Response]]


class NotFound(Exception):
    """The page or object does not exist, or this account may not see it (the two look the same)."""


@dataclass(frozen=True, slots=True)
class ConsoleConfig:
    timezone: str = "Asia/Shanghai"
    secure_cookies: bool = False  # CONSOLE_SECURE_COOKIES: behind HTTPS
    session_ttl: dt.timedelta = dt.timedelta(hours=8)  # CONSOLE_SESSION_HOURS
    page_size: int = 50
    bot_username: str | None = None  # TELEGRAM_BOT_USERNAME: invite codes' deep links and QR codes
    invite_ttl: dt.timedelta = dt.timedelta(days=7)  # INVITE_TTL_DAYS


@dataclass(frozen=True, slots=True)
class Page:
    """One route of the console: its path, handler, name (for url()), and who may open it."""

    path: str
    handler: Handler
    name: str
    methods: tuple[str, ...] = ("GET",)
    nav: str | None = None  # a label: the page is listed in the navigation bar
    roles: tuple[str, ...] = ROLES
    public: bool = False  # no sign-in needed (the sign-in page itself)


@dataclass(slots=True)
class Runtime:
    """What pages share: the database, the clock, the settings, the templates and the page table."""

    unit_of_work: UnitOfWorkFactory
    clock: Clock
    config: ConsoleConfig
    pages: tuple[Page, ...]
    templates: Environment = field(init=False)

    def __post_init__(self) -> None:
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=True,  # every value is escaped: an entry's "<script>" is shown as text
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.templates.globals["t"] = texts


@dataclass(slots=True)
class PageContext:
    """Handed to every page: the request's unit of work, the signed-in account, the time, and helpers."""

    request: Request
    uow: UnitOfWork
    now: dt.datetime
    runtime: Runtime
    session: ConsoleSession | None

    @property
    def user(self) -> ConsoleUser:
        if self.session is None:
            raise NotFound
        return self.session.user

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.runtime.config.timezone)

    @property
    def today(self) -> dt.date:
        return self.now.astimezone(self.zone).date()

    def local(self, moment: dt.datetime) -> str:
        return moment.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")

    def url(self, name: str, query: dict[str, Any] | None = None, **params: Any) -> str:
        """The path of a named page (or "static" with path=…), with an optional query string."""
        path = str(self.request.url_for(name, **params).path)
        wanted = {k: v for k, v in (query or {}).items() if v not in (None, "", False)}
        return f"{path}?{urlencode(wanted, doseq=True)}" if wanted else path

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        nav = [
            (p.nav, self.url(p.name), p.name)
            for p in self.runtime.pages
            if p.nav and self.session is not None and self.user.role in p.roles
        ]
        body = self.runtime.templates.get_template(template).render(
            ctx=self,
            nav=nav,
            user=self.session.user if self.session else None,
            csrf_field=CSRF_FIELD,
            csrf_token=self.session.csrf_token if self.session else "",
            current=self.request.scope.get("route_name", ""),
            **values,
        )
        return HTMLResponse(body, status_code=status)

    async def audit(self, action: str, target: str, detail: str = "") -> None:
        """Record what this account saw, exported or changed (committed with the page's own changes)."""
        user = self.user
        await self.uow.audit.add(
            user_id=user.id, login=user.login, action=action, target=target, detail=detail, now=self.now
        )

    async def visible_cadres(self, include_inactive: bool = False) -> list[Person]:
        """The cadres this account may see: all (or its batches) for organisation staff, his own for a supervisor."""
        user = self.user
        if user.role == "supervisor":
            people = await self.uow.people.supervised_by(user.person_id) if user.person_id else []
        else:
            people = await self.uow.people.all()
            if user.batches:
                people = [p for p in people if p.posting is not None and p.posting.batch in user.batches]
        return [p for p in people if p.role == "cadre" and (include_inactive or p.active)]

    async def cadre(self, cadre_id: int, include_inactive: bool = True) -> Person:
        """One cadre this account may see; NotFound (a 404, nothing revealed) for any other id."""
        found = next((p for p in await self.visible_cadres(include_inactive) if p.id == cadre_id), None)
        if found is None:
            raise NotFound
        return found


def _secure(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def login_redirect(request: Request, expired: bool = False) -> Response:
    target = str(request.url_for("login").path)
    query = {"next": request.url.path} if request.method == "GET" else {}
    if expired:
        query["expired"] = "1"
    response = RedirectResponse(f"{target}?{urlencode(query)}" if query else target, status_code=303)
    if expired:
        response.delete_cookie(SESSION_COOKIE, path=target.rsplit("/", 1)[0] or "/")
    return response


def endpoint(page: Page, runtime: Runtime) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint of one page, wrapped in the frame."""

    async def run(request: Request) -> Response:
        request.scope["route_name"] = page.name
        now = runtime.clock()
        async with runtime.unit_of_work() as uow:
            session = None
            if not page.public:
                token = request.cookies.get(SESSION_COOKIE)
                session = await current_session(uow, token, now)
                if session is None:
                    return _secure(login_redirect(request, expired=bool(token)))
            ctx = PageContext(request=request, uow=uow, now=now, runtime=runtime, session=session)
            if session is not None and session.user.role not in page.roles:
                return _secure(_not_found(ctx))
            if request.method == "POST" and session is not None:
                form = await request.form()
                given = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
                if not same_token(given if isinstance(given, str) else None, session.csrf_token):
                    logger.warning("console: %s %s refused, CSRF token missing or wrong", request.method, page.name)
                    await ctx.audit("change", page.name, "refused: CSRF token missing or wrong")
                    await uow.commit()
                    return _secure(
                        ctx.render("error.html", status=403, title=texts.FORBIDDEN_TITLE, message=texts.CSRF_FAILED)
                    )
            try:
                response = await page.handler(request, ctx)
            except NotFound:
                response = _not_found(ctx)
            await uow.commit()
        return _secure(response)

    return run


def _not_found(ctx: PageContext) -> Response:
    return ctx.render("error.html", status=404, title=texts.NOT_FOUND_TITLE, message=texts.NOT_FOUND)
