"""Queue a task without letting a broker outage fail the request that asked for it.

A write that queues work commits first (the work is queued from `transaction.on_commit`); if the broker
(Redis) is down then, the family's request must still answer. `publish()` returns False instead of
raising, and logs it. What was not published is not lost: the caller keeps it somewhere the broker's
return reaches it again — the notifications' outbox (notifiche.consegna, swept every minute), the pending
positions' poll (pagamenti.tasks.posizioni_poll_all, every ten minutes), the export row the office retries.

After a failure, publishing is skipped for `RETRY_AFTER_SECONDS` (no connect attempt per request, which
kombu's retry policy would stretch to a second or more), then tried again.
"""

from __future__ import annotations

import logging
import time

from django.db import transaction

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0

_down_until = 0.0


def broker_down() -> bool:
    """Whether a recent publish failed (the breaker is open)."""
    return time.monotonic() < _down_until


def publish(task, *args, **kwargs) -> bool:
    """`task.delay(*args, **kwargs)`; False (logged) if the broker cannot take it now. kombu's publish retry
    is short (CELERY_TASK_PUBLISH_RETRY_POLICY): a broker that does not answer is left to the sweepers."""
    global _down_until
    if broker_down():
        logger.warning("broker down: %s not queued now", task.name)
        return False
    try:
        task.delay(*args, **kwargs)
    except Exception as error:  # kombu.OperationalError, redis ConnectionError, OSError...
        if getattr(task.app.conf, "task_always_eager", False):
            raise  # eager (tests, development): the task itself failed, not the broker
        _down_until = time.monotonic() + RETRY_AFTER_SECONDS
        logger.warning("broker down: %s not queued (%s)", task.name, error)
        return False
    _down_until = 0.0
    return True


def publish_on_commit(task, *args, **kwargs) -> None:
    """publish() once the current transaction commits."""
    transaction.on_commit(lambda: publish(task, *args, **kwargs))
