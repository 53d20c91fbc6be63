"""Database work that runs while the importer goes on in Python (issue 14).

An import spends its first half in Python (checking, matching and merging the rows),
with PostgreSQL idle, and its second half waiting for PostgreSQL to write (indexes,
triggers, history rows), with Python idle. ``Meanwhile`` lets PostgreSQL start on what
is already settled (the municipalities, once every row is matched) while Python merges
the partnerships: a thread runs the writes on the import's own connection, in its
transaction, so that the import stays all or nothing.

The thread sees what the importer's thread sees: the same database connection (Django's
connections are per thread; this one is shared, and the caller does not use it until
``join``), the same context variables (the history's change reason and editor) and the
same active language. Whatever the thread raises is raised again by ``join``, in the caller's
thread, as if the work had run there.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import translation


class Meanwhile:
    """Run ``work()`` in a thread on this thread's connection to the database."""

    def __init__(self, work: Callable[[], Any], using: str = DEFAULT_DB_ALIAS) -> None:
        self.connection = connections[using]
        self.using = using
        self.result: Any = None
        self._error: BaseException | None = None
        self._context = contextvars.copy_context()
        self._language = translation.get_language()
        self._thread = threading.Thread(
            target=self._run, args=(work,), name="import-meanwhile", daemon=True
        )
        self.connection.inc_thread_sharing()
        try:
            self._thread.start()
        except BaseException:
            self.connection.dec_thread_sharing()
            raise

    def _run(self, work: Callable[[], Any]) -> None:
        # In this thread, Django's ``connection`` is the caller's: the same transaction.
        connections[self.using] = self.connection
        try:
            with translation.override(self._language):
                self.result = self._context.run(work)
        except BaseException as error:  # raised again in the caller's thread by join()
            self._error = error

    def join(self) -> Any:
        """Wait for the work; its result, or its exception raised here."""
        self._thread.join()
        self.connection.dec_thread_sharing()
        error, self._error = self._error, None
        if error is not None:
            raise error
        return self.result
