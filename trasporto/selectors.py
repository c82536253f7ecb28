"""Reads of the school bus, in a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from comuni.models import User
from consumatori.models import Consumatore, Tutore
from pagamenti.models import Movimento, Servizio

from .models import Fermata, Iscrizione, Linea, Salita, Tratta

GIORNI_SALITE = 14


def trasporto_for_consumatore(
    *, consumatore: Consumatore, giorni: int = GIORNI_SALITE, oggi: datetime.date | None = None
) -> list[Iscrizione]:
    """The consumer's current and coming enrolments (and those ended in the last days), each with
    route, stop, school year and `salite_recenti`: its boardings of the last `giorni` days. 2 queries."""
    oggi = oggi or timezone.localdate()
    dal = oggi - datetime.timedelta(days=giorni)
    recent = Salita.objects.filter(data__gte=dal, data__lte=oggi).order_by("-data", "tratta")
    return list(
        Iscrizione.objects.filter(consumatore=consumatore, data_fine__gte=dal)
        .select_related("linea__anno_scolastico", "fermata")
        .prefetch_related(Prefetch("salite", queryset=recent, to_attr="salite_recenti"))
        .order_by("data_inizio")
    )


def trasporto_context(*, consumatore: Consumatore) -> dict:
    """What templates/trasporto/_dettaglio.html needs, for a page that includes it. 3 queries."""
    from pagamenti.selectors import saldo

    return {
        "iscrizioni_trasporto": trasporto_for_consumatore(consumatore=consumatore),
        "saldo_trasporto": saldo(consumatore=consumatore, servizio=Servizio.TRASPORTO),
    }


def linee_of_accompagnatore(*, user: User, oggi: datetime.date | None = None) -> QuerySet[Linea]:
    """The routes this account rides (as driver or assistant) in the current comune's school year."""
    oggi = oggi or timezone.localdate()
    return (
        Linea.objects.filter(accompagnatori=user, anno_scolastico__data_inizio__lte=oggi,
                             anno_scolastico__data_fine__gte=oggi)
        .select_related("anno_scolastico")
        .order_by("nome")
    )


def linea_of_accompagnatore(*, user: User, pk: int) -> Linea:
    """One of the routes this account rides, or 404 (other routes, other comuni, other years)."""
    return get_object_or_404(
        Linea.objects.filter(accompagnatori=user).select_related("anno_scolastico"), pk=pk
    )


@dataclass
class FermataBordo:
    fermata: Fermata
    iscrizioni: list[Iscrizione] = field(default_factory=list)


def bordo_for_linea(*, linea: Linea, data: datetime.date, tratta: str) -> list[FermataBordo]:
    """The stops of a route in trip order, each with the pupils expected that day on that trip
    and `salito` set on each enrolment. 3 queries."""
    fermate = list(Fermata.objects.filter(linea=linea).order_by("ordine"))
    if tratta == Tratta.RITORNO:
        fermate.reverse()
    percorsi = Q(percorso="andata_ritorno") | Q(percorso="solo_andata" if tratta == Tratta.ANDATA else "solo_ritorno")
    iscrizioni = list(
        Iscrizione.objects.filter(percorsi, linea=linea, data_inizio__lte=data, data_fine__gte=data)
        .select_related("consumatore__classe__scuola")
        .order_by("consumatore__cognome", "consumatore__nome")
    )
    boarded = set(
        Salita.objects.filter(iscrizione__in=[i.pk for i in iscrizioni], data=data, tratta=tratta)
        .values_list("iscrizione_id", flat=True)
    )
    by_stop = {f.pk: FermataBordo(fermata=f) for f in fermate}
    for iscrizione in iscrizioni:
        iscrizione.salito = iscrizione.pk in boarded
        by_stop[iscrizione.fermata_id].iscrizioni.append(iscrizione)
    return list(by_stop.values())


@dataclass(frozen=True)
class Debitore:
    consumatore_id: int
    cognome: str
    nome: str
    codice_fiscale: str
    codice_pagamento: str
    debito: Decimal
    email: str


def debitori_trasporto() -> list[Debitore]:
    """Consumers of the current comune whose transport account is in debit, largest debt first,
    with their guardians' e-mail addresses. 2 queries."""
    rows = list(
        Movimento.objects.filter(servizio=Servizio.TRASPORTO)
        .values("consumatore_id")
        .annotate(saldo=Sum("importo"))
        .filter(saldo__lt=0)
        .order_by("saldo")
        .values_list("consumatore_id", "saldo", "consumatore__cognome", "consumatore__nome",
                     "consumatore__codice_fiscale", "consumatore__codice_pagamento")
    )
    emails: dict[int, list[str]] = {}
    tutori = Tutore.objects.filter(consumatore_id__in=[r[0] for r in rows]).values_list(
        "consumatore_id", "email", "utente__email"
    )
    for consumatore_id, email, account_email in tutori:
        address = account_email or email
        if address and address not in emails.setdefault(consumatore_id, []):
            emails[consumatore_id].append(address)
    return [
        Debitore(pk, cognome, nome, cf, codice, (-saldo).quantize(Decimal("0.01")), ", ".join(emails.get(pk, [])))
        for pk, saldo, cognome, nome, cf, codice in rows
    ]
