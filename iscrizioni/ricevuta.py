"""The receipt PDF of a sent application (ISEE, DSU protocol, diet): downloaded from the family's page only,
behind login. It is never attached to an e-mail: health and ISEE data do not travel by e-mail."""

from __future__ import annotations

from pagamenti.pdf import render_pdf

from .models import Domanda


def ricevuta_nome(domanda: Domanda) -> str:
    return f"ricevuta-{domanda.protocollo}.pdf"


def ricevuta_pdf(domanda: Domanda) -> bytes:
    return render_pdf("iscrizioni/ricevuta_pdf.html", {"domanda": domanda, "comune": domanda.comune})
