"""The reminder job in blocks: letters rendered many at a time in one WeasyPrint pass, blocks taken by
several workers, each block counted once and each level sent once whatever is retried or repeated."""

from __future__ import annotations

import smtplib

import pypdfium2
import pytest
import zxingcpp
from django.core import mail
from django.urls import reverse
from django_scopes import scope

from tests.concurrency import run_at_once
from tests.factories import ConsumatoreFactory, TutoreFactory
from ufficio import invio as invio_module
from ufficio.invio import blocco_run, invio_run
from ufficio.lettera import lettera_pdf
from ufficio.models import EsitoEmail, InvioSolleciti, Sollecito, StatoInvio
from ufficio.solleciti import impostazioni_for

from .conftest import pasti, print_letters

NOMI = ["Marta", "Elia", "Noemi", "Pietro", "Giulia"]


def pdf_text(pdf_bytes: bytes) -> tuple[int, str, list[str]]:
    pdf = pypdfium2.PdfDocument(pdf_bytes)
    text = "\n".join(page.get_textpage().get_text_range() for page in pdf)
    codes = [r.text for r in zxingcpp.read_barcodes(pdf[len(pdf) - 1].render(scale=200 / 72).to_pil())]
    return len(pdf), text, codes


@pytest.fixture
def famiglie(leporano, config_leporano):
    """Five children of five families with an e-mail, 4 meals (16,40 €) in debit each."""
    children = []
    for nome in NOMI:
        child = ConsumatoreFactory(comune=leporano, nome=nome, cognome="Dellisanti")
        TutoreFactory(comune=leporano, consumatore=child, nome="Anna", cognome=f"Genitore di {nome}",
                      email=f"{nome.lower()}.famiglia@example.org")
        pasti(child, 4)
        children.append(child)
    return children


def job(leporano, bob, children) -> InvioSolleciti:
    with scope(comune=leporano):
        return InvioSolleciti.objects.create(comune=leporano, livello="primo", creato_da=bob,
                                             conti=[[c.pk, "mensa"] for c in children], totale=len(children))


