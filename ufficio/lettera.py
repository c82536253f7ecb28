"""The reminder letter: one A4 page with the comune's header and the pagoPA avviso (QR included)."""

from __future__ import annotations

from django.utils import timezone

from pagamenti.pagopa.avviso import avviso_qr_content
from pagamenti.pdf import qr_data_uri, render_pdf

from .models import ImpostazioniSolleciti, Sollecito


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
        "qr": qr_data_uri(avviso_qr_content(posizione)) if posizione else "",
    }


def lettera_pdf(*, sollecito: Sollecito, impostazioni: ImpostazioniSolleciti, tutori: list) -> bytes:
    return render_pdf("ufficio/pdf/lettere.html", {
        "lettere": [lettera_context(sollecito=sollecito, impostazioni=impostazioni, tutori=tutori)],
    })


def lettere_pdf(*, lettere: list[dict]) -> bytes:
    """Many letters in one PDF, one page each, for the ones to print and post."""
    return render_pdf("ufficio/pdf/lettere.html", {"lettere": lettere})
