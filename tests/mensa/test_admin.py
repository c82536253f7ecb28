"""The school office manages the canteen in the admin, limited to its comune."""

from __future__ import annotations

import pytest
from django_scopes import scope

from mensa.models import Sospensione

from .conftest import MONDAY


@pytest.mark.parametrize("model", ["calendario", "chiusura", "tariffa", "iscrizionemensa", "assenza", "presenza",
                                   "sospensione"])
def test_the_office_opens_every_canteen_list(client, bob, mensa_alice, model):
    client.force_login(bob)
    assert client.get(f"/admin/mensa/{model}/").status_code == 200


def test_the_office_adds_a_closure_for_its_comune(client, bob, leporano, mensa_alice):
    client.force_login(bob)
    response = client.post("/admin/mensa/chiusura/add/", {
        "data_inizio": "2026-12-01", "data_fine": "2026-12-01", "motivo": "Elezioni", "scuola": "", "classe": "",
    })
    assert response.status_code == 302
    with scope(comune=leporano):
        from mensa.models import Chiusura

        assert Chiusura.objects.get().comune == leporano


def test_the_office_lifts_a_suspension_with_a_reason(client, bob, leporano, alice_children, mensa_alice):
    with scope(comune=leporano):
        sospensione = Sospensione.objects.create(comune=leporano, consumatore=alice_children[0], dal=MONDAY,
                                                 saldo=-20.5, episodio="x:0")
    client.force_login(bob)
    url = f"/admin/mensa/sospensione/{sospensione.pk}/change/"
    assert client.get(url).status_code == 200
    client.post(url, {"motivo_revoca": "Piano di rientro"})
    with scope(comune=leporano):
        sospensione.refresh_from_db()
        assert sospensione.revocata_da == bob and sospensione.al is not None


def test_another_comunes_staff_gets_404(client, dora, leporano, alice_children, mensa_alice):
    with scope(comune=leporano):
        sospensione = Sospensione.objects.create(comune=leporano, consumatore=alice_children[0], dal=MONDAY,
                                                 saldo=-20.5, episodio="x:0")
    client.force_login(dora)
    assert client.get(f"/admin/mensa/sospensione/{sospensione.pk}/change/").status_code == 404


def test_a_tariff_change_closes_the_old_enrolment_first(leporano, alice_children, mensa_alice):
    import datetime

    from django.core.exceptions import ValidationError

    from mensa.models import ISCRIZIONE_SOVRAPPOSTA_ERROR, IscrizioneMensa

    with scope(comune=leporano):
        nuova = IscrizioneMensa(comune=leporano, consumatore=alice_children[0], tariffa=mensa_alice,
                                data_inizio=datetime.date(2027, 1, 7))
        with pytest.raises(ValidationError) as error:
            nuova.full_clean()
        assert str(ISCRIZIONE_SOVRAPPOSTA_ERROR) in str(error.value)
        vecchia = alice_children[0].iscrizioni_mensa.get()
        vecchia.data_fine = datetime.date(2027, 1, 6)
        vecchia.full_clean()
        vecchia.save()
        nuova.full_clean()
