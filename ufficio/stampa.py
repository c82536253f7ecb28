"""The letters of a reminder job that no e-mail delivered (no address, or bounced), in one PDF to print
and post, prepared in the background as an `Esportazione` of kind "lettere": the reports' mechanism,
with its progress bar and private download (ufficio.esportazioni, ufficio.tasks.esportazione_task).

One WeasyPrint pass over every letter holds the layout of every page until the end (580 MB for 600
letters, measured); the letters are laid out LOTTO at a time, as a sending block does, and the batches'
PDFs joined page by page with PDFium: a worker stays near 200 MB whatever the count, and the progress
moves batch by batch. One print per job is open at a time (a partial unique key): a second click, or a
colleague's, gets the one being prepared.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comuni.models import User

from .lettera import lettere_context, lettere_pdf
from .models import ESPORTAZIONE_APERTA, EsitoEmail, Esportazione, InvioSolleciti, Sollecito, StatoEsportazione
from .solleciti import impostazioni_for

LETTERE = "lettere"  # Esportazione.report of this kind
LOTTO = 25  # letters per WeasyPrint pass, as a sending block (ufficio.invio.BLOCCO)
# An open print older than this was lost with its worker (thousands of letters take minutes): a new
# click starts again instead of waiting on it for ever.
SCADENZA = datetime.timedelta(minutes=30)

TITOLO = _("Lettere da stampare")
NESSUNA_LETTERA = _("Tutte le lettere di questo invio sono state consegnate per e-mail.")
INTERROTTA = "interrotta: nessun avanzamento entro il tempo massimo"


def da_stampare(invio: InvioSolleciti) -> QuerySet[Sollecito]:
    """The job's reminders whose letter must go by post, in the order they are printed."""
    return invio.solleciti.exclude(esito_email=EsitoEmail.INVIATA).order_by(
        "consumatore__cognome", "consumatore__nome", "pk")


def stampa_create(*, invio: InvioSolleciti, creato_da: User) -> Esportazione | None:
    """Queue the PDF of the job's letters to print, or return the one already being prepared; None when
    every letter went by e-mail. The task starts after commit."""
    if not da_stampare(invio).exists():
        return None
    aperta = Esportazione.objects.defer("contenuto").filter(invio=invio, stato__in=ESPORTAZIONE_APERTA).first()
    if aperta is not None:
        if aperta.creato_il > timezone.now() - SCADENZA:
            return aperta
        # Its task, should it ever run, finds the row closed and returns.
        Esportazione.objects.filter(pk=aperta.pk, stato__in=ESPORTAZIONE_APERTA).update(
            stato=StatoEsportazione.ERRORE, errore=INTERROTTA)
    try:
        with transaction.atomic():
            esportazione = Esportazione.objects.create(
                comune=invio.comune, report=LETTERE, formato="pdf", invio=invio, creato_da=creato_da,
                parametri={"invio": invio.pk},
            )
            transaction.on_commit(lambda: _enqueue(esportazione))
    except IntegrityError:
        # A concurrent click queued it first (its insert held the key until it committed).
        return Esportazione.objects.defer("contenuto").get(invio=invio, stato__in=ESPORTAZIONE_APERTA)
    return esportazione


def _enqueue(esportazione: Esportazione) -> None:
    from . import esportazioni  # the reports' queueing; ufficio.esportazioni imports this module

    esportazioni._enqueue(esportazione)


def lettere_build(*, esportazione: Esportazione,
                  progress: Callable[[int, int], None]) -> tuple[bytes, str, dict]:
    """The PDF of the letters to print (each with its avviso on the next page), its file name and the
    parameters to keep."""
    import pypdfium2

    invio = esportazione.invio
    ids = list(da_stampare(invio).values_list("pk", flat=True))
    if not ids:
        raise ValueError(str(NESSUNA_LETTERA))
    impostazioni = impostazioni_for(comune=esportazione.comune)
    documento = pypdfium2.PdfDocument.new()
    try:
        for inizio in range(0, len(ids), LOTTO):
            lotto = ids[inizio:inizio + LOTTO]
            solleciti = Sollecito.objects.select_related("comune", "consumatore", "posizione").in_bulk(lotto)
            pdf = pypdfium2.PdfDocument(lettere_pdf(lettere=lettere_context(
                solleciti=[solleciti[pk] for pk in lotto if pk in solleciti], impostazioni=impostazioni)))
            try:
                documento.import_pages(pdf)
            finally:
                pdf.close()
            progress(inizio + len(lotto), len(ids))
        buffer = io.BytesIO()
        documento.save(buffer)
    finally:
        documento.close()
    return buffer.getvalue(), f"solleciti-da-stampare-{invio.pk}.pdf", {"invio": invio.pk, "lettere": len(ids)}
