"""On a fresh demo, the clerk imports the demo FdR and sees every payment reconciled but one planted anomaly."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scope

from comuni.models import Comune, User
from pagamenti.models import Posizione, StatoPosizione
from pagamenti.riconciliazione.models import PagamentoRendicontato, StatoRiconciliazione
from tests.factories import totp_activate


def test_the_demo_flow_reconciles_all_but_the_planted_anomaly(client, db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent: the same file again
    path = tmp_path / "demo" / "fdr" / "FdR-leporano.xml"
    assert path.exists() and (tmp_path / "demo" / "fdr" / "FdR-pulsano.xml").exists()
    clerk = User.objects.get(email="ufficio.scuola@leporano.example")
    totp_activate(clerk)
    client.force_login(clerk)
    address = reverse("pagamenti:riconciliazione:carica", kwargs={"comune": "leporano"})
    response = client.post(address, {"file": SimpleUploadedFile(path.name, path.read_bytes(), "text/xml")})
    assert response.status_code == 302
    leporano = Comune.objects.get(slug="leporano")
    with scope(comune=leporano):
        paid = Posizione.objects.filter(stato=StatoPosizione.PAGATA).count()
        stati = list(PagamentoRendicontato.objects.values_list("stato", flat=True))
    assert len(stati) == paid > 1
    assert sorted(stati) == sorted([StatoRiconciliazione.IMPORTO_DIVERSO] + [StatoRiconciliazione.RICONCILIATO] *
                                   (paid - 1))
    index = client.get(reverse("pagamenti:riconciliazione:indice", kwargs={"comune": "leporano"})).content.decode()
    assert "1 anomalia" in index and "non compare in alcun flusso" not in index
