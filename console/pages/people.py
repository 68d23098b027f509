"""People (organisation staff only): cadres and supervisors added, edited, deactivated and reactivated,
assignments, a 名单 imported from xlsx, and invite codes with their QR codes.

Every change goes through the same functions as the command line (handlers/admin.py), so the console and
`python bot.py admin …` refuse the same things with the same Chinese messages.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from typing import Any

import qrcode  # type: ignore[import-untyped]  # no stubs published
import qrcode.image.svg  # type: ignore[import-untyped]
from openpyxl import Workbook, load_workbook
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from console import people_texts as pt
from console.web import NotFound, PageContext
from handlers import admin
from handlers import texts as chat_texts
from handlers.errors import AdminError
from storage.entities import Person

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 500
FORM_FIELDS = tuple(pt.FIELDS)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(form: Mapping[str, Any], key: str) -> str:
    value = form.get(key)
    return value.strip() if isinstance(value, str) else ""


def _date(form: Mapping[str, Any], key: str) -> dt.date | None:
    value = _text(form, key)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise AdminError(pt.BAD_DATE.format(field=pt.FIELDS[key], value=value[:20])) from exc


def _identities(telegram_id: str, wecom_id: str) -> list[tuple[str, str]]:
    return [(c, v) for c, v in (("telegram", telegram_id), ("wecom", wecom_id)) if v]


async def _accounts(ctx: PageContext, people: list[Person]) -> dict[int, str]:
    found = await ctx.uow.people.identities_of([p.id for p in people])
    return {p.id: " ".join(f"{i.channel}:{i.external_id}" for i in found.get(p.id, [])) for p in people}


async def show(request: Request, ctx: PageContext) -> Response:
    """Every cadre this account may see (removed ones too), every supervisor and whom he looks after."""
    cadres = await ctx.visible_cadres(include_inactive=True)
    everyone = await ctx.uow.people.all()
    supervisors = [p for p in everyone if p.role == "supervisor"]
    names = {p.id: p.name for p in everyone}
    looks_after: dict[int, list[tuple[int, str]]] = {}
    for boss, cadre in await ctx.uow.people.supervision_pairs():
        looks_after.setdefault(boss, []).append((cadre, names.get(cadre, "")))
    accounts = await _accounts(ctx, cadres + supervisors)
    await ctx.audit("view", "people")
    return ctx.render(
        "people.html",
        pt=pt,
        cadres=cadres,
        supervisors=supervisors,
        looks_after=looks_after,
        accounts=accounts,
        active_cadres=[c for c in cadres if c.active],
        notice=request.query_params.get("saved") and pt.SAVED,
        errors=[],
    )


def _values(zone: str, person: Person | None = None) -> dict[str, str]:
    posting = person.posting if person else None
    return {
        "name": person.name if person else "",
        "telegram_id": "",
        "wecom_id": "",
        "host_unit": (posting.host_unit if posting else None) or "",
        "position": (posting.position if posting else None) or "",
        "sending_unit": (posting.sending_unit if posting else None) or "",
        "start": str(posting.start_date) if posting and posting.start_date else "",
        "end": str(posting.end_date) if posting and posting.end_date else "",
        "batch": (posting.batch if posting else None) or "",
        "timezone": person.timezone if person else zone,
    }


async def new_form(request: Request, ctx: PageContext) -> Response:
    """The form that registers a cadre."""
    return ctx.render(
        "people_form.html", pt=pt, person=None, values=_values(ctx.runtime.config.timezone), errors=[], new=True
    )


async def create(request: Request, ctx: PageContext) -> Response:
    """Register a cadre (the same checks as `admin add-cadre`); on a refusal, the form again with the reason."""
    form = await request.form()
    values = {key: _text(form, key) for key in FORM_FIELDS}
    try:
        said = await admin.add_cadre(
            ctx.uow,
            name=values["name"],
            identities=_identities(values["telegram_id"], values["wecom_id"]),
            host_unit=values["host_unit"] or None,
            position=values["position"] or None,
            sending_unit=values["sending_unit"] or None,
            start=_date(form, "start"),
            end=_date(form, "end"),
            timezone=values["timezone"] or ctx.runtime.config.timezone,
            now=ctx.now,
            batch=values["batch"] or None,
        )
    except AdminError as exc:
        await ctx.uow.rollback()
        return ctx.render(
            "people_form.html", status=400, pt=pt, person=None, values=values, errors=[str(exc)], new=True
        )
    await ctx.audit("change", "people", said[:500])
    return RedirectResponse(ctx.url("people", query={"saved": "1"}), status_code=303)


async def edit_form(request: Request, ctx: PageContext) -> Response:
    """The form that corrects a cadre's name, time zone and posting."""
    person = await ctx.cadre(int(request.path_params["person_id"]))
    values = _values(ctx.runtime.config.timezone, person)
    return ctx.render("people_form.html", pt=pt, person=person, values=values, errors=[], new=False)


