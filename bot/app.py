"""Composition root: settings, logging, migrations, database, dispatcher and channels, in order."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import SecretStr, ValidationError

from analysis.classify import warm_up
from bot.asr import AsrConfig, Transcriber
from bot.channels.base import Channel, SendLimiter
from bot.channels.console import ConsoleChannel
from bot.channels.telegram import TelegramChannel
from bot.channels.wecom import (
    GroupRobot,
    GroupRobotChannel,
    WeComApi,
    WeComChannel,
    WeComError,
    menu_definition,
)
from bot.cli import build_parser, identities, read_password, read_place_file
from bot.config import Settings
from bot.http import CONSOLE_PATH, HttpServer, build_app
from bot.inbox import Inbox
from bot.llm import configure_polishing
from bot.logs import setup_logging
from bot.scheduler import ReminderScheduler, default_collectors
from console.app import build_console
from console.auth import hash_password
from console.texts import WEB_HINT
from handlers import admin, build_router, offload, reports, texts
from handlers.errors import AdminError, BotError
from handlers.messages import Document
from handlers.router import Dispatcher
from storage.db import Database, is_sqlite
from storage.leader import ChatClaims, SchedulerLeadership
from storage.migrate import upgrade_to_head

logger = logging.getLogger(__name__)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the bot or an admin command."""
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:  # a configuration mistake: say which, without a traceback
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"]).upper()
            sys.stderr.write(f"configuration error{' in ' + where if where else ''}: {error['msg']}\n")
        return 2
    setup_logging(settings.log_level)
    upgrade_to_head(settings.database_url)
    if args.command == "admin":
        return asyncio.run(run_admin(args, settings))
    if args.command == "export":
        return asyncio.run(run_export(args, settings))
    console_as = args.as_id if args.command == "console" else None
    force_console = args.command == "console"
    try:
        return asyncio.run(serve(settings, force_console=force_console, console_as=console_as))
    except KeyboardInterrupt:
        return 0


