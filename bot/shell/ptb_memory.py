"""python-telegram-bot's Application, minus two sets that keep every chat and user id it ever saw.

Checked against python-telegram-bot 22.8 (the version in ``uv.lock``; upstream master of August
2026 reads the same). After each update, ``Application.process_update`` (and, for a job with a
chat or user, ``Job.run``) calls ``Application._mark_for_persistence_update``, which adds the
update's chat id and user id to ``_chat_ids_to_be_updated_in_persistence`` and
``_user_ids_to_be_updated_in_persistence``. Only ``update_persistence()`` empties them, and it runs
only when a persistence is configured (and then only for the kinds of data it stores). Breathing
Room keeps its state in its own database and configures no persistence, so the two sets held one
entry per person ever seen: about 100 bytes each, for as long as the process ran.

PTB offers no setting for this: ``ApplicationBuilder().persistence(...)`` is the only switch, and a
persistence that stores nothing does not help (``update_persistence`` empties a set only for the
kind of data the persistence stores). The least intrusive fix is the documented way to customise
the Application: a subclass passed with ``ApplicationBuilder().application_class(...)``, whose one
override skips the marking when there is no persistence (nothing would ever read it) and otherwise
behaves exactly as PTB's. It overrides a private method, so ``tests/test_bounded.py`` checks that
the method still exists and that the sets stay empty; after a PTB upgrade that test says whether
this is still needed.

PTB's ``chat_data`` and ``user_data`` are ``defaultdict``s filled only when a handler reads
``context.chat_data`` or ``context.user_data`` (or a persistence refreshes them); this bot never
does, and the same test checks that they stay empty.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, Job


class LeanApplication(Application):  # type: ignore[type-arg]
    """An Application that marks nothing for a persistence when it has none."""

    __slots__ = ()

    def _mark_for_persistence_update(
        self, *, update: object | None = None, job: Job[Any] | None = None
    ) -> None:
        if self.persistence is None:
            return
        super()._mark_for_persistence_update(update=update, job=job)
