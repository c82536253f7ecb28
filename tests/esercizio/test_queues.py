"""Queues by urgency: each task goes to its class's queue, every task has one, and the workers of `make run`
and docker-compose consume them all."""

from __future__ import annotations

import pathlib

import pytest
import yaml

from omnibus.celery import app

ROOT = pathlib.Path(__file__).resolve().parents[2]


def queue_of(name: str) -> str:
    app.loader.import_default_modules()
    route = app.amqp.router.route({}, name)
    return route["queue"].name


@pytest.mark.parametrize(("task", "queue"), [
    ("notifiche.tasks.notifica_consegna", "interattiva"),  # an absence's confirmation
    ("notifiche.tasks.push_notifiche", "interattiva"),
    ("notifiche.tasks.io_notifica", "interattiva"),
    ("notifiche.tasks.consegne_in_sospeso", "interattiva"),
    ("pagamenti.tasks.posizioni_poll_task", "interattiva"),  # payments credited
    ("pagamenti.tasks.posizione_publish_task", "interattiva"),
    ("mensa.tasks.kitchen_count_send", "interattiva"),
    ("ufficio.tasks.esportazione_task", "massiva"),  # letters, exports, reports
    ("ufficio.tasks.invio_solleciti_task", "massiva"),  # reminders
    ("pagamenti.tasks.saldi_consolida_task", "massiva"),  # consolidation
    ("pagamenti.riconciliazione.tasks.fdr_cartella_import", "massiva"),
    ("mensa.tasks.meal_debit_all", "notturna"),
    ("mensa.tasks.meal_debit_comune", "notturna"),
    ("trasporto.tasks.mensilita_debit_task", "notturna"),
    ("comuni.tasks.housekeeping", "notturna"),
])
def test_each_task_goes_to_its_urgency(task, queue):
    app.loader.import_default_modules()  # autodiscover the apps' tasks, as a worker does
    assert task in app.tasks
    assert queue_of(task) == queue


def test_every_task_of_the_project_lands_on_one_of_the_three_queues(settings):
    app.loader.import_default_modules()
    ours = [name for name in app.tasks if not name.startswith("celery.")]
    assert len(ours) > 20
    assert {queue_of(name) for name in ours} == set(settings.CELERY_QUEUES_BY_URGENCY)


def test_make_run_serves_every_queue_and_compose_runs_one_worker_per_class(settings):
    procfile = (ROOT / "Procfile").read_text()
    worker = next(line for line in procfile.splitlines() if line.startswith("worker:"))
    served = set(worker.split("-Q ", 1)[1].split()[0].split(","))
    assert set(settings.CELERY_QUEUES_BY_URGENCY) <= served
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    per_class = {}
    for name, service in compose["services"].items():
        command = service.get("command") or []
        if "worker" in command:
            per_class[name] = command[command.index("-Q") + 1]
    assert sorted(q for queues in per_class.values() for q in queues.split(",") if q != "celery") == sorted(
        settings.CELERY_QUEUES_BY_URGENCY)
    assert len(per_class) == 3


def test_compose_gives_the_cores_to_requests_first_then_interactive_work_then_bulk_work():
    """At the 09:00 rush a family's post comes before its confirmation's e-mail, and both before the office's
    letters (make bench: absence_rush_during_bulk_work_p99_ms, which runs the workers at these weights)."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    shares = {name: service.get("cpu_shares", 1024) for name, service in services.items()}
    assert shares["web"] > shares["worker-interattiva"] > shares["worker-massiva"]
