"""The issue's "done when", on the demo data: cancel tomorrow, operator attendance, debit, warning, suspension."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.management import call_command
from django_scopes import scope

from comuni.models import Comune
from consumatori.models import Consumatore
from demo import data
from mensa.models import Sospensione
from notifiche.models import Notifica
from pagamenti.models import Servizio
from pagamenti.selectors import saldo

from .conftest import MONDAY, TUESDAY


def test_the_demo_canteen_day(client, clock, db, django_capture_on_commit_callbacks):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    leporano = Comune.objects.get(slug="leporano")
    famiglia = "lucia.debellis@leporano.example"
    with scope(comune=leporano):
        children = list(Consumatore.objects.filter(tutori__utente__email=famiglia).order_by("pk"))
        before = {c.pk: saldo(consumatore=c, servizio=Servizio.MENSA) for c in children}
    assert before[children[1].pk] == Decimal("-4.10")

    # The family cancels tomorrow for the first child and sees it.
    login = {"login": famiglia, "password": data.DEMO_PASSWORD_FAMIGLIA}
    assert client.post("/login/leporano/", login).status_code == 302
    first = children[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/leporano/mensa/consumatori/{first.pk}/assenze/", {"dal": TUESDAY.isoformat()},
                               follow=True)
    assert "Assenza registrata" in response.content.decode()

    # The operator (who set up the second factor at the first login) marks today's attendance.
    from comuni.models import User
    from tests.comuni.test_secondo_fattore import totp_now
    from tests.factories import totp_activate

    totp_activate(User.objects.get(email="operatore.mensa@leporano.example"))
    operatore = type(client)()
    response = operatore.post("/login/leporano/", {"login": "operatore.mensa@leporano.example",
                                                   "password": data.DEMO_PASSWORD_OPERATORE})
    response = operatore.post(response["Location"], {"code": totp_now()})
    assert response["Location"] == "/leporano/mensa/operatore/"
    page = operatore.get("/leporano/mensa/operatore/").content.decode()
    assert first.cognome in page
    operatore.post("/leporano/mensa/operatore/presenza/", {"consumatore": first.pk, "presente": "1"})

    # The nightly debit runs; the family sees the meal consumed and the balance lower by exactly the tariff.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("mensa_debit", "--date", MONDAY.isoformat(), stdout=open("/dev/null", "w"))  # noqa: SIM115
    with scope(comune=leporano):
        after = saldo(consumatore=first, servizio=Servizio.MENSA)
    assert after == before[first.pk] - Decimal("4.10")
    body = client.get(f"/leporano/consumatori/{first.pk}/?mese=2026-11").content.decode()
    assert "pasto consumato" in body.split('id="g20261123"')[1].split("</li>")[0]
    assert f"{after} €".replace(".", ",") in body

    # The child one meal in debit is warned at two, then suspended at five meals.
    day = TUESDAY
    for _ in range(20):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("mensa_debit", "--date", day.isoformat(), stdout=open("/dev/null", "w"))  # noqa: SIM115
        with scope(comune=leporano):
            if Sospensione.objects.filter(consumatore=children[1]).exists():
                break
        day += datetime.timedelta(1)
    with scope(comune=leporano):
        assert Sospensione.objects.filter(consumatore=children[1]).exists()
        titoli = list(Notifica.objects.filter(consumatore=children[1]).order_by("id").values_list("titolo", flat=True))
    assert any("2 pasti a debito" in t for t in titoli)
    assert [i for i, t in enumerate(titoli) if "2 pasti a debito" in t][0] < [
        i for i, t in enumerate(titoli) if "sospeso" in t][0]
