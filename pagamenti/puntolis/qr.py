"""The QR code a family shows at a LIS shop: comune and payment code, never the id or the CF."""

from __future__ import annotations

from consumatori.models import Consumatore
from pagamenti.pdf import qr_data_uri, render_pdf


def puntolis_qr_content(consumatore: Consumatore) -> str:
    return f"OMNIBUS|LIS|1|{consumatore.comune.codice_fiscale}|{consumatore.codice_pagamento}"


def puntolis_pdf(*, consumatore: Consumatore) -> bytes:
    return render_pdf("pagamenti/pdf/puntolis.html", {
        "consumatore": consumatore, "comune": consumatore.comune,
        "qr": qr_data_uri(puntolis_qr_content(consumatore)),
    })
