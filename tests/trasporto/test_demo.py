"""The demo: a Leporano family with children on the bus, the April 2026 fee debited once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scope

from comuni.models import Comune, User
from consumatori.models import Tutore
from demo.trasporto import DEMO_PASSWORD_BUS
from pagamenti.models import Movimento, Servizio
from tests.factories import totp_activate
from trasporto.models import Iscrizione, Linea


@pytest.fixture
def seeded(db):
    call_command("seed_demo")
    return Comune.objects.get(slug="leporano")


def test_the_first_family_has_children_on_the_bus_and_the_april_fee_once(seeded, client):
    call_command("seed_demo")  # twice: nothing doubles
    with scope(comune=seeded):
        tutore = Tutore.objects.filter(utente__isnull=False).select_related("utente", "consumatore").order_by("pk")[0]
        child = tutore.consumatore
        fees = list(Movimento.objects.filter(servizio=Servizio.TRASPORTO).values_list("consumatore_id", "chiave",
                                                                                          "importo"))
        # Two routes in 2025/26 and two in 2026/27 (demo/iscrizioni.py readies one more for 2027/28).
        assert Linea.objects.exclude(anno_scolastico__nome="2027/28").count() == 4
        assert Iscrizione.objects.filter(consumatore=child).count() == 2
    assert sorted(f[2] for f in fees) == [Decimal("-25.00"), Decimal("-20.00"), Decimal("-15.00")]
    assert {f[1] for f in fees} == {"mese:2026-04"}
    assert (child.pk, "mese:2026-04", Decimal("-25.00")) in fees
    client.force_login(tutore.utente)
    body = client.get(reverse("trasporto:consumatore", kwargs={"comune": "leporano", "pk": child.pk})).content.decode()
    assert "Linea 1 – Gandoli" in body
    assert "Gandoli, Via Gandoli, 2" in body
    assert "07:25" in body
    assert "-25,00 €" in body


def test_pulsano_has_routes_but_no_fee_before_its_activation(seeded):
    pulsano = Comune.objects.get(slug="pulsano")
    with scope(comune=pulsano):
        # The enrolment windows of 2027/28 (demo/iscrizioni.py) add a route and an accepted application.
        assert Linea.objects.exclude(anno_scolastico__nome="2027/28").count() == 2
        assert Iscrizione.objects.exclude(linea__anno_scolastico__nome="2027/28").count() == 12
        assert not Movimento.objects.filter(servizio=Servizio.TRASPORTO).exists()


def test_the_demo_driver_opens_the_boarding_page(seeded, client, capsys):
    assert client.login(email="accompagnatore.bus@leporano.example", password=DEMO_PASSWORD_BUS)
    # Drivers see children's names: like operators, they set up the second factor first.
    response = client.get("/leporano/trasporto/bordo/")
    assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")
    totp_activate(User.objects.get(email="accompagnatore.bus@leporano.example"))
    # A factor set up elsewhere does not unlock this session (comuni.access): the driver logs in again.
    client.logout()
    assert client.login(email="accompagnatore.bus@leporano.example", password=DEMO_PASSWORD_BUS)
    body = client.get("/leporano/trasporto/bordo/").content.decode()
    assert "Linea 1 – Gandoli" in body
    assert "Linea 2 – Lido Silvana" not in body
