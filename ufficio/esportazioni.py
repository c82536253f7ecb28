"""Rendering reports to files, and the background exports of long ones (reports, and the letters of a
reminder job to print: ufficio.stampa)."""

from __future__ import annotations

import datetime
import logging

import tablib
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from comuni.models import Comune, User
from omnibus.db_router import da_replica
from omnibus.publish import publish
from pagamenti.pdf import render_pdf

from .models import ESPORTAZIONE_APERTA, Esportazione, StatoEsportazione
from .report import REPORTS, report_build
from .stampa import LETTERE, TITOLO, lettere_build

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


# Kinds of export other apps prepare with this mechanism (attivazione: the families' letters), registered
# from their AppConfig.ready(): report -> (title, build(esportazione=, progress=) -> (content, file name, parametri)).
GENERATORI: dict[str, tuple] = {}


def generatore_register(report: str, titolo, build) -> None:
    GENERATORI[report] = (titolo, build)


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


CODA_NON_DISPONIBILE = _("Il servizio di elaborazione è momentaneamente non disponibile: riprova tra qualche minuto.")


def _enqueue(esportazione: Esportazione) -> None:
    from .tasks import esportazione_task

    if not publish(esportazione_task, esportazione.comune_id, esportazione.pk):
        # The broker is down: the page says so at once and a new click starts again (no bar running for ever).
        # This row by its key, whatever scope the commit hook runs in.
        with scopes_disabled():
            Esportazione.objects.filter(pk=esportazione.pk, stato__in=ESPORTAZIONE_APERTA).update(
                stato=StatoEsportazione.ERRORE, errore=str(CODA_NON_DISPONIBILE)[:300])


def esportazione_titolo(esportazione: Esportazione) -> str:
    if esportazione.report in GENERATORI:
        return str(GENERATORI[esportazione.report][0])
    return str(TITOLO) if esportazione.report == LETTERE else str(REPORTS.get(esportazione.report, ""))


def esportazione_run(*, esportazione: Esportazione) -> Esportazione:
    """Build the file; a second run of a finished export does nothing. A failure is kept on the row (the
    page says so, a new click starts again) rather than leaving the bar running for ever."""
    if esportazione.stato not in ESPORTAZIONE_APERTA:
        return esportazione
    aperta = Esportazione.objects.filter(pk=esportazione.pk, stato__in=ESPORTAZIONE_APERTA)
    aperta.update(stato=StatoEsportazione.IN_CORSO, percentuale=5)

    def progress(done: int, total: int) -> None:
        if total:
            aperta.update(percentuale=5 + int(done * 85 / total))

    try:
        if esportazione.report in GENERATORI:
            content, nome_file, parametri = GENERATORI[esportazione.report][1](
                esportazione=esportazione, progress=progress)
        elif esportazione.report == LETTERE:
            content, nome_file, parametri = lettere_build(esportazione=esportazione, progress=progress)
        else:
            with da_replica():  # a report may be a little behind: read from the replica if there is one
                content, nome_file, parametri = _report_build(esportazione=esportazione, progress=progress)
    except Exception as error:
        logger.exception("esportazione %s non riuscita", esportazione.pk)
        aperta.update(stato=StatoEsportazione.ERRORE, errore=(str(error) or type(error).__name__)[:300])
    else:
        aperta.update(stato=StatoEsportazione.COMPLETATO, percentuale=100, contenuto=content,
                      nome_file=nome_file, parametri=parametri, completato_il=timezone.now())
    esportazione.refresh_from_db()
    return esportazione


def _report_build(*, esportazione: Esportazione, progress) -> tuple[bytes, str, dict]:
    parametri = {
        k: datetime.date.fromisoformat(v) if k in ("dal", "al") else v for k, v in esportazione.parametri.items()
    }
    dataset = report_build(comune=esportazione.comune, nome=esportazione.report, parametri=parametri,
                           progress=progress)
    Esportazione.objects.filter(pk=esportazione.pk).update(percentuale=90)
    content = report_file(comune=esportazione.comune, nome=esportazione.report, parametri=parametri,
                          dataset=dataset, formato=esportazione.formato)
    nome_file = report_filename(nome=esportazione.report, parametri=parametri, formato=esportazione.formato)
    return content, nome_file, esportazione.parametri
