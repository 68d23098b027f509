"""The web console in a real browser (Debian's chromium driven by Playwright): sign-in, the 总览 against figures
computed here from China's calendar, filters and the xlsx export, a cadre's page, the Word download re-opened,
and the security cases (a supervisor's forbidden URL, a form without its CSRF token, five wrong passwords, an
entry holding <script>). Screenshots go to docs/console-*.png for the README."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import chinese_calendar
import pytest
from docx import Document as WordDocument
from openpyxl import load_workbook

from tests.console_site import CHROMIUM, PASSWORD, MovableClock, Seeder, migrated_copy, serve_console

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")

DOCS = Path(__file__).resolve().parents[1] / "docs"
TODAY = dt.date(2026, 7, 20)  # a Monday; figures count to Sunday the 19th
START = dt.date(2026, 6, 1)
END = dt.date(2026, 11, 30)
BATCH_ONE, BATCH_TWO = "2026年第一批", "2026年第二批"
SCRIPT = "<script>alert('x')</script>"

# (telegram id, name, batch, host unit, days with one entry each, visits among them)
CADRES = [
    (
        "51001",
        "王明",
        BATCH_ONE,
        "青山镇人民政府",
        [dt.date(2026, 6, d) for d in (1, 2, 3, 8, 9, 15)] + [dt.date(2026, 7, d) for d in (13, 14, 15, 16, 17)],
        {dt.date(2026, 7, 13), dt.date(2026, 6, 8)},
    ),
    ("51002", "赵强", BATCH_ONE, "石桥镇人民政府", [dt.date(2026, 6, d) for d in (1, 19, 20)], set()),
    (
        "51003",
        "孙丽",
        BATCH_TWO,
        "青山镇人民政府",
        [dt.date(2026, 7, d) for d in (1, 2, 3, 6, 7, 8, 9, 10)],
        {dt.date(2026, 7, 6)},
    ),
]


def expected(days: list[dt.date]) -> dict[str, object]:
    """The 总览's figures for a cadre, computed from chinese_calendar directly (not through timing/ or reporting/)."""
    last = TODAY - dt.timedelta(days=1)
    workdays = [START + dt.timedelta(days=i) for i in range((last - START).days + 1)]
    workdays = [d for d in workdays if chinese_calendar.is_workday(d)]
    logged = sorted(set(days) & set(workdays))
    gap = longest = 0
    for day in workdays:
        gap = 0 if day in logged else gap + 1
        longest = max(longest, gap)
    return {
        "workdays": str(len(workdays)),
        "logged": str(len(logged)),
        "share": f"{len(logged) / len(workdays):.0%}",
        "last_entry": max(days).isoformat(),
        "longest_gap": str(longest),
    }


def text_for(day: dt.date, visit: bool, name: str) -> str:
    if visit:
        return f"到东坪村走访{day.day}户困难户，了解饮水情况，答应下周回访"
    if name == "王明" and day == dt.date(2026, 7, 15):
        return f"整理石桥村灌溉渠资料{SCRIPT}"
    return f"参加镇党委会，讨论产业项目推进第{day.day}项"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[str]:
    url = migrated_copy(sqlite_template, tmp_path_factory.mktemp("console"))
    clock = MovableClock(dt.datetime(2026, 7, 20, 1, 30, tzinfo=dt.UTC))  # 09:30 in Shanghai
    seeder = Seeder(url, clock)
    for telegram_id, name, batch, host, days, visits in CADRES:
        seeder.cadre(telegram_id, name, start=START, end=END, batch=batch, host_unit=host)
        seeder.say(telegram_id, [(d, text_for(d, d in visits, name)) for d in days])
    seeder.supervisor("52001", "李华", ("51001",))
    seeder.account("zzb", "张科长", "organisation")
    seeder.account("lihua", "李华", "supervisor", telegram_id="52001")
    seeder.account("clerk", "王干事", "organisation", batches=(BATCH_TWO,))
    with serve_console(url, clock) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def sign_in(browser: object, base: str, login: str, password: str = PASSWORD, **context: object) -> object:
    page = browser.new_page(accept_downloads=True, **context)  # type: ignore[attr-defined]
    page.goto(base)
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    return page


