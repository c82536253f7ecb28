"""PuntoLIS daily statement (our CSV, README) matched against the LIS top-ups notified to us."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from pagamenti.puntolis.adapter import NotificaLIS
from pagamenti.puntolis.services import lis_ricarica_register
from pagamenti.riconciliazione.models import EstrattoLIS, RigaEstrattoLIS, StatoRigaLIS

DAY = datetime.date(2026, 11, 23)


def url(name, comune="leporano", **kwargs):
    return reverse(f"pagamenti:riconciliazione:{name}", kwargs={"comune": comune, **kwargs})


def topup(comune, child, transaction_id, amount, when=None):
    when = when or timezone.make_aware(datetime.datetime.combine(DAY, datetime.time(10, 15)))
    with scope(comune=comune):
        return lis_ricarica_register(comune=comune, notifica=NotificaLIS(
            transaction_id, child.codice_pagamento, Decimal(amount), "mensa", when))[0]


def statement(rows, *, ente="80009290737", day=DAY, numero=None, totale=None) -> bytes:
    total = sum(Decimal(r.split(",")[2]) for r in rows)
    head = f"ESTRATTO,{ente},{day.isoformat()},{len(rows) if numero is None else numero}," \
           f"{total if totale is None else totale}"
    return "\n".join([head, "transaction_id,payment_code,amount,service,paid_at", *rows]).encode()


def row(transaction_id, child_or_code, amount, when="2026-11-23T10:15:00+01:00"):
    code = getattr(child_or_code, "codice_pagamento", child_or_code)
    return f"{transaction_id},{code},{amount},mensa,{when}"


def upload(client, content, comune="leporano"):
    return client.post(url("lis_carica", comune=comune),
                       {"file": SimpleUploadedFile("estratto.csv", content, "text/csv")})


@pytest.fixture
def client(client, bob):
    client.force_login(bob)
    return client


@pytest.fixture
def topups(leporano, alice_children, config_leporano):
    return [topup(leporano, alice_children[0], "LIS-1", "25.00"), topup(leporano, alice_children[1], "LIS-2", "30.00"),
            topup(leporano, alice_children[1], "LIS-3", "10.00")]


def test_it_reconciles_and_shows_anomalies_first(client, leporano, alice_children, topups):
    content = statement([row("LIS-1", alice_children[0], "25.00"), row("LIS-2", alice_children[1], "31.00"),
                         row("LIS-9", "ZZZZZZZZZZZZ", "5.00")], numero=4)
    response = upload(client, content)
    with scope(comune=leporano):
        estratto = EstrattoLIS.objects.get()
        assert dict(RigaEstrattoLIS.objects.values_list("transaction_id", "stato")) == {
            "LIS-1": StatoRigaLIS.RICONCILIATO, "LIS-2": StatoRigaLIS.IMPORTO_DIVERSO,
            "LIS-9": StatoRigaLIS.SENZA_RICARICA}
    assert response.status_code == 302 and estratto.anomalie == 2 and not estratto.totali_quadrano
    assert any("dichiara 4 pagamenti" in str(m) for m in response.wsgi_request._messages)
    body = client.get(response["Location"]).content.decode()
    assert body.index("LIS-9") < body.index("LIS-1")
    missing = client.get(url("lis_senza_estratto")).content.decode()
    assert "LIS-3" in missing and "LIS-1" not in missing  # its day's statement is in, LIS-3 is not listed
    export = client.get(url("lis_estratto_export", pk=estratto.pk, formato="csv")).content.decode()
    assert export.splitlines()[1].startswith("4,LIS-2")


def test_the_same_day_twice_changes_nothing(client, leporano, alice_children, topups):
    content = statement([row("LIS-1", alice_children[0], "25.00")])
    upload(client, content)
    response = upload(client, statement([row("LIS-2", alice_children[1], "30.00")]))
    assert any("era già stato importato" in str(m) for m in response.wsgi_request._messages)
    with scope(comune=leporano):
        assert EstrattoLIS.objects.count() == 1 and RigaEstrattoLIS.objects.get().transaction_id == "LIS-1"


@pytest.mark.parametrize("content, expected", [
    (b"\xff\xfe\x00", "non è un CSV in UTF-8"),
    (b"a,b\nc,d", "non è un estratto PuntoLIS"),
    (statement(["LIS-1,K,25.00,mensa,2026-11-23T10:15:00+01:00"], ente="80009310733"),
     "intestato all&#x27;ente 80009310733"),
    (statement(["LIS-1,K,25.00,mensa,2026-11-23T10:15:00+01:00", "LIS-1,K,25.00,mensa,2026-11-23T11:00:00"]),
     "Righe 3 e 4: stessa transazione LIS-1"),
    (statement(["LIS-1,K,25,00,mensa,2026-11-23"]), "Riga 3: servono 5 colonne"),
    (statement(["LIS-1,K,-5.00,pizza,ieri"]), "valori non validi in amount, service, paid_at"),
])
def test_bad_statements_import_nothing(client, leporano, content, expected):
    response = upload(client, content)
    assert response.status_code == 400
    assert expected in response.content.decode() and "nulla è stato importato" in response.content.decode()
    with scope(comune=leporano):
        assert not EstrattoLIS.objects.exists()


def test_a_top_up_no_statement_lists_after_n_days_is_an_anomaly(client, leporano, alice_children, config_leporano):
    topup(leporano, alice_children[0], "LIS-OLD", "5.00", when=timezone.now() - datetime.timedelta(days=9))
    topup(leporano, alice_children[0], "LIS-NEW", "5.00", when=timezone.now())
    body = client.get(url("lis_senza_estratto")).content.decode()
    assert "LIS-OLD" in body and "LIS-NEW" not in body
    assert "1 ricarica PuntoLIS non compare" in client.get(url("lis_indice")).content.decode()


def test_other_comuni_and_families_do_not_reach_the_statements(client, dora, alice, leporano, alice_children, topups):
    upload(client, statement([row("LIS-1", alice_children[0], "25.00")]))
    with scope(comune=leporano):
        pk = EstrattoLIS.objects.get().pk
    for user in (dora, alice):
        client.force_login(user)
        for address in (url("lis_indice"), url("lis_estratto", pk=pk), url("lis_senza_estratto"),
                        url("lis_estratto_export", pk=pk, formato="xlsx")):
            assert client.get(address).status_code == 404
    client.force_login(dora)
    assert client.get(url("lis_estratto", comune="pulsano", pk=pk)).status_code == 404


def test_a_top_up_notified_after_the_statement_is_reconciled_by_the_rematch(client, leporano, alice_children,
                                                                            config_leporano):
    from pagamenti.riconciliazione.tasks import fdr_cartella_import

    upload(client, statement([row("LIS-LATE", alice_children[0], "25.00")]))
    topup(leporano, alice_children[0], "LIS-LATE", "25.00")
    fdr_cartella_import()  # the hourly run re-matches what is still open
    with scope(comune=leporano):
        assert RigaEstrattoLIS.objects.get().stato == StatoRigaLIS.RICONCILIATO
        assert EstrattoLIS.objects.get().anomalie == 0
