"""Taps queued on an operator's device, synced in batches: parsed, de-duplicated, ordered, recorded.

The service that owns the attendance (mensa, trasporto) checks which children and days the
operator may mark and applies the winning taps; this module keeps the rules every service shares.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_scopes import scopes_disabled

from comuni.models import Comune, User

from .models import EsitoTocco, Tocco

MAX_TOCCHI = 1000
# A device clock this far ahead of the server's is wrong, not early: its tap would outrank every later one.
ANTICIPO_MASSIMO = datetime.timedelta(minutes=5)

# Answers per tap (the device shows the Italian message to the operator).
ACCETTATO = "accettato"
GIA_REGISTRATO = "gia_registrato"
RIFIUTATO = "rifiutato"
MOTIVI = {
    "dati_non_validi": "Dati del tocco non validi.",
    "sessione_terminata": "Il servizio di quel giorno è chiuso: la presenza non è stata registrata.",
    "consumatore_non_ammesso": (
        "Alunno non presente nel tuo elenco di oggi (altra scuola, altro comune o non iscritto)."
    ),
    "orario_nel_futuro": (
        "L'ora del dispositivo è avanti di più di 5 minuti rispetto al portale: controlla data e ora del "
        "dispositivo e tocca di nuovo."
    ),
    "orario_prima_del_giorno": (
        "L'ora del dispositivo è precedente al giorno del servizio: controlla data e ora del dispositivo e "
        "tocca di nuovo."
    ),
    "identificativo_in_uso": "Identificativo del tocco già usato da un altro dispositivo: tocca di nuovo.",
}


@dataclass
class TapInput:
    """A tap as parsed from the device: `oggetto` is the child (mensa) or the enrolment (trasporto)."""

    uuid: uuid.UUID
    oggetto: int
    giorno: datetime.date
    tratta: str
    valore: bool
    dispositivo_il: datetime.datetime
    consumatore_id: int | None = None


def orario_motivo(tap: TapInput, *, now: datetime.datetime) -> str:
    """The refusal reason for a device time outside the service day's possible range, or ""."""
    if tap.dispositivo_il > now + ANTICIPO_MASSIMO:
        return "orario_nel_futuro"
    if timezone.localtime(tap.dispositivo_il).date() < tap.giorno:
        return "orario_prima_del_giorno"
    return ""


def esito(tap_id: str, value: str, motivo: str = "", applicato: bool | None = None) -> dict:
    answer: dict = {"id": tap_id, "esito": value}
    if motivo:
        answer["motivo"] = motivo
        answer["messaggio"] = MOTIVI[motivo]
    if applicato is not None:
        answer["applicato"] = applicato
    return answer


def _boolean(value) -> bool:
    if value in (True, 1, "1", "true"):
        return True
    if value in (False, 0, "0", "false"):
        return False
    raise ValueError(value)


def tap_parse(raw, *, campo_oggetto: str, campo_valore: str, tratte: Iterable[str] = ("",)) -> TapInput:
    """One tap of a batch, or ValueError naming nothing more than "bad body"."""
    if not isinstance(raw, dict):
        raise ValueError("not an object")
    dispositivo_il = parse_datetime(str(raw.get("registrato_il", "")))
    if dispositivo_il is None or dispositivo_il.tzinfo is None:
        raise ValueError("registrato_il")
    oggetto = int(str(raw.get(campo_oggetto, "")))
    if not 0 < oggetto < 2**63:
        raise ValueError(campo_oggetto)
    tratta = str(raw.get("tratta", ""))
    if tratta not in tratte:
        raise ValueError("tratta")
    return TapInput(
        uuid=uuid.UUID(str(raw.get("id", ""))), oggetto=oggetto,
        giorno=datetime.date.fromisoformat(str(raw.get("giorno", ""))), tratta=tratta,
        valore=_boolean(raw.get(campo_valore)), dispositivo_il=dispositivo_il,
    )


def tocchi_register(
    *, comune: Comune, servizio: str, taps: list[TapInput], registrato_da: User,
    applica: Callable[[list[TapInput]], None],
) -> dict[uuid.UUID, dict]:
    """Record checked taps once each and apply, per child/day/trip, the one with the latest device time.

    Returns the answer per tap id. `applica` receives the winning taps (at most one per key) and
    writes the service's own rows (presence, boarding).
    """
    answers: dict[uuid.UUID, dict] = {}
    unique: dict[uuid.UUID, TapInput] = {}
    for tap in taps:
        unique.setdefault(tap.uuid, tap)
    with transaction.atomic():
        # The tap id is unique across all comuni (as the column is): an id another comune recorded is a
        # collision, refused, never a tap written without its audit row.
        with scopes_disabled():
            known = dict(Tocco.objects.filter(uuid__in=list(unique)).values_list("uuid", "comune_id"))
        for tap_id, comune_id in known.items():
            answers[tap_id] = esito(str(tap_id), GIA_REGISTRATO) if comune_id == comune.pk else esito(
                str(tap_id), RIFIUTATO, "identificativo_in_uso")
        new = [tap for tap in unique.values() if tap.uuid not in known]
        latest_in_batch: dict[tuple, TapInput] = {}
        for tap in new:
            key = (tap.consumatore_id, tap.giorno, tap.tratta)
            best = latest_in_batch.get(key)
            if best is None or (tap.dispositivo_il, str(tap.uuid)) > (best.dispositivo_il, str(best.uuid)):
                latest_in_batch[key] = tap
        recorded = (
            Tocco.objects.filter(
                servizio=servizio, esito=EsitoTocco.APPLICATO,
                consumatore_id__in={key[0] for key in latest_in_batch},
                giorno__in={key[1] for key in latest_in_batch},
            )
            .values("consumatore_id", "giorno", "tratta")
            .annotate(ultimo=Max("dispositivo_il"))
        )
        applied_before = {(r["consumatore_id"], r["giorno"], r["tratta"]): r["ultimo"] for r in recorded}
        winners = [
            tap for key, tap in latest_in_batch.items()
            if key not in applied_before or tap.dispositivo_il > applied_before[key]
        ]
        winner_ids = {tap.uuid for tap in winners}
        Tocco.objects.bulk_create([
            Tocco(
                comune=comune, uuid=tap.uuid, servizio=servizio, consumatore_id=tap.consumatore_id,
                giorno=tap.giorno, tratta=tap.tratta, valore=tap.valore, dispositivo_il=tap.dispositivo_il,
                registrato_da=registrato_da,
                esito=EsitoTocco.APPLICATO if tap.uuid in winner_ids else EsitoTocco.SUPERATO,
            )
            for tap in new
        ], ignore_conflicts=True)
        # A concurrent batch may have taken an id meanwhile: only the taps whose audit row is ours apply.
        with scopes_disabled():
            ours = set(Tocco.objects.filter(comune=comune, uuid__in=[tap.uuid for tap in new])
                       .values_list("uuid", flat=True))
        applica([tap for tap in winners if tap.uuid in ours])
    for tap in new:
        answers[tap.uuid] = (esito(str(tap.uuid), ACCETTATO, applicato=tap.uuid in winner_ids) if tap.uuid in ours
                             else esito(str(tap.uuid), RIFIUTATO, "identificativo_in_uso"))
    return answers
