""""I miei dati" lists the family's devices that get push notifications, lets it remove one, puts them in
the download (without their keys), and an accepted erasure removes them; another family's device id is
refused."""

from __future__ import annotations

import json

import pytest
from django_scopes import scope

from comuni.dati_personali import richiesta_cancellazione_create, richiesta_cancellazione_decide
from notifiche.models import DispositivoPush
from tests.factories import UserFactory

PAGE = "/leporano/i-miei-dati/"
P256DH = "B" + "A" * 86
AUTH = "A" * 22


def device(comune, user, nome, host="fcm.googleapis.com"):
    with scope(comune=comune):
        return DispositivoPush.objects.create(comune=comune, user=user, nome=nome, p256dh=P256DH, auth=AUTH,
                                              endpoint=f"https://{host}/fcm/send/{nome}-{user.pk}")


def remaining(comune):
    with scope(comune=comune):
        return sorted(DispositivoPush.objects.values_list("nome", flat=True))


@pytest.fixture
def phones(leporano, alice):
    return device(leporano, alice, "Android di Alice"), device(leporano, alice, "iPhone", "web.push.apple.com")


def test_the_family_sees_its_devices_and_removes_one(client, leporano, alice, phones):
    android, _iphone = phones
    client.force_login(alice)
    page = client.get(PAGE).content.decode()
    assert "Android di Alice" in page and "iPhone" in page and "web.push.apple.com" in page
    response = client.post(f"{PAGE}dispositivi/{android.pk}/rimuovi/")
    assert response.status_code == 302 and response["Location"] == PAGE
    assert remaining(leporano) == ["iPhone"]
    page = client.get(PAGE).content.decode()
    assert "Dispositivo rimosso" in page and "Android di Alice" not in page


def test_another_familys_device_is_refused_and_never_shown(client, leporano, pulsano, alice, charlie, phones):
    android, _iphone = phones
    neighbour = UserFactory(email="vicina@example.org")
    client.force_login(neighbour)
    assert "Android di Alice" not in client.get(PAGE).content.decode()
    assert client.post(f"{PAGE}dispositivi/{android.pk}/rimuovi/").status_code == 404
    client.force_login(charlie)  # a family of Pulsano, through its own comune's page
    assert client.post(f"/pulsano/i-miei-dati/dispositivi/{android.pk}/rimuovi/").status_code == 404
    assert client.get(f"{PAGE}dispositivi/{android.pk}/rimuovi/").status_code == 405
    assert remaining(leporano) == ["Android di Alice", "iPhone"]


def test_the_download_lists_the_devices_without_their_keys(client, leporano, alice, phones):
    client.force_login(alice)
    response = client.get(f"{PAGE}json/")
    data = json.loads(response.content)
    assert sorted((d["nome"], d["servizio_di_notifica"]) for d in data["dispositivi_push"]) == [
        ("Android di Alice", "fcm.googleapis.com"), ("iPhone", "web.push.apple.com")]
    assert P256DH not in response.content.decode() and "/fcm/send/" not in response.content.decode()
    assert "dispositivo_push;iPhone;" in client.get(f"{PAGE}csv/").content.decode()


def test_an_accepted_erasure_removes_the_devices(leporano, alice, bob, phones):
    richiesta = richiesta_cancellazione_create(user=alice, comune=leporano)
    richiesta_cancellazione_decide(richiesta=richiesta, staff=bob, accolta=True, motivazione="Richiesta accolta.")
    assert remaining(leporano) == []
