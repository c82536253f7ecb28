"""Solleciti: the office sends a reminder level; each one is a letter with a pagoPA avviso for exactly
the debt, posted in the portal and e-mailed, registered once per level and debt episode."""

from __future__ import annotations

import datetime
import smtplib
from decimal import Decimal

import pypdfium2
import pytest
import zxingcpp
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from notifiche.models import Notifica
from pagamenti.models import Posizione, StatoPosizione
from pagamenti.pagopa.services import posizione_simulate_psp_payment
from tests.concurrency import run_at_once
from tests.factories import ConsumatoreFactory, TutoreFactory
from ufficio.invio import invio_run
from ufficio.models import EsitoEmail, InvioSolleciti, Sollecito, StatoInvio

from .conftest import pasti, print_letters, ricarica

NUOVO = reverse("ufficio:invio_nuovo", kwargs={"comune": "leporano"})


def decode_qr(pdf_bytes: bytes) -> tuple[int, list[str]]:
    pdf = pypdfium2.PdfDocument(pdf_bytes)
    image = pdf[len(pdf) - 1].render(scale=200 / 72).to_pil()  # the avviso follows the letter
    return len(pdf), [r.text for r in zxingcpp.read_barcodes(image)]


@pytest.fixture
def sofia(alice_children, config_leporano):
    child = alice_children[1]
    pasti(child, 6)  # 24,60 € in debit
    return child


@pytest.fixture
def senza_email(leporano, config_leporano):
    child = ConsumatoreFactory(comune=leporano, nome="Gaia", cognome="Fanelli")
    TutoreFactory(comune=leporano, consumatore=child, nome="Rosa", cognome="Fanelli", email="")
    pasti(child, 2)
    return child


def send(client, livello="primo", conti=(), tutti=False, query="", capture=None):
    data = {"livello": livello, "conti": [f"{c.pk}:mensa" for c in conti]}
    if tutti:
        data["tutti"] = "on"
    with capture(execute=True):
        return client.post(f"{NUOVO}?{query}", data)


def test_a_first_reminder_reaches_the_family_with_an_avviso_for_exactly_the_debt(
    bob_client, sofia, leporano, alice, django_capture_on_commit_callbacks
):
    response = send(bob_client, conti=[sofia], capture=django_capture_on_commit_callbacks)
    with scope(comune=leporano):
        invio = InvioSolleciti.objects.get()
        sollecito = Sollecito.objects.select_related("posizione").get()
        assert response["Location"] == reverse("ufficio:invio", kwargs={"comune": "leporano", "pk": invio.pk})
        assert (invio.stato, invio.inviati, invio.totale) == (StatoInvio.COMPLETATO, 1, 1)
        assert sollecito.debito == Decimal("24.60") and sollecito.posizione.importo == Decimal("24.60")
        assert sollecito.posizione.righe.get().consumatore == sofia
        assert sollecito.esito_email == EsitoEmail.INVIATA
        notifica = Notifica.objects.get(user=alice)
        assert "1° sollecito" in notifica.titolo
    [email] = mail.outbox
    assert email.to == ["alice@example.org"]
    assert sollecito.posizione.numero_avviso_formattato in email.body
    name, pdf, mimetype = email.attachments[0]
    assert mimetype == "application/pdf"
    pages, codes = decode_qr(pdf)
    # pagoPA avviso QR: PAGOPA|002|<18-digit notice number>|<EC fiscal code>|<amount in cents>
    # (Specifiche Attuative dei Codici Identificativi di Versamento, § QR code; see shared/spec/pagopa.md).
    assert pages == 2  # the letter, then its avviso (the pagoPA national model)
    assert codes == [f"PAGOPA|002|{sollecito.posizione.numero_avviso}|80009290737|2460"]
    page = bob_client.get(response["Location"])
    assert "Completato" in page.content.decode()


