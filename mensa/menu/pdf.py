"""The printable monthly menu of a school level, with allergen numbers and the legend (WeasyPrint)."""

from __future__ import annotations

import datetime

from django.template.loader import render_to_string

from comuni.models import Comune
from consumatori.models import TipoScuola

from .selectors import legenda_allergeni, menu_pubblico, settimana_di


def menu_mese_pdf_bytes(*, comune: Comune, livello: str, inizio: datetime.date, fine: datetime.date) -> bytes:
    from weasyprint import HTML

    livelli = [s for s in menu_pubblico(comune=comune, dal=inizio, al=fine) if s.livello == livello]
    giorni = dict(livelli[0].giorni) if livelli else {}
    settimane = []
    lunedi = settimana_di(inizio)[0]
    while lunedi <= fine:
        days = [lunedi + datetime.timedelta(n) for n in range(6)]
        # A day of the menu without service keeps its None ("servizio non disponibile"); a weekday outside the
        # menu gets no dishes ([]: a dash).
        righe = [(d, giorni.get(d, [])) for d in days if inizio <= d <= fine and (d.weekday() < 5 or d in giorni)]
        if righe:
            settimane.append(righe)
        lunedi += datetime.timedelta(7)
    html = render_to_string("mensa/menu/mese_pdf.html", {
        "comune": comune, "livello": TipoScuola(livello).label, "inizio": inizio, "settimane": settimane,
        "legenda": legenda_allergeni(), "vuoto": not giorni,
    })
    return HTML(string=html).write_pdf()
