"""The FdR REST client against a fake FdR server written from openapi/fdr_organization.json (fake_fdr.py)."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from pagamenti.riconciliazione.api import FdrApiError, FdrClient, flusso_from_api
from pagamenti.riconciliazione.flusso import ESITO_PAY_STATUS, PAY_STATUS_ESITO, FlussoNonValido
from pagamenti.riconciliazione.models import (
    ConfigurazioneRiconciliazione,
    EsitoPagamento,
    FlussoRendicontazione,
    OrigineFlusso,
    PagamentoRendicontato,
    StatoRiconciliazione,
)
from pagamenti.riconciliazione.sincronizza import fdr_api_sync

from .fake_fdr import FakeFdr
from .fdr import paid_position

KEY = "chiave-fdr-di-prova"
ORG = "80009290737"


@pytest.fixture
def fake():
    server = FakeFdr(KEY)
    yield server
    server.close()


def payment(index, iuv, pay, status="EXECUTED", transfer=1):
    return {"index": index, "iuv": iuv, "iur": f"IUR{index:05d}", "idTransfer": transfer, "pay": pay,
            "payStatus": status, "payDate": "2026-11-25T10:00:00Z"}


def client_for(fake, **kwargs):
    return FdrClient(base_url=fake.url, api_key=KEY, organization_id=ORG, backoff=0.01, **kwargs)


@pytest.fixture
def paid(leporano, alice, alice_children, config_leporano):
    return [paid_position(leporano, alice, alice_children[n % 2], f"{10 + n}.00", chiave=f"p{n}") for n in range(5)]


def test_the_payStatus_enum_maps_onto_the_xml_outcome_codes():
    assert {status: str(code) for status, code in PAY_STATUS_ESITO.items()} == {
        "EXECUTED": "0", "REVOKED": "3", "STAND_IN": "4", "STAND_IN_NO_RPT": "8", "NO_RPT": "9"}
    assert set(ESITO_PAY_STATUS) == set(EsitoPagamento.values)


def test_it_imports_every_published_flow_across_pages_once(fake, leporano, pulsano, paid):
    fake.add_flow(org=ORG, fdr="2026-11-27SELBIT2B-0000001", psp="60000000001",
                  payments=[payment(n + 1, p.iuv, float(p.importo)) for n, p in enumerate(paid[:4])])
    fake.add_flow(org=ORG, fdr="2026-11-27SELBIT2B-0000002", psp="60000000001",
                  payments=[payment(1, paid[4].iuv, 14.0, status="STAND_IN"), payment(2, paid[4].iuv, 1.0,
                                                                                        status="REVOKED",
                                                                                        transfer=2)])
    fake.add_flow(org=pulsano.codice_fiscale, fdr="2026-11-27SELBIT2B-0000009", psp="60000000001",
                  payments=[payment(1, paid[0].iuv, 10.0)])
    with scope(comune=leporano):
        esiti = fdr_api_sync(comune=leporano, client=client_for(fake, page_size=3))
        assert [e.creato for e in esiti] == [True, True]
        rows = dict(PagamentoRendicontato.objects.filter(esito__in=["0", "4"]).values_list("iuv", "stato"))
        assert rows == {p.iuv: StatoRiconciliazione.RICONCILIATO for p in paid}
        revoked = PagamentoRendicontato.objects.get(esito=EsitoPagamento.REVOCATO)
        assert revoked.stato == StatoRiconciliazione.REVOCATO and revoked.indice == 2
        first = FlussoRendicontazione.objects.get(identificativo="2026-11-27SELBIT2B-0000001")
        assert first.origine == OrigineFlusso.API and first.numero_calcolato == 4 and first.psp_id == "SELBIT2B"
        assert first.importo_dichiarato == Decimal("46.00") and first.data_regolamento.isoformat() == "2026-11-26"
    paths = [path for path, _query, _id in fake.requests]
    assert sum(p.endswith("/payments") for p in paths) == 3  # 4 payments at 3 a page, then 2
    assert all(q.get("size") == "3" and int(q["page"]) >= 1 for p, q, _ in fake.requests if p.endswith("/fdrs"))
    fake.requests.clear()
    with scope(comune=leporano):
        assert fdr_api_sync(comune=leporano, client=client_for(fake)) == []
    assert [p for p, _q, _id in fake.requests] == [f"/fdr-org/service/v1/organizations/{ORG}/fdrs"]


def test_totals_declared_by_the_api_that_do_not_add_up_are_an_anomaly(fake, leporano, paid):
    fake.add_flow(org=ORG, fdr="FDR-TOT", psp="60000000001", payments=[payment(1, paid[0].iuv, 10.0)], tot=2,
                  total=20.0)
    with scope(comune=leporano):
        esito, = fdr_api_sync(comune=leporano, client=client_for(fake))
    assert not esito.flusso.totali_quadrano and "dichiara 2 pagamenti" in esito.avvisi[0]


def test_a_server_error_is_retried_and_a_persistent_one_imports_nothing(fake, leporano, paid, caplog):
    fake.add_flow(org=ORG, fdr="FDR-RETRY", psp="60000000001", payments=[payment(1, paid[0].iuv, 10.0)])
    fake.fail_next = 1
    caplog.set_level(logging.INFO, logger="pagamenti.riconciliazione.api")
    with scope(comune=leporano):
        assert [e.creato for e in fdr_api_sync(comune=leporano, client=client_for(fake))] == [True]
    sent_ids = [request_id for _p, _q, request_id in fake.requests]
    assert all(sent_ids) and sent_ids[0] in caplog.text and "HTTP 500" in caplog.text
    fake.add_flow(org=ORG, fdr="FDR-DOWN", psp="60000000001", payments=[payment(1, paid[1].iuv, 11.0)])
    fake.fail_next = 99
    with scope(comune=leporano), pytest.raises(FdrApiError, match="HTTP 500"):
        fdr_api_sync(comune=leporano, client=client_for(fake))
    with scope(comune=leporano):
        assert not FlussoRendicontazione.objects.filter(identificativo="FDR-DOWN").exists()


def test_a_wrong_key_is_not_retried_and_a_slow_server_times_out(fake, leporano):
    bad = FdrClient(base_url=fake.url, api_key="sbagliata", organization_id=ORG, backoff=0.01)
    with pytest.raises(FdrApiError, match="HTTP 401"):
        list(bad.flows())
    assert len(fake.requests) == 1
    fake.slow = 0.5
    with pytest.raises(FdrApiError, match="Timeout"):
        list(client_for(fake, timeout=0.1, attempts=2).flows())
    assert len(fake.requests) == 3


def test_the_fake_refuses_what_the_contract_does_not_allow(fake):
    client = client_for(fake)
    with pytest.raises(FdrApiError, match="HTTP 400"):
        client._get(f"/organizations/{ORG}/fdrs", {"size": 1001})
    with pytest.raises(FdrApiError, match="HTTP 400"):
        client._get(f"/organizations/{ORG}/fdrs", {"pagina": 1})
    with pytest.raises(FdrApiError, match="HTTP 404"):
        client._get(f"/organizations/{ORG}/paymentoptions")


def test_malformed_api_data_is_listed_not_imported():
    head = {"fdr": "X", "regulation": "", "regulationDate": "ieri", "fdrDate": "2026-11-27T07:00:00Z",
            "sender": {"id": "S"}, "receiver": {"organizationId": ORG}, "totPayments": 1, "sumPayments": 1}
    with pytest.raises(FlussoNonValido) as error:
        flusso_from_api(head, [{"index": 1, "iuv": "1", "iur": "2", "idTransfer": 9, "pay": Decimal("0.001"),
                                "payStatus": "PAID", "payDate": "2026-11-25T10:00:00Z"}, {"index": 2}])
    text = " ".join(error.value.errori)
    for expected in ("manca «regulation»", "«regulationDate» non è una data", "«pay» = 0.001",
                     "«payStatus» = PAID", "«idTransfer» deve essere tra 1 e 5", "Pagamento n. 2: mancano iuv"):
        assert expected in text


def test_the_office_button_fetches_new_flows(client, bob, fake, leporano, paid,
                                             django_capture_on_commit_callbacks):
    fake.add_flow(org=ORG, fdr="FDR-BOTTONE", psp="60000000001", payments=[payment(1, paid[0].iuv, 10.0)])
    client.force_login(bob)
    address = reverse("pagamenti:riconciliazione:sincronizza", kwargs={"comune": "leporano"})
    response = client.post(address, follow=True)
    assert "API FdR non configurata" in response.content.decode()
    with scope(comune=leporano):
        ConfigurazioneRiconciliazione.objects.create(comune=leporano, fdr_api_url=fake.url, fdr_api_key=KEY)
    page = client.get(reverse("pagamenti:riconciliazione:indice", kwargs={"comune": "leporano"})).content.decode()
    assert "Scarica i nuovi flussi da pagoPA" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(address)
    response = client.get(reverse("pagamenti:riconciliazione:indice", kwargs={"comune": "leporano"}))
    assert response.status_code == 200 and "FDR-BOTTONE" in response.content.decode()
