"""Reads for the reconciliation pages and exports: anomalies first."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from comuni.models import Comune
from pagamenti.models import Posizione, StatoPosizione

from .models import (
    ConfigurazioneRiconciliazione,
    EsitoPagamento,
    FlussoRendicontazione,
    PagamentoRendicontato,
    StatoRiconciliazione,
)

GIORNI_ATTESA_DEFAULT = 5


def giorni_attesa(*, comune: Comune) -> int:
    valore = (ConfigurazioneRiconciliazione.objects.filter(comune=comune)
              .values_list("giorni_attesa_flusso", flat=True).first())
    return valore or GIORNI_ATTESA_DEFAULT


def flussi_elenco(*, comune: Comune) -> QuerySet[FlussoRendicontazione]:
    """Flows with anomalies or totals that do not add up first, then the newest."""
    return FlussoRendicontazione.objects.filter(comune=comune).annotate(
        problema=Case(
            When(Q(anomalie__gt=0) | ~Q(numero_dichiarato=F("numero_calcolato"))
                 | ~Q(importo_dichiarato=F("importo_calcolato")), then=Value(0)),
            default=Value(1), output_field=IntegerField(),
        )
    ).order_by("problema", "-data_regolamento", "-id")


def flusso_righe(*, flusso: FlussoRendicontazione) -> QuerySet[PagamentoRendicontato]:
    """The payments of a flow, anomalies first."""
    return PagamentoRendicontato.objects.filter(flusso=flusso).annotate(
        ordine=Case(When(stato=StatoRiconciliazione.RICONCILIATO, then=Value(1)), default=Value(0),
                    output_field=IntegerField()),
    ).order_by("ordine", "progressivo")


def flusso_conteggi(*, flusso: FlussoRendicontazione) -> dict[str, int]:
    righe = PagamentoRendicontato.objects.filter(flusso=flusso).values("stato").annotate(n=Count("pk"))
    return {r["stato"]: r["n"] for r in righe}


def ricevute_senza_flusso(*, comune: Comune, oggi: datetime.date | None = None) -> QuerySet[Posizione]:
    """Paid positions that no flow reports although the comune's waiting days have passed."""
    oggi = oggi or timezone.localdate()
    limite = timezone.make_aware(datetime.datetime.combine(
        oggi - datetime.timedelta(days=giorni_attesa(comune=comune)), datetime.time.min))
    rendicontata = PagamentoRendicontato.objects.filter(posizione=OuterRef("pk")).exclude(
        esito=EsitoPagamento.REVOCATO)
    return (Posizione.objects.filter(comune=comune, stato=StatoPosizione.PAGATA, pagata_il__lt=limite)
            .exclude(Exists(rendicontata)).order_by("pagata_il"))


@dataclass
class Giorno:
    giorno: datetime.date
    ricevute: int = 0
    importo_ricevute: Decimal = Decimal("0.00")
    rendicontati: int = 0
    importo_rendicontato: Decimal = Decimal("0.00")
    riconciliati: int = 0
    anomalie_flussi: int = 0
    senza_flusso: int = 0
    dettaglio: dict[str, int] = field(default_factory=dict)

    @property
    def anomalie(self) -> int:
        return self.anomalie_flussi + self.senza_flusso


def riepilogo_giornaliero(*, comune: Comune, dal: datetime.date, al: datetime.date) -> list[Giorno]:
    """Per payment day: our receipts, what the flows report, reconciled, anomalies; days with anomalies first."""
    giorni: dict[datetime.date, Giorno] = {}

    def get(giorno: datetime.date) -> Giorno:
        return giorni.setdefault(giorno, Giorno(giorno))

    inizio = timezone.make_aware(datetime.datetime.combine(dal, datetime.time.min))
    fine = timezone.make_aware(datetime.datetime.combine(al + datetime.timedelta(days=1), datetime.time.min))
    for row in (Posizione.objects.filter(comune=comune, stato=StatoPosizione.PAGATA, pagata_il__gte=inizio,
                                         pagata_il__lt=fine)
                .annotate(giorno=TruncDate("pagata_il")).values("giorno")
                .annotate(n=Count("pk"), importo=Sum("importo"))):
        g = get(row["giorno"])
        g.ricevute, g.importo_ricevute = row["n"], row["importo"] or Decimal("0.00")
    for row in (PagamentoRendicontato.objects.filter(comune=comune, data_esito__range=(dal, al))
                .values("data_esito", "stato").annotate(n=Count("pk"), importo=Sum("importo"))):
        g = get(row["data_esito"])
        g.rendicontati += row["n"]
        g.importo_rendicontato += row["importo"] or Decimal("0.00")
        g.dettaglio[row["stato"]] = row["n"]
        if row["stato"] == StatoRiconciliazione.RICONCILIATO:
            g.riconciliati += row["n"]
        else:
            g.anomalie_flussi += row["n"]
    for row in (ricevute_senza_flusso(comune=comune).filter(pagata_il__gte=inizio, pagata_il__lt=fine)
                .annotate(giorno=TruncDate("pagata_il")).values("giorno").annotate(n=Count("pk"))
                .order_by()):
        get(row["giorno"]).senza_flusso = row["n"]
    return sorted(giorni.values(), key=lambda g: (g.anomalie == 0, -g.giorno.toordinal()))