async def run_admin(args: object, settings: Settings) -> int:
    """Run one admin action in one transaction and print its result."""
    db = Database(settings.database_url)
    now = utc_now()
    action = args.action
    tz = getattr(args, "timezone", None) or settings.timezone
    try:
        async with db.unit_of_work() as uow:
            if action == "add-cadre":
                result = await admin.add_cadre(
                    uow,
                    name=args.name,
                    identities=identities(args),
                    host_unit=args.host_unit,  # type: ignore[attr-defined]
                    position=args.position,
                    sending_unit=args.sending_unit,
                    start=args.start,
                    end=args.end,  # type: ignore[attr-defined]
                    timezone=tz,
                    now=now,
                    batch=args.batch,  # type: ignore[attr-defined]
                )
            elif action == "add-supervisor":
                result = await admin.add_supervisor(
                    uow,
                    name=args.name,
                    identities=identities(args),
                    cadres=args.cadre,
                    timezone=tz,
                    now=now,  # type: ignore[attr-defined]
                )
            elif action == "invite":
                days = args.days or settings.invite_ttl_days  # type: ignore[attr-defined]
                result = await admin.create_invite(
                    uow,
                    role=args.role,
                    name=args.name,
                    ttl=dt.timedelta(days=days),
                    now=now,  # type: ignore[attr-defined]
                    bot_username=settings.telegram_bot_username,
                )
            elif action == "list":
                result = await admin.list_people(uow)
            elif action == "deliveries":
                result = await admin.list_deliveries(
                    uow,
                    limit=args.limit,
                    outcome=args.outcome,
                    zone=settings.timezone,  # type: ignore[attr-defined]
                )
            elif action == "holidays" and args.holidays_action == "import":  # type: ignore[attr-defined]
                path = Path(args.file)  # type: ignore[attr-defined]
                try:
                    content = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    raise AdminError(texts.ADMIN_HOLIDAYS_UNREADABLE.format(path=path, error=exc)) from exc
                result = await admin.import_holidays(uow, text=content, now=now)
            elif action == "holidays":
                result = await admin.calendar_status(uow, today=now.astimezone(ZoneInfo(settings.timezone)).date())
            elif action == "places" and args.places_action == "import":  # type: ignore[attr-defined]
                data = read_place_file(Path(args.file))  # type: ignore[attr-defined]
                result = await admin.import_places(uow, cadre=args.cadre, data=data, now=now)  # type: ignore[attr-defined]
            elif action == "places":
                result = await admin.list_places(uow, cadre=args.cadre)  # type: ignore[attr-defined]
            elif action == "link":
                result = await admin.link_identities(
                    uow,
                    telegram_id=args.telegram_id.strip(),  # type: ignore[attr-defined]
                    wecom_id=args.wecom_id.strip(),  # type: ignore[attr-defined]
                    now=now,
                )
            elif action == "wecom-menu":
                result = await push_wecom_menu(settings)
            elif action == "add-user":  # an account of the web console
                result = await admin.add_console_user(
                    uow,
                    login=args.login,  # type: ignore[attr-defined]
                    name=args.name,  # type: ignore[attr-defined]
                    role=args.role,  # type: ignore[attr-defined]
                    password_hash=hash_password(read_password()),
                    identities=identities(args),
                    batches=args.batch,  # type: ignore[attr-defined]
                    now=now,
                    url=settings.console_url(CONSOLE_PATH),
                )
            elif action == "audit":
                result = await admin.list_audit(
                    uow,
                    limit=args.limit,  # type: ignore[attr-defined]
                    login=args.login,  # type: ignore[attr-defined]
                    action=args.audit_action,  # type: ignore[attr-defined]
                    zone=settings.timezone,
                )
            elif action == "remove" and args.person:  # type: ignore[attr-defined]
                result = await admin.deactivate(uow, person=args.person, now=now)  # type: ignore[attr-defined]
            elif action == "remove":
                found = identities(args)
                if not found:
                    raise AdminError(texts.ADMIN_NO_SUCH_PERSON.format(external_id=""))
                channel, external_id = found[0]
                result = await admin.remove_person(uow, channel=channel, external_id=external_id, now=now)
            elif action == "edit-cadre":
                result = await admin.edit_cadre(
                    uow,
                    cadre=args.cadre,  # type: ignore[attr-defined]
                    now=now,
                    name=args.name,  # type: ignore[attr-defined]
                    host_unit=args.host_unit,  # type: ignore[attr-defined]
                    position=args.position,  # type: ignore[attr-defined]
                    sending_unit=args.sending_unit,  # type: ignore[attr-defined]
                    start=args.start,  # type: ignore[attr-defined]
                    end=args.end,  # type: ignore[attr-defined]
                    timezone=args.timezone,  # type: ignore[attr-defined]
                    batch=args.batch,  # type: ignore[attr-defined]
                )
            elif action == "edit-supervisor":
                result = await admin.edit_supervisor(
                    uow,
                    supervisor=args.supervisor,
                    name=args.name,
                    timezone=args.timezone,  # type: ignore[attr-defined]
                )
            elif action == "reactivate":
                result = await admin.reactivate(uow, person=args.person)  # type: ignore[attr-defined]
            elif action in ("assign", "unassign"):
                pair = admin.assign if action == "assign" else admin.unassign
                result = await pair(uow, supervisor=args.supervisor, cadre=args.cadre)  # type: ignore[attr-defined]
            else:  # argparse only offers the actions above
                raise AdminError(action)
            await uow.commit()
    except AdminError as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    finally:
        await db.dispose()
    sys.stdout.write(result + "\n")
    return 0


async def run_export(args: object, settings: Settings) -> int:
    """Write one cadre's report draft (or ledgers) to a file, as /report and /export would send it."""
    if args.what == "programme":  # type: ignore[attr-defined]
        return await run_export_programme(args, settings)
    db = Database(settings.database_url)
    external_id = str(args.cadre)  # type: ignore[attr-defined]
    words = [w for w in (args.kind, args.month) if w]  # type: ignore[attr-defined]
    if args.start or args.end:  # type: ignore[attr-defined]
        words += [args.start or "", args.end or ""]  # type: ignore[attr-defined]
    try:
        async with db.unit_of_work() as uow:
            person = await admin.find_person(uow, external_id, "cadre")
            now = utc_now()
            today = now.astimezone(ZoneInfo(person.timezone)).date()
            request = reports.parse_request(person, words, today)
            draft, entries = await reports.build_draft(uow, person, request, today, now)
            document = await reports.render(
                draft,
                entries,
                args.format,
                person,
                request,
                today,
                args.review,  # type: ignore[attr-defined]
            )
            await uow.commit()
    except (AdminError, BotError) as exc:
        sys.stderr.write(f"{getattr(exc, 'user_message', exc)}\n")
        return 1
    finally:
        await db.dispose()
    return _write_document(args, document)


def _write_document(args: object, document: Document) -> int:
    """Write an exported document where --out says, and say where."""
    out = Path(args.out)  # type: ignore[attr-defined]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(document.data)
    sys.stdout.write(texts.REPORT_CLI_WRITTEN.format(path=out) + "\n")
    return 0


