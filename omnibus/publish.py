"""Queue a task without letting a broker outage fail the request that asked for it.

A write that queues work commits first (the work is queued from `transaction.on_commit`); if the broker
(Redis) is down then, the family's request must still answer. `publish()` returns False instead of
raising, and logs it. What was not published is not lost: the caller keeps it somewhere the broker's
return reaches it again — the notifications' outbox (notifiche.consegna), the reminder jobs still queued
(ufficio.invio), the pending positions' poll (pagamenti.tasks.posizioni_poll_all, every ten minutes), the
export row the office retries.

The rows kept for the broker are swept by one beat entry every minute (notifiche.tasks.consegne_in_sospeso):
each app registers its sweeper here (`sweeper_register`, from its AppConfig.ready()) and `sweepers_run` runs
them all, each republishing its rows with `publish()` and stopping at the first the broker still refuses.

After a failure, publishing is skipped for `RETRY_AFTER_SECONDS` (no connect attempt per request, which
kombu's retry policy would stretch to a second or more), then tried again.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

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


# How long a row waits for its own commit hook's publish before a sweeper publishes it again.
SWEEP_AFTER = datetime.timedelta(minutes=1)

# name -> sweep(prima_di=...) -> how many rows the broker took.
_sweepers: dict[str, Callable[..., int]] = {}


def sweeper_register(name: str, sweep: Callable[..., int]) -> None:
    """Have `sweep(prima_di=...)` run by beat every minute: it publishes again the rows stored before
    `prima_di` whose task the broker did not take."""
    _sweepers[name] = sweep


def sweepers_run(*, prima_di: datetime.datetime | None = None) -> dict[str, int]:
    """Every registered sweeper, each on its own (one failing does not keep the others from running)."""
    prima_di = prima_di or timezone.now() - SWEEP_AFTER
    taken = {}
    for name, sweep in _sweepers.items():
        try:
            taken[name] = sweep(prima_di=prima_di)
        except Exception:
            logger.exception("sweeper %s failed", name)
            taken[name] = 0
    return taken
