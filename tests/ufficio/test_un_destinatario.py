"""One e-mail per recipient: a child's two guardians (separated parents) never see each other's address, on
any flow that e-mails families: the office's reminder letters, the bus reminders, the portal messages.
A bounce of one guardian's copy still marks the right reminder (DSNs written from RFC 3464, as in
test_rimbalzi)."""

from __future__ import annotations

from django.core import mail
from django.core.management import call_command
from django.test import TestCase
from django_scopes import scope

from notifiche.services import notifica_send
from tests.factories import ConsumatoreFactory, TutoreFactory, UserFactory
from tests.trasporto.conftest import enrol, fermate, leporano_trasporto, linea  # noqa: F401 - fixtures
from tests.trasporto.test_solleciti import _debit
from trasporto.solleciti import solleciti_trasporto_run
from ufficio.models import EsitoEmail, Sollecito

from .conftest import pasti
from .test_rimbalzi import dsn, esito, maildir_with, original_headers
from .test_solleciti import send

PADRE = "marco.lacaita@example.org"


def assert_one_guardian_per_message(guardians: set[str]) -> None:
    assert mail.outbox
    for message in mail.outbox:
        recipients = {a.lower() for a in message.to + message.cc + message.bcc}
        assert len(recipients) == 1, recipients
        others = guardians - recipients
        raw = message.message().as_string()
        assert not any(other in raw for other in others), f"{recipients} sees another guardian's address"
    reached = {a.lower() for m in mail.outbox for a in m.to}
    assert reached == guardians


def test_a_reminder_letter_goes_to_each_guardian_alone_and_a_bounce_marks_it(
    bob_client, alice, alice_children, config_leporano, leporano, tmp_path, django_capture_on_commit_callbacks
):
    sofia = alice_children[1]
    with scope(comune=leporano):
        TutoreFactory(comune=leporano, consumatore=sofia, nome="Marco", cognome="Lacaita", email=PADRE)
    pasti(sofia, 6)
    send(bob_client, conti=[sofia], capture=django_capture_on_commit_callbacks)
    assert_one_guardian_per_message({alice.email, PADRE})
    with scope(comune=leporano):
        sollecito = Sollecito.objects.get()
    assert sollecito.esito_email == EsitoEmail.INVIATA
    ids = {m.message()["Message-ID"] for m in mail.outbox}
    assert len(ids) == 2  # each copy its own Message-ID (RFC 5322 §3.6.4)

    # The father's mailbox is gone: the DSN returns his copy's headers and names his address.
    [copia_padre] = [m for m in mail.outbox if m.to == [PADRE]]
    diagnostic = f"smtp; 550 5.1.1 <{PADRE}>: Recipient address rejected: User unknown"
    _box, url = maildir_with(tmp_path, dsn(recipient=PADRE, diagnostic=diagnostic,
                                           returned=original_headers(copia_padre)))
    call_command("rimbalzi_leggi", casella=url, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert esito(sollecito) == (EsitoEmail.RIMBALZATA, f"{PADRE}: 5.1.1 {diagnostic}")


def test_a_bus_reminder_goes_to_each_guardian_alone(leporano_trasporto, enrol):  # noqa: F811
    child = ConsumatoreFactory(comune=leporano_trasporto, nome="Pietro")
    with scope(comune=leporano_trasporto):
        TutoreFactory(comune=leporano_trasporto, consumatore=child, email="mamma.pietro@example.org")
        TutoreFactory(comune=leporano_trasporto, consumatore=child, email="papa.pietro@example.org")
    enrol(child)
    _debit(leporano_trasporto, "2026-04")
    with scope(comune=leporano_trasporto), TestCase.captureOnCommitCallbacks(execute=True):
        solleciti_trasporto_run(comune=leporano_trasporto)
    assert_one_guardian_per_message({"mamma.pietro@example.org", "papa.pietro@example.org"})


def test_a_portal_message_to_both_guardians_is_one_email_each(leporano, alice, alice_children,
                                                              django_capture_on_commit_callbacks):
    padre = UserFactory(email=PADRE)
    with scope(comune=leporano), django_capture_on_commit_callbacks(execute=True):
        for user in (alice, padre):
            notifica_send(comune=leporano, user=user, consumatore=alice_children[0], titolo="Menu di dicembre",
                          testo="Il menu di dicembre è pubblicato.")
    assert_one_guardian_per_message({alice.email, PADRE})
