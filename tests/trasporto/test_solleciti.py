"""Reminders: one e-mail per debt threshold crossed, never twice, again after the debt was paid."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core import mail
from django.test import TestCase
from django_scopes import scope

from notifiche.models import Notifica
from pagamenti.models import Servizio, TipoMovimento
from pagamenti.services import movimento_register
from tests.factories import ConsumatoreFactory, TutoreFactory
from trasporto.models import SollecitoTrasporto
from trasporto.services import impostazioni_for, mensilita_debit
from trasporto.solleciti import solleciti_trasporto_run


def _run(comune):
    # Portal messages e-mail their copy once the transaction commits.
    with scope(comune=comune), TestCase.captureOnCommitCallbacks(execute=True):
        return solleciti_trasporto_run(comune=comune)


def _debit(comune, *mesi):
    with scope(comune=comune):
        for mese in mesi:
            mensilita_debit(comune=comune, mese=mese)


def test_a_family_gets_one_email_per_threshold(leporano_trasporto, alice, alice_children, enrol):
    child = alice_children[0]
    enrol(child)
    with scope(comune=leporano_trasporto):
        impostazioni = impostazioni_for(comune=leporano_trasporto)
        impostazioni.soglie_sollecito = "25,50"
        impostazioni.save()
    _debit(leporano_trasporto, "2026-04")
    assert _run(leporano_trasporto) == 1
    assert mail.outbox[0].to == ["alice@example.org"]
    assert "25,00 €" in mail.outbox[0].body
    assert "Leonardo" in mail.outbox[0].subject
    with scope(comune=leporano_trasporto):
        message = Notifica.objects.get(user=alice)
    assert message.consumatore == child and "25,00 €" in message.testo
    assert _run(leporano_trasporto) == 0  # same debt, same threshold: nothing new
    _debit(leporano_trasporto, "2026-05")
    assert _run(leporano_trasporto) == 1
    assert "50,00 €" in mail.outbox[1].body
    assert _run(leporano_trasporto) == 0
    assert len(mail.outbox) == 2


def test_after_paying_a_new_debt_is_reminded_again(leporano_trasporto, alice, alice_children, enrol):
    child = alice_children[0]
    enrol(child)
    _debit(leporano_trasporto, "2026-04")
    assert _run(leporano_trasporto) == 1
    with scope(comune=leporano_trasporto):
        movimento_register(consumatore=child, servizio=Servizio.TRASPORTO, tipo=TipoMovimento.RICARICA_PAGOPA,
                           importo=Decimal("25.00"), data_valuta=datetime.date(2026, 4, 10), chiave="avviso:1")
    assert _run(leporano_trasporto) == 0
    with scope(comune=leporano_trasporto):
        assert SollecitoTrasporto.objects.get().chiuso_il is not None
    _debit(leporano_trasporto, "2026-05")
    assert _run(leporano_trasporto) == 1
    assert len(mail.outbox) == 2


def test_crossing_several_thresholds_at_once_sends_one_email(leporano_trasporto, alice, alice_children, enrol):
    enrol(alice_children[0])
    _debit(leporano_trasporto, "2026-04", "2026-05", "2026-06")
    assert _run(leporano_trasporto) == 1
    with scope(comune=leporano_trasporto):
        assert sorted(SollecitoTrasporto.objects.values_list("soglia", flat=True)) == [Decimal("25"), Decimal("50")]
    assert "75,00 €" in mail.outbox[0].body


def test_the_canteen_account_does_not_count(leporano_trasporto, alice, alice_children):
    with scope(comune=leporano_trasporto):
        movimento_register(consumatore=alice_children[0], servizio=Servizio.MENSA, tipo=TipoMovimento.PASTO,
                           importo=Decimal("-80.00"), data_valuta=datetime.date(2026, 4, 10), chiave="pasto:x")
    assert _run(leporano_trasporto) == 0


def test_guardian_emails_without_an_account_are_used(leporano_trasporto, enrol):
    child = ConsumatoreFactory(comune=leporano_trasporto, nome="Pietro")
    TutoreFactory(comune=leporano_trasporto, consumatore=child, email="nonna@example.org")
    enrol(child)
    _debit(leporano_trasporto, "2026-04")
    _run(leporano_trasporto)
    assert mail.outbox[0].to == ["nonna@example.org"]
