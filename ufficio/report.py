"""The office's reports, each a tablib Dataset built by set-based queries: shown, exported, or prepared
in the background for long ones.

- pasti: meals per school, class and day (or month), with the meal price and the amount;
- incassi: money received per day and channel (pagoPA online, avviso at a PSP, PuntoLIS);
- saldi: every consumer's balance per service at a chosen date (saldi al);
- rendiconto: the month's statement for the comune's accounting (debits, receipts, corrections).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

import tablib
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth

from comuni.models import Comune
from consumatori.models import Consumatore
from pagamenti.models import EsitoRicevuta, ModalitaPagamento, Movimento, Ricevuta, Servizio, TipoMovimento

ZERO = Decimal("0.00")
# A meal debited by mistake is reversed by a STORNO whose key names the meal: "storno:pasto:<day>".
STORNO_PASTO = "storno:pasto:"

REPORTS = {
    "pasti": "Pasti per scuola, classe e giorno",
    "incassi": "Incassi per giorno e canale",
    "saldi": "Saldi al giorno scelto",
    "rendiconto": "Rendiconto mensile per la ragioneria",
}


def _it(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


def _classe(anno: int | None, sezione: str | None) -> str:
    if sezione is None:
        return ""
    return f"Sezione {sezione}" if anno is None else f"{anno}ª {sezione}"


def report_pasti(*, comune: Comune, dal: datetime.date, al: datetime.date, per_mese: bool = False) -> tablib.Dataset:
    """Meals per school, class and day (or month) at each meal price; reversals subtract."""
    meals = Movimento.objects.filter(servizio=Servizio.MENSA, data_valuta__gte=dal, data_valuta__lte=al).filter(
        Q(tipo=TipoMovimento.PASTO) | Q(tipo=TipoMovimento.STORNO, chiave__startswith=STORNO_PASTO)
    )
    periodo = TruncMonth("data_valuta") if per_mese else F("data_valuta")
    rows = (
        meals.annotate(periodo=periodo)
        .values("periodo", "consumatore__classe__scuola__nome", "consumatore__classe__anno",
                "consumatore__classe__sezione")
        .annotate(
            pasti=Count("id", filter=Q(tipo=TipoMovimento.PASTO)),
            stornati=Count("id", filter=Q(tipo=TipoMovimento.STORNO)),
            totale=Sum("importo"),
            addebitato=Sum("importo", filter=Q(tipo=TipoMovimento.PASTO)),
        )
        .order_by("periodo", "consumatore__classe__scuola__nome", "consumatore__classe__anno",
                  "consumatore__classe__sezione")
    )
    dataset = tablib.Dataset(headers=["Mese" if per_mese else "Giorno", "Scuola", "Classe", "Pasti",
                                      "Prezzo medio (€)", "Importo (€)"], title="Pasti")
    for row in rows:
        pasti = row["pasti"] - row["stornati"]
        periodo = row["periodo"]
        prezzo = (-(row["addebitato"] or ZERO) / row["pasti"]).quantize(ZERO) if row["pasti"] else ZERO
        dataset.append([
            periodo.strftime("%m/%Y") if per_mese else _it(periodo), row["consumatore__classe__scuola__nome"] or "",
            _classe(row["consumatore__classe__anno"], row["consumatore__classe__sezione"]), pasti, prezzo,
            (-row["totale"]).quantize(ZERO),
        ])
    return dataset


CANALI = ["pagoPA online", "Avviso pagoPA presso PSP", "PuntoLIS"]


def report_incassi(*, comune: Comune, dal: datetime.date, al: datetime.date) -> tablib.Dataset:
    """Money received per day and channel (2 queries)."""
    per_giorno: dict[datetime.date, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(CANALI, ZERO))
    for giorno, modalita, totale in (
        Ricevuta.objects.filter(esito=EsitoRicevuta.ACCREDITATA, pagata_il__date__gte=dal, pagata_il__date__lte=al)
        .values_list("pagata_il__date", "posizione__modalita").annotate(t=Sum("importo")).order_by()
    ):
        per_giorno[giorno][CANALI[0] if modalita == ModalitaPagamento.ONLINE else CANALI[1]] += totale
    for giorno, totale in (
        Movimento.objects.filter(tipo=TipoMovimento.RICARICA_PUNTOLIS, data_valuta__gte=dal, data_valuta__lte=al)
        .values_list("data_valuta").annotate(t=Sum("importo")).order_by()
    ):
        per_giorno[giorno][CANALI[2]] += totale
    dataset = tablib.Dataset(headers=["Giorno"] + [f"{c} (€)" for c in CANALI] + ["Totale (€)"], title="Incassi")
    for giorno in sorted(per_giorno):
        valori = [per_giorno[giorno][c].quantize(ZERO) for c in CANALI]
        dataset.append([_it(giorno), *valori, sum(valori, ZERO)])
    return dataset


def report_saldi(*, comune: Comune, al: datetime.date, progress=None) -> tablib.Dataset:
    """Every consumer's balance per service at the end of `al`, consumers without movements included."""
    saldi: dict[tuple[int, str], Decimal] = {
        (pk, servizio): totale for pk, servizio, totale in
        Movimento.objects.filter(data_valuta__lte=al).values_list("consumatore_id", "servizio")
        .annotate(t=Sum("importo")).order_by()
    }
    dataset = tablib.Dataset(headers=["Cognome", "Nome", "Codice fiscale", "Codice pagamento", "Scuola", "Classe",
                                      "Saldo mensa (€)", "Saldo trasporto (€)"], title=f"Saldi al {_it(al)}")
    consumatori = (
        Consumatore.objects.select_related("classe__scuola").order_by("cognome", "nome", "pk")
        .only("cognome", "nome", "codice_fiscale", "codice_pagamento", "classe__anno", "classe__sezione",
              "classe__scuola__nome")
    )
    totale = consumatori.count() if progress else 0
    for i, c in enumerate(consumatori.iterator(chunk_size=2000)):
        dataset.append([
            c.cognome, c.nome, c.codice_fiscale, c.codice_pagamento, c.classe.scuola.nome if c.classe_id else "",
            _classe(c.classe.anno, c.classe.sezione) if c.classe_id else "",
            (saldi.get((c.pk, Servizio.MENSA)) or ZERO).quantize(ZERO),
            (saldi.get((c.pk, Servizio.TRASPORTO)) or ZERO).quantize(ZERO),
        ])
        if progress and i % 2000 == 0:
            progress(i, totale)
    return dataset