async def run_export_programme(args: object, settings: Settings) -> int:
    """Write a batch's 中期（期满）工作情况汇报 to a file."""
    db = Database(settings.database_url)
    today = utc_now().astimezone(ZoneInfo(settings.timezone)).date()
    try:
        async with db.unit_of_work() as uow:
            document = await admin.programme_document(
                uow,
                batch=args.batch,  # type: ignore[attr-defined]
                kind=args.kind,  # type: ignore[attr-defined]
                today=today,
                end=args.end,  # type: ignore[attr-defined]
                signature=args.unit,  # type: ignore[attr-defined]
                fmt=args.format,  # type: ignore[attr-defined]
                review=args.review,  # type: ignore[attr-defined]
            )
    except AdminError as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    finally:
        await db.dispose()
    return _write_document(args, document)


async def serve(settings: Settings, *, force_console: bool, console_as: str | None) -> int:
    """Start every configured channel and run until stopped."""
    db = Database(settings.database_url)
    await asyncio.to_thread(warm_up)
    # jieba's dictionary and the libraries are loaded for good: keep the garbage collector from re-scanning them.
    gc.freeze()
    dispatcher = Dispatcher(build_router(), db.unit_of_work, utc_now, settings.handler_settings())
    async with db.unit_of_work() as uow:
        warning = await admin.calendar_warning(uow, today=utc_now().astimezone(ZoneInfo(settings.timezone)).date())
    stop = asyncio.Event()
    channels: list[Channel] = []
    # Received updates are written on a connection of their own: an acknowledgement never waits for a handler.
    inbox_db = Database(settings.database_url)
    inbox = Inbox(
        dispatcher,
        store=inbox_db.unit_of_work,
        max_pending=settings.inbox_max_pending,
        retention=dt.timedelta(days=settings.inbox_retention_days),
        # PostgreSQL: several instances may share the database; each handles the chats it claims, one leads
        claims=None if is_sqlite(settings.database_url) else ChatClaims(settings.database_url),
        rescan_every=settings.inbox_rescan_seconds,
    )
    leadership = SchedulerLeadership(settings.database_url)

    telegram: TelegramChannel | None = None
    wecom: WeComChannel | None = None
    transcriber = build_transcriber(settings)
    if settings.telegram_bot_token is not None and not force_console:
        telegram = TelegramChannel(
            dispatcher,
            token=settings.telegram_bot_token.get_secret_value(),
            base_url=settings.telegram_base_url,
            base_file_url=settings.telegram_file_url(),
            poll_timeout=settings.telegram_poll_timeout,
            commands=texts.MENU_DESCRIPTIONS,
            limiter=SendLimiter(settings.telegram_rate_limit, settings.telegram_chat_interval),
            webhook_url=settings.telegram_webhook_url,
            webhook_secret=_secret(settings.telegram_webhook_secret),
            inbox=inbox,
            leadership=leadership,
            transcriber=transcriber,
        )
        channels.append(telegram)
    if settings.wecom_configured and not force_console:
        wecom = build_wecom(settings, dispatcher, inbox, transcriber)
        channels.append(wecom)
        if wecom.robot is not None:
            channels.append(GroupRobotChannel(wecom.robot))
    if force_console or (not channels and sys.stdin.isatty()):
        channels.append(await _console(settings, db, dispatcher, console_as, stop.set))
        if "log_level" not in settings.model_fields_set:
            # The chat and the log share the terminal: keep INFO lines out of the conversation.
            logging.getLogger().setLevel(logging.WARNING)
    if warning:
        # For whoever runs the bot for real; a console demo need not open with it.
        platform = any(c.name != "console" for c in channels)
        logger.log(logging.WARNING if platform else logging.INFO, "%s", warning)
    if not channels:
        logger.error(
            "no channel to run: set TELEGRAM_BOT_TOKEN or the WECOM_* variables, or run `python bot.py console`"
            " in a terminal"
        )
        await db.dispose()
        await inbox_db.dispose()
        return 2

    webhook = telegram if telegram is not None and settings.telegram_webhook_url else None
    # The web console is always served; WeCom and the webhook need the server, the console alone does not.
    console_app = build_console(db.unit_of_work, utc_now, settings.console_config())
    http: HttpServer | None = HttpServer(
        build_app(wecom=wecom, telegram=webhook, console=console_app), settings.http_host, settings.http_port
    )
    http_needed = wecom is not None or webhook is not None
    # heavy work (digests, heat maps, reports) in worker processes, off the loop that answers the cadres
    offload.configure(settings.worker_processes)
    scheduler = ReminderScheduler(
        db,
        {c.name: c for c in channels},
        utc_now,
        every=dt.timedelta(seconds=settings.scheduler_tick_seconds),
        grace=settings.grace(),
        collectors=default_collectors(settings.digest_at(), group_robot=wecom is not None and wecom.robot is not None),
        leadership=leadership,
        release_on_stop=False,
    )
    dispatcher.on_outbox = scheduler.wake
    polishing = configure_polishing(settings, channels)  # REPORT_LLM_*: the report's prose by a local model
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    started: list[Channel] = []
    try:
        leadership.watch(settings.leader_retry_seconds)  # on PostgreSQL; the first check runs at once
        for channel in channels:
            await channel.start()
            started.append(channel)
        if http is not None:
            try:
                await http.start()
            except OSError as exc:
                if http_needed:
                    raise
                logger.warning(
                    "web console not served: cannot listen on %s:%d (%s)",
                    settings.http_host,
                    settings.http_port,
                    exc.strerror,
                )
                http = None
        await scheduler.start()
        logger.info("cadrelog running: %s", ", ".join(c.name for c in channels))
        await stop.wait()
    finally:
        await scheduler.stop()
        offload.shutdown()
        if http is not None:
            await http.stop()
        for channel in reversed(started):
            await channel.stop()
        await leadership.release()  # after the poller stopped: the next leader never polls alongside it
        await db.dispose()
        await inbox_db.dispose()
        if polishing is not None:
            await polishing.close()
        if transcriber is not None:
            await transcriber.close()
    return 0


