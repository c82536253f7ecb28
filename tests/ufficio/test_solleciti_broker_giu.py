"""The broker (Redis) is down when the office starts a reminder job: the job waits "in coda", the page says it
will start by itself, and beat's sweeper starts it once the broker is back: every letter sent and counted
once, a second start or a second sweep sending nothing. The office's exports fail visibly instead."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from kombu.exceptions import OperationalError

from notifiche.tasks import consegne_in_sospeso
from omnibus import publish
from omnibus.celery import app
from tests.factories import ConsumatoreFactory, TutoreFactory
from ufficio.models import Esportazione, InvioSolleciti, Sollecito, StatoEsportazione, StatoInvio
from ufficio.tasks import invio_solleciti_task

from .conftest import pasti

NOMI = ["Marta", "Elia", "Noemi"]
ATTESA = "Il servizio di elaborazione è momentaneamente non disponibile: l'invio partirà da solo"


class Broker:
    """Celery's broker as the portal sees it: while down every publish fails as kombu's does with Redis
    refusing connections; back up, tasks run here (the tests' eager worker)."""

    def __init__(self, monkeypatch):
        self.published: list[str] = []
        original = app.send_task

        def send_task(name, *args, **kwargs):
            self.published.append(name)
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        self._original = original
        monkeypatch.setattr(app, "send_task", send_task)
        app.conf.task_always_eager = False  # publish for real: through send_task, which fails
        publish._down_until = 0.0

    def back(self) -> None:
        app.send_task = self._original
        app.conf.task_always_eager = True
        publish._down_until = 0.0  # the breaker's pause is over


@pytest.fixture
def famiglie(leporano, config_leporano):
    """Three children of three families with an e-mail, 4 meals (16,40 €) in debit each."""
    children = []
    for nome in NOMI:
        child = ConsumatoreFactory(comune=leporano, nome=nome, cognome="Dellisanti")
        TutoreFactory(comune=leporano, consumatore=child, nome="Anna", cognome=f"Genitore di {nome}",
                      email=f"{nome.lower()}.famiglia@example.org")
        pasti(child, 4)
        children.append(child)
    return children


def start_job(client, children, capture):
    with capture(execute=True):
        response = client.post(reverse("ufficio:invio_nuovo", kwargs={"comune": "leporano"}),
                               {"livello": "primo", "conti": [f"{c.pk}:mensa" for c in children]})
    assert response.status_code == 302
    return response["Location"]


def test_a_job_queued_with_the_broker_down_starts_when_it_is_back_and_sends_each_letter_once(
    bob_client, famiglie, leporano, monkeypatch, django_capture_on_commit_callbacks
):
    broker = Broker(monkeypatch)
    page = start_job(bob_client, famiglie, django_capture_on_commit_callbacks)
    assert broker.published == ["ufficio.tasks.invio_solleciti_task"]  # tried, refused
    html = bob_client.get(page).content.decode()
    assert "In coda: 0 di 3 conti elaborati" in html and ATTESA in html
    with scope(comune=leporano):
        invio = InvioSolleciti.objects.get()
    assert (invio.stato, invio.accodato_il) == (StatoInvio.IN_CODA, None)
    assert mail.outbox == []

    # Beat's sweeper while the broker is still down: it tries, the job keeps waiting.
    assert consegne_in_sospeso()["ufficio.invii"] == 0  # queued under a minute ago: not yet
    publish._down_until = 0.0
    assert publish.sweepers_run(prima_di=timezone.now())["ufficio.invii"] == 0
    assert broker.published.count("ufficio.tasks.invio_solleciti_task") == 2
    invio.refresh_from_db()
    assert (invio.stato, invio.accodato_il) == (StatoInvio.IN_CODA, None)

    broker.back()
    assert publish.sweepers_run(prima_di=timezone.now())["ufficio.invii"] == 1
    invio.refresh_from_db()
    assert (invio.stato, invio.elaborati, invio.inviati, invio.saltati) == (StatoInvio.COMPLETATO, 3, 3, 0)
    assert invio.accodato_il is not None
    assert sorted(e.to[0] for e in mail.outbox) == sorted(f"{n.lower()}.famiglia@example.org" for n in NOMI)
    html = bob_client.get(page).content.decode()
    assert "Completato: 3 solleciti inviati, 0 saltati" in html and ATTESA not in html

    # Swept again, or its start delivered a second time: nothing sent, nothing counted twice.
    assert publish.sweepers_run(prima_di=timezone.now())["ufficio.invii"] == 0
    invio_solleciti_task.delay(leporano.pk, invio.pk)
    invio.refresh_from_db()
    assert (invio.elaborati, invio.inviati, invio.saltati) == (3, 3, 0)
    with scope(comune=leporano):
        assert Sollecito.objects.filter(invio=invio).count() == 3
    assert len(mail.outbox) == 3


def test_a_job_that_started_anyway_is_not_started_again_by_the_sweeper(
    bob_client, famiglie, leporano, monkeypatch, django_capture_on_commit_callbacks
):
    """kombu may give up after the broker took the message: the job then runs, its row without a date."""
    broker = Broker(monkeypatch)
    start_job(bob_client, famiglie, django_capture_on_commit_callbacks)
    with scope(comune=leporano):
        InvioSolleciti.objects.update(stato=StatoInvio.IN_CORSO)  # a worker took it
    broker.back()
    assert publish.sweepers_run(prima_di=timezone.now())["ufficio.invii"] == 0
    assert broker.published == ["ufficio.tasks.invio_solleciti_task"]
    assert mail.outbox == []


def test_a_report_export_asked_with_the_broker_down_fails_at_once_instead_of_waiting(
    bob_client, leporano, monkeypatch, django_capture_on_commit_callbacks
):
    """The exports (reports, the letters to print, the families' letters: ufficio.esportazioni._enqueue) do not
    wait for the broker: the row is closed as failed, the page says so and a new click starts again."""
    Broker(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        response = bob_client.post(reverse("ufficio:esportazione_nuova", kwargs={"comune": "leporano"}),
                                   {"report": "saldi", "al": "2026-10-31", "formato": "xlsx"})
    with scope(comune=leporano):
        esportazione = Esportazione.objects.get()
    assert esportazione.stato == StatoEsportazione.ERRORE
    assert "momentaneamente non disponibile" in esportazione.errore
    assert "Esportazione non riuscita: riprova." in bob_client.get(response["Location"]).content.decode()
