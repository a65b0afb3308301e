"""All the wiring in one place: the Application, its handlers, and start-up and shutdown."""

from __future__ import annotations

import asyncio
import gc
import signal
from urllib.parse import urlsplit

import structlog
from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.content.loader import Content, load_content
from bot.content.pronouns import render
from bot.deps import DEPS_KEY, Deps, get_deps
from bot.engine import COMMANDS, Engine
from bot.scheduled.nudges import KEEP_LOG, NudgeSender
from bot.settings import Settings, SettingsError
from bot.shell.flood import FloodGate
from bot.shell.http import AiohttpRequest
from bot.shell.logs import UserHasher
from bot.shell.poller import Poller, UpdateLedger
from bot.shell.ptb_memory import LeanApplication
from bot.shell.updates import PerChatUpdateProcessor
from bot.storage.repository import Storage
from bot.understanding.models import build_router, build_screen
from handlers.admin import on_stats
from handlers.conversation import (
    on_button,
    on_command,
    on_error,
    on_group,
    on_text,
    on_unsupported,
)
from handlers.guards import flood_guard, on_edited, on_membership

log = structlog.get_logger(__name__)

# Updates the bot asks Telegram for; everything else is never delivered.
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.CHANNEL_POST,
    Update.MY_CHAT_MEMBER,
]


def log_salt(settings: Settings) -> bytes:
    if settings.log_salt is not None:
        return settings.log_salt.get_secret_value().encode()
    return ("breathing-room-log-salt:" + settings.bot_token.get_secret_value()).encode()


