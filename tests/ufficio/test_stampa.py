"""The letters of a reminder job to print and post (those without e-mail, or bounced): one PDF prepared in
the background as an export of kind "lettere", followed on the job's page, downloaded by the comune's office."""

from __future__ import annotations

import datetime

import pypdfium2
import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from comuni.models import Ruolo
from comuni.services import incarico_assign
from tests.concurrency import run_at_once
from tests.factories import ConsumatoreFactory, TutoreFactory, UserFactory, totp_activate
from ufficio import stampa as stampa_module
from ufficio.esportazioni import esportazione_run
from ufficio.invio import invio_run
from ufficio.models import EsitoEmail, Esportazione, InvioSolleciti, Sollecito, StatoEsportazione
from ufficio.solleciti import sollecito_bounce
from ufficio.stampa import INTERROTTA, NESSUNA_LETTERA, stampa_create

from .conftest import pasti, print_letters

# Created in this order, printed in alphabetical order of surname.
SENZA_EMAIL = [("Zaccaria", "Bruno"), ("Abate", "Chiara"), ("Mele", "Dario"), ("Conte", "Elena"), ("Russo", "Ivo")]


@pytest.fixture
def invio(leporano, bob, config_leporano):
    """A 1° sollecito to six families: five without e-mail (to print), one delivered by e-mail."""
    children = []
    for cognome, nome in [*SENZA_EMAIL, ("Greco", "Marta")]:
        child = ConsumatoreFactory(comune=leporano, nome=nome, cognome=cognome)
        TutoreFactory(comune=leporano, consumatore=child, nome="Genitore", cognome=cognome,
                      email="marta.famiglia@example.org" if nome == "Marta" else "")
        pasti(child, 2)
        children.append(child)
    with scope(comune=leporano):
        job = InvioSolleciti.objects.create(comune=leporano, livello="primo", creato_da=bob,
                                            conti=[[c.pk, "mensa"] for c in children], totale=len(children))
        invio_run(invio=job)
        assert job.solleciti.exclude(esito_email=EsitoEmail.INVIATA).count() == 5
    return job


def urls(invio, esportazione=None, comune="leporano") -> dict[str, str]:
    kwargs = {"comune": comune, "pk": invio.pk}
    result = {"invio": reverse("ufficio:invio", kwargs=kwargs),
              "stampa": reverse("ufficio:invio_stampa", kwargs=kwargs)}
    if esportazione is not None:
        kwargs = {"comune": comune, "pk": esportazione.pk}
        result["pagina"] = reverse("ufficio:esportazione", kwargs=kwargs)
        result["file"] = reverse("ufficio:esportazione_scarica", kwargs=kwargs)
    return result


def stampe(leporano) -> list[Esportazione]:
    with scope(comune=leporano):
        return list(Esportazione.objects.order_by("pk"))


