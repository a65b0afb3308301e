"""Scheduled sends: messages the bot starts itself, at a person's chosen local time.

Today the daily nudges (``nudges``): a periodic sweep asks storage who is due, claims the day,
renders and sends through its own rate limiter. May import everything below the wiring.
"""
