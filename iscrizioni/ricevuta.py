"""The receipt PDF of a sent application: downloaded from the family's page and attached to the
confirmation e-mail (the notifiche attachment kind "ricevuta_domanda")."""

from __future__ import annotations

from notifiche.allegati import Allegato
from notifiche.models import Notifica
from pagamenti.pdf import render_pdf

from .models import Domanda

ALLEGATO_KIND = "ricevuta_domanda"
RELATED = ("comune", "anno_scolastico", "scuola", "classe", "linea", "fermata", "consumatore", "tipo_dieta")


def ricevuta_nome(domanda: Domanda) -> str:
    return f"ricevuta-{domanda.protocollo}.pdf"


def ricevuta_pdf(domanda: Domanda) -> bytes:
    return render_pdf("iscrizioni/ricevuta_pdf.html", {"domanda": domanda, "comune": domanda.comune})


def ricevuta_allegato_ref(domanda: Domanda) -> str:
    return f"{ALLEGATO_KIND}:{domanda.pk}"


def ricevuta_allegato(notifica: Notifica, reference: str) -> Allegato | None:
    """The receipt for the message's own family and comune only; None if the application is gone."""
    if not reference.isdigit():
        return None
    domanda = (Domanda.objects.filter(pk=int(reference), comune_id=notifica.comune_id, utente_id=notifica.user_id)
               .exclude(protocollo="").select_related(*RELATED).first())
    if domanda is None:
        return None
    return Allegato(ricevuta_nome(domanda), ricevuta_pdf(domanda), "application/pdf")
