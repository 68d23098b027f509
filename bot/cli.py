"""Command line: `python bot.py [console [--as ID]]` and `python bot.py admin …`."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import math
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TextIO
from zoneinfo import ZoneInfo

from analysis.inputs import clean_text, parse_int, year_ok
from analysis.places import MAX_TABLE_BYTES
from console.auth import MIN_PASSWORD
from handlers import texts
from handlers.errors import AdminError


def _date(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        day = None
    if day is None or not year_ok(day.year):
        raise argparse.ArgumentTypeError(texts.CLI_BAD_DATE.format(value=text[:40]))
    return day


def _timezone(text: str) -> str:
    name = text.strip()
    try:
        if not name or len(name) > 64:
            raise ValueError(name)
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError; "../x" a ValueError
        raise argparse.ArgumentTypeError(texts.CLI_BAD_TIMEZONE.format(value=text[:40])) from None
    return name


def _telegram_id(text: str) -> str:
    if parse_int(text.strip(), max_digits=16) is None:  # Telegram's user ids have up to 52 bits
        raise argparse.ArgumentTypeError(texts.CLI_BAD_TELEGRAM_ID.format(value=text[:40]))
    return text.strip()


def _wecom_id(text: str) -> str:
    if not _RE_WECOM_ID.fullmatch(text.strip()):
        raise argparse.ArgumentTypeError(texts.CLI_BAD_WECOM_ID.format(value=text[:40]))
    return text.strip()


def _days(text: str) -> float:
    try:
        days = float(text)
    except ValueError:
        days = math.nan
    if not 0 < days <= MAX_INVITE_DAYS:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(texts.CLI_BAD_DAYS.format(value=text[:20], limit=MAX_INVITE_DAYS))
    return days


def _count(text: str) -> int:
    number = parse_int(text.strip(), max_digits=6)
    if not number:
        raise argparse.ArgumentTypeError(texts.CLI_BAD_COUNT.format(value=text[:20]))
    return number


_RE_WECOM_ID = re.compile(r"[A-Za-z0-9_.@-]{1,64}")  # WeCom's UserID: letters, digits and _ - . @, up to 64
MAX_INVITE_DAYS = 365
_ARGPARSE_MESSAGES = (  # argparse's own English messages (Python 3.11), each with its Chinese in texts
    ("required", re.compile(r"the following arguments are required: (.+)")),
    ("unrecognized", re.compile(r"unrecognized arguments: (.+)")),
    ("choice", re.compile(r"argument (\S+): invalid choice: (.+?) \(choose from (.+)\)")),
    ("value", re.compile(r"argument (\S+): invalid \w+ value: (.+)")),
    ("one", re.compile(r"argument (\S+): expected one argument")),
    ("count", re.compile(r"argument (\S+): expected .+")),
    ("ignored", re.compile(r"argument (\S+): ignored explicit argument (.+)")),
    ("together", re.compile(r"argument (\S+): not allowed with argument (\S+)")),
    ("ambiguous", re.compile(r"ambiguous option: (\S+) could match (.+)")),
    ("one_of", re.compile(r"one of the arguments (.+) is required")),
    ("argument", re.compile(r"argument (\S+): (.+)", re.S)),  # our own checks' messages, Chinese already
)


_PATH_ARGUMENTS = frozenset({"file", "out"})


def _cleaned_argument(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_text(v) if isinstance(v, str) else v for v in value]
    return value


def chinese_message(message: str) -> str:
    """argparse's error message in Chinese (an unknown one is kept as it is)."""
    for key, pattern in _ARGPARSE_MESSAGES:
        if m := pattern.fullmatch(message):
            return texts.CLI_ARGPARSE_MESSAGES[key].format(*m.groups())
    return message


