"""App IO as a second channel, against a local fake of IO's Services API (tests/fakes/io_server.py,
written from teamdigitale/io-functions-services openapi/index.yaml): profile check, one message per
notification, payment data for avvisi, retries, and a clear state for staff when the key is refused."""

from __future__ import annotations

import pytest
from django.core import mail
from django_scopes import scope

from notifiche.io.messaggi import content_of
from notifiche.models import MessaggioIO, Notifica, ServizioIO, StatoChiaveIO, StatoMessaggioIO
from notifiche.services import notifica_send
from notifiche.tasks import io_notifica
from tests.fakes.io_server import FakeIO, message_problems

CF = "RSSMRA80A01H501U"
KEY = "chiave-io-mensa-leporano"
AVVISO = {"importo_centesimi": 2550, "numero_avviso": "302000000000012345", "scadenza": "2026-12-15"}


@pytest.fixture
def io(settings):
    with FakeIO(keys={KEY}) as fake:
        settings.APP_IO_BASE_URL = fake.base_url
        settings.APP_IO_TIMEOUT_SECONDS = 0.5
        yield fake


@pytest.fixture
def servizio(leporano):
    with scope(comune=leporano):
        return ServizioIO.objects.create(comune=leporano, ambito="mensa", nome="Refezione scolastica", api_key=KEY)


@pytest.fixture
def family(alice):
    alice.codice_fiscale, alice.codice_fiscale_verificato = CF, True
    alice.save()
    return alice


def send(comune, user, capture, chiave="k:1", **extra) -> Notifica:
    with scope(comune=comune), capture(execute=True):
        return notifica_send(comune=comune, user=user, titolo="Avviso di pagamento",
                             testo="Il saldo della mensa di Leonardo è negativo: -25,50 €.", chiave=chiave, **extra)


def state(comune) -> MessaggioIO:
    with scope(comune=comune):
        return MessaggioIO.objects.get()


def test_a_message_goes_once_to_a_citizen_who_allows_the_service(io, leporano, servizio, family,
                                                                  django_capture_on_commit_callbacks):
    io.citizens[CF] = True
    notifica = send(leporano, family, django_capture_on_commit_callbacks, pagamento=AVVISO)
    assert io.calls == [("GET", f"/api/v1/profiles/{CF}"), ("POST", "/api/v1/messages")]
    [message] = io.messages
    assert message["fiscal_code"] == CF
    assert message["content"]["subject"] == "Refezione scolastica: Avviso di pagamento"
    assert message["content"]["payment_data"] == {"amount": 2550, "notice_number": "302000000000012345",
                                                  "invalid_after_due_date": False,
                                                  "payee": {"fiscal_code": leporano.codice_fiscale}}
    # 23:59:59 in Rome on the due date (the dueDate of the GPD position), in UTC as IO's Timestamp asks.
    assert message["content"]["due_date"] == "2026-12-15T22:59:59.000Z"
    assert state(leporano).stato == StatoMessaggioIO.INVIATO and state(leporano).io_id
    io_notifica.delay(leporano.pk, notifica.pk, "mensa", AVVISO)  # the task runs again
    assert len(io.messages) == 1
    with scope(comune=leporano):
        assert ServizioIO.objects.get().stato_chiave == StatoChiaveIO.VALIDA


def test_a_citizen_without_io_or_who_blocked_the_service_gets_no_message(io, leporano, servizio, family,
                                                                        django_capture_on_commit_callbacks):
    send(leporano, family, django_capture_on_commit_callbacks, chiave="a")
    assert state(leporano).stato == StatoMessaggioIO.NON_SU_IO
    io.citizens[CF] = False
    with scope(comune=leporano):
        MessaggioIO.objects.all().delete()
    send(leporano, family, django_capture_on_commit_callbacks, chiave="b")
    assert state(leporano).stato == StatoMessaggioIO.NON_CONSENTITO
    assert io.messages == []
    assert len(mail.outbox) == 2  # the e-mail goes anyway


@pytest.mark.parametrize("answers", [[429], [500], [429, 503]])
def test_throttling_and_server_errors_are_retried_and_sent_once(io, leporano, servizio, family, answers,
                                                                django_capture_on_commit_callbacks):
    io.citizens[CF] = True
    io.answers = list(answers)
    send(leporano, family, django_capture_on_commit_callbacks)
    assert len(io.messages) == 1
    assert state(leporano).stato == StatoMessaggioIO.INVIATO
    assert state(leporano).tentativi == len(answers) + 1


