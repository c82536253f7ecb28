"""Bounces of the reminder e-mails: a delivery status notification in the bounce mailbox (a Maildir or an
IMAP folder) turns the reminder "Rimbalzata" in the register and puts its letter among those to print.

The DSNs are written from RFC 3464 (multipart/report of RFC 6522, ex RFC 3462), each field named with its
section; the IMAP server is tests/fakes/imap_server.py, written from RFC 3501.
"""

from __future__ import annotations

import datetime
import ipaddress
import mailbox
import re
import ssl

import pypdfium2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_scopes import scope

from tests.concurrency import run_at_once
from tests.factories import ConsumatoreFactory, TutoreFactory
from tests.fakes.imap_server import SEEN, FakeIMAP
from tests.pagamenti.conftest import configure
from ufficio.casella import casella_leggi
from ufficio.invio import invio_run
from ufficio.models import EsitoEmail, Esportazione, InvioSolleciti, Sollecito
from ufficio.rimbalzi import Esito, intestazioni_for
from ufficio.tasks import rimbalzi_leggi_task

from .conftest import pasti, print_letters
from .test_solleciti import send

REGISTRO = reverse("ufficio:solleciti", kwargs={"comune": "leporano"})
USER_UNKNOWN = "smtp; 550 5.1.1 <alice@example.org>: Recipient address rejected: User unknown"


def dsn(*, recipient: str = "alice@example.org", action: str = "failed", status: str = "5.1.1",
        diagnostic: str = USER_UNKNOWN, returned: str | None = None, extra: str = "") -> bytes:
    """A DSN as an MTA writes it (RFC 3464 §2: multipart/report; report-type=delivery-status, RFC 6522 §3)."""
    third = "" if returned is None else (
        # §2 (c): the returned content, here only the original headers: text/rfc822-headers (RFC 6522 §4).
        "--BOUNDARY\r\nContent-Type: text/rfc822-headers\r\n\r\n" + returned.strip() + "\r\n\r\n")
    return (
        "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\r\n"
        "To: noreply@omnibus.localhost\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Date: Mon, 30 Nov 2026 10:00:00 +0100\r\n"
        "Message-ID: <20261130090000.ABC123@mx.example.org>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"\r\n\r\n'
        # §2 (a): the first part, human readable.
        "--BOUNDARY\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        f"I'm sorry to have to inform you that your message could not be delivered to {recipient}.\r\n\r\n"
        # §2 (b): message/delivery-status. §2.1: per-message fields, a blank line, per-recipient fields.
        "--BOUNDARY\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.org\r\n"  # §2.2.2 (required)
        "Arrival-Date: Mon, 30 Nov 2026 09:59:58 +0100\r\n\r\n"  # §2.2.5
        f"Final-Recipient: rfc822; {recipient}\r\n"  # §2.3.2 (required): address-type; address
        f"Action: {action}\r\n"  # §2.3.3 (required): failed | delayed | delivered | relayed | expanded
        f"Status: {status}\r\n"  # §2.3.4 (required): RFC 3463 code, 5.x.x permanent, 4.x.x transient
        "Remote-MTA: dns; mail.example.org\r\n"  # §2.3.5
        f"Diagnostic-Code: {diagnostic}\r\n"  # §2.3.6: diagnostic-type; the remote server's text
        f"{extra}\r\n"
        f"{third}--BOUNDARY--\r\n"
    ).encode()


def original_headers(message) -> str:
    """The header block of an e-mail we sent (what a DSN returns in its third part)."""
    return message.message().as_string().split("\n\n", 1)[0]


def maildir_with(tmp_path, *messages: bytes) -> tuple[mailbox.Maildir, str]:
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    for raw in messages:
        box.add(raw)  # delivered into new/ as an MTA does
    return box, f"maildir://{tmp_path / 'Maildir'}"


def seen(box: mailbox.Maildir) -> list[bool]:
    return [("S" in box.get_message(k).get_flags()) for k in sorted(box.iterkeys())]


