"""Reads of the cruscotto: the office's day at a glance, each figure in one or two queries."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from comuni.models import Comune
from consumatori.models import AnnoScolastico
from mensa.models import AddebitoEseguito, Sospensione
from mensa.selectors import elenco_operatore
from pagamenti.consolidamento import conti_cte, conti_leggi, conti_params
from pagamenti.models import (
    EsitoRicevuta,
    ModalitaPagamento,
    Movimento,
    Posizione,
    Ricevuta,
    Servizio,
    StatoPosizione,
    TipoMovimento,
)

from .grafici import Grafico, grafico_barre
from .selectors import FiltriMorosi, morosi_all

ZERO = Decimal("0.00")
MESI = ["gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"]
FASCE_ETA = [(0, 30, "fino a 30 giorni"), (31, 60, "31–60 giorni"), (61, 90, "61–90 giorni"),
             (91, None, "oltre 90 giorni")]


@dataclass
class PastiScuola:
    scuola: str
    prenotati: int = 0
    assenti: int = 0
    sospesi: int = 0
    presenti: int = 0  # recorded by the operators
    mangiano: int = 0  # booked, corrected by the operators' records


def pasti_oggi(*, comune: Comune, giorno: datetime.date) -> list[PastiScuola]:
    """Today's meals per school, from the operators' list (3 queries)."""
    scuole: dict[str, PastiScuola] = {}
    for riga in elenco_operatore(comune=comune, giorno=giorno, scuole_ids=None):
        nome = riga.consumatore.classe.scuola.nome
        s = scuole.setdefault(nome, PastiScuola(nome))
        s.prenotati += riga.prenotato
        s.sospesi += riga.sospeso
        s.assenti += not riga.prenotato and not riga.sospeso
        s.presenti += riga.presente is True
        s.mangiano += riga.mangia
    return list(scuole.values())


def debiti_aperti(*, comune: Comune) -> dict[str, dict]:
    """Accounts in debit per service: how many and how much (1 query)."""
    sql = f"WITH {conti_cte(in_debito=True)} SELECT servizio, COUNT(*), -SUM(saldo) FROM conti GROUP BY servizio"  # noqa: S608
    result = {s: {"label": label, "conti": 0, "totale": ZERO} for s, label in Servizio.choices}
    with connection.cursor() as cursor:
        for servizio, conti, totale in conti_leggi(cursor, sql, conti_params(comune_id=comune.pk)):
            # SQLite (make run) answers sums as float, PostgreSQL as Decimal.
            result[servizio].update(conti=conti, totale=Decimal(str(totale)).quantize(ZERO))
    return result


def incassi(*, comune: Comune, dal: datetime.date, al: datetime.date) -> dict[str, Decimal]:
    """Money received between two days per channel: pagoPA online, avviso paid at a PSP, PuntoLIS (2 queries)."""
    pagopa = dict(
        Ricevuta.objects.filter(esito=EsitoRicevuta.ACCREDITATA, pagata_il__date__gte=dal, pagata_il__date__lte=al)
        .values_list("posizione__modalita").annotate(t=Sum("importo")).order_by()
    )
    lis = Movimento.objects.filter(tipo=TipoMovimento.RICARICA_PUNTOLIS, data_valuta__gte=dal,
                                   data_valuta__lte=al).aggregate(t=Sum("importo"))["t"]
    return {
        "pagoPA online": (pagopa.get(ModalitaPagamento.ONLINE) or ZERO).quantize(ZERO),
        "Avviso pagoPA presso PSP": (pagopa.get(ModalitaPagamento.AVVISO) or ZERO).quantize(ZERO),
        "PuntoLIS": (lis or ZERO).quantize(ZERO),
    }


def anno_scolastico_of(giorno: datetime.date) -> tuple[datetime.date, datetime.date]:
    anno = AnnoScolastico.objects.filter(data_inizio__lte=giorno, data_fine__gte=giorno).first()
    if anno is not None:
        return anno.data_inizio, anno.data_fine
    start = datetime.date(giorno.year if giorno.month >= 9 else giorno.year - 1, 9, 1)
    return start, datetime.date(start.year + 1, 6, 30)


def grafico_pasti_mese(*, giorno: datetime.date) -> Grafico:
    inizio = giorno.replace(day=1)
    rows = (
        Movimento.objects.filter(tipo=TipoMovimento.PASTO, data_valuta__gte=inizio, data_valuta__lte=giorno)
        .values_list("data_valuta").annotate(n=Count("id")).order_by("data_valuta")
    )
    etichette, valori = [], []
    for data, n in rows:
        etichette.append(data.strftime("%d/%m"))
        valori.append(n)
    return grafico_barre(titolo=f"Pasti per giorno di servizio – {MESI[giorno.month - 1]} {giorno.year}",
                         etichette=etichette, serie={"Pasti": valori})


def grafico_incassi_anno(*, dal: datetime.date, al: datetime.date) -> Grafico:
    """Money received per month of the school year, per channel (2 queries)."""
    mesi = []
    mese = dal.replace(day=1)
    while mese <= al:
        mesi.append(mese)
        mese = (mese + datetime.timedelta(days=32)).replace(day=1)
    per_canale: dict[str, dict[datetime.date, Decimal]] = defaultdict(dict)
    for mese_, modalita, totale in (
        Ricevuta.objects.filter(esito=EsitoRicevuta.ACCREDITATA, pagata_il__date__gte=dal, pagata_il__date__lte=al)
        .annotate(mese=TruncMonth("pagata_il")).values_list("mese", "posizione__modalita")
        .annotate(t=Sum("importo")).order_by()
    ):
        canale = "pagoPA online" if modalita == ModalitaPagamento.ONLINE else "Avviso pagoPA presso PSP"
        per_canale[canale][timezone.localtime(mese_).date()] = totale
    for mese_, totale in (
        Movimento.objects.filter(tipo=TipoMovimento.RICARICA_PUNTOLIS, data_valuta__gte=dal, data_valuta__lte=al)
        .annotate(mese=TruncMonth("data_valuta")).values_list("mese").annotate(t=Sum("importo")).order_by()
    ):
        per_canale["PuntoLIS"][mese_] = totale
    canali = ["pagoPA online", "Avviso pagoPA presso PSP", "PuntoLIS"]
    serie = {c: [(per_canale[c].get(m) or ZERO).quantize(ZERO) for m in mesi] for c in canali}
    return grafico_barre(titolo="Incassi per mese dell'anno scolastico",
                         etichette=[f"{MESI[m.month - 1]} {m:%y}" for m in mesi], serie=serie, euro=True, stacked=True)


def grafico_eta_debito(*, comune: Comune, giorno: datetime.date) -> Grafico:
    """Open debt by age of the oldest unpaid charge (first in, first out)."""
    totali = [ZERO for _ in FASCE_ETA]
    for moroso in morosi_all(comune=comune, filtri=FiltriMorosi(), oggi=giorno, completi=False):
        giorni = moroso.giorni_a_debito(giorno) or 0
        for i, (da, a, _label) in enumerate(FASCE_ETA):
            if giorni >= da and (a is None or giorni <= a):
                totali[i] += moroso.debito
    return grafico_barre(titolo="Debito per anzianità", etichette=[f[2] for f in FASCE_ETA],
                         serie={"Debito": totali}, euro=True)


def ultimi_addebiti(*, limite: int = 5) -> dict[str, list]:
    """The last nightly runs: canteen days debited and transport months debited (2 queries)."""
    mensa = list(AddebitoEseguito.objects.order_by("-giorno")[:limite])
    trasporto = list(
        Movimento.objects.filter(tipo=TipoMovimento.MENSILITA).values("riferimento")
        .annotate(conti=Count("id"), eseguito_il=Max("creato_il"), totale=Sum("importo"))
        .order_by("-riferimento")[:limite]
    )
    return {"mensa": mensa, "trasporto": trasporto}


def cruscotto_data(*, comune: Comune, giorno: datetime.date | None = None) -> dict:
    giorno = giorno or timezone.localdate()
    inizio_mese = giorno.replace(day=1)
    anno_dal, anno_al = anno_scolastico_of(giorno)
    posizioni = Posizione.objects.filter(stato=StatoPosizione.IN_ATTESA).aggregate(n=Count("id"), t=Sum("importo"))
    pasti = pasti_oggi(comune=comune, giorno=giorno)
    incassi_mese = incassi(comune=comune, dal=inizio_mese, al=giorno)
    return {
        "giorno": giorno,
        "pasti_oggi": pasti,
        "pasti_totale": PastiScuola("Totale", *(sum(getattr(p, f) for p in pasti) for f in
                                                ("prenotati", "assenti", "sospesi", "presenti", "mangiano"))),
        "sospesi": Sospensione.objects.filter(dal__lte=giorno).filter(Q(al__isnull=True) | Q(al__gte=giorno)).count(),
        "debiti": debiti_aperti(comune=comune),
        "incassi_mese": incassi_mese,
        "incassi_mese_totale": sum(incassi_mese.values(), ZERO),
        "posizioni_aperte": {"n": posizioni["n"], "totale": (posizioni["t"] or ZERO).quantize(ZERO)},
        "addebiti": ultimi_addebiti(),
        "grafici": [
            grafico_pasti_mese(giorno=giorno),
            grafico_incassi_anno(dal=anno_dal, al=min(anno_al, giorno)),
            grafico_eta_debito(comune=comune, giorno=giorno),
        ],
    }