RENDICONTO_VOCI = [
    ("Addebiti", [TipoMovimento.PASTO, TipoMovimento.MENSILITA]),
    ("Incassi", [TipoMovimento.RICARICA_PAGOPA, TipoMovimento.RICARICA_PUNTOLIS]),
    ("Rettifiche", [TipoMovimento.RETTIFICA, TipoMovimento.STORNO, TipoMovimento.SALDO_INIZIALE]),
]


def report_rendiconto(*, comune: Comune, mese: datetime.date) -> tablib.Dataset:
    """The month's ledger by section, service and movement type, with counts and totals (1 query)."""
    fine = (mese + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    rows = {
        (servizio, tipo): (n, totale) for servizio, tipo, n, totale in
        Movimento.objects.filter(data_valuta__gte=mese, data_valuta__lte=fine)
        .values_list("servizio", "tipo").annotate(n=Count("id"), t=Sum("importo")).order_by()
    }
    dataset = tablib.Dataset(headers=["Voce", "Servizio", "Tipo", "Movimenti", "Importo (€)"],
                             title=f"Rendiconto {mese:%m-%Y}")
    for voce, tipi in RENDICONTO_VOCI:
        subtotale = ZERO
        for servizio, servizio_label in Servizio.choices:
            for tipo in tipi:
                n, totale = rows.get((servizio, tipo), (0, ZERO))
                if n:
                    dataset.append([voce, servizio_label, TipoMovimento(tipo).label, n, totale.quantize(ZERO)])
                    subtotale += totale
        dataset.append([f"Totale {voce.lower()}", "", "", "", subtotale.quantize(ZERO)])
    saldo = sum((t for _n, t in rows.values()), ZERO)
    dataset.append(["Variazione netta dei saldi", "", "", "", saldo.quantize(ZERO)])
    return dataset


def report_build(*, comune: Comune, nome: str, parametri: dict, progress=None) -> tablib.Dataset:
    """One report by name with its (already validated) parameters."""
    if nome == "pasti":
        return report_pasti(comune=comune, dal=parametri["dal"], al=parametri["al"],
                            per_mese=parametri.get("per_mese", False))
    if nome == "incassi":
        return report_incassi(comune=comune, dal=parametri["dal"], al=parametri["al"])
    if nome == "saldi":
        return report_saldi(comune=comune, al=parametri["al"], progress=progress)
    if nome == "rendiconto":
        return report_rendiconto(comune=comune, mese=parametri["dal"].replace(day=1))
    raise KeyError(nome)
