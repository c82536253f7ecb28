"""Kitchen count at the cut-off: per school, class and diet; page, CSV, PDF, and the e-mail, once."""

from __future__ import annotations

import pytest
from django.core import mail
from django_scopes import scope

from comuni.models import Ruolo
from comuni.services import incarico_assign
from mensa.assenze import assenza_create
from mensa.cucina import conteggio_cucina_send
from mensa.models import ConteggioInviato
from mensa.selectors import conteggio_cucina
from tests.factories import UserFactory, totp_activate

from .conftest import MONDAY, SATURDAY


@pytest.fixture
def con_dieta(leporano, alice, alice_children, mensa_alice):
    import datetime

    from mensa.menu.diete import dieta_consumatore_assign
    from mensa.menu.models import TipoDieta

    with scope(comune=leporano):
        tipo = TipoDieta.objects.create(comune=leporano, nome="Senza lattosio", categoria="sanitaria",
                                        allergeni_esclusi=["latte"])
        dieta_consumatore_assign(consumatore=alice_children[1], tipo=tipo, data_inizio=datetime.date(2026, 9, 1))


def test_it_counts_meals_per_school_class_and_diet_in_three_queries(
    leporano, alice, alice_children, con_dieta, django_assert_num_queries, clock
):
    with scope(comune=leporano), django_assert_num_queries(3):
        righe = conteggio_cucina(comune=leporano, giorno=MONDAY)
    assert [(r.classe, r.dieta, r.pasti) for r in righe] == [("3ª B", "", 1), ("3ª B", "Senza lattosio", 1)]
    with scope(comune=leporano):
        assenza_create(consumatore=alice_children[0], dal=MONDAY, registrata_da=alice)
        righe = conteggio_cucina(comune=leporano, giorno=MONDAY)
    assert [(r.dieta, r.pasti) for r in righe] == [("Senza lattosio", 1)]


def test_no_service_no_meals(leporano, con_dieta):
    with scope(comune=leporano):
        assert conteggio_cucina(comune=leporano, giorno=SATURDAY) == []


def test_staff_see_the_page_the_csv_and_the_pdf(client, clock, bob, con_dieta):
    client.force_login(bob)
    page = client.get("/leporano/mensa/cucina/?giorno=2026-11-23")
    assert page.status_code == 200
    assert "Senza lattosio" in page.content.decode()
    csv = client.get("/leporano/mensa/cucina/pasti.csv?giorno=2026-11-23")
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode()
    assert text.splitlines()[0] == "scuola;classe;dieta;pasti;bambini con dieta sanitaria"
    assert "TOTALE;;;2;" in text
    pdf = client.get("/leporano/mensa/cucina/pasti.pdf?giorno=2026-11-23")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_families_cannot_see_the_count(client, clock, alice, con_dieta):
    client.force_login(alice)
    assert client.get("/leporano/mensa/cucina/").status_code == 403


def test_an_operator_sees_only_their_schools(client, clock, leporano, con_dieta):
    from tests.factories import ScuolaFactory

    user = UserFactory(email="op@example.org")
    incarico_assign(user=user, comune=leporano, ruolo=Ruolo.OPERATORE_MENSA,
                    scuole=[ScuolaFactory(comune=leporano, nome="Altra scuola")])
    totp_activate(user)
    client.force_login(user)
    assert "servizio non disponibile" in client.get("/leporano/mensa/cucina/?giorno=2026-11-23").content.decode()


def test_the_count_is_emailed_to_the_kitchen_once(leporano, con_dieta, clock):
    leporano.email_ristorazione = "cucina@example.org"
    leporano.save()
    with scope(comune=leporano):
        assert conteggio_cucina_send(comune=leporano, giorno=MONDAY) is True
        assert conteggio_cucina_send(comune=leporano, giorno=MONDAY) is False
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["cucina@example.org"]
    assert "pasti del 23/11/2026 (2)" in message.subject
    assert [a[0] for a in message.attachments] == ["pasti-2026-11-23.csv", "pasti-2026-11-23.pdf"]


def test_the_beat_task_sends_after_the_cut_off_only(leporano, pulsano, con_dieta, clock):
    from mensa.tasks import kitchen_counts_due

    leporano.email_ristorazione = "cucina@example.org"
    leporano.save()
    clock.set(MONDAY, 8, 55)
    assert kitchen_counts_due() == 0
    clock.set(MONDAY, 9, 5)
    assert kitchen_counts_due() == 1
    assert kitchen_counts_due() == 0  # already sent today
    assert len(mail.outbox) == 1
    with scope(comune=leporano):
        assert ConteggioInviato.objects.get(giorno=MONDAY).pasti == 2
