"""The sync endpoint of the operator's attendance page: a batch of taps in, one answer per tap out."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from comuni.access import incarico_operatore
from pwa.services import TapInput, tap_parse
from pwa.sync import batch_answer, batch_read, sessione_terminata

from .presenze_offline import presenze_sync
from .selectors import elenco_operatore, oggi, scuole_ids_of


@require_POST
def operatore_sincronizza(request: HttpRequest, comune: str) -> HttpResponse:
    incarico = incarico_operatore(user=request.user, comune=request.comune)
    if incarico is None:
        return sessione_terminata()
    raw_taps = batch_read(request)
    if isinstance(raw_taps, HttpResponse):
        return raw_taps
    giorno = oggi()
    righe = elenco_operatore(comune=request.comune, giorno=giorno, scuole_ids=scuole_ids_of(incarico))
    ammessi = {r.consumatore.pk for r in righe}

    def parse(raw) -> TapInput:
        tap = tap_parse(raw, campo_oggetto="consumatore", campo_valore="presente")
        tap.consumatore_id = tap.oggetto
        return tap

    def check(tap: TapInput) -> str:
        if tap.giorno != giorno:
            return "sessione_terminata"
        return "" if tap.consumatore_id in ammessi else "consumatore_non_ammesso"

    return batch_answer(raw_taps, parse, check, lambda taps: presenze_sync(
        comune=request.comune, taps=taps, registrata_da=request.user))
