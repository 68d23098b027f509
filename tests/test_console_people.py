"""The console's People, programme report and Operations pages in Debian's chromium: add and edit a cadre, a
名单 with one bad row (nothing stored), an invite with its QR code, the programme report downloaded and re-opened.
Screenshots go to docs/console-people*.png."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document as WordDocument
from openpyxl import Workbook, load_workbook

from console import people_texts as pt
from console.web import ConsoleConfig
from tests.console_site import CHROMIUM, PASSWORD, MovableClock, Seeder, migrated_copy, serve_console

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")

DOCS = Path(__file__).resolve().parents[1] / "docs"
START, END = dt.date(2026, 6, 1), dt.date(2026, 11, 30)
BATCH = "第三批"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[str]:
    url = migrated_copy(sqlite_template, tmp_path_factory.mktemp("people"))
    clock = MovableClock(dt.datetime(2026, 7, 20, 1, 30, tzinfo=dt.UTC))
    seeder = Seeder(url, clock)
    seeder.cadre("51001", "王明", start=START, end=END, batch=BATCH)
    seeder.say("51001", [(dt.date(2026, 7, 13), "到东坪村走访5户困难户，了解饮水情况"),
                         (dt.date(2026, 7, 14), "协调争取饮水工程资金85万元，已到位")])
    seeder.supervisor("52001", "李华", ("51001",))
    seeder.account("zzb", "张科长", "organisation")
    seeder.account("lihua", "李华", "supervisor", telegram_id="52001")
    with serve_console(url, clock, ConsoleConfig(bot_username="cadrelog_bot")) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def sign_in(browser: object, base: str, login: str) -> object:
    page = browser.new_page(accept_downloads=True, viewport={"width": 1366, "height": 768})  # type: ignore[attr-defined]
    page.goto(base)
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    return page


def test_add_and_edit_a_cadre(site: str, browser: object) -> None:
    page = sign_in(browser, site, "zzb")
    page.goto(site + "people")  # type: ignore[attr-defined]
    page.click(f"text={pt.ADD_CADRE}")  # type: ignore[attr-defined]
    for field, value in (("name", "赵强"), ("wecom_id", "zhaoqiang"), ("host_unit", "石桥镇人民政府"),
                         ("position", "副镇长"), ("sending_unit", "市财政局"), ("batch", BATCH)):
        page.fill(f"input[name={field}]", value)  # type: ignore[attr-defined]
    page.fill("input[name=start]", "2026-06-01")  # type: ignore[attr-defined]
    page.click(f"button:has-text('{pt.SAVE}')")  # type: ignore[attr-defined]
    # no end date: refused with the command line's own message, nothing stored
    assert "请填写挂职起止日期" in page.locator(".error").inner_text()  # type: ignore[attr-defined]
    page.fill("input[name=end]", "2026-11-30")  # type: ignore[attr-defined]
    page.click(f"button:has-text('{pt.SAVE}')")  # type: ignore[attr-defined]
    row = page.locator("table.grid tbody tr", has_text="赵强").first  # type: ignore[attr-defined]
    assert "wecom:zhaoqiang" in row.inner_text() and "石桥镇人民政府" in row.inner_text()
    row.locator(f"a:has-text('{pt.EDIT}')").click()
    page.fill("input[name=end]", "2026-12-31")  # type: ignore[attr-defined]
    page.fill("input[name=position]", "党委委员、副镇长")  # type: ignore[attr-defined]
    page.screenshot(path=str(DOCS / "console-people-edit.png"))  # type: ignore[attr-defined]
    page.click(f"button:has-text('{pt.SAVE}')")  # type: ignore[attr-defined]
    row = page.locator("table.grid tbody tr", has_text="赵强").first  # type: ignore[attr-defined]
    assert "2026-06-01 至 2026-12-31" in row.inner_text() and "党委委员、副镇长" in row.inner_text()
    page.screenshot(path=str(DOCS / "console-people.png"), full_page=True)  # type: ignore[attr-defined]
    # deactivate and reactivate
    row.locator(f"button:has-text('{pt.DEACTIVATE}')").click()
    assert pt.REMOVED in page.locator("table.grid tbody tr", has_text="赵强").first.inner_text()  # type: ignore[attr-defined]
    page.locator("table.grid tbody tr", has_text="赵强").first.locator(f"button:has-text('{pt.REACTIVATE}')").click()  # type: ignore[attr-defined]
    assert pt.ACTIVE in page.locator("table.grid tbody tr", has_text="赵强").first.inner_text()  # type: ignore[attr-defined]
    # a supervisor may not open the People pages
    other = sign_in(browser, site, "lihua")
    assert other.goto(site + "people").status == 404  # type: ignore[attr-defined]


def roster(rows: list[tuple[str, ...]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(pt.TEMPLATE_HEADER))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_a_roster_with_one_bad_row(site: str, browser: object, tmp_path: Path) -> None:
    page = sign_in(browser, site, "zzb")
    page.goto(site + "people/import")  # type: ignore[attr-defined]
    with page.expect_download() as got:  # type: ignore[attr-defined]
        page.click(f"text={pt.IMPORT_TEMPLATE}")  # type: ignore[attr-defined]
    template = load_workbook(io.BytesIO(Path(got.value.path()).read_bytes()))
    assert tuple(c.value for c in template.worksheets[0][1]) == pt.TEMPLATE_HEADER
    bad = tmp_path / "名单.xlsx"
    bad.write_bytes(roster([
        ("钱多", "61001", "", "市审计局", "青山镇人民政府", "副镇长", "2026-06-01", "2026-11-30", BATCH),
        ("孙少", "", "", "市审计局", "青山镇人民政府", "副镇长", "2026-06-01", "2026-11-30", BATCH),  # no account
        ("周全", "61003", "", "市审计局", "青山镇人民政府", "副镇长", dt.datetime(2026, 6, 1), "2026-11-30", BATCH),
    ]))
    page.set_input_files("input[name=file]", str(bad))  # type: ignore[attr-defined]
    page.click(f"button:has-text('{pt.IMPORT_SUBMIT}')")  # type: ignore[attr-defined]
    errors = page.locator(".error").inner_text()  # type: ignore[attr-defined]
    assert "名单有 1 行有问题，整份名单都没有导入" in errors and "第 3 行：挂职干部至少要有一个账号" in errors
    page.screenshot(path=str(DOCS / "console-people-import.png"), full_page=True)  # type: ignore[attr-defined]
    page.goto(site + "people")  # type: ignore[attr-defined]
    assert "钱多" not in page.content()  # type: ignore[attr-defined]
    good = tmp_path / "名单2.xlsx"
    good.write_bytes(roster([
        ("钱多", "61001", "", "市审计局", "青山镇人民政府", "副镇长", "2026-06-01", "2026-11-30", BATCH),
        ("周全", 61003, "", "市审计局", "青山镇人民政府", "副镇长", dt.datetime(2026, 6, 1), "2026-11-30", BATCH),
    ]))
    page.goto(site + "people/import")  # type: ignore[attr-defined]
    page.set_input_files("input[name=file]", str(good))  # type: ignore[attr-defined]
    page.click(f"button:has-text('{pt.IMPORT_SUBMIT}')")  # type: ignore[attr-defined]
    assert "已导入 2 名挂职干部" in page.locator(".notice").inner_text()  # type: ignore[attr-defined]
    page.goto(site + "people")  # type: ignore[attr-defined]
    assert "telegram:61003" in page.locator("table.grid tbody tr", has_text="周全").first.inner_text()  # type: ignore[attr-defined]


def test_an_invite_with_its_qr_code(site: str, browser: object) -> None:
    page = sign_in(browser, site, "zzb")
    page.goto(site + "invites")  # type: ignore[attr-defined]
    page.fill("input[name=name]", "吴刚")  # type: ignore[attr-defined]
    page.click(f"button:has-text('{pt.INVITE_CREATE}')")  # type: ignore[attr-defined]
    notice = page.locator(".notice").inner_text()  # type: ignore[attr-defined]
    code = notice.removeprefix("已生成邀请码 ").rstrip("。")
    row = page.locator("table.grid tbody tr", has_text=code).first  # type: ignore[attr-defined]
    assert f"https://t.me/cadrelog_bot?start={code}" in row.inner_text() and f"绑定 {code}" in row.inner_text()
    image = row.locator("img.qr")
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    svg = page.request.get(site.split("/console/")[0] + image.get_attribute("src"))  # type: ignore[attr-defined]
    assert svg.status == 200 and svg.headers["content-type"].startswith("image/svg+xml") and b"<path" in svg.body()
    page.screenshot(path=str(DOCS / "console-people-invites.png"), full_page=True)  # type: ignore[attr-defined]
    row.locator(f"button:has-text('{pt.INVITE_REVOKE}')").click()
    assert pt.INVITE_REVOKED.format(code=code) in page.locator(".notice").inner_text()  # type: ignore[attr-defined]
    assert pt.INVITE_STATES["expired"] in page.locator("table.grid tbody tr", has_text=code).first.inner_text()  # type: ignore[attr-defined]


def test_the_programme_report_downloaded(site: str, browser: object) -> None:
    page = sign_in(browser, site, "zzb")
    page.goto(site + "programme")  # type: ignore[attr-defined]
    page.select_option("select[name=kind]", "中期")  # type: ignore[attr-defined]
    page.fill("input[name=unit]", "中共青山县委组织部")  # type: ignore[attr-defined]
    page.screenshot(path=str(DOCS / "console-people-programme.png"))  # type: ignore[attr-defined]
    with page.expect_download() as got:  # type: ignore[attr-defined]
        page.click(f"button:has-text('{pt.PROGRAMME_SUBMIT}')")  # type: ignore[attr-defined]
    assert got.value.suggested_filename.startswith("第三批挂职干部中期工作情况汇报")
    doc = WordDocument(got.value.path())
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "第三批挂职干部中期工作情况汇报"
    assert any(t.startswith("到青山镇挂职的王明同志，") for t in texts)
    assert "中共青山县委组织部" in texts
    page.goto(site + "operations")  # type: ignore[attr-defined]
    assert pt.HOLIDAYS in page.content()  # type: ignore[attr-defined]
