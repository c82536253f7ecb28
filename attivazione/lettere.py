"""The families' letter: what the Leporano notices told families, one letter per guardian, with the children's
PuntoLIS QR codes, the balances carried over and, for a guardian without a codice fiscale on record, a one-time
linking code per child (consumatori.linking: shown only here, stored hashed).

Prepared in the background as an `Esportazione` of kind "lettere_famiglie" (ufficio's mechanism: progress bar,
download for the comune's office): laid out LOTTO letters per WeasyPrint pass and written as one PDF, cut by PDFium
into one PDF per letter, e-mailed to the guardians with an address, and joined with PDFium into
the PDF to print. Nothing about health or ISEE is in a letter: no diet, no tariff bracket.
"""

from __future__ import annotations

import io
import itertools
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comuni.models import Comune, User
from consumatori.linking import codice_collegamento_create
from consumatori.models import Tutore
from pagamenti.models import Movimento
from pagamenti.pagopa.modello import font_dir
from pagamenti.pdf import qr_png_data_uri
from pagamenti.puntolis.qr import puntolis_qr_content
from pagamenti.saldi_iniziali import CHIAVE_SALDO_INIZIALE
from ufficio.lettera import ANCORA
from ufficio.models import Esportazione

from .prontezza import LETTERE_FAMIGLIE

logger = logging.getLogger(__name__)

TEMPLATE = "attivazione/pdf/lettere.html"
LOTTO = 25
TITOLO = _("Lettere alle famiglie")
OGGETTO = "{comune}: refezione e trasporto scolastico con il nuovo sistema Omnibus"
TESTO = ("Gentile {nome},\n\nin allegato la comunicazione del {comune} sul nuovo sistema informatizzato OMNIBUS "
         "per la refezione e il trasporto scolastico: come accedere, come comunicare le assenze e come ricaricare "
         "il conto dei suoi figli.\n\nUfficio scuola – {comune}\n")
NESSUNA_FAMIGLIA = "nessun tutore registrato: importare prima l'anagrafe"


@dataclass
class Famiglia:
    """One guardian (one person may be recorded once per child) and the children they look after."""

    nome: str
    cognome: str
    email: str
    codice_fiscale: str
    tutori: list[Tutore] = field(default_factory=list)


def famiglie(*, comune: Comune) -> list[Famiglia]:
    """Every guardian of the comune's active children, each once (one query)."""
    elenco: dict[tuple, Famiglia] = {}
    tutori = Tutore.objects.filter(comune=comune, consumatore__attivo=True).select_related(
        "consumatore__classe__scuola").order_by("cognome", "nome", "pk")
    for tutore in tutori:
        chiave = (tutore.codice_fiscale,) if tutore.codice_fiscale else (
            "", tutore.cognome.casefold(), tutore.nome.casefold(), tutore.email.lower())
        famiglia = elenco.setdefault(chiave, Famiglia(nome=tutore.nome, cognome=tutore.cognome, email=tutore.email,
                                                      codice_fiscale=tutore.codice_fiscale))
        famiglia.email = famiglia.email or tutore.email
        famiglia.tutori.append(tutore)
    return list(elenco.values())


def lettere_create(*, comune: Comune, creato_da: User) -> Esportazione:
    """Queue the letters; the task starts after commit."""
    from ufficio.esportazioni import _enqueue

    with transaction.atomic():
        esportazione = Esportazione.objects.create(comune=comune, report=LETTERE_FAMIGLIE, formato="pdf",
                                                   creato_da=creato_da, parametri={})
        transaction.on_commit(lambda: _enqueue(esportazione))
    return esportazione


def _comuni_a_tutte(*, comune: Comune, oggi) -> dict:
    """What every letter of the comune shows alike: the portal's address and its QR code, drawn once per job
    (one QR code is ~12 ms of CPU: a second per hundred letters when drawn again for each)."""
    login = f"{settings.PORTALE_URL}/login/{comune.slug}/"
    return {"comune": comune, "login": login, "data": oggi, "qr_login": qr_png_data_uri(login),
            "prime_lettere": comune.nome[:4].upper(), "ora_limite": comune.ora_limite_disdetta}