def test_a_second_click_a_rerun_and_two_workers_never_send_a_level_twice(
    bob_client, sofia, leporano, django_capture_on_commit_callbacks
):
    send(bob_client, conti=[sofia], capture=django_capture_on_commit_callbacks)
    send(bob_client, conti=[sofia], capture=django_capture_on_commit_callbacks)
    with scope(comune=leporano):
        first, second = InvioSolleciti.objects.order_by("pk")
        invio_run(invio=first)
        assert Sollecito.objects.count() == 1
        assert (second.inviati, InvioSolleciti.objects.get(pk=second.pk).saltati) == (0, 1)
        assert Posizione.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_the_same_job_send_once(leporano, bob, alice_children, config_leporano):
    sofia = alice_children[1]
    pasti(sofia, 3)
    with scope(comune=leporano):
        invio = InvioSolleciti.objects.create(comune=leporano, livello="primo", conti=[[sofia.pk, "mensa"]],
                                              totale=1, creato_da=bob)

    def job(n):
        with scope(comune=leporano):
            return invio_run(invio=InvioSolleciti.objects.select_related("comune").get(pk=invio.pk)).pk

    run_at_once(job, 2)
    with scope(comune=leporano):
        assert Sollecito.objects.count() == 1 and Posizione.objects.count() == 1
    assert len(mail.outbox) == 1


def test_levels_follow_each_other_after_the_minimum_days(
    bob_client, sofia, leporano, django_capture_on_commit_callbacks
):
    send(bob_client, livello="messa_in_mora", conti=[sofia], capture=django_capture_on_commit_callbacks)
    send(bob_client, livello="mora", conti=[sofia], capture=django_capture_on_commit_callbacks)
    send(bob_client, livello="secondo", conti=[sofia], capture=django_capture_on_commit_callbacks)
    with scope(comune=leporano):
        assert Sollecito.objects.count() == 0  # no 1° yet (and a bad level name saves nothing)
    send(bob_client, livello="primo", conti=[sofia], capture=django_capture_on_commit_callbacks)
    send(bob_client, livello="secondo", conti=[sofia], capture=django_capture_on_commit_callbacks)
    with scope(comune=leporano):
        assert list(Sollecito.objects.values_list("livello", flat=True)) == ["primo"]  # 15 days not passed
        Sollecito.objects.update(inviato_il=timezone.now() - datetime.timedelta(days=15))
    send(bob_client, livello="secondo", conti=[sofia], capture=django_capture_on_commit_callbacks)
    with scope(comune=leporano):
        assert sorted(Sollecito.objects.values_list("livello", flat=True)) == ["primo", "secondo"]


def test_a_top_up_covering_the_debt_marks_the_reminder_paid_and_stops_further_levels(
    bob_client, sofia, leporano, django_capture_on_commit_callbacks
):
    send(bob_client, conti=[sofia], capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        ricarica(sofia, "10.00", timezone.localdate())  # not enough: still reminded, not paid
    with scope(comune=leporano):
        assert Sollecito.objects.get().pagato_il is None
    with django_capture_on_commit_callbacks(execute=True):
        ricarica(sofia, "14.60", timezone.localdate())
    with scope(comune=leporano):
        sollecito = Sollecito.objects.select_related("posizione").get()
        assert sollecito.pagato_il is not None
        assert sollecito.posizione.stato == StatoPosizione.ANNULLATA  # paid another way: the avviso is closed
        Sollecito.objects.update(inviato_il=timezone.now() - datetime.timedelta(days=30))
    send(bob_client, livello="secondo", conti=[sofia], capture=django_capture_on_commit_callbacks)
    with scope(comune=leporano):
        assert Sollecito.objects.count() == 1
    page = bob_client.get(reverse("ufficio:solleciti", kwargs={"comune": "leporano"}))
    assert "Pagato" in page.content.decode()


def test_paying_the_reminders_avviso_at_a_psp_marks_it_paid(
    bob_client, sofia, leporano, django_capture_on_commit_callbacks
):
    send(bob_client, conti=[sofia], capture=django_capture_on_commit_callbacks)
    with scope(comune=leporano):
        posizione = Posizione.objects.select_related("comune").get()
        with django_capture_on_commit_callbacks(execute=True):
            posizione_simulate_psp_payment(posizione=posizione)
        sollecito = Sollecito.objects.select_related("posizione").get()
        assert sollecito.posizione.stato == StatoPosizione.PAGATA
        assert sollecito.pagato_il is not None


def test_families_without_email_get_a_printed_letter_in_one_pdf(
    bob_client, sofia, senza_email, leporano, django_capture_on_commit_callbacks
):
    with scope(comune=leporano):
        other = ConsumatoreFactory(comune=leporano, nome="Luca", cognome="Fanelli")
    pasti(other, 1)
    send(bob_client, tutti=True, query="servizio=mensa", capture=django_capture_on_commit_callbacks)
    with scope(comune=leporano):
        invio = InvioSolleciti.objects.get()
        assert invio.inviati == 3
        assert sorted(Sollecito.objects.values_list("esito_email", flat=True)) == ["inviata", "nessuna", "nessuna"]
    response = print_letters(bob_client, invio, django_capture_on_commit_callbacks)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert len(pypdfium2.PdfDocument(response.content)) == 4  # two pages per letter: the letter and its avviso


def test_all_over_a_threshold(bob_client, sofia, senza_email, leporano, django_capture_on_commit_callbacks):
    send(bob_client, tutti=True, query="importo_minimo=10", capture=django_capture_on_commit_callbacks)
    with scope(comune=leporano):
        assert list(Sollecito.objects.values_list("consumatore_id", flat=True)) == [sofia.pk]


def test_a_bounced_email_shows_in_the_register(
    bob_client, sofia, leporano, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"alice@example.org": (550, b"Mailbox unavailable")})

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    send(bob_client, conti=[sofia], capture=django_capture_on_commit_callbacks)
    with scope(comune=leporano):
        assert Sollecito.objects.get().esito_email == EsitoEmail.RIMBALZATA
    page = bob_client.get(reverse("ufficio:solleciti", kwargs={"comune": "leporano"})).content.decode()
    assert "Rimbalzata" in page


