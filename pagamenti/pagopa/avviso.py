"""The avviso di pagamento (national layout, one A4 page) and the receipt, as PDF."""

from __future__ import annotations

from django.core.mail import EmailMessage

from omnibus.formats import euro
from pagamenti.models import Posizione
from pagamenti.pdf import render_pdf

from .modello import Destinatario, avviso_pagina, font_dir


def avviso_qr_content(posizione: Posizione) -> str:
    """PAGOPA|002|<notice>|<EC fiscal code>|<cents>, exactly as the specification says."""
    return f"PAGOPA|002|{posizione.numero_avviso}|{posizione.comune.codice_fiscale}|{posizione.centesimi}"


OGGETTO = {
    "it": {("mensa",): "Ricarica refezione scolastica", ("trasporto",): "Ricarica trasporto scolastico",
           ("mensa", "trasporto"): "Ricarica refezione e trasporto scolastico"},
    "en": {("mensa",): "School meals top-up", ("trasporto",): "School bus top-up",
           ("mensa", "trasporto"): "School meals and school bus top-up"},
}


def avviso_oggetto(righe: list, lingua: str = "it") -> str:
    """AVVISO.OGGETTO (at most 90 characters, initial capital): what the family tops up, and for whom."""
    servizi = tuple(sorted({riga.servizio for riga in righe})) or ("mensa",)
    testo = OGGETTO["en" if lingua == "en" else "it"][servizi]
    persone = ", ".join(sorted({riga.consumatore.nome for riga in righe}))
    testo = f"{testo} – {persone}" if persone else testo
    return testo if len(testo) <= 90 else testo[:89] + "…"


def avviso_destinatario(utente) -> Destinatario:
    return Destinatario(nome=(utente.get_full_name() or utente.email)[:70], codice_fiscale=utente.codice_fiscale or "")


def avviso_pdf(*, posizione: Posizione, righe: list | None = None, lingua: str = "it") -> bytes:
    """The avviso of a family's position as the pagoPA national model, in Italian (with the comune's
    second language, if any) or, for a family browsing in English, in English."""
    righe = righe if righe is not None else list(posizione.righe.select_related("consumatore"))
    pagina = avviso_pagina(posizione=posizione, oggetto=avviso_oggetto(righe, lingua),
                           destinatario=avviso_destinatario(posizione.utente), lingua=lingua)
    return render_pdf("pagamenti/pdf/avviso.html", {"posizione": posizione, "a": pagina,
                                                    "avviso_font_dir": font_dir()})


def ricevuta_pdf(*, posizione: Posizione, ricevuta) -> bytes:
    righe = list(posizione.righe.select_related("consumatore"))
    return render_pdf("pagamenti/pdf/ricevuta.html", {
        "posizione": posizione, "comune": posizione.comune, "righe": righe, "ricevuta": ricevuta,
        "pagatore": posizione.utente,
    })


def avviso_send(*, posizione: Posizione, email: str, lingua: str = "it") -> None:
    """E-mail the avviso PDF to the family (in English if the family asked from the English portal)."""
    message = EmailMessage(
        subject=f"Avviso di pagamento pagoPA {posizione.numero_avviso} – {posizione.comune}",
        body=(f"In allegato l'avviso di pagamento di {euro(posizione.importo)} da pagare online o presso un PSP "
              f"(tabaccai, banche, uffici postali, ricevitorie) entro il {posizione.scadenza:%d/%m/%Y}.\n"
              f"Numero avviso: {posizione.numero_avviso_formattato}\n{posizione.comune}"),
        to=[email],
    )
    message.attach(f"avviso-{posizione.numero_avviso}.pdf", avviso_pdf(posizione=posizione, lingua=lingua),
                   "application/pdf")
    message.send()


AVVISO_TITOLO = "Avviso di pagamento pagoPA di {importo}"
AVVISO_TESTO = (
    "È pronto l'avviso di pagamento pagoPA numero {numero} di {importo}, da pagare entro il {scadenza} online, "
    "presso un prestatore di servizi di pagamento (tabaccai, banche, uffici postali, ricevitorie) oppure "
    "nell'app IO.\n\n{comune}"
)


def avviso_notify(*, posizione: Posizione) -> None:
    """The avviso a family made at RICARICA, in its Messaggi (and on its phones) and on App IO, where
    the message carries the payment data so that it can be paid there. Once per position."""
    from notifiche.io.messaggi import pagamento_of
    from notifiche.services import notifica_send

    servizi = set(posizione.righe.values_list("servizio", flat=True))
    importo = euro(posizione.importo)
    notifica_send(
        comune=posizione.comune, user=posizione.utente, titolo=AVVISO_TITOLO.format(importo=importo),
        testo=AVVISO_TESTO.format(numero=posizione.numero_avviso_formattato, importo=importo,
                                  scadenza=f"{posizione.scadenza:%d/%m/%Y}", comune=posizione.comune),
        chiave=f"avviso:{posizione.pk}", email=False,  # the PDF is one click away on the avviso's page
        ambito_io="trasporto" if servizi == {"trasporto"} else "mensa", pagamento=pagamento_of(posizione),
    )
