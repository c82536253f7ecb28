"""The families' letters: one per guardian, prepared as an Esportazione, e-mailed to those with an address,
with a one-time linking code (stored hashed) for a guardian without a codice fiscale; another comune's office
cannot download them; a guardian imported with a codice fiscale logs in through the test identity provider
and sees the children."""

from __future__ import annotations

import io

import pypdfium2
from django.core import mail
from django.test import Client
from django_scopes import scope

from attivazione.anagrafe.importa import anagrafe_importa
from consumatori.linking import codice_collegamento_redeem
from consumatori.models import CodiceCollegamento, Tutore
from ufficio.models import Esportazione, StatoEsportazione


def _testo(pdf: bytes) -> str:
    documento = pypdfium2.PdfDocument(io.BytesIO(pdf))
    try:
        return "\n".join(documento[i].get_textpage().get_text_range() for i in range(len(documento)))
    finally:
        documento.close()


def test_letters_are_prepared_mailed_and_downloaded_by_the_office_only(pronto, workbook, bob, dora, alice,
                                                                    django_capture_on_commit_callbacks):
    anagrafe_importa(comune=pronto, files=[("a.xlsx", workbook)], applica=True)
    client = Client()
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/leporano/ufficio/attivazione/lettere/")
    assert response.status_code == 302
    with scope(comune=pronto):
        esportazione = Esportazione.objects.get(report="lettere_famiglie")
        assert esportazione.stato == StatoEsportazione.COMPLETATO  # Celery runs eagerly in the tests
        # Paolo (2 children), Rosa, and Alice (recorded without an e-mail, already linked: no code)
        assert esportazione.parametri == {"lettere": 3, "email": 2}
        codici = list(CodiceCollegamento.objects.select_related("tutore"))
    assert [c.tutore.nome for c in codici] == ["Rosa"]  # no codice fiscale on record: a code
    assert client.get(response["Location"]).status_code == 200
    pdf = client.get(f"/leporano/ufficio/report/esportazioni/{esportazione.pk}/file").content
    testo = _testo(pdf)
    assert "NUOVO SISTEMA INFORMATIZZATO OMNIBUS" in testo and "/login/leporano/" in testo
    assert "entro le ore 09:00" in testo and "LEPO" in testo and "RICARICA" in testo and "PuntoLIS" in testo
    assert "-12,50" in testo and "Giulia Caramia" in testo and "Codice di collegamento" in testo
    assert "Senza glutine" not in testo and "Fascia" not in testo  # no health or ISEE data

    assert sorted(m.to[0] for m in mail.outbox) == ["paolo.caramia@example.org", "rosa.dimitri@example.org"]
    rosa = next(m for m in mail.outbox if m.to == ["rosa.dimitri@example.org"])
    lettera = _testo(rosa.attachments[0][1])
    assert "Anna Dimitri" in lettera and "Giulia" not in lettera
    codice = lettera.split("entro 30 giorni): ")[1].split()[0]
    with scope(comune=pronto):
        assert codici[0].impronta != codice.replace("-", "")  # stored hashed
    tutore = codice_collegamento_redeem(comune=pronto, user=alice, code=codice)
    assert tutore.consumatore.nome == "Anna"

    for other in (dora, alice):
        stranger = Client()
        stranger.force_login(other)
        assert stranger.get(f"/leporano/ufficio/report/esportazioni/{esportazione.pk}/file").status_code in (403, 404)
        assert stranger.get(f"/pulsano/ufficio/report/esportazioni/{esportazione.pk}/file").status_code in (403, 404)


def test_without_guardians_the_export_fails_with_a_reason(leporano, bob, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/leporano/ufficio/attivazione/lettere/")
    with scope(comune=leporano):
        esportazione = Esportazione.objects.get()
    assert esportazione.stato == StatoEsportazione.ERRORE and "anagrafe" in esportazione.errore
    with scope(comune=leporano):
        assert not Tutore.objects.exists()
