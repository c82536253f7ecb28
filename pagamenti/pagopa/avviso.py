"""The avviso di pagamento (national layout, one A4 page) and the receipt, as PDF."""

from __future__ import annotations

from django.core.mail import EmailMessage

from omnibus.formats import euro
from pagamenti.models import Posizione
from pagamenti.pdf import qr_data_uri, render_pdf


def avviso_qr_content(posizione: Posizione) -> str:
    """PAGOPA|002|<notice>|<EC fiscal code>|<cents>, exactly as the specification says."""
    return f"PAGOPA|002|{posizione.numero_avviso}|{posizione.comune.codice_fiscale}|{posizione.centesimi}"


def avviso_pdf(*, posizione: Posizione, righe: list | None = None) -> bytes:
    righe = righe if righe is not None else list(posizione.righe.select_related("consumatore"))
    return render_pdf("pagamenti/pdf/avviso.html", {
        "posizione": posizione, "comune": posizione.comune, "righe": righe, "pagatore": posizione.utente,
        "qr": qr_data_uri(avviso_qr_content(posizione)),
    })


def ricevuta_pdf(*, posizione: Posizione, ricevuta) -> bytes:
    righe = list(posizione.righe.select_related("consumatore"))
    return render_pdf("pagamenti/pdf/ricevuta.html", {
        "posizione": posizione, "comune": posizione.comune, "righe": righe, "ricevuta": ricevuta,
        "pagatore": posizione.utente,
    })


def avviso_send(*, posizione: Posizione, email: str) -> None:
    """E-mail the avviso PDF to the family."""
    message = EmailMessage(
        subject=f"Avviso di pagamento pagoPA {posizione.numero_avviso} – {posizione.comune}",
        body=(f"In allegato l'avviso di pagamento di {euro(posizione.importo)} da pagare online o presso un PSP "
              f"(tabaccai, banche, uffici postali, ricevitorie) entro il {posizione.scadenza:%d/%m/%Y}.\n"
              f"Numero avviso: {posizione.numero_avviso_formattato}\n{posizione.comune}"),
        to=[email],
    )
    message.attach(f"avviso-{posizione.numero_avviso}.pdf", avviso_pdf(posizione=posizione), "application/pdf")
    message.send()
