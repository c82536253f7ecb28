"""The HTTP side of a batch of taps: JSON in, one answer per tap out (shared by mensa and trasporto)."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from omnibus.input import raw_body

from .services import MAX_TOCCHI, RIFIUTATO, TapInput, esito, orario_motivo


def batch_read(request: HttpRequest) -> list | JsonResponse:
    """The list of raw taps of the request, or the 400 answer for a body that is not one."""
    body = raw_body(request)
    try:
        payload = json.loads(body) if body is not None else None
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"errore": "corpo_non_valido", "messaggio": "Il corpo non è JSON valido."}, status=400)
    if body is None:
        return JsonResponse({"errore": "corpo_non_valido", "messaggio": "Il corpo non è JSON valido."}, status=400)
    tocchi = payload.get("tocchi") if isinstance(payload, dict) else None
    if not isinstance(tocchi, list) or len(tocchi) > MAX_TOCCHI:
        return JsonResponse({"errore": "corpo_non_valido",
                             "messaggio": f"Serve «tocchi»: un elenco di al massimo {MAX_TOCCHI} tocchi."}, status=400)
    return tocchi


def sessione_terminata() -> JsonResponse:
    # The device keeps its queue and asks the operator to log in again.
    return JsonResponse({"errore": "sessione_terminata",
                         "messaggio": "Sessione terminata: accedi di nuovo per inviare le presenze."}, status=401)


def batch_answer(raw_taps: list, parse: Callable[[dict], TapInput],
                 check: Callable[[TapInput], str], register: Callable[[list[TapInput]], dict]) -> JsonResponse:
    """Parse and check each tap (`check` returns a refusal reason or ""), then its device time; register the
    good ones (a refused tap leaves the rest of the batch alone)."""
    now = timezone.now()
    answers: list = []
    good: list[TapInput] = []
    for raw in raw_taps:
        tap_id = str(raw.get("id", ""))[:64] if isinstance(raw, dict) else ""
        try:
            tap = parse(raw)
        except (ValueError, TypeError, OverflowError):
            answers.append(esito(tap_id, RIFIUTATO, "dati_non_validi"))
            continue
        motivo = check(tap) or orario_motivo(tap, now=now)
        if motivo:
            answers.append(esito(tap_id, RIFIUTATO, motivo))
            continue
        answers.append(tap.uuid)
        good.append(tap)
    registered = register(good) if good else {}
    return JsonResponse({"esiti": [registered[a] if not isinstance(a, dict) else a for a in answers]})