def test_the_click_prepares_the_letters_in_batches_and_the_jobs_page_offers_the_pdf(
    bob_client, invio, leporano, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(stampa_module, "LOTTO", 2)
    render = stampa_module.lettere_pdf
    seen = []

    def lettere_pdf(*, lettere):
        # The progress the page polls, read as each batch starts.
        seen.append((len(lettere), Esportazione.objects.get().percentuale))
        return render(lettere=lettere)

    monkeypatch.setattr(stampa_module, "lettere_pdf", lettere_pdf)
    response = print_letters(bob_client, invio, django_capture_on_commit_callbacks)

    assert seen == [(2, 5), (2, 39), (1, 73)]  # 5 + 85% of the letters done before each batch
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="solleciti-da-stampare-{invio.pk}.pdf"'
    pdf = pypdfium2.PdfDocument(response.content)
    assert len(pdf) == 10  # two pages per letter (the letter, its avviso), the e-mailed one left out
    pages = [pdf[i].get_textpage().get_text_range() + pdf[i + 1].get_textpage().get_text_range()
             for i in range(0, len(pdf), 2)]
    assert [next(n for c, n in SENZA_EMAIL if f"{n} {c}" in text) for text in pages] == [
        "Chiara", "Elena", "Dario", "Ivo", "Bruno"]
    assert all("Marta" not in text and "AVVISO DI PAGAMENTO" in text for text in pages)
    [esportazione] = stampe(leporano)
    assert (esportazione.report, esportazione.invio_id) == ("lettere", invio.pk)
    assert esportazione.parametri == {"invio": invio.pk, "lettere": 5}
    page = bob_client.get(urls(invio)["invio"], HTTP_HX_REQUEST="true").content.decode()
    assert f"solleciti-da-stampare-{invio.pk}.pdf" in page
    assert urls(invio)["stampa"] not in page  # ready: no second button for the same letters


def test_a_second_click_while_it_is_prepared_gets_the_same_export(
    bob_client, invio, leporano, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr("ufficio.tasks.esportazione_task.delay", lambda *args: queued.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        bob_client.post(urls(invio)["stampa"])
        bob_client.post(urls(invio)["stampa"])
    [esportazione] = stampe(leporano)
    assert queued == [(leporano.pk, esportazione.pk)]
    page = bob_client.get(urls(invio)["invio"]).content.decode()
    assert urls(invio, esportazione)["pagina"] in page and 'hx-trigger="every 1s"' in page  # its bar, polling
    assert urls(invio)["stampa"] not in page
    with scope(comune=leporano):
        esportazione_run(esportazione=Esportazione.objects.select_related("comune").get())
    assert bob_client.get(urls(invio, esportazione)["pagina"], HTTP_HX_REQUEST="true").content.decode().count(
        urls(invio, esportazione)["file"]) == 1


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_queue_one_export(leporano, bob, invio, monkeypatch):
    queued = []
    monkeypatch.setattr(stampa_module, "_enqueue", lambda esportazione: queued.append(esportazione.pk))

    def click(n):
        with scope(comune=leporano):
            return stampa_create(invio=InvioSolleciti.objects.select_related("comune").get(pk=invio.pk),
                                 creato_da=bob).pk

    first, second = run_at_once(click, 2)
    assert first == second and queued == [first]
    assert [e.pk for e in stampe(leporano)] == [first]


def test_only_the_comunes_office_downloads_the_letters(
    bob_client, dora_client, alice, invio, leporano, django_capture_on_commit_callbacks
):
    assert print_letters(bob_client, invio, django_capture_on_commit_callbacks).status_code == 200
    [esportazione] = stampe(leporano)
    leporano_urls = urls(invio, esportazione)
    family = Client()
    family.force_login(alice)
    pulsano_urls = urls(invio, esportazione, comune="pulsano")
    for name in ("invio", "pagina", "file"):
        # Pulsano's office and a family under Leporano: refused; Pulsano's office with Leporano's ids
        # under its own comune: not found.
        assert dora_client.get(leporano_urls[name]).status_code == 403
        assert family.get(leporano_urls[name]).status_code == 403
        assert dora_client.get(pulsano_urls[name]).status_code == 404
    assert dora_client.post(pulsano_urls["stampa"]).status_code == 404
    assert dora_client.post(leporano_urls["stampa"]).status_code == 403
    assert family.post(leporano_urls["stampa"]).status_code == 403
    assert Client().get(leporano_urls["file"]).status_code == 302  # to the login

    # A colleague in Leporano's office prints what the office sent; a report stays its author's.
    collega = UserFactory(email="collega@example.org")
    incarico_assign(user=collega, comune=leporano, ruolo=Ruolo.UFFICIO_SCUOLA)
    totp_activate(collega)
    collega_client = Client()
    collega_client.force_login(collega)
    response = collega_client.get(leporano_urls["file"])
    assert response.status_code == 200 and len(pypdfium2.PdfDocument(response.content)) == 10
    with django_capture_on_commit_callbacks(execute=True):
        bob_client.post(reverse("ufficio:esportazione_nuova", kwargs={"comune": "leporano"}),
                        {"report": "saldi", "al": "2026-10-31", "formato": "csv"})
    report = stampe(leporano)[-1]
    assert report.report == "saldi"
    assert collega_client.get(urls(invio, report)["file"]).status_code == 404
    assert bob_client.get(urls(invio, report)["file"]).status_code == 200


def test_when_every_letter_went_by_email_nothing_is_queued(
    bob_client, leporano, bob, alice_children, config_leporano, django_capture_on_commit_callbacks
):
    sofia = alice_children[1]
    pasti(sofia, 2)
    with scope(comune=leporano):
        invio = InvioSolleciti.objects.create(comune=leporano, livello="primo", creato_da=bob,
                                              conti=[[sofia.pk, "mensa"]], totale=1)
        invio_run(invio=invio)
    assert urls(invio)["stampa"] not in bob_client.get(urls(invio)["invio"]).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = bob_client.post(urls(invio)["stampa"])
    assert response["Location"] == urls(invio)["invio"]
    assert [str(m) for m in get_messages(response.wsgi_request)] == [str(NESSUNA_LETTERA)]
    assert stampe(leporano) == []


def test_a_failed_print_says_so_and_a_new_click_starts_again(
    bob_client, invio, leporano, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise OSError("font non trovato")

    monkeypatch.setattr(stampa_module, "lettere_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        bob_client.post(urls(invio)["stampa"])
    [failed] = stampe(leporano)
    assert (failed.stato, failed.errore, failed.contenuto) == (StatoEsportazione.ERRORE, "font non trovato", None)
    # What the polled bar turns into, and the job's page: one button to try again.
    partial = bob_client.get(urls(invio, failed)["pagina"], HTTP_HX_REQUEST="true").content.decode()
    page = bob_client.get(urls(invio)["invio"]).content.decode()
    for html in (partial, page):
        assert "Esportazione non riuscita" in html and html.count(f'action="{urls(invio)["stampa"]}"') == 1
        assert 'hx-trigger="every 1s"' not in html  # nothing left to poll
    assert bob_client.get(urls(invio, failed)["file"]).status_code == 404
    monkeypatch.undo()
    response = print_letters(bob_client, invio, django_capture_on_commit_callbacks)
    assert len(pypdfium2.PdfDocument(response.content)) == 10
    assert [e.stato for e in stampe(leporano)] == [StatoEsportazione.ERRORE, StatoEsportazione.COMPLETATO]


def test_a_print_lost_with_its_worker_is_started_again_after_the_deadline(
    bob_client, invio, leporano, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        bob_client.post(urls(invio)["stampa"])  # queued, never run: the worker died
    [lost] = stampe(leporano)
    with scope(comune=leporano):
        Esportazione.objects.filter(pk=lost.pk).update(
            creato_il=timezone.now() - stampa_module.SCADENZA - datetime.timedelta(minutes=1))
    response = print_letters(bob_client, invio, django_capture_on_commit_callbacks)
    assert len(pypdfium2.PdfDocument(response.content)) == 10
    lost, new = stampe(leporano)
    assert (lost.stato, lost.errore, new.stato) == (StatoEsportazione.ERRORE, INTERROTTA, StatoEsportazione.COMPLETATO)
    with scope(comune=leporano):  # its message delivered at last: nothing to do
        assert esportazione_run(esportazione=Esportazione.objects.get(pk=lost.pk)).contenuto is None


def test_a_letter_bounced_later_is_printed_by_a_new_click(
    bob_client, invio, leporano, django_capture_on_commit_callbacks
):
    first = print_letters(bob_client, invio, django_capture_on_commit_callbacks)
    with scope(comune=leporano):
        sollecito_bounce(sollecito=Sollecito.objects.get(esito_email=EsitoEmail.INVIATA), errore="550 unknown user")
    page = bob_client.get(urls(invio)["invio"]).content.decode()
    assert "Stampa le 6 lettere senza e-mail (PDF)" in page
    second = print_letters(bob_client, invio, django_capture_on_commit_callbacks)
    assert (len(pypdfium2.PdfDocument(first.content)), len(pypdfium2.PdfDocument(second.content))) == (10, 12)