@pytest.fixture
def sent(bob_client, alice_children, config_leporano, leporano, django_capture_on_commit_callbacks):
    """A 1° sollecito e-mailed to alice (Sofia's account, 24,60 € in debit): the sollecito and its e-mail."""
    pasti(alice_children[1], 6)
    send(bob_client, conti=[alice_children[1]], capture=django_capture_on_commit_callbacks)
    with scope(comune=leporano):
        sollecito = Sollecito.objects.get()
    assert sollecito.esito_email == EsitoEmail.INVIATA
    [message] = mail.outbox
    return sollecito, message


def esito(sollecito: Sollecito) -> tuple[str, str]:
    with scope(comune=sollecito.comune):
        fresh = Sollecito.objects.get(pk=sollecito.pk)
    return fresh.esito_email, fresh.errore_email


def test_every_reminder_email_names_its_sollecito_and_bounces_to_the_bounce_address(
    settings, bob_client, alice_children, config_leporano, leporano, django_capture_on_commit_callbacks
):
    settings.BOUNCE_ADDRESS = "rimbalzi@omnibus.localhost"
    pasti(alice_children[1], 2)
    pasti(alice_children[0], 2)
    send(bob_client, conti=alice_children, capture=django_capture_on_commit_callbacks)
    with scope(comune=leporano):
        ids = sorted(Sollecito.objects.values_list("pk", flat=True))
    headers = [m.message() for m in mail.outbox]
    found = sorted(int(re.fullmatch(r"<sollecito-(\d+)\.[0-9a-f]{20}\.0@omnibus\.localhost>", h["Message-ID"]).group(1))
                   for h in headers)
    assert found == ids
    assert all(h["X-Omnibus-Sollecito"] in h["Message-ID"] for h in headers)
    # The envelope sender (RFC 5321 MAIL FROM, where DSNs go) is the bounce address; the From stays.
    assert {m.from_email for m in mail.outbox} == {"rimbalzi@omnibus.localhost"}
    assert {h["From"] for h in headers} == {"Omnibus <noreply@omnibus.localhost>"}


