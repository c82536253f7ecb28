"""The sync endpoint of the boarding page: a batch of taps in, one answer per tap out."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pwa.services import TapInput, tap_parse
from pwa.sync import batch_answer, batch_read, sessione_terminata

from .models import Iscrizione, Linea, Tratta
from .salite_offline import salite_sync


@require_POST
def bordo_sincronizza(request: HttpRequest, comune: str, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return sessione_terminata()
    linea = Linea.objects.filter(accompagnatori=request.user, pk=pk).first()
    if linea is None:
        raise Http404
    raw_taps = batch_read(request)
    if isinstance(raw_taps, HttpResponse):
        return raw_taps
    oggi = timezone.localdate()
    iscrizioni = {
        i.pk: i for i in Iscrizione.objects.filter(linea=linea, data_inizio__lte=oggi, data_fine__gte=oggi)
    }

    def parse(raw) -> TapInput:
        tap = tap_parse(raw, campo_oggetto="iscrizione", campo_valore="salito", tratte=Tratta.values)
        iscrizione = iscrizioni.get(tap.oggetto)
        tap.consumatore_id = iscrizione.consumatore_id if iscrizione else None
        return tap

    def check(tap: TapInput) -> str:
        if tap.giorno != oggi:
            return "sessione_terminata"
        iscrizione = iscrizioni.get(tap.oggetto)
        if iscrizione is None or not (iscrizione.andata if tap.tratta == Tratta.ANDATA else iscrizione.ritorno):
            return "consumatore_non_ammesso"
        return ""

    return batch_answer(raw_taps, parse, check, lambda taps: salite_sync(
        comune=request.comune, taps=taps, registrata_da=request.user))
