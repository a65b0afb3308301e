"""The imperative shell around the core: everything that talks to Telegram or the outside.

Owns the HTTP client (``http``), our own long polling (``poller``), the update processor that
keeps each chat in order (``updates``, ``locks``), sending committed replies (``outbox``), the
flood gate (``flood``) and logging (``logs``). May import ``bot.content``, ``bot.understanding``,
``bot.engine`` and ``bot.storage``; never the wiring.
"""
