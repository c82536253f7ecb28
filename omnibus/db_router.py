"""An optional read replica (DATABASE_REPLICA_URL) for the reads that can be a little behind.

Reads go to the replica only inside `da_replica()` (or a view decorated `@legge_da_replica`): the office's
lists (debtors, register), its reports and exports. Everything else reads the primary: money paths
(payments, receipts, the nightly debit, balances a family sees), every family page, and whatever a request
reads after it wrote (a read inside a transaction on the primary stays there). Writes always go to the
primary; migrations run on the primary only. Without DATABASE_REPLICA_URL everything is the primary.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction

REPLICA = "replica"
_replica_ok: contextvars.ContextVar[bool] = contextvars.ContextVar("omnibus_replica_ok", default=False)


@contextlib.contextmanager
def da_replica():
    """Reads inside may go to the replica (if there is one)."""
    token = _replica_ok.set(True)
    try:
        yield
    finally:
        _replica_ok.reset(token)


def legge_da_replica(view):
    """A view whose reads may come from the replica: put it under the access decorator (checked on the primary)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        with da_replica():
            return view(*args, **kwargs)

    return wrapper


def _writing(connection) -> bool:
    """Inside a transaction the code opened (not the test case's own wrapping one, marked by Django)."""
    return connection.in_atomic_block and any(
        not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _replica_ok.get() or not settings.USE_READ_REPLICA or REPLICA not in settings.DATABASES:
            return DEFAULT_DB_ALIAS
        if _writing(transaction.get_connection(DEFAULT_DB_ALIAS)):
            return DEFAULT_DB_ALIAS  # a write in progress reads its own rows
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