class _ChineseFormatter(argparse.HelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, texts.CLI_USAGE if prefix is None else prefix)


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with its own words (usage, help, errors) in Chinese; its sub-commands are of this class too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _ChineseFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = texts.CLI_POSITIONALS
        self._optionals.title = texts.CLI_OPTIONS
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=texts.CLI_HELP)

    def parse_known_args(  # type: ignore[override]
        self, args: Any = None, namespace: Any = None
    ) -> tuple[argparse.Namespace, list[str]]:
        """Parse, then clean every text value (names, units …) as chat text is: argv undecodable as UTF-8 arrives
        as lone surrogates, which no database stores. File paths are kept as given."""
        parsed, extras = super().parse_known_args(args, namespace)
        for key, value in vars(parsed).items():
            if key not in _PATH_ARGUMENTS:
                setattr(parsed, key, _cleaned_argument(value))
        return parsed, extras

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, texts.CLI_ERROR.format(prog=self.prog, message=chinese_message(message)) + "\n")


PERSON_REF_HELP = "Telegram 账号、企业微信账号、编号（如 #12）或姓名"


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(prog="bot.py", description="cadrelog 挂职工作助手")
    commands = parser.add_subparsers(dest="command")

    run = commands.add_parser("run", help="运行机器人（默认）")
    run.set_defaults(command="run")
    console = commands.add_parser("console", help="在终端中聊天")
    console.add_argument("--as", dest="as_id", help="以该账号（如 Telegram id）的身份聊天；默认演示用户")

    admin = commands.add_parser("admin", help="组织部门管理命令")
    actions = admin.add_subparsers(dest="action", required=True)

    cadre = actions.add_parser("add-cadre", help="登记挂职干部")
    cadre.add_argument("--name", required=True)
    cadre.add_argument("--telegram-id", type=_telegram_id)
    cadre.add_argument("--wecom-id", type=_wecom_id)
    cadre.add_argument("--host-unit")
    cadre.add_argument("--position")
    cadre.add_argument("--sending-unit")
    cadre.add_argument("--start", type=_date)
    cadre.add_argument("--end", type=_date)
    cadre.add_argument("--timezone", type=_timezone)
    cadre.add_argument("--batch", help="批次，如 第三批")

    supervisor = actions.add_parser("add-supervisor", help="登记督导")
    supervisor.add_argument("--name", required=True)
    supervisor.add_argument("--telegram-id", type=_telegram_id)
    supervisor.add_argument("--wecom-id", type=_wecom_id)
    supervisor.add_argument("--cadre", action="append", default=[], help="所联系干部的 Telegram 或企业微信 id，可重复")
    supervisor.add_argument("--timezone", type=_timezone)

    invite = actions.add_parser("invite", help="生成一次性邀请码")
    invite.add_argument("--role", required=True, choices=["cadre", "supervisor"])
    invite.add_argument("--name")
    invite.add_argument("--days", type=_days, help="有效天数（默认 INVITE_TTL_DAYS)")

    actions.add_parser("list", help="列出人员和挂职信息")

    deliveries = actions.add_parser("deliveries", help="提醒投递记录（已发送、已错过、失败）")
    deliveries.add_argument("--limit", type=_count, default=50)
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
    report.add_argument("--cadre", required=True, help=PERSON_REF_HELP)
    report.add_argument("--kind", default="", help="中期、期满、月度或周；默认为下一份应交的报告")
    report.add_argument("--month", help="月度报告的月份，如 2026-07")
    report.add_argument("--start", help="开始日期")
    report.add_argument("--end", help="结束日期")
    report.add_argument("--format", choices=["docx", "md", "xlsx"], default="docx")
    report.add_argument("--review", action="store_true", help="审阅稿：每段的依据记录以批注列出（docx、md）")
    report.add_argument("--out", required=True, help="输出文件")

    programme = what.add_parser("programme", help="导出一个批次的挂职干部中期（期满）工作情况汇报")
    programme.add_argument("--batch", required=True, help="批次，如 第三批")
    programme.add_argument("--kind", required=True, choices=["中期", "期满"])
    programme.add_argument("--end", type=_date, help="统计截止日期（默认今天，或本批挂职结束日）")
    programme.add_argument("--unit", help="落款单位，如 中共青山县委组织部")
    programme.add_argument("--format", choices=["docx", "md"], default="docx")
    programme.add_argument("--review", action="store_true", help="审阅稿：每段的依据记录以批注列出")
    programme.add_argument("--out", "-o", required=True, help="输出文件")

    user = actions.add_parser(
        "add-user", help="创建管理平台（/console/）登录账号；密码从终端输入（不回显）或标准输入读取"
    )
    user.add_argument("--login", required=True, help="登录账号：字母、数字和 . _ -")
    user.add_argument("--name", required=True, help="姓名")
    user.add_argument("--role", required=True, choices=["organisation", "supervisor"], help="组织部门或帮带联系人")
    user.add_argument("--telegram-id", type=_telegram_id, help="帮带联系人账号：所关联督导的 Telegram id")
    user.add_argument("--wecom-id", type=_wecom_id, help="帮带联系人账号：所关联督导的企业微信 UserID")
    user.add_argument("--batch", action="append", default=[], help="组织部门账号只看这些批次，可重复；默认全部")

    audit = actions.add_parser("audit", help="管理平台审计日志：查看、导出、修改、登录")
    audit.add_argument("--limit", type=_count, default=50)
    audit.add_argument("--login", help="只看这个账号")
    audit.add_argument(
        "--action",
        dest="audit_action",
        choices=["view", "export", "change", "login", "logout", "login-failed", "locked"],
    )

    link = actions.add_parser("link", help="把同一人的 Telegram 账号和企业微信账号合并")
    link.add_argument("--telegram-id", type=_telegram_id, required=True)
    link.add_argument("--wecom-id", type=_wecom_id, required=True)

    actions.add_parser("wecom-menu", help="推送企业微信应用菜单（记日志 / 本周 / 生成总结 / 帮助）")

    remove = actions.add_parser("remove", help="停用人员（记录保留）")
    remove.add_argument("--telegram-id", type=_telegram_id)
    remove.add_argument("--wecom-id", type=_wecom_id)
    remove.add_argument("--person", help=PERSON_REF_HELP)

    edit = actions.add_parser("edit-cadre", help="修改挂职干部的姓名、时区、挂职单位、职务、派出单位或起止日期")
    edit.add_argument("--cadre", required=True, help=PERSON_REF_HELP)
    edit.add_argument("--name")
    edit.add_argument("--host-unit")
    edit.add_argument("--position")
    edit.add_argument("--sending-unit")
    edit.add_argument("--start", type=_date)
    edit.add_argument("--end", type=_date)
    edit.add_argument("--timezone", type=_timezone)
    edit.add_argument("--batch", help="批次，如 第三批")

    edit_supervisor = actions.add_parser("edit-supervisor", help="修改督导的姓名或时区")
    edit_supervisor.add_argument("--supervisor", required=True, help=PERSON_REF_HELP)
    edit_supervisor.add_argument("--name")
    edit_supervisor.add_argument("--timezone", type=_timezone)

    reactivate = actions.add_parser("reactivate", help="恢复已停用的人员")
    reactivate.add_argument("--person", required=True, help=PERSON_REF_HELP)

    for verb, text in (("assign", "安排督导联系一名挂职干部"), ("unassign", "取消督导与一名挂职干部的联系")):
        pair = actions.add_parser(verb, help=text)
        pair.add_argument("--supervisor", required=True, help=PERSON_REF_HELP)
        pair.add_argument("--cadre", required=True, help=PERSON_REF_HELP)
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


def read_password(stdin: TextIO | None = None, prompt: Callable[[str], str] = getpass.getpass) -> str:
    """The new account's password: asked twice without echo at a terminal, else the first line of stdin."""
    stream = stdin or sys.stdin
    if stream.isatty():
        first = prompt(texts.ADMIN_PASSWORD_PROMPT)
        if prompt(texts.ADMIN_PASSWORD_AGAIN) != first:
            raise AdminError(texts.ADMIN_PASSWORD_MISMATCH)
    else:
        first = stream.readline().rstrip("\r\n")
    if len(first) < MIN_PASSWORD:
        raise AdminError(texts.ADMIN_PASSWORD_SHORT.format(length=MIN_PASSWORD))
    return first
