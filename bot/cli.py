"""Command line: `python bot.py [console [--as ID]]` and `python bot.py admin …`."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from analysis.places import MAX_TABLE_BYTES
from handlers import texts
from handlers.errors import AdminError


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD:{text}") from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bot.py", description="cadrelog 挂职工作助手")
    commands = parser.add_subparsers(dest="command")

    run = commands.add_parser("run", help="运行机器人（默认）")
    run.set_defaults(command="run")
    console = commands.add_parser("console", help="在终端中聊天")
    console.add_argument("--as", dest="as_id", help="以该账号（如 Telegram id）的身份聊天；默认演示用户")

    admin = commands.add_parser("admin", help="组织部门管理命令")
    actions = admin.add_subparsers(dest="action", required=True)

    cadre = actions.add_parser("add-cadre", help="登记挂职干部")
    cadre.add_argument("--name", required=True)
    cadre.add_argument("--telegram-id")
    cadre.add_argument("--wecom-id")
    cadre.add_argument("--host-unit")
    cadre.add_argument("--position")
    cadre.add_argument("--sending-unit")
    cadre.add_argument("--start", type=_date)
    cadre.add_argument("--end", type=_date)
    cadre.add_argument("--timezone")

    supervisor = actions.add_parser("add-supervisor", help="登记督导")
    supervisor.add_argument("--name", required=True)
    supervisor.add_argument("--telegram-id")
    supervisor.add_argument("--wecom-id")
    supervisor.add_argument("--cadre", action="append", default=[], help="所联系干部的 Telegram 或企业微信 id，可重复")
    supervisor.add_argument("--timezone")

    invite = actions.add_parser("invite", help="生成一次性邀请码")
    invite.add_argument("--role", required=True, choices=["cadre", "supervisor"])
    invite.add_argument("--name")
    invite.add_argument("--days", type=float, help="有效天数（默认 INVITE_TTL_DAYS)")

    actions.add_parser("list", help="列出人员和挂职信息")

    deliveries = actions.add_parser("deliveries", help="提醒投递记录（已发送、已错过、失败）")
    deliveries.add_argument("--limit", type=int, default=50)
    deliveries.add_argument(
        "--outcome", choices=["sent", "missed", "failed", "blocked", "pending", "queued", "skipped"]
    )

    holidays = actions.add_parser("holidays", help="节假日安排")
    holiday_actions = holidays.add_subparsers(dest="holidays_action", required=True)
    holiday_import = holiday_actions.add_parser("import", help="导入一年或几年的节假日文件（日期，休|班，名称）")
    holiday_import.add_argument("file")
    holiday_actions.add_parser("check", help="查看今明两年的节假日安排来源")

    places = actions.add_parser("places", help="挂职地的村、社区、企业、学校等地名表")
    place_actions = places.add_subparsers(dest="places_action", required=True)
    place_import = place_actions.add_parser(
        "import", help="导入地名表 CSV（表头：名称,类型,简称；UTF-8 或 GBK）；再次导入即更新，有错行则不导入"
    )
    place_import.add_argument("--cadre", required=True, help="干部的 Telegram 或企业微信 id")
    place_import.add_argument("file")
    place_list = place_actions.add_parser("list", help="列出导入的和从记录中识别的地名、提及次数和尚未走访的村")
    place_list.add_argument("--cadre", required=True, help="干部的 Telegram 或企业微信 id")

    export = commands.add_parser("export", help="导出报告草稿或台账")
    what = export.add_subparsers(dest="what", required=True)
    report = what.add_parser("report", help="导出一名干部的报告草稿")
    report.add_argument("--cadre", required=True, help="干部的 Telegram id")
    report.add_argument("--kind", default="", help="中期、期满、月度或周；默认为下一份应交的报告")
    report.add_argument("--month", help="月度报告的月份，如 2026-07")
    report.add_argument("--start", help="开始日期")
    report.add_argument("--end", help="结束日期")
    report.add_argument("--format", choices=["docx", "md", "xlsx"], default="docx")
    report.add_argument("--review", action="store_true", help="审阅稿：每段的依据记录以批注列出（docx、md）")
    report.add_argument("--out", required=True, help="输出文件")

    link = actions.add_parser("link", help="把同一人的 Telegram 账号和企业微信账号合并")
    link.add_argument("--telegram-id", required=True)
    link.add_argument("--wecom-id", required=True)

    actions.add_parser("wecom-menu", help="推送企业微信应用菜单（记日志 / 本周 / 生成总结 / 帮助）")

    remove = actions.add_parser("remove", help="停用人员（记录保留）")
    remove.add_argument("--telegram-id")
    remove.add_argument("--wecom-id")
    return parser


def identities(args: argparse.Namespace) -> list[tuple[str, str]]:
    found = []
    if getattr(args, "telegram_id", None):
        found.append(("telegram", str(args.telegram_id).strip()))
    if getattr(args, "wecom_id", None):
        found.append(("wecom", str(args.wecom_id).strip()))
    return found


def read_place_file(path: Path) -> bytes:
    """The bytes of a place list to import (a little more than the limit is read, so too big is told)."""
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_TABLE_BYTES + 1)
    except OSError as exc:
        raise AdminError(texts.PLACES_FILE_UNREADABLE.format(path=path, error=exc.strerror or exc)) from exc
