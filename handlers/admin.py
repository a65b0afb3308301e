"""/stats for the operators listed in ADMIN_IDS; to anyone else it is an unknown command."""

from __future__ import annotations

import html

import structlog
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.content.loader import PRINCIPLES, Texts
from bot.deps import get_deps
from bot.engine import Command
from bot.storage.ops import Stats
from handlers.conversation import run_turn

log = structlog.get_logger(__name__)


def render_stats(stats: Stats, texts: Texts) -> str:
    """Counts only: nothing in here is about any one person."""
    lines = [
        texts.stats_title,
        f"{texts.stats_people}: {stats.people}",
        f"{texts.stats_active_week}: {stats.active_week}",
        f"{texts.stats_nudges_on}: {stats.nudges_on}",
        "",
        f"{texts.stats_advice}: {stats.advice_total}",
    ]
    for principle in PRINCIPLES:
        lines.append(f"  {html.escape(principle)}: {stats.advice_by_principle.get(principle, 0)}")
    rate = stats.with_feedback / stats.advice_total if stats.advice_total else 0.0
    helpful = stats.helpful / stats.with_feedback if stats.with_feedback else 0.0
    lines += ["", texts.stats_feedback % {"rate": f"{rate:.0%}", "helpful": f"{helpful:.0%}"}]
    return "\n".join(lines)


async def on_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Figures for admins; everyone else gets exactly the answer to an unknown command."""
    deps = get_deps(context.bot_data)
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or user.id not in deps.admin_ids:
        await run_turn(update, context, Command("stats"))
        return
    log.info("stats_shown", user=deps.hasher(user.id))
    stats = await deps.db.stats(deps.clock())
    text = render_stats(stats, deps.content.texts)
    await context.bot.send_message(chat.id, text, parse_mode=ParseMode.HTML)