def test_each_family_gets_its_own_letter_from_the_one_pass_renderer(bob_client, famiglie, leporano,
                                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        bob_client.post(reverse("ufficio:invio_nuovo", kwargs={"comune": "leporano"}),
                        {"livello": "primo", "conti": [f"{c.pk}:mensa" for c in famiglie[:3]]})
    assert len(mail.outbox) == 3
    with scope(comune=leporano):
        for email in mail.outbox:
            sollecito = Sollecito.objects.select_related("consumatore", "posizione", "comune").get(
                destinatari=email.to[0])
            _name, pdf, _mimetype = email.attachments[0]
            pages, text, codes = pdf_text(pdf)
            assert pages == 2  # the letter and its avviso
            assert sollecito.consumatore.nome_completo in text
            assert "16,40 €" in text
            assert sollecito.posizione.numero_avviso_formattato in text
            assert codes == [f"PAGOPA|002|{sollecito.posizione.numero_avviso}|80009290737|1640"]
            # The same letter as the one-letter renderer makes (the office's "lettera" link).
            alone = lettera_pdf(sollecito=sollecito, impostazioni=impostazioni_for(comune=leporano),
                                tutori=list(sollecito.consumatore.tutori.order_by("pk")))
            assert pdf_text(alone)[1:] == (text, codes)


def test_a_job_larger_than_a_block_is_sent_in_blocks_each_counted_once(
    bob_client, famiglie, leporano, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(invio_module, "BLOCCO", 2)
    with django_capture_on_commit_callbacks(execute=True):
        response = bob_client.post(reverse("ufficio:invio_nuovo", kwargs={"comune": "leporano"}),
                                   {"livello": "primo", "conti": [f"{c.pk}:mensa" for c in famiglie]})
    with scope(comune=leporano):
        invio = InvioSolleciti.objects.get()
        assert sorted(invio.blocchi_contati.values_list("inizio", flat=True)) == [0, 2, 4]
        assert (invio.stato, invio.elaborati, invio.inviati, invio.saltati) == (StatoInvio.COMPLETATO, 5, 5, 0)
        assert Sollecito.objects.count() == 5
        # A block delivered again, or the whole job run again: nothing sent, nothing counted twice.
        assert blocco_run(invio=invio, inizio=2) == 0
        invio_run(invio=invio)
        invio.refresh_from_db()
        assert (invio.elaborati, invio.inviati, invio.saltati) == (5, 5, 0)
        assert Sollecito.objects.count() == 5
    assert sorted(e.to[0] for e in mail.outbox) == sorted(f"{n.lower()}.famiglia@example.org" for n in NOMI)
    page = bob_client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'aria-valuenow="100"' in page


def test_the_progress_moves_block_by_block(famiglie, leporano, bob, monkeypatch):
    monkeypatch.setattr(invio_module, "BLOCCO", 2)
    invio = job(leporano, bob, famiglie)
    with scope(comune=leporano):
        assert invio_module.invio_start(invio=invio) == [0, 2, 4]
        blocco_run(invio=invio, inizio=2)
        invio.refresh_from_db()
        assert (invio.elaborati, invio.percentuale, invio.stato) == (2, 40, StatoInvio.IN_CORSO)
        assert invio_module.invio_start(invio=invio) == [0, 4]  # a retried start queues what is left
        invio_run(invio=invio)
        invio.refresh_from_db()
        assert (invio.elaborati, invio.percentuale, invio.stato) == (5, 100, StatoInvio.COMPLETATO)
    assert len(mail.outbox) == 5


def test_a_block_interrupted_after_registering_never_mails_twice_and_its_letters_go_to_print(
    bob_client, famiglie, leporano, bob, monkeypatch, django_capture_on_commit_callbacks
):
    invio = job(leporano, bob, famiglie[:2])

    def crash(**kwargs):
        raise RuntimeError("worker lost")

    with scope(comune=leporano):
        monkeypatch.setattr(invio_module, "lettere_pdf_separate", crash)
        with pytest.raises(RuntimeError):
            invio_run(invio=invio)
        invio.refresh_from_db()
        assert (invio.elaborati, invio.stato) == (0, StatoInvio.IN_CORSO)  # the retry has the block to do
        monkeypatch.undo()
        invio_run(invio=invio)
        invio.refresh_from_db()
        assert (invio.stato, invio.inviati) == (StatoInvio.COMPLETATO, 2)
        assert set(Sollecito.objects.values_list("esito_email", flat=True)) == {EsitoEmail.NESSUNA}
    assert mail.outbox == []
    response = print_letters(bob_client, invio, django_capture_on_commit_callbacks)
    assert len(pypdfium2.PdfDocument(response.content)) == 4  # two letters, each with its avviso


def test_a_refused_address_does_not_stop_the_rest_of_the_block(famiglie, leporano, bob, monkeypatch):
    send = invio_module.EmailMessage.send

    def refuse_elia(self, *args, **kwargs):
        if self.to == ["elia.famiglia@example.org"]:
            raise smtplib.SMTPRecipientsRefused({self.to[0]: (550, b"Mailbox unavailable")})
        return send(self, *args, **kwargs)

    monkeypatch.setattr(invio_module.EmailMessage, "send", refuse_elia)
    invio = job(leporano, bob, famiglie[:3])
    with scope(comune=leporano):
        invio_run(invio=invio)
        esiti = dict(Sollecito.objects.values_list("consumatore__nome", "esito_email"))
    assert esiti == {"Marta": EsitoEmail.INVIATA, "Elia": EsitoEmail.RIMBALZATA, "Noemi": EsitoEmail.INVIATA}
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True)
def test_four_workers_on_two_blocks_send_each_level_once(leporano, bob, config_leporano, monkeypatch):
    monkeypatch.setattr(invio_module, "BLOCCO", 2)
    children = []
    for nome in NOMI[:4]:
        child = ConsumatoreFactory(comune=leporano, nome=nome, cognome="Dellisanti")
        TutoreFactory(comune=leporano, consumatore=child, email=f"{nome.lower()}@example.org")
        pasti(child, 4)
        children.append(child)
    invio = job(leporano, bob, children)

    def worker(n):
        with scope(comune=leporano):
            fresh = InvioSolleciti.objects.select_related("comune").get(pk=invio.pk)
            return blocco_run(invio=fresh, inizio=[0, 0, 2, 2][n])

    assert sum(run_at_once(worker, 4)) == 4
    with scope(comune=leporano):
        invio.refresh_from_db()
        assert (invio.stato, invio.elaborati, invio.inviati) == (StatoInvio.COMPLETATO, 4, 4)
        assert Sollecito.objects.count() == 4
    assert sorted(e.to[0] for e in mail.outbox) == sorted(f"{n.lower()}@example.org" for n in NOMI[:4])
