"""The baseline for bench/updates.py: a bare python-telegram-bot echo bot, as in PTB's examples.

BOT_TOKEN=... BOT_API_BASE_URL=http://127.0.0.1:PORT python bench/echo_bot.py
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the message back."""
    if update.message is not None and update.message.text is not None:
        await update.message.reply_text(update.message.text)


def main() -> None:
    base = os.environ["BOT_API_BASE_URL"].rstrip("/")
    application = (
        Application.builder()
        .token(os.environ["BOT_TOKEN"])
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    application.run_polling(allowed_updates=Update.ALL_TYPES, poll_interval=0.0)


if __name__ == "__main__":
    main()
