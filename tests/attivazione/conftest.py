"""Leporano ready to receive its registry: the school year 2026/27, canteen tariffs (a full one and two ISEE
brackets), a diet type, a bus route of 2026/27 with a stop and its tariff. The workbook's rows are built
from invented names with codici fiscali computed like the rest of the tests'."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django_scopes import scope

from attivazione.anagrafe.modello import cartella_di_lavoro
from tests.factories import AnnoScolasticoFactory, cf_for

ANNO = "2026/27"
CF_GIULIA = cf_for("Caramia", "Giulia", "F", datetime.date(2018, 3, 4))
CF_LUCA = cf_for("Caramia", "Luca", "M", datetime.date(2020, 5, 6))
CF_PAOLO = cf_for("Caramia", "Paolo", "M", datetime.date(1982, 1, 2))  # the father, with a codice fiscale
CF_ANNA = cf_for("Dimitri", "Anna", "F", datetime.date(2016, 11, 30))


@pytest.fixture
def pronto(leporano):
    """Leporano with what an import refers to by name."""
    from mensa.menu.models import CategoriaDieta, TipoDieta
    from mensa.models import PrezzoTariffa, Tariffa
    from trasporto.models import Fermata, Linea, Percorso, TariffaTrasporto

    anno = AnnoScolasticoFactory(comune=leporano, nome=ANNO)
    with scope(comune=leporano):
        for nome, da, a, importo in (("Tariffa intera", None, None, "4.50"),
                                     ("Fascia A", Decimal("0"), Decimal("7999.99"), "2.00"),
                                     ("Fascia B", Decimal("8000"), Decimal("15999.99"), "3.00")):
            tariffa = Tariffa.objects.create(comune=leporano, nome=nome, isee_da=da, isee_a=a)
            PrezzoTariffa.objects.create(comune=leporano, tariffa=tariffa, valido_dal=anno.data_inizio,
                                         importo=Decimal(importo))
        TipoDieta.objects.create(comune=leporano, nome="Senza glutine", categoria=CategoriaDieta.SANITARIA)
        linea = Linea.objects.create(comune=leporano, anno_scolastico=anno, nome="Linea Gandoli")
        Fermata.objects.create(comune=leporano, linea=linea, ordine=1, nome="Piazza Castello")
        TariffaTrasporto.objects.create(comune=leporano, percorso=Percorso.ANDATA_RITORNO,
                                        importo_mensile=Decimal("25.00"), valido_dal=anno.data_inizio)
    return leporano


def righe_buone() -> dict[str, list[list]]:
    return {
        "scuole": [["TAAA83200X", "Scuola dell'infanzia «Collodi»", "infanzia", "Via Roma 1"],
                   ["taee83201x", "Scuola primaria «Giovanni XXIII»", "Primaria", ""]],
        "classi": [["TAAA83200X", ANNO, None, "A"], ["TAEE83201X", ANNO, 3, "B"], ["TAEE83201X", "2026/2027", 4, "A"]],
        "alunni": [[CF_GIULIA.lower(), "Caramia", "Giulia", datetime.date(2018, 3, 4), "TAEE83201X", 3, "B", "OLD123"],
                   [CF_LUCA, "Caramia", "Luca", "06/05/2020", "TAAA83200X", None, "A", ""],
                   [CF_ANNA, "Dimitri", "Anna", "2016-11-30", "TAEE83201X", "4", "a", ""]],
        "tutori": [[CF_GIULIA, CF_PAOLO, "Caramia", "Paolo", "genitore", "paolo.caramia@example.org", "333 1"],
                   [CF_LUCA, CF_PAOLO, "Caramia", "Paolo", "genitore", "paolo.caramia@example.org", "333 1"],
                   [CF_ANNA, "", "Dimitri", "Rosa", "", "rosa.dimitri@example.org", ""]],
        "iscrizioni_mensa": [[CF_GIULIA, "14/09/2026", None, "Tariffa intera", "Senza glutine"],
                             [CF_LUCA, datetime.date(2026, 9, 14), "", "8.500,00", ""],
                             [CF_ANNA, "2026-09-14", "09/06/2027", "fascia a", ""]],
        "iscrizioni_trasporto": [[CF_ANNA, "Linea Gandoli", "Piazza Castello", "andata_ritorno", "14/09/2026",
                                  None, "", "", ""]],
        "saldi": [[CF_GIULIA, "mensa", "-12,50"], [CF_ANNA, "mensa", 20], [CF_ANNA, "trasporto", "0"]],
    }


@pytest.fixture
def workbook():
    return cartella_di_lavoro(righe_buone())
