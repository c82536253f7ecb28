"""A top-up that reaches the ledger is confirmed to the child's family: "Pagamento ricevuto" in Messaggi,
on its phones and on App IO (the model's "Conferma di pagamento", notifiche.io.modello), once per payment,
child and service, never to another family, never by e-mail (the payer has pagoPA's or the PSP's receipt)."""

from __future__ import annotations

from django.core import mail
from django_scopes import scope

from notifiche.models import Notifica
from pagamenti.pagopa.services import ricevuta_receive
from tests.factories import UserFactory

from .test_puntolis import body_for, notify
from .test_ricevute import make_position, receipt


def _messages(comune, **filters):
    with scope(comune=comune):
        return list(Notifica.objects.filter(**filters).order_by("pk").values_list("user__email", "consumatore_id",
                                                                                    "titolo", "testo"))


def test_a_puntolis_top_up_is_confirmed_once_to_the_family(client, leporano, alice, alice_children, charlie,
                                                          config_leporano, io, django_capture_on_commit_callbacks):
    child = alice_children[0]
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(client, body_for(child, "LIS-9", "25.00")).status_code == 201
        assert notify(client, body_for(child, "LIS-9", "25.00")).status_code == 200  # replayed: nothing new
    [(email, consumatore_id, titolo, testo)] = _messages(leporano)
    assert (email, consumatore_id, titolo) == (alice.email, child.pk, "Pagamento ricevuto: 25,00 €")
    assert f"25,00 € per refezione scolastica di {child.nome_completo} (PuntoLIS)" in testo
    assert mail.outbox == []
    [message] = io.messages
    assert message["content"]["subject"] == "Conferma di pagamento"
    assert "payment_data" not in message["content"]


def test_a_paid_avviso_confirms_each_child_and_service_to_every_guardian(leporano, alice, alice_children, charlie,
                                                                       config_leporano,
                                                                       django_capture_on_commit_callbacks):
    second_guardian = UserFactory(email="secondo.genitore@example.org")
    with scope(comune=leporano):
        tutore = alice_children[0].tutori.first()
        tutore.pk, tutore.utente, tutore.nome = None, second_guardian, "Secondo"
        tutore.save()
    posizione = make_position(leporano, alice, alice_children)
    with django_capture_on_commit_callbacks(execute=True), scope(comune=leporano):
        for _ in range(2):  # a receipt read twice (poll and callback) credits and confirms once
            ricevuta_receive(comune=leporano, ricevuta=receipt(posizione), origine="gpd")
    messages = _messages(leporano)
    assert sorted((email, consumatore_id, titolo) for email, consumatore_id, titolo, _t in messages) == sorted([
        (alice.email, alice_children[0].pk, "Pagamento ricevuto: 20,00 €"),
        (second_guardian.email, alice_children[0].pk, "Pagamento ricevuto: 20,00 €"),
        (alice.email, alice_children[1].pk, "Pagamento ricevuto: 15,00 €"),
    ])
    assert "trasporto scolastico" in next(t for _e, c, _ti, t in messages if c == alice_children[1].pk)
    assert _messages(leporano, user=charlie) == []  # another family, another comune: nothing
    assert mail.outbox == []


def test_a_receipt_that_is_not_credited_confirms_nothing(leporano, alice, alice_children, config_leporano,
                                                        django_capture_on_commit_callbacks):
    posizione = make_position(leporano, alice, alice_children)
    with django_capture_on_commit_callbacks(execute=True), scope(comune=leporano):
        ricevuta_receive(comune=leporano, ricevuta=receipt(posizione, importo="1.00"), origine="gpd")  # wrong amount
    assert _messages(leporano) == []