def test_nothing_selected_or_another_comunes_consumer_sends_nothing(
    bob_client, sofia, charlie_child, leporano, django_capture_on_commit_callbacks
):
    response = send(bob_client, conti=[], capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    pasti(charlie_child, 3)
    send(bob_client, conti=[charlie_child], capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        bob_client.post(NUOVO, {"livello": "primo", "conti": ["-1:mensa", "x" * 5000]})
    with scope(comune=leporano):
        assert InvioSolleciti.objects.count() == 0 and Sollecito.objects.count() == 0
    assert mail.outbox == []


def test_the_progress_is_polled_with_htmx(bob_client, sofia, leporano, django_capture_on_commit_callbacks):
    send(bob_client, conti=[sofia], capture=django_capture_on_commit_callbacks)
    with scope(comune=leporano):
        invio = InvioSolleciti.objects.get()
    url = reverse("ufficio:invio", kwargs={"comune": "leporano", "pk": invio.pk})
    partial = bob_client.get(url, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert 'aria-valuenow="100"' in partial.content.decode()
    assert "<html" not in partial.content.decode()


def test_other_comunes_and_families_never_see_the_office_pages(
    bob_client, dora_client, alice, sofia, leporano, django_capture_on_commit_callbacks
):
    send(bob_client, conti=[sofia], capture=django_capture_on_commit_callbacks)
    with scope(comune=leporano):
        invio = InvioSolleciti.objects.get()
        sollecito = Sollecito.objects.get()
    family = Client()
    family.force_login(alice)
    urls = [
        reverse("ufficio:invio", kwargs={"comune": "leporano", "pk": invio.pk}),
        reverse("ufficio:lettera", kwargs={"comune": "leporano", "pk": sollecito.pk}),
        reverse("ufficio:solleciti", kwargs={"comune": "leporano"}),
    ]
    for url in urls:
        assert dora_client.get(url).status_code == 403
        assert family.get(url).status_code == 403
        # Pulsano's office with Leporano's ids under its own comune: not found.
        assert dora_client.get(url.replace("/leporano/", "/pulsano/")).status_code in (404, 200)
    assert dora_client.get(urls[0].replace("/leporano/", "/pulsano/")).status_code == 404
    assert dora_client.get(urls[1].replace("/leporano/", "/pulsano/")).status_code == 404
    assert dora_client.post(NUOVO, {"livello": "primo", "conti": [f"{sofia.pk}:mensa"]}).status_code == 403
    stampa = reverse("ufficio:invio_stampa", kwargs={"comune": "leporano", "pk": invio.pk})
    assert dora_client.post(stampa).status_code == 403 and family.post(stampa).status_code == 403
    assert dora_client.post(stampa.replace("/leporano/", "/pulsano/")).status_code == 404
