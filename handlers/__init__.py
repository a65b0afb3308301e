"""Thin python-telegram-bot handlers: translate an update into an engine input and run the turn.

Part of the wiring (see ``bot/__init__.py``): may import any package of ``bot`` but ``bot.app``.
"""
