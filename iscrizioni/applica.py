"""Writes that put a computed tariff into the canteen and bus enrolments, from a date on.

Nothing before that date changes: the enrolment in force is closed the day before and a new one
opens, so meals and months already debited (ledger rows, never rewritten) keep their tariff.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from consumatori.models import AnnoScolastico, Consumatore
from mensa.cutoff import ROME
from mensa.models import IscrizioneMensa, Tariffa
from pagamenti.models import Servizio
from trasporto.models import Iscrizione

from .tariffe import ContestoTariffe, TariffaCalcolata, fratelli_of, tariffa_calcola

ESENZIONE_NOME = "Esenzione"


def primo_del_mese_prossimo(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localtime(timezone.now(), ROME).date()
    return (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def tariffa_mensa_of(*, calcolo: TariffaCalcolata, comune_id: int) -> Tariffa:
    """The canteen Tariffa row for a computed tariff: the exemption, the bracket, or its reduction."""
    if calcolo.esente:
        tariffa = Tariffa.objects.filter(comune_id=comune_id, esenzione=True).order_by("pk").first()
        if tariffa is None:
            tariffa, _created = Tariffa.objects.get_or_create(
                comune_id=comune_id, nome=ESENZIONE_NOME, defaults={"esenzione": True}
            )
        return tariffa
    base = calcolo.tariffa_mensa
    if not calcolo.riduzione:
        return base
    tariffa, _created = Tariffa.objects.get_or_create(
        comune_id=comune_id, tariffa_base=base, riduzione_percentuale=calcolo.riduzione,
        defaults={"nome": f"{base.nome} – fratelli −{calcolo.riduzione.normalize():f} %",
                  "isee_da": base.isee_da, "isee_a": base.isee_a, "riduzione_fratelli": True},
    )
    return tariffa


@transaction.atomic
def iscrizione_mensa_imposta(
    *, consumatore: Consumatore, tariffa: Tariffa, dal: datetime.date, al: datetime.date | None = None
) -> IscrizioneMensa:
    """Canteen enrolment at `tariffa` from `dal`: unchanged if already so, else the one in force is
    closed the day before and a new one opens (until its end, or `al` for a new enrolment)."""
    Consumatore.objects.select_for_update().filter(pk=consumatore.pk).first()
    corrente = (
        IscrizioneMensa.objects.filter(consumatore=consumatore, data_inizio__lte=dal)
        .filter(Q(data_fine__isnull=True) | Q(data_fine__gte=dal)).order_by("-data_inizio").first()
    )
    if corrente is None:
        # A later enrolment (e.g. already renewed) would overlap an open one: stop before it.
        successiva = IscrizioneMensa.objects.filter(consumatore=consumatore, data_inizio__gt=dal).order_by(
            "data_inizio").first()
        if successiva is not None:
            al = min(al or successiva.data_inizio, successiva.data_inizio - datetime.timedelta(days=1))
        nuova = IscrizioneMensa(comune_id=consumatore.comune_id, consumatore=consumatore, tariffa=tariffa,
                                data_inizio=dal, data_fine=al)
        nuova.clean()  # the overlap rule; the related rows are the caller's, of this comune
        nuova.save()
        return nuova
    if corrente.tariffa_id == tariffa.pk:
        return corrente
    if corrente.data_inizio == dal:
        corrente.tariffa = tariffa
        corrente.save(update_fields=["tariffa"])
        return corrente
    fine = corrente.data_fine
    corrente.data_fine = dal - datetime.timedelta(days=1)
    corrente.save(update_fields=["data_fine"])
    nuova = IscrizioneMensa.objects.create(comune_id=consumatore.comune_id, consumatore=consumatore,
                                           tariffa=tariffa, data_inizio=dal, data_fine=fine)
    return nuova


def _stessa_tariffa(iscrizione: Iscrizione, calcolo: TariffaCalcolata) -> bool:
    fascia_id = calcolo.fascia.pk if calcolo.fascia else None
    return (iscrizione.esente == calcolo.esente and iscrizione.fascia_id == fascia_id
            and (iscrizione.riduzione_percentuale or 0) == calcolo.riduzione)


@transaction.atomic
def iscrizione_trasporto_ritariffa(*, iscrizione: Iscrizione, calcolo: TariffaCalcolata,
                                   dal: datetime.date) -> Iscrizione:
    """The bus enrolment at the computed tariff from `dal` (same route, stop and trips)."""
    if _stessa_tariffa(iscrizione, calcolo) or dal > iscrizione.data_fine:
        return iscrizione
    valori = {"fascia": calcolo.fascia, "esente": calcolo.esente, "riduzione_percentuale": calcolo.riduzione,
              "riduzione_fratelli": bool(calcolo.riduzione)}
    if iscrizione.data_inizio >= dal:
        for name, value in valori.items():
            setattr(iscrizione, name, value)
        iscrizione.save(update_fields=list(valori))
        return iscrizione
    fine = iscrizione.data_fine
    iscrizione.data_fine = dal - datetime.timedelta(days=1)
    iscrizione.save(update_fields=["data_fine"])
    return Iscrizione.objects.create(
        comune_id=iscrizione.comune_id, consumatore_id=iscrizione.consumatore_id, linea_id=iscrizione.linea_id,
        fermata_id=iscrizione.fermata_id, percorso=iscrizione.percorso, data_inizio=dal, data_fine=fine,
        note=iscrizione.note, **valori,
    )


def tariffe_ricalcola(
    *, consumatore: Consumatore, anno_scolastico: AnnoScolastico, dal: datetime.date | None = None,
    contesto: ContestoTariffe | None = None,
) -> list[TariffaCalcolata]:
    """Recompute the child's tariffs of the year from `dal` (default: the first of next month) for
    the services it is enrolled in then. Returns the computations applied."""
    dal = max(dal or primo_del_mese_prossimo(), anno_scolastico.data_inizio)
    if dal > anno_scolastico.data_fine:
        return []
    contesto = contesto or ContestoTariffe.load(comune=consumatore.comune, giorno=dal)
    applied = []
    mensa = IscrizioneMensa.objects.filter(consumatore=consumatore, data_inizio__lte=dal).filter(
        Q(data_fine__isnull=True) | Q(data_fine__gte=dal)).exists()
    if mensa:
        calcolo = tariffa_calcola(consumatore=consumatore, servizio=Servizio.MENSA, anno_scolastico=anno_scolastico,
                                  contesto=contesto)
        iscrizione_mensa_imposta(consumatore=consumatore, dal=dal,
                                 tariffa=tariffa_mensa_of(calcolo=calcolo, comune_id=consumatore.comune_id))
        applied.append(calcolo)
    bus = Iscrizione.objects.filter(consumatore=consumatore, data_inizio__lte=dal, data_fine__gte=dal).first()
    if bus is not None:
        calcolo = tariffa_calcola(consumatore=consumatore, servizio=Servizio.TRASPORTO,
                                  anno_scolastico=anno_scolastico, contesto=contesto)
        iscrizione_trasporto_ritariffa(iscrizione=bus, calcolo=calcolo, dal=dal)
        applied.append(calcolo)
    return applied


def tariffe_ricalcola_famiglia(
    *, consumatore: Consumatore, anno_scolastico: AnnoScolastico, dal: datetime.date | None = None
) -> None:
    """Recompute the child and its siblings (their places may have moved) from `dal`."""
    contesto = ContestoTariffe.load(comune=consumatore.comune, giorno=dal or primo_del_mese_prossimo())
    famiglia = [consumatore, *Consumatore.objects.filter(fratelli_of(consumatore=consumatore))]
    for figlio in famiglia:
        tariffe_ricalcola(consumatore=figlio, anno_scolastico=anno_scolastico, dal=dal, contesto=contesto)