async def edit_save(request: Request, ctx: PageContext) -> Response:
    """Save the corrections (the same checks as `admin edit-cadre`); unchanged fields are left alone."""
    person = await ctx.cadre(int(request.path_params["person_id"]))
    form = await request.form()
    values = {key: _text(form, key) for key in FORM_FIELDS}
    old = _values(ctx.runtime.config.timezone, person)
    changed = {key: values[key] for key in FORM_FIELDS if values[key] != old[key] and key in old}
    try:
        said = (
            await admin.edit_cadre(
                ctx.uow,
                cadre=f"#{person.id}",
                now=ctx.now,
                name=changed.get("name"),
                host_unit=changed.get("host_unit"),
                position=changed.get("position"),
                sending_unit=changed.get("sending_unit"),
                start=_date(form, "start") if "start" in changed else None,
                end=_date(form, "end") if "end" in changed else None,
                timezone=changed.get("timezone"),
                batch=changed.get("batch"),
            )
            if changed
            else chat_texts.ADMIN_EDIT_UNCHANGED.format(name=person.name, id=person.id)
        )
    except AdminError as exc:
        await ctx.uow.rollback()
        return ctx.render(
            "people_form.html", status=400, pt=pt, person=person, values=values, errors=[str(exc)], new=False
        )
    await ctx.audit("change", f"cadre:{person.id}", said[:500])
    return RedirectResponse(ctx.url("people", query={"saved": "1"}), status_code=303)


async def set_active(request: Request, ctx: PageContext) -> Response:
    """Deactivate or reactivate a cadre or a supervisor."""
    person_id = int(request.path_params["person_id"])
    person = await ctx.uow.people.get(person_id)
    if person is None or (person.role == "cadre" and person_id not in {c.id for c in await ctx.visible_cadres(True)}):
        raise NotFound
    try:
        if request.path_params["state"] == "deactivate":
            said = await admin.deactivate(ctx.uow, person=f"#{person.id}", now=ctx.now)
        elif request.path_params["state"] == "reactivate":
            said = await admin.reactivate(ctx.uow, person=f"#{person.id}")
        else:
            raise NotFound
    except AdminError as exc:
        await ctx.uow.rollback()
        return ctx.render("error.html", status=400, title=pt.PEOPLE_TITLE, message=str(exc))
    await ctx.audit("change", f"person:{person.id}", said[:500])
    return RedirectResponse(ctx.url("people", query={"saved": "1"}), status_code=303)


async def add_supervisor(request: Request, ctx: PageContext) -> Response:
    """Register a supervisor, optionally with one cadre to look after."""
    form = await request.form()
    cadre = _text(form, "cadre")
    try:
        said = await admin.add_supervisor(
            ctx.uow,
            name=_text(form, "name"),
            identities=_identities(_text(form, "telegram_id"), _text(form, "wecom_id")),
            cadres=[],
            timezone=ctx.runtime.config.timezone,
            now=ctx.now,
        )
        if cadre:
            name = _text(form, "telegram_id") or _text(form, "wecom_id") or _text(form, "name")
            said += "\n" + await admin.assign(ctx.uow, supervisor=name, cadre=cadre)
    except AdminError as exc:
        await ctx.uow.rollback()
        return ctx.render("error.html", status=400, title=pt.PEOPLE_TITLE, message=str(exc))
    await ctx.audit("change", "people", said[:500])
    return RedirectResponse(ctx.url("people", query={"saved": "1"}), status_code=303)


