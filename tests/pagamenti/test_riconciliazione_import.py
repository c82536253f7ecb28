"""FdR import by upload: matching, idempotency, bad input refused with the list of what is wrong."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django_scopes import scope

from pagamenti.pagopa.numero_avviso import notice_number
from pagamenti.riconciliazione.models import FlussoRendicontazione, PagamentoRendicontato, StatoRiconciliazione
from pagamenti.riconciliazione.services import flusso_import_xml, rendicontazione_rematch
from tests.concurrency import run_at_once

from .fdr import flow_xml, paid_position, voce


def url(name, comune="leporano", **kwargs):
    return reverse(f"pagamenti:riconciliazione:{name}", kwargs={"comune": comune, **kwargs})


def upload(client, content: bytes, name="flusso.xml", comune="leporano"):
    return client.post(url("carica", comune=comune), {"file": SimpleUploadedFile(name, content, "text/xml")})


@pytest.fixture
def client(client, bob):
    """Bob, Ufficio scuola of Leporano with his second factor, at the reconciliation pages."""
    client.force_login(bob)
    return client


@pytest.fixture
def paid(leporano, alice, alice_children, config_leporano):
    return [paid_position(leporano, alice, alice_children[0], "25.00", chiave="a"),
            paid_position(leporano, alice, alice_children[1], "40.00", chiave="b")]


def stati(leporano):
    with scope(comune=leporano):
        return dict(PagamentoRendicontato.objects.values_list("iuv", "stato"))


def test_it_reconciles_every_payment_of_a_flow(client, bob, leporano, paid):
    response = upload(client, flow_xml([voce(paid[0].iuv, "25.00"), voce(paid[1].iuv, "40.00")]))
    with scope(comune=leporano):
        flusso = FlussoRendicontazione.objects.get()
    assert response.status_code == 302 and response["Location"] == url("flusso", pk=flusso.pk)
    assert flusso.identificativo_regolamento == "SCT-20261126-0001" and flusso.anomalie == 0
    assert flusso.totali_quadrano and flusso.psp_id == "UNCRITMM" and flusso.importato_da == bob
    assert set(stati(leporano).values()) == {StatoRiconciliazione.RICONCILIATO}
    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert paid[0].iuv in body and "Riconciliato: 2" in body


def test_importing_the_same_flow_twice_changes_nothing(client, bob, leporano, paid):
    content = flow_xml([voce(paid[0].iuv, "25.00"), voce(paid[1].iuv, "40.00")])
    upload(client, content)
    response = upload(client, content, name="di-nuovo.xml")
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("era già stato importato" in m for m in messages)
    changed = upload(client, flow_xml([voce(paid[0].iuv, "25.00")]))  # same id, other content
    assert any("contenuto è diverso" in str(m) for m in changed.wsgi_request._messages)
    with scope(comune=leporano):
        assert FlussoRendicontazione.objects.count() == 1
        assert PagamentoRendicontato.objects.count() == 2


@pytest.mark.parametrize("content, expected", [
    (b"questo non e' XML", "non è XML ben formato"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', "costrutti XML non ammessi"),
    (b"<RicevutaTelematica/>", "non «FlussoRiversamento»"),
])
def test_it_refuses_what_is_not_a_flow(client, bob, leporano, content, expected):
    response = upload(client, content)
    assert response.status_code == 400
    body = response.content.decode()
    assert expected in body and "nulla è stato importato" in body
    with scope(comune=leporano):
        assert not FlussoRendicontazione.objects.exists()


def test_it_lists_every_missing_or_malformed_field(client, bob, leporano, paid):
    content = flow_xml([voce(paid[0].iuv, "25,00"), voce(paid[1].iuv, "40.00", esito="7", data="26/11/2026")],
                       totale="65.00")
    content = content.replace(b"<pay_i:dataRegolamento>2026-11-26</pay_i:dataRegolamento>", b"")
    body = upload(client, content).content.decode()
    for expected in ("manca «dataRegolamento»", "Pagamento n. 1: «singoloImportoPagato» = «25,00»",
                     "Pagamento n. 2: «codiceEsitoSingoloPagamento» = «7»",
                     "Pagamento n. 2: «dataEsitoSingoloPagamento» = «26/11/2026»"):
        assert expected in body
    with scope(comune=leporano):
        assert not FlussoRendicontazione.objects.exists()


def test_a_flow_for_another_ente_is_refused(client, bob, leporano, pulsano, paid):
    body = upload(client, flow_xml([voce(paid[0].iuv, "25.00")], ente=pulsano.codice_fiscale)).content.decode()
    assert "intestato all&#x27;ente 80009310733, non al Comune di Leporano (80009290737)" in body
    with scope(comune=leporano):
        assert not FlussoRendicontazione.objects.exists()


def test_an_iuv_this_comune_never_issued_and_a_duplicate_refuse_the_flow(client, bob, leporano, paid):
    wrong_check = paid[0].iuv[:-2] + ("00" if paid[0].iuv[-2:] != "00" else "01")
    other_segregation = notice_number(codice_segregazione="77", iuv_base="0000000000001")[1:]
    content = flow_xml([voce(paid[0].iuv, "25.00"), voce(wrong_check, "1.00"), voce(other_segregation, "1.00"),
                        voce(paid[0].iuv, "25.00")])
    response = upload(client, content)
    body = response.content.decode()
    assert response.status_code == 400
    assert f"Pagamento n. 2: lo IUV «{wrong_check}» non è stato emesso" in body
    assert f"Pagamento n. 3: lo IUV «{other_segregation}»" in body
    assert f"Pagamenti n. 1 e n. 4: stesso IUV {paid[0].iuv}" in body
    with scope(comune=leporano):
        assert not FlussoRendicontazione.objects.exists() and not PagamentoRendicontato.objects.exists()


def test_anomalies_are_imported_and_shown_first(client, bob, leporano, alice, alice_children, paid):
    pending = paid_position(leporano, alice, alice_children[0], "10.00", chiave="c", pay=False)
    never_issued = notice_number(codice_segregazione="02", iuv_base="9999999999999")[1:]
    content = flow_xml([voce(paid[0].iuv, "25.00"), voce(paid[1].iuv, "39.00"), voce(pending.iuv, "10.00"),
                        voce(never_issued, "5.00", esito="9")], numero=5, totale="100.00")
    response = upload(client, content)
    assert response.status_code == 302
    warnings = " ".join(str(m) for m in response.wsgi_request._messages)
    assert "dichiara 5 pagamenti, il flusso ne contiene 4" in warnings
    assert "dichiara 100.00 €, la somma dei pagamenti è 79.00 €" in warnings
    assert stati(leporano) == {
        paid[0].iuv: StatoRiconciliazione.RICONCILIATO, paid[1].iuv: StatoRiconciliazione.IMPORTO_DIVERSO,
        pending.iuv: StatoRiconciliazione.SENZA_RICEVUTA, never_issued: StatoRiconciliazione.SENZA_RICEVUTA,
    }
    with scope(comune=leporano):
        flusso = FlussoRendicontazione.objects.get()
    assert flusso.anomalie == 3 and not flusso.totali_quadrano
    body = client.get(url("flusso", pk=flusso.pk)).content.decode()
    assert body.index(paid[1].iuv) < body.index(paid[0].iuv)  # anomalies first
    assert "I totali dichiarati dal PSP non corrispondono" in body
    index = client.get(url("indice")).content.decode()
    assert "Totali che non quadrano" in index and "3 anomalie" in index


def test_transfers_of_one_payment_are_summed_and_revocations_flagged(client, bob, leporano, alice, alice_children,
                                                                      paid):
    content = flow_xml([voce(paid[0].iuv, "15.00", indice=1), voce(paid[0].iuv, "10.00", indice=2),
                        voce(paid[1].iuv, "40.00", esito="3")])
    upload(client, content)
    with scope(comune=leporano):
        rows = list(PagamentoRendicontato.objects.order_by("progressivo").values_list("stato", "posizione_id"))
    assert rows == [(StatoRiconciliazione.RICONCILIATO, paid[0].pk), (StatoRiconciliazione.RICONCILIATO, paid[0].pk),
                    (StatoRiconciliazione.REVOCATO, paid[1].pk)]


def test_a_payment_reported_by_two_flows_is_flagged(client, bob, leporano, paid):
    upload(client, flow_xml([voce(paid[0].iuv, "25.00")], identificativo="FLUSSO-A"))
    upload(client, flow_xml([voce(paid[0].iuv, "25.00", iur="ALTRO-IUR")], identificativo="FLUSSO-B"))
    with scope(comune=leporano):
        assert dict(PagamentoRendicontato.objects.values_list("flusso__identificativo", "stato")) == {
            "FLUSSO-A": StatoRiconciliazione.RICONCILIATO, "FLUSSO-B": StatoRiconciliazione.DOPPIO}


def test_a_receipt_arriving_after_the_flow_is_reconciled_by_the_rematch(leporano, alice, alice_children, paid):
    from pagamenti.pagopa.services import posizione_simulate_psp_payment

    pending = paid_position(leporano, alice, alice_children[0], "10.00", chiave="late", pay=False)
    with scope(comune=leporano):
        esito = flusso_import_xml(comune=leporano, contenuto=flow_xml([voce(pending.iuv, "10.00")]),
                                  origine="cartella")
        assert esito.flusso.anomalie == 1
        posizione_simulate_psp_payment(posizione=pending)
        assert rendicontazione_rematch(comune=leporano) == 1
        esito.flusso.refresh_from_db()
        assert esito.flusso.anomalie == 0
        assert rendicontazione_rematch(comune=leporano) == 0
    assert stati(leporano) == {pending.iuv: StatoRiconciliazione.RICONCILIATO}


@pytest.mark.django_db(transaction=True)
def test_two_workers_importing_the_same_flow_store_it_once(leporano, alice, alice_children, config_leporano):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is checked on PostgreSQL")
    posizione = paid_position(leporano, alice, alice_children[0], "25.00")
    content = flow_xml([voce(posizione.iuv, "25.00")])

    def worker(n):
        with scope(comune=leporano):
            return flusso_import_xml(comune=leporano, contenuto=content, origine="cartella").creato

    assert sorted(run_at_once(worker, 3)) == [False, False, True]
    with scope(comune=leporano):
        assert FlussoRendicontazione.objects.count() == 1 and PagamentoRendicontato.objects.count() == 1


def test_an_oversized_file_is_refused_by_the_form(client, bob, leporano, settings):
    settings.FDR_MAX_BYTES = 1024 * 1024
    response = upload(client, b"<x>" + b" " * (1024 * 1024 + 1) + b"</x>")
    assert response.status_code == 400 and "Il file supera 1 MB" in response.content.decode()


def test_a_post_without_file_names_the_field(client, leporano):
    response = client.post(url("carica"), {})
    assert response.status_code == 400 and "Questo campo è obbligatorio" in response.content.decode()


def test_thousands_of_errors_are_listed_up_to_a_limit(client, leporano, config_leporano):
    content = flow_xml([voce(f"{n:017d}", "1.00") for n in range(300)])
    body = upload(client, content).content.decode()
    assert "Pagamento n. 50: lo IUV" in body and "Pagamento n. 60:" not in body
    assert "e altri 250 errori" in body


def test_the_flow_page_makes_the_same_queries_for_2_or_40_payments(client, leporano, alice, alice_children,
                                                                    config_leporano):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    posizioni = [paid_position(leporano, alice, alice_children[0], f"{n + 1}.00", chiave=f"q{n}") for n in range(40)]
    counts = []
    for n, subset in enumerate((posizioni[:2], posizioni)):
        content = flow_xml([voce(p.iuv, str(p.importo)) for p in subset], identificativo=f"FLUSSO-Q{n}")
        location = upload(client, content)["Location"]
        with CaptureQueriesContext(connection) as queries:
            assert client.get(location).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