def test_a_server_that_never_answers_is_given_up(io, leporano, servizio, family, django_capture_on_commit_callbacks):
    io.citizens[CF] = True
    io.delay = 1.0
    send(leporano, family, django_capture_on_commit_callbacks)
    messaggio = state(leporano)
    assert messaggio.stato == StatoMessaggioIO.FALLITO and "IO non raggiungibile" in messaggio.esito
    assert messaggio.tentativi == 6


def test_a_revoked_key_shows_staff_a_clear_state_and_email_still_goes(io, leporano, servizio, family,
                                                                      django_capture_on_commit_callbacks):
    io.citizens[CF] = True
    io.revoked.add(KEY)
    send(leporano, family, django_capture_on_commit_callbacks)
    assert state(leporano).stato == StatoMessaggioIO.CHIAVE
    with scope(comune=leporano):
        assert ServizioIO.objects.get().stato_chiave == StatoChiaveIO.RIFIUTATA
    assert len(mail.outbox) == 1
    # Later messages do not even try the refused key.
    calls = len(io.calls)
    send(leporano, family, django_capture_on_commit_callbacks, chiave="k:2")
    assert len(io.calls) == calls


def test_no_key_no_io_but_the_other_channels(io, leporano, family, django_capture_on_commit_callbacks):
    send(leporano, family, django_capture_on_commit_callbacks)
    assert state(leporano).stato == StatoMessaggioIO.CHIAVE
    assert io.calls == [] and len(mail.outbox) == 1


def test_only_a_codice_fiscale_verified_with_spid_is_used(io, leporano, servizio, alice,
                                                          django_capture_on_commit_callbacks):
    alice.codice_fiscale, alice.codice_fiscale_verificato = CF, False
    alice.save()
    io.citizens[CF] = True
    send(leporano, alice, django_capture_on_commit_callbacks)
    assert state(leporano).stato == StatoMessaggioIO.SENZA_CF and io.calls == []


def test_a_family_that_turned_io_off_gets_nothing_there(client, io, leporano, servizio, family,
                                                        django_capture_on_commit_callbacks):
    io.citizens[CF] = True
    client.force_login(family)
    client.post("/leporano/messaggi/notifiche/", {"email": "on", "push": "on"})
    send(leporano, family, django_capture_on_commit_callbacks)
    assert io.calls == []
    with scope(comune=leporano):
        assert not MessaggioIO.objects.exists()


def test_the_content_keeps_within_ios_limits(leporano, servizio, family):
    with scope(comune=leporano):
        short = Notifica(comune=leporano, user=family, titolo="Ok", testo="Sì")
        long = Notifica(comune=leporano, user=family, titolo="T" * 500, testo="x" * 20000)
        for notifica in (short, long):
            content = content_of(notifica=notifica, servizio=servizio, pagamento=AVVISO)
            assert message_problems({"fiscal_code": CF, "content": content}) == []
    with pytest.raises(ValueError):
        content_of(notifica=short, servizio=servizio, pagamento={**AVVISO, "numero_avviso": "123"})


def test_the_api_key_is_write_only_in_the_admin(client, leporano, servizio, bob):
    client.force_login(bob)
    url = f"/admin/notifiche/servizioio/{servizio.pk}/change/"
    page = client.get(url).content.decode()
    assert KEY not in page
    assert "Lasciare vuoto per mantenere la chiave salvata." in page
    response = client.post(url, {"ambito": "mensa", "nome": "Mensa scolastica", "api_key": "", "attivo": "on"})
    assert response.status_code == 302
    with scope(comune=leporano):
        servizio.refresh_from_db()
    assert (servizio.nome, servizio.api_key) == ("Mensa scolastica", KEY)


def test_bad_payment_data_fails_the_io_message_only(io, leporano, servizio, family,
                                                    django_capture_on_commit_callbacks):
    io.citizens[CF] = True
    send(leporano, family, django_capture_on_commit_callbacks, pagamento={**AVVISO, "importo_centesimi": 0})
    assert state(leporano).stato == StatoMessaggioIO.FALLITO and io.messages == []
    assert len(mail.outbox) == 1
