"""seed_demo gives the office a history: the year so far debited, payments on every channel, reminders."""

from __future__ import annotations

import pypdfium2
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from comuni.models import Comune, User
from mensa.models import AddebitoEseguito
from pagamenti.models import Movimento, Ricevuta, TransazioneLIS
from tests.factories import totp_activate
from ufficio.models import EsitoEmail, InvioSolleciti, Sollecito


def test_the_demo_has_an_office_history(db, clock, django_capture_on_commit_callbacks):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - idempotent
    leporano = Comune.objects.get(slug="leporano")
    with scope(comune=leporano):
        assert AddebitoEseguito.objects.count() > 40  # 14 September to yesterday (23 November in this clock)
        assert Movimento.objects.filter(tipo="pasto").count() > 1000
        assert {m for m in Ricevuta.objects.values_list("posizione__modalita", flat=True)} >= {"online", "avviso"}
        assert TransazioneLIS.objects.exists()
        solleciti = list(Sollecito.objects.all())
        assert len(solleciti) == 3 and sum(1 for s in solleciti if s.pagato_il) == 1
        [rimbalzata] = [s for s in solleciti if s.esito_email == "rimbalzata"]  # a DSN read as from the mailbox
        indirizzo = rimbalzata.destinatari.split(",")[0]
        assert rimbalzata.errore_email == f"{indirizzo}: 5.1.1 smtp; 550 5.1.1 <{indirizzo}>: Recipient address " \
                                          "rejected: User unknown"
    ufficio = User.objects.get(email="ufficio.scuola@leporano.example")
    totp_activate(ufficio)
    client = Client()
    client.force_login(ufficio)
    page = client.get(reverse("ufficio:cruscotto", kwargs={"comune": "leporano"}))
    assert page.status_code == 200 and page.context["debiti"]["mensa"]["conti"] > 0
    registro = client.get(reverse("ufficio:solleciti", kwargs={"comune": "leporano"})).content.decode()
    assert "Rimbalzata</span>" in registro
    morosi = client.get(reverse("ufficio:morosi", kwargs={"comune": "leporano"}), {"sollecitati": "si"})
    assert morosi.context["pagina"].totale == 2  # the third paid its letter's avviso

    # The demo job's letters to families without e-mail are ready to print on its page.
    with scope(comune=leporano):
        invio = InvioSolleciti.objects.get()
        da_stampare = invio.solleciti.exclude(esito_email=EsitoEmail.INVIATA).count()
        stampa = invio.stampe.get()
    assert da_stampare > 0 and stampa.stato == "completato"
    page = client.get(reverse("ufficio:invio", kwargs={"comune": "leporano", "pk": invio.pk})).content.decode()
    file_url = reverse("ufficio:esportazione_scarica", kwargs={"comune": "leporano", "pk": stampa.pk})
    assert file_url in page
    assert len(pypdfium2.PdfDocument(client.get(file_url).content)) == 2 * da_stampare  # letter and avviso