def build_application(settings: Settings, content: Content | None = None) -> Application:  # type: ignore[type-arg]
    """Build the Application with every handler; the database opens in ``post_init``."""
    content = content or load_content(settings.content_dir)
    if settings.helpline_country not in content.helplines:
        raise SettingsError(
            f"HELPLINE_COUNTRY is invalid: choose one of {', '.join(sorted(content.helplines))}"
        )
    deps = Deps(
        content=content,
        engine=Engine(
            content,
            build_router(content, settings.content_dir),
            build_screen(content, settings.content_dir),
            settings.helpline_country,
        ),
        hasher=UserHasher(log_salt(settings)),
        database_path=str(settings.database_path),
        flood=FloodGate(limit=settings.flood_limit, window=settings.flood_window),
    )
    deps.nudger = NudgeSender(content, deps.hasher)
    deps.nudge_bot = nudge_bot(settings)
    deps.admin_ids = frozenset(settings.admin_ids)
    builder = (
        ApplicationBuilder()
        # PTB 22.8 marks every chat and user id for a persistence we have not got; they would
        # pile up for the life of the process (bot/shell/ptb_memory.py).
        .application_class(LeanApplication)
        .token(settings.bot_token.get_secret_value())
        .base_url(settings.api_url)
        .base_file_url(f"{settings.bot_api_base_url}/file/bot")
        # A person waiting for a reply is worth one retry after Telegram's RetryAfter.
        .rate_limiter(
            AIORateLimiter(
                overall_max_rate=settings.reply_rate, overall_time_period=1, max_retries=1
            )
        )
        .concurrent_updates(PerChatUpdateProcessor(256))
        # aiohttp instead of PTB's default httpx: half the CPU per Bot API call (bot/shell/http.py).
        .request(AiohttpRequest(connection_pool_size=256, read_timeout=settings.http_read_timeout))
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if settings.mode == "polling":  # our own poller records updates first (bot/shell/poller.py)
        builder = builder.updater(None)
    application = builder.build()
    application.bot_data[DEPS_KEY] = deps
    if settings.mode == "polling":
        deps.poller = Poller(application, deps, timeout=10, allowed=ALLOWED_UPDATES)

    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    # Groups and channels first: one notice, then silence, whatever was sent there.
    application.add_handler(
        MessageHandler(
            (filters.ChatType.GROUPS & filters.UpdateType.MESSAGE)
            | filters.UpdateType.CHANNEL_POST,
            on_group,
        )
    )
    application.add_handler(CommandHandler("stats", on_stats, filters=private))
    application.add_handler(CommandHandler(COMMANDS, on_command, filters=private))
    application.add_handler(MessageHandler(private & filters.COMMAND, on_command))
    application.add_handler(MessageHandler(private & filters.TEXT, on_text))
    application.add_handler(MessageHandler(private, on_unsupported))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.UpdateType.EDITED_MESSAGE, on_edited)
    )
    application.add_handler(ChatMemberHandler(on_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    # Flood control runs first, in a group of its own, for every update.
    application.add_handler(TypeHandler(Update, flood_guard), group=-1)
    application.add_error_handler(on_error)
    assert application.job_queue is not None  # the job-queue extra is a dependency
    application.job_queue.run_repeating(
        nudge_job,
        interval=settings.nudge_sweep_seconds,
        first=min(settings.nudge_sweep_seconds, 5.0),
        name="nudges",
        job_kwargs={"max_instances": 1, "coalesce": True},
    )
    application.job_queue.run_repeating(
        outbox_job,
        interval=settings.outbox_retry_seconds,
        first=settings.outbox_retry_seconds,
        name="outbox",
        job_kwargs={"max_instances": 1, "coalesce": True},
    )
    application.job_queue.run_repeating(maintenance_job, interval=6 * 3600, first=60.0)
    if settings.mode == "webhook":  # the poller's heartbeat is missing: the job says it instead
        application.job_queue.run_repeating(heartbeat_job, interval=30.0, first=1.0)
    return application


def nudge_bot(settings: Settings) -> ExtBot:  # type: ignore[type-arg]
    """A second bot object for broadcasts: nudges keep under Telegram's ~30 messages a second.

    Its limiter lets one request through every 1/NUDGE_RATE seconds (a bucket of one, so no burst
    at the start of a sweep) and waits out a RetryAfter up to three times. Replies to people who
    are chatting use the Application's bot and are never queued behind a sweep.
    """
    return ExtBot(
        settings.bot_token.get_secret_value(),
        base_url=settings.api_url,
        base_file_url=f"{settings.bot_api_base_url}/file/bot",
        request=AiohttpRequest(connection_pool_size=16),
        get_updates_request=AiohttpRequest(),  # never used; else PTB builds an httpx client
        rate_limiter=AIORateLimiter(
            overall_max_rate=1,
            overall_time_period=1 / settings.nudge_rate,
            group_max_rate=0,
            max_retries=3,
        ),
    )


async def outbox_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Retry replies whose first send failed for a reason that may pass (bot/shell/outbox.py)."""
    deps = get_deps(context.bot_data)
    if deps.storage is not None:
        await deps.deliverer.flush_all(context.bot, deps.storage)


async def maintenance_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Keep the bookkeeping tables small: processed update ids and old nudge records."""
    deps = get_deps(context.bot_data)
    if deps.storage is None:
        return
    updates = await deps.storage.prune_inbox()
    nudges = await deps.storage.prune_nudge_log((deps.clock() - KEEP_LOG).date())
    if updates or nudges:
        log.info("pruned", update_ids=updates, nudge_records=nudges)


async def nudge_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The JobQueue's periodic callback: start a sweep with the bot's clock, unless one runs.

    The sweep runs as an Application task rather than inside the job, so a long broadcast does
    not make the scheduler skip (and warn about) every tick meanwhile; Application.stop() awaits
    it, and it stops claiming people as soon as the Application stops running.
    """
    deps = get_deps(context.bot_data)
    if deps.nudger is None or deps.nudge_bot is None or deps.storage is None:
        return
    if deps.nudger.busy or not context.application.running:
        return
    application = context.application
    application.create_task(
        deps.nudger.sweep(deps.storage, deps.nudge_bot, deps.clock, lambda: application.running),
        name="nudge_sweep",
    )


async def heartbeat_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Webhook mode: tell the health check the process and the database work."""
    deps = get_deps(context.bot_data)
    if deps.storage is not None:
        await deps.storage.beat(deps.clock())


async def _post_init(application: Application) -> None:  # type: ignore[type-arg]
    deps = get_deps(application.bot_data)
    deps.storage = await Storage.open(deps.database_path)
    processor = application.update_processor
    if isinstance(processor, PerChatUpdateProcessor):
        processor.ledger = deps.ledger = UpdateLedger(deps)
    deps.deliverer.backlog = await deps.storage.chats_with_outbox()
    if deps.nudge_bot is not None:
        await deps.nudge_bot.initialize()
    commands = [
        BotCommand(name, render(getattr(deps.content.texts, f"command_{name}"), None))
        for name in COMMANDS
    ]
    try:
        await application.bot.set_my_commands(commands)
    except TelegramError as error:  # the menu is a convenience; the bot works without it
        log.warning("set_my_commands_failed", error=type(error).__name__)
    # Everything built so far (content, the router's ~14,000 weight rows) lives as long as the
    # process: move it out of the garbage collector's sight, so its full collections stay short
    # instead of pausing replies for tens of milliseconds now and then.
    gc.freeze()
    log.info("started", bot=application.bot.username, schema=await deps.db.schema_version())


async def _post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    deps = get_deps(application.bot_data)
    if deps.nudge_bot is not None:
        await deps.nudge_bot.shutdown()
    if deps.storage is not None:
        await deps.storage.close()
        deps.storage = None
    log.info("stopped")


def run(settings: Settings) -> None:
    """Run the bot until SIGINT or SIGTERM: long polling, or a webhook when MODE=webhook."""
    application = build_application(settings)
    if settings.mode == "webhook":
        assert settings.webhook_url is not None and settings.webhook_secret is not None
        path = urlsplit(settings.webhook_url).path.strip("/")
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=path,
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret.get_secret_value(),
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
        )
        return
    asyncio.run(_poll_until_signalled(application))


async def _poll_until_signalled(application: Application) -> None:  # type: ignore[type-arg]
    """Poll until SIGINT or SIGTERM; then let updates in flight finish and close the database."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await start_polling(application)
    try:
        await stop.wait()
        log.info("stopping")
    finally:
        await stop_polling(application)


async def start_polling(application: Application) -> None:  # type: ignore[type-arg]
    """Start the Application and our poller inside a running event loop.

    The terminal chat and the tests run the bot beside an emulator in one loop, and ``run`` uses
    the same two functions. Replies and updates a previous run left behind are finished first.
    """
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    await application.start()
    poller = get_deps(application.bot_data).poller
    if poller is not None:
        await poller.start()
    elif application.updater is not None:
        await application.updater.start_polling(
            poll_interval=0.0, timeout=10, allowed_updates=ALLOWED_UPDATES
        )


async def stop_polling(application: Application) -> None:  # type: ignore[type-arg]
    """Stop what :func:`start_polling` started: updates in flight finish, the database closes."""
    poller = get_deps(application.bot_data).poller
    if poller is not None:
        await poller.stop()
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()
    if application.post_shutdown:
        await application.post_shutdown(application)
