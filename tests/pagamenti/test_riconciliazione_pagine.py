"""Reconciliation pages and exports: only Leporano's Ufficio scuola, with the second factor, sees Leporano's."""

from __future__ import annotations

import csv
import io

import pytest
import tablib
from django.urls import reverse
from django_scopes import scope

from comuni.models import Ruolo
from comuni.services import incarico_assign
from pagamenti.riconciliazione.models import ConfigurazioneRiconciliazione
from pagamenti.riconciliazione.services import flusso_import_xml
from tests.factories import UserFactory

from .fdr import flow_xml, paid_position, voce


def url(name, comune="leporano", **kwargs):
    return reverse(f"pagamenti:riconciliazione:{name}", kwargs={"comune": comune, **kwargs})


@pytest.fixture
def flusso(leporano, alice, alice_children, config_leporano):
    reconciled = paid_position(leporano, alice, alice_children[0], "25.00", chiave="a", days_ago=2)
    different = paid_position(leporano, alice, alice_children[1], "40.00", chiave="b", days_ago=2)
    with scope(comune=leporano):
        return flusso_import_xml(comune=leporano, origine="cartella", contenuto=flow_xml([
            voce(reconciled.iuv, "25.00", data="2026-11-25"), voce(different.iuv, "41.00", data="2026-11-25")
        ])).flusso


def all_urls(flusso):
    return [url("indice"), url("flusso", pk=flusso.pk), url("flusso_export", pk=flusso.pk, formato="csv"),
            url("flusso_export", pk=flusso.pk, formato="xlsx"), url("giorni"), url("giorni_export", formato="csv"),
            url("senza_flusso"), url("senza_flusso_export", formato="xlsx")]


def test_the_office_opens_every_page_and_export(client, bob, flusso):
    client.force_login(bob)
    for address in all_urls(flusso):
        assert client.get(address).status_code == 200, address


@pytest.mark.parametrize("who", ["dora", "alice", "operatore"])
def test_others_get_404(client, request, flusso, leporano, who):
    if who == "operatore":
        user = UserFactory()
        incarico_assign(user=user, comune=leporano, ruolo=Ruolo.OPERATORE_MENSA)
        from tests.factories import totp_activate

        totp_activate(user)
    else:
        user = request.getfixturevalue(who)
    client.force_login(user)
    for address in all_urls(flusso):
        assert client.get(address).status_code == 404, address
    assert client.post(url("carica"), {}).status_code == 404


def test_pulsano_staff_on_their_own_comune_do_not_reach_leporano_flows(client, dora, flusso):
    client.force_login(dora)
    assert client.get(url("indice", comune="pulsano")).status_code == 200
    assert flusso.identificativo not in client.get(url("indice", comune="pulsano")).content.decode()
    assert client.get(url("flusso", comune="pulsano", pk=flusso.pk)).status_code == 404
    assert client.get(url("flusso_export", comune="pulsano", pk=flusso.pk, formato="csv")).status_code == 404


def test_anonymous_visitors_go_to_the_login_and_staff_without_second_factor_to_its_setup(client, leporano, flusso):
    response = client.get(url("indice"))
    assert response.status_code == 302 and response["Location"].startswith("/login/leporano/")
    clerk = UserFactory()
    incarico_assign(user=clerk, comune=leporano, ruolo=Ruolo.UFFICIO_SCUOLA)
    client.force_login(clerk)
    response = client.get(url("flusso", pk=flusso.pk))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


def test_an_unknown_export_format_or_flow_is_404(client, bob, flusso):
    client.force_login(bob)
    assert client.get(url("flusso_export", pk=flusso.pk, formato="pdf")).status_code == 404
    assert client.get(url("flusso", pk=flusso.pk + 1000)).status_code == 404


def test_the_flow_export_lists_anomalies_first(client, bob, flusso):
    client.force_login(bob)
    response = client.get(url("flusso_export", pk=flusso.pk, formato="csv"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["riconciliazione"] for r in rows] == ["Importo diverso dalla ricevuta", "Riconciliato"]
    assert rows[0]["importo"] == "41.00" and rows[0]["importo_ricevuta"] == "40.00"
    xlsx = client.get(url("flusso_export", pk=flusso.pk, formato="xlsx"))
    dataset = tablib.Dataset().load(xlsx.content, format="xlsx")
    assert dataset.height == 2 and dataset.headers[1] == "iuv"


def test_receipts_that_no_flow_reports_after_n_days(client, bob, leporano, alice, alice_children, flusso):
    late = paid_position(leporano, alice, alice_children[0], "12.00", chiave="late", days_ago=6)
    recent = paid_position(leporano, alice, alice_children[0], "13.00", chiave="recent", days_ago=1)
    client.force_login(bob)
    body = client.get(url("senza_flusso")).content.decode()
    assert late.numero_avviso_formattato in body and recent.numero_avviso_formattato not in body
    assert "1 ricevuta non compare in alcun flusso dopo 5 giorni" in client.get(url("indice")).content.decode()
    with scope(comune=leporano):
        ConfigurazioneRiconciliazione.objects.create(comune=leporano, giorni_attesa_flusso=10)
    assert late.numero_avviso_formattato not in client.get(url("senza_flusso")).content.decode()


def test_the_daily_report_puts_days_with_anomalies_first(client, bob, leporano, alice, alice_children, flusso):
    late = paid_position(leporano, alice, alice_children[0], "12.00", chiave="late", days_ago=8)
    client.force_login(bob)
    response = client.get(url("giorni"), {"dal": "2026-01-01", "al": "2027-12-31"})
    giorni = response.context["giorni"]
    assert all(g.anomalie for g in giorni[:2])
    by_day = {g.giorno.isoformat(): g for g in giorni}
    assert by_day["2026-11-25"].rendicontati == 2 and by_day["2026-11-25"].riconciliati == 1
    assert sum(g.senza_flusso for g in giorni) == 1
    with scope(comune=leporano):
        late.refresh_from_db()
    exported = client.get(url("giorni_export", formato="csv"), {"dal": "2026-01-01", "al": "2027-12-31"})
    assert "ricevute_senza_flusso" in exported.content.decode().splitlines()[0]


@pytest.mark.parametrize("query", [{"dal": "9999-99-99"}, {"dal": "2026-12-01", "al": "2026-01-01"},
                                   {"dal": "1900-01-01", "al": "1900-02-01"}, {"al": "x" * 10000}])
def test_bad_dates_answer_with_a_message_not_an_error(client, bob, flusso, query):
    client.force_login(bob)
    response = client.get(url("giorni"), query)
    assert response.status_code == 200 and response.context["form"].errors
    assert client.get(url("giorni_export", formato="csv"), query).status_code == 200


def test_the_office_sets_the_waiting_days_in_the_admin_and_the_api_key_stays_hidden(client, bob, dora, leporano):
    client.force_login(bob)
    response = client.post(reverse("admin:pagamenti_configurazionericonciliazione_add"), {
        "giorni_attesa_flusso": "7", "fdr_api_url": "https://api.platform.pagopa.it/fdr-org/service/v1",
        "fdr_api_key": "chiave-fdr-riservata"})
    assert response.status_code == 302
    with scope(comune=leporano):
        conf = ConfigurazioneRiconciliazione.objects.get()
    assert conf.giorni_attesa_flusso == 7 and conf.fdr_api_key == "chiave-fdr-riservata"
    change = reverse("admin:pagamenti_configurazionericonciliazione_change", args=[conf.pk])
    assert "chiave-fdr-riservata" not in client.get(change).content.decode()
    client.force_login(dora)
    assert client.get(change).status_code == 404
