"""After commit, the messages of one transaction go to the Celery workers together.

Each message keeps Django's on_commit rule (a message whose savepoint rolled back, or whose transaction
rolled back, is never delivered): its own commit hook marks it ready. One more hook, kept after every
message of the transaction and outside its savepoints, hands the ready ones to the tasks in batches:
a nightly job warning 2,000 families queues a handful of push and App IO tasks, not 4,000, and each
task works on its batch set-based (notifiche.push_invio, notifiche.io.invio.io_sort). The e-mails stay
one task each (one SMTP message each, claimed once).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from django.db import DEFAULT_DB_ALIAS, transaction

BATCH = 500  # notifications per push / App IO task


@dataclass(frozen=True)
class Consegna:
    notifica_id: int
    comune_id: int
    email: bool = True
    ambito_io: str = "mensa"
    pagamento: dict | None = None


@dataclass(eq=False)
class _Lotto:
    """The messages of the current transaction whose own commit hook has run."""

    pronte: list[Consegna] = field(default_factory=list)
    flush: _Flush | None = None


class _Flush:
    def __init__(self, lotto: _Lotto):
        self.lotto, self.superseded = lotto, False

    def __call__(self) -> None:
        if self.superseded:  # a later message of the transaction registered the flush that runs after it
            return
        ready, self.lotto.pronte = self.lotto.pronte, []
        self.lotto.flush = None
        dispatch(ready)


_lotti: WeakKeyDictionary = WeakKeyDictionary()


def consegna_dopo_commit(consegna: Consegna, using: str = DEFAULT_DB_ALIAS) -> None:
    """Deliver the message once its transaction commits (at once outside a transaction)."""
    connection = transaction.get_connection(using)
    hooks = getattr(connection, "run_on_commit", None)
    if not connection.in_atomic_block or not isinstance(hooks, list):
        transaction.on_commit(lambda: dispatch([consegna]), using=using)
        return
    lotto = _lotti.get(connection)
    if lotto is None:
        lotto = _lotti[connection] = _Lotto()
    transaction.on_commit(lambda: lotto.pronte.append(consegna), using=using)
    # The flush goes after this message's hook; registered with no savepoint ids (Django's on_commit entry is
    # (savepoint ids, callable, robust)) so that rolling back a savepoint drops the messages inside it but not
    # the flush of the ones before. The previous flush of the transaction steps aside.
    if lotto.flush is not None:
        lotto.flush.superseded = True
    lotto.flush = _Flush(lotto)
    hooks.append((set(), lotto.flush, False))


def dispatch(consegne: list[Consegna]) -> None:
    """To the workers (with their retries): the e-mails one by one, push and App IO by batches per comune."""
    from .tasks import io_notifiche, notifica_email, push_notifiche

    by_comune: dict[int, list[Consegna]] = defaultdict(list)
    for consegna in consegne:
        by_comune[consegna.comune_id].append(consegna)
    for comune_id, items in by_comune.items():
        for consegna in items:
            if consegna.email:
                notifica_email.delay(comune_id, consegna.notifica_id)
        for start in range(0, len(items), BATCH):
            batch = items[start:start + BATCH]
            push_notifiche.delay(comune_id, [c.notifica_id for c in batch])
            io_notifiche.delay(comune_id, [[c.notifica_id, c.ambito_io, c.pagamento] for c in batch])
