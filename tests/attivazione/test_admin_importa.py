"""The admin's import page: upload, preview, apply; the template workbook and the column guide; another
comune's staff cannot apply our preview, and staff without a second factor get nothing."""

from __future__ import annotations

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_scopes import scope, scopes_disabled

from attivazione.anagrafe.importa import anagrafe_importa
from attivazione.models import ImportazioneAnagrafe, StatoImportazione
from consumatori.models import Consumatore

URL = "/admin/attivazione/importazioneanagrafe/importa/"


def _upload(client, content: bytes, name="anagrafe.xlsx"):
    return client.post(URL, {"file": SimpleUploadedFile(name, content)})


def test_preview_then_apply(client, bob, pronto, workbook):
    client.force_login(bob)
    preview = _upload(client, workbook)
    assert preview.status_code == 200
    assert "Nessun problema" in preview.content.decode()
    with scope(comune=pronto):
        assert not Consumatore.objects.exists()
        importazione = ImportazioneAnagrafe.objects.get()
    response = client.post(URL, {"applica": "1", "importazione": importazione.pk})
    assert response.status_code == 302
    with scope(comune=pronto):
        assert Consumatore.objects.count() == 3
        importazione.refresh_from_db()
        assert importazione.stato == StatoImportazione.APPLICATA
        assert importazione.contenuto is None  # the personal data of the file are not kept


def test_problems_are_listed_and_nothing_can_be_applied(client, bob, pronto):
    client.force_login(bob)
    response = _upload(client, b"codice_fiscale_alunno;cognome;nome\nXYZ;Rossi;Mario\n", "tutori.csv")
    page = response.content.decode()
    assert "1 problema: nessun dato sarà importato" in page
    assert "Tutore senza alunno" in page and "XYZ" in page
    assert 'name="applica"' not in page
    with scopes_disabled():
        assert not ImportazioneAnagrafe.objects.exists()


def test_another_comunes_staff_cannot_apply_our_preview(client, bob, dora, pronto, pulsano, workbook):
    with scope(comune=pronto):
        anagrafe_importa(comune=pronto, files=[("a.xlsx", workbook)])
        importazione = ImportazioneAnagrafe.objects.create(comune=pronto, nome_file="a.xlsx", contenuto=workbook)
    client.force_login(dora)
    response = client.post(URL, {"applica": "1", "importazione": importazione.pk})
    assert response.status_code == 302
    with scope(comune=pronto):
        assert not Consumatore.objects.exists()
    assert client.get(f"/admin/attivazione/importazioneanagrafe/{importazione.pk}/change/").status_code == 404


def test_staff_without_a_second_factor_get_nothing(bob, pronto):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=bob).delete()
    staff = Client()
    staff.force_login(bob)
    for url in (URL, "/admin/attivazione/importazioneanagrafe/modello.xlsx",
                "/admin/attivazione/importazioneanagrafe/guida/"):
        assert staff.get(url).status_code == 302


def test_template_workbook_and_guide(client, bob, pronto):
    client.force_login(bob)
    response = client.get("/admin/attivazione/importazioneanagrafe/modello.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["scuole", "classi", "alunni", "tutori", "iscrizioni_mensa",
                                   "iscrizioni_trasporto", "saldi"]
    assert [c.value for c in workbook["tutori"][1]][:3] == ["codice_fiscale_alunno", "codice_fiscale", "cognome"]
    guida = client.get("/admin/attivazione/importazioneanagrafe/guida/").content.decode()
    assert "codice_fiscale_alunno" in guida and "la lettera alle famiglie porta un codice di collegamento" in guida


def test_previews_not_applied_within_a_day_lose_their_file(pronto, workbook):
    import datetime

    from django.utils import timezone

    from attivazione.tasks import importazioni_pulisci

    with scope(comune=pronto):
        vecchia = ImportazioneAnagrafe.objects.create(comune=pronto, nome_file="a.xlsx", contenuto=workbook)
        nuova = ImportazioneAnagrafe.objects.create(comune=pronto, nome_file="b.xlsx", contenuto=workbook)
        ImportazioneAnagrafe.objects.filter(pk=vecchia.pk).update(
            creato_il=timezone.now() - datetime.timedelta(days=1, minutes=1))
    assert importazioni_pulisci() == 1
    with scope(comune=pronto):
        vecchia.refresh_from_db()
        nuova.refresh_from_db()
    assert vecchia.contenuto is None and nuova.contenuto is not None
