"""The console as a Starlette app, mounted by bot/http.py at /console: the one table of its pages."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from console import people_texts, texts
from console.pages import account, audit, cadre, operations, overview, people, programme
from console.web import HERE, Clock, ConsoleConfig, Page, Runtime, UnitOfWorkFactory, endpoint

ORGANISATION = ("organisation",)

# Every page of the console, in navigation order. To add one: a handler in console/pages/, a template in
# console/templates/, and a line here (console/README-dev.md).
PAGES: tuple[Page, ...] = (
    Page("/", overview.show, "overview", nav=texts.NAV_OVERVIEW),
    Page("/overview.xlsx", overview.export, "overview_xlsx"),
    Page("/cadres/{cadre_id:int}", cadre.show, "cadre"),
    Page("/cadres/{cadre_id:int}/report/{kind}.docx", cadre.report_docx, "cadre_report_docx"),  # before the next
    Page("/cadres/{cadre_id:int}/report/{kind}", cadre.report_preview, "cadre_report"),
    Page("/cadres/{cadre_id:int}/ledgers.xlsx", cadre.ledgers, "cadre_ledgers"),
    # people, the programme's report and operations (organisation staff only)
    Page("/people", people.show, "people", nav=people_texts.NAV_PEOPLE, roles=ORGANISATION),
    Page("/people/new", people.new_form, "person_new", roles=ORGANISATION),
    Page("/people/new", people.create, "person_create", methods=("POST",), roles=ORGANISATION),
    Page("/people/{person_id:int}/edit", people.edit_form, "person_edit", roles=ORGANISATION),
    Page("/people/{person_id:int}/edit", people.edit_save, "person_edit_save", methods=("POST",), roles=ORGANISATION),
    Page("/people/{person_id:int}/{state}", people.set_active, "person_state", methods=("POST",), roles=ORGANISATION),
    Page("/people/supervisors", people.add_supervisor, "supervisor_new", methods=("POST",), roles=ORGANISATION),
    Page("/people/assignment/{verb}", people.assignment, "assignment", methods=("POST",), roles=ORGANISATION),
    Page("/people/import", people.import_form, "people_import", roles=ORGANISATION),
    Page("/people/import", people.import_upload, "people_import_upload", methods=("POST",), roles=ORGANISATION),
    Page("/people/import/template.xlsx", people.import_template, "people_template", roles=ORGANISATION),
    Page("/invites", people.invites, "invites", roles=ORGANISATION),
    Page("/invites", people.invite_create, "invite_create", methods=("POST",), roles=ORGANISATION),
    Page("/invites/{code}/revoke", people.invite_revoke, "invite_revoke", methods=("POST",), roles=ORGANISATION),
    Page("/invites/{code}.svg", people.invite_qr, "invite_qr", roles=ORGANISATION),
    Page("/programme", programme.show, "programme", nav=people_texts.NAV_PROGRAMME, roles=ORGANISATION),
    Page("/programme.docx", programme.download, "programme_docx", roles=ORGANISATION),
    Page("/operations", operations.show, "operations", nav=people_texts.NAV_OPERATIONS, roles=ORGANISATION),
    Page("/operations/holidays", operations.import_holidays, "holidays_import", methods=("POST",), roles=ORGANISATION),
    Page("/audit", audit.show, "audit", nav=texts.NAV_AUDIT, roles=ORGANISATION),
    Page("/login", account.show_login, "login", public=True),
    Page("/login", account.submit_login, "login_submit", methods=("POST",), public=True),
    Page("/logout", account.logout, "logout", methods=("POST",)),
)


def build_console(
    unit_of_work: UnitOfWorkFactory, clock: Clock, config: ConsoleConfig | None = None, pages: tuple[Page, ...] = PAGES
) -> Starlette:
    """The console app; bot/http.py mounts it at /console."""
    runtime = Runtime(unit_of_work=unit_of_work, clock=clock, config=config or ConsoleConfig(), pages=pages)
    routes: list[Route | Mount] = [
        Route(p.path, endpoint(p, runtime), methods=list(p.methods), name=p.name) for p in pages
    ]
    routes.append(Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"))
    return Starlette(routes=routes)