def test_a_dsn_in_the_maildir_marks_the_reminder_bounced_in_the_register_and_to_print(
    sent, tmp_path, bob_client, leporano, django_capture_on_commit_callbacks
):
    sollecito, message = sent
    stampa = reverse("ufficio:invio_stampa", kwargs={"comune": "leporano", "pk": sollecito.invio_id})
    assert bob_client.post(stampa).status_code == 302  # all delivered: nothing to print
    with scope(comune=leporano):
        assert not Esportazione.objects.exists()
    box, url = maildir_with(tmp_path, dsn(returned=original_headers(message)))

    call_command("rimbalzi_leggi", casella=url, stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert esito(sollecito) == (EsitoEmail.RIMBALZATA, f"alice@example.org: 5.1.1 {USER_UNKNOWN}")
    page = bob_client.get(REGISTRO).content.decode()
    assert re.search(r'<span class="badge bg-danger" title="alice@example.org: 5.1.1 smtp; 550 5.1.1 '
                     r'&lt;alice@example.org&gt;: Recipient address rejected: User unknown">Rimbalzata</span>', page)
    with scope(comune=leporano):
        invio = InvioSolleciti.objects.get(pk=sollecito.invio_id)
    response = print_letters(bob_client, invio, django_capture_on_commit_callbacks)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert len(pypdfium2.PdfDocument(response.content)) == 2  # the bounced letter and its avviso, to post
    assert seen(box) == [True]  # read: moved to cur/ with the S flag (maildir(5))
    assert [key.split(":")[0] for key in box.iterkeys()] and not list((tmp_path / "Maildir" / "new").iterdir())


def test_a_delay_notification_changes_nothing(sent, tmp_path):
    sollecito, message = sent
    delayed = dsn(action="delayed", status="4.4.7",  # §2.3.3 delayed, RFC 3463 4.4.7 delivery time expired
                  diagnostic="smtp; 451 4.4.7 Try again later", returned=original_headers(message),
                  extra="Will-Retry-Until: Thu, 3 Dec 2026 10:00:00 +0100\r\n")  # §2.3.8
    box, url = maildir_with(tmp_path, delayed)
    call_command("rimbalzi_leggi", casella=url, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert esito(sollecito) == (EsitoEmail.INVIATA, "")
    assert seen(box) == [True]


def test_the_same_bounce_read_twice_changes_nothing(sent, tmp_path, leporano):
    sollecito, message = sent
    raw = dsn(returned=original_headers(message))
    box, url = maildir_with(tmp_path, raw)
    assert rimbalzi_leggi_task_with(url) == {"segnato": 1}
    assert rimbalzi_leggi_task_with(url) == {}  # already read: skipped
    box.add(raw)  # the MTA delivered it twice
    assert rimbalzi_leggi_task_with(url) == {"già segnato": 1}
    assert esito(sollecito) == (EsitoEmail.RIMBALZATA, f"alice@example.org: 5.1.1 {USER_UNKNOWN}")


@pytest.mark.django_db(transaction=True)
def test_two_readers_at_once_mark_the_reminder_once(leporano, bob, alice_children, tmp_path):
    child = alice_children[1]
    with scope(comune=leporano):
        sollecito = Sollecito.objects.create(comune=leporano, consumatore=child, servizio="mensa", livello="primo",
                                             episodio=f"{child.pk}:0", debito="8.20", inviato_da=bob,
                                             destinatari="alice@example.org", esito_email=EsitoEmail.INVIATA)
    headers = "\r\n".join(f"{k}: {v}" for k, v in intestazioni_for(sollecito).items())
    box, url = maildir_with(tmp_path, *[dsn(returned=headers)] * 3)  # delivered three times

    results = run_at_once(lambda n: casella_leggi(indirizzo=url), 2)

    assert sum(c[Esito.SEGNATO] for c in results) == 1
    assert esito(sollecito)[0] == EsitoEmail.RIMBALZATA
    assert seen(box) == [True, True, True]


def rimbalzi_leggi_task_with(url: str) -> dict[str, int]:
    from django.test import override_settings

    with override_settings(BOUNCE_MAILBOX=url):
        return rimbalzi_leggi_task.apply().result


def test_beat_reads_the_mailbox_every_15_minutes(settings):
    from omnibus.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["ufficio-rimbalzi"]
    assert entry["task"] == rimbalzi_leggi_task.name and rimbalzi_leggi_task.name in app.tasks
    assert entry["schedule"].minute == {0, 15, 30, 45} and len(entry["schedule"].hour) == 24


def test_no_mailbox_reads_nothing(settings):
    settings.BOUNCE_MAILBOX = ""
    assert rimbalzi_leggi_task.apply().result == {}
    with pytest.raises(CommandError, match="BOUNCE_MAILBOX"):
        call_command("rimbalzi_leggi")
    with pytest.raises(CommandError, match="non è una Maildir"):
        call_command("rimbalzi_leggi", casella="maildir:///nonexistent/Maildir")


@pytest.fixture
def pulsano_sent(pulsano, dora):
    """Pulsano e-mailed a reminder to the same address: alice has a child in each comune."""
    configure(pulsano)
    with scope(comune=pulsano):
        child = ConsumatoreFactory(comune=pulsano, nome="Nicola", cognome="Lacaita")
        TutoreFactory(comune=pulsano, consumatore=child, nome="Alice", cognome="Lacaita", email="alice@example.org")
    pasti(child, 3)
    with scope(comune=pulsano):
        invio = InvioSolleciti.objects.create(comune=pulsano, livello="primo", conti=[[child.pk, "mensa"]],
                                              totale=1, creato_da=dora)
        invio_run(invio=invio)
        return Sollecito.objects.get()


def test_a_bounce_of_another_comunes_letter_leaves_ours_alone(sent, pulsano_sent, tmp_path, settings):
    ours, _message = sent
    theirs = mail.outbox[-1]
    forged = original_headers(theirs).replace(f"sollecito-{pulsano_sent.pk}.", f"sollecito-{ours.pk}.")
    box, url = maildir_with(tmp_path, dsn(returned=original_headers(theirs)), dsn(returned=forged))
    call_command("rimbalzi_leggi", casella=url, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert esito(pulsano_sent)[0] == EsitoEmail.RIMBALZATA  # the row's comune decides
    assert esito(ours) == (EsitoEmail.INVIATA, "")  # another comune's token names none of ours
    # Without the original headers, an address both comuni wrote to names no letter (even from a trusted MTA).
    settings.BOUNCE_TRUSTED_MTAS = ["mx.example.org"]
    call_command("rimbalzi_leggi", casella=url, stdout=open("/dev/null", "w"))  # noqa: SIM115
    box.add(dsn())
    call_command("rimbalzi_leggi", casella=url, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert esito(ours) == (EsitoEmail.INVIATA, "")


def test_a_dsn_without_our_signed_message_id_marks_nothing(sent, tmp_path, settings):
    """Anyone can mail the bounce address: a DSN naming only the address (or one of our Message-IDs with a
    token that is not ours) cannot turn a delivered reminder into "Rimbalzata"."""
    sollecito, message = sent
    settings.BOUNCE_TRUSTED_MTAS = ["relay.comune.example"]  # the comune's relay: not the forger's MTA
    unsigned = original_headers(message).replace(sollecito_token(message), "0" * 20)
    box, url = maildir_with(tmp_path, dsn(), dsn(returned=unsigned))
    call_command("rimbalzi_leggi", casella=url, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert esito(sollecito) == (EsitoEmail.INVIATA, "")
    assert seen(box) == [True, True]  # read, and left as "non trovato"


def sollecito_token(message) -> str:
    return message.message()["X-Omnibus-Sollecito"].split(".")[1]


def test_from_a_trusted_mta_without_the_original_headers_the_latest_letter_to_the_address_bounces(
        sent, tmp_path, settings):
    sollecito, _message = sent
    settings.BOUNCE_TRUSTED_MTAS = ["MX.example.org."]  # names compared without case or the root dot
    # A long Diagnostic-Code folded over two lines (RFC 5322 §2.2.3, as RFC 3464 §2.1 fields are).
    folded = dsn(diagnostic="smtp; 550 5.1.1 <alice@example.org>:\r\n    Recipient address rejected: User unknown")
    box, url = maildir_with(tmp_path, dsn(recipient="someone.else@example.org"), folded)
    call_command("rimbalzi_leggi", casella=url, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert esito(sollecito) == (EsitoEmail.RIMBALZATA, f"alice@example.org: 5.1.1 {USER_UNKNOWN}")
    assert seen(box) == [True, True]  # the unknown address's bounce is read too: nothing to do with it


def test_a_qmail_bounce_quoting_the_headers_in_its_body(sent, tmp_path):
    sollecito, message = sent
    # QSBMF (cr.yp.to/proto/qsbmf.txt): intro paragraph, one "<address>:" paragraph per recipient, then
    # a break paragraph "--- Below this line is a copy of the message." and the original message.
    qsbmf = (
        "From: MAILER-DAEMON@mx.example.org\r\nTo: noreply@omnibus.localhost\r\n"
        "Subject: failure notice\r\nDate: Mon, 30 Nov 2026 10:00:00 +0100\r\n\r\n"
        "Hi. This is the qmail-send program at mx.example.org.\r\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\r\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\r\n\r\n"
        "<alice@example.org>:\r\nSorry, no mailbox here by that name. (#5.1.1)\r\n\r\n"
        "--- Below this line is a copy of the message.\r\n\r\n" + original_headers(message) + "\r\n"
    ).encode()
    _box, url = maildir_with(tmp_path, qsbmf)
    call_command("rimbalzi_leggi", casella=url, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert esito(sollecito) == (EsitoEmail.RIMBALZATA, "alice@example.org: rimbalzo permanente (formato non standard)")


GARBAGE = bytes(range(256)) * 4


def test_garbage_is_left_alone_and_the_rest_is_read(sent, tmp_path, caplog):
    sollecito, message = sent
    box, url = maildir_with(
        tmp_path, GARBAGE,
        # No From (RFC 5322 §3.6 requires one): flufl.bounce 6.0.0's Yale detector raises IndexError on it.
        b"Subject: no sender\r\n\r\nHello.\r\n",
        b"From: alice@example.org\r\nSubject: Fuori ufficio\r\n\r\nOut of office until Monday.\r\n",
        dsn(returned=original_headers(message)),
    )
    call_command("rimbalzi_leggi", casella=url, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert esito(sollecito)[0] == EsitoEmail.RIMBALZATA
    flags = {box.get_bytes(k)[:9]: "S" in box.get_message(k).get_flags() for k in box.iterkeys()}
    assert flags == {GARBAGE[:9]: False, b"Subject: ": False, b"From: ali": True, b"From: MAI": True}
    assert "illeggibile" in caplog.text


def test_the_imap_folder_is_read_with_rfc3501_commands(sent, settings):
    sollecito, message = sent
    messages = [GARBAGE, dsn(action="delayed", status="4.2.2", diagnostic="smtp; 452 4.2.2 Mailbox full",
                             returned=original_headers(message)), dsn(returned=original_headers(message))]
    with FakeIMAP(user="rimbalzi@omnibus.localhost", password='p@ss "word"', messages=messages) as fake:
        settings.BOUNCE_MAILBOX = f"imap://rimbalzi%40omnibus.localhost:p%40ss%20%22word%22@127.0.0.1:{fake.port}/INBOX"
        assert rimbalzi_leggi_task.apply().result == {"illeggibile": 1, "transitorio": 1, "segnato": 1}
        assert [SEEN in m.flags for m in fake.messages] == [False, True, True]  # garbage left unseen
        assert rimbalzi_leggi_task.apply().result == {"illeggibile": 1}  # SEARCH UNSEEN: only the garbage again
        assert fake.refused == []
        assert set(fake.commands) <= {"CAPABILITY", "LOGIN", "SELECT", "SEARCH", "FETCH", "STORE", "LOGOUT"}
    assert esito(sollecito)[0] == EsitoEmail.RIMBALZATA


def test_a_refused_imap_login_is_a_readable_error(settings):
    with FakeIMAP(user="rimbalzi", password="giusta", messages=[]) as fake:
        with pytest.raises(CommandError, match="BOUNCE_MAILBOX: 127.0.0.1"):
            call_command("rimbalzi_leggi", casella=f"imap://rimbalzi:sbagliata@127.0.0.1:{fake.port}/INBOX")
        settings.BOUNCE_MAILBOX = f"imap://rimbalzi:giusta@127.0.0.1:{fake.port}/Altra"
        assert rimbalzi_leggi_task.apply().result == {}  # logged; the beat tries again in 15 minutes


def self_signed(tmp_path) -> tuple[ssl.SSLContext, str]:
    """A server TLS context with a certificate for 127.0.0.1, and the certificate's path for the client."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    return server, str(tmp_path / "cert.pem")


def test_imaps_checks_the_servers_certificate(sent, tmp_path, monkeypatch):
    sollecito, message = sent
    server, cafile = self_signed(tmp_path)
    with FakeIMAP(user="rimbalzi", password="segreta", messages=[dsn(returned=original_headers(message))],
                  tls=server) as fake:
        url = f"imaps://rimbalzi:segreta@127.0.0.1:{fake.port}/INBOX"
        # The system's trust store does not know this certificate: refused, nothing read.
        with pytest.raises(CommandError, match="BOUNCE_MAILBOX: 127.0.0.1"):
            call_command("rimbalzi_leggi", casella=url)
        assert esito(sollecito)[0] == EsitoEmail.INVIATA
        trusting = ssl.create_default_context(cafile=cafile)
        monkeypatch.setattr("ufficio.casella.ssl.create_default_context", lambda: trusting)
        call_command("rimbalzi_leggi", casella=url, stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert [SEEN in m.flags for m in fake.messages] == [True]
    assert esito(sollecito)[0] == EsitoEmail.RIMBALZATA