def cell(page: object, name: str, column: str) -> str:
    row = page.locator("#overview tbody tr", has_text=name)  # type: ignore[attr-defined]
    return str(row.locator(f"td[data-col={column}]").inner_text()).strip()


def test_overview_figures_filters_export_and_chart(site: str, browser: object) -> None:
    page = sign_in(browser, site, "zzb", viewport={"width": 1366, "height": 768})
    assert page.title().startswith("总览")  # type: ignore[attr-defined]
    for _, name, _, _, days, visits in CADRES:
        want = expected(days)
        for column, value in want.items():
            assert cell(page, name, column) == value, (name, column)
        assert cell(page, name, "visits") == str(len(visits))
    assert "连续" in cell(page, "赵强", "flags")  # silent since June 20th
    assert page.locator("svg title", has_text="各批次每周记录工作日占比").count() == 1  # type: ignore[attr-defined]
    page.screenshot(path=str(DOCS / "console-overview.png"), full_page=True)  # type: ignore[attr-defined]

    page.select_option("select[name=batch]", BATCH_ONE)  # type: ignore[attr-defined]
    page.check("input[name=flagged]")  # type: ignore[attr-defined]
    page.click("#filters button[type=submit]")  # type: ignore[attr-defined]
    names = page.locator("#overview tbody tr td:first-child").all_inner_texts()  # type: ignore[attr-defined]
    assert names == ["赵强"]
    page.click("text=清除")  # type: ignore[attr-defined]
    page.click("#overview thead >> text=记录占比")  # type: ignore[attr-defined]
    order = page.locator("#overview tbody tr td:first-child").all_inner_texts()  # type: ignore[attr-defined]
    shares = {
        name: float(expected(days)["logged"]) / float(expected(days)["workdays"]) for _, name, _, _, days, _ in CADRES
    }  # type: ignore[arg-type]
    assert order == sorted(shares, key=shares.__getitem__)

    page.select_option("select[name=batch]", BATCH_ONE)  # type: ignore[attr-defined]
    page.click("#filters button[type=submit]")  # type: ignore[attr-defined]
    with page.expect_download() as download:  # type: ignore[attr-defined]
        page.click("#export")  # type: ignore[attr-defined]
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    sheet = book.active
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=3)]
    header, data = rows[0], rows[1:]
    assert header[0] == "姓名" and "记录占比" in header
    by_name = {r[0]: dict(zip(header, r, strict=True)) for r in data}
    assert set(by_name) == {"王明", "赵强"}  # the batch filter holds in the export
    want = expected(CADRES[0][4])
    assert by_name["王明"]["在岗工作日"] == want["workdays"] and by_name["王明"]["记录占比"] == want["share"]
    page.close()  # type: ignore[attr-defined]