async def assignment(request: Request, ctx: PageContext) -> Response:
    """Have a supervisor look after a cadre, or no longer."""
    form = await request.form()
    supervisor, cadre = _text(form, "supervisor"), _text(form, "cadre")
    if cadre.isdigit() and int(cadre) not in {c.id for c in await ctx.visible_cadres(True)}:
        raise NotFound
    verb = admin.assign if request.path_params["verb"] == "assign" else admin.unassign
    try:
        said = await verb(ctx.uow, supervisor=f"#{supervisor}", cadre=f"#{cadre}")
    except AdminError as exc:
        await ctx.uow.rollback()
        return ctx.render("error.html", status=400, title=pt.PEOPLE_TITLE, message=str(exc))
    await ctx.audit("change", f"supervisor:{supervisor}", said[:500])
    return RedirectResponse(ctx.url("people", query={"saved": "1"}), status_code=303)


# -- the 名单 (xlsx) -------------------------------------------------------------------------------------------


async def import_form(request: Request, ctx: PageContext) -> Response:
    return ctx.render("people_import.html", pt=pt, errors=[], notice="")


async def import_template(request: Request, ctx: PageContext) -> Response:
    """The 名单 template: the header row and one example row."""
    book = Workbook()
    sheet = book.active
    if sheet is None:  # a new workbook always has one sheet
        raise NotFound
    sheet.title = pt.TEMPLATE_SHEET
    sheet.append(list(pt.TEMPLATE_HEADER))
    sheet.append(list(pt.TEMPLATE_EXAMPLE))
    for column, width in zip("ABCDEFGHI", (10, 14, 14, 16, 18, 14, 12, 12, 10), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    await ctx.audit("export", "people-template")
    return Response(out.getvalue(), media_type=XLSX, headers=_attachment(pt.TEMPLATE_FILENAME))


def _attachment(filename: str) -> dict[str, str]:
    from urllib.parse import quote

    return {"content-disposition": f"attachment; filename*=UTF-8''{quote(filename)}"}


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an account typed as a number: 51001.0 -> 51001
    return " ".join(str(value).split())


def read_roster(data: bytes) -> list[tuple[int, list[str]]]:
    """(row number, nine cells as text) of every non-empty row under the header; AdminError for a bad file."""
    if len(data) > MAX_IMPORT_BYTES:
        raise AdminError(pt.IMPORT_TOO_BIG)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = [[_cell(v) for v in row[: len(pt.TEMPLATE_HEADER)]] for row in sheet.iter_rows(values_only=True)]
    except Exception as exc:  # openpyxl raises many kinds (zip, xml, key errors) for a file that is not xlsx
        raise AdminError(pt.IMPORT_UNREADABLE) from exc
    if not rows or tuple(rows[0]) != pt.TEMPLATE_HEADER:
        raise AdminError(pt.IMPORT_BAD_HEADER.format(header="，".join(pt.TEMPLATE_HEADER)))
    found = [(n, row + [""] * (len(pt.TEMPLATE_HEADER) - len(row))) for n, row in enumerate(rows[1:], 2) if any(row)]
    if not found:
        raise AdminError(pt.IMPORT_EMPTY)
    if len(found) > MAX_IMPORT_ROWS:
        raise AdminError(pt.IMPORT_TOO_MANY.format(limit=MAX_IMPORT_ROWS))
    return found


async def import_upload(request: Request, ctx: PageContext) -> Response:
    """Register every cadre of the uploaded 名单, or — if any row is bad — none, with every bad row told."""
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return ctx.render("people_import.html", status=400, pt=pt, errors=[pt.IMPORT_NO_FILE], notice="")
    data = await upload.read(MAX_IMPORT_BYTES + 1)
    try:
        rows = read_roster(data)
    except AdminError as exc:
        return ctx.render("people_import.html", status=400, pt=pt, errors=[str(exc)], notice="")
    problems: list[str] = []
    seen: dict[str, int] = {}
    added = 0
    for number, cells in rows:
        name, telegram_id, wecom_id, sending, host, position, start, end, batch = cells
        try:
            for account in (a for a in (telegram_id, wecom_id) if a):
                if account in seen:
                    raise AdminError(pt.IMPORT_DUPLICATE.format(account=account, other=seen[account]))
                seen[account] = number
            await admin.add_cadre(
                ctx.uow,
                name=name,
                identities=_identities(telegram_id, wecom_id),
                host_unit=host or None,
                position=position or None,
                sending_unit=sending or None,
                start=_date({"start": start}, "start"),
                end=_date({"end": end}, "end"),
                timezone=ctx.runtime.config.timezone,
                now=ctx.now,
                batch=batch or None,
            )
            added += 1
        except AdminError as exc:
            problems.append(pt.IMPORT_ROW.format(row=number, problem=exc))
    if problems:
        await ctx.uow.rollback()  # all or nothing: the good rows are not kept either
        await ctx.audit("change", "people-import", f"refused: {len(problems)} bad rows of {len(rows)}")
        errors = [pt.IMPORT_FAILED.format(count=len(problems)), *problems]
        return ctx.render("people_import.html", status=400, pt=pt, errors=errors, notice="")
    await ctx.audit("change", "people-import", f"{added} cadres")
    return ctx.render("people_import.html", pt=pt, errors=[], notice=pt.IMPORT_DONE.format(count=added))


# -- invite codes ----------------------------------------------------------------------------------------------


def _deep_link(ctx: PageContext, code: str) -> str | None:
    bot = ctx.runtime.config.bot_username
    return f"https://t.me/{bot}?start={code}" if bot else None


def invite_state(expires_at: dt.datetime, used_at: dt.datetime | None, now: dt.datetime) -> str:
    return "used" if used_at is not None else "expired" if expires_at <= now else "open"


async def invites(request: Request, ctx: PageContext) -> Response:
    """Every recent invite code, with its QR code, WeCom bind text and state; a form for a new one."""
    rows = [
        (i, invite_state(i.expires_at, i.used_at, ctx.now), _deep_link(ctx, i.code))
        for i in await ctx.uow.invites.recent()
    ]
    await ctx.audit("view", "invites")
    notice = request.query_params.get("notice", "")[:80]
    return ctx.render("invites.html", pt=pt, rows=rows, roles=chat_texts.ROLE_LABELS, notice=notice, errors=[])


async def invite_create(request: Request, ctx: PageContext) -> Response:
    form = await request.form()
    role, name, days = _text(form, "role"), _text(form, "name"), _text(form, "days")
    ttl = ctx.runtime.config.invite_ttl
    if days:
        if not days.isdigit() or not 1 <= int(days) <= 90:
            return ctx.render("error.html", status=400, title=pt.INVITES_TITLE, message=pt.INVITE_BAD_DAYS)
        ttl = dt.timedelta(days=int(days))
    if role not in chat_texts.ROLE_LABELS:
        raise NotFound
    try:
        await admin.create_invite(ctx.uow, role=role, name=name or None, ttl=ttl, now=ctx.now)
    except AdminError as exc:
        await ctx.uow.rollback()
        return ctx.render("error.html", status=400, title=pt.INVITES_TITLE, message=str(exc))
    code = (await ctx.uow.invites.recent(1))[0].code
    await ctx.audit("change", f"invite:{code}", "created")
    return RedirectResponse(ctx.url("invites", query={"notice": pt.INVITE_CREATED.format(code=code)}), status_code=303)


async def invite_revoke(request: Request, ctx: PageContext) -> Response:
    code = str(request.path_params["code"])[:32]
    revoked = await ctx.uow.invites.revoke(code, ctx.now)
    if revoked:
        await ctx.audit("change", f"invite:{code}", "revoked")
    notice = (pt.INVITE_REVOKED if revoked else pt.INVITE_NOT_OPEN).format(code=code)
    return RedirectResponse(ctx.url("invites", query={"notice": notice}), status_code=303)


async def invite_qr(request: Request, ctx: PageContext) -> Response:
    """The QR code of an invite's Telegram deep link, as SVG drawn here (no CDN, no image service)."""
    code = str(request.path_params["code"])[:32]
    invite = await ctx.uow.invites.get(code)
    link = _deep_link(ctx, code)
    if invite is None or link is None:
        raise NotFound
    image = qrcode.make(link, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    out = io.BytesIO()
    image.save(out)
    return Response(out.getvalue(), media_type="image/svg+xml")
