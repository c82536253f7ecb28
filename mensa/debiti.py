"""The debt rules of the canteen: suspension at N meals in debit, warnings at 2 meals and at low credit."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comuni.models import Comune, User
from consumatori.models import Consumatore
from omnibus.formats import importo_it
from pagamenti.models import Movimento, Servizio, TipoMovimento

from .cutoff import ROME, cutoff_passed
from .cutoff import data_it as _it
from .models import IscrizioneMensa, Sospensione
from .prezzi import prezzi_del_giorno

MOTIVO_REVOCA_ERROR = _("Per revocare una sospensione serve il motivo.")


@transaction.atomic
def sospensione_revoke(*, sospensione: Sospensione, revocata_da: User, motivo: str,
                       now: datetime.datetime | None = None) -> Sospensione:
    """Staff lift a suspension by hand, with a reason; it is not re-imposed in the same debt episode."""
    if not motivo.strip():
        raise ValidationError({"motivo_revoca": MOTIVO_REVOCA_ERROR})
    now = now or timezone.now()
    _close_suspension(sospensione, now, revocata_da, motivo)
    return sospensione


def sospensione_lift_if_restored(*, consumatore: Consumatore, now: datetime.datetime | None = None) -> bool:
    """Lift the consumer's open suspension as soon as a top-up brings the canteen balance back to zero or
    credit (before the cut-off today is booked again); True if one was lifted."""
    from pagamenti.selectors import saldo

    sospensione = (
        Sospensione.objects.filter(consumatore=consumatore, al__isnull=True).select_related("comune").first()
    )
    if sospensione is None or saldo(consumatore=consumatore, servizio=Servizio.MENSA) < 0:
        return False
    _close_suspension(sospensione, now or timezone.now(), None, "Saldo ripristinato con una ricarica")
    return True


def _close_suspension(sospensione: Sospensione, now: datetime.datetime, user: User | None, motivo: str,
                      last: datetime.date | None = None) -> None:
    if last is None:
        today = timezone.localtime(now, ROME).date()
        # Lifted before today's cut-off: today is booked again; after it, today stays as it was.
        passed = cutoff_passed(comune=sospensione.comune, giorno=today, now=now)
        last = today if passed else today - datetime.timedelta(1)
    sospensione.al = max(last, sospensione.dal - datetime.timedelta(1))
    sospensione.revocata_il = now
    sospensione.revocata_da = user
    sospensione.motivo_revoca = motivo
    sospensione.save(update_fields=["al", "revocata_il", "revocata_da", "motivo_revoca"])


SOSPENSIONE_TITOLO = "Servizio mensa sospeso per {nome}"
AVVISO_DEBITO_TITOLO = "{nome}: {pasti} pasti a debito"
AVVISO_CREDITO_TITOLO = "{nome}: credito mensa in esaurimento"
COME_RICARICARE = (
    "Per ricaricare: area CITTADINO → RICARICA (pagoPA), oppure in un PuntoLIS mostrando il codice QR "
    "del consumatore (Pagamenti → PuntoLIS → Dettaglio). Codice pagamento: {codice}."
)


def _episodio(consumatore_id: int, ultimo_credito: int | None) -> str:
    return f"{consumatore_id}:{ultimo_credito or 0}"


def debt_rules_apply(
    *,
    comune: Comune,
    giorno: datetime.date,
    now: datetime.datetime | None = None,
    prezzi_tariffe: dict[int, Decimal] | None = None,
) -> dict:
    """After the debit of `giorno`: suspend at N meals in debit, warn once at 2 meals and at low credit,
    lift suspensions whose balance is restored (>= 0). Thresholds are the comune's settings."""
    from consumatori.models import Tutore
    from notifiche.services import notifica_send

    now = now or timezone.now()
    iscritti = IscrizioneMensa.objects.filter(comune=comune, data_inizio__lte=giorno).filter(
        Q(data_fine__isnull=True) | Q(data_fine__gte=giorno)
    )
    aperte = list(Sospensione.objects.filter(comune=comune, al__isnull=True).select_related("comune"))
    # Balances only went down for the consumers debited that day; suspended ones may have been topped up.
    debitati = Movimento.objects.filter(
        comune=comune, servizio=Servizio.MENSA, tipo=TipoMovimento.PASTO, data_valuta=giorno
    ).values("consumatore_id")
    # One aggregate over those accounts; only the ones under the low-credit line come back.
    conti = {
        row["consumatore_id"]: row
        for row in Movimento.objects.filter(comune=comune, servizio=Servizio.MENSA)
        .filter(Q(consumatore_id__in=debitati) | Q(consumatore_id__in=[s.consumatore_id for s in aperte]))
        .values("consumatore_id")
        .annotate(saldo=Sum("importo"), ultimo_credito=Max("id", filter=Q(importo__gt=0)))
        .filter(saldo__lt=comune.soglia_credito_in_esaurimento)
        .order_by()
    }
    result = {"sospesi": 0, "avvisi_debito": 0, "avvisi_credito": 0, "riattivati": 0}
    # Lift open suspensions whose account is back to zero or credit.
    open_ids_closed: set[int] = set()
    for sospensione in aperte:
        conto = conti.get(sospensione.consumatore_id)
        if conto is None or conto["saldo"] >= 0:
            # Restored tonight: the next day is booked again.
            _close_suspension(sospensione, now, None, "Saldo ripristinato", last=giorno)
            result["riattivati"] += 1
            open_ids_closed.add(sospensione.consumatore_id)
    if not conti:
        return result
    if prezzi_tariffe is None:
        prezzi_tariffe = prezzi_del_giorno(comune=comune, giorno=giorno)
    prezzi: dict[int, Decimal | None] = {}
    consumatori: dict[int, Consumatore] = {}
    for iscrizione in iscritti.filter(consumatore_id__in=list(conti)).select_related("consumatore"):
        prezzi[iscrizione.consumatore_id] = prezzi_tariffe.get(iscrizione.tariffa_id)
        consumatori[iscrizione.consumatore_id] = iscrizione.consumatore
    utenti: dict[int, list[User]] = {}
    for tutore in Tutore.objects.filter(consumatore_id__in=list(conti), utente__isnull=False).select_related("utente"):
        utenti.setdefault(tutore.consumatore_id, []).append(tutore.utente)
    open_ids = {s.consumatore_id for s in aperte} - open_ids_closed
    for consumatore_id, conto in conti.items():
        saldo = conto["saldo"].quantize(Decimal("0.01"))
        prezzo = prezzi.get(consumatore_id) or Decimal("0")
        consumatore = consumatori.get(consumatore_id)
        if consumatore is None:  # not enrolled that day any more
            continue
        episodio = _episodio(consumatore_id, conto["ultimo_credito"])
        nome = consumatore.nome_completo
        come = COME_RICARICARE.format(codice=consumatore.codice_pagamento)
        saldo_txt = importo_it(saldo)
        if prezzo > 0 and saldo <= -comune.soglia_sospensione_pasti * prezzo:
            if consumatore_id in open_ids:
                continue
            try:
                # Once per debt episode (unique): lifted by staff, it is not re-imposed until a new debt.
                with transaction.atomic():
                    Sospensione.objects.create(
                        comune=comune, consumatore=consumatore, dal=giorno + datetime.timedelta(1), saldo=saldo,
                        episodio=episodio,
                    )
            except IntegrityError:
                continue
            result["sospesi"] += 1
            kind = None
            titolo = SOSPENSIONE_TITOLO.format(nome=nome)
            testo = (f"Il saldo mensa di {nome} è {saldo_txt} €, pari ad almeno {comune.soglia_sospensione_pasti} "
                     f"pasti a debito: dal {_it(giorno + datetime.timedelta(1))} il servizio mensa è sospeso "
                     f"fino al ripristino del saldo.\n{come}")
            chiave = f"mensa:sospensione:{episodio}"
        elif prezzo > 0 and saldo <= -comune.soglia_avviso_pasti_debito * prezzo:
            pasti = int(-saldo // prezzo)
            titolo = AVVISO_DEBITO_TITOLO.format(nome=nome, pasti=pasti)
            testo = (f"Il saldo mensa di {nome} è {saldo_txt} € ({pasti} pasti a debito). Al raggiungimento di "
                     f"{comune.soglia_sospensione_pasti} pasti a debito il servizio sarà sospeso.\n{come}")
            chiave = f"mensa:debito:{episodio}"
            kind = "avvisi_debito"
        else:
            titolo = AVVISO_CREDITO_TITOLO.format(nome=nome)
            testo = f"Il saldo mensa di {nome} è {saldo_txt} €: il credito sta per esaurirsi.\n{come}"
            chiave = f"mensa:credito:{episodio}"
            kind = "avvisi_credito"
        sent = [
            notifica_send(comune=comune, user=user, consumatore=consumatore, titolo=titolo, testo=testo, chiave=chiave)
            for user in utenti.get(consumatore_id, [])
        ]
        if kind and any(sent):
            result[kind] += 1
    return result
