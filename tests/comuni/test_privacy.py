"""Privacy: the comune's notice, "I miei dati" (JSON/CSV) and erasure handled by staff."""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled

from comuni.dati_personali import CANCELLAZIONE_MOTIVAZIONE, richiesta_cancellazione_decide
from comuni.models import RichiestaCancellazione, StatoRichiesta, User
from consumatori.models import Tutore
from pagamenti.models import Movimento
from pagamenti.services import movimento_register
from tests.factories import ConsumatoreFactory, TutoreFactory


def _movements(children, leporano, n=1):
    with scope(comune=leporano):
        for child in children:
            for day in range(n):
                movimento_register(
                    consumatore=child, servizio="mensa", tipo="pasto", importo=Decimal("-2.50"),
                    data_valuta=datetime.date(2026, 10, 1) + datetime.timedelta(days=day), chiave=f"pasto-{day}",
                )


def test_the_privacy_notice_page_shows_the_comune_as_controller(client, leporano):
    leporano.informativa_privacy = "Il Comune di Leporano tratta i dati per la mensa."
    leporano.informativa_privacy_versione = "2026-1"
    leporano.save()
    body = client.get("/privacy/leporano/").content.decode()
    assert "Titolare del trattamento: Comune di Leporano" in body
    assert "tratta i dati per la mensa" in body and "2026-1" in body
    assert "nessun cookie di profilazione" in body


def test_only_technical_cookies_are_set(client, alice):
    response = client.post("/login/leporano/", {"login": "alice@example.org", "password": "Password-di-prova-1"})
    assert set(response.cookies) <= {"sessionid", "csrftoken", "messages", "django_language"}


def test_the_family_downloads_its_data_as_json(client, alice, alice_children, charlie_child, leporano):
    _movements(alice_children, leporano)
    client.force_login(alice)
    response = client.get("/leporano/i-miei-dati/json/")
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["account"]["email"] == "alice@example.org"
    assert sorted(c["nome"] for c in data["consumatori"]) == ["Leonardo", "Sofia"]
    assert len(data["movimenti"]) == 2 and data["movimenti"][0]["importo"] == "-2.50"
    assert "Tommaso" not in response.content.decode()  # the neighbour's child


def test_the_csv_has_the_same_data(client, alice, alice_children, leporano):
    _movements(alice_children, leporano)
    client.force_login(alice)
    rows = list(csv.reader(io.StringIO(client.get("/leporano/i-miei-dati/csv/").content.decode()), delimiter=";"))
    assert ["account", "email", "alice@example.org"] in rows
    assert sum(1 for r in rows if r and r[0] == "movimento") == 2


@pytest.mark.parametrize("n", [1, 10])
def test_the_export_takes_a_fixed_number_of_queries(client, alice, alice_children, leporano, n,
                                                     django_assert_num_queries):
    _movements(alice_children, leporano, n=n)
    client.force_login(alice)
    # session, user, comune, children, movements, consents, push devices, enrolment applications
    with django_assert_num_queries(8):
        client.get("/leporano/i-miei-dati/json/")


def test_a_child_of_another_comune_never_appears(client, alice, leporano, pulsano):
    other = ConsumatoreFactory(comune=pulsano, nome="Altrove")
    TutoreFactory(comune=pulsano, consumatore=other, utente=alice)
    client.force_login(alice)
    assert "Altrove" not in client.get("/leporano/i-miei-dati/json/").content.decode()


def test_erasure_anonymises_the_account_and_keeps_the_payments(client, alice, alice_children, bob, leporano):
    _movements(alice_children, leporano)
    client.force_login(alice)
    client.post("/leporano/i-miei-dati/cancellazione/")
    with scope(comune=leporano):
        richiesta = RichiestaCancellazione.objects.get(utente=alice)
    with pytest.raises(Exception) as error:
        richiesta_cancellazione_decide(richiesta=richiesta, staff=bob, accolta=True, motivazione="")
    assert str(CANCELLAZIONE_MOTIVAZIONE) in str(error.value)

    client.force_login(bob)
    client.post(f"/admin/comuni/richiestacancellazione/{richiesta.pk}/change/",
                {"decisione": "accogli", "motivazione": "Nessun servizio attivo"})
    alice = User.objects.get(pk=alice.pk)
    assert alice.email.endswith("@anonimo.invalid") and alice.first_name == "" and not alice.is_active
    assert not alice.has_usable_password()
    with scopes_disabled():
        assert not Tutore.objects.filter(utente=alice).exists()
        assert Movimento.objects.filter(consumatore__in=alice_children).count() == 2  # kept by law
    with scope(comune=leporano):
        assert RichiestaCancellazione.objects.get(pk=richiesta.pk).stato == StatoRichiesta.ACCOLTA


def test_staff_of_another_comune_cannot_handle_the_request(client, alice, dora, leporano):
    client.force_login(alice)
    client.post("/leporano/i-miei-dati/cancellazione/")
    with scope(comune=leporano):
        richiesta = RichiestaCancellazione.objects.get(utente=alice)
    client.force_login(dora)
    assert client.get(f"/admin/comuni/richiestacancellazione/{richiesta.pk}/change/").status_code == 404
