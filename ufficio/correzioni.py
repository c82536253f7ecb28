"""Attendance fixed after the fact by the office (a family phoned) or an operator (last school days).

The operator's record (`Presenza`) is set, the day's debit re-runs (mensa.addebito.meal_debit_run with
force: idempotent), then this consumer's meal of that day is reconciled: a meal debited by mistake is
reversed by a STORNO movement with its own key, a meal missing after a reversal is debited again;
ledger rows are never deleted. Every change is in `CorrezionePasto`, the audit trail.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comuni.models import User
from consumatori.models import Consumatore
from mensa.addebito import meal_debit_run, presenti_queryset
from mensa.assenze import presenza_set
from mensa.calendario import calendari_load, giorno_di_servizio
from mensa.models import AddebitoEseguito
from pagamenti.models import Movimento, Servizio, TipoMovimento
from pagamenti.services import movimento_register

from .models import CorrezionePasto

MOTIVO_ERROR = _("Indica il motivo della correzione.")
GIORNO_NON_SERVIZIO_ERROR = _("In quel giorno la classe non ha il servizio mensa.")
GIORNO_FUORI_MESE_ERROR = _("Si possono correggere solo i giorni del mese in corso.")
GIORNO_OPERATORE_ERROR = _("L'operatore può correggere solo gli ultimi %(n)s giorni di servizio.")
GIORNI_OPERATORE = 5


def giorno_servizio(*, consumatore: Consumatore, giorno: datetime.date) -> bool:
    classe = consumatore.classe
    if classe is None:
        return False
    calendari = calendari_load(comune=consumatore.comune, dal=giorno, al=giorno, scuola_id=classe.scuola_id)
    cal = calendari.calendario_scuola(scuola_id=classe.scuola_id, anno_scolastico_id=classe.anno_scolastico_id)
    return giorno_di_servizio(giorno, cal, calendari.chiusure, classe.pk)


def ultimi_giorni_servizio(*, consumatore: Consumatore, oggi: datetime.date, n: int = GIORNI_OPERATORE
                           ) -> list[datetime.date]:
    """The consumer's last `n` service days up to today (operators may fix only these)."""
    classe = consumatore.classe
    if classe is None:
        return []
    dal = oggi - datetime.timedelta(days=n * 3 + 14)
    calendari = calendari_load(comune=consumatore.comune, dal=dal, al=oggi, scuola_id=classe.scuola_id)
    cal = calendari.calendario_scuola(scuola_id=classe.scuola_id, anno_scolastico_id=classe.anno_scolastico_id)
    giorni = []
    giorno = oggi
    while giorno >= dal and len(giorni) < n:
        if giorno_di_servizio(giorno, cal, calendari.chiusure, classe.pk):
            giorni.append(giorno)
        giorno -= datetime.timedelta(days=1)
    return giorni


def pasto_reconcile(*, consumatore: Consumatore, giorno: datetime.date, motivo: str,
                    creato_da: User | None) -> Movimento | None:
    """Make the ledger say what the attendance says for one consumer and day; None if it already does."""
    d = giorno.isoformat()
    movimenti = Movimento.objects.filter(consumatore=consumatore, servizio=Servizio.MENSA).filter(
        Q(chiave=f"pasto:{d}") | Q(chiave__startswith=f"pasto:{d}:") | Q(chiave__startswith=f"storno:pasto:{d}")
    )
    agg = movimenti.aggregate(netto=Sum("importo"), prezzo=Sum("importo", filter=Q(chiave=f"pasto:{d}")))
    netto, prezzo = agg["netto"] or Decimal("0"), -(agg["prezzo"] or Decimal("0"))
    mangia = presenti_queryset(comune=consumatore.comune, giorno=giorno).filter(consumatore=consumatore).exists()
    n = movimenti.count()
    if not mangia and netto < 0:
        movimento, _created = movimento_register(
            consumatore=consumatore, servizio=Servizio.MENSA, tipo=TipoMovimento.STORNO, importo=-netto,
            data_valuta=giorno, chiave=f"storno:pasto:{d}:{n}", riferimento=d,
            descrizione=f"Storno del pasto del {giorno:%d/%m/%Y}", motivo=motivo, creato_da=creato_da,
        )
        return movimento
    if mangia and netto == 0 and prezzo > 0:
        movimento, _created = movimento_register(
            consumatore=consumatore, servizio=Servizio.MENSA, tipo=TipoMovimento.PASTO, importo=-prezzo,
            data_valuta=giorno, chiave=f"pasto:{d}:{n}", riferimento=d,
            descrizione=f"Pasto del {giorno:%d/%m/%Y} (correzione)", motivo=motivo, creato_da=creato_da,
        )
        return movimento
    return None


@transaction.atomic
def correzione_register(*, consumatore: Consumatore, giorno: datetime.date, presente: bool, motivo: str,
                        registrata_da: User, solo_ultimi_giorni: bool = False,
                        oggi: datetime.date | None = None) -> CorrezionePasto:
    """Record a presence or an absence for a past or current day, audited, and fix that day's debit."""
    oggi = oggi or timezone.localdate()
    if not motivo.strip():
        raise ValidationError({"motivo": MOTIVO_ERROR})
    if solo_ultimi_giorni:
        if giorno not in ultimi_giorni_servizio(consumatore=consumatore, oggi=oggi):
            raise ValidationError({"giorno": GIORNO_OPERATORE_ERROR % {"n": GIORNI_OPERATORE}})
    elif (giorno.year, giorno.month) != (oggi.year, oggi.month):
        raise ValidationError({"giorno": GIORNO_FUORI_MESE_ERROR})
    if not giorno_servizio(consumatore=consumatore, giorno=giorno):
        raise ValidationError({"giorno": GIORNO_NON_SERVIZIO_ERROR})
    presenza_set(consumatore=consumatore, giorno=giorno, presente=presente, registrata_da=registrata_da)
    movimento = None
    if AddebitoEseguito.objects.filter(comune=consumatore.comune, giorno=giorno).exists():
        # The day was already debited: run it again (idempotent) and reconcile this consumer's meal.
        meal_debit_run(comune=consumatore.comune, giorno=giorno, force=True)
        movimento = pasto_reconcile(consumatore=consumatore, giorno=giorno, motivo=motivo.strip(),
                                    creato_da=registrata_da)
    return CorrezionePasto.objects.create(
        comune=consumatore.comune, consumatore=consumatore, giorno=giorno, presente=presente,
        motivo=motivo.strip()[:300], registrata_da=registrata_da, movimento=movimento,
    )
