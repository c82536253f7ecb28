"""The reminder letter: the comune's letter, then its avviso as the pagoPA national model (a second page,
the same template as every other avviso: pagamenti.pagopa.modello)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from comuni.stemma import stemma_data_uri
from consumatori.models import Tutore
from pagamenti.models import ConfigurazionePagamenti
from pagamenti.pagopa.avviso import avviso_destinatario
from pagamenti.pagopa.modello import Destinatario, avviso_pagina, font_dir
from pagamenti.pdf import render_pdf

from .models import ImpostazioniSolleciti, Sollecito

TEMPLATE = "ufficio/pdf/lettere.html"
ANCORA = "lettera-"


def _euro(value) -> str:
    return f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def _avviso(sollecito: Sollecito, tutori: list, config) -> dict:
    """The reminder's avviso: addressed to the first guardian (the debtor the comune writes to)."""
    posizione = sollecito.posizione
    tutore = tutori[0] if tutori else None
    destinatario = (Destinatario(nome=f"{tutore.nome} {tutore.cognome}"[:70], codice_fiscale=tutore.codice_fiscale)
                    if tutore else avviso_destinatario(posizione.utente))
    oggetto = f"{sollecito.get_servizio_display()} – saldo a debito di {sollecito.consumatore.nome_completo}"
    return avviso_pagina(posizione=posizione, oggetto=oggetto, destinatario=destinatario, config=config)


def lettera_context(*, sollecito: Sollecito, impostazioni: ImpostazioniSolleciti, tutori: list,
                    config=False) -> dict:
    consumatore = sollecito.consumatore
    posizione = sollecito.posizione
    if config is False:  # one query here; lettere_context reads it once for the whole batch
        config = ConfigurazionePagamenti.objects.filter(comune=sollecito.comune).first()
    corpo = impostazioni.testo(sollecito.livello).format(
        nome=consumatore.nome_completo, servizio=sollecito.get_servizio_display().lower(),
        debito=_euro(sollecito.debito), giorni=impostazioni.giorni_per_pagare,
    )
    return {
        "sollecito": sollecito, "comune": sollecito.comune, "consumatore": consumatore, "posizione": posizione,
        "tutori": tutori, "corpo": corpo, "debito": _euro(sollecito.debito),
        "data": timezone.localdate(sollecito.inviato_il) if sollecito.inviato_il else timezone.localdate(),
        "stemma": stemma_data_uri(sollecito.comune),
        "avviso": _avviso(sollecito, tutori, config) if posizione else None,
    }


def lettere_context(*, solleciti: list[Sollecito], impostazioni: ImpostazioniSolleciti) -> list[dict]:
    """The letters of these reminders, in their order, each addressed to its guardians (one query)."""
    tutori: dict[int, list[Tutore]] = {}
    for tutore in Tutore.objects.filter(consumatore_id__in={s.consumatore_id for s in solleciti}).order_by("pk"):
        tutori.setdefault(tutore.consumatore_id, []).append(tutore)
    config = ConfigurazionePagamenti.objects.filter(comune=solleciti[0].comune).first() if solleciti else None
    return [lettera_context(sollecito=s, impostazioni=impostazioni, tutori=tutori.get(s.consumatore_id, []),
                            config=config)
            for s in solleciti]


def lettera_pdf(*, sollecito: Sollecito, impostazioni: ImpostazioniSolleciti, tutori: list) -> bytes:
    return render_pdf(TEMPLATE, {
        "lettere": [lettera_context(sollecito=sollecito, impostazioni=impostazioni, tutori=tutori)],
        "avviso_font_dir": font_dir(),
    })


def lettere_pdf(*, lettere: list[dict]) -> bytes:
    """Many letters in one PDF, one page each, for the ones to print and post."""
    return render_pdf(TEMPLATE, {"lettere": lettere, "avviso_font_dir": font_dir()})


def lettere_pdf_separate(*, lettere: list[dict], template: str = TEMPLATE) -> list[bytes]:
    """One PDF per letter, in the order given, from a single WeasyPrint pass over all of them.

    Parsing the style sheet, loading the fonts and laying out once for a batch costs a fraction of
    one pass per letter. Each letter starts at its anchor (`lettera-<n>`), so a letter that ever ran
    onto a second page would keep both."""
    if not lettere:
        return []
    from weasyprint import HTML

    html = render_to_string(template, {"lettere": lettere, "avviso_font_dir": font_dir()})
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    inizi: dict[int, int] = {}
    for numero, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith(ANCORA):
                inizi.setdefault(int(anchor.removeprefix(ANCORA)), numero)
    starts = [inizi[n] for n in range(len(lettere))]
    ends = [*starts[1:], len(document.pages)]
    return [document.copy(document.pages[start:end]).write_pdf() for start, end in zip(starts, ends, strict=True)]