def _contesto(*, famiglia: Famiglia, saldi: dict, creato_da: User | None, comuni: dict) -> dict:
    figli = []
    for tutore in famiglia.tutori:
        consumatore = tutore.consumatore
        codice = ""
        if not famiglia.codice_fiscale and tutore.utente_id is None:
            _row, codice = codice_collegamento_create(tutore=tutore, creato_da=creato_da)
        figli.append({
            "consumatore": consumatore, "classe": consumatore.classe, "codice_collegamento": codice,
            "qr": qr_png_data_uri(puntolis_qr_content(consumatore)),
            "saldo_mensa": saldi.get((consumatore.pk, "mensa")),
            "saldo_trasporto": saldi.get((consumatore.pk, "trasporto")),
        })
    return {**comuni, "famiglia": famiglia, "figli": figli}


def lettere_build(*, esportazione: Esportazione, progress: Callable[[int, int], None]) -> tuple[bytes, str, dict]:
    """The PDF of every letter, after e-mailing each to its guardian when there is an address."""
    import pypdfium2

    comune = esportazione.comune
    elenco = famiglie(comune=comune)
    if not elenco:
        raise ValueError(NESSUNA_FAMIGLIA)
    saldi: dict[tuple[int, str], Decimal] = {
        (m.consumatore_id, m.servizio): m.importo
        for m in Movimento.objects.filter(comune=comune, chiave=CHIAVE_SALDO_INIZIALE).only(
            "consumatore_id", "servizio", "importo")}
    oggi = timezone.localdate()
    comuni = _comuni_a_tutte(comune=comune, oggi=oggi)
    documento = pypdfium2.PdfDocument.new()
    inviate = 0
    try:
        for inizio in range(0, len(elenco), LOTTO):
            lotto = elenco[inizio:inizio + LOTTO]
            contesti = [_contesto(famiglia=f, saldi=saldi, creato_da=esportazione.creato_da, comuni=comuni)
                        for f in lotto]
            pdf, inizi = _lotto_pdf(contesti)
            parte = pypdfium2.PdfDocument(pdf)
            try:
                pdfs = _separate(parte, inizi=inizi)
                documento.import_pages(parte)
            finally:
                parte.close()
            inviate += _invia(comune=comune, lotto=lotto, pdfs=pdfs)
            progress(inizio + len(lotto), len(elenco))
        buffer = io.BytesIO()
        documento.save(buffer)
    finally:
        documento.close()
    return buffer.getvalue(), f"lettere-famiglie-{comune.slug}.pdf", {"lettere": len(elenco), "email": inviate}


def _lotto_pdf(contesti: list[dict]) -> tuple[bytes, list[int]]:
    """The batch's letters in one WeasyPrint pass and one PDF: painting and embedding the fonts once per batch
    rather than once per letter (ufficio.lettera.lettere_pdf_separate writes a PDF per letter: a third of the
    CPU of these letters). With the index of the page each letter starts on (its anchor `lettera-<n>`), and the
    number of pages at the end."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    html = render_to_string(TEMPLATE, {"lettere": contesti, "avviso_font_dir": font_dir()})
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    inizi: dict[int, int] = {}
    for numero, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith(ANCORA):
                inizi.setdefault(int(anchor.removeprefix(ANCORA)), numero)
    return document.write_pdf(), [*(inizi[n] for n in range(len(contesti))), len(document.pages)]


def _separate(parte, *, inizi: list[int]) -> list[bytes]:
    """One PDF per letter, its pages copied by PDFium from the batch's (C code: a few ms a letter)."""
    import pypdfium2

    pdfs = []
    for inizio, fine in itertools.pairwise(inizi):
        lettera = pypdfium2.PdfDocument.new()
        try:
            lettera.import_pages(parte, pages=list(range(inizio, fine)))
            buffer = io.BytesIO()
            lettera.save(buffer)
        finally:
            lettera.close()
        pdfs.append(buffer.getvalue())
    return pdfs


def _invia(*, comune: Comune, lotto: list[Famiglia], pdfs: list[bytes]) -> int:
    """E-mail each letter to its guardian's address, over one connection; a refusal is logged, not fatal."""
    inviate = 0
    connection = get_connection()
    try:
        for famiglia, pdf in zip(lotto, pdfs, strict=True):
            if not famiglia.email:
                continue
            message = EmailMessage(
                subject=OGGETTO.format(comune=comune), to=[famiglia.email], connection=connection,
                body=TESTO.format(nome=f"{famiglia.nome} {famiglia.cognome}", comune=comune))
            message.attach("omnibus-lettera-alle-famiglie.pdf", pdf, "application/pdf")
            try:
                message.send()
            except (smtplib.SMTPException, OSError) as error:
                logger.warning("lettera alle famiglie non inviata a %s: %s", famiglia.email, error)
                connection.close()
                continue
            inviate += 1
    finally:
        connection.close()
    return inviate
