"""The command line refuses what would break the bot later (a time zone, an account, a date, a count), and says
so in Chinese — argparse's own messages included."""

from __future__ import annotations

import pytest

from bot.cli import build_parser
from handlers import texts


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Parse the arguments, expect argparse's exit code 2, and return what it wrote to stderr."""
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(list(argv))
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(texts.CLI_USAGE) and "error" not in err and "usage" not in err
    return err.splitlines()[-1]


CADRE = ("admin", "add-cadre", "--name", "王明")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            (*CADRE, "--timezone", "Mars/Base"),
            "参数 --timezone：" + texts.CLI_BAD_TIMEZONE.format(value="Mars/Base"),
        ),
        ((*CADRE, "--timezone", "../../etc/passwd"), texts.CLI_BAD_TIMEZONE.format(value="../../etc/passwd")),
        ((*CADRE, "--timezone", "A" * 300), texts.CLI_BAD_TIMEZONE.format(value="A" * 40)),
        (("admin", "add-supervisor", "--name", "李华", "--timezone", ""), texts.CLI_BAD_TIMEZONE.format(value="")),
        ((*CADRE, "--telegram-id", "²1"), texts.CLI_BAD_TELEGRAM_ID.format(value="²1")),
        ((*CADRE, "--telegram-id", "١٢"), texts.CLI_BAD_TELEGRAM_ID.format(value="١٢")),
        ((*CADRE, "--telegram-id", "9" * 20), texts.CLI_BAD_TELEGRAM_ID.format(value="9" * 20)),
        (("admin", "remove", "--telegram-id", "-5"), texts.CLI_BAD_TELEGRAM_ID.format(value="-5")),
        ((*CADRE, "--wecom-id", "wang ming"), texts.CLI_BAD_WECOM_ID.format(value="wang ming")),
        (("admin", "link", "--telegram-id", "1", "--wecom-id", "王明"), texts.CLI_BAD_WECOM_ID.format(value="王明")),
        ((*CADRE, "--start", "0000-01-01"), texts.CLI_BAD_DATE.format(value="0000-01-01")),
        ((*CADRE, "--end", "9999-12-31"), texts.CLI_BAD_DATE.format(value="9999-12-31")),
        ((*CADRE, "--start", "2026-02-30"), texts.CLI_BAD_DATE.format(value="2026-02-30")),
        (("admin", "invite", "--role", "cadre", "--days", "nan"), texts.CLI_BAD_DAYS.format(value="nan", limit=365)),
        (("admin", "invite", "--role", "cadre", "--days", "inf"), texts.CLI_BAD_DAYS.format(value="inf", limit=365)),
        (("admin", "invite", "--role", "cadre", "--days", "-1"), texts.CLI_BAD_DAYS.format(value="-1", limit=365)),
        (("admin", "deliveries", "--limit", "-5"), texts.CLI_BAD_COUNT.format(value="-5")),
        (("admin", "deliveries", "--limit", "0"), texts.CLI_BAD_COUNT.format(value="0")),
    ],
)
def test_bad_values_are_refused_in_chinese(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], expected: str
) -> None:
    assert expected in refused(capsys, *argv)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("admin", "add-cadre", "--telegram-id", "51001"), "bot.py admin add-cadre：错误：缺少必填参数：--name"),
        (
            ("admin", "invite", "--role", "boss"),
            "bot.py admin invite：错误：参数 --role：无效的选项 'boss'（可选：'cadre', 'supervisor'）",
        ),
        (("admin", "list", "--all"), "bot.py：错误：无法识别的参数：--all"),
        (("admin", "invite", "--role"), "bot.py admin invite：错误：参数 --role：需要一个值"),
        (("admin",), "bot.py admin：错误：缺少必填参数：action"),
    ],
)
def test_argparse_speaks_chinese(capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], expected: str) -> None:
    assert refused(capsys, *argv) == expected


def test_help_is_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["admin", "add-cadre", "-h"])
    assert stopped.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(texts.CLI_USAGE) and texts.CLI_HELP in out and texts.CLI_OPTIONS in out
    assert "usage" not in out and "show this help" not in out and "options" not in out


def test_good_values_pass_cleaned() -> None:
    args = build_parser().parse_args(
        [
            *CADRE,
            "--telegram-id",
            " 51001 ",
            "--wecom-id",
            "wang.ming@x",
            "--timezone",
            " Asia/Urumqi ",
            "--start",
            "2026-06-01",
            "--end",
            "2026-11-30",
        ]
    )
    assert (args.telegram_id, args.wecom_id, args.timezone) == ("51001", "wang.ming@x", "Asia/Urumqi")
    assert args.start.isoformat() == "2026-06-01"


def test_text_values_are_cleaned_and_paths_kept() -> None:
    undecodable = b"\xff\xfe".decode("utf-8", "surrogateescape")  # what Python makes of argv that is not UTF-8
    args = build_parser().parse_args(
        ["admin", "add-supervisor", "--name", f"李\x00华{undecodable}\ufffe", "--cadre", f"51001{undecodable}"]
    )
    assert (args.name, args.cadre) == ("李华", ["51001"])
    path = f"名单{undecodable}.csv"
    places = build_parser().parse_args(["admin", "places", "import", "--cadre", "51001", path])
    assert places.file == path
