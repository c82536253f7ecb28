"""The reminder letter has two pages, the comune's letter and then the national avviso: its default text
sends the family to the next page, not "qui sotto"; the texts comuni kept from the old default say so too."""

from __future__ import annotations

import importlib

import pypdfium2
from django.apps import apps
from django.core import mail
from django.urls import reverse
from django_scopes import scope

from tests.factories import ConsumatoreFactory, TutoreFactory
from ufficio.models import TESTO_PRIMO, TESTO_SECONDO, ImpostazioniSolleciti

from .conftest import pasti

PAGINA_SEGUENTE = "con l'avviso di pagamento pagoPA alla pagina seguente"
migrazione = importlib.import_module("ufficio.migrations.0007_testi_avviso_pagina_seguente")


def _pages(pdf: bytes) -> list[str]:
    """Each page's text with its lines joined (the letter's body is justified over several lines)."""
    return [" ".join(page.get_textpage().get_text_range().split()) for page in pypdfium2.PdfDocument(pdf)]


def test_the_first_reminder_points_to_the_avviso_on_the_next_page(
    bob_client, leporano, config_leporano, django_capture_on_commit_callbacks
):
    child = ConsumatoreFactory(comune=leporano, nome="Marta", cognome="Dellisanti")
    TutoreFactory(comune=leporano, consumatore=child, nome="Anna", cognome="Dellisanti", email="anna@example.org")
    pasti(child, 4)
    with django_capture_on_commit_callbacks(execute=True):
        bob_client.post(reverse("ufficio:invio_nuovo", kwargs={"comune": "leporano"}),
                        {"livello": "primo", "conti": [f"{child.pk}:mensa"]})
    (email,) = mail.outbox
    lettera, avviso = _pages(email.attachments[0][1])
    assert f"saldarlo entro 15 giorni {PAGINA_SEGUENTE}, online" in lettera.replace("’", "'")
    assert "qui sotto" not in lettera
    assert "AVVISO DI PAGAMENTO" in avviso and "16,40 Euro" in avviso


def test_no_default_letter_says_below():
    for testo in (TESTO_PRIMO, TESTO_SECONDO):
        assert PAGINA_SEGUENTE in testo and "qui sotto" not in testo


def test_the_upgrade_fixes_the_old_default_and_leaves_a_comunes_own_words(leporano, pulsano):
    with scope(comune=leporano):
        ImpostazioniSolleciti.objects.create(
            comune=leporano,
            testo_primo=TESTO_PRIMO.replace(PAGINA_SEGUENTE, migrazione.VECCHIA),
            testo_secondo=TESTO_SECONDO.replace(PAGINA_SEGUENTE, migrazione.VECCHIA),
        )
    propri = "Gentili genitori, il conto di {nome} è in rosso di {debito} €: l'avviso è qui sotto."
    with scope(comune=pulsano):
        ImpostazioniSolleciti.objects.create(comune=pulsano, testo_primo=propri)

    migrazione.testi_correggi(apps, None)

    with scope(comune=leporano):
        impostazioni = ImpostazioniSolleciti.objects.get(comune=leporano)
    assert (impostazioni.testo_primo, impostazioni.testo_secondo) == (TESTO_PRIMO, TESTO_SECONDO)
    with scope(comune=pulsano):
        assert ImpostazioniSolleciti.objects.get(comune=pulsano).testo_primo == propri
