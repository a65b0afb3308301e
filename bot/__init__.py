"""Breathing Room: a warm Telegram coach for people whose partner is pulling away.

The packages, from the core outwards. Each may import only the ones above it in this list
(``tests/test_layout.py`` holds the code to it, and finds no import circles):

- ``bot.content``: load, validate and render every text (TOML under ``content/``).
- ``bot.understanding``: read free text: the safety screen and the router. Pure.
- ``bot.engine``: the conversation: ``(state, input, now) -> (new state, replies, effects)``. Pure.
- ``bot.storage``: every SQL statement and the schema's migrations.
- ``bot.shell``: talking to Telegram: HTTP, the poller, the outbox, per-chat locks, the flood
  gate, logs.
- ``bot.scheduled``: sends nobody asked for at that moment: the daily nudges' sweep.
- the wiring: ``bot.settings``, ``bot.deps``, ``bot.app`` (the one place that builds the
  Application), ``bot.chat`` and ``bot.__main__`` (the command line), and ``handlers/``.

``bot.emulator`` stands apart: a Bot API emulator for ``chat`` and the tests, which may import
``bot.content`` only (for Telegram's HTML rules).
"""
