"""The reminder letter: one A4 page with the comune's header and the pagoPA avviso (QR included)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from comuni.stemma import stemma_data_uri
from consumatori.models import Tutore
from pagamenti.pagopa.avviso import avviso_qr_content
from pagamenti.pdf import qr_png_data_uri, render_pdf

from .models import ImpostazioniSolleciti, Sollecito

TEMPLATE = "ufficio/pdf/lettere.html"
ANCORA = "lettera-"


def _euro(value) -> str:
    return f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def lettera_context(*, sollecito: Sollecito, impostazioni: ImpostazioniSolleciti, tutori: list) -> dict:
    consumatore = sollecito.consumatore
    posizione = sollecito.posizione
    corpo = impostazioni.testo(sollecito.livello).format(
        nome=consumatore.nome_completo, servizio=sollecito.get_servizio_display().lower(),
        debito=_euro(sollecito.debito), giorni=impostazioni.giorni_per_pagare,
    )
    return {
        "sollecito": sollecito, "comune": sollecito.comune, "consumatore": consumatore, "posizione": posizione,
        "tutori": tutori, "corpo": corpo, "debito": _euro(sollecito.debito),
        "data": timezone.localdate(sollecito.inviato_il) if sollecito.inviato_il else timezone.localdate(),
        "stemma": stemma_data_uri(sollecito.comune),
        "qr": qr_png_data_uri(avviso_qr_content(posizione)) if posizione else "",
    }


def lettere_context(*, solleciti: list[Sollecito], impostazioni: ImpostazioniSolleciti) -> list[dict]:
    """The letters of these reminders, in their order, each addressed to its guardians (one query)."""
    tutori: dict[int, list[Tutore]] = {}
    for tutore in Tutore.objects.filter(consumatore_id__in={s.consumatore_id for s in solleciti}).order_by("pk"):
        tutori.setdefault(tutore.consumatore_id, []).append(tutore)
    return [lettera_context(sollecito=s, impostazioni=impostazioni, tutori=tutori.get(s.consumatore_id, []))
            for s in solleciti]


def lettera_pdf(*, sollecito: Sollecito, impostazioni: ImpostazioniSolleciti, tutori: list) -> bytes:
    return render_pdf(TEMPLATE, {
        "lettere": [lettera_context(sollecito=sollecito, impostazioni=impostazioni, tutori=tutori)],
    })


def lettere_pdf(*, lettere: list[dict]) -> bytes:
    """Many letters in one PDF, one page each, for the ones to print and post."""
    return render_pdf(TEMPLATE, {"lettere": lettere})


def lettere_pdf_separate(*, lettere: list[dict], template: str = TEMPLATE) -> list[bytes]:
    """One PDF per letter, in the order given, from a single WeasyPrint pass over all of them.

    Parsing the style sheet, loading the fonts and laying out once for a batch costs a fraction of
    one pass per letter. Each letter starts at its anchor (`lettera-<n>`), so a letter that ever ran
    onto a second page would keep both."""
    if not lettere:
        return []
    from weasyprint import HTML

    html = render_to_string(template, {"lettere": lettere})
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    inizi: dict[int, int] = {}
    for numero, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith(ANCORA):
                inizi.setdefault(int(anchor.removeprefix(ANCORA)), numero)
    starts = [inizi[n] for n in range(len(lettere))]
    ends = [*starts[1:], len(document.pages)]
    return [document.copy(document.pages[start:end]).write_pdf() for start, end in zip(starts, ends, strict=True)]