async def push_wecom_menu(settings: Settings) -> str:
    """Create the app's menu (texts.WECOM_MENU) through WeCom's menu/create."""
    if not settings.wecom_configured:
        raise AdminError(texts.ADMIN_WECOM_NOT_CONFIGURED)
    api = _wecom_api(settings)
    try:
        await api.create_menu(menu_definition())
    except WeComError as exc:
        raise AdminError(texts.ADMIN_WECOM_FAILED.format(error=exc)) from exc
    finally:
        await api.close()
    return texts.ADMIN_WECOM_MENU_SET.format(names=" / ".join(texts.WECOM_MENU.values()))


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def _wecom_api(settings: Settings) -> WeComApi:
    return WeComApi(
        corp_id=settings.wecom_corp_id or "",
        secret=_secret(settings.wecom_secret) or "",
        agent_id=settings.wecom_agent_id or 0,
        base_url=settings.wecom_api_base,
    )


def build_transcriber(settings: Settings) -> Transcriber | None:
    """The speech model that hears voice notes (ASR_*), if one is configured."""
    if settings.asr_base_url is None or settings.asr_model is None:
        return None
    return Transcriber(
        AsrConfig(
            base_url=settings.asr_base_url,
            model=settings.asr_model,
            api_key=_secret(settings.asr_api_key),
            max_seconds=settings.asr_max_seconds,
            max_bytes=settings.asr_max_bytes,
            timeout=settings.asr_timeout_seconds,
        )
    )


def build_wecom(
    settings: Settings, dispatcher: Dispatcher, inbox: Inbox | None = None, transcriber: Transcriber | None = None
) -> WeComChannel:
    """The WeCom channel (and its group robot, if a key is set) from the WECOM_* settings."""
    api = _wecom_api(settings)
    robot = None
    if settings.wecom_robot_key is not None:
        robot = GroupRobot(
            key=settings.wecom_robot_key.get_secret_value(), base_url=settings.wecom_api_base, client=api.client
        )
    return WeComChannel(
        dispatcher,
        api=api,
        token=_secret(settings.wecom_token) or "",
        aes_key=_secret(settings.wecom_aes_key) or "",
        corp_id=settings.wecom_corp_id or "",
        robot=robot,
        inbox=inbox,
        transcriber=transcriber,
    )


async def _console(
    settings: Settings, db: Database, dispatcher: Dispatcher, as_id: str | None, on_close: Callable[[], None]
) -> ConsoleChannel:
    now = utc_now()
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    async with db.unit_of_work() as uow:
        person = await admin.ensure_console_user(uow, as_id=as_id, timezone=settings.timezone, now=now, today=today)
        await uow.commit()
    template = texts.CONSOLE_HINT_SUPERVISOR if person.role == "supervisor" else texts.CONSOLE_HINT
    hint = template.format(name=person.name, database=db.engine.url.render_as_string(hide_password=True))
    hint += "\n" + WEB_HINT.format(url=settings.console_url(CONSOLE_PATH))
    return ConsoleChannel(
        dispatcher,
        user_id=as_id or "demo",
        user_name=person.name,
        clock=utc_now,
        hint=hint,
        on_close=on_close,
        export_dir=Path(settings.console_export_dir),
    )
