"""The imperative shell around the core: everything that talks to Telegram or the outside.

Owns the HTTP client (``http``), our own long polling (``poller``), the update processor that
keeps each chat in order (``updates``, ``locks``), sending committed replies (``outbox``), the
flood gate (``flood``), logging (``logs``), and an Application that keeps no ids for a
persistence it has not got (``ptb_memory``). May import ``bot.content``, ``bot.understanding``,
``bot.engine`` and ``bot.storage``; never the wiring.
"""