def test_cadre_page_entries_and_word_download(site: str, browser: object) -> None:
    page = sign_in(browser, site, "zzb", viewport={"width": 1366, "height": 768})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))  # type: ignore[attr-defined]
    page.click("#overview >> text=王明")  # type: ignore[attr-defined]
    assert page.locator("h1").first.inner_text().startswith("王明")  # type: ignore[attr-defined]
    assert page.locator("[data-fig=logged]").inner_text() == expected(CADRES[0][4])["logged"]  # type: ignore[attr-defined]
    entries = page.locator("#entries").inner_text()  # type: ignore[attr-defined]
    assert SCRIPT in entries and not dialogs  # the entry's <script> is text, never run
    states = page.locator("#promises tbody tr td:last-child").all_inner_texts()  # type: ignore[attr-defined]
    assert states == ["已逾期", "办理中"]  # June 8th's promise (due June 15th) and July 13th's
    page.screenshot(path=str(DOCS / "console-cadre.png"), full_page=True)  # type: ignore[attr-defined]

    page.fill("#entry-filters input[name=q]", "东坪村")  # type: ignore[attr-defined]
    page.select_option("#entry-filters select[name=kind]", "visit")  # type: ignore[attr-defined]
    page.fill("#entry-filters input[name=from]", "2026-07-01")  # type: ignore[attr-defined]
    page.click("#entry-filters button[type=submit]")  # type: ignore[attr-defined]
    rows = page.locator("#entries tbody tr").all_inner_texts()  # type: ignore[attr-defined]
    assert len(rows) == 1 and "2026-07-13" in rows[0]

    page.click("text=中期小结 · 预览")  # type: ignore[attr-defined]
    draft = page.locator("#draft").inner_text()  # type: ignore[attr-defined]
    assert "王明" in draft and "一、" in draft
    page.screenshot(path=str(DOCS / "console-report.png"), full_page=False)  # type: ignore[attr-defined]
    for selector, review in (("a.button.primary", False), ("text=Word（审阅稿·附依据）", True)):
        with page.expect_download() as download:  # type: ignore[attr-defined]
            page.click(selector)  # type: ignore[attr-defined]
        doc = WordDocument(str(download.value.path()))
        body = "\n".join(p.text for p in doc.paragraphs)
        assert "王明" in body and "中期" in body
        has_comments = any(part.partname.endswith("comments.xml") for part in doc.part.package.parts)
        assert has_comments == review
        assert download.value.suggested_filename.endswith(".docx")
    page.close()  # type: ignore[attr-defined]


def test_supervisor_sees_only_his_cadre_and_phone_layout(site: str, browser: object) -> None:
    page = sign_in(browser, site, "lihua", viewport={"width": 390, "height": 844}, is_mobile=True)
    names = page.locator("#overview tbody tr td:first-child").all_inner_texts()  # type: ignore[attr-defined]
    assert names == ["王明"]
    assert page.locator("nav >> text=审计日志").count() == 0  # type: ignore[attr-defined]
    page.screenshot(path=str(DOCS / "console-phone.png"), full_page=False)  # type: ignore[attr-defined]
    other = page.goto(site + "cadres/3")  # 孙丽's page: not his  # type: ignore[attr-defined]
    assert other.status == 404 and "孙丽" not in page.content()  # type: ignore[attr-defined]
    assert page.goto(site + "audit").status == 404  # type: ignore[attr-defined]
    assert page.goto(site + "cadres/3/report/mid.docx").status == 404  # type: ignore[attr-defined]
    page.close()  # type: ignore[attr-defined]


def test_form_without_csrf_token_is_refused(site: str, browser: object) -> None:
    page = sign_in(browser, site, "zzb")
    page.eval_on_selector("form.inline input[name=csrf_token]", "e => e.remove()")  # type: ignore[attr-defined]
    page.click("button.link")  # the logout form, now without its token  # type: ignore[attr-defined]
    assert "缺少校验码" in page.content()  # type: ignore[attr-defined]
    assert page.goto(site).url.rstrip("/").endswith("/console")  # still signed in  # type: ignore[attr-defined]
    page.click("button.link")  # with its token: signed out  # type: ignore[attr-defined]
    assert "已退出登录" in page.content()  # type: ignore[attr-defined]
    assert "/login" in page.goto(site).url  # type: ignore[attr-defined]
    page.close()  # type: ignore[attr-defined]


def test_five_wrong_passwords_lock_the_login(site: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(site)
    page.screenshot(path=str(DOCS / "console-login.png"))
    for attempt in range(5):
        page.fill("input[name=login]", "clerk")
        page.fill("input[name=password]", f"wrong-{attempt}")
        page.click("form button[type=submit]")
    assert "已锁定" in page.inner_text(".error")
    page.fill("input[name=login]", "clerk")
    page.fill("input[name=password]", PASSWORD)  # the right one, too late
    page.click("form button[type=submit]")
    assert "已锁定" in page.inner_text(".error") and "/login" in page.url
    page.close()
