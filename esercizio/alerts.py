"""Jobs that did not complete by their deadline: an incident, the platform admins e-mailed once, and a red
banner on the comune's cruscotto until the job completes.

Deadlines (Europe/Rome), each read from what the job itself leaves behind, so that a beat entry that stopped
silently counts as not completed (a dead man's switch: nothing arrives, the deadline passes):

- nightly meal debit (beat 22:30): by 23:30 every active comune has its `mensa.AddebitoEseguito` of the day;
- monthly transport debit (beat 06:00): by 07:00 on a comune's debit day its `trasporto.AddebitoMensilita`
  of the month exists;
- receipts poll (beat every 10 minutes): completed (esercizio.Esecuzione, from Celery's task_success) within
  the last 30 minutes, for the platform and for each comune with positions waiting for payment.

`lavori_check` runs from beat every 5 minutes (esercizio.tasks) and opens, e-mails and closes incidents;
the cruscotto's banner (`lavori_mancati`) evaluates the same rules for its comune when the page opens, so
it shows even with beat itself stopped.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from comuni.models import Comune, User

from .models import Esecuzione, Incidente, Lavoro

logger = logging.getLogger(__name__)
ROME = ZoneInfo("Europe/Rome")

DEBIT_DEADLINE = datetime.time(23, 30)
TRANSPORT_DEADLINE = datetime.time(7, 0)
POLL_MAX_AGE = datetime.timedelta(minutes=30)


@dataclass(frozen=True)
class Mancato:
    lavoro: str
    comune_id: int | None
    scadenza: datetime.datetime

    @property
    def descrizione(self) -> str:
        return str(Lavoro(self.lavoro).label)


def job_completed(*, lavoro: str, comune_id: int | None, now: datetime.datetime) -> None:
    """Record a completion (Celery's task_success); the open incidents of that job and comune close."""
    Esecuzione.objects.update_or_create(lavoro=lavoro, comune_id=comune_id, defaults={"completato_il": now})
    Incidente.objects.filter(lavoro=lavoro, comune_id=comune_id, chiuso_il__isnull=True).update(chiuso_il=now)


def _at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, time, tzinfo=ROME)


def lavori_mancati(*, now: datetime.datetime, comune: Comune | None = None) -> list[Mancato]:
    """The jobs past their deadline and not completed, for every comune (and the platform) or for one."""
    from mensa.models import AddebitoEseguito
    from pagamenti.models import Posizione, StatoPosizione
    from trasporto.models import AddebitoMensilita
    from trasporto.services import mensilita_due_today

    local = timezone.localtime(now, ROME)
    comuni = [comune] if comune is not None else list(Comune.objects.filter(attivo=True).order_by("pk"))
    ids = [c.pk for c in comuni]
    mancati: list[Mancato] = []
    with scopes_disabled():
        # The last night whose deadline passed.
        night = local.date() if local.time() >= DEBIT_DEADLINE else local.date() - datetime.timedelta(days=1)
        debited = set(AddebitoEseguito.objects.filter(giorno=night, comune_id__in=ids)
                      .values_list("comune_id", flat=True))
        for c in comuni:
            if c.attivo and c.pk not in debited:
                mancati.append(Mancato(Lavoro.ADDEBITO_PASTI, c.pk, _at(night, DEBIT_DEADLINE)))
        if local.time() >= TRANSPORT_DEADLINE:
            from django_scopes import scope

            for c in comuni:
                if not c.attivo or c.data_attivazione_trasporto is None:
                    continue
                with scope(comune=c):
                    mese = mensilita_due_today(comune=c, today=local.date())
                if mese and not AddebitoMensilita.objects.filter(comune=c, mese=mese).exists():
                    mancati.append(Mancato(Lavoro.MENSILITA_TRASPORTO, c.pk, _at(local.date(), TRANSPORT_DEADLINE)))
        polls = {row.comune_id: row.completato_il
                 for row in Esecuzione.objects.filter(lavoro=Lavoro.VERIFICA_RICEVUTE)}
        # Never completed at all (a new installation): nothing to compare with yet.
        if comune is None and (last := polls.get(None)) is not None and now - last > POLL_MAX_AGE:
            mancati.append(Mancato(Lavoro.VERIFICA_RICEVUTE, None, last + POLL_MAX_AGE))
        waiting = set(Posizione.objects.filter(stato=StatoPosizione.IN_ATTESA, comune_id__in=ids,
                                               pubblicata_il__isnull=False)
                      .values_list("comune_id", flat=True).distinct())
        for comune_id in sorted(waiting):
            last = polls.get(comune_id) or polls.get(None)
            if last is not None and now - last > POLL_MAX_AGE:
                mancati.append(Mancato(Lavoro.VERIFICA_RICEVUTE, comune_id, last + POLL_MAX_AGE))
    return mancati


def _admins() -> list[str]:
    return list(User.objects.filter(is_superuser=True, is_active=True).exclude(email="")
                .values_list("email", flat=True))


def lavori_check(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Open an incident for each job past its deadline (e-mailing the platform admins once), close those
    whose job completed since. Returns how many were opened and closed."""
    now = now or timezone.now()
    mancati = lavori_mancati(now=now)
    opened = 0
    for m in mancati:
        # An incident stays open for its deadline: the same missed deadline is never e-mailed twice.
        if Incidente.objects.filter(lavoro=m.lavoro, comune_id=m.comune_id, chiuso_il__isnull=True).exists():
            continue
        try:
            with transaction.atomic():
                incidente = Incidente.objects.create(lavoro=m.lavoro, comune_id=m.comune_id, scadenza=m.scadenza,
                                                     aperto_il=now)
        except IntegrityError:
            continue  # already opened (and e-mailed) for this deadline
        opened += 1
        admins = _admins()
        comune = Comune.objects.filter(pk=m.comune_id).first() if m.comune_id else None
        oggetto = _("[Omnibus] Lavoro non completato: %(lavoro)s – %(dove)s") % {
            "lavoro": m.descrizione, "dove": comune or _("piattaforma")}
        testo = _("%(lavoro)s non risulta completato entro le %(scadenza)s (%(dove)s).\n"
                  "Controllare il worker Celery e beat (coda «notturna»), poi i log del lavoro.\n"
                  "Il cruscotto del comune mostra l'avviso finché il lavoro non è completato.") % {
            "lavoro": m.descrizione, "scadenza": timezone.localtime(m.scadenza, ROME).strftime("%d/%m/%Y %H:%M"),
            "dove": comune or _("piattaforma")}
        if admins:
            send_mail(oggetto, testo, settings.DEFAULT_FROM_EMAIL, admins)
            Incidente.objects.filter(pk=incidente.pk).update(avvisati=len(admins))
        logger.error("incident: %s", oggetto)
    missing = {(m.lavoro, m.comune_id) for m in mancati}
    closed = 0
    for incidente in Incidente.objects.filter(chiuso_il__isnull=True):
        if (incidente.lavoro, incidente.comune_id) not in missing:
            closed += Incidente.objects.filter(pk=incidente.pk).update(chiuso_il=now)
    return {"aperti": opened, "chiusi": closed}
