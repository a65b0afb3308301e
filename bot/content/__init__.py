"""Content: every text, button, principle, nudge and helpline, as data under ``content/``.

Owns loading the TOML and TSV files, validating them with pydantic (a broken file stops start-up
with its name and field), pronoun rendering (he / she / they) and Telegram's HTML rules.
Imports nothing else of ``bot``: everything else builds on it.
"""
