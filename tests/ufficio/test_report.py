"""Reports: meals, money per channel, balances at a date, the monthly statement; page, files, background."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pypdfium2
import pytest
import tablib
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from pagamenti.models import TipoMovimento
from pagamenti.services import movimento_register
from ufficio.models import Esportazione

from .conftest import mensilita, pasti, ricarica

URL = reverse("ufficio:report", kwargs={"comune": "leporano"})
D = datetime.date


@pytest.fixture
def registro(leporano, alice_children, charlie_child):
    leonardo, sofia = alice_children
    pasti(leonardo, 3, dal=D(2026, 10, 5))  # 5, 6, 7 October
    pasti(sofia, 2, dal=D(2026, 10, 6), prezzo="3.50")  # 6, 7 October
    with scope(comune=leporano):
        # A meal debited by mistake, reversed by a new movement (never deleted).
        movimento_register(consumatore=sofia, servizio="mensa", tipo=TipoMovimento.STORNO, importo=Decimal("3.50"),
                           data_valuta=D(2026, 10, 7), chiave="storno:pasto:2026-10-07", motivo="Era assente")
        movimento_register(consumatore=leonardo, servizio="mensa", tipo=TipoMovimento.RETTIFICA,
                           importo=Decimal("-1.00"), data_valuta=D(2026, 10, 20), chiave="r:1", motivo="Arrotondamento")
    ricarica(leonardo, "20.00", D(2026, 10, 8))
    mensilita(leonardo, "30.00", "2026-10")
    pasti(charlie_child, 5, dal=D(2026, 10, 5))  # Pulsano: never in Leporano's reports
    return leonardo, sofia


def rows(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content[:2000]
    return [list(r) for r in response.context["dataset"]]


def test_meals_per_school_class_and_day(bob_client, registro):
    righe = rows(bob_client, report="pasti", dal="2026-10-01", al="2026-10-31")
    assert [(r[0], r[3], str(r[4]), str(r[5])) for r in righe] == [
        ("05/10/2026", 1, "4.10", "4.10"), ("06/10/2026", 2, "3.80", "7.60"), ("07/10/2026", 1, "3.80", "4.10"),
    ]
    per_mese = rows(bob_client, report="pasti", dal="2026-10-01", al="2026-10-31", per_mese="on")
    assert [(r[0], r[3], str(r[5])) for r in per_mese] == [("10/2026", 4, "15.80")]


def test_money_per_day_and_channel(bob_client, registro):
    assert rows(bob_client, report="incassi", dal="2026-10-01", al="2026-10-31") == [
        ["08/10/2026", Decimal("0.00"), Decimal("0.00"), Decimal("20.00"), Decimal("20.00")],
    ]


def test_balances_at_a_date(bob_client, registro):
    righe = rows(bob_client, report="saldi", al="2026-10-06")
    saldi = {r[1]: (r[6], r[7]) for r in righe}
    assert saldi == {"Leonardo": (Decimal("-8.20"), Decimal("-30.00")), "Sofia": (Decimal("-3.50"), Decimal("0.00"))}


def test_monthly_statement(bob_client, registro):
    righe = rows(bob_client, report="rendiconto", dal="2026-10-01")
    voci = {(r[0], r[1], r[2]): (r[3], r[4]) for r in righe}
    assert voci[("Addebiti", "Refezione scolastica", "Pasto consumato")] == (5, Decimal("-19.30"))
    assert voci[("Addebiti", "Trasporto scolastico", "Mensilità trasporto")] == (1, Decimal("-30.00"))
    assert voci[("Incassi", "Refezione scolastica", "Ricarica PuntoLIS")] == (1, Decimal("20.00"))
    assert voci[("Rettifiche", "Refezione scolastica", "Storno")] == (1, Decimal("3.50"))
    assert righe[-1] == ["Variazione netta dei saldi", "", "", "", Decimal("-26.80")]


@pytest.mark.parametrize("formato", ["csv", "xlsx", "pdf"])
def test_downloads(bob_client, registro, formato):
    response = bob_client.get(URL, {"report": "pasti", "dal": "2026-10-01", "al": "2026-10-31", "formato": formato})
    assert response.status_code == 200
    if formato == "pdf":
        assert len(pypdfium2.PdfDocument(response.content)) == 1
    else:
        data = tablib.Dataset().load(response.content if formato == "xlsx" else response.content.decode(),
                                     format=formato)
        assert len(data) == 3 and data.headers[1] == "Scuola"


def test_a_long_export_runs_in_the_background_with_a_download_link(bob_client, registro, leporano, dora_client,
                                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = bob_client.post(reverse("ufficio:esportazione_nuova", kwargs={"comune": "leporano"}),
                                   {"report": "saldi", "al": "2026-10-31", "formato": "xlsx"})
    with scope(comune=leporano):
        esportazione = Esportazione.objects.get()
    page = reverse("ufficio:esportazione", kwargs={"comune": "leporano", "pk": esportazione.pk})
    assert response["Location"] == page
    partial = bob_client.get(page, HTTP_HX_REQUEST="true").content.decode()
    assert 'aria-valuenow="100"' in partial and "Scarica" in partial
    file_url = reverse("ufficio:esportazione_scarica", kwargs={"comune": "leporano", "pk": esportazione.pk})
    data = tablib.Dataset().load(bob_client.get(file_url).content, format="xlsx")
    assert len(data) == 2
    assert dora_client.get(file_url).status_code == 403
    assert dora_client.get(file_url.replace("/leporano/", "/pulsano/")).status_code == 404


@pytest.mark.parametrize("params, campo", [
    ({"report": "nessuno"}, "Report"),
    ({"report": "pasti", "dal": "9999-99-99"}, "Dal"),
    ({"report": "pasti", "dal": "1900-01-01"}, "Dal"),
    ({"report": "pasti", "dal": "2026-10-10", "al": "2026-10-01"}, "Al"),
    ({"report": "pasti", "dal": "2020-01-01", "al": "2026-10-01"}, "Dal"),
    ({"report": "pasti", "formato": "exe"}, "Formato"),
])
def test_bad_parameters_name_the_field(bob_client, registro, params, campo):
    response = bob_client.get(URL, params)
    assert response.status_code == 400
    assert response.context["errori"][0].startswith(campo)


def test_only_the_comunes_office_sees_reports(registro, dora_client, alice):
    family = Client()
    family.force_login(alice)
    assert family.get(URL).status_code == 403
    assert dora_client.get(URL).status_code == 403
    response = dora_client.get(URL.replace("/leporano/", "/pulsano/"), {"report": "saldi", "al": "2026-10-31"})
    assert [r[1] for r in response.context["dataset"]] == ["Tommaso"]
