"""After commit, the messages of one transaction go to the Celery workers together.

A transaction that stores one message (a family's absence, a top-up) queues one broker message, whose
worker run sends the e-mail, the pushes and App IO (`notifica_consegna_run`): the 09:00 rush pays one
publish per absence. A transaction that stores many (a nightly job, a bulk decision) is batched.

Each message keeps Django's on_commit rule (a message whose savepoint rolled back, or whose transaction
rolled back, is never delivered): its own commit hook marks it ready. One more hook, kept after every
message of the transaction and outside its savepoints, hands the ready ones to the tasks in batches:
a nightly job warning 2,000 families queues a handful of push and App IO tasks, not 4,000, and each
task works on its batch set-based (notifiche.push_invio, notifiche.io.invio.io_sort). The e-mails stay
one task each (one SMTP message each, claimed once).

The transactional outbox: every message is INSERTed with its delivery (`Notifica.da_consegnare`), in the
transaction that writes it, and cleared once the broker took its task. If the broker (Redis) is down at
commit, the family's request still answers (omnibus.publish never raises) and the row keeps its delivery;
`consegne_in_sospeso_publish`, every minute from beat, hands such rows to the workers once the broker is
back. A message is never lost, and never sent twice: a row published twice (a crash between publishing
and clearing) meets channels that each send once (the e-mail claimed by `email_inviata_il`, push by
InvioPush's unique key, App IO by MessaggioIO's one-to-one).
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from comuni.models import Comune
from omnibus.publish import publish

from .models import Notifica

logger = logging.getLogger(__name__)

BATCH = 500  # notifications per push / App IO task


@dataclass(frozen=True)
class Consegna:
    notifica_id: int
    comune_id: int
    email: bool = True
    ambito_io: str = "mensa"
    pagamento: dict | None = None

    def outbox(self) -> dict:
        """What the outbox column keeps to publish it again."""
        return {"email": self.email, "ambito_io": self.ambito_io, "pagamento": self.pagamento}

    @classmethod
    def from_outbox(cls, notifica_id: int, comune_id: int, payload: dict) -> Consegna:
        return cls(notifica_id, comune_id, email=bool(payload.get("email", True)),
                   ambito_io=payload.get("ambito_io") or "mensa", pagamento=payload.get("pagamento"))


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


def dispatch(consegne: list[Consegna]) -> int:
    """To the workers (with their retries): one message alone in one task for every channel; many, the
    e-mails one by one and push and App IO by batches per comune. The messages whose tasks the broker took
    leave the outbox; with the broker down the others stay there for the sweeper. Returns how many left it."""
    from .tasks import io_notifiche, notifica_consegna, notifica_email, push_notifiche

    by_comune: dict[int, list[Consegna]] = defaultdict(list)
    for consegna in consegne:
        by_comune[consegna.comune_id].append(consegna)
    published: list[int] = []
    for comune_id, items in by_comune.items():
        if len(items) == 1:
            c = items[0]
            if publish(notifica_consegna, comune_id, c.notifica_id, email=c.email, ambito_io=c.ambito_io,
                       pagamento=c.pagamento):
                published.append(c.notifica_id)
            continue
        # Several tasks per message: the message leaves the outbox when all of its tasks were taken.
        for start in range(0, len(items), BATCH):
            batch = items[start:start + BATCH]
            ok = all([publish(notifica_email, comune_id, c.notifica_id) for c in batch if c.email])
            ok = publish(push_notifiche, comune_id, [c.notifica_id for c in batch]) and ok
            ok = publish(io_notifiche, comune_id, [[c.notifica_id, c.ambito_io, c.pagamento] for c in batch]) and ok
            if ok:
                published += [c.notifica_id for c in batch]
    if published:
        with scopes_disabled():
            Notifica.objects.filter(pk__in=published).update(da_consegnare=None)
    return len(published)


SWEEP_AFTER = datetime.timedelta(minutes=1)
SWEEP_BATCH = 5000


def consegne_in_sospeso_publish(*, prima_di: datetime.datetime | None = None) -> int:
    """The outbox's sweeper: publish again the messages stored before `prima_di` (a minute ago) that are
    still waiting for the broker. Returns how many the broker took."""
    prima_di = prima_di or timezone.now() - SWEEP_AFTER
    taken = 0
    while True:
        with scopes_disabled():
            rows = list(Notifica.objects.filter(da_consegnare__isnull=False, creata_il__lte=prima_di)
                        .order_by("creata_il", "pk").values_list("pk", "comune_id", "da_consegnare")[:SWEEP_BATCH])
        if not rows:
            return taken
        done = dispatch([Consegna.from_outbox(pk, comune_id, payload) for pk, comune_id, payload in rows])
        taken += done
        if done < len(rows):  # the broker is still down: the next run tries again
            logger.warning("outbox: %s messages still waiting for the broker", len(rows) - done)
            return taken


def notifica_consegna_run(*, comune: Comune, notifica_id: int, email: bool = True, ambito_io: str = "mensa",
                          pagamento: dict | None = None) -> dict[str, object]:
    """Deliver one stored notification on every channel; returns each channel's outcome (for logs and tests)."""
    from .io.client import IOTransient
    from .io.invio import io_send
    from .push import preferenze_of
    from .push_invio import push_deliver, push_fanout
    from .services import notifica_email_send
    from .tasks import RETRY_COUNTDOWN, io_notifica, notifica_email, push_notifica

    notifica = Notifica.objects.select_related("user").filter(pk=notifica_id).first()
    if notifica is None:
        return {}
    notifica.comune = comune  # the task's comune: the same row
    preferenze = preferenze_of(comune=comune, user=notifica.user)
    esiti: dict[str, object] = {}

    def email_channel() -> object:
        try:
            return notifica_email_send(notifica_id=notifica.pk, notifica=notifica, preferenze=preferenze)
        except OSError:  # SMTP down or refusing: the e-mail task retries it
            notifica_email.apply_async((comune.pk, notifica.pk), countdown=RETRY_COUNTDOWN, retries=1)
            return "da ritentare"

    def push_channel() -> object:
        if not preferenze.push or not push_fanout(notifiche_ids=[notifica.pk], notifica=notifica):
            return 0  # no device (or push off): nothing to claim
        esito = push_deliver(notifiche_ids=[notifica.pk])
        if esito.da_ritentare:
            push_notifica.apply_async((comune.pk, notifica.pk), countdown=RETRY_COUNTDOWN, retries=1)
        return {k: v for k, v in esito.__dict__.items() if k != "notifiche_da_ritentare"}

    def io_channel() -> object:
        try:
            messaggio = io_send(notifica=notifica, ambito=ambito_io, pagamento=pagamento, preferenze=preferenze)
        except IOTransient:
            io_notifica.apply_async((comune.pk, notifica.pk, ambito_io, pagamento), countdown=RETRY_COUNTDOWN,
                                    retries=1)
            return "da ritentare"
        return messaggio.stato if messaggio else ""

    channels = [("push", push_channel), ("app_io", io_channel)]
    if email:
        channels.insert(0, ("email", email_channel))
    for name, channel in channels:
        # One channel's unexpected failure is logged and never keeps the others from going out.
        try:
            esiti[name] = channel()
        except Exception:
            logger.exception("Notifica %s: the %s channel failed", notifica.pk, name)
            esiti[name] = "errore"
    return esiti
