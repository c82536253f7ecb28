"""Rendering reports to files, and the background exports of long ones."""

from __future__ import annotations

import datetime

import tablib
from django.db import transaction
from django.utils import timezone

from comuni.models import Comune, User
from pagamenti.pdf import render_pdf

from .models import Esportazione, StatoInvio
from .report import REPORTS, report_build

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def report_file(*, comune: Comune, nome: str, parametri: dict, dataset: tablib.Dataset, formato: str) -> bytes:
    if formato == "pdf":
        return render_pdf("ufficio/pdf/report.html", {
            "comune": comune, "titolo": REPORTS[nome], "parametri": parametri, "dataset": dataset,
            "generato_il": timezone.localtime(),
        })
    content = dataset.export(formato)
    return content.encode("utf-8") if isinstance(content, str) else content


def report_filename(*, nome: str, parametri: dict, formato: str) -> str:
    return f"{nome}-{parametri['dal']:%Y%m%d}-{parametri['al']:%Y%m%d}.{formato}"


@transaction.atomic
def esportazione_create(*, comune: Comune, creato_da: User, nome: str, parametri: dict,
                        formato: str) -> Esportazione:
    """Queue a report to prepare in the background; the task starts after commit."""
    esportazione = Esportazione.objects.create(
        comune=comune, report=nome, formato=formato, creato_da=creato_da,
        parametri={k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in parametri.items()},
    )
    transaction.on_commit(lambda: _enqueue(esportazione))
    return esportazione


def _enqueue(esportazione: Esportazione) -> None:
    from .tasks import esportazione_task

    esportazione_task.delay(esportazione.comune_id, esportazione.pk)


def esportazione_run(*, esportazione: Esportazione) -> Esportazione:
    """Build the file; a second run of a completed export does nothing."""
    if esportazione.stato == StatoInvio.COMPLETATO:
        return esportazione
    Esportazione.objects.filter(pk=esportazione.pk).update(stato=StatoInvio.IN_CORSO, percentuale=5)
    parametri = {
        k: datetime.date.fromisoformat(v) if k in ("dal", "al") else v for k, v in esportazione.parametri.items()
    }

    def progress(done: int, total: int) -> None:
        if total:
            Esportazione.objects.filter(pk=esportazione.pk).update(percentuale=5 + int(done * 80 / total))

    dataset = report_build(comune=esportazione.comune, nome=esportazione.report, parametri=parametri,
                           progress=progress)
    Esportazione.objects.filter(pk=esportazione.pk).update(percentuale=90)
    content = report_file(comune=esportazione.comune, nome=esportazione.report, parametri=parametri,
                          dataset=dataset, formato=esportazione.formato)
    Esportazione.objects.filter(pk=esportazione.pk).update(
        stato=StatoInvio.COMPLETATO, percentuale=100, contenuto=content, completato_il=timezone.now(),
        nome_file=report_filename(nome=esportazione.report, parametri=parametri, formato=esportazione.formato),
    )
    esportazione.refresh_from_db()
    return esportazione
